"""Benchmark the exports: seconds to write a 10-s clip (250 frames) as SVG, Lottie, OpenPose and BVH.

Goal: each export <= 0.5 s. Best of --repeats runs, through save_animation exactly as `stick-gen render`
calls it; wall-clock and CPU seconds (process time: on a shared, busy machine the wall clock mostly
measures the other jobs).

    python bench/bench_exports.py                 # one walker, 250 frames, 384 px
    python bench/bench_exports.py --actors 2 --size 512
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench_render import walking_animation
from common import machine

from stick_gen.inference.render import save_animation

EXPORTS = (("svg", "bench.svg", {}), ("lottie", "bench.json", {}), ("openpose", "bench.openpose", {}),
           ("openpose + PNGs", "bench_images.openpose", {"images": True}), ("bvh", "bench.bvh", {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=250)
    parser.add_argument("--actors", type=int, default=1)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=5, help="best of this many runs")
    args = parser.parse_args()
    anim = walking_animation(args.frames, args.actors)
    print(machine())
    print(f"{args.frames} frames, {args.actors} actor(s), {args.size}x{args.size} px, best of {args.repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, options in EXPORTS:
            target = Path(tmp) / name
            times, cpu = [], []
            for _ in range(args.repeats):
                shutil.rmtree(target, ignore_errors=True)  # an OpenPose folder is never written over
                start, start_cpu = time.perf_counter(), time.process_time()
                save_animation(anim, target, size=args.size, **options)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            files = list(target.iterdir()) if target.is_dir() else [target]
            kib = sum(f.stat().st_size for f in files) / 1024
            print(f"{label:16s} wall {min(times):6.3f} s (median {sorted(times)[len(times) // 2]:.3f} s), "
                  f"CPU {min(cpu):6.3f} s; {len(files)} file(s), {kib:.0f} KiB")


if __name__ == "__main__":
    main()
