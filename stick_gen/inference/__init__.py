"""Prompt -> animation: text encoder, pipeline, Animation and renderers.

>>> from stick_gen.inference import StickGenPipeline
"""

from __future__ import annotations

from typing import Any

__all__ = ["StickGenPipeline", "Animation", "save_animation", "load_motion"]


def __getattr__(name: str) -> Any:  # imported on first use: keeps `import stick_gen.inference` cheap
    if name == "StickGenPipeline":
        from .pipeline import StickGenPipeline

        return StickGenPipeline
    if name == "Animation":
        from .animation import Animation

        return Animation
    if name == "load_motion":
        from .animation import load_motion

        return load_motion
    if name == "save_animation":
        from .render import save_animation

        return save_animation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
