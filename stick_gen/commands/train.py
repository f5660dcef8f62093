"""Train a model from text and procedural motion (pretraining).

Writes OUTPUT/best_model.pt (best on the validation split), OUTPUT/latest.pt (every save_every
steps; --resume continues from it), OUTPUT/metrics.jsonl and OUTPUT/loss_curves.png. Runs the same
under `accelerate launch` or `torchrun` for several GPUs or nodes (DDP).

examples:
  stick-gen train --config configs/demo.yaml --output checkpoints/
  stick-gen train --config configs/small.yaml --output checkpoints/ --best-name small_model.pt
  torchrun --nproc_per_node 4 -m stick_gen.cli train --config configs/large.yaml --output checkpoints/large
  accelerate launch --mixed_precision bf16 -m stick_gen.cli train --config configs/large.yaml --output checkpoints/large
  stick-gen train --config configs/tiny.yaml --output checkpoints/tiny --log-with tensorboard   # OUTPUT/tensorboard
"""

from __future__ import annotations

import argparse

from ._training_args import add_common, apply_overrides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--output", default="checkpoints", help="output directory (default: checkpoints)")
    parser.add_argument("--best-name", help="file name of the best checkpoint (default: best_model.pt)")


def run(args: argparse.Namespace) -> int:
    from ..training.config import load_config
    from ..training.train import train

    config = apply_overrides(load_config(args.config), args)
    result = train(config, args.output, resume=args.resume, best_name=args.best_name, progress=not args.no_progress,
                   stop_after=args.stop_after, mixed_precision=args.mixed_precision)
    print(f"best validation loss {result.best_val_loss:.4f} -> {result.best_path}")
    print(f"latest (step {result.step}) -> {result.latest_path}; curves -> {result.output_dir / 'loss_curves.png'}")
    return 0
