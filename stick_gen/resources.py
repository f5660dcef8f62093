"""Files that ship with the package: configs, model cards, LICENSE, CITATIONS.md.

In a wheel they live in ``stick_gen/_resources/``; in a source checkout (editable install) they
are read from the repository root. Paths given on a command line are never resolved here: they
are relative to the current directory.

>>> resource_path("configs", "small.yaml").name
'small.yaml'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import yaml

from .errors import StickGenError

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PACKAGE = Path(__file__).resolve().parent
_ROOTS = (_PACKAGE / "_resources", _PACKAGE.parent)


def resource_path(*parts: str) -> Path:
    """The shipped file ``parts`` (e.g. ``("model_cards", "medium.md")``); a clear error if absent."""
    for root in _ROOTS:
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise StickGenError(f"{'/'.join(parts)} is not shipped with this stick-gen installation (looked in {_ROOTS[0]})")


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, through libyaml's C parser when PyYAML was built with it (same safe
    constructors, several times faster: every push parses a card and the variant's config).

    >>> load_yaml("d_model: 512")
    {'d_model': 512}
    """
    return yaml.load(text, Loader=_YAML_LOADER)


def shipped_config(variant: str) -> Dict[str, Any]:
    """The shipped ``configs/{variant}.yaml``, parsed (``{}`` for an empty file).

    >>> shipped_config("small")["variant"]
    'small'
    """
    return load_yaml(resource_path("configs", f"{variant}.yaml").read_text(encoding="utf-8")) or {}
