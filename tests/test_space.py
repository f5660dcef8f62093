"""`stick-gen space`: the studio published as a Hugging Face Space, against the local Hub.

Push a model, push its Space, download the Space, build a clean virtual environment from the Space's
own requirements.txt (plus the CPU torch wheel, as a Space on CPU hardware would), run its app.py
against the local Hub and generate through it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from huggingface_hub import snapshot_download

from stick_gen.cli import main

from .push_support import push_args, write_pretrained
from .studio_support import free_port

MODEL = "GesturaAI/stick-gen-small"
SPACE = "GesturaAI/stick-gen-small-studio"
TORCH = "torch==2.13.0"


@pytest.fixture
def published(hub, checkout):
    """The small variant (untrained weights) pushed as v1.0.0, as `stick-gen push` publishes it."""
    pytest.importorskip("gradio", reason="building a Space needs gradio: pip install '.[studio]'")
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    return hub


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_space_files_name_the_model_and_carry_the_package(published, tmp_path, capsys):
    assert main(["space", "--model", f"{MODEL}@v1.0.0"]) == 0
    assert f"spaces/{SPACE}" in capsys.readouterr().out
    space = Path(snapshot_download(SPACE, repo_type="space", local_dir=tmp_path / "space"))
    card = _front_matter((space / "README.md").read_text())
    assert card["sdk"] == "gradio" and card["app_file"] == "app.py" and card["models"] == [MODEL]
    import gradio

    assert card["sdk_version"] == gradio.__version__
    assert f'MODEL = "{MODEL}@v1.0.0"' in (space / "app.py").read_text().replace("'", '"')
    wheel = next((space / "wheels").glob("stick_gen-*-py3-none-any.whl"))
    assert f"./wheels/{wheel.name}[studio]" in (space / "requirements.txt").read_text().splitlines()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert {"stick_gen/studio/app.py", "stick_gen/hub/space.py", "stick_gen/_resources/configs/small.yaml",
            "stick_gen/inference/motion.schema.json"} <= names
    assert not any("__pycache__" in n for n in names)
    assert "Provides-Extra: studio" in metadata and "gradio" in metadata

    # the same sources give the same wheel: republishing changes nothing on the Hub
    before = published.head(SPACE, repo_type="space")
    assert main(["space", "--model", f"{MODEL}@v1.0.0"]) == 0
    files = published.files(SPACE, repo_type="space")
    assert files[f"wheels/{wheel.name}"].sha256 == published.files(SPACE, before, "space")[f"wheels/{wheel.name}"].sha256


def test_without_a_revision_the_space_is_pinned_to_the_current_commit(published, tmp_path):
    commit = published.head(MODEL)
    assert main(["space", "--model", MODEL, "--no-upload", "--output-dir", str(tmp_path / "s")]) == 0
    assert f"{MODEL}@{commit}" in (tmp_path / "s" / "app.py").read_text()
    assert published.head(SPACE, repo_type="space") is None


@pytest.mark.parametrize("args, message", [
    (["--model", "GesturaAI/no-such-model@v1.0.0"], "not found"),
    (["--model", f"{MODEL}@v9.9.9"], "v9.9.9"),
    (["--model", "not a repo"], "is not a Hub model"),
    (["--model", f"{MODEL}@v1.0.0", "--space", "GesturaAI/bad..name"], "--space 'GesturaAI/bad..name'"),
])
def test_bad_model_or_space_is_one_line(published, capsys, args, message):
    assert main(["space", *args]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow
def test_space_runs_from_its_own_requirements_in_a_clean_venv(published, tmp_path):
    """The round trip: the downloaded Space, its requirements, its app.py, a generation through it."""
    from gradio_client import Client

    assert main(["space", "--model", f"{MODEL}@v1.0.0"]) == 0
    space = Path(snapshot_download(SPACE, repo_type="space", local_dir=tmp_path / "space"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, TORCH], check=True, timeout=900)
    subprocess.run([*pip, "-r", "requirements.txt"], cwd=space, check=True, timeout=900)

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False",
               HF_HOME=str(tmp_path / "space-hf-home"), HF_HUB_CACHE=str(tmp_path / "space-hf-home" / "hub"))
    app = subprocess.Popen([python, "app.py"], cwd=space, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        started, lines = time.monotonic(), []
        while not any("stick-gen studio:" in line for line in lines):
            line = app.stdout.readline()
            assert line or app.poll() is None, "".join(lines)
            lines.append(line)
            assert time.monotonic() - started < 300, "".join(lines)
        assert f"http://127.0.0.1:{port}" in lines[-1] and f"{MODEL}@v1.0.0" in lines[-1]
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        player, labels, status = client.predict("A person walks forward and waves", 3, "1", 4.0, 256,
                                                api_name="/generate")
        assert "1 actor, 4 s at 25 fps, seed 3" in status and "Actor 1" in labels
        # the take the page's canvas plays: 100 frames of one actor's 20 values, and the figure moves
        assert player["fps"] == 25 and player["num_frames"] == 100 and len(player["poses"]) == 100
        first, last = player["poses"][0][0], player["poses"][-1][0]
        assert len(first) == 20 and first != last
    finally:
        app.terminate()
        app.wait(timeout=30)
