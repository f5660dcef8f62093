"""Model time of a 60-s animation with a 4-entry timeline against one 10-s clip (small model, CPU).

Goal: the 60-s timeline takes at most 6x one 10-s clip. Both are measured in the same process with the
same untrained small model (model time does not depend on the weights) and the text already encoded,
as medians of interleaved runs, so the ratio holds on a busy machine where absolute times move.

    python bench/bench_timeline.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

from stick_gen.inference.clauses import encode_prompts  # noqa: E402
from stick_gen.inference.sampler import sample_scenes, sample_windows  # noqa: E402
from stick_gen.inference.text_encoder import load_text_encoder  # noqa: E402
from stick_gen.inference.timeline import entry_frames, parse_timeline, plan_windows  # noqa: E402
from stick_gen.model.transformer import StickFigureTransformer  # noqa: E402

TIMELINE = "0: a man walks to the right; 15: he sits down; 30: he stands up and waves; 45: he jumps up and down"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = StickFigureTransformer(text_encoder="minilm-l6-v2/lift1024-v1").eval()
    encoder = load_text_encoder("minilm")
    entries = parse_timeline(TIMELINE)
    vectors = encode_prompts(encoder, [e.prompt for e in entries], model.max_clauses)
    one = encode_prompts(encoder, [entries[0].prompt], model.max_clauses)
    windows = plan_windows(entry_frames(entries, 1500, 25), 1500, 250)

    def clip():
        sample_scenes(model, one, [1], [0])

    def long():
        sample_windows(model, vectors, windows, 1500, 1, 0)

    clip(), long()  # warm up
    clips, longs = [], []
    with torch.inference_mode():
        for _ in range(args.repeats):
            for fn, out in ((clip, clips), (long, longs)):
                start = time.perf_counter()
                fn()
                out.append(time.perf_counter() - start)
    c, g = statistics.median(clips), statistics.median(longs)
    print(machine())
    print(f"one 10-s clip: {c * 1e3:.0f} ms; 60-s timeline ({len(entries)} entries, {len(windows)} windows): "
          f"{g * 1e3:.0f} ms; ratio {g / c:.2f} (goal <= 6)")


if __name__ == "__main__":
    main()
