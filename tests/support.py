"""Plain helpers the test modules import (the fixtures are in conftest.py)."""

from __future__ import annotations

import torch

from stick_gen.model.transformer import StickFigureTransformer

TINY_SHAPE = {"d_model": 64, "nhead": 4, "num_layers": 2, "dim_feedforward": 128}
"""The tests' tiny model: no published variant, about 200K parameters, quick on a CPU."""


def tiny_transformer(seed: int = 0, **overrides) -> StickFigureTransformer:
    """The tiny model with weights fixed by ``seed``, in eval mode; ``overrides`` change any constructor argument.

    >>> tiny_transformer(text_encoder="hashing-1024-v1").config["d_model"]
    64
    >>> tiny_transformer(num_layers=1, objective="regression").clock
    False
    """
    torch.manual_seed(seed)
    return StickFigureTransformer(**{**TINY_SHAPE, **overrides}).eval()


def reloaded_without(model: StickFigureTransformer, key: str, folder) -> StickFigureTransformer:
    """``model`` saved with ``save_pretrained`` into ``folder``, ``key`` dropped from its config.json (as a
    folder saved before the key existed), and loaded back."""
    import json
    from pathlib import Path

    model.save_pretrained(folder)
    path = Path(folder) / "config.json"
    config = json.loads(path.read_text())
    del config[key]
    path.write_text(json.dumps(config))
    return StickFigureTransformer.from_pretrained(str(folder))
