"""Small helpers shared by the benchmark scripts: timing and a machine description."""

from __future__ import annotations

import os
import platform
import statistics
import time
from datetime import date
from typing import Callable

import torch


def machine() -> str:
    """One line naming the machine, torch and the date, for docs/PERFORMANCE.md."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"{date.today().isoformat()}")


def median_seconds(fn: Callable[[], object], repeats: int = 20, warmup: int = 3) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def model_and_baseline(variant):
    """A published variant in eval mode, a bare ``nn.TransformerEncoder`` of the same width, depth, heads
    and FFN, and inputs for both: ``(model, bare, (text, z), tokens)``."""
    from stick_gen.model.transformer import StickFigureTransformer

    model = StickFigureTransformer(d_model=variant.d_model, nhead=variant.nhead, num_layers=variant.num_layers).eval()
    layer = torch.nn.TransformerEncoderLayer(variant.d_model, variant.nhead, variant.dim_feedforward, 0.0,
                                             activation="gelu", batch_first=True, norm_first=True)
    bare = torch.nn.TransformerEncoder(layer, variant.num_layers, enable_nested_tensor=False).eval()
    tokens = torch.randn(1, model.num_tokens, variant.d_model)
    return model, bare, (torch.randn(1, 1024), torch.rand(1, 16)), tokens
