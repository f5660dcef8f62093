"""Drawing animations with Pillow: GIF, MP4, PNG filmstrips and the action contact sheet.

Every frame is an array of palette indices over one fixed 64-colour palette: a background, a
floor, and for each ink (ground, text, ball, eight actor colours) :data:`INK_LEVELS` blends of
that ink over the background. Shapes are drawn at twice the size and each 2x2 block's coverage
picks the blend level, so lines are anti-aliased while a GIF needs no colour quantization at all
(the costly part of writing GIFs). The camera follows all actors with a smoothed bounding box
that always contains every joint, so nobody walks out of the frame.

>>> save_animation(anim, "walk.gif")            # doctest: +SKIP
>>> save_animation(anim, "walk.mp4", size=512)  # doctest: +SKIP
>>> render_contact_sheet([("walk", walk_frames), ("jump", jump_frames)], "sheet.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image, ImageDraw, ImageFont

from ..model.errors import GenerationError
from ..model.pose import HEAD_RADIUS, HIP_X, JOINT_SLOTS, JOINTS, POSE_DIM, X_SLOTS, Y_SLOTS
from .animation import Animation, PathLike, atomic_output, save_motion

FORMATS: Tuple[str, ...] = ("gif", "mp4", "png", "motion")
"""What :func:`save_animation` writes, chosen by ``format=`` or the file extension."""

DEFAULT_SIZE = 384
Size = Union[int, Tuple[int, int]]

BACKGROUND = (250, 250, 247)
FLOOR = (238, 238, 233)
GROUND, TEXT, BALL = 0, 1, 2
"""Ink numbers of the ground, caption text and ball; actor ``a`` uses ink ``3 + a % 8``."""
INK_COLOURS: Tuple[Tuple[int, int, int], ...] = (
    (165, 165, 160),  # ground
    (45, 45, 50),  # text
    (235, 120, 20),  # ball
    (31, 78, 156),  # actor 0: blue
    (192, 57, 43),  # actor 1: red
    (30, 132, 73),  # actor 2: green
    (125, 60, 152),  # actor 3: purple
    (17, 122, 139),  # actor 4: teal
    (150, 110, 20),  # actor 5: ochre
    (52, 73, 94),  # actor 6: slate
    (170, 50, 120),  # actor 7: magenta
)
FIRST_ACTOR_INK = 3
INK_LEVELS = 4
"""Anti-aliasing steps per ink: level ``k`` is ``k / 4`` of the ink over the background, one per
sample of the 2x2 supersampling that covers the pixel."""

MP4_ENCODER: Tuple[str, ...] = (
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "20", "-preset", "veryfast", "-x264-params", "subme=1:me=dia",
)  # fmt: skip
"""x264 settings: encoding is most of an MP4's cost. veryfast with the cheapest motion search takes ~40%
less time than plain veryfast for ~5% more bytes on stick figures; see bench/bench_render.py."""

TRAIL_SPAN = 2.0
"""Most body heights a contact-sheet trail spreads over; longer travel is scaled down to it."""

BALL_RADIUS_M = 0.11
GRAVITY = 9.81
_BALL_WORDS = re.compile(r"throw|catch|kick|toss|dribbl|juggl|ball")


def _build_palette() -> bytes:
    """64 RGB entries: index 0 the background, ``INK_LEVELS`` blends per ink, the floor, then padding."""
    entries = [BACKGROUND]
    bg = np.array(BACKGROUND, dtype=np.float64)
    for colour in INK_COLOURS:
        for level in range(1, INK_LEVELS + 1):
            mix = bg + (np.array(colour) - bg) * level / INK_LEVELS
            entries.append(tuple(int(round(c)) for c in mix))
    entries.append(FLOOR)
    entries += [BACKGROUND] * (64 - len(entries))
    return bytes(c for rgb in entries for c in rgb)


PALETTE = _build_palette()
FLOOR_INDEX = 1 + len(INK_COLOURS) * INK_LEVELS


def ink_index(ink: int, level: int = INK_LEVELS) -> int:
    """Palette index of ``ink`` at blend ``level`` (1..INK_LEVELS).

    >>> ink_index(GROUND, 1), ink_index(FIRST_ACTOR_INK)
    (1, 16)
    """
    return 1 + ink * INK_LEVELS + level - 1


def actor_ink(actor: int) -> int:
    """Ink of ``actor``; colours repeat after eight actors."""
    return FIRST_ACTOR_INK + actor % (len(INK_COLOURS) - FIRST_ACTOR_INK)


def actor_colour(actor: int) -> Tuple[int, int, int]:
    """RGB colour ``actor`` is drawn in (full strength)."""
    return INK_COLOURS[actor_ink(actor)]


@lru_cache(maxsize=64)
def _ink_lut(ink: int) -> np.ndarray:
    """Coverage 0..255 (anti-aliased text) -> palette index of ``ink``, 0 where nothing is drawn."""
    levels = np.round(np.arange(256) / 255.0 * INK_LEVELS).astype(np.int64)
    return np.where(levels > 0, ink_index(ink, 1) - 1 + levels, 0).astype(np.uint8)


def _palette_image(indices: np.ndarray) -> Image.Image:
    """A 'P' image over :data:`PALETTE` from a ``(H, W)`` uint8 index array."""
    image = Image.frombytes("P", (indices.shape[1], indices.shape[0]), np.ascontiguousarray(indices).tobytes())
    image.putpalette(PALETTE)
    return image


Line = Tuple[float, float, float, float]
Circle = Tuple[float, float, float]


def _paint(
    canvas: np.ndarray,
    ink: int,
    lines: Sequence[Line] = (),
    discs: Sequence[Circle] = (),
    rings: Sequence[Circle] = (),
    width_px: float = 2.0,
    strength: float = 1.0,
) -> None:
    """Draw anti-aliased shapes of one ink into ``canvas`` (palette indices, ``(H, W)``) in place.

    Coordinates are pixels of ``canvas``: lines ``(x1, y1, x2, y2)``, discs and rings ``(cx, cy, r)``.
    Only the shapes' bounding box is drawn, at twice the size; each 2x2 block's coverage then picks
    the ink's blend level. ``strength`` < 1 fades the ink (motion trails). Plain Python floats: for a
    dozen shapes numpy's per-call overhead would dominate.
    """
    xs = [v for x1, _, x2, _ in lines for v in (x1, x2)]
    ys = [v for _, y1, _, y2 in lines for v in (y1, y2)]
    for cx, cy, r in (*discs, *rings):
        xs += (cx - r, cx + r)
        ys += (cy - r, cy + r)
    if not xs:
        return
    height, width = canvas.shape
    pad = width_px + 2
    x_lo, x_hi = max(0, math.floor(min(xs) - pad)), min(width, math.ceil(max(xs) + pad))
    y_lo, y_hi = max(0, math.floor(min(ys) - pad)), min(height, math.ceil(max(ys) + pad))
    if x_hi <= x_lo or y_hi <= y_lo:
        return
    # Shapes are drawn with value INK_LEVELS at 2x; reduce(2) averages each 2x2 block, so a pixel's
    # value is directly its blend level: the number of its four samples the shapes cover.
    layer = Image.new("L", (2 * (x_hi - x_lo), 2 * (y_hi - y_lo)), 0)
    draw = ImageDraw.Draw(layer)
    line_w = max(1, round(2 * width_px))
    for x1, y1, x2, y2 in lines:
        draw.line((2 * (x1 - x_lo), 2 * (y1 - y_lo), 2 * (x2 - x_lo), 2 * (y2 - y_lo)), fill=INK_LEVELS, width=line_w)
    for cx, cy, r in discs:
        box = (2 * (cx - r - x_lo), 2 * (cy - r - y_lo), 2 * (cx + r - x_lo), 2 * (cy + r - y_lo))
        draw.ellipse(box, fill=INK_LEVELS)
    for cx, cy, r in rings:
        r += width_px / 2  # the stroke is centred on the radius; Pillow's outline lies inside the box
        box = (2 * (cx - r - x_lo), 2 * (cy - r - y_lo), 2 * (cx + r - x_lo), 2 * (cy + r - y_lo))
        draw.ellipse(box, outline=INK_LEVELS, width=line_w)
    level = np.asarray(layer.reduce(2))  # (h, w) values 0..INK_LEVELS
    if strength >= 1.0:
        mapped = level + np.uint8(ink_index(ink, 1) - 1)
    else:
        mapped = _faded_levels(ink, strength).take(level)
    np.copyto(canvas[y_lo:y_hi, x_lo:x_hi], mapped, where=level != 0)


@lru_cache(maxsize=256)
def _faded_levels(ink: int, strength: float) -> np.ndarray:
    """Blend level 0..INK_LEVELS -> palette index of ``ink`` weakened to ``strength`` (at least level 1)."""
    levels = np.arange(INK_LEVELS + 1)
    faded = np.where(levels > 0, np.maximum(1, np.ceil(levels * strength)), 0).astype(int)
    return np.array([0] + [ink_index(ink, int(k)) for k in faded[1:]], dtype=np.uint8)


@lru_cache(maxsize=16)
def _font(px: int) -> Union[ImageFont.FreeTypeFont, ImageFont.ImageFont]:
    """Pillow's built-in font at ``px`` pixels: no font file to find on the user's machine."""
    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # Pillow < 10.1 has only the fixed-size bitmap font
        return ImageFont.load_default()


@lru_cache(maxsize=1024)
def _text_patch(text: str, ink: int, px: int, max_width: int) -> np.ndarray:
    """Anti-aliased ``text`` as palette indices (0 = background), shortened with '...' to fit ``max_width``."""
    font = _font(px)
    shown = text[: max_width + 1]  # glyphs are a pixel wide or more: no more than this can fit
    if len(shown) < len(text) or font.getlength(shown) > max_width:
        text = shown[: _longest_fitting_prefix(font, shown, max_width)].rstrip() + "..."
    width = max(1, min(max_width, math.ceil(font.getlength(text))))
    layer = Image.new("L", (width, px + px // 2), 0)
    ImageDraw.Draw(layer).text((0, 0), text, fill=255, font=font)
    return _ink_lut(ink)[np.asarray(layer)]


def _longest_fitting_prefix(font, text: str, max_width: int) -> int:
    """Largest ``n`` with ``text[:n] + "..."`` at most ``max_width`` pixels wide, by bisection (log n measurements)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(text[:mid] + "...") <= max_width:
            low = mid
        else:
            high = mid - 1
    return low


def _put_text(canvas: np.ndarray, text: str, x: int, y: int, ink: int, px: int, max_width: int) -> int:
    """Write ``text`` with its top-left at ``(x, y)``; returns the x just after it."""
    if not text or max_width < px:
        return x
    patch = _text_patch(text, ink, px, max_width)
    h = min(patch.shape[0], canvas.shape[0] - y)
    w = min(patch.shape[1], canvas.shape[1] - x)
    if h <= 0 or w <= 0:
        return x
    region = canvas[y : y + h, x : x + w]
    np.copyto(region, patch[:h, :w], where=patch[:h, :w] != 0)
    return x + patch.shape[1]


def body_heights(frames: np.ndarray) -> np.ndarray:
    """Standing height (m) of each actor ``[A]`` estimated from poses ``[T, A, 20]``.

    Torso plus the longer leg is the body below the neck; the head adds ``2 * HEAD_RADIUS`` of the
    height. The 90th percentile over frames ignores crouches (a bent knee shortens hip-to-foot).

    >>> import numpy as np
    >>> pose = np.array([0, 1.5, 0, .95,  0, .95, 0, 0,  0, .95, 0, 0,  0, 1.5, -.2, 1,  0, 1.5, .2, 1])
    >>> round(float(body_heights(pose[None, None])[0]), 2)  # (0.55 torso + 0.95 leg) / 0.85
    1.76
    """
    joints = _joints(frames)
    neck, hip, left_foot, right_foot = (
        joints[..., JOINTS.index(name), :] for name in ("neck", "hip", "left_foot", "right_foot")
    )
    torso = np.linalg.norm(neck - hip, axis=-1)
    leg = np.maximum(np.linalg.norm(left_foot - hip, axis=-1), np.linalg.norm(right_foot - hip, axis=-1))
    heights = np.percentile((torso + leg) / (1 - 2 * HEAD_RADIUS), 90, axis=0)
    return np.where(np.isfinite(heights) & (heights > 0.3), np.minimum(heights, 4.0), 1.75)


def _joints(frames: np.ndarray) -> np.ndarray:
    """Joint positions ``[..., 6, 2]`` in :data:`JOINTS` order (numpy twin of ``pose.pose_to_joints``)."""
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


def _world_bounds(frames: np.ndarray, heights: np.ndarray) -> Tuple[np.ndarray, ...]:
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


def _fit_view(
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


def _camera(frames: np.ndarray, heights: np.ndarray, fps: int, view: Tuple[int, int]) -> Tuple[np.ndarray, ...]:
    """Following camera: the per-frame bounds smoothed over ~1.2 s by :func:`_envelope`."""
    left, right, bottom, top = _world_bounds(frames, heights)
    radius = max(1, round(0.6 * fps))
    return _fit_view(
        _envelope(left, radius, lower=True),
        _envelope(right, radius, lower=False),
        _envelope(bottom, radius, lower=True),
        _envelope(top, radius, lower=False),
        float(heights.max()),
        view,
    )


def ball_action_names(vocabulary: Sequence[str]) -> frozenset:
    """Names in ``vocabulary`` that use a ball.

    Names of the generator's own vocabulary follow its ``BALL_ACTIONS``; any other name (a custom
    vocabulary) counts when it mentions throwing, catching, kicking, dribbling or a ball.

    >>> sorted(ball_action_names(("walk", "throw_ball", "catch")))
    ['catch', 'throw_ball']
    """
    try:
        from ..data_gen.actions import ACTIONS, BALL_ACTIONS
    except ImportError:
        ACTIONS, BALL_ACTIONS = (), frozenset()
    known = set(ACTIONS)
    return frozenset(
        name for name in vocabulary if (name in BALL_ACTIONS if name in known else bool(_BALL_WORDS.search(name)))
    )


def _ball_role(name: str) -> str:
    """How a ball action moves the ball: kick, catch, throw, bounce or hold."""
    if "kick" in name:
        return "kick"
    if "catch" in name or "receiv" in name:
        return "catch"
    if any(word in name for word in ("throw", "toss", "pass", "shoot", "pitch")):
        return "throw"
    if "dribbl" in name or "bounc" in name:
        return "bounce"
    return "hold"


_HANDS = (JOINTS.index("right_hand"), JOINTS.index("left_hand"))
_FEET = (JOINTS.index("right_foot"), JOINTS.index("left_foot"))
_HIP, _NECK = JOINTS.index("hip"), JOINTS.index("neck")


def _acting_limb(joints: np.ndarray, actor: int, start: int, end: int, limbs: Tuple[int, int]) -> int:
    """The hand (or foot) of ``limbs`` that moves fastest relative to the hip; ties go to the right one."""
    if end - start < 2:
        return limbs[0]
    rel = joints[start:end, actor, list(limbs)] - joints[start:end, actor, _HIP : _HIP + 1]  # (n, 2, 2)
    peak = np.linalg.norm(np.diff(rel, axis=0), axis=-1).max(axis=0)  # (2,)
    return limbs[int(np.argmax(peak))]


def _fastest_frame(joints: np.ndarray, actor: int, limb: int, start: int, end: int) -> int:
    """The frame right after ``limb`` moves fastest in ``[start, end)``: the release of a throw, the touch of a kick."""
    if end - start < 2:
        return start
    steps = np.linalg.norm(np.diff(joints[start:end, actor, limb], axis=0), axis=-1)
    return start + 1 + int(np.argmax(steps))


def _in_hand(joints: np.ndarray, actor: int, hand: int, frames: np.ndarray) -> np.ndarray:
    """Ball centres ``[n, 2]`` held in ``hand``: pushed a little past the hand, away from the neck."""
    hand_xy = joints[frames, actor, hand]
    reach = hand_xy - joints[frames, actor, _NECK]
    norm = np.linalg.norm(reach, axis=-1, keepdims=True)
    return hand_xy + 0.7 * BALL_RADIUS_M * np.divide(reach, norm, out=np.zeros_like(reach), where=norm > 1e-6)


def _fly(track: np.ndarray, start: int, position: np.ndarray, velocity: np.ndarray, fps: int, last: int) -> None:
    """Fill ``track[start:last]`` with a ball thrown from ``position``: gravity, bounces, then rolling to rest."""
    x, y = float(position[0]), max(float(position[1]), BALL_RADIUS_M)
    vx, vy = float(velocity[0]), float(velocity[1])
    dt = 1.0 / fps
    for t in range(start, min(last, len(track))):
        track[t] = (x, y)
        vy -= GRAVITY * dt
        x, y = x + vx * dt, y + vy * dt
        if y < BALL_RADIUS_M:
            y, vy, vx = BALL_RADIUS_M, (-0.45 * vy if vy < -1.0 else 0.0), vx * 0.8
        elif y == BALL_RADIUS_M:
            vx *= 0.9  # rolling friction


class _BallEvent(NamedTuple):
    """One actor's ball action: frames ``[start, end)`` and how it moves the ball (see :func:`_ball_role`)."""

    actor: int
    role: str
    start: int
    end: int


def ball_tracks(anim: Animation, ball_actions: Optional[Sequence[str]] = None) -> List[np.ndarray]:
    """Ball centre ``[T, 2]`` per ball in play (NaN where there is none), from the actors' ball actions.

    A throw holds the ball in the acting hand until the hand is fastest, then flies it on a parabola
    into the hand of another actor who is catching, or lets it fall and roll when nobody is. A kick
    rests the ball by the kicking foot and sends it off at the touch. Other ball actions hold it in
    the hand (dribbling bounces it to the ground and back). ``ball_actions`` overrides
    :func:`ball_action_names`.

    >>> [track.shape for track in ball_tracks(anim)]  # doctest: +SKIP
    [(250, 2)]
    """
    names = ball_action_names(anim.action_vocabulary) if ball_actions is None else frozenset(ball_actions)
    if not names:
        return []
    joints = _joints(anim.frames)  # (T, A, 6, 2)
    events = [
        _BallEvent(actor, _ball_role(name), start, end)
        for actor in range(anim.num_actors)
        for name, start, end in anim.action_segments(actor)
        if name in names
    ]
    catches = [e for e in events if e.role == "catch"]
    caught: List[_BallEvent] = []
    tracks = []
    for event in sorted((e for e in events if e.role != "catch"), key=lambda e: e.start):
        track = np.full((anim.num_frames, 2), np.nan)
        if event.role == "kick":
            _kick(track, joints, event, anim.fps)
        elif event.role == "throw":
            catch = _throw(track, joints, event, [c for c in catches if c not in caught], anim.fps)
            caught += [catch] if catch else []
        else:
            _hold(track, joints, event, anim.fps)
        tracks.append(track)
    for event in (c for c in catches if c not in caught):
        track = np.full((anim.num_frames, 2), np.nan)
        _hold(track, joints, event, anim.fps)
        tracks.append(track)
    return tracks


def _hold(track: np.ndarray, joints: np.ndarray, event: _BallEvent, fps: int) -> None:
    """The ball in the acting hand for the whole action; a dribble bounces it to the ground twice a second."""
    hand = _acting_limb(joints, event.actor, event.start, event.end, _HANDS)
    frames = np.arange(event.start, event.end)
    track[frames] = _in_hand(joints, event.actor, hand, frames)
    if event.role == "bounce":
        phase = ((frames - event.start) / (0.5 * fps)) % 1.0
        lift = 1 - (1 - np.abs(1 - 2 * phase)) ** 2  # 1 at the hand, 0 on the ground: it speeds up falling
        track[frames, 1] = BALL_RADIUS_M + (track[frames, 1] - BALL_RADIUS_M) * lift


def _throw(
    track: np.ndarray, joints: np.ndarray, event: _BallEvent, catches: List[_BallEvent], fps: int
) -> Optional[_BallEvent]:
    """In the hand until release (the hand's fastest frame), then to a catcher's hand or down to the ground.

    Returns the catch of ``catches`` that received the ball, if any.
    """
    actor, _, start, end = event
    hand = _acting_limb(joints, actor, start, end, _HANDS)
    release = _fastest_frame(joints, actor, hand, start, end)
    held = np.arange(start, release + 1)
    track[held] = _in_hand(joints, actor, hand, held)
    if release + 1 >= len(track):
        return None
    catch = _pick_catch(catches, event, release, fps)
    if catch is not None:
        _pass_to(track, joints, catch, release, track[release], fps)
        return catch
    velocity = (joints[release, actor, hand] - joints[max(start, release - 1), actor, hand]) * fps
    speed = float(np.linalg.norm(velocity))
    if speed < 2.0:  # a limp throw still leaves the hand, forward and up
        side = np.sign(joints[release, actor, hand, 0] - joints[release, actor, _HIP, 0]) or 1.0
        velocity = np.array([4.0 * side, 3.0])
    elif speed > 15.0:
        velocity = velocity * 15.0 / speed
    _fly(track, release + 1, track[release], velocity, fps, end + fps)
    return None


def _kick(track: np.ndarray, joints: np.ndarray, event: _BallEvent, fps: int) -> None:
    """On the ground by the kicking foot until its fastest frame, then off the way the foot moved."""
    actor, _, start, end = event
    foot = _acting_limb(joints, actor, start, end, _FEET)
    touch = min(_fastest_frame(joints, actor, foot, start, end), len(track) - 1)
    foot_v = (joints[touch, actor, foot] - joints[max(start, touch - 1), actor, foot]) * fps
    side = np.sign(foot_v[0]) or np.sign(joints[touch, actor, foot, 0] - joints[touch, actor, _HIP, 0]) or 1.0
    rest = np.array([joints[touch, actor, foot, 0] + side * BALL_RADIUS_M, BALL_RADIUS_M])
    track[start:touch] = rest
    velocity = np.array([side * np.clip(abs(foot_v[0]) * 1.5, 4.0, 12.0), np.clip(0.5 * foot_v[1] + 2.0, 1.0, 5.0)])
    _fly(track, touch, rest, velocity, fps, end + fps)


def _pick_catch(catches: List[_BallEvent], throw: _BallEvent, release: int, fps: int) -> Optional[_BallEvent]:
    """Another actor's catch still running after ``release`` and starting within 1 s of the throw's end."""
    options = [c for c in catches if c.actor != throw.actor and c.end - 1 > release and c.start <= throw.end + fps]
    return min(options, key=lambda c: abs(c.start - release)) if options else None


def _pass_to(
    track: np.ndarray, joints: np.ndarray, catch: _BallEvent, release: int, origin: np.ndarray, fps: int
) -> None:
    """Fly the ball from ``origin`` at ``release`` on a parabola into the catcher's hand, then keep it there."""
    actor, _, start, end = catch
    hand = _acting_limb(joints, actor, start, end, _HANDS)
    first_guess = _in_hand(joints, actor, hand, np.array([max(start, release)]))[0]
    flight = round(fps * float(np.clip(np.linalg.norm(first_guess - origin) / 9.0, 0.3, 1.2)))  # ~9 m/s
    arrive = int(np.clip(release + flight, max(start, release + 1), max(end - 1, release + 1)))
    arrive = min(arrive, len(track) - 1)
    target = _in_hand(joints, actor, hand, np.array([arrive]))[0]
    u = (np.arange(release, arrive + 1) - release) / max(1, arrive - release)  # 0 -> 1 along the flight
    arc = (0.2 + 0.15 * abs(target[0] - origin[0])) * 4 * u * (1 - u)
    track[release : arrive + 1] = (1 - u)[:, None] * origin + u[:, None] * target
    track[release : arrive + 1, 1] += arc
    after = np.arange(arrive, end)
    track[after] = _in_hand(joints, actor, hand, after)


def _frame_size(size: Size) -> Tuple[int, int]:
    """``size`` (an int for a square, or ``(width, height)``) checked to lie in 32..4096 pixels."""
    pair = (size, size) if isinstance(size, (int, np.integer)) and not isinstance(size, bool) else size
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 32 <= v <= 4096 for v in pair)
    ):
        raise GenerationError(f"size must be pixels from 32 to 4096, an int or (width, height); got {size!r}")
    return int(pair[0]), int(pair[1])


def _playback_fps(anim: Animation, fps: Optional[int]) -> int:
    if fps is None:
        return anim.fps
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or not 1 <= fps <= 240:
        raise GenerationError(f"fps must be an integer from 1 to 240; got {fps!r}")
    return int(fps)


class FrameDrawer:
    """Draws the frames of one animation at one size: camera, body sizes and ball paths worked out once.

    >>> drawer = FrameDrawer(anim, size=384)  # doctest: +SKIP
    >>> drawer.image(0).size                  # doctest: +SKIP
    (384, 384)
    """

    def __init__(self, anim: Animation, size: Size = DEFAULT_SIZE, caption: bool = True) -> None:
        self.anim = anim
        self.width, self.height = _frame_size(size)
        short = min(self.width, self.height)
        self.font_px = max(9, round(short / 32))
        self.margin = max(3, short // 64)
        self.line_gap = self.font_px + self.font_px // 3
        self.caption = caption
        self.band = band = self.margin + 2 * self.line_gap if caption else 0
        self._captions: Dict[Tuple[str, Tuple[str, ...]], Tuple[np.ndarray, np.ndarray]] = {}
        self.heights = body_heights(anim.frames)  # (A,)
        self.head_radii = (HEAD_RADIUS * self.heights).tolist()
        self.line_scale = (0.012 * self.heights).tolist()  # line width in metres, in proportion to the body
        self.max_line_px = max(1.5, short / 64)
        self.x0, self.y0, self.mpp = _camera(anim.frames, self.heights, anim.fps, (self.width, self.height - band))
        self.balls = ball_tracks(anim)
        self.labels = anim.action_names if caption else None

    def _draw_ground(self, canvas: np.ndarray, t: int) -> None:
        row = round(self.height - (0.0 - self.y0[t]) / self.mpp[t])
        if row >= self.height:
            return
        row = max(row, 0)
        thick = max(1, round(min(self.width, self.height) / 192))
        canvas[row:, :] = FLOOR_INDEX
        canvas[row : row + thick, :] = ink_index(GROUND)
        # Metre ticks make the ground visibly slide when the camera follows a walker.
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1e9) if s / self.mpp[t] >= 24)
        first = math.ceil(self.x0[t] / step) * step
        ticks = np.arange(first, self.x0[t] + self.width * self.mpp[t], step)
        cols = np.round((ticks - self.x0[t]) / self.mpp[t]).astype(int)
        tick_len = max(2, thick * 3)
        for col in cols[(cols >= 0) & (cols < self.width)]:
            canvas[row + thick : row + thick + tick_len, col : col + thick] = ink_index(GROUND, 3)

    def draw_actor(self, canvas: np.ndarray, t: int, actor: int, pose: np.ndarray, strength: float = 1.0) -> None:
        """Paint one pose ``[20]`` of ``actor`` with the camera of frame ``t``; ``strength`` < 1 fades it."""
        scale, x0, y0 = 1.0 / float(self.mpp[t]), float(self.x0[t]), float(self.y0[t])
        values = pose.tolist()
        xs = [(x - x0) * scale for x in values[0::2]]
        ys = [self.height - (y - y0) * scale for y in values[1::2]]  # pixels, y down
        width_px = min(max(self.line_scale[actor] * scale, 1.0), self.max_line_px)
        head_r = self.head_radii[actor] * scale
        joint_r = width_px / 2
        _paint(
            canvas,
            actor_ink(actor),
            lines=[(xs[i], ys[i], xs[i + 1], ys[i + 1]) for i in range(0, 10, 2)],
            # Round joints where the limbs meet the neck and the hip.
            discs=[(xs[0], ys[0], joint_r), (xs[1], ys[1], joint_r)],
            rings=[(xs[0], ys[0] - head_r, head_r)],
            width_px=width_px,
            strength=strength,
        )

    def _caption(self, t: int, headline: Optional[str]) -> Tuple[np.ndarray, np.ndarray]:
        """The caption band of frame ``t`` as ``(indices, painted mask)``, cached per distinct text."""
        key = (self.anim.prompt if headline is None else headline, tuple(self.labels[t]))
        cached = self._captions.get(key)
        if cached is None:
            band = np.zeros((self.band, self.width), dtype=np.uint8)
            _put_text(band, key[0], self.margin, self.margin, TEXT, self.font_px, self.width - 2 * self.margin)
            x = self.margin
            for actor, name in enumerate(key[1]):
                room = self.width - self.margin - x
                x = _put_text(band, name, x, self.margin + self.line_gap, actor_ink(actor), self.font_px, room)
                x += self.font_px
            cached = self._captions[key] = (band, band != 0)
        return cached

    def indices(self, t: int, headline: Optional[str] = None) -> np.ndarray:
        """Frame ``t`` as palette indices ``(H, W)`` uint8; ``headline`` replaces the prompt in the caption."""
        canvas = np.zeros((self.height, self.width), dtype=np.uint8)
        self._draw_ground(canvas, t)
        for actor in range(self.anim.num_actors):
            self.draw_actor(canvas, t, actor, self.anim.frames[t, actor])
        for track in self.balls:
            if not np.isnan(track[t, 0]):
                cx = (track[t, 0] - self.x0[t]) / self.mpp[t]
                cy = self.height - (track[t, 1] - self.y0[t]) / self.mpp[t]
                _paint(canvas, BALL, discs=[(float(cx), float(cy), BALL_RADIUS_M / float(self.mpp[t]))])
        if self.caption:
            band, painted = self._caption(t, headline)
            np.copyto(canvas[: self.band], band, where=painted)
        return canvas

    def image(self, t: int) -> Image.Image:
        """Frame ``t`` as a 'P' image over :data:`PALETTE`."""
        return _palette_image(self.indices(t))


def render_frames(anim: Animation, size: Size = DEFAULT_SIZE, caption: bool = True) -> Iterator[Image.Image]:
    """Every frame of ``anim`` as a 'P' image (fixed palette), in order.

    >>> next(render_frames(anim, size=128)).size  # doctest: +SKIP
    (128, 128)
    """
    drawer = FrameDrawer(anim, size, caption)
    for t in range(anim.num_frames):
        yield drawer.image(t)


def draw_frame(anim: Animation, frame: int, size: Size = DEFAULT_SIZE, caption: bool = True) -> Image.Image:
    """Frame ``frame`` of ``anim`` as an RGB image, framed as in the whole clip.

    >>> draw_frame(anim, 0).save("first.png")  # doctest: +SKIP
    """
    if not -anim.num_frames <= frame < anim.num_frames:
        raise GenerationError(f"frame {frame} does not exist: the animation has {anim.num_frames} frames")
    return FrameDrawer(anim, size, caption).image(frame % anim.num_frames).convert("RGB")


def gif_delays_ms(num_frames: int, fps: int) -> List[int]:
    """Per-frame GIF delays in ms, whole hundredths of a second that add up to the exact clip length.

    GIF stores delays in 1/100 s, so 25 fps is exactly 40 ms but 30 fps alternates 30 and 40 ms.
    Players treat delays under 2/100 s as slow, so rates above 50 fps play at 50 fps.

    >>> gif_delays_ms(3, 25), gif_delays_ms(3, 30)
    ([40, 40, 40], [30, 40, 30])
    """
    ticks = [round(k * 100 / fps) for k in range(num_frames + 1)]
    return [10 * max(2, b - a) for a, b in zip(ticks[:-1], ticks[1:])]


def render_gif(
    anim: Animation, path: PathLike, size: Size = DEFAULT_SIZE, fps: Optional[int] = None, caption: bool = True
) -> Path:
    """Write ``anim`` as a looping GIF; ``fps`` (default the animation's) sets the playback rate.

    Frames identical to the one before are merged into it (their delays add up), as GIF allows.

    >>> render_gif(anim, "walk.gif")  # doctest: +SKIP
    PosixPath('walk.gif')
    """
    rate = _playback_fps(anim, fps)
    drawer = FrameDrawer(anim, size, caption)
    images = [drawer.image(t) for t in range(anim.num_frames)]
    target = Path(path)
    with atomic_output(target) as tmp:
        images[0].save(
            tmp,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=gif_delays_ms(anim.num_frames, rate),
            loop=0,
            optimize=False,
            interlace=False,
        )
    return target


def render_mp4(
    anim: Animation, path: PathLike, size: Size = DEFAULT_SIZE, fps: Optional[int] = None, caption: bool = True
) -> Path:
    """Write ``anim`` as an H.264 MP4 (yuv420p; odd sizes are rounded up to even, as the codec needs).

    Frames go to imageio-ffmpeg's ffmpeg as palette images (``pal8``), a third of the bytes of RGB.

    >>> render_mp4(anim, "walk.mp4", size=512)  # doctest: +SKIP
    PosixPath('walk.mp4')
    """
    import imageio_ffmpeg

    rate = _playback_fps(anim, fps)
    width, height = _frame_size(size)
    width, height = width + width % 2, height + height % 2
    drawer = FrameDrawer(anim, (width, height), caption)
    # ffmpeg's raw pal8 frame is the indices followed by 256 palette entries as native-endian 0xAARRGGBB.
    rgb = np.frombuffer(PALETTE, np.uint8).reshape(-1, 3).astype(np.uint32)
    argb = np.zeros(256, dtype="=u4")
    argb[: len(rgb)] = 0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    palette_bytes = argb.tobytes()
    target = Path(path)
    with atomic_output(target) as tmp:
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error",
            "-f", "rawvideo", "-pix_fmt", "pal8", "-s", f"{width}x{height}", "-r", str(rate), "-i", "-",
            *MP4_ENCODER, "-movflags", "+faststart", "-f", "mp4", str(tmp),
        ]  # fmt: skip
        try:
            ffmpeg = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except OSError as err:
            raise GenerationError(f"cannot start ffmpeg to write {target}: {err}; reinstall imageio-ffmpeg") from err
        with ffmpeg:
            try:
                for t in range(anim.num_frames):
                    ffmpeg.stdin.write(drawer.indices(t).tobytes() + palette_bytes)
                ffmpeg.stdin.close()
            except BrokenPipeError:
                pass  # ffmpeg stopped early; its exit status and message say why
            except BaseException:
                ffmpeg.kill()
                raise
            # -v error keeps stderr to a few lines, so reading it only now cannot block ffmpeg.
            errors = ffmpeg.stderr.read().decode(errors="replace").strip()
            code = ffmpeg.wait()
        if code != 0:
            raise GenerationError(f"ffmpeg could not write {target} (exit status {code}): {errors or 'no message'}")
    return target


def render_png(
    anim: Animation,
    path: PathLike,
    size: Size = DEFAULT_SIZE,
    panels: int = 8,
    columns: int = 4,
    caption: bool = True,
) -> Path:
    """Write a filmstrip PNG: ``panels`` evenly spaced frames in a grid, each labelled with its time.

    >>> render_png(anim, "walk.png", size=256)  # doctest: +SKIP
    PosixPath('walk.png')
    """
    if not 1 <= panels <= 64 or not 1 <= columns <= 64:
        raise GenerationError(f"panels and columns must be 1..64; got panels={panels}, columns={columns}")
    drawer = FrameDrawer(anim, size, caption)
    picks = sorted(set(np.linspace(0, anim.num_frames - 1, panels).round().astype(int).tolist()))
    columns = min(columns, len(picks))
    rows = math.ceil(len(picks) / columns)
    gap = max(2, drawer.width // 96)
    header = drawer.line_gap + 2 * drawer.margin if caption else 0
    sheet = np.full(
        (header + rows * drawer.height + (rows + 1) * gap, columns * drawer.width + (columns + 1) * gap),
        ink_index(GROUND, 2),
        dtype=np.uint8,
    )
    if caption:
        sheet[:header] = 0
        room = sheet.shape[1] - 2 * drawer.margin
        _put_text(sheet, anim.prompt, drawer.margin, drawer.margin, TEXT, drawer.font_px, room)
    for k, t in enumerate(picks):
        top = header + gap + (k // columns) * (drawer.height + gap)
        left = gap + (k % columns) * (drawer.width + gap)
        panel = drawer.indices(t, headline=f"{t / anim.fps:.2f} s  (frame {t})")
        sheet[top : top + drawer.height, left : left + drawer.width] = panel
    target = Path(path)
    with atomic_output(target) as tmp:
        _palette_image(sheet).save(tmp, format="PNG", optimize=False)
    return target


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
        _palette_image(sheet).save(tmp, format="PNG", optimize=False)
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
    left, right, bottom, top = _world_bounds(anim.frames, drawer.heights)
    x0, y0, mpp = _fit_view(
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
    _put_text(out, title, 3, 2, TEXT, font_px, cell - 6)
    return out


def save_animation(
    anim: Animation,
    path: PathLike,
    format: Optional[str] = None,
    size: Size = DEFAULT_SIZE,
    fps: Optional[int] = None,
    caption: bool = True,
) -> Path:
    """Write ``anim`` as gif, mp4, png (filmstrip) or motion (JSON), by ``format`` or the extension.

    ``fps`` changes the playback rate of gif and mp4 (frames are not resampled); a ``.motion`` file
    always stores the animation's own rate.

    >>> save_animation(anim, "out/walk.mp4")  # doctest: +SKIP
    PosixPath('out/walk.mp4')
    """
    target = Path(path)
    kind = (format or target.suffix.lstrip(".")).lower()
    if kind not in FORMATS:
        given = f"format {format!r}" if format else f"extension {target.suffix or '(none)'!r} of {target}"
        raise GenerationError(f"cannot save an animation with {given}: use one of {', '.join(FORMATS)}")
    if kind == "motion":
        if fps is not None and fps != anim.fps:
            raise GenerationError(
                f"a .motion file stores the animation's own {anim.fps} fps; drop fps={fps} or save a gif/mp4"
            )
        return save_motion(anim, target)
    writers = {"gif": render_gif, "mp4": render_mp4}
    if kind == "png":
        _playback_fps(anim, fps)
        return render_png(anim, target, size=size, caption=caption)
    return writers[kind](anim, target, size=size, fps=fps, caption=caption)
