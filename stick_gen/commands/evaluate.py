"""Evaluate a checkpoint on a dataset split: Pose MSE, Temporal Consistency, Action Accuracy, Physics MSE, R-precision, FID, ...

Generates motion from text alone for every row of the split and prints the model's metrics beside
the same numbers for real motion, with 95% intervals; writes them as JSON (see docs/metrics.md).
The first run on a dataset trains a small text/motion evaluator on its train split (a minute or two
on a 2-core CPU) and caches it as DATA/evaluator-<encoder>.pt.

examples:
  stick-gen evaluate --checkpoint checkpoints/best_model.pt --split test --output metrics.json
  stick-gen evaluate --checkpoint checkpoints/best_model.pt --data data/stick-gen --output metrics.json
  stick-gen evaluate --checkpoint checkpoints/small_model.pt --data data/stick-gen --num-samples 200 --repeats 3
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="checkpoint file or save_pretrained directory")
    parser.add_argument("--data", help="dataset folder made by `stick-gen data` (default: the one the checkpoint "
                                       "was trained on)")
    parser.add_argument("--split", default="test", help="split to evaluate: train, val or test (default: test)")
    parser.add_argument("--output", default="metrics.json", help="JSON file to write (default: metrics.json)")
    parser.add_argument("--num-samples", type=int, help="evaluate only the first N rows of the split")
    parser.add_argument("--repeats", type=int, default=5,
                        help="prior draws of z per row, for the intervals of R-precision, FID, ... (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first prior draw (default 0)")
    parser.add_argument("--batch-size", type=int, default=64, help="rows generated per forward pass (default 64)")
    parser.add_argument("--evaluator-steps", type=int,
                        help="retrain the text/motion evaluator with this many steps unless the cached one "
                             "has them (default: reuse the cached evaluator, or train one with 800)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from ..evaluation.evaluate import evaluate, format_table
    from ..evaluation.evaluator import EvaluatorConfig

    config = None if args.evaluator_steps is None else EvaluatorConfig(steps=args.evaluator_steps)
    result = evaluate(args.checkpoint, args.data, args.split, num_samples=args.num_samples, repeats=args.repeats,
                      seed=args.seed, batch_size=args.batch_size, evaluator_config=config, output=args.output,
                      progress=not args.no_progress)
    print(format_table(result))
    print(f"metrics -> {args.output} ({result['seconds']:.1f} s)")
    return 0
