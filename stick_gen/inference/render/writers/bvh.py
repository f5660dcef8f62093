"""BVH: the motion on a planar rig that Blender, Maya and MotionBuilder import.

The rig, in metres, y up, every joint in the picture plane (z = 0)::

    Hips (root: position)
      Spine -> Neck -> Head -> End Site (top of the head)
                    -> LeftShoulder -> LeftHand -> End Site
                    -> RightShoulder -> RightHand -> End Site
      LeftUpLeg -> LeftFoot -> End Site
      RightUpLeg -> RightFoot -> End Site

Spine, the shoulders and the upper legs turn about z (``Zrotation``) to point at the neck, a hand
or a foot. Stick-figure limbs are straight and a generated figure's segments need not keep one
length, so Neck, the hands and the feet also carry position channels: their distance along the
bone, frame by frame. BVH position channels give a joint's position in its parent's frame
(Blender and bvhio read them so), and the OFFSETs give the rest pose: the clip's median lengths,
arms and legs hanging straight down. Neck turns back by the spine's angle, so the head stands
upright above the neck as the other renderers draw it. Joint world positions reproduce the
``.motion`` joints to within a micrometre (6 decimals). Several actors become one hierarchy
under a still root ``Scene``, their joints prefixed ``A1_``, ``A2_``...

>>> render_bvh(anim, "walk.bvh")
PosixPath('walk.bvh')
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np

from ....model.pose import HEAD_RADIUS, JOINTS
from ...animation import Animation, PathLike, atomic_output
from ..camera import body_heights, joint_positions
from . import Size, playback_fps

DECIMALS = 6
POSITION = ("Xposition", "Yposition", "Zposition")
ROTATION = ("Zrotation", "Xrotation", "Yrotation")
LIMBS: Tuple[Tuple[str, str, str, str], ...] = (
    ("LeftShoulder", "LeftHand", "neck", "left_hand"),
    ("RightShoulder", "RightHand", "neck", "right_hand"),
    ("LeftUpLeg", "LeftFoot", "hip", "left_foot"),
    ("RightUpLeg", "RightFoot", "hip", "right_foot"),
)
"""``(turning joint, end joint, from, to)``: each limb is one straight bone from a pose joint to another."""
END_SITE_M = 0.05
"""Length of the little end bones past the hands and feet (they only give the last bones a direction)."""


def _angle(vector: np.ndarray, rest_up: bool) -> np.ndarray:
    """Z rotation in degrees ``[T]`` that turns the rest direction (+y or -y) towards ``vector`` ``[T, 2]``.

    Unwrapped over time, so a limb turning past straight up does not jump by 360 degrees between frames.
    """
    x, y = vector[:, 0], vector[:, 1]
    radians = np.arctan2(-x, y) if rest_up else np.arctan2(x, -y)
    return np.degrees(np.unwrap(radians))


class _Rig:
    """The hierarchy text and the per-frame channel columns of one actor, built together in one order."""

    def __init__(self, joints: np.ndarray, prefix: str) -> None:
        self.joints, self.prefix = joints, prefix  # joints (T, 6, 2)
        self.lines: List[str] = []
        self.columns: List[np.ndarray] = []
        self.zeros = np.zeros(len(joints))

    def point(self, name: str) -> np.ndarray:
        return self.joints[:, JOINTS.index(name)]

    def open(self, depth: int, kind: str, name: str, offset: Tuple[float, float], channels: Tuple[str, ...]) -> None:
        pad = "  " * depth
        self.lines += [f"{pad}{kind} {self.prefix}{name}", f"{pad}{{",
                       f"{pad}  OFFSET {offset[0]:.{DECIMALS}f} {offset[1]:.{DECIMALS}f} 0.000000",
                       f"{pad}  CHANNELS {len(channels)} {' '.join(channels)}"]

    def end_site(self, depth: int, offset: Tuple[float, float]) -> None:
        pad = "  " * depth
        self.lines += [f"{pad}End Site", f"{pad}{{", f"{pad}  OFFSET {offset[0]:.{DECIMALS}f} {offset[1]:.{DECIMALS}f} "
                       f"0.000000", f"{pad}}}"]

    def close(self, depth: int) -> None:
        self.lines.append("  " * depth + "}")

    def build(self, depth: int, kind: str, head_radius: float) -> None:
        """Append this actor's joints (hierarchy lines and channel columns) at ``depth``."""
        hip, neck = self.point("hip"), self.point("neck")
        z = self.zeros
        self.open(depth, kind, "Hips", (0.0, 0.0), POSITION + ROTATION)
        self.columns += [hip[:, 0], hip[:, 1], z, z, z, z]
        torso = neck - hip
        spine = _angle(torso, rest_up=True)
        self.open(depth + 1, "JOINT", "Spine", (0.0, 0.0), ROTATION)
        self.columns += [spine, z, z]
        length = np.linalg.norm(torso, axis=-1)
        self.open(depth + 2, "JOINT", "Neck", (0.0, float(np.median(length))), POSITION + ROTATION)
        self.columns += [z, length, z, -spine, z, z]  # turn back upright: the head and arms start level
        self.open(depth + 3, "JOINT", "Head", (0.0, head_radius), ROTATION)
        self.columns += [z, z, z]
        self.end_site(depth + 4, (0.0, head_radius))
        self.close(depth + 3)
        for limb in LIMBS[:2]:
            self.limb(depth + 3, *limb)
        self.close(depth + 2)
        self.close(depth + 1)
        for limb in LIMBS[2:]:
            self.limb(depth + 1, *limb)
        self.close(depth)

    def limb(self, depth: int, turning: str, end: str, start_joint: str, end_joint: str) -> None:
        bone = self.point(end_joint) - self.point(start_joint)
        length = np.linalg.norm(bone, axis=-1)
        z = self.zeros
        self.open(depth, "JOINT", turning, (0.0, 0.0), ROTATION)
        self.columns += [_angle(bone, rest_up=False), z, z]
        self.open(depth + 1, "JOINT", end, (0.0, -float(np.median(length))), POSITION + ROTATION)
        self.columns += [z, -length, z, z, z, z]
        self.end_site(depth + 2, (0.0, -END_SITE_M))
        self.close(depth + 1)
        self.close(depth)


def bvh_text(anim: Animation, fps: Optional[int] = None) -> str:
    """The BVH file of ``anim`` (see the module docstring).

    >>> bvh_text(anim).splitlines()[:2]
    ['HIERARCHY', 'ROOT Hips']
    """
    rate = playback_fps(anim, fps)
    joints = joint_positions(anim.frames)  # (T, A, 6, 2)
    head_radii = HEAD_RADIUS * body_heights(anim.frames)
    lines, columns = ["HIERARCHY"], []
    several = anim.num_actors > 1
    if several:
        lines += ["ROOT Scene", "{", "  OFFSET 0.000000 0.000000 0.000000", "  CHANNELS 6 " + " ".join(POSITION + ROTATION)]
        columns += [np.zeros(anim.num_frames)] * 6
    for actor in range(anim.num_actors):
        rig = _Rig(joints[:, actor], f"A{actor + 1}_" if several else "")
        rig.build(1 if several else 0, "JOINT" if several else "ROOT", float(head_radii[actor]))
        lines += rig.lines
        columns += rig.columns
    if several:
        lines.append("}")
    motion = np.round(np.stack(columns, axis=1), DECIMALS) + 0.0  # (T, channels)
    row = " ".join([f"{{:.{DECIMALS}f}}"] * motion.shape[1])
    lines += ["MOTION", f"Frames: {anim.num_frames}", f"Frame Time: {1.0 / rate:.{DECIMALS + 2}f}"]
    lines += [row.format(*values) for values in motion.tolist()]
    return "\n".join(lines) + "\n"


def render_bvh(anim: Animation, path: PathLike, fps: Optional[int] = None) -> Path:
    """Write ``anim`` as BVH; ``fps`` (default the animation's) sets the frame time.

    >>> render_bvh(anim, "walk.bvh")
    PosixPath('walk.bvh')
    """
    text = bvh_text(anim, fps)
    target = Path(path)
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="ascii")
    return target


def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """The registry's writer: :func:`render_bvh` (``size`` and ``caption`` do not apply to motion capture)."""
    return render_bvh(anim, path, fps=fps)
