"""Training throughput per variant on this machine, and model FLOPs utilisation (MFU).

MFU = (model FLOPs per sample x samples/s) / measured fp32 matmul peak of the same machine, in the same
run. Model FLOPs per sample = 6 x (parameters in matrix multiplies) x tokens + attention
(12 x layers x tokens^2 x d_model), the usual forward + backward count. Goal on CPU: >= 70%.
On a GPU the step runs under bf16 autocast (as `stick-gen train` does there) and the peak is the
bf16 matmul peak.

    python bench/bench_train.py [--batch 16] [--steps 6]
    python bench/bench_train.py --device cuda --batch 256 --steps 30
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

from stick_gen.model.transformer import StickFigureTransformer  # noqa: E402
from stick_gen.model.variants import VARIANTS  # noqa: E402
from stick_gen.training.config import LossWeights  # noqa: E402
from stick_gen.training.machine import _sync, matmul_speed  # noqa: E402
from stick_gen.training.train import compute_losses, make_optimizer  # noqa: E402


def model_flops_per_sample(model: StickFigureTransformer) -> float:
    tokens, d = model.num_tokens, model.config["d_model"]
    matmul_params = sum(p.numel() for n, p in model.named_parameters()
                        if p.ndim == 2 and ("blocks" in n or "head" in n))
    per_token = 6 * matmul_params
    attention = 12 * model.config["num_layers"] * tokens * tokens * d
    return per_token * tokens + attention


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--device", default="cpu", help="cpu (fp32) or cuda (bf16 autocast)")
    args = parser.parse_args()
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    print(machine() + (f", {torch.cuda.get_device_name(device)}" if gpu else ""))
    n, dtype = (8192, torch.bfloat16) if gpu else (2048, torch.float32)
    peak = matmul_speed(n, device=args.device, dtype=dtype, best=True)
    print(f"{str(dtype).split('.')[-1]} matmul peak ({n}^3): {peak:.0f} GFLOP/s")
    print(f"{'variant':>7} {'samples/s':>10} {'GFLOP/sample':>13} {'GFLOP/s':>8} {'MFU':>6}")
    for v in VARIANTS.values():
        model = StickFigureTransformer(d_model=v.d_model, nhead=v.nhead, num_layers=v.num_layers,
                                       dropout=0.0).to(device)
        optimizer = make_optimizer(model, 1e-4, device=device)
        b = args.batch
        batch = {"text_embedding": torch.randn(b, 1024), "latents": torch.rand(b, 16),
                 "slot": torch.zeros(b, dtype=torch.long), "num_actors": torch.ones(b, dtype=torch.long),
                 "features": torch.randn(b, 250, 20), "actions": torch.randint(0, 64, (b, 250))}
        batch = {k: t.to(device) for k, t in batch.items()}

        def step() -> None:
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=gpu):
                losses, _ = compute_losses(model, batch, LossWeights())
            losses["loss"].backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

        step()
        step()
        _sync(device)
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        _sync(device)
        rate = b * args.steps / (time.perf_counter() - start)
        flops = model_flops_per_sample(model)
        achieved = rate * flops / 1e9
        print(f"{v.name:>7} {rate:10.1f} {flops / 1e9:13.2f} {achieved:8.0f} {achieved / peak:6.0%}")


if __name__ == "__main__":
    main()
