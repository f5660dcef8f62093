"""How fast this machine multiplies matrices right now: the yardstick beside a training run's step count.

A run limited by wall time (the demo's 15 minutes) reaches more or fewer steps as the machine is quicker
or busier, and its results follow the steps. Training records :func:`matmul_speed` when it starts and when
it stops (``metrics.jsonl``, ``"split": "machine"``), so two runs' step counts can be read against the
machines they ran on.

>>> speed = matmul_speed(n=64, repeats=3)
>>> speed > 0
True
"""

from __future__ import annotations

import statistics
import time

import torch


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_speed(n: int = 1024, repeats: int = 10, device: str = "cpu", dtype: torch.dtype = torch.float32,
                 best: bool = False) -> float:
    """GFLOP/s of an ``n x n`` matrix product in ``dtype`` on ``device``: the median of ``repeats`` timed products
    (what the machine gives now, busy or not), or the fastest with ``best`` (its peak).

    >>> matmul_speed(n=32, repeats=2, best=True) >= matmul_speed(n=32, repeats=2) / 100
    True
    """
    dev = torch.device(device)
    a, b = torch.randn(n, n, device=dev, dtype=dtype), torch.randn(n, n, device=dev, dtype=dtype)
    a @ b  # warm-up: the first product pays for allocations and thread start-up
    times = []
    for _ in range(repeats):
        _sync(dev)
        start = time.perf_counter()
        a @ b
        _sync(dev)
        times.append(max(time.perf_counter() - start, 1e-9))
    seconds = min(times) if best else statistics.median(times)
    return 2 * n ** 3 / seconds / 1e9


def machine_record(step: int, moment: str, device: torch.device) -> dict:
    """The ``metrics.jsonl`` line that says how fast the machine was at ``moment`` (``start`` or ``end``).

    >>> sorted(machine_record(0, "start", torch.device("cpu")))
    ['device', 'matmul_gflops', 'moment', 'split', 'step', 'threads']
    """
    return {"split": "machine", "step": step, "moment": moment, "device": str(device),
            "threads": torch.get_num_threads(), "matmul_gflops": round(matmul_speed(device=str(device)), 1)}
