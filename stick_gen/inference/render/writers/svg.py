"""SVG: one animated vector file (SMIL) that plays in any browser, crisp at every size.

The figures keep world coordinates (metres, y up): each actor is one ``<path>`` of the five
segments of :data:`...model.pose.SEGMENTS` whose ``d`` is keyframed once per frame, and a head
``<circle>``. The following camera of the other renderers is two keyframed transforms around
them (a scale, then a translation), so the numbers in the file are the motion itself and a tool
can read the poses back. Keyframes are ``calcMode="discrete"``: frame ``t`` shows from ``t / fps``
to ``(t + 1) / fps``, exactly like the GIF and the MP4. Static attributes hold frame 0, so a viewer
without animation shows the first frame.

>>> render_svg(anim, "walk.svg", size=512)
PosixPath('walk.svg')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional, Sequence
from xml.sax.saxutils import escape

import numpy as np

from ....model.pose import JOINT_SLOTS, SEGMENTS, segment_slots
from ...animation import Animation, PathLike, atomic_output
from ..ball import BALL_RADIUS_M
from ..raster import BACKGROUND, BALL, FLOOR, GROUND, INK_COLOURS, TEXT, FrameDrawer, actor_colour, hex_colour
from . import DEFAULT_SIZE, Size, playback_fps

DECIMALS = 4
"""Coordinates are written to 0.1 mm, the precision of a ``.motion`` file."""
SEGMENT_PATH = "".join(
    "M{%d} {%d}L{%d} {%d}" % tuple(range(segment_slots(name).start, segment_slots(name).stop)) for name, _, _ in SEGMENTS
)
"""Path data of one pose (``str.format`` of its 20 values): ``M x1 y1 L x2 y2`` for each segment of :data:`SEGMENTS`."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def number_text(values: np.ndarray, decimals: int = DECIMALS) -> List[str]:
    """Each value as the shortest text that reads back as it rounded to ``decimals`` (``-0`` written as ``0``).

    >>> number_text(np.array([1.23456, -0.00001, 2.0]))
    ['1.2346', '0', '2']
    """
    rounded = np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0
    return [f"{v:.{decimals}f}".rstrip("0").rstrip(".") for v in rounded.ravel().tolist()]


def xml_text(text: str) -> str:
    """``text`` escaped for XML, without the control characters XML 1.0 cannot hold.

    >>> xml_text("walk & <wave>" + chr(0))
    'walk &amp; &lt;wave&gt;'
    """
    return escape(_NOT_XML.sub("", text))


def _keyframes(element: str, attribute: str, values: Sequence[str], duration: str) -> str:
    """An ``<animate>``/``<animateTransform>`` that steps through ``values`` once per frame, looping."""
    return (
        f'<{element} attributeName="{attribute}" dur="{duration}" calcMode="discrete" repeatCount="indefinite" '
        f'values="{";".join(values)}"'
    )


def svg_document(anim: Animation, size: Size = DEFAULT_SIZE, fps: Optional[int] = None, caption: bool = True) -> str:
    """The SVG text of ``anim`` (see the module docstring).

    >>> svg_document(anim).startswith("<svg")
    True
    """
    rate = playback_fps(anim, fps)
    framing = FrameDrawer(anim, size, caption)
    width, height, frames_count = framing.width, framing.height, anim.num_frames
    duration = f"{frames_count / rate:.6g}s"
    scale = number_text(1.0 / framing.mpp, 6)
    shift = [f"{x} {y}" for x, y in zip(number_text(-framing.x0), number_text(-framing.y0))]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{xml_text(anim.prompt)}</title>",
        f"<desc>stick-gen animation: {anim.num_actors} actor(s), {frames_count} frames at {rate} fps. Inside the "
        f'group "world", units are metres with y up; path "actor-N" holds the five segments of each frame.</desc>',
        f'<rect width="{width}" height="{height}" fill="{hex_colour(BACKGROUND)}"/>',
        f'<g transform="translate(0 {height}) scale(1 -1)">',
        f'<g id="camera-scale" transform="scale({scale[0]})">',
        _keyframes("animateTransform", "transform", scale, duration) + ' type="scale"/>',
        f'<g id="world" transform="translate({shift[0]})">',
        _keyframes("animateTransform", "transform", shift, duration) + ' type="translate"/>',
    ]
    out += _ground(framing)
    for actor in range(anim.num_actors):
        out += _actor(anim, framing, actor, duration)
    for k, track in enumerate(framing.balls):
        out += _ball(track, k, duration)
    out.append("</g></g></g>")
    if caption:
        x, y = framing.margin, framing.margin + framing.font_px
        out.append(f'<text x="{x}" y="{y}" font-family="sans-serif" font-size="{framing.font_px}" '
                   f'fill="{hex_colour(INK_COLOURS[TEXT])}">{xml_text(anim.prompt)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _ground(framing: FrameDrawer) -> List[str]:
    """The floor and the ground line under everything the camera ever shows."""
    left = float(framing.x0.min()) - 1.0
    right = float((framing.x0 + framing.width * framing.mpp).max()) + 1.0
    depth = float(framing.height * framing.mpp.max()) + 1.0
    line = max(framing.mpp.max() * max(1, round(min(framing.width, framing.height) / 192)), 1e-3)
    left_t, right_t, depth_t, line_t = number_text(np.array([left, right, depth, line]))
    return [
        f'<rect x="{left_t}" y="-{depth_t}" width="{number_text(np.array([right - left]))[0]}" height="{depth_t}" '
        f'fill="{hex_colour(FLOOR)}"/>',
        f'<line x1="{left_t}" y1="0" x2="{right_t}" y2="0" stroke="{hex_colour(INK_COLOURS[GROUND])}" '
        f'stroke-width="{line_t}"/>',
    ]


def _actor(anim: Animation, framing: FrameDrawer, actor: int, duration: str) -> List[str]:
    """One actor: the keyframed path of its segments and its head circle, in the actor's colour."""
    poses = number_text(anim.frames[:, actor, :])
    paths = [SEGMENT_PATH.format(*poses[i : i + 20]) for i in range(0, len(poses), 20)]
    head_r = framing.head_radii[actor]
    neck = anim.frames[:, actor, list(JOINT_SLOTS["neck"])].astype(np.float64)
    head_x, head_y = number_text(neck[:, 0]), number_text(neck[:, 1] + head_r)
    colour = hex_colour(actor_colour(actor))
    width = number_text(np.array([framing.line_scale[actor], head_r]))
    return [
        f'<g id="actor-{actor + 1}" fill="none" stroke="{colour}" stroke-width="{width[0]}" '
        f'stroke-linecap="round" stroke-linejoin="round">',
        f'<path id="actor-{actor + 1}-body" d="{paths[0]}">',
        _keyframes("animate", "d", paths, duration) + "/>",
        "</path>",
        f'<circle id="actor-{actor + 1}-head" cx="{head_x[0]}" cy="{head_y[0]}" r="{width[1]}">',
        _keyframes("animate", "cx", head_x, duration) + "/>",
        _keyframes("animate", "cy", head_y, duration) + "/>",
        "</circle>",
        "</g>",
    ]


def _ball(track: np.ndarray, k: int, duration: str) -> List[str]:
    """A ball: keyframed centre, hidden on frames where it is not in play (NaN in ``track``)."""
    shown = ~np.isnan(track[:, 0])
    filled = np.where(shown[:, None], track, track[np.argmax(shown)] if shown.any() else 0.0)
    xs, ys = number_text(filled[:, 0]), number_text(filled[:, 1])
    visibility = ["visible" if s else "hidden" for s in shown.tolist()]
    return [
        f'<circle id="ball-{k + 1}" cx="{xs[0]}" cy="{ys[0]}" r="{BALL_RADIUS_M}" '
        f'fill="{hex_colour(INK_COLOURS[BALL])}" visibility="{visibility[0]}">',
        _keyframes("animate", "cx", xs, duration) + "/>",
        _keyframes("animate", "cy", ys, duration) + "/>",
        _keyframes("animate", "visibility", visibility, duration) + "/>",
        "</circle>",
    ]


def render_svg(
    anim: Animation, path: PathLike, size: Size = DEFAULT_SIZE, fps: Optional[int] = None, caption: bool = True
) -> Path:
    """Write ``anim`` as an animated SVG; ``fps`` (default the animation's) sets the playback rate.

    >>> render_svg(anim, "walk.svg")
    PosixPath('walk.svg')
    """
    text = svg_document(anim, size, fps, caption)
    target = Path(path)
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """The registry's writer: :func:`render_svg`."""
    return render_svg(anim, path, size=size, fps=fps, caption=caption)
