"""Downloading a model from the Hugging Face Hub, with one clear error per way it can fail.

``huggingface_hub`` raises a precise exception for each failure (an invalid repo id, a missing or
private repository, an unknown revision, offline mode with nothing cached, no network); here each
becomes one :class:`~..model.errors.StickGenError` line that names the repository and says what
to do. Nothing here prints or stores a token.

>>> folder = download_model_files("GesturaAI/stick-gen-small", revision="v1.0.0")   # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence

from ..model.errors import GenerationError, HubError, StickGenError

MODEL_FILES = ("config.json", "model.safetensors")
"""What generation needs of a model repository."""

_FILE_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt")


def download_model_files(repo_id: str, revision: Optional[str] = None, token: Optional[str] = None,
                         files: Sequence[str] = MODEL_FILES) -> Path:
    """``snapshot_download`` of ``files`` (from the cache when there); the local snapshot folder.

    Raises :class:`HubError` (or :class:`GenerationError` for a value that is not a repo id) with
    one line that says what to do; see :func:`explain_download_error`.
    """
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id=repo_id, revision=revision, token=token, allow_patterns=list(files)))
    except Exception as err:  # sorted by explain_download_error; anything it does not know is re-raised
        explained = explain_download_error(err, repo_id, revision)
        if explained is None:
            raise
        raise explained from err


def explain_download_error(err: BaseException, repo_id: str, revision: Optional[str] = None
                           ) -> Optional[StickGenError]:
    """One-line error for a failed Hub download of ``repo_id``; None for an error that is not the Hub's.

    >>> from huggingface_hub.errors import HFValidationError
    >>> print(explain_download_error(HFValidationError("bad"), "not a repo"))
    'not a repo' is not a Hub repository id (owner/name: letters, digits, '-', '_', '.'); for a local file or folder that does not exist, check the path
    """
    from huggingface_hub import constants
    from huggingface_hub.errors import (
        GatedRepoError,
        HFValidationError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    where = repo_id if revision is None else f"{repo_id}@{revision}"
    endpoint = constants.ENDPOINT
    local_hint = ""
    if repo_id.endswith(_FILE_SUFFIXES) or repo_id.startswith((".", "~")) or "/" not in repo_id:
        local_hint = f"; if you meant a local file, {os.path.abspath(repo_id)} does not exist"
    if isinstance(err, HFValidationError):
        shown = repo_id if len(repo_id) <= 80 else repo_id[:77] + "..."
        return GenerationError(f"{shown!r} is not a Hub repository id (owner/name: letters, digits, '-', '_', "
                               f"'.'); for a local file or folder that does not exist, check the path")
    if isinstance(err, GatedRepoError):
        return HubError(f"{where}: the repository is gated: accept its terms at {endpoint}/{repo_id}, then log in "
                        f"with `hf auth login` (or set HF_TOKEN)")
    if isinstance(err, RepositoryNotFoundError):
        return HubError(f"{where}: no such model repository on {endpoint}, or it is private and needs a token "
                        f"that can read it: check the name (e.g. GesturaAI/stick-gen-small), or log in with "
                        f"`hf auth login` (or set HF_TOKEN){local_hint}")
    if isinstance(err, RevisionNotFoundError):
        return HubError(f"{where}: {repo_id} has no revision {revision!r}: give a tag, branch or commit that exists "
                        f"(see {endpoint}/{repo_id}/tree/main), or leave out @REVISION for the latest")
    offline = isinstance(err, OfflineModeIsEnabled) or constants.is_offline_mode()
    if offline and isinstance(err, (LocalEntryNotFoundError, OfflineModeIsEnabled)):
        return HubError(f"{where} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and HF_HUB_OFFLINE=1 "
                        f"forbids downloading it: unset HF_HUB_OFFLINE to download it once, or use a cached "
                        f"model ({_cached_models()}){local_hint}")
    if isinstance(err, LocalEntryNotFoundError):
        return HubError(f"{where}: cannot reach {endpoint} and the model is not in the Hugging Face cache: check "
                        f"the network (or HF_ENDPOINT), or pass --checkpoint with a local copy{local_hint}")
    if isinstance(err, HfHubHTTPError):
        status = getattr(getattr(err, "response", None), "status_code", None)
        if status == 401:
            return HubError(f"{where}: {endpoint} refused the token (401): it is invalid, expired or revoked; log "
                            f"in again with `hf auth login`, or unset HF_TOKEN for a public model")
        if status == 403:
            return HubError(f"{where}: 403 Forbidden: this token may not read {repo_id}; use a token of an "
                            f"account with access")
        return HubError(f"{where}: the Hub ({endpoint}) answered {f'HTTP {status}' if status else 'with an error'}; "
                        f"try again later")
    if isinstance(err, (OSError, ConnectionError)) or type(err).__module__.split(".")[0] in ("httpx", "httpx2"):
        return HubError(f"{where}: cannot reach {endpoint} ({type(err).__name__}): check the network (or "
                        f"HF_ENDPOINT), or pass --checkpoint with a local copy")
    return None


def _cached_models() -> str:
    """``"cached: a/b, c/d"`` from the Hugging Face cache, or ``"nothing is cached"``."""
    from huggingface_hub import scan_cache_dir

    try:
        repos: List[str] = sorted(r.repo_id for r in scan_cache_dir().repos if r.repo_type == "model")
    except Exception:  # a missing or unreadable cache only means nothing usable is cached
        repos = []
    if not repos:
        return "nothing is cached"
    more = f" and {len(repos) - 5} more" if len(repos) > 5 else ""
    return "cached: " + ", ".join(repos[:5]) + more
