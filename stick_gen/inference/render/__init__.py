"""Drawing and exporting animations, one module per concern.

- :mod:`.camera`: body sizes and the following camera every renderer frames a clip with
- :mod:`.ball`: where the ball is (a small flight simulator driven by the ball actions)
- :mod:`.raster`: poses to pixels over one fixed palette (:class:`FrameDrawer`)
- :mod:`.contact_sheet`: many clips in one PNG, each as a fading trail
- :mod:`.writers`: the file formats, one module each, and the registry that maps names and
  extensions to them (:func:`save_animation`)

Every public name of these modules is importable from here; each is imported on first use, so
``stick-gen --help`` reads the format list without loading Pillow.

>>> save_animation(anim, "walk.gif")
PosixPath('walk.gif')
>>> save_animation(anim, "walk.mp4", size=512)
PosixPath('walk.mp4')
>>> render_contact_sheet([("walk", walk_frames), ("jump", jump_frames)], "sheet.png")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, List

_MODULE_OF: Dict[str, str] = {
    **dict.fromkeys(("body_heights", "joint_positions", "world_bounds", "fit_view", "follow_camera"), "camera"),
    **dict.fromkeys(("BALL_RADIUS_M", "GRAVITY", "ball_action_names", "ball_tracks"), "ball"),
    **dict.fromkeys(
        (
            "BACKGROUND", "FLOOR", "GROUND", "TEXT", "BALL", "INK_COLOURS", "FIRST_ACTOR_INK", "INK_LEVELS", "PALETTE",
            "FLOOR_INDEX", "GROUND_TICK_STEPS", "GROUND_TICK_MIN_PX", "Line", "Circle", "ink_index", "actor_ink",
            "actor_colour", "hex_colour", "palette_image", "put_text",
            "frame_size", "FrameDrawer", "render_frames", "draw_frame",
        ),
        "raster",
    ),  # fmt: skip
    **dict.fromkeys(("TRAIL_SPAN", "render_contact_sheet"), "contact_sheet"),
    **dict.fromkeys(
        ("DEFAULT_SIZE", "Size", "Format", "REGISTRY", "FORMATS", "describe_formats", "format_for", "save_animation",
         "playback_fps"),
        "writers",
    ),
    **dict.fromkeys(("gif_delays_ms", "render_gif"), "writers.gif"),
    **dict.fromkeys(("MP4_ENCODER", "render_mp4"), "writers.mp4"),
    "render_png": "writers.png",
}
"""Which submodule defines each public name."""

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
