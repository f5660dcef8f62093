"""``make demo``: the main job, end to end, offline.

For now: build each published variant, save it with ``save_pretrained``, load it back and
check the outputs match, and print the parameter counts against the variant table.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch

from .model.transformer import StickFigureTransformer
from .model.variants import VARIANTS


def run_variants_demo(out_dir: Path) -> None:
    """Build, save and reload each variant; print its size against the published figure."""
    for variant in VARIANTS.values():
        model = StickFigureTransformer(
            input_dim=20, d_model=variant.d_model, nhead=variant.nhead, num_layers=variant.num_layers,
            output_dim=20, embedding_dim=1024, num_actions=64,
        ).eval()
        target = out_dir / variant.name
        model.save_pretrained(target)
        loaded = StickFigureTransformer.from_pretrained(target)
        text, z = torch.randn(1, 1024), torch.rand(1, 16)
        same = torch.equal(model(text, z).motion, loaded(text, z).motion)
        n = model.num_parameters()
        print(f"{variant.name:>6}: {n / 1e6:6.2f}M parameters (published {variant.params_label}, "
              f"{(n / variant.params - 1) * 100:+.1f}%), saved to {target}, reload identical: {same}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="stick-gen-demo-") as tmp:
        run_variants_demo(Path(tmp))


if __name__ == "__main__":
    main()
