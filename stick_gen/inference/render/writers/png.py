"""PNG filmstrip: evenly spaced frames in a grid, each labelled with its time.

>>> render_png(anim, "walk.png", size=256)
PosixPath('walk.png')
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import numpy as np

from ....model.errors import GenerationError
from ...animation import Animation, PathLike, atomic_output
from ..raster import DEFAULT_SIZE, GROUND, TEXT, FrameDrawer, Size, ink_index, palette_image, put_text
from . import playback_fps


def render_png(
    anim: Animation,
    path: PathLike,
    size: Size = DEFAULT_SIZE,
    panels: int = 8,
    columns: int = 4,
    caption: bool = True,
) -> Path:
    """Write a filmstrip PNG: ``panels`` evenly spaced frames in a grid, each labelled with its time.

    >>> render_png(anim, "walk.png", size=256)
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
        put_text(sheet, anim.prompt, drawer.margin, drawer.margin, TEXT, drawer.font_px, room)
    for k, t in enumerate(picks):
        top = header + gap + (k // columns) * (drawer.height + gap)
        left = gap + (k % columns) * (drawer.width + gap)
        panel = drawer.indices(t, headline=f"{t / anim.fps:.2f} s  (frame {t})")
        sheet[top : top + drawer.height, left : left + drawer.width] = panel
    target = Path(path)
    with atomic_output(target) as tmp:
        palette_image(sheet).save(tmp, format="PNG", optimize=False)
    return target



def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """The registry's writer: :func:`render_png`; ``fps`` is only checked (a filmstrip does not play)."""
    playback_fps(anim, fps)
    return render_png(anim, path, size=size, caption=caption)
