"""Arguments shared by `train` and `finetune`."""

from __future__ import annotations

import argparse


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="YAML config (e.g. configs/small.yaml)")
    parser.add_argument("--resume", action="store_true", help="continue exactly from OUTPUT/latest.pt")
    parser.add_argument("--data", help="dataset directory (overrides data.path; made if missing)")
    parser.add_argument("--max-steps", type=int, help="override training.max_steps")
    parser.add_argument("--batch-size", type=int, help="override training.batch_size (the global batch)")
    parser.add_argument("--time-limit", type=float, metavar="MINUTES", help="stop (saving latest) after MINUTES")
    parser.add_argument("--seed", type=int, help="override training.seed")
    parser.add_argument("--stop-after", type=int, metavar="STEP",
                        help="stop at STEP as if interrupted (saves latest; --resume continues)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs still go to metrics.jsonl)")
    parser.add_argument("--mixed-precision", choices=("no", "fp16", "bf16"),
                        help="autocast dtype; wins over `accelerate launch --mixed_precision` and its config "
                             "(default: theirs, else bf16 on a GPU that supports it, else no)")
    parser.add_argument("--log-with", choices=("tensorboard",),
                        help="override training.log_with: also log to OUTPUT/tensorboard (pip install tensorboard)")


def apply_overrides(config, args: argparse.Namespace):
    """Command-line values win over the config file's."""
    if args.data:
        config.data.path = args.data
    if args.max_steps is not None:
        config.training.max_steps = args.max_steps
    if args.batch_size is not None:
        config.training.batch_size = args.batch_size
    if args.time_limit is not None:
        config.training.time_limit_minutes = args.time_limit
    if args.seed is not None:
        config.training.seed = args.seed
    if args.log_with is not None:
        config.training.log_with = args.log_with
    return config
