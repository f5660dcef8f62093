"""stick-gen: text to stick-figure animation, published to the Hugging Face Hub.

>>> import stick_gen
>>> stick_gen.__version__
'0.1.0'
"""

from __future__ import annotations

import re
from pathlib import Path


def _version() -> str:
    """The version of the code being run: the source tree's ``pyproject.toml`` when this package sits in
    one (a clone, editable or not), else the installed distribution's metadata, else ``0+unknown``."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if re.search(r'^name\s*=\s*"stick-gen"', text, re.MULTILINE):
        found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
        if found:
            return found.group(1)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stick-gen")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
