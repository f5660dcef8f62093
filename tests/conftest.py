"""Fixtures every test module may use: small real models and datasets, a bundle-like ``src/`` tree, a local
Hub and a repository-like checkout for the publishing tests, and a trained model served by the studio."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Iterator, Tuple

import pytest

import stick_gen
from stick_gen.inference.text_encoder import HASHING_IDENTITY
from stick_gen.testing.local_hub import LocalHub, hub_environment

from .push_support import BOT_TOKEN, REPO_ROOT, users
from .studio_support import free_port, train_small_model
from .support import tiny_transformer

PACKAGE = Path(stick_gen.__file__).resolve().parent


@pytest.fixture
def tiny_model():
    """The tests' tiny StickFigureTransformer (:func:`tests.support.tiny_transformer`), fixed weights."""
    return tiny_transformer()


@pytest.fixture(scope="session")
def untrained_checkpoint(tmp_path_factory) -> Path:
    """The tiny model, untrained, saved as a training checkpoint that records the hashing text encoder.

    Shared by every test of the session: read it, never write beside it."""
    from stick_gen.model.checkpoint import save_training_checkpoint

    model = tiny_transformer(text_encoder=HASHING_IDENTITY)
    return save_training_checkpoint(tmp_path_factory.mktemp("untrained") / "best_model.pt", model)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    """A real dataset of 120 scenes split 60/12/48: enough to train the tiny config, and a test split with
    more than 32 different texts for the retrieval metrics. Shared by the session; tests that write into a
    dataset copy it first."""
    from stick_gen.data_gen.dataset import write_dataset

    return write_dataset(tmp_path_factory.mktemp("data") / "tiny", 120, seed=0, splits=(0.5, 0.1, 0.4),
                         progress=False)


@pytest.fixture
def src_tree(tmp_path, monkeypatch):
    """A directory laid out like a published bundle (``src/model``, ...) put first on ``sys.path``."""
    root = tmp_path / "bundle"
    for part in ("model", "inference", "data_gen"):
        if (PACKAGE / part).is_dir():
            shutil.copytree(PACKAGE / part, root / "src" / part, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.syspath_prepend(str(root))
    for name in [m for m in sys.modules if m == "src" or m.startswith("src.")]:
        monkeypatch.delitem(sys.modules, name)
    return root


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[LocalHub]:
    """A local Hub; the client in this process (and its children) points at it with the publishing bot's token."""
    with LocalHub(tmp_path / "hub", users=users()) as server, \
            hub_environment(server, tmp_path / "hf-home", token=BOT_TOKEN):
        yield server


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory for a test: laid out like the repository root, without its checkpoints."""
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("scripts", "push_to_huggingface.py", "model_cards", "configs"):
        (root / name).symlink_to(REPO_ROOT / name)
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="module")
def small_model(tiny_data, tmp_path_factory) -> Path:
    """The tiny config trained for real and saved like a published folder (card, VERSION): the folder."""
    pytest.importorskip("gradio", reason="the studio needs gradio: pip install '.[studio]'")
    return train_small_model(tiny_data, tmp_path_factory.mktemp("studio-model"))


@pytest.fixture(scope="module")
def studio(small_model) -> Iterator[Tuple[str, object]]:
    """``(url, Studio)`` of a studio serving ``small_model`` on a free loopback port, for the whole module."""
    from stick_gen.studio.app import Studio, build_app, launch
    from stick_gen.studio.models import ModelSource

    server = Studio(ModelSource.local(str(small_model)))
    app = build_app(server)
    url = launch(app, "127.0.0.1", free_port(), block=False)
    try:
        yield url, server
    finally:
        app.close()
        server.workspace.remove()
