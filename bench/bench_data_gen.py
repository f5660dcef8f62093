"""Benchmark the procedural data: scenes per second on one core, and a full write to disk.

    python bench/bench_data_gen.py                 # 1000 scenes in memory, 500 written to disk
    python bench/bench_data_gen.py --scenes 3000 --write 2000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402

from stick_gen.data_gen.dataset import write_dataset  # noqa: E402
from stick_gen.data_gen.scenes import generate_scene  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=1000, help="scenes generated in memory")
    parser.add_argument("--write", type=int, default=500, help="scenes written with write_dataset (0: skip)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core, as the target says
    for i in range(20):  # warm up imports and caches
        generate_scene(np.random.default_rng([1, i]))
    start, cpu_start = time.perf_counter(), time.process_time()
    actors = 0
    for i in range(args.scenes):
        actors += generate_scene(np.random.default_rng([0, 0, i])).num_actors
    gen_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    print(machine())
    # CPU time is what one core delivers; wall time also counts other processes sharing the machine
    print(f"generate_scene: {args.scenes / cpu_s:7.1f} scenes per CPU second ({args.scenes / gen_s:.1f}/s wall), "
          f"{1000 * cpu_s / args.scenes:.2f} ms/scene, {actors / args.scenes:.2f} actors/scene, one thread")
    if args.write:
        with tempfile.TemporaryDirectory() as tmp:
            start, cpu_start = time.perf_counter(), time.process_time()
            root = write_dataset(Path(tmp) / "bench", args.write, seed=0, progress=False)
            write_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
            size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2 ** 20
        print(f"write_dataset:  {args.write / cpu_s:7.1f} scenes per CPU second ({args.write / write_s:.1f}/s wall), "
              f"{size:.1f} MiB for {args.write} scenes")


if __name__ == "__main__":
    main()
