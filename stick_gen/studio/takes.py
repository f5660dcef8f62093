"""What the studio does with a request, without any web code: generate a take, play a ``.motion``
file, write the downloads. The page (``app.py``) is a thin layer over these functions.

A *take* is one animation and what the page shows of it: the poses for the page's canvas player
(:mod:`.player`), which plays them as soon as they arrive, the per-actor action labels, and later the
downloads (GIF, MP4, ``.motion``) and the filmstrip, written by the same renderer as ``stick-gen generate``.

>>> request = TakeRequest("A person walks forward and waves", seed=0)
>>> take = generate_take(pipe, request, Workspace.create().new_folder())   # doctest: +SKIP
>>> downloads = write_downloads(take.animation, request.size, take.folder)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from ..errors import GenerationError
from .player import player_document

MAX_PROMPT_CHARS = 100_000
"""As ``stick-gen generate``: a longer prompt is refused."""
MAX_SEED = 2**63 - 1
SIZES = (128, 192, 256, 320, 384, 448, 512, 640, 768)
"""Frame sizes the page offers (pixels, square)."""
DEFAULT_SIZE = 384
ACTOR_CHOICES = ("auto", "1", "2", "3")
KEEP_FOLDERS = 64
"""Take folders kept on disk; older ones are removed (the page has already copied what it shows)."""


@dataclass(frozen=True)
class TakeRequest:
    """One Generate click: what the page's controls hold, checked by :meth:`checked`."""

    prompt: str
    seed: Union[int, float, None] = 0
    actors: str = "auto"
    duration_s: Union[float, int, None] = 10.0
    size: Union[int, float, str, None] = DEFAULT_SIZE

    def checked(self, max_seconds: float) -> "TakeRequest":
        """The same request with numbers as numbers; one :class:`GenerationError` line for any bad value.

        >>> TakeRequest("a person waves", seed=3.0, size="256").checked(10.0).size
        256
        """
        prompt = self.prompt if isinstance(self.prompt, str) else ""
        if not prompt.strip():
            raise GenerationError('the prompt is empty: describe a motion, e.g. "A person walks forward and waves"')
        if len(prompt) > MAX_PROMPT_CHARS:
            raise GenerationError(f"the prompt is {len(prompt):,} characters long; give at most {MAX_PROMPT_CHARS:,}")
        seed = _whole(self.seed, "seed")
        if not 0 <= seed <= MAX_SEED:
            raise GenerationError(f"seed {seed}: a seed is a whole number from 0 to {MAX_SEED}")
        if self.actors not in ACTOR_CHOICES:
            raise GenerationError(f"actors {str(self.actors)[:20]!r}: choose one of {', '.join(ACTOR_CHOICES)}")
        duration = _number(self.duration_s, "duration")
        if not 0 < duration <= max_seconds:
            raise GenerationError(f"duration {duration:g} s: choose more than 0 and at most {max_seconds:g} s "
                                  f"(the model's clip length)")
        return TakeRequest(prompt.strip(), seed, self.actors, duration, check_size(self.size))

    @property
    def num_actors(self) -> Optional[int]:
        return None if self.actors == "auto" else int(self.actors)


def check_size(size: object) -> int:
    """A frame size from the page as an int, one of :data:`SIZES`.

    >>> check_size("256")
    256
    """
    side = _whole(size, "frame size")
    if side not in SIZES:
        raise GenerationError(f"frame size {side}: choose one of {', '.join(map(str, SIZES))} pixels")
    return side


def _number(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise GenerationError(f"{name} {str(value)[:20]!r} is not a number") from None
    if not math.isfinite(number):
        raise GenerationError(f"{name} {value!r} is not a finite number")
    return number


def _whole(value: object, name: str) -> int:
    if isinstance(value, str):
        value = value.strip()
    number = _number(value, name)
    if number != int(number):
        raise GenerationError(f"{name} {number:g} is not a whole number")
    return int(number)


@dataclass
class Take:
    """An animation on screen: the canvas player's document, its action labels, where its files go."""

    animation: object
    """The :class:`~stick_gen.inference.animation.Animation`."""
    player: Dict[str, Any]
    """:func:`~.player.player_document` of the animation at the frame size asked for."""
    labels: str
    folder: Path
    notes: List[str] = field(default_factory=list)
    """Warnings worth showing (a prompt without words, a prompt cut short by the encoder)."""


@dataclass
class Downloads:
    """The files of a take, written by the renderer ``stick-gen generate`` uses."""

    gif: Optional[Path]
    mp4: Optional[Path]
    motion: Optional[Path]
    filmstrip: Path

    def files(self) -> List[Path]:
        return [p for p in (self.gif, self.mp4, self.motion) if p is not None]


class Workspace:
    """A private temporary folder holding one numbered folder per take; keeps the newest :data:`KEEP_FOLDERS`.

    >>> space = Workspace.create(); folder = space.new_folder(); folder.is_dir()
    True
    >>> space.remove()
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self._lock = threading.Lock()

    @classmethod
    def create(cls) -> "Workspace":
        return cls(Path(tempfile.mkdtemp(prefix="stick-gen-studio-")))

    def new_folder(self) -> Path:
        with self._lock:
            self._count += 1
            folder = self.root / f"take-{self._count:06d}"
            folder.mkdir()
            for old in sorted(self.root.glob("take-*"))[:-KEEP_FOLDERS]:
                shutil.rmtree(old, ignore_errors=True)
        return folder

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def generate_take(pipe, request: TakeRequest, folder: Path) -> Take:
    """Generate ``request`` with ``pipe``: the take to play (its files go to ``folder`` later, :func:`write_downloads`).

    >>> take = generate_take(pipe, TakeRequest("Two people playing catch", seed=3), folder)  # doctest: +SKIP
    >>> take.animation.num_actors                                                           # doctest: +SKIP
    2
    """
    from ..inference.text_encoder import prompt_has_words

    request = request.checked(pipe.model.config["max_frames"] / pipe.fps)
    notes = []
    if not prompt_has_words(request.prompt):
        notes.append("nothing in the prompt was understood (it has no words, only punctuation or symbols): "
                     "the motion is a guess. Describe it in words")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anim = pipe(request.prompt, seed=request.seed, num_actors=request.num_actors, duration_s=request.duration_s)
    notes += list(dict.fromkeys(str(w.message) for w in caught))
    return Take(anim, player_document(anim, int(request.size)), action_labels(anim), folder, notes)


def open_motion(path: Union[str, Path], size: int, folder: Path) -> Take:
    """A ``.motion`` file as a take, read and checked exactly as ``stick-gen`` reads one (``load_motion``).

    >>> take = open_motion("walk.motion", 384, folder)  # doctest: +SKIP
    """
    from ..inference.animation import load_motion

    size = check_size(size)
    anim = load_motion(path)
    return Take(anim, player_document(anim, size), action_labels(anim), folder)


def write_downloads(anim, size: int, folder: Path, stem: str, motion: bool = True) -> Downloads:
    """GIF, MP4, ``.motion`` (unless ``motion`` is False) and the filmstrip PNG of ``anim`` in ``folder``."""
    from ..inference.render import save_animation

    gif = save_animation(anim, folder / f"{stem}.gif", size=size)
    mp4 = save_animation(anim, folder / f"{stem}.mp4", size=size)
    saved_motion = save_animation(anim, folder / f"{stem}.motion") if motion else None
    strip = save_animation(anim, folder / f"{stem}_filmstrip.png", size=size)
    return Downloads(gif, mp4, saved_motion, strip)


def file_stem(prompt: str, seed: Optional[int]) -> str:
    """Download name: the prompt's first words and the seed.

    >>> file_stem("Two people playing catch!", 3)
    'two_people_playing_catch_seed3'
    """
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in prompt.lower()).split()
    stem = "_".join(words[:6])[:48].rstrip("_") or "animation"
    return stem + (f"_seed{seed}" if seed is not None else "")


def action_labels(anim) -> str:
    """Markdown: each actor, in its colour, with its actions and when they happen.

    >>> print(action_labels(anim))
    <span style="color:#1f4e9c">&#9632;</span> **Actor 1**: throw 0.0-10.0 s
    """
    from ..inference.render import actor_colour

    lines = []
    for actor in range(anim.num_actors):
        r, g, b = actor_colour(actor)
        runs = ", ".join(f"{name.replace('_', ' ')} {start / anim.fps:.1f}-{end / anim.fps:.1f} s"
                         for name, start, end in anim.action_segments(actor))
        swatch = f'<span style="color:#{r:02x}{g:02x}{b:02x}">&#9632;</span>'
        lines.append(f"{swatch} **Actor {actor + 1}**: {runs}")
    return "  \n".join(lines)

