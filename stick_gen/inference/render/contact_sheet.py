"""The contact sheet: one PNG with a cell per clip, its motion as a fading trail (the 64 actions at a glance).

>>> render_contact_sheet([("walk", walk_frames), ("jump", jump_frames)], "sheet.png")  # doctest: +SKIP
PosixPath('sheet.png')
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence, Tuple

import numpy as np

from ...model.errors import GenerationError
from ...model.pose import HIP_X, POSE_DIM, X_SLOTS
from ..animation import Animation, PathLike, atomic_output
from .camera import body_heights, fit_view, world_bounds
from .raster import GROUND, TEXT, FrameDrawer, palette_image, put_text, ink_index

TRAIL_SPAN = 2.0
"""Most body heights a contact-sheet trail spreads over; longer travel is scaled down to it."""


def render_contact_sheet(
    clips: Sequence[Tuple[str, np.ndarray]],
    path: PathLike,
    columns: int = 8,
    frames_per_clip: int = 6,
    cell: int = 160,
) -> Path:
    """Write a grid PNG with one cell per ``(title, frames [T, A, 20])`` clip, its motion as a fading trail.

    Each cell overlays ``frames_per_clip`` evenly spaced poses, the earliest palest, under the title;
    it is made to look at all action classes at once.

    >>> render_contact_sheet(list(examples.items()), "docs/actions_contact_sheet.png")  # doctest: +SKIP
    """
    if not clips:
        raise GenerationError("render_contact_sheet needs at least one (title, frames) clip; got none")
    if not 1 <= columns <= 64 or not 1 <= frames_per_clip <= 32 or not 48 <= cell <= 1024:
        raise GenerationError(
            f"columns must be 1..64, frames_per_clip 1..32 and cell 48..1024 pixels; "
            f"got columns={columns}, frames_per_clip={frames_per_clip}, cell={cell}"
        )
    font_px = max(9, round(cell / 14))
    title_h = font_px + font_px // 2 + 4
    columns = min(columns, len(clips))
    rows = math.ceil(len(clips) / columns)
    sheet = np.full((rows * (cell + title_h) + rows + 1, columns * cell + columns + 1), ink_index(GROUND, 2), np.uint8)
    for k, (title, frames) in enumerate(clips):
        poses = np.asarray(frames, dtype=np.float32)
        if poses.ndim == 2:
            poses = poses[:, None, :]
        if poses.ndim != 3 or poses.shape[-1] != POSE_DIM or poses.shape[0] < 1 or not np.all(np.isfinite(poses)):
            raise GenerationError(
                f"clip {k} ({title!r}) must be finite frames [T, A, {POSE_DIM}] or [T, {POSE_DIM}]; "
                f"got shape {poses.shape}"
            )
        top = 1 + (k // columns) * (cell + title_h + 1)
        left = 1 + (k % columns) * (cell + 1)
        cell_indices = _trail_cell(str(title), poses, frames_per_clip, cell, font_px, title_h)
        sheet[top : top + title_h + cell, left : left + cell] = cell_indices
    target = Path(path)
    with atomic_output(target) as tmp:
        palette_image(sheet).save(tmp, format="PNG", optimize=False)
    return target


def _trail_cell(title: str, poses: np.ndarray, count: int, cell: int, font_px: int, title_h: int) -> np.ndarray:
    """One contact-sheet cell: title above, then ``count`` poses overlaid with a still camera.

    When an actor travels further than :data:`TRAIL_SPAN` body heights, everyone's travel from their
    start is scaled down by the same factor, so a 10 s walk still shows its poses large enough to
    read, in the order they happen.
    """
    picks = np.unique(np.linspace(0, len(poses) - 1, count).round().astype(int))
    trail = poses[picks].astype(np.float64)  # (n, A, 20)
    travel = trail[:, :, HIP_X] - trail[:1, :, HIP_X]  # (n, A) each actor's hip x from its start
    span, limit = float(np.ptp(travel, axis=0).max()), TRAIL_SPAN * float(body_heights(poses).max())
    if span > limit:
        trail[..., list(X_SLOTS)] -= (travel * (1 - limit / span))[:, :, None]
    anim = Animation(trail, np.zeros(trail.shape[:2], np.int64), ("clip",), fps=25, prompt=title)
    drawer = FrameDrawer(anim, (cell, cell), caption=False)
    # One still view for the whole cell: the union of every picked frame's bounds.
    left, right, bottom, top = world_bounds(anim.frames, drawer.heights)
    x0, y0, mpp = fit_view(
        np.array([left.min()]), np.array([right.max()]), np.array([bottom.min()]), np.array([top.max()]),
        float(drawer.heights.max()), (cell, cell),
    )
    drawer.x0, drawer.y0, drawer.mpp = (np.repeat(value, len(picks)) for value in (x0, y0, mpp))
    canvas = np.zeros((cell, cell), np.uint8)
    drawer._draw_ground(canvas, 0)
    strengths = np.linspace(0.3, 1.0, len(picks)) if len(picks) > 1 else np.ones(1)
    for i, strength in enumerate(strengths):
        for actor in range(anim.num_actors):
            drawer.draw_actor(canvas, i, actor, anim.frames[i, actor], strength=round(float(strength), 2))
    out = np.zeros((title_h + cell, cell), np.uint8)
    out[title_h:] = canvas
    put_text(out, title, 3, 2, TEXT, font_px, cell - 6)
    return out

