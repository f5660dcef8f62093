"""One example clip per action class, and the contact sheet that shows them all at once.

>>> clips = action_clips(seed=0)
>>> len(clips)
64
>>> write_contact_sheet("docs/actions_contact_sheet.png")
PosixPath('docs/actions_contact_sheet.png')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Tuple, Union

import numpy as np

from ..model.pose import HIP_X, X_SLOTS
from .actions import ACTIONS
from .scenes import generate_scene


def _busiest_window(poses: np.ndarray, length: int) -> int:
    """Start frame of the ``length``-frame window where the body moves most (relative to the hip)."""
    if len(poses) <= length:
        return 0
    body = poses.copy()
    body[:, list(X_SLOTS)] -= poses[:, HIP_X : HIP_X + 1]
    energy = np.abs(np.diff(body, axis=0)).sum(axis=1)
    totals = np.convolve(energy, np.ones(length - 1), mode="valid")
    return int(np.argmax(totals))


def action_clips(seed: int = 0, window: int = 95) -> List[Tuple[str, np.ndarray]]:
    """``(action, poses [window, 1, 20])`` for every action: a generated single-actor scene, cut to
    its busiest ``window`` frames (so a one-off move such as sitting down is in view)."""
    clips = []
    for i, name in enumerate(ACTIONS):
        scene = generate_scene(np.random.default_rng([seed, i]), num_actors=1, actions=[name])
        start = _busiest_window(scene.poses[:, 0], window)
        clips.append((name, scene.poses[start : start + window]))
    return clips


def write_contact_sheet(path: Union[str, os.PathLike], seed: int = 0, columns: int = 8, frames_per_clip: int = 6) -> Path:
    """Render :func:`action_clips` as one PNG grid (``inference.render.render_contact_sheet``)."""
    from ..inference.render import render_contact_sheet

    return Path(render_contact_sheet(action_clips(seed), path, columns=columns, frames_per_clip=frames_per_clip))
