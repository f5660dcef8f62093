"""Forward time of each variant (batch 1, one 250-frame clip, CPU) against a bare nn.TransformerEncoder.

The baseline has the same width, depth, heads and FFN size and runs on the same 50 frame tokens
the model uses (5 frames per token), in the same process. Goal: ratio <= 1.15.

    python bench/bench_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, median_seconds, model_and_baseline  # noqa: E402

from stick_gen.model.variants import VARIANTS  # noqa: E402


def main() -> None:
    print(machine())
    print(f"{'variant':>7} {'params':>8} {'model ms':>9} {'bare ms':>8} {'ratio':>6}")
    for v in VARIANTS.values():
        model, bare, (text, z), tokens = model_and_baseline(v)
        with torch.inference_mode():
            t_model = median_seconds(lambda: model(text, z))
            t_bare = median_seconds(lambda: bare(tokens))
        print(f"{v.name:>7} {model.num_parameters() / 1e6:7.2f}M {t_model * 1e3:9.2f} {t_bare * 1e3:8.2f} "
              f"{t_model / t_bare:6.2f}")


if __name__ == "__main__":
    main()
