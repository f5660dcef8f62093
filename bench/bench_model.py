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
from common import machine, median_seconds  # noqa: E402

from stick_gen.model.transformer import StickFigureTransformer  # noqa: E402
from stick_gen.model.variants import VARIANTS  # noqa: E402


def main() -> None:
    print(machine())
    print(f"{'variant':>7} {'params':>8} {'model ms':>9} {'bare ms':>8} {'ratio':>6}")
    for v in VARIANTS.values():
        model = StickFigureTransformer(d_model=v.d_model, nhead=v.nhead, num_layers=v.num_layers).eval()
        layer = torch.nn.TransformerEncoderLayer(v.d_model, v.nhead, v.dim_feedforward, 0.1, activation="gelu",
                                                 batch_first=True, norm_first=True)
        bare = torch.nn.TransformerEncoder(layer, v.num_layers, enable_nested_tensor=False).eval()
        text, z = torch.randn(1, 1024), torch.rand(1, 16)
        tokens = torch.randn(1, model.num_tokens, v.d_model)
        with torch.inference_mode():
            t_model = median_seconds(lambda: model(text, z))
            t_bare = median_seconds(lambda: bare(tokens))
        print(f"{v.name:>7} {model.num_parameters() / 1e6:7.2f}M {t_model * 1e3:9.2f} {t_bare * 1e3:8.2f} "
              f"{t_model / t_bare:6.2f}")


if __name__ == "__main__":
    main()
