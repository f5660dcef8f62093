"""The following camera: body sizes, what each frame must show, and a smooth view that contains it.

Every renderer (pixels, SVG, Lottie, OpenPose) frames a clip the same way: the per-frame bounds of
everything drawn are smoothed over ~1.2 s by an envelope that never cuts into them, so the camera
moves calmly and nobody walks out of the picture.

>>> import numpy as np
>>> frames = np.zeros((25, 1, 20)); frames[..., 1::2] = 1.0
>>> x0, y0, mpp = follow_camera(frames, body_heights(frames), fps=25, view=(64, 64))
>>> x0.shape
(25,)
"""

from __future__ import annotations

from typing import Tuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...model.pose import HEAD_RADIUS, JOINT_SLOTS, JOINTS, X_SLOTS, Y_SLOTS


def body_heights(frames: np.ndarray) -> np.ndarray:
    """Standing height (m) of each actor ``[A]`` estimated from poses ``[T, A, 20]``.

    Torso plus the longer leg is the body below the neck; the head adds ``2 * HEAD_RADIUS`` of the
    height. The 90th percentile over frames ignores crouches (a bent knee shortens hip-to-foot).

    >>> import numpy as np
    >>> pose = np.array([0, 1.5, 0, .95,  0, .95, 0, 0,  0, .95, 0, 0,  0, 1.5, -.2, 1,  0, 1.5, .2, 1])
    >>> round(float(body_heights(pose[None, None])[0]), 2)  # (0.55 torso + 0.95 leg) / 0.85
    1.76
    """
    joints = joint_positions(frames)
    neck, hip, left_foot, right_foot = (
        joints[..., JOINTS.index(name), :] for name in ("neck", "hip", "left_foot", "right_foot")
    )
    torso = np.linalg.norm(neck - hip, axis=-1)
    leg = np.maximum(np.linalg.norm(left_foot - hip, axis=-1), np.linalg.norm(right_foot - hip, axis=-1))
    heights = np.percentile((torso + leg) / (1 - 2 * HEAD_RADIUS), 90, axis=0)
    return np.where(np.isfinite(heights) & (heights > 0.3), np.minimum(heights, 4.0), 1.75)


def joint_positions(frames: np.ndarray) -> np.ndarray:
    """Joint positions ``[..., 6, 2]`` in :data:`JOINTS` order (numpy twin of ``pose.pose_to_joints``).

    >>> joint_positions(np.arange(20.0))[JOINTS.index("hip")].tolist()
    [2.0, 3.0]
    """
    return np.asarray(frames, dtype=np.float64)[..., [list(JOINT_SLOTS[name]) for name in JOINTS]]


def _envelope(values: np.ndarray, radius: int, lower: bool) -> np.ndarray:
    """A smooth curve that never crosses ``values``: running min (or max) then running mean, same window.

    Every frame inside the mean's window has the frame itself inside its min window, so the mean of
    those minima is still at most the value: the camera stays smooth and still contains everyone.
    """
    if radius < 1 or len(values) < 2:
        return values.astype(np.float64)
    radius = min(radius, len(values))  # a wider window sees nothing more (the padding repeats the ends)
    width = 2 * radius + 1
    padded = np.pad(values.astype(np.float64), radius, mode="edge")
    windows = sliding_window_view(padded, width)
    extreme = windows.min(axis=1) if lower else windows.max(axis=1)
    return sliding_window_view(np.pad(extreme, radius, mode="edge"), width).mean(axis=1)


def world_bounds(frames: np.ndarray, heights: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Per-frame ``(left, right, bottom, top)`` in metres of everything drawn, margins and ground included."""
    frames = np.asarray(frames, dtype=np.float64)
    tallest = float(heights.max())
    head_r = HEAD_RADIUS * heights  # (A,)
    neck_x, neck_y = frames[..., JOINT_SLOTS["neck"][0]], frames[..., JOINT_SLOTS["neck"][1]]  # (T, A)
    xs, ys = frames[..., list(X_SLOTS)], frames[..., list(Y_SLOTS)]  # (T, A, 10)
    left = np.minimum(xs.min(axis=(1, 2)), (neck_x - head_r).min(axis=1)) - 0.15 * tallest
    right = np.maximum(xs.max(axis=(1, 2)), (neck_x + head_r).max(axis=1)) + 0.15 * tallest
    top = np.maximum(ys.max(axis=(1, 2)), (neck_y + 2 * head_r).max(axis=1)) + 0.12 * tallest
    bottom = np.minimum(ys.min(axis=(1, 2)), 0.0) - 0.15 * tallest
    return left, right, bottom, top


def fit_view(
    left: np.ndarray, right: np.ndarray, bottom: np.ndarray, top: np.ndarray, tallest: float, view: Tuple[int, int]
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera ``(x0, y0, metres_per_pixel)`` per frame: world ``(x0, y0)`` at the viewport's bottom left."""
    view_w, view_h = view
    height_m = np.maximum(top - bottom, 1.45 * tallest)
    mpp = np.maximum((right - left) / view_w, height_m / view_h)
    x0 = (left + right) / 2 - mpp * view_w / 2
    # Spare height goes half above and half below, so far-apart actors sit mid-frame, not at the foot.
    y0 = np.minimum(bottom, (bottom + top) / 2 - mpp * view_h / 2)
    return x0, y0, mpp


def follow_camera(
    frames: np.ndarray, heights: np.ndarray, fps: int, view: Tuple[int, int]
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame ``(x0, y0, metres_per_pixel)``: the bounds of :func:`world_bounds` smoothed over ~1.2 s."""
    left, right, bottom, top = world_bounds(frames, heights)
    radius = max(1, round(0.6 * fps))
    return fit_view(
        _envelope(left, radius, lower=True),
        _envelope(right, radius, lower=False),
        _envelope(bottom, radius, lower=True),
        _envelope(top, radius, lower=False),
        float(heights.max()),
        view,
    )
