"""Benchmark rendering: draw ms/frame, GIF and MP4 seconds for a 250-frame clip at 384x384.

    python bench/bench_render.py            # one walker, 250 frames, 384 px
    python bench/bench_render.py --actors 2 --frames 500 --size 512
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from stick_gen.inference.animation import Animation
from stick_gen.inference.render import FrameDrawer, render_gif, render_mp4
from stick_gen.model.pose import DEFAULT_FPS, joints_to_pose


def walking_frames(num_frames: int, num_actors: int = 1, fps: int = DEFAULT_FPS, speed: float = 1.4) -> np.ndarray:
    """Synthetic walkers ``[T, A, 20]`` from sine waves: legs and arms swing, the hip bobs and moves on."""
    t = np.arange(num_frames) / fps
    poses = []
    for actor in range(num_actors):
        phase = 2 * np.pi * 0.9 * t + actor
        direction = 1.0 if actor % 2 == 0 else -1.0
        hip_x = 2.0 * actor + direction * speed * t
        hip_y = 0.95 + 0.03 * np.cos(2 * phase)
        swing = 0.35 * np.sin(phase)
        joints = np.zeros((num_frames, 6, 2))  # neck, hip, left_foot, right_foot, left_hand, right_hand
        joints[:, 0] = np.stack([hip_x + 0.03 * direction, hip_y + 0.55], axis=1)
        joints[:, 1] = np.stack([hip_x, hip_y], axis=1)
        joints[:, 2] = np.stack([hip_x + swing * direction, np.maximum(0.0, 0.08 * np.sin(phase + 1.6))], axis=1)
        joints[:, 3] = np.stack([hip_x - swing * direction, np.maximum(0.0, -0.08 * np.sin(phase + 1.6))], axis=1)
        joints[:, 4] = np.stack([hip_x - 0.8 * swing * direction, hip_y + 0.05], axis=1)
        joints[:, 5] = np.stack([hip_x + 0.8 * swing * direction, hip_y + 0.05], axis=1)
        poses.append(joints_to_pose(joints.astype(np.float32)))
    return np.stack(poses, axis=1)


def walking_animation(num_frames: int = 250, num_actors: int = 1, fps: int = DEFAULT_FPS) -> Animation:
    """An :class:`Animation` of :func:`walking_frames` labelled 'walk'."""
    return Animation(
        walking_frames(num_frames, num_actors, fps),
        np.zeros((num_frames, num_actors), np.int64),
        ("walk",),
        fps=fps,
        prompt="a person walks to the right",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=250)
    parser.add_argument("--actors", type=int, default=1)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    anim = walking_animation(args.frames, args.actors)

    def best(fn) -> float:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    def draw_all() -> None:
        drawer = FrameDrawer(anim, args.size)
        for t in range(anim.num_frames):
            drawer.image(t)

    with tempfile.TemporaryDirectory() as tmp:
        draw_s = best(draw_all)
        gif_s = best(lambda: render_gif(anim, Path(tmp) / "bench.gif", size=args.size))
        mp4_s = best(lambda: render_mp4(anim, Path(tmp) / "bench.mp4", size=args.size))
        gif_kb = (Path(tmp) / "bench.gif").stat().st_size / 1024
        mp4_kb = (Path(tmp) / "bench.mp4").stat().st_size / 1024
    print(f"{args.frames} frames, {args.actors} actor(s), {args.size}x{args.size} px, best of {args.repeats}")
    print(f"draw  {1000 * draw_s / args.frames:6.3f} ms/frame")
    print(f"gif   {gif_s:6.3f} s   ({gif_kb:.0f} KiB)")
    print(f"mp4   {mp4_s:6.3f} s   ({mp4_kb:.0f} KiB)")


if __name__ == "__main__":
    main()
