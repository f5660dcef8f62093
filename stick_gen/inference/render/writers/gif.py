"""GIF: every frame over the fixed palette (no quantization), exact clip length, looping.

>>> render_gif(anim, "walk.gif")
PosixPath('walk.gif')
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from ...animation import Animation, PathLike, atomic_output
from ..raster import DEFAULT_SIZE, FrameDrawer, Size
from . import playback_fps


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

    >>> render_gif(anim, "walk.gif")
    PosixPath('walk.gif')
    """
    rate = playback_fps(anim, fps)
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



def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """The registry's writer: :func:`render_gif`."""
    return render_gif(anim, path, size=size, fps=fps, caption=caption)
