"""The ``.motion`` JSON file (written by :func:`...animation.save_motion`), as a registry format.

>>> write(anim, Path("walk.motion"), size=384, fps=None, caption=True)
PosixPath('walk.motion')
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ....model.errors import GenerationError
from ...animation import Animation, save_motion
from . import Size


def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """Save ``anim`` as ``.motion``; ``size`` and ``caption`` do not apply, a different ``fps`` is refused."""
    if fps is not None and fps != anim.fps:
        raise GenerationError(
            f"a .motion file stores the animation's own {anim.fps} fps; drop fps={fps} or save a gif/mp4"
        )
    return save_motion(anim, path)
