"""The project's own publishing documentation, run verbatim: the commands and snippets of README.md
("Publish to the Hugging Face Hub") and docs/publishing.md. These need nothing beside the repository,
so they run in a plain clone as well as in CI."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
import torch

from stick_gen.model.transformer import StickFigureTransformer

from .spec_snippets import code_blocks, project_doc, shell_lines
from .push_support import REPO_ROOT, run_command, write_lora, write_pretrained
from .test_cards import METRICS_JSON

README = project_doc(REPO_ROOT / "README.md")
PUBLISHING = project_doc(REPO_ROOT / "docs" / "publishing.md")


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n#", 1)[0]


README_PUBLISH = shell_lines(code_blocks("bash", _section(README, "### Publish to the Hugging Face Hub"))[0])
README_LOAD = code_blocks("python", _section(README, "### Publish to the Hugging Face Hub"))[0]
LOADING_BACK = code_blocks("python", _section(PUBLISHING, "## Loading back"))[0]
LOCAL_HUB_BLOCK = code_blocks("bash", _section(PUBLISHING, "## Testing against a local Hub"))[0]


def _outputs(model):
    torch.manual_seed(5)
    return model(torch.randn(2, 1024), torch.rand(2, 16)).motion


@pytest.fixture
def repo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory laid out like the repository root, with its own copy of model_cards/
    (README's `card update` edits a card in place)."""
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("scripts", "push_to_huggingface.py", "configs"):
        (root / name).symlink_to(REPO_ROOT / name)
    import shutil

    shutil.copytree(REPO_ROOT / "model_cards", root / "model_cards")
    monkeypatch.chdir(root)
    return root


def _run(line: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """A documented command line: `python` is this interpreter, `stick-gen` the script beside it."""
    words = shlex.split(line)
    if words[0] == "stick-gen":
        line = shlex.join([str(Path(sys.executable).with_name("stick-gen")), *words[1:]])
    return run_command(line, cwd, **kwargs)


def test_the_docs_have_the_commands_we_run():
    assert len(README_PUBLISH) == 3 and README_PUBLISH[0].startswith("stick-gen card update")
    assert all(line.startswith("python scripts/push_to_huggingface.py") for line in README_PUBLISH[1:])
    assert "revision=\"v1.0.0\"" in README_LOAD and "StickGenPipeline" in LOADING_BACK
    assert "stick-gen local-hub" in LOCAL_HUB_BLOCK


def _prepare_readme_inputs(root: Path) -> StickFigureTransformer:
    (root / "metrics.json").write_text(json.dumps(METRICS_JSON))
    (root / "out").mkdir()
    (root / "out" / "walk_wave.gif").write_bytes(b"GIF89a-walk")
    return write_pretrained(root / "checkpoints/best_model.pt", "medium")


def test_readme_publish_commands_and_loading_snippets_run_as_written(hub, repo_copy):
    """README's card update and medium push, verbatim; then README's and publishing.md's loading code."""
    model = _prepare_readme_inputs(repo_copy)
    for line in README_PUBLISH[:2]:
        done = _run(line, repo_copy, stdin="")
        assert done.returncode == 0, line + "\n" + done.stdout[-2000:] + done.stderr[-3000:]
    readme = hub.read_file("GesturaAI/stick-gen-medium", "README.md", "v1.0.0").decode()
    assert "- **Pose MSE**: 0.0234" in readme and "![Animation](examples/walk_wave.gif)" in readme
    assert hub.read_file("GesturaAI/stick-gen-medium", "examples/walk_wave.gif") == b"GIF89a-walk"
    namespace: dict = {}
    exec(compile(README_LOAD, "<README.md: load>", "exec"), namespace)
    assert torch.equal(_outputs(namespace["model"]), _outputs(model))
    namespace = {}
    exec(compile(LOADING_BACK, "<docs/publishing.md: Loading back>", "exec"), namespace)
    assert torch.equal(_outputs(namespace["model"]), _outputs(model))
    assert namespace["pipeline"].model.config == model.config


@pytest.mark.slow
def test_readme_lora_push_runs_as_written(hub, repo_copy):
    write_lora(repo_copy / "checkpoints/lora/lora_adapters.pth", "medium")
    done = _run(README_PUBLISH[2], repo_copy, stdin="")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "lora_adapters.pth" in hub.files("GesturaAI/stick-gen-medium-lora", "v1.0.0")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_local_hub_block_of_the_publishing_docs_runs_as_written(tmp_path, repo_copy):
    """The block as a user pastes it into bash: a token file, the local hub in the background, the push."""
    from huggingface_hub import HfApi

    port = int(re.search(r"--port (\d+)", LOCAL_HUB_BLOCK).group(1))
    if not _port_free(port):
        pytest.skip(f"port {port}, which the documented block uses, is taken on this machine")
    write_pretrained(repo_copy / "checkpoints/best_model.pt", "small")
    bin_dir = str(Path(sys.executable).parent)  # `python` and `stick-gen` of this environment
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_TELEMETRY": "1"}
    env.pop("HF_TOKEN", None)
    env.pop("HF_ENDPOINT", None)
    # Output to files: the hub in the background keeps the shell's output open after the shell has exited.
    with open(tmp_path / "out.txt", "w") as out_file, open(tmp_path / "err.txt", "w") as err_file:
        shell = subprocess.Popen(["bash", "-c", LOCAL_HUB_BLOCK], cwd=repo_copy, env=env, stdin=subprocess.DEVNULL,
                                 stdout=out_file, stderr=err_file, start_new_session=True)
    try:
        shell.wait(timeout=300)
        out, err = (tmp_path / "out.txt").read_text(), (tmp_path / "err.txt").read_text()
        assert shell.returncode == 0, out[-2000:] + err[-3000:]
        token = (repo_copy / "demo-token.txt").read_text().strip()
        api = HfApi(endpoint=f"http://127.0.0.1:{port}", token=token)
        tags: List[str] = [t.name for t in api.list_repo_refs("GesturaAI/stick-gen-small").tags]
        assert tags == ["v1.0.0"] and token not in out + err
    finally:
        try:
            os.killpg(shell.pid, signal.SIGTERM)  # the background local hub: the group this test started
        except ProcessLookupError:
            pass
