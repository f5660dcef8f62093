"""Packaging and the command line: `--version`, `stick-gen login`, no script under another project's
name, and transformers / imageio off the default path (issue 10, item 7)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import stick_gen
from stick_gen.cli import main
from stick_gen.testing.local_hub import LocalHub, hub_environment

from .push_support import BOT_TOKEN, OTHER_TOKEN, users
from .support import tiny_transformer

REPO_ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = (REPO_ROOT / "pyproject.toml").read_text()


def _table(name: str) -> str:
    """The body of ``[name]`` in pyproject.toml (tomllib is not in Python 3.10)."""
    found = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", PYPROJECT, re.MULTILINE | re.DOTALL)
    assert found, name
    return found.group(1)


def test_version_flag_and_attribute(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"stick-gen {stick_gen.__version__}\n"
    assert re.search(rf'^version = "{re.escape(stick_gen.__version__)}"$', PYPROJECT, re.MULTILINE)
    assert importlib.metadata.version("stick-gen") == stick_gen.__version__


@pytest.mark.parametrize("pyproject, expected", [
    ('[project]\nname = "stick-gen"\nversion = "9.8.7"\n', "9.8.7"),  # a source tree: its pyproject
    ('[project]\nname = "other"\nversion = "9.8.7"\n', "0+unknown"),  # another project's file: ignored
    (None, "0+unknown"),  # neither a source tree nor installed
])
def test_version_falls_back_without_metadata(tmp_path, pyproject, expected):
    (tmp_path / "stick_gen").mkdir()
    shutil.copy(Path(stick_gen.__file__), tmp_path / "stick_gen" / "__init__.py")
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    # -S: no site-packages, so no installed stick-gen metadata to find
    done = subprocess.run([sys.executable, "-S", "-c", "import stick_gen; print(stick_gen.__version__)"],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_only_the_stick_gen_script_is_installed():
    """A `huggingface-cli` of ours shadowed huggingface_hub's own (`huggingface-cli download`: invalid choice)."""
    scripts = dict(re.findall(r'^([\w.-]+)\s*=\s*"([^"]+)"', _table("project.scripts"), re.MULTILINE))
    assert scripts == {"stick-gen": "stick_gen.cli:main"}


def test_transformers_and_imageio_are_extras_not_dependencies():
    dependencies = re.search(r"^dependencies = \[(.*?)\]", PYPROJECT, re.MULTILINE | re.DOTALL).group(1)
    names = re.findall(r'"([A-Za-z0-9_.-]+)', dependencies)
    assert "transformers" not in names and "imageio" not in names
    assert "imageio-ffmpeg" in names  # the MP4 writer runs its ffmpeg
    extras = _table("project.optional-dependencies")
    assert re.search(r'^bge = \["transformers>=4\.40"\]$', extras, re.MULTILINE)
    test_extra = re.search(r"^test = \[(.*?)\]$", extras, re.MULTILINE | re.DOTALL).group(1)  # may wrap lines
    assert '"transformers>=4.40"' in test_extra and '"imageio>=2.31"' in test_extra
    assert '"hypothesis>=6.100"' in test_extra


BLOCK = "import sys; sys.modules['transformers'] = sys.modules['imageio'] = None  # `import transformers` fails\n"


@pytest.mark.parametrize("blocked", ["transformers", "imageio"])
def test_the_block_works(blocked):
    done = subprocess.run([sys.executable, "-c", BLOCK + f"import {blocked}"], capture_output=True, text=True)
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr


def test_minilm_and_generate_run_without_transformers_or_imageio(tmp_path):
    """The default path (MiniLM embedding, `stick-gen generate` to GIF and MP4) never imports them."""
    from stick_gen.model.checkpoint import save_training_checkpoint

    model = tiny_transformer(text_encoder="minilm-l6-v2/lift1024-v1")
    checkpoint = save_training_checkpoint(tmp_path / "best_model.pt", model)
    script = BLOCK + (
        "from stick_gen.inference.text_encoder import load_text_encoder\n"
        "vectors = load_text_encoder('minilm').encode(['A person walks forward and waves'])\n"
        "assert tuple(vectors.shape) == (1, 1024), vectors.shape\n"
        "from stick_gen.cli import main\n"
        f"for out in ('walk.gif', 'walk.mp4'):\n"
        f"    assert main(['generate', 'A person walks forward and waves', '-o', out, '--checkpoint', "
        f"{str(checkpoint)!r}, '--seed', '0']) == 0\n"
        "assert 'transformers' not in [m.split('.')[0] for m in sys.modules if sys.modules[m] is not None]\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert (tmp_path / "walk.gif").stat().st_size > 0 and (tmp_path / "walk.mp4").stat().st_size > 0


@pytest.fixture
def logged_out_hub(tmp_path):
    """A local Hub, huggingface_hub pointed at it with an empty HF_HOME and no HF_TOKEN."""
    with LocalHub(tmp_path / "hub", users=users()) as server, hub_environment(server, tmp_path / "hf-home"):
        yield tmp_path / "hf-home"


def test_stick_gen_login_stores_the_token_and_never_prints_it(logged_out_hub, capsys):
    assert main(["login", "--whoami"]) == 1
    assert "not logged in: run `stick-gen login`" in capsys.readouterr().err
    assert main(["login", "--token", BOT_TOKEN]) == 0
    out = capsys.readouterr()
    assert "logged in as your-username" in out.out and BOT_TOKEN not in out.out + out.err
    assert BOT_TOKEN in (logged_out_hub / "token").read_text()  # where `hf auth login` keeps it
    assert main(["login", "--whoami"]) == 0
    assert capsys.readouterr().out == "your-username\n"


def test_stick_gen_login_reads_a_piped_token(logged_out_hub, monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(OTHER_TOKEN + "\n"))
    assert main(["login"]) == 0
    out = capsys.readouterr()
    assert "logged in as someone-else" in out.out and OTHER_TOKEN not in out.out + out.err


@pytest.mark.parametrize("argv, stdin, message", [
    (["login", "--token", "hf_not0a0real0token0abcdefghijklmnopq"], "",
     "error: logging in failed: the Hub refused the token (401 Unauthorized)"),
    (["login"], "", "error: no token given: paste the token from https://huggingface.co/settings/tokens"),
    (["login", "--token", "   "], "", "error: no token given"),
])
def test_stick_gen_login_failures_are_one_line(logged_out_hub, monkeypatch, capsys, argv, stdin, message):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err
    assert "hf_not0a0real0token" not in err
    assert not (logged_out_hub / "token").exists()
