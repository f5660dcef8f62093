"""Judge a model on plain prompts by physics: walking travels, sitting lowers the hip, waving lifts a hand, ...

Generates each prompt of stick_gen/evaluation/prompt_checks.py with seeds 0..N-1 and measures one number
on the first actor's joints (metres, seconds) against the action's physical bound; the data generator's
own clips of the same action are measured beside it (they pass every check). Two prompts use wording no
training template uses. Prints a table; --output also writes the numbers as JSON.

examples:
  stick-gen check-prompts --checkpoint demo_out/checkpoints/best_model.pt
  stick-gen check-prompts --model GesturaAI/stick-gen-small --seeds 10 --output prompt_checks.json
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", metavar="PATH",
                        help="local checkpoint file or save_pretrained folder (never looked up on the Hub)")
    source.add_argument("--model", metavar="REPO_ID[@REVISION]", help="Hub repository, optionally @tag/branch/commit")
    parser.add_argument("--seeds", type=int, default=5, help="takes of each prompt, seeds 0..N-1 (default 5)")
    parser.add_argument("--output", help="also write the checks as JSON to this file")


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from ..errors import GenerationError
    from ..evaluation.prompt_checks import check_pipeline, format_checks
    from ..model.atomic import atomic_write
    from .generate import _load_pipeline

    if not 1 <= args.seeds <= 100:
        raise GenerationError(f"--seeds {args.seeds}: give 1 to 100 takes per prompt")
    pipe = _load_pipeline(args)
    records = check_pipeline(pipe, seeds=args.seeds)
    print(format_checks(records))
    passed = sum(r["passed"] for r in records)
    print(f"{passed} of {len(records) * args.seeds} takes pass (real motion: "
          f"{sum(r['real_passed'] for r in records)})")
    if args.output:
        text = json.dumps({"checks": records}, indent=2) + "\n"
        atomic_write(Path(args.output), lambda path: path.write_text(text, encoding="utf-8"))
        print(f"checks -> {args.output}")
    return 0
