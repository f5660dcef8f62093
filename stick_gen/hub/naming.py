"""Names on the Hub: which repository a checkpoint goes to, which card describes it, version tags.

Repositories follow the spec's naming table:

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

from ..model.checkpoint import Checkpoint
from ..model.errors import ConfigError
from ..model.variants import FINETUNE_SUFFIXES, repo_id_for

__all__ = ["repo_id_for", "detect_method", "card_name", "parse_version", "version_tag", "commit_message",
           "check_repo_id", "PRETRAIN"]

PRETRAIN = "pretrain"
"""Method name of a model trained from scratch; its repository has no suffix."""

# semver.org's grammar: MAJOR.MINOR.PATCH, optional -pre-release and +build parts.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_METHOD = re.compile(r"^[a-z0-9][a-z0-9_-]{0,30}$")
_REPO_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


def detect_method(checkpoint: Checkpoint) -> str:
    """How a checkpoint was trained: ``"pretrain"``, ``"sft"``, ``"lora"`` or a custom method name.

    Training checkpoints record ``method``; LoRA files are recognised by their kind; a checkpoint
    that names a ``base_model`` but no method is a full fine-tune (``"sft"``).

    >>> detect_method(load_checkpoint("checkpoints/sft/best.pth"))   # doctest: +SKIP
    'sft'
    """
    if checkpoint.kind == "lora":
        return "lora"
    method = checkpoint.metadata.get("method")
    if isinstance(method, str) and method.strip():
        return check_method(method.strip().lower())
    return "sft" if checkpoint.metadata.get("base_model") else PRETRAIN


def check_method(method: str) -> str:
    """``method`` if it can be part of a repository name (lower-case letters, digits, ``-``, ``_``)."""
    if not _METHOD.match(method):
        raise ConfigError(
            f"fine-tune method {method!r} cannot be part of a repository name: use lower-case letters, digits, "
            f"'-' or '_' (e.g. --method custom)"
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
    """``repo_id`` if it is ``namespace/name`` with Hub-legal parts; a clear error otherwise.

    >>> check_repo_id("your-username/stick-gen")
    'your-username/stick-gen'
    """
    namespace, slash, name = repo_id.partition("/")
    if not slash or not _REPO_PART.match(namespace) or not _REPO_PART.match(name) or ".." in repo_id:
        raise ConfigError(
            f"--repo-name {repo_id!r} is not a Hub repository id: use namespace/name, e.g. "
            f"your-username/stick-gen (letters, digits, '.', '_', '-')"
        )
    return repo_id


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
