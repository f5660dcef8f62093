"""The pose layout: the one place that says what the 20 numbers of a frame mean.

A frame holds one actor's pose as five straight segments, each ``(x1, y1, x2, y2)``
in metres, y up, the ground at ``y = 0``, x to the right::

    index  segment     from   -> to
    0..3   torso       neck   -> hip
    4..7   left_leg    hip    -> left_foot
    8..11  right_leg   hip    -> right_foot
    12..15 left_arm    neck   -> left_hand
    16..19 right_arm   neck   -> right_hand

The head is not stored: renderers draw it above the neck (:data:`HEAD_RADIUS` of the
body height). Six joints carry the pose; the hip and the neck appear three times each.
:func:`canonicalize` makes the copies agree.

The network does not predict world coordinates directly. It predicts *motion features*
(:func:`pose_to_features`): the same 20 slots, with every x measured from that frame's hip,
and the hip's own x slot replaced by the hip's horizontal speed in m/s. Predicting speed
rather than position keeps small errors from turning into metres of drift.

>>> import torch
>>> poses = torch.zeros(250, POSE_DIM)
>>> feats = pose_to_features(poses, fps=25)
>>> torch.allclose(features_to_pose(feats, fps=25), poses)
True
"""

from __future__ import annotations

from typing import Dict, Tuple, TypeVar, Union

import numpy as np
import torch

POSE_LAYOUT_VERSION = 1
"""Bumped whenever the meaning of the 20 values changes; stored in every checkpoint and config."""

POSE_DIM = 20
DEFAULT_FPS = 25
DEFAULT_FRAMES = 250

SEGMENTS: Tuple[Tuple[str, str, str], ...] = (
    ("torso", "neck", "hip"),
    ("left_leg", "hip", "left_foot"),
    ("right_leg", "hip", "right_foot"),
    ("left_arm", "neck", "left_hand"),
    ("right_arm", "neck", "right_hand"),
)
"""``(segment, start joint, end joint)`` in storage order."""

JOINTS: Tuple[str, ...] = ("neck", "hip", "left_foot", "right_foot", "left_hand", "right_hand")

JOINT_SLOTS: Dict[str, Tuple[int, int]] = {
    "neck": (0, 1),
    "hip": (2, 3),
    "left_foot": (6, 7),
    "right_foot": (10, 11),
    "left_hand": (14, 15),
    "right_hand": (18, 19),
}
"""Where each joint's canonical ``(x, y)`` is read from."""

X_SLOTS: Tuple[int, ...] = tuple(range(0, POSE_DIM, 2))
Y_SLOTS: Tuple[int, ...] = tuple(range(1, POSE_DIM, 2))
HIP_X, HIP_Y = JOINT_SLOTS["hip"]

FOOT_CONTACT_HEIGHT = 0.025
"""A foot touches the ground when its y is below this, in metres (2.5 cm); the foot-skating metric, the
training's foot-contact term and the planted-feet step of generation all read it here."""

HEAD_RADIUS = 0.075
"""Head radius as a fraction of body height; renderers centre the head this far above the neck."""

Array = TypeVar("Array", np.ndarray, torch.Tensor)


def segment_slots(segment: str) -> slice:
    """Slice of the 20 values holding ``segment``.

    >>> segment_slots("left_arm")
    slice(12, 16, None)
    """
    names = [name for name, _, _ in SEGMENTS]
    if segment not in names:
        raise KeyError(f"unknown segment {segment!r}; segments are {names}")
    start = 4 * names.index(segment)
    return slice(start, start + 4)


def _as_tensor(x: Union[np.ndarray, torch.Tensor]) -> Tuple[torch.Tensor, bool]:
    if isinstance(x, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), True
    return x, False


def _back(x: torch.Tensor, was_numpy: bool) -> Union[np.ndarray, torch.Tensor]:
    return x.numpy() if was_numpy else x


def joints_to_pose(joints: Array) -> Array:
    """Build poses ``(..., 20)`` from joint positions ``(..., 6, 2)`` ordered as :data:`JOINTS`.

    >>> joints_to_pose(np.zeros((3, 6, 2))).shape
    (3, 20)
    """
    j, was_numpy = _as_tensor(joints)
    idx = {name: i for i, name in enumerate(JOINTS)}
    parts = [torch.cat([j[..., idx[a], :], j[..., idx[b], :]], dim=-1) for _, a, b in SEGMENTS]
    return _back(torch.cat(parts, dim=-1), was_numpy)


def pose_to_joints(poses: Array) -> Array:
    """Joint positions ``(..., 6, 2)`` (order :data:`JOINTS`) read from the canonical slots."""
    p, was_numpy = _as_tensor(poses)
    out = torch.stack([p[..., list(JOINT_SLOTS[name])] for name in JOINTS], dim=-2)
    return _back(out, was_numpy)


def canonicalize(poses: Array) -> Array:
    """Make the repeated hip and neck copies equal to their canonical slots (torso segment).

    >>> p = np.arange(20, dtype=np.float32)
    >>> canonicalize(p)[4:6].tolist()  # left leg starts at the hip (slots 2, 3)
    [2.0, 3.0]
    """
    return joints_to_pose(pose_to_joints(poses))


FEATURE_LAYOUTS = ("hip", "chain", "rest")
"""How motion features measure the joints: ``hip`` (every x from the hip, every y from the ground),
``chain`` (as ``hip``, but the neck's y from the hip and the hands from the neck, along the body's chain) or
``rest`` (as ``hip``, but the feet's heights and the hip's speed on a scale that is finest near zero,
:data:`REST_SCALES`, so that a planted foot and a body at rest take up more of the network's range)."""
REST_SCALES = {JOINT_SLOTS["left_foot"][1]: 0.05, JOINT_SLOTS["right_foot"][1]: 0.05, HIP_X: 0.5}
"""``slot -> s`` of the ``rest`` layout: the value ``v`` is stored as ``s * asinh(v / s)`` (about ``v`` below ``s``,
logarithmic above)."""
_NECK_Y_SLOTS = tuple(segment_slots(name).start + 1 for name, start, _ in SEGMENTS if start == "neck")
"""The neck's y wherever a segment stores it as its start (the torso and both arms: slots 1, 13, 17)."""
_HAND_SLOTS = (JOINT_SLOTS["left_hand"], JOINT_SLOTS["right_hand"])


def _check_layout(layout: str) -> None:
    if layout not in FEATURE_LAYOUTS:
        raise ValueError(f"feature layout {layout!r}: choose one of {', '.join(FEATURE_LAYOUTS)}")


def pose_to_features(poses: Array, fps: int = DEFAULT_FPS, layout: str = "hip") -> Array:
    """World poses ``(..., T, 20)`` -> motion features: x relative to the hip, hip x as speed (m/s).

    The speed at frame 0 repeats frame 1's, so a clip's first frame needs no predecessor. ``layout``
    ``chain`` measures the neck's height from the hip and the hands from the neck, ``rest`` stores the feet's
    heights and the hip's speed finest near zero (:data:`FEATURE_LAYOUTS`).

    >>> pose_to_features(torch.zeros(1, 3, POSE_DIM), layout="rest").shape
    torch.Size([1, 3, 20])
    """
    _check_layout(layout)
    p, was_numpy = _as_tensor(poses)
    hip_x = p[..., HIP_X : HIP_X + 1]  # (..., T, 1)
    feats = p.clone()
    feats[..., list(X_SLOTS)] = p[..., list(X_SLOTS)] - hip_x
    speed = torch.zeros_like(hip_x)
    if p.shape[-2] > 1:
        speed[..., 1:, :] = (hip_x[..., 1:, :] - hip_x[..., :-1, :]) * fps
        speed[..., 0, :] = speed[..., 1, :]
    feats[..., HIP_X] = speed[..., 0]
    if layout == "chain":
        neck_x, neck_y = feats[..., JOINT_SLOTS["neck"][0]].clone(), p[..., JOINT_SLOTS["neck"][1]]
        feats[..., list(_NECK_Y_SLOTS)] = p[..., list(_NECK_Y_SLOTS)] - p[..., HIP_Y : HIP_Y + 1]
        for x_slot, y_slot in _HAND_SLOTS:
            feats[..., x_slot] = feats[..., x_slot] - neck_x
            feats[..., y_slot] = p[..., y_slot] - neck_y
    if layout == "rest":
        for slot, scale in REST_SCALES.items():
            feats[..., slot] = scale * torch.asinh(feats[..., slot] / scale)
    return _back(feats, was_numpy)


def features_to_pose(features: Array, fps: int = DEFAULT_FPS, start_x: Union[float, Array] = 0.0,
                     layout: str = "hip") -> Array:
    """Motion features ``(..., T, 20)`` -> canonical world poses, the hip starting at ``start_x``.

    The hip's x integrates the predicted speed; every other x is placed relative to it, and the
    repeated hip/neck copies are taken from the torso slots. ``layout`` is the one the features were
    made with (:func:`pose_to_features`).
    """
    _check_layout(layout)
    f, was_numpy = _as_tensor(features)
    if layout == "chain":
        f = f.clone()
        neck_x = f[..., JOINT_SLOTS["neck"][0]]
        neck_y = f[..., JOINT_SLOTS["neck"][1]] + f[..., HIP_Y]
        for x_slot, y_slot in _HAND_SLOTS:
            f[..., x_slot] = f[..., x_slot] + neck_x
            f[..., y_slot] = f[..., y_slot] + neck_y
        f[..., list(_NECK_Y_SLOTS)] = f[..., list(_NECK_Y_SLOTS)] + f[..., HIP_Y : HIP_Y + 1]
    if layout == "rest":
        f = f.clone()
        for slot, scale in REST_SCALES.items():
            f[..., slot] = scale * torch.sinh(f[..., slot] / scale)
    speed = f[..., HIP_X]  # (..., T)
    steps = speed[..., 1:] / fps
    hip_x = torch.cat([torch.zeros_like(speed[..., :1]), torch.cumsum(steps, dim=-1)], dim=-1)
    start = torch.as_tensor(start_x, dtype=f.dtype)
    hip_x = hip_x + (start[..., None] if start.ndim else start)
    poses = f.clone()
    poses[..., HIP_X] = 0.0
    poses[..., list(X_SLOTS)] = poses[..., list(X_SLOTS)] + hip_x[..., None]
    return _back(canonicalize(poses), was_numpy)
