"""Planted feet: the last step of generation, after motion features become world poses.

The network predicts each foot relative to the hip and the hip's speed separately, and nothing in a
per-value loss asks the two to cancel while a foot is on the ground, so generated feet slide
(measured: 10x the real clips' foot skating). :func:`plant_feet` cleans that up in two passes, on
what the model made and nothing else:

1. **No gliding on two planted feet.** While both feet are on the ground (below
   :data:`~..model.pose.FOOT_CONTACT_HEIGHT`), the hip moves only as the feet push it: its speed
   becomes minus the feet's mean speed relative to the hip, blended in smoothly (over the last
   :data:`CONTACT_BLEND_M` of foot height). A standing figure stops drifting; a walker, whose feet
   sweep back under the hip, keeps its pace.
2. **A planted foot stays put.** Each run of frames a foot spends on the ground pins its x at the
   run's mean, as far as the leg (never longer than the clip's own longest leg) reaches from the
   hip; the offset this makes fades out over :data:`FADE_FRAMES` airborne frames before and after the
   run, so the foot lands and lifts off without a jump.

Heights, the pose relative to the hip (but for the pinned feet) and the action labels are untouched.
``docs/design.md`` ("Planted feet") has the measurements: foot skating from 10x real to half of real,
jitter within 1.1x real, Action Accuracy on the motion within its noise (-0.3 points on the whole
test split).

>>> import torch
>>> from stick_gen.model.pose import JOINT_SLOTS
>>> poses = torch.zeros(1, 50, 20)
>>> poses[..., 1] = poses[..., 3] = 0.9   # neck and hip high, feet on the ground, hands at 0
>>> poses[..., JOINT_SLOTS["left_foot"][0]] = torch.linspace(0, 0.5, 50)   # the left foot slides 50 cm
>>> planted = plant_feet(poses)
>>> float(planted[0, :, JOINT_SLOTS["left_foot"][0]].std()) < 1e-6
True
"""

from __future__ import annotations

from typing import List, Optional, Tuple, Union

import numpy as np
import torch

from ..model.pose import DEFAULT_FPS, FOOT_CONTACT_HEIGHT, HIP_X, HIP_Y, JOINT_SLOTS, features_to_pose, pose_to_features

FADE_FRAMES = 4
"""Airborne frames over which a planted foot's offset fades in before landing and out after lift-off."""

CONTACT_BLEND_M = 0.005
"""Width (m) of the band below the contact height over which "on the ground" fades in smoothly."""

FEET = (JOINT_SLOTS["left_foot"], JOINT_SLOTS["right_foot"])


def ground_runs(touching: np.ndarray) -> List[Tuple[int, int]]:
    """``(first, last)`` frame of every run of ``True`` in a 1-D mask.

    >>> ground_runs(np.array([0, 1, 1, 0, 1], bool))
    [(1, 2), (4, 4)]
    """
    padded = np.concatenate([[False], touching.astype(bool), [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def _down_weight(height: torch.Tensor, contact_height: float) -> torch.Tensor:
    """1 at or below ``contact_height - CONTACT_BLEND_M``, 0 at or above ``contact_height``, smooth between."""
    u = ((contact_height - height) / CONTACT_BLEND_M).clamp(0.0, 1.0)
    return u * u * (3 - 2 * u)


def hip_from_planted_feet(poses: torch.Tensor, fps: int = DEFAULT_FPS, contact_height: float = FOOT_CONTACT_HEIGHT,
                          known: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Poses ``(..., T, 20)`` whose hip, while both feet are down, moves as minus the feet's speed relative to it.

    The blend weight (:func:`_down_weight` of the higher foot) is 0 on the ``known`` frames ``(T,)``;
    everything but the world x of the body (all x move with the hip) is unchanged. The first frame stays
    where it was.

    >>> glide = torch.zeros(1, 30, 20); glide[..., [1, 3]] = 0.9          # standing, feet on the ground
    >>> glide[..., 0::2] += torch.linspace(0, 0.6, 30)[:, None]             # ... gliding 60 cm to the right
    >>> round(float(hip_from_planted_feet(glide)[0, -1, HIP_X]), 3)
    0.0
    """
    features = pose_to_features(poses, fps=fps)
    (lx, ly), (rx, ry) = FEET
    relative = features[..., [lx, rx]]  # (..., T, 2) feet x from the hip
    speed = torch.zeros_like(relative)
    speed[..., 1:, :] = (relative[..., 1:, :] - relative[..., :-1, :]) * fps
    speed[..., 0, :] = speed[..., 1, :]
    both_down = _down_weight(torch.maximum(features[..., ly], features[..., ry]), contact_height)
    if known is not None:
        both_down = both_down * (~torch.as_tensor(known, dtype=torch.bool)).to(both_down.dtype)
    features[..., HIP_X] = both_down * -speed.mean(dim=-1) + (1 - both_down) * features[..., HIP_X]
    return features_to_pose(features, fps=fps, start_x=poses[..., 0, HIP_X])


def pin_feet(poses: np.ndarray, contact_height: float = FOOT_CONTACT_HEIGHT, fade: int = FADE_FRAMES,
             known: Optional[np.ndarray] = None) -> np.ndarray:
    """A copy of ``poses`` ``(N, T, 20)`` with every foot's x held still while it touches the ground.

    A run of ground frames is pinned at its mean x; frames marked ``known`` ``(T,)`` (a joined start or
    end pose) are not changed, the other frames of their run are pinned where the nearest known frame
    has the foot, and a run within ``fade`` frames of known ones is pinned where it comes nearest them.

    >>> p = np.zeros((1, 6, 20), np.float32); p[..., 3] = 0.9; p[0, :, 6] = [0, 0, .1, .2, .3, .4]
    >>> [round(float(v), 2) for v in pin_feet(p)[0, :, 6]]
    [0.17, 0.17, 0.17, 0.17, 0.17, 0.17]
    """
    out = np.array(poses, dtype=np.float32, copy=True)
    fixed = np.zeros(out.shape[1], bool) if known is None else np.asarray(known, bool)
    fade_in_out = 0.5 + 0.5 * np.cos(np.pi * np.arange(1, fade + 1) / (fade + 1))  # near 1 -> near 0
    for clip in out:
        hip_x, hip_y = clip[:, HIP_X].copy(), clip[:, HIP_Y]
        for x_slot, y_slot in FEET:
            x, y = clip[:, x_slot].copy(), clip[:, y_slot]
            touching = y < contact_height
            longest = float(np.hypot(x - hip_x, y - hip_y).max())
            reach = np.sqrt(np.clip(longest ** 2 - (y - hip_y) ** 2, 0.0, None))
            offset = np.zeros_like(x)
            for first, last in ground_runs(touching):
                span = slice(first, last + 1)
                held = first + np.flatnonzero(fixed[span])
                if len(held):
                    frames = np.arange(first, last + 1)
                    nearest = held[np.abs(frames[:, None] - held[None, :]).argmin(axis=1)]
                    target = x[nearest]
                elif fixed[max(0, first - fade):first].any():  # lands right after a joined pose: no room to fade in
                    target = x[first]
                elif fixed[last + 1:last + 1 + fade].any():  # ... or lifts off right before one
                    target = x[last]
                else:
                    target = x[span].mean()
                pinned = np.clip(target, hip_x[span] - reach[span], hip_x[span] + reach[span])
                offset[span] = np.where(fixed[span], 0.0, pinned - x[span])
                for k in range(fade):  # airborne neighbours only; a neighbouring run keeps its own pin
                    if first - 1 - k >= 0 and not (touching[first - 1 - k] or fixed[first - 1 - k]):
                        offset[first - 1 - k] += offset[first] * fade_in_out[k]
                    if last + 1 + k < len(x) and not (touching[last + 1 + k] or fixed[last + 1 + k]):
                        offset[last + 1 + k] += offset[last] * fade_in_out[k]
            clip[:, x_slot] = x + offset
    return out


def plant_feet(poses: Union[np.ndarray, torch.Tensor], fps: int = DEFAULT_FPS,
               contact_height: float = FOOT_CONTACT_HEIGHT,
               known: Optional[Union[np.ndarray, torch.Tensor]] = None) -> Union[np.ndarray, torch.Tensor]:
    """World poses ``(N, T, 20)`` with no gliding on planted feet and no sliding planted foot (module docstring).

    ``known`` ``(T,)`` marks frames to keep as they are (the poses of a joined start or end animation).
    Returns the type it was given (a tensor keeps its dtype and device).
    """
    tensor = isinstance(poses, torch.Tensor)
    p = poses.detach().cpu().float() if tensor else torch.from_numpy(np.asarray(poses, dtype=np.float32))
    if p.ndim != 3 or p.shape[-1] != 20:
        raise ValueError(f"plant_feet takes poses (clips, frames, 20); got shape {tuple(p.shape)}")
    if p.shape[1] < 2:
        return poses
    if known is not None:
        known = np.asarray(known.cpu() if isinstance(known, torch.Tensor) else known, dtype=bool)
        if known.shape != (p.shape[1],):
            raise ValueError(f"known has shape {known.shape}; give one flag per frame, ({p.shape[1]},)")
    hip = hip_from_planted_feet(p, fps, contact_height, None if known is None else torch.from_numpy(known))
    planted = pin_feet(hip.numpy(), contact_height, known=known)
    if tensor:
        return torch.from_numpy(planted).to(dtype=poses.dtype, device=poses.device)
    return planted
