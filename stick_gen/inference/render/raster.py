"""Rasterising: poses to pixels over one fixed 64-colour palette.

Every frame is an array of palette indices: a background, a floor, and for each ink (ground, text,
ball, eight actor colours) :data:`INK_LEVELS` blends of that ink over the background. Shapes are
drawn at twice the size and each 2x2 block's coverage picks the blend level, so lines are
anti-aliased while a GIF needs no colour quantization at all (the costly part of writing GIFs).
The camera (:mod:`.camera`) follows all actors; the ball (:mod:`.ball`) is simulated from the actions.

>>> drawer = FrameDrawer(anim, size=384)
>>> drawer.image(0).size
(384, 384)
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Dict, Iterator, Optional, Sequence, Tuple, Union

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ...model.errors import GenerationError
from ...model.pose import HEAD_RADIUS
from ..animation import Animation
from .ball import BALL_RADIUS_M, ball_tracks
from .camera import body_heights, follow_camera
from .writers import DEFAULT_SIZE, Size

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
GROUND_TICK_STEPS = (1, 2, 5, 10, 20, 50, 100)
"""Metres between the ground's ticks: the first of these at least :data:`GROUND_TICK_MIN_PX` pixels apart."""
GROUND_TICK_MIN_PX = 24
INK_LEVELS = 4
"""Anti-aliasing steps per ink: level ``k`` is ``k / 4`` of the ink over the background, one per
sample of the 2x2 supersampling that covers the pixel."""


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


def hex_colour(rgb: Sequence[int]) -> str:
    """``#rrggbb`` of an RGB triple, for vector formats.

    >>> hex_colour(BACKGROUND)
    '#fafaf7'
    """
    return "#" + "".join(f"{int(c):02x}" for c in rgb)


@lru_cache(maxsize=64)
def _ink_lut(ink: int) -> np.ndarray:
    """Coverage 0..255 (anti-aliased text) -> palette index of ``ink``, 0 where nothing is drawn."""
    levels = np.round(np.arange(256) / 255.0 * INK_LEVELS).astype(np.int64)
    return np.where(levels > 0, ink_index(ink, 1) - 1 + levels, 0).astype(np.uint8)


def palette_image(indices: np.ndarray) -> Image.Image:
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


def put_text(canvas: np.ndarray, text: str, x: int, y: int, ink: int, px: int, max_width: int) -> int:
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


def frame_size(size: Size) -> Tuple[int, int]:
    """``size`` (an int for a square, or ``(width, height)``) checked to lie in 32..4096 pixels."""
    pair = (size, size) if isinstance(size, (int, np.integer)) and not isinstance(size, bool) else size
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 32 <= v <= 4096 for v in pair)
    ):
        raise GenerationError(f"size must be pixels from 32 to 4096, an int or (width, height); got {size!r}")
    return int(pair[0]), int(pair[1])



class FrameDrawer:
    """Draws the frames of one animation at one size: camera, body sizes and ball paths worked out once.

    >>> drawer = FrameDrawer(anim, size=384)
    >>> drawer.image(0).size
    (384, 384)
    """

    def __init__(self, anim: Animation, size: Size = DEFAULT_SIZE, caption: bool = True) -> None:
        self.anim = anim
        self.width, self.height = frame_size(size)
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
        self.ground_px = max(1, round(short / 192))  # thickness of the ground line
        self.ground_tick_px = max(2, 3 * self.ground_px)
        view = (self.width, self.height - band)
        self.x0, self.y0, self.mpp = follow_camera(anim.frames, self.heights, anim.fps, view)
        self.balls = ball_tracks(anim)
        self.labels = anim.action_names if caption else None

    def _draw_ground(self, canvas: np.ndarray, t: int) -> None:
        row = round(self.height - (0.0 - self.y0[t]) / self.mpp[t])
        if row >= self.height:
            return
        row = max(row, 0)
        thick = self.ground_px
        canvas[row:, :] = FLOOR_INDEX
        canvas[row : row + thick, :] = ink_index(GROUND)
        # Metre ticks make the ground visibly slide when the camera follows a walker.
        step = next((s for s in GROUND_TICK_STEPS if s / self.mpp[t] >= GROUND_TICK_MIN_PX), 1e9)
        first = math.ceil(self.x0[t] / step) * step
        ticks = np.arange(first, self.x0[t] + self.width * self.mpp[t], step)
        cols = np.round((ticks - self.x0[t]) / self.mpp[t]).astype(int)
        tick_len = self.ground_tick_px
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
            put_text(band, key[0], self.margin, self.margin, TEXT, self.font_px, self.width - 2 * self.margin)
            x = self.margin
            for actor, name in enumerate(key[1]):
                room = self.width - self.margin - x
                x = put_text(band, name, x, self.margin + self.line_gap, actor_ink(actor), self.font_px, room)
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
        return palette_image(self.indices(t))


def render_frames(anim: Animation, size: Size = DEFAULT_SIZE, caption: bool = True) -> Iterator[Image.Image]:
    """Every frame of ``anim`` as a 'P' image (fixed palette), in order.

    >>> next(render_frames(anim, size=128)).size
    (128, 128)
    """
    drawer = FrameDrawer(anim, size, caption)
    for t in range(anim.num_frames):
        yield drawer.image(t)


def draw_frame(anim: Animation, frame: int, size: Size = DEFAULT_SIZE, caption: bool = True) -> Image.Image:
    """Frame ``frame`` of ``anim`` as an RGB image, framed as in the whole clip.

    >>> draw_frame(anim, 0).save("first.png")
    """
    if not -anim.num_frames <= frame < anim.num_frames:
        raise GenerationError(f"frame {frame} does not exist: the animation has {anim.num_frames} frames")
    return FrameDrawer(anim, size, caption).image(frame % anim.num_frames).convert("RGB")

