"""Where one training step of a config goes: batch, forward + losses, backward, clipping, optimizer.

Runs the step `stick-gen train` runs (`training.train.training_batch` and `compute_losses` on the config's
own dataset, no validation, no checkpoints) for a few steps after a warm-up and prints each phase's share
and the samples per second. `--set` changes config values, so tokens per clip and batch sizes can be
compared in one sitting (the machine's speed moves between sittings; compare ratios, not seconds).

    python bench/bench_train_step.py                      # demo_out/data if `make demo` made it, else 400 new scenes
    python bench/bench_train_step.py --config configs/demo.yaml --data demo_out/data
    python bench/bench_train_step.py --config configs/demo.yaml --data demo_out/data --no-variant \\
        --set model.frames_per_token=25 --set model.dim_feedforward=896 --set training.batch_size=64
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict

import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

from stick_gen.data_gen.dataset import read_meta, write_dataset  # noqa: E402
from stick_gen.inference.text_encoder import load_text_encoder  # noqa: E402
from stick_gen.resources import load_yaml  # noqa: E402
from stick_gen.training.config import parse_config  # noqa: E402
from stick_gen.training.data import feature_statistics  # noqa: E402
from stick_gen.training.train import (compute_losses, initial_model, make_optimizer, model_rows,  # noqa: E402
                                      training_batch)

PHASES = ("batch", "forward+losses", "backward", "clip", "optimizer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="configs/demo.yaml")
    parser.add_argument("--data", help="dataset folder (default: demo_out/data, else the config's data.path, "
                        "else --scenes new scenes in a temporary folder)")
    parser.add_argument("--scenes", type=int, default=400, help="scenes to make when there is no dataset")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override a config value (YAML), e.g. training.batch_size=32")
    parser.add_argument("--no-variant", action="store_true",
                        help="drop the config's variant, so model sizes may differ from the variant table")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    raw = load_yaml(Path(args.config).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or next((p for p in ("demo_out/data", raw.get("data", {}).get("path"))
                                  if p and (Path(p) / "meta.json").is_file()), None)
        if data is None:
            print(f"no dataset: making {args.scenes} scenes (--data DIR uses one)")
            data = write_dataset(Path(tmp) / "data", args.scenes, seed=0, progress=False)
        raw.setdefault("data", {})["path"] = str(data)
        run(args, raw)


def run(args: argparse.Namespace, raw: Dict) -> None:
    """Time ``args.steps`` training steps of the config ``raw`` (its data.path set)."""
    for item in args.set:
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        if not name:
            sys.exit(f"--set {item!r}: write SECTION.KEY=VALUE, e.g. training.batch_size=32")
        raw.setdefault(section, {})[name] = yaml.safe_load(value)
    if args.no_variant:
        raw.pop("variant", None)
    config = parse_config(raw, source=args.config)
    tc, root = config.training, Path(config.data.path)
    if not (root / "meta.json").is_file():
        sys.exit(f"{root}: no dataset there (no meta.json); make one with `stick-gen data --output {root}`")

    encoder = load_text_encoder(config.text_encoder)
    model, _ = initial_model(config, None, encoder.identity, read_meta(root).get("actions"))
    layout = model.feature_layout
    rows = model_rows(root, "train", encoder, model, config, wordings=True)
    mean, std = feature_statistics(rows.features)
    model.feature_mean.copy_(mean)
    model.feature_std.copy_(std)
    rows.features = (rows.features - mean) / std
    objective = model.config.get("objective", "regression")
    optimizer = make_optimizer(model, tc.learning_rate, tc.weight_decay)
    model.train()
    seconds: Dict[str, float] = dict.fromkeys(PHASES, 0.0)

    def step(number: int) -> None:
        marks = [time.perf_counter()]
        batch = training_batch(rows, number, tc, objective=objective, mean=mean, std=std, fps=config.data.fps,
                               layout=layout)
        marks.append(time.perf_counter())
        losses, _ = compute_losses(model, batch, tc.loss_weights, objective)
        marks.append(time.perf_counter())
        losses["loss"].backward()
        marks.append(time.perf_counter())
        if tc.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        marks.append(time.perf_counter())
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        marks.append(time.perf_counter())
        for name, start, end in zip(PHASES, marks, marks[1:]):
            seconds[name] += end - start

    for number in range(args.warmup):
        step(number)
    seconds.update(dict.fromkeys(PHASES, 0.0))
    start = time.perf_counter()
    for number in range(args.warmup, args.warmup + args.steps):
        step(number)
    wall = time.perf_counter() - start
    print(machine())
    print(f"{' '.join([args.config, *args.set])}: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters, "
          f"{model.config.get('frames_per_token')} frames per token, batch {tc.batch_size}")
    print(f"{wall / args.steps * 1000:.1f} ms a step, {args.steps * tc.batch_size / wall:.1f} samples/s")
    for name in PHASES:
        print(f"  {name:15s} {seconds[name] / args.steps * 1000:7.1f} ms  {seconds[name] / wall:5.1%}")


if __name__ == "__main__":
    main()
