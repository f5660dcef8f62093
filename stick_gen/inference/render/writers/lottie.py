"""Lottie JSON: the vector animation format of lottie-web, the Android/iOS players and After Effects.

Layers, top to bottom: one shape layer per ball, one per actor (its five segments from
:data:`...model.pose.SEGMENTS` as two-point paths, a head ellipse, one stroke in the actor's
colour), the ground, and a background solid. Shapes keep world coordinates (metres, y up); every
shape layer is parented to a null layer "camera" whose keyframed anchor and scale are the
following camera of the other renderers (a negative y scale turns y up into the screen's y down).
Keyframes are hold keyframes, one per frame, so players show exactly the frames of the GIF.
Lottie text needs embedded fonts, so the caption is left out.

>>> render_lottie(anim, "walk.json")
PosixPath('walk.json')
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ....model.pose import JOINT_SLOTS, SEGMENTS, segment_slots
from ...animation import Animation, PathLike, atomic_output
from ..ball import BALL_RADIUS_M
from ..raster import BACKGROUND, BALL, FLOOR, GROUND, INK_COLOURS, FrameDrawer, actor_colour, hex_colour
from . import DEFAULT_SIZE, Size, playback_fps

LOTTIE_VERSION = "5.7.4"
DECIMALS = 4
"""World coordinates are written to 0.1 mm, the precision of a ``.motion`` file."""
Json = Dict[str, Any]


def _rgba(rgb: Sequence[int]) -> List[float]:
    return [round(c / 255, 4) for c in rgb] + [1.0]


def _static(value: Any) -> Json:
    return {"a": 0, "k": value}


def _held(values: Sequence[Any]) -> Json:
    """An animated property with one hold keyframe per frame (static when every frame agrees)."""
    if all(v == values[0] for v in values[1:]):
        return _static(values[0])
    return {"a": 1, "k": [{"t": t, "s": v if isinstance(v, list) else [v], "h": 1} for t, v in enumerate(values)]}


def _transform(**animated: Json) -> Json:
    """A layer or group transform: identity, with the given properties replaced."""
    transform = {"a": _static([0, 0, 0]), "p": _static([0, 0, 0]), "s": _static([100, 100, 100]),
                 "r": _static(0), "o": _static(100)}
    transform.update(animated)
    return transform


def _layer(index: int, kind: int, name: str, num_frames: int, parent: Optional[int], **fields: Any) -> Json:
    layer = {"ddd": 0, "ind": index, "ty": kind, "nm": name, "sr": 1, "ao": 0, "ip": 0, "op": num_frames,
             "st": 0, "bm": 0, "ks": fields.pop("ks", _transform())}
    if parent is not None:
        layer["parent"] = parent
    layer.update(fields)
    return layer


def _group(name: str, items: List[Json]) -> Json:
    return {"ty": "gr", "nm": name, "it": items + [{"ty": "tr", **_transform()}]}


def _segment_path(name: str, ends: np.ndarray) -> Json:
    """A two-point open path per frame from ``ends`` ``[T, 4]`` (x1, y1, x2, y2)."""
    zero = [[0, 0], [0, 0]]
    shapes = [{"c": False, "v": [[x1, y1], [x2, y2]], "i": zero, "o": zero} for x1, y1, x2, y2 in ends.tolist()]
    return {"ty": "sh", "nm": name, "ks": _held(shapes)}


def lottie_document(anim: Animation, size: Size = DEFAULT_SIZE, fps: Optional[int] = None) -> Json:
    """The Lottie JSON of ``anim`` as plain Python data (see the module docstring).

    >>> lottie_document(anim)["fr"]
    25
    """
    rate = playback_fps(anim, fps)
    framing = FrameDrawer(anim, size, caption=False)
    count, height = anim.num_frames, framing.height
    frames = np.round(anim.frames.astype(np.float64), DECIMALS) + 0.0  # (T, A, 20)
    anchor = np.round(np.stack([framing.x0, framing.y0, np.zeros(count)], axis=1), 6) + 0.0
    scale = np.round(100.0 / framing.mpp, 6)
    camera = _transform(
        a=_held(anchor.tolist()),
        p=_static([0, height, 0]),
        s=_held(np.stack([scale, -scale, np.full(count, 100.0)], axis=1).tolist()),
    )
    layers = [_layer(1, 3, "camera", count, None, ks=camera)]
    for k, track in enumerate(framing.balls):
        layers.append(_ball_layer(len(layers) + 1, k, track, count))
    for actor in range(anim.num_actors):
        layers.append(_actor_layer(len(layers) + 1, actor, frames[:, actor], framing, count))
    layers.append(_ground_layer(len(layers) + 1, framing, count))
    layers.append(_layer(len(layers) + 1, 1, "background", count, None, sc=hex_colour(BACKGROUND),
                         sw=framing.width, sh=height))
    return {
        "v": LOTTIE_VERSION, "fr": rate, "ip": 0, "op": count, "w": framing.width, "h": height,
        "nm": anim.prompt, "ddd": 0, "assets": [], "layers": layers,
        "meta": {"g": "stick-gen", "d": anim.prompt},
    }


def _actor_layer(index: int, actor: int, poses: np.ndarray, framing: FrameDrawer, count: int) -> Json:
    """Shape layer of one actor: its segments and head, stroked in its colour (poses ``[T, 20]``)."""
    head_r = round(framing.head_radii[actor], DECIMALS)
    items = [_segment_path(name, poses[:, segment_slots(name)]) for name, _, _ in SEGMENTS]
    neck = poses[:, list(JOINT_SLOTS["neck"])]  # (T, 2)
    centres = (np.round(neck + [0.0, head_r], DECIMALS) + 0.0).tolist()
    items.append({"ty": "el", "nm": "head", "p": _held(centres), "s": _static([2 * head_r, 2 * head_r])})
    items.append({"ty": "st", "nm": "stroke", "c": _static(_rgba(actor_colour(actor))), "o": _static(100),
                  "w": _static(round(framing.line_scale[actor], DECIMALS)), "lc": 2, "lj": 2})
    return _layer(index, 4, f"actor {actor + 1}", count, 1, shapes=[_group(f"actor {actor + 1}", items)])


def _ball_layer(index: int, k: int, track: np.ndarray, count: int) -> Json:
    """Shape layer of one ball: a filled disc, transparent on frames where the ball is not in play."""
    shown = ~np.isnan(track[:, 0])
    filled = np.where(shown[:, None], track, track[np.argmax(shown)] if shown.any() else 0.0)
    items = [
        {"ty": "el", "nm": "ball", "p": _held((np.round(filled, DECIMALS) + 0.0).tolist()),
         "s": _static([2 * BALL_RADIUS_M, 2 * BALL_RADIUS_M])},
        {"ty": "fl", "nm": "fill", "c": _static(_rgba(INK_COLOURS[BALL])), "o": _static(100), "r": 1},
    ]
    opacity = _held([100 if s else 0 for s in shown.tolist()])
    return _layer(index, 4, f"ball {k + 1}", count, 1, ks=_transform(o=opacity), shapes=[_group("ball", items)])


def _ground_layer(index: int, framing: FrameDrawer, count: int) -> Json:
    """Floor and ground line under everything the camera ever shows."""
    left = float(framing.x0.min()) - 1.0
    right = float((framing.x0 + framing.width * framing.mpp).max()) + 1.0
    depth = float(framing.height * framing.mpp.max()) + 1.0
    line = float(framing.mpp.max()) * max(1, round(min(framing.width, framing.height) / 192))
    zero = [[0, 0], [0, 0]]
    floor = [
        {"ty": "rc", "nm": "floor", "p": _static([(left + right) / 2, -depth / 2]), "s": _static([right - left, depth]),
         "r": _static(0)},
        {"ty": "fl", "nm": "fill", "c": _static(_rgba(FLOOR)), "o": _static(100), "r": 1},
    ]
    ground = [
        {"ty": "sh", "nm": "ground", "ks": _static({"c": False, "v": [[left, 0], [right, 0]], "i": zero, "o": zero})},
        {"ty": "st", "nm": "stroke", "c": _static(_rgba(INK_COLOURS[GROUND])), "o": _static(100), "w": _static(line),
         "lc": 1, "lj": 1},
    ]
    return _layer(index, 4, "ground", count, 1, shapes=[_group("ground line", ground), _group("floor", floor)])


def render_lottie(anim: Animation, path: PathLike, size: Size = DEFAULT_SIZE, fps: Optional[int] = None) -> Path:
    """Write ``anim`` as Lottie JSON; ``fps`` (default the animation's) sets the playback rate.

    >>> render_lottie(anim, "walk.json", size=512)
    PosixPath('walk.json')
    """
    text = json.dumps(lottie_document(anim, size, fps), separators=(",", ":"), ensure_ascii=False)
    target = Path(path)
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """The registry's writer: :func:`render_lottie` (Lottie has no caption: text needs embedded fonts)."""
    return render_lottie(anim, path, size=size, fps=fps)
