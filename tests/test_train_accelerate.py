"""Training follows accelerate: mixed precision from the flag or `accelerate launch`, a TensorBoard tracker,
and library messages through `logging`, run for real on the tiny config (a few CPU steps each)."""

from __future__ import annotations

import json
import re

import pytest

from stick_gen.cli import main
from stick_gen.model.checkpoint import load_checkpoint
from stick_gen.resources import resource_path

TINY = str(resource_path("configs", "tiny.yaml"))


def _train(tiny_data, out, *flags):
    return main(["train", "--config", TINY, "--output", str(out), "--data", str(tiny_data), "--no-progress",
                 "--max-steps", "2", *flags])


def test_mixed_precision_comes_from_accelerate_launch_unless_the_flag_says_otherwise(tiny_data, tmp_path,
                                                                                     monkeypatch):
    # what `accelerate launch --mixed_precision bf16` (or its config) sets for the script
    monkeypatch.setenv("ACCELERATE_MIXED_PRECISION", "bf16")
    assert _train(tiny_data, tmp_path / "launch") == 0
    assert load_checkpoint(tmp_path / "launch" / "best_model.pt").metadata["mixed_precision"] == "bf16"
    assert _train(tiny_data, tmp_path / "flag", "--mixed-precision", "no") == 0
    assert load_checkpoint(tmp_path / "flag" / "latest.pt").metadata["mixed_precision"] == "no"


def test_the_default_precision_on_cpu_is_fp32(tiny_data, tmp_path, monkeypatch):
    monkeypatch.delenv("ACCELERATE_MIXED_PRECISION", raising=False)
    from stick_gen.training.config import load_config
    from stick_gen.training.train import train

    config = load_config(TINY)
    config.data.path, config.training.max_steps = str(tiny_data), 2
    fp32 = train(config, tmp_path, progress=False)
    bf16 = train(config, tmp_path / "bf16", progress=False, mixed_precision="bf16")
    assert (fp32.mixed_precision, bf16.mixed_precision) == ("no", "bf16")
    assert fp32.history[0]["loss"] != bf16.history[0]["loss"]  # autocast really ran in bf16


def test_fp16_on_a_cpu_is_one_clear_line(tiny_data, tmp_path, capsys):
    assert _train(tiny_data, tmp_path, "--mixed-precision", "fp16") == 1
    err = capsys.readouterr().err
    assert err == "error: mixed precision fp16 (from --mixed-precision) needs a GPU; on cpu use bf16 or no\n"
    assert not (tmp_path / "best_model.pt").exists()


def test_tensorboard_gets_the_numbers_of_metrics_jsonl(tiny_data, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    assert _train(tiny_data, tmp_path, "--log-with", "tensorboard") == 0
    assert load_checkpoint(tmp_path / "best_model.pt").metadata["config"]["training"]["log_with"] == "tensorboard"
    events = EventAccumulator(str(tmp_path / "tensorboard")).Reload()
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    train_loss = [(r["step"], r["loss"]) for r in records if r["split"] == "train"]
    assert [(e.step, e.value) for e in events.Scalars("train/loss")] == [(s, pytest.approx(v)) for s, v in train_loss]
    assert "val/action_accuracy" in events.Tags()["scalars"]


def test_a_tracker_without_its_package_names_the_install(tiny_data, tmp_path, monkeypatch, capsys):
    import accelerate.utils

    monkeypatch.setattr(accelerate.utils, "is_tensorboard_available", lambda: False)
    assert _train(tiny_data, tmp_path, "--log-with", "tensorboard") == 1
    assert capsys.readouterr().err == ("error: training.log_with: tensorboard needs the tensorboard package: "
                                       "pip install tensorboard\n")


def test_library_messages_reach_the_terminal_and_the_logging_module(tiny_data, tmp_path, capsys, caplog):
    assert _train(tiny_data, tmp_path, "--stop-after", "1") == 0
    line = f"stopped at step 1 of 2; `--resume` continues from {tmp_path / 'latest.pt'}"
    err = capsys.readouterr().err
    messages = [r.getMessage() for r in caplog.records if r.name == "stick_gen.training.train"]
    assert messages[1:] == [line] and line + "\n" in err
    # first the machine's speed, the yardstick for the steps a time limit reaches (training/machine.py)
    assert re.fullmatch(r"cpu, \d+ threads: \d+ GFLOP/s \(fp32 matrix product, median\)", messages[0]), messages
    assert messages[0] + "\n" in err
