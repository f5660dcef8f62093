"""The page's animation player: a take as a small JSON document that a ``<canvas>`` draws in the browser.

The server sends the poses, not pixels, so the animation plays as soon as it is generated: no frames to
draw and no video to encode first (the GIF and MP4 downloads are rendered afterwards). Everything the
canvas needs to draw exactly what the renderer's :class:`~stick_gen.inference.render.FrameDrawer`
draws comes from that drawer and from :mod:`stick_gen.model.pose`: the following camera of every frame,
body sizes, line widths, colours, the ball's path, the caption's layout, and the pose layout itself
(which of the 20 values are which segment), so ``player.js`` holds no fact of its own, only drawing.

>>> document = player_document(anim, size=384)  # doctest: +SKIP
>>> document["num_frames"], len(document["poses"]), len(document["poses"][0][0])  # doctest: +SKIP
(250, 250, 20)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

PLAYER_VERSION = 1
"""Bumped whenever the document's fields change meaning (``player.js`` reads this version)."""
POSE_UNIT = 0.001
"""Poses and ball positions travel as whole millimetres (``value * POSE_UNIT`` is metres)."""

PLAYER_HTML = """<div class="stick-player">
<div class="stick-stage"><canvas width="384" height="384"></canvas>
<p class="stick-empty">The animation plays here.</p></div>
<div class="stick-controls" hidden>
<button type="button" class="stick-toggle">Pause</button>
<input type="range" class="stick-seek" min="0" max="0" value="0" step="1" aria-label="Frame">
<label><input type="checkbox" class="stick-loop" checked> Loop</label>
<span class="stick-time">0.00 s</span>
</div>
</div>"""
"""The player's markup (a Gradio ``HTML`` template: static, the document arrives as the component's value)."""

PLAYER_CSS = """
.stick-stage { position: relative; }
.stick-stage canvas { display: block; max-width: 100%; height: auto; margin: 0 auto; background: #fafaf7; }
.stick-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  margin: 0; color: #6b6b70; }
.stick-empty[hidden] { display: none; }
.stick-controls { display: flex; align-items: center; gap: 0.6em; margin-top: 0.4em; }
.stick-controls[hidden] { display: none; }
.stick-seek { flex: 1; }
.stick-time { font-variant-numeric: tabular-nums; min-width: 4.5em; text-align: right; }
"""


@lru_cache(maxsize=1)
def player_script() -> str:
    """The canvas player, ``player.js`` beside this file (the body of a Gradio ``js_on_load``)."""
    return Path(__file__).with_name("player.js").read_text(encoding="utf-8")


def pose_layout() -> Dict[str, Any]:
    """Where the canvas finds each segment and joint in a pose's 20 values, read from :mod:`..model.pose`.

    >>> pose_layout()["segments"][0], pose_layout()["neck"], pose_layout()["hip"]
    ([0, 1, 2, 3], [0, 1], [2, 3])
    """
    from ..model.pose import JOINT_SLOTS, POSE_DIM, POSE_LAYOUT_VERSION, SEGMENTS, segment_slots

    return {
        "version": POSE_LAYOUT_VERSION,
        "values_per_actor": POSE_DIM,
        "segments": [list(range(segment_slots(name).start, segment_slots(name).stop)) for name, _, _ in SEGMENTS],
        "neck": list(JOINT_SLOTS["neck"]),  # the head sits above it; a round joint
        "hip": list(JOINT_SLOTS["hip"]),  # a round joint
    }


def _millimetres(values: np.ndarray) -> List[Any]:
    """Metres (finite) as nested lists of whole millimetres."""
    return np.round(np.asarray(values, dtype=np.float64) / POSE_UNIT).astype(np.int64).tolist()


def _ball_track(track: np.ndarray) -> Dict[str, Any]:
    """A ball's ``[T, 2]`` track (NaN where it is not in play) as ``{"start": first frame, "xy": [...]}``: the
    frames from its first to its last in play, in millimetres (None on a frame inside them without the ball)."""
    shown = np.flatnonzero(~np.isnan(track[:, 0]))
    if shown.size == 0:
        return {"start": 0, "xy": []}
    span = track[shown[0] : shown[-1] + 1]
    if shown.size == len(span):
        return {"start": int(shown[0]), "xy": _millimetres(span)}
    return {"start": int(shown[0]), "xy": [None if np.isnan(x) else _millimetres(np.array([x, y]))
                                           for x, y in span.tolist()]}


def player_document(anim, size: int = 384, caption: bool = True) -> Dict[str, Any]:
    """``anim`` as the canvas player's JSON document, framed for a ``size`` x ``size`` canvas.

    ``poses`` is ``[T][A][20]`` whole millimetres; ``camera`` holds, per frame, the world point at the
    canvas's bottom left (``x0``, ``y0``, metres) and metres per pixel (``mpp``); ``actions`` is each
    actor's runs ``[name, start frame, end frame)``; ``balls`` each ball's frames in play (:func:`_ball_track`).

    >>> doc = player_document(anim, 256)  # doctest: +SKIP
    >>> doc["fps"], doc["width"], len(doc["camera"]["mpp"]) == doc["num_frames"]  # doctest: +SKIP
    (25, 256, True)
    """
    from ..inference.render import (
        BACKGROUND, BALL, BALL_RADIUS_M, FLOOR, GROUND, GROUND_TICK_MIN_PX, GROUND_TICK_STEPS, INK_COLOURS, PALETTE,
        TEXT, FrameDrawer, actor_colour, hex_colour, ink_index,
    )

    drawer = FrameDrawer(anim, size, caption)
    tick = ink_index(GROUND, 3)  # the ticks are a lighter ground, as the raster draws them
    return {
        "player_version": PLAYER_VERSION,
        "prompt": anim.prompt,
        "fps": int(anim.fps),
        "num_frames": anim.num_frames,
        "num_actors": anim.num_actors,
        "width": drawer.width,
        "height": drawer.height,
        "unit": POSE_UNIT,
        "layout": pose_layout(),
        "poses": _millimetres(anim.frames),
        "camera": {
            "x0": np.round(drawer.x0, 4).tolist(),
            "y0": np.round(drawer.y0, 4).tolist(),
            "mpp": [float(f"{v:.6g}") for v in drawer.mpp.tolist()],
        },
        "actors": {
            "colour": [hex_colour(actor_colour(a)) for a in range(anim.num_actors)],
            "head_radius_m": [round(r, 5) for r in drawer.head_radii],
            "line_width_m": [round(w, 5) for w in drawer.line_scale],
            "max_line_px": drawer.max_line_px,
        },
        "actions": [[list(run) for run in anim.action_segments(a)] for a in range(anim.num_actors)],
        "balls": [_ball_track(track) for track in drawer.balls],
        "ball_radius_m": BALL_RADIUS_M,
        "ground": {"line_px": drawer.ground_px, "tick_px": drawer.ground_tick_px,
                   "tick_steps_m": list(GROUND_TICK_STEPS), "tick_min_px": GROUND_TICK_MIN_PX},
        "caption": ({"font_px": drawer.font_px, "margin": drawer.margin, "line_gap": drawer.line_gap}
                    if caption else None),
        "colours": {
            "background": hex_colour(BACKGROUND), "floor": hex_colour(FLOOR), "ground": hex_colour(INK_COLOURS[GROUND]),
            "tick": hex_colour(PALETTE[3 * tick : 3 * tick + 3]), "text": hex_colour(INK_COLOURS[TEXT]),
            "ball": hex_colour(INK_COLOURS[BALL]),
        },
    }
