"""Shared fixtures: small real models and a bundle-like ``src/`` tree for the spec's snippets."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import torch

import stick_gen

PACKAGE = Path(stick_gen.__file__).resolve().parent


@pytest.fixture
def tiny_model():
    """A very small StickFigureTransformer with fixed weights (not a published variant)."""
    from stick_gen.model.transformer import StickFigureTransformer

    torch.manual_seed(0)
    return StickFigureTransformer(d_model=64, nhead=4, num_layers=2, dim_feedforward=128).eval()


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
