"""Read the user-facing spec's code blocks so tests can run them as written.

The spec lives beside the repository (``../shared/spec/HUGGINGFACE_UPLOAD_GUIDE.md``), as in CI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "HUGGINGFACE_UPLOAD_GUIDE.md"


def spec_text() -> str:
    if not SPEC.is_file():
        raise FileNotFoundError(f"the spec is expected at {SPEC} (../shared beside the repository)")
    return SPEC.read_text(encoding="utf-8")


def code_blocks(language: str) -> List[str]:
    """Every fenced block of ``language`` in the spec, in order."""
    return re.findall(rf"```{language}\n(.*?)```", spec_text(), flags=re.S)


def python_block_after(heading: str) -> str:
    """The first python block that follows the ``### heading`` line."""
    text = spec_text()
    start = text.index(f"### {heading}\n")
    return re.search(r"```python\n(.*?)```", text[start:], flags=re.S).group(1)


def bash_commands() -> List[str]:
    """Every ``python scripts/push_to_huggingface.py`` command in the spec, joined onto one line."""
    commands = []
    for block in code_blocks("bash"):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = " ".join(line.split())
            if "push_to_huggingface.py" in line:
                commands.append(line)
    return commands


def replace_download(snippet: str, local_path: str) -> str:
    """Replace the snippet's ``x = hf_hub_download(...)`` statement with ``x = <local_path>``."""
    return re.sub(r"(\w+) = hf_hub_download\((.*?)\n\)", rf"\1 = {local_path!r}", snippet, flags=re.S)
