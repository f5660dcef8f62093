"""Read code blocks out of Markdown so tests can run them as written: the user-facing upload guide
(the spec) and the project's own documentation (README.md, docs/publishing.md).

The spec lives beside the repository (``../shared/spec/HUGGINGFACE_UPLOAD_GUIDE.md``), as in CI. A plain
clone has no such folder: every helper that reads the spec then skips the calling test with one line
that says so (:data:`requires_spec` marks whole tests; :func:`bash_commands` gives no commands), while
the project's own documents are always there and always tested.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT.parent / "shared" / "spec" / "HUGGINGFACE_UPLOAD_GUIDE.md"
SPEC_MISSING = f"the upload guide is not beside this clone ({SPEC}): its snippets are not run"
PROJECT_DOCS = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "publishing.md")
"""The project's own documents whose commands the tests run verbatim."""

requires_spec = pytest.mark.skipif(not SPEC.is_file(), reason=SPEC_MISSING)
"""Mark a test that needs the spec beside the repository; it is skipped, with the reason, in a plain clone."""


def has_spec() -> bool:
    return SPEC.is_file()


def spec_text() -> str:
    """The spec's text; inside a test, skips the test when the spec is not beside the repository."""
    if not SPEC.is_file():
        pytest.skip(SPEC_MISSING)
    return SPEC.read_text(encoding="utf-8")


def code_blocks(language: str, text: str = "") -> List[str]:
    """Every fenced block of ``language`` in ``text`` (default: the spec), in order."""
    return re.findall(rf"```{language}\n(.*?)```", text or spec_text(), flags=re.S)


def python_block_after(heading: str, text: str = "") -> str:
    """The first python block that follows the ``### heading`` line of ``text`` (default: the spec)."""
    text = text or spec_text()
    start = text.index(f"### {heading}\n")
    return re.search(r"```python\n(.*?)```", text[start:], flags=re.S).group(1)


def shell_lines(block: str) -> List[str]:
    """The command lines of a bash block: continuation lines joined, blanks and comments dropped."""
    lines = []
    for line in block.replace("\\\n", " ").splitlines():
        line = " ".join(line.split())
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def bash_commands(text: str = "") -> List[str]:
    """Every ``python ... push_to_huggingface.py`` command of ``text`` (default: the spec), one line each.

    Without ``text`` and without the spec beside the repository: no commands (collection never fails).
    """
    if not text and not SPEC.is_file():
        return []
    return [line for block in code_blocks("bash", text) for line in shell_lines(block)
            if "push_to_huggingface.py" in line]


def project_doc(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def replace_download(snippet: str, local_path: str) -> str:
    """Replace the snippet's ``x = hf_hub_download(...)`` statement with ``x = <local_path>``."""
    return re.sub(r"(\w+) = hf_hub_download\((.*?)\n\)", rf"\1 = {local_path!r}", snippet, flags=re.S)
