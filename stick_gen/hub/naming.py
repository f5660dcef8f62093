"""Names on the Hub: which repository a checkpoint goes to, which card describes it, version tags.

Repositories have the names the upload guide gives users (their downloads and snippets name them, so a
name never changes once published):

=================  ==========================================
pretrained         ``GesturaAI/stick-gen-{variant}``
SFT fine-tune      ``GesturaAI/stick-gen-{variant}-sft``
LoRA adapters      ``GesturaAI/stick-gen-{variant}-lora``
custom fine-tune   ``GesturaAI/stick-gen-{variant}-{method}``
=================  ==========================================

>>> repo_id_for("medium", "sft")
'GesturaAI/stick-gen-medium-sft'
>>> card_name("small", "lora")
'model_cards/stick-gen-small-lora.md'
>>> parse_version("v1.2.0"), version_tag("1.2.0")
('1.2.0', 'v1.2.0')
"""

from __future__ import annotations

import re
from typing import Optional

from ..model.checkpoint import Checkpoint, CheckpointKind
from ..errors import ConfigError
from ..model.variants import FINETUNE_SUFFIXES, TrainingMethod, repo_id_for

__all__ = ["repo_id_for", "detect_method", "card_name", "parse_version", "version_tag", "commit_message",
           "check_repo_id", "check_revision", "PRETRAIN"]

PRETRAIN = TrainingMethod.PRETRAIN.value
"""Method name of a model trained from scratch; its repository has no suffix (a plain ``str``)."""

# semver.org's grammar: MAJOR.MINOR.PATCH, optional -pre-release and +build parts.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_METHOD = re.compile(r"^[a-z0-9][a-z0-9_-]{0,30}$")
# git's check-ref-format: no "..", "@{", "//", control characters, space or any of ~^:?*[\ ;
# no part that starts with "." or ends with ".lock"; not starting with "-" or "/", not ending with "/" or ".".
_BAD_REF = re.compile(r"\.\.|@\{|//|[\x00-\x20\x7f~^:?*\[\\]|(?:^|/)\.|\.lock(?:/|$)|^[-/]|[/.]$|^@$")


def detect_method(checkpoint: Checkpoint) -> str:
    """How a checkpoint was trained: ``"pretrain"``, ``"sft"``, ``"lora"`` or a custom method name.

    Training checkpoints record ``method``; LoRA files are recognised by their kind; a checkpoint
    that names a ``base_model`` but no method is a full fine-tune (``"sft"``).

    >>> detect_method(load_checkpoint("checkpoints/sft/best.pth"))   # doctest: +SKIP
    'sft'
    """
    if checkpoint.kind == CheckpointKind.LORA:
        return TrainingMethod.LORA.value
    method = checkpoint.metadata.get("method")
    if isinstance(method, str) and method.strip():
        return check_method(method.strip().lower())
    return TrainingMethod.SFT.value if checkpoint.metadata.get("base_model") else PRETRAIN


def check_method(method: str) -> str:
    """``method`` if it can be part of a repository name (lower-case letters, digits, ``-``, ``_``).

    >>> check_method("sports-v2")
    'sports-v2'
    """
    if not _METHOD.match(method) or "--" in method or method.endswith("-"):  # the Hub refuses "--" and a final "-"
        raise ConfigError(
            f"fine-tune method {method!r} cannot be part of a repository name: use lower-case letters, digits, "
            f"'-' or '_', no '--', ending in a letter or digit (e.g. --method custom)"
        )
    return method


def card_name(variant: str, method: str) -> str:
    """The shipped model card for a variant and method, e.g. ``model_cards/stick-gen-medium-sft.md``.

    Custom methods have no shipped card; ``stick-gen card new`` writes one.
    """
    if method == PRETRAIN:
        return f"model_cards/{variant}.md"
    return f"model_cards/stick-gen-{variant}-{method}.md"


def has_shipped_card(method: str) -> bool:
    """Whether the package ships a card for ``method`` (pretrain, sft, lora)."""
    return method == PRETRAIN or method in FINETUNE_SUFFIXES


def check_repo_id(repo_id: str) -> str:
    """``repo_id`` if it is ``namespace/name`` and huggingface_hub's own validator accepts it; else a clear error.

    >>> check_repo_id("your-username/stick-gen")
    'your-username/stick-gen'
    >>> check_repo_id("GesturaAI/x.git")
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.ConfigError: --repo-name 'GesturaAI/x.git' is not a Hub repository id: the Hub refuses names ending in '.git'; use namespace/name, e.g. your-username/stick-gen (letters, digits, '.', '_', '-'; no '--' or '..'; not starting or ending with '-' or '.')
    """
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    namespace, slash, name = repo_id.partition("/")
    reason = "" if slash and namespace and name else "it needs a namespace: "
    if not reason:
        try:
            validate_repo_id(repo_id)
        except HFValidationError:
            reason = ("the Hub refuses names ending in '.git'; " if repo_id.endswith(".git") else
                      "the Hub refuses it; ")
    if reason:
        raise ConfigError(
            f"--repo-name {repo_id!r} is not a Hub repository id: {reason}use namespace/name, e.g. "
            f"your-username/stick-gen (letters, digits, '.', '_', '-'; no '--' or '..'; not starting or ending "
            f"with '-' or '.')"
        )
    return repo_id


def check_revision(revision: str) -> str:
    """``revision`` if it can name a branch (git's ``check-ref-format`` rules); a clear error otherwise.

    >>> check_revision("dev")
    'dev'
    >>> check_revision("../x")
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.ConfigError: --revision '../x' is not a branch name: use letters, digits, '-', '_', '.' and '/' (e.g. main, dev, release/1.0), without '..', ':', spaces or a leading '-', '.' or '/'
    """
    if (not revision or len(revision) > 200 or revision.startswith("refs/") or revision == "HEAD"
            or _BAD_REF.search(revision)):
        raise ConfigError(
            f"--revision {revision!r} is not a branch name: use letters, digits, '-', '_', '.' and '/' (e.g. main, "
            f"dev, release/1.0), without '..', ':', spaces or a leading '-', '.' or '/'"
        )
    return revision


def parse_version(version: str) -> str:
    """The semantic version in ``version`` (a leading ``v`` is allowed); a clear error otherwise.

    >>> parse_version("1.0")
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.ConfigError: --version '1.0' is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0, 1.1.0-rc.1)
    """
    plain = version.strip()
    plain = plain[1:] if plain[:1] in ("v", "V") else plain
    if not _SEMVER.match(plain):
        raise ConfigError(
            f"--version {version!r} is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0, 1.1.0-rc.1)"
        )
    return plain


def version_tag(version: str) -> str:
    """The Git tag of a version: ``v1.0.0``."""
    return f"v{parse_version(version)}"


def commit_message(version: Optional[str]) -> str:
    """The default commit message: ``"Upload stick-gen model v1.0.0"`` (or without a version)."""
    return f"Upload stick-gen model {version_tag(version)}" if version else "Upload stick-gen model"
