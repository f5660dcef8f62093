"""Files that ship with the package: configs, model cards, LICENSE, CITATIONS.md.

In a wheel they live in ``stick_gen/_resources/``; in a source checkout (editable install) they
are read from the repository root. Paths given on a command line are never resolved here: they
are relative to the current directory.

>>> resource_path("configs", "small.yaml").name
'small.yaml'
"""

from __future__ import annotations

from pathlib import Path

from .model.errors import StickGenError

_PACKAGE = Path(__file__).resolve().parent
_ROOTS = (_PACKAGE / "_resources", _PACKAGE.parent)


def resource_path(*parts: str) -> Path:
    """The shipped file ``parts`` (e.g. ``("model_cards", "medium.md")``); a clear error if absent."""
    for root in _ROOTS:
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise StickGenError(f"{'/'.join(parts)} is not shipped with this stick-gen installation (looked in {_ROOTS[0]})")
