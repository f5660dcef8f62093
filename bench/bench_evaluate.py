"""How long `stick-gen evaluate` takes: evaluator training (once per dataset), then one evaluation.

    python bench/bench_evaluate.py --data data/demo                          # untrained small model
    python bench/bench_evaluate.py --data data/demo --checkpoint checkpoints/best_model.pt --num-samples 500

Without --data it writes a 1200-scene dataset to a temporary folder first. The first evaluation of a
dataset trains the text/motion evaluator (timed separately); the second reuses it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from common import machine, median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="dataset folder (default: write a temporary 1200-scene one)")
    parser.add_argument("--checkpoint", help="checkpoint to evaluate (default: an untrained model of --variant)")
    parser.add_argument("--variant", default="small", help="variant of the untrained model (default small)")
    parser.add_argument("--text-encoder", default="minilm", help="encoder of the untrained model (default minilm)")
    parser.add_argument("--num-samples", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-evaluate-") as scratch:
        run(args, Path(scratch))


def run(args: argparse.Namespace, scratch: Path) -> None:
    """Time two evaluations and the generation alone; ``scratch`` holds what the bench writes."""
    from stick_gen.data_gen.dataset import write_dataset
    from stick_gen.evaluation.evaluate import evaluate, format_table, generate_rows, load_checked_model, load_split
    from stick_gen.inference.text_encoder import load_text_encoder, resolve_encoder_identity
    from stick_gen.model.checkpoint import save_training_checkpoint
    from stick_gen.model.pose import HIP_X
    from stick_gen.model.transformer import StickFigureTransformer
    from stick_gen.model.variants import get_variant

    data = Path(args.data) if args.data else write_dataset(scratch / "data", 1200, seed=0, progress=False)
    checkpoint = args.checkpoint
    if checkpoint is None:
        variant = get_variant(args.variant)
        torch.manual_seed(0)
        model = StickFigureTransformer(d_model=variant.d_model, nhead=variant.nhead, num_layers=variant.num_layers,
                                       text_encoder=resolve_encoder_identity(args.text_encoder))
        checkpoint = save_training_checkpoint(scratch / f"untrained-{variant.name}.pt", model)

    print(machine())
    timings = []
    for attempt in ("first (trains or loads the evaluator)", "second (cached evaluator)"):
        start = time.perf_counter()
        result = evaluate(checkpoint, data, "test", num_samples=args.num_samples, repeats=args.repeats,
                          batch_size=args.batch_size, progress=False)
        timings.append((attempt, time.perf_counter() - start, result))
    for attempt, seconds, result in timings:
        cached = result["evaluator"]["cached"]
        trained = "" if cached else f", of which evaluator training {result['evaluator']['train_seconds']:.1f} s"
        print(f"evaluate, {attempt}: {seconds:.1f} s{trained}")
    print(format_table(timings[-1][2]))

    model, _, identity = load_checked_model(checkpoint)
    rows = load_split(data, "test", load_text_encoder(identity), args.num_samples)
    start_x = rows.poses[:, 0, HIP_X]
    seconds = median_seconds(lambda: generate_rows(model, rows.text_embeddings, rows.latents, rows.slot,
                                                   rows.num_actors, start_x, args.batch_size), repeats=3, warmup=1)
    print(f"generation: {len(rows) / seconds:.0f} clips/s ({len(rows)} clips in {seconds:.2f} s, "
          f"batch {args.batch_size}, {torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
