"""Helpers shared by the studio tests (no tests here): a small trained model, published-style, for the
``small_model`` and ``studio`` fixtures in conftest.py.

The model is the tiny test config trained for real (hashing text encoder, a few seconds), saved as a
``save_pretrained`` folder with a model card (``model-index`` metrics) and a ``VERSION`` file, as a
published bundle has them, so the model panel has everything to show.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

CARD = """---
library_name: stick-gen
license: mit
model-index:
- name: stick-gen-tiny-test
  results:
  - task: {type: text-to-video, name: Text-to-motion generation}
    dataset: {type: stick-gen-procedural, name: stick-gen procedural motion, split: test}
    metrics:
    - {type: fid, name: FID, value: 0.053029}
    - {type: action_accuracy, name: Action Accuracy, value: 14.593781}
    - {type: r_precision_top3, name: R-precision (top-3), value: 0.565}
---
# stick-gen tiny (test model)
"""
VERSION = "1.2.3"


def chromium_path() -> str:
    """Debian's chromium, or a skip that says how to get it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("no chromium on this machine: apt-get install chromium chromium-driver (.ci/run does)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install '.[test]'")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def train_small_model(data: Path, root: Path) -> Path:
    """The tiny config trained for real on ``data``, saved under ``root`` with a card and a VERSION: the folder."""
    from stick_gen.model.checkpoint import load_model
    from stick_gen.resources import load_yaml, resource_path
    from stick_gen.training.config import parse_config
    from stick_gen.training.train import train

    config = load_yaml(resource_path("configs", "tiny.yaml").read_text())
    config["data"]["path"] = str(data)
    config["training"].update(max_steps=12, eval_every=12, save_every=12)
    best = train(parse_config(config), root / "ckpt", progress=False).best_path
    model, _ = load_model(best)
    folder = root / "model"
    model.save_pretrained(folder)
    (folder / "README.md").write_text(CARD, encoding="utf-8")
    (folder / "VERSION").write_text(VERSION + "\n")
    return folder
