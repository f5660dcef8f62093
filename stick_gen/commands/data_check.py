"""Check that the action classes of a dataset are distinguishable from motion alone.

Trains a small classifier on the train split's single-action segments (motion features only, no
text) and scores it on the test split, whose combinations and phrasings training never saw. Exits
non-zero when the macro accuracy over the classes is below --min-accuracy (default 0.9).

example:
  stick-gen data-check --data data/stick-gen
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="DIR", help="dataset directory (from `stick-gen data`)")
    parser.add_argument("--min-accuracy", type=float, default=0.9, help="macro accuracy to pass (default 0.9)")
    parser.add_argument("--epochs", type=int, default=40, help="classifier training epochs (default 40)")
    parser.add_argument("--seed", type=int, default=0, help="classifier seed (default 0)")


def run(args: argparse.Namespace) -> int:
    from ..evaluation.data_check import run_data_check

    report = run_data_check(args.data, epochs=args.epochs, seed=args.seed)
    print(report.format())
    passed = report.macro_accuracy >= args.min_accuracy
    print(f"{'PASS' if passed else 'FAIL'}: macro accuracy {report.macro_accuracy:.3f} "
          f"{'>=' if passed else '<'} {args.min_accuracy:.2f}")
    return 0 if passed else 1
