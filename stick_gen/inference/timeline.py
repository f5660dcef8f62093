"""Longer animations: a timeline of prompts laid over windows of the model's clip length.

The model makes clips of a fixed length (10 s at 25 fps). A longer animation, or one whose prompt
changes at given seconds, is made of several *windows* of that length that overlap, all sampled
together (:func:`..inference.sampler.sample_windows`): at every flow step each window predicts the
clean motion of its frames, and the predictions are averaged frame by frame with the windows'
weights, so overlapping windows agree on their shared frames and no seam is left to stitch.

* A :class:`TimelineEntry` says from which second a prompt applies; :func:`parse_timeline` reads
  ``"0: a man walks to the right; 6: he sits down; 12: he waves"``.
* :func:`plan_windows` covers each entry's frames with windows whose weight is 1 inside the entry
  and falls to almost 0 over :data:`TRANSITION_S` seconds outside it (so neighbouring prompts hand
  over smoothly) and near each window's own ends (so windows of one entry blend).

>>> entries = parse_timeline("0: a man walks; 6: he sits down")
>>> [(e.start_s, e.prompt) for e in entries]
[(0.0, 'a man walks'), (6.0, 'he sits down')]
>>> windows = plan_windows(entry_frames(entries, 450, 25), total=450, window=250)
>>> [(w.start, w.entry) for w in windows]
[(0, 0), (135, 1), (200, 1)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from ..model.errors import GenerationError
from ..model.pose import DEFAULT_FPS
from .animation import MAX_TIMELINE_ENTRIES, MOTION_LIMITS

TRANSITION_S = 0.6
"""Seconds over which one prompt hands over to the next (each side of the entry's start)."""
BLEND_FRAMES = 100
"""Frames at each end of a window over which its weight rises from almost 0 to 1 (4 s: neighbouring windows
hand over gradually; with 1 s the largest joint step at a seam reached 2.15x the steps around it on a small
model, with 4 s 1.78x, no more than elsewhere in its motion)."""
MIN_OVERLAP = 0.75
"""Neighbouring windows of one prompt overlap by at least this share of :data:`BLEND_FRAMES`."""
FLOOR = 1e-3
"""Weight of a window's frames outside its entry's reach: never 0, so every frame has a prediction."""
MAX_DURATION_S = MOTION_LIMITS["num_frames"] / DEFAULT_FPS
"""Longest animation made in one call: what a ``.motion`` file holds (3,000 frames, 2 minutes at 25 fps)."""
MAX_ENTRIES = MAX_TIMELINE_ENTRIES
"""Most prompts in one timeline (as many as a ``.motion`` file records)."""

_ENTRY = re.compile(r"^\s*(?P<start>\d+(?:\.\d+)?)\s*(?:s\b)?\s*:\s*(?P<prompt>.*?)\s*$", re.S)


@dataclass(frozen=True)
class TimelineEntry:
    """One prompt of a timeline, applying from ``start_s`` seconds until the next entry starts."""

    start_s: float
    prompt: str


TimelineLike = Union[str, Sequence[Union[TimelineEntry, Tuple[float, str]]]]


def looks_like_timeline(text: str) -> bool:
    """True when ``text`` starts like a timeline (``"0: ..."``), e.g. a line of a prompts file.

    >>> looks_like_timeline("0: a man walks; 5: he waves"), looks_like_timeline("a man walks")
    (True, False)
    """
    return bool(re.match(r"^\s*\d+(?:\.\d+)?\s*(?:s\b)?\s*:", text))


def parse_timeline(timeline: TimelineLike) -> List[TimelineEntry]:
    """Entries of ``timeline``: a string ``"0: prompt; 6: prompt"`` (``;`` or new lines between entries)
    or a sequence of :class:`TimelineEntry` / ``(start_s, prompt)`` pairs.

    The first entry starts at 0 s, starts increase, and every prompt has words; anything else is a
    :class:`GenerationError` naming the entry and the fix.

    >>> parse_timeline([(0, "walks"), (4.5, "waves")])[1]
    TimelineEntry(start_s=4.5, prompt='waves')
    >>> parse_timeline("2: walks")
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.GenerationError: timeline entry 1 starts at 2 s; the first entry must start at 0 (e.g. "0: a man walks; 6: he sits down")
    """
    if isinstance(timeline, str):
        parts = [p for p in re.split(r"[;\n]", timeline) if p.strip()]
        if not parts:
            raise GenerationError('the timeline is empty; write it as "0: a man walks; 6: he sits down"')
        entries = []
        for number, part in enumerate(parts, 1):
            match = _ENTRY.match(part)
            if not match:
                raise GenerationError(f"timeline entry {number} ({part.strip()[:40]!r}) is not 'SECONDS: prompt'; "
                                      f'write the timeline as "0: a man walks; 6: he sits down"')
            entries.append(TimelineEntry(float(match["start"]), match["prompt"]))
    else:
        entries = []
        for number, item in enumerate(timeline, 1):
            if isinstance(item, TimelineEntry):
                entries.append(item)
                continue
            try:
                start, prompt = item
                entries.append(TimelineEntry(float(start), prompt))
            except (TypeError, ValueError):
                raise GenerationError(f"timeline entry {number} is {item!r}; give (start_seconds, prompt) pairs") from None
    if not entries:
        raise GenerationError('the timeline is empty; give at least one entry, e.g. [(0, "a man walks")]')
    if len(entries) > MAX_ENTRIES:
        raise GenerationError(f"the timeline has {len(entries)} entries; give at most {MAX_ENTRIES}")
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry.prompt, str) or not entry.prompt.strip():
            raise GenerationError(f"timeline entry {number} (at {entry.start_s:g} s) has no prompt; "
                                  f"describe a motion after the colon")
        if not np.isfinite(entry.start_s) or entry.start_s < 0:
            raise GenerationError(f"timeline entry {number} starts at {entry.start_s!r} s; give seconds from 0")
    if entries[0].start_s != 0:
        raise GenerationError(f"timeline entry 1 starts at {entries[0].start_s:g} s; the first entry must start at 0 "
                              f'(e.g. "0: a man walks; 6: he sits down")')
    for number in range(1, len(entries)):
        if entries[number].start_s <= entries[number - 1].start_s:
            raise GenerationError(f"timeline entry {number + 1} starts at {entries[number].start_s:g} s, not after "
                                  f"entry {number} ({entries[number - 1].start_s:g} s); list entries in time order")
    return [TimelineEntry(float(e.start_s), e.prompt.strip()) for e in entries]


def default_duration(entries: Sequence[TimelineEntry], clip_s: float = 10.0) -> float:
    """Length of a timeline given no duration: the last entry lasts as long as the entries before it on
    average (a single entry: one clip).

    >>> default_duration(parse_timeline("0: walks; 6: sits down; 12: waves"))
    18.0
    """
    if len(entries) == 1:
        return float(clip_s)
    last = entries[-1].start_s
    return float(last + last / (len(entries) - 1))


def entry_frames(entries: Sequence[TimelineEntry], total: int, fps: int) -> List[Tuple[int, int]]:
    """Frame span ``[start, end)`` of every entry in an animation of ``total`` frames.

    >>> entry_frames(parse_timeline("0: walks; 2: sits"), 100, 25)
    [(0, 50), (50, 100)]
    """
    starts = [int(round(e.start_s * fps)) for e in entries]
    for number, (entry, start) in enumerate(zip(entries, starts), 1):
        if start >= total:
            raise GenerationError(f"timeline entry {number} starts at {entry.start_s:g} s, at or after the end of "
                                  f"the {total / fps:g}-s animation; give a longer duration or drop the entry")
    ends = starts[1:] + [total]
    return list(zip(starts, ends))


@dataclass(frozen=True)
class Window:
    """One model-length window of a long animation: its first frame, its entry, and its frames' weights."""

    start: int
    entry: int
    weight: np.ndarray  # (window,) float32, > 0


def _ramp(distance: np.ndarray, width: float) -> np.ndarray:
    """1 at distance <= 0, falling linearly to :data:`FLOOR` at ``width``."""
    return np.clip(1.0 - distance / max(width, 1.0), FLOOR, 1.0)


def _ease(u: np.ndarray) -> np.ndarray:
    """A smooth rise from :data:`FLOOR` at ``u <= 0`` to 1 at ``u >= 1`` (half a cosine: no kink where it starts)."""
    return np.maximum(0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0)), FLOOR)


def plan_windows(spans: Sequence[Tuple[int, int]], total: int, window: int, fps: int = 25,
                 transition_s: Optional[float] = None, blend: Optional[int] = None) -> List[Window]:
    """Windows of ``window`` frames covering every entry span of an animation of ``total`` frames.

    ``total`` must be at least ``window`` (a shorter animation is one window, cut afterwards). Each
    entry gets the fewest windows that cover its span widened by the transition, overlapping by at
    least :data:`MIN_OVERLAP` of ``blend`` frames (one window fades out while the next fades in). The weight of a window's
    frame is its entry's reach (1 inside the span, falling outside it) times its own blend near its
    ends (none at the animation's ends).

    >>> [w.start for w in plan_windows([(0, 600)], total=600, window=250)]
    [0, 175, 350]
    """
    transition_s = TRANSITION_S if transition_s is None else transition_s
    blend = BLEND_FRAMES if blend is None else blend
    if total < window:
        raise ValueError(f"total={total} frames is shorter than one window ({window})")
    reach = int(round(transition_s * fps))
    windows: List[Window] = []
    for index, (first, end) in enumerate(spans):
        lo, hi = max(0, first - reach), min(total, end + reach)
        overlap = int(round(MIN_OVERLAP * blend))
        count = max(1, int(np.ceil((hi - lo - overlap) / max(1, window - overlap))))
        if hi - lo <= window:
            count = 1
        centre = (lo + hi) / 2
        if count == 1:
            starts = [int(round(centre - window / 2))]
        else:
            starts = np.linspace(lo, hi - window, count).round().astype(int).tolist()
        for start in starts:
            start = int(min(max(start, 0), total - window))
            frames = np.arange(start, start + window)
            outside = np.maximum(first - frames, frames - (end - 1))  # frames beyond the span, > 0 outside
            weight = _ramp(outside.astype(np.float64), reach)
            if start > 0:
                weight = weight * _ease((frames - start + 1) / blend)
            if start + window < total:
                weight = weight * _ease((start + window - frames) / blend)
            windows.append(Window(start, index, weight.astype(np.float32)))
    return windows
