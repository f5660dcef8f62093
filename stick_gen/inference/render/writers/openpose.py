"""OpenPose keypoints: one JSON per frame in the BODY_18 (COCO-18) layout that ControlNet pose tools read.

The output is a folder ``walk.openpose/`` holding ``walk_000000000000_keypoints.json`` ... (OpenPose's
own ``--write_json`` names), one per frame, each ``{"version": 1.3, "people": [{"person_id": [-1],
"pose_keypoints_2d": [x0, y0, c0, x1, y1, c1, ... 18 points], ...}], "canvas_width", "canvas_height"}``
in pixels of a ``size`` canvas, y down, framed by the same following camera as the GIF. With
``images=True`` each frame also gets ``walk_000000000000_rendered.png``: the skeleton in OpenPose's
standard limb colours on black, what ControlNet's openpose model is conditioned on.

How the six joints of :mod:`...model.pose` fill the 18 points (confidence ``c``):

==============  =====================================================  ====
point           where                                                  c
==============  =====================================================  ====
1 neck          neck                                                   1.0
4 / 7 wrists    right_hand / left_hand                                 1.0
10 / 13 ankles  right_foot / left_foot                                 1.0
8 / 11 hips     hip -/+ 0.06 x body height sideways                    0.5
2 / 5 shoulders neck -/+ 0.11 x body height sideways                   0.5
3 / 6 elbows    halfway from shoulder to wrist (limbs are straight)    0.5
9 / 12 knees    halfway from hip to ankle                              0.5
0 nose          the head's centre, 0.075 x body height above the neck  0.5
14-17 eyes/ears not known in a stick figure: (0, 0)                    0.0
==============  =====================================================  ====

Derived points have confidence 0.5, above OpenPose's own drawing threshold (0.05), so editors
and ControlNet preprocessors draw them; eyes and ears are left out as OpenPose leaves out what it
cannot see. A 2-D stick figure does not record which way it faces, so "sideways" is read from the
clip, per actor: the figure's left is the side where its left hand and foot are on average (a
figure facing the viewer has its left on the right of the picture). In profile the shoulders and
hips are still drawn side by side.

>>> write_openpose(anim, "walk.openpose", images=True)
PosixPath('walk.openpose')
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw

from ....model import atomic
from ....model.errors import GenerationError
from ....model.pose import HEAD_RADIUS, JOINTS
from ...animation import Animation, PathLike
from ..camera import joint_positions
from ..raster import FrameDrawer
from . import DEFAULT_SIZE, Size

BODY_18: Tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow", "left_wrist",
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
)  # fmt: skip
"""OpenPose's BODY_18 / COCO-18 keypoint order."""
MEASURED, DERIVED = 1.0, 0.5
SHOULDER_HALF_WIDTH, HIP_HALF_WIDTH = 0.11, 0.06
"""Sideways distance of a shoulder from the neck and of a hip joint from the hip, as fractions of body height
(the data generator's ``Body.shoulder``; the hip joints a little inside its feet at ``0.06``)."""

LIMBS: Tuple[Tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
    (1, 11), (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
)  # fmt: skip
"""The 17 limbs OpenPose (and ControlNet's annotator) draw, as BODY_18 index pairs."""
COLOURS: Tuple[Tuple[int, int, int], ...] = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
    (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
    (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
)  # fmt: skip
"""OpenPose's standard colours: limb ``k`` is drawn in ``COLOURS[k]`` at 60%, keypoint ``k`` in ``COLOURS[k]``."""
_SKELETON_PALETTE = bytes([0, 0, 0] + [c for rgb in COLOURS for c in rgb] + [int(c * 0.6) for rgb in COLOURS for c in rgb])
"""Black, then the keypoint colours, then the limb colours (60%)."""


def body18_keypoints(anim: Animation, framing: FrameDrawer) -> np.ndarray:
    """Keypoints ``[T, A, 18, 3]`` (x px, y px down, confidence) of every actor, mapped as the module docstring says.

    >>> body18_keypoints(anim, FrameDrawer(anim, 512, caption=False)).shape
    (250, 1, 18, 3)
    """
    frames = anim.frames.astype(np.float64)
    joints = joint_positions(frames)  # (T, A, 6, 2) metres, y up
    joint = {name: joints[..., JOINTS.index(name), :] for name in JOINTS}
    height = framing.heights[None, :, None]  # (1, A, 1)
    side = _left_side(joint)[None, :, None] * np.array([1.0, 0.0])  # (1, A, 2): towards the figure's left
    world = np.zeros(frames.shape[:2] + (18, 2))
    conf = np.zeros(frames.shape[:2] + (18,))
    place = {
        "neck": joint["neck"], "right_wrist": joint["right_hand"], "left_wrist": joint["left_hand"],
        "right_ankle": joint["right_foot"], "left_ankle": joint["left_foot"],
    }  # fmt: skip
    for name, xy in place.items():
        world[..., BODY_18.index(name), :] = xy
        conf[..., BODY_18.index(name)] = MEASURED
    derived = {
        "right_shoulder": joint["neck"] - SHOULDER_HALF_WIDTH * height * side,
        "left_shoulder": joint["neck"] + SHOULDER_HALF_WIDTH * height * side,
        "right_hip": joint["hip"] - HIP_HALF_WIDTH * height * side,
        "left_hip": joint["hip"] + HIP_HALF_WIDTH * height * side,
        "nose": joint["neck"] + HEAD_RADIUS * height * np.array([0.0, 1.0]),
    }
    derived["right_elbow"] = (derived["right_shoulder"] + joint["right_hand"]) / 2
    derived["left_elbow"] = (derived["left_shoulder"] + joint["left_hand"]) / 2
    derived["right_knee"] = (derived["right_hip"] + joint["right_foot"]) / 2
    derived["left_knee"] = (derived["left_hip"] + joint["left_foot"]) / 2
    for name, xy in derived.items():
        world[..., BODY_18.index(name), :] = xy
        conf[..., BODY_18.index(name)] = DERIVED
    x0, y0, mpp = (v[:, None, None] for v in (framing.x0, framing.y0, framing.mpp))  # (T, 1, 1)
    pixels = np.stack([(world[..., 0] - x0) / mpp, framing.height - (world[..., 1] - y0) / mpp], axis=-1)
    pixels = np.where(conf[..., None] > 0, pixels, 0.0)
    return np.concatenate([pixels, conf[..., None]], axis=-1)


def _left_side(joint: dict) -> np.ndarray:
    """Per actor ``[A]``: +1 where its left hand and foot lie mostly at larger x than the right ones, else -1."""
    spread = (joint["left_hand"] + joint["left_foot"] - joint["right_hand"] - joint["right_foot"])[..., 0]  # (T, A)
    return np.where(spread.mean(axis=0) >= 0, 1.0, -1.0)


def keypoint_document(points: np.ndarray, width: int, height: int) -> dict:
    """One frame's OpenPose JSON from its keypoints ``[A, 18, 3]``.

    >>> keypoint_document(np.zeros((1, 18, 3)), 512, 512)["people"][0]["pose_keypoints_2d"][:3]
    [0.0, 0.0, 0.0]
    """
    people = [
        {
            "person_id": [-1],
            "pose_keypoints_2d": (np.round(person, 3) + 0.0).ravel().tolist(),
            "face_keypoints_2d": [], "hand_left_keypoints_2d": [], "hand_right_keypoints_2d": [],
            "pose_keypoints_3d": [], "face_keypoints_3d": [], "hand_left_keypoints_3d": [], "hand_right_keypoints_3d": [],
        }  # fmt: skip
        for person in points
    ]
    return {"version": 1.3, "people": people, "canvas_width": width, "canvas_height": height}


def draw_skeletons(points: np.ndarray, width: int, height: int) -> Image.Image:
    """OpenPose-style picture of keypoints ``[A, 18, 3]``: limbs at 60% colour, then the points, on black.

    >>> draw_skeletons(np.zeros((1, 18, 3)), 64, 64).size
    (64, 64)
    """
    image = Image.new("P", (width, height), 0)  # a palette image: a third of the bytes to compress
    image.putpalette(_SKELETON_PALETTE)
    draw = ImageDraw.Draw(image)
    stick = max(2, round(min(width, height) / 128))  # OpenPose draws 4 px sticks on 512 px
    for person in points.tolist():
        for k, (a, b) in enumerate(LIMBS):
            if person[a][2] > 0 and person[b][2] > 0:
                line = (person[a][0], person[a][1], person[b][0], person[b][1])
                draw.line(line, fill=1 + len(COLOURS) + k, width=2 * stick)
        for k, (x, y, c) in enumerate(person):
            if c > 0:
                draw.ellipse((x - stick, y - stick, x + stick, y + stick), fill=1 + k)
    return image


@contextmanager
def atomic_folder(path: PathLike) -> Iterator[Path]:
    """Yield a new temporary folder next to ``path``; rename it to ``path`` only if the block succeeds.

    ``path`` must not exist or be an empty folder: a folder holding files is never replaced (they
    could be the user's). On failure the temporary folder, which only this function made, is removed.

    >>> with atomic_folder("out/walk.openpose") as tmp:
    ...     _ = (tmp / "a.json").write_text("{}")
    """
    target = Path(path)
    if target.is_dir() and any(target.iterdir()):
        raise GenerationError(f"{target} already exists and holds files; give a new folder name (nothing is replaced)")
    if target.exists() and not target.is_dir():
        raise GenerationError(f"{target} is a file; OpenPose output is a folder: give a folder name such as "
                              f"{target.with_suffix('.openpose')}")
    with atomic.atomic_output(target, folder=True, error=GenerationError) as tmp:
        yield tmp


def write_openpose(anim: Animation, path: PathLike, size: Size = DEFAULT_SIZE, images: bool = False) -> Path:
    """Write the folder ``path`` of per-frame OpenPose keypoint JSON (and skeleton PNGs with ``images``).

    >>> write_openpose(anim, "walk.openpose", size=512)
    PosixPath('walk.openpose')
    """
    framing = FrameDrawer(anim, size, caption=False)
    points = body18_keypoints(anim, framing)  # (T, A, 18, 3)
    target = Path(path)
    stem = target.name.split(".")[0] or "pose"
    with atomic_folder(target) as tmp:
        for t in range(anim.num_frames):
            document = keypoint_document(points[t], framing.width, framing.height)
            (tmp / f"{stem}_{t:012d}_keypoints.json").write_text(json.dumps(document), encoding="utf-8")
            if images:
                picture = draw_skeletons(points[t], framing.width, framing.height)
                picture.save(tmp / f"{stem}_{t:012d}_rendered.png", format="PNG", compress_level=1)
    return target


def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool, images: bool = False) -> Path:
    """The registry's writer: :func:`write_openpose`. Keypoint files have no frame rate, so ``fps`` is refused."""
    if fps is not None and fps != anim.fps:
        raise GenerationError(f"OpenPose keypoint files are one per frame and have no frame rate; drop fps={fps}")
    return write_openpose(anim, path, size=size, images=images)
