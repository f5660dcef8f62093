"""The writer registry: every file format an animation can be saved as, one line each.

A format is a module of this package with a ``write(anim, path, *, size, fps, caption, **options)``
function, and one :class:`Format` line in :data:`REGISTRY` naming it, its extensions and the options
its ``write`` takes. :func:`save_animation`, ``Animation.save``, ``stick-gen generate --format`` and
``stick-gen render --format`` all read the registry, so a new format is one new module and one line.

This module imports nothing heavy (no Pillow, no numpy): the CLI reads :data:`FORMATS` for ``--help``.

>>> format_for("walk.GIF").name, format_for("x.json").name, format_for("x.bin", "bvh").name
('gif', 'lottie', 'bvh')
>>> save_animation(anim, "walk.svg")
PosixPath('walk.svg')
"""

from __future__ import annotations

import importlib
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Union

from ....model.errors import GenerationError

if TYPE_CHECKING:
    from ...animation import Animation, PathLike

DEFAULT_SIZE = 384
Size = Union[int, Tuple[int, int]]


@dataclass(frozen=True)
class Format:
    """One output format: its name, the extensions that choose it, what it is, and its writer's options.

    The writer is ``write`` in the module of this package named ``name``. ``folder`` formats write
    a folder of files rather than one file.
    """

    name: str
    extensions: Tuple[str, ...]
    summary: str
    options: Tuple[str, ...] = ()
    folder: bool = False

    @property
    def extension(self) -> str:
        """The extension a new file of this format gets (the first of :attr:`extensions`)."""
        return self.extensions[0]


REGISTRY: Tuple[Format, ...] = (
    Format("gif", (".gif",), "looping animated GIF"),
    Format("mp4", (".mp4",), "H.264 video"),
    Format("png", (".png",), "filmstrip: evenly spaced frames in a grid"),
    Format("motion", (".motion",), "stick-gen's JSON motion file (re-renders to every other format)"),
    Format("svg", (".svg",), "animated vector SVG (SMIL) that plays in a browser"),
    Format("lottie", (".json", ".lottie.json"), "Lottie JSON (lottie-web, mobile players, After Effects)"),
    Format("openpose", (".openpose",), "folder of OpenPose BODY_18 keypoint JSON per frame", ("images",), True),
    Format("bvh", (".bvh",), "BVH motion capture of a planar rig (Blender, Maya, MotionBuilder)"),
)

FORMATS: Tuple[str, ...] = tuple(f.name for f in REGISTRY)
"""Names of every format, in the order help texts list them."""
_BY_NAME: Dict[str, Format] = {f.name: f for f in REGISTRY}


def describe_formats() -> str:
    """One line listing every format and its extensions, for error messages.

    >>> describe_formats().split(", ")[:2]
    ['gif', 'mp4']
    """
    return ", ".join(f.name if f.extension == f".{f.name}" else f"{f.name} ({f.extension})" for f in REGISTRY)


def format_for(path: "PathLike", format: Optional[str] = None) -> Format:
    """The :class:`Format` that ``format`` names, else the one ``path``'s extension chooses.

    The longest matching extension wins (``x.lottie.json`` before ``x.json``); case does not matter.

    >>> format_for("clip.openpose").folder
    True
    """
    target = Path(path)
    if format:
        found = _BY_NAME.get(format.lower().lstrip("."))
        if found is None:
            raise GenerationError(f"{target}: unknown output format {format!r}; use one of {describe_formats()}")
        return found
    name = target.name.lower()
    matches = [(len(ext), f) for f in REGISTRY for ext in f.extensions if name.endswith(ext) and len(name) > len(ext)]
    if not matches:
        raise GenerationError(
            f"{target}: unknown output format {target.suffix or '(no extension)'!r}; use one of "
            f"{describe_formats()}, by the file's extension or --format"
        )
    return max(matches, key=lambda m: m[0])[1]


def save_animation(
    anim: "Animation",
    path: "PathLike",
    format: Optional[str] = None,
    size: Size = DEFAULT_SIZE,
    fps: Optional[int] = None,
    caption: bool = True,
    **options: Any,
) -> Path:
    """Write ``anim`` in the format ``format`` names or the extension chooses (see :data:`REGISTRY`).

    ``fps`` changes the playback rate of gif, mp4, svg, lottie and bvh (frames are not resampled);
    a ``.motion`` file always stores the animation's own rate. ``options`` go to the format's
    writer (``images=True`` for openpose: rendered skeleton PNGs beside the keypoints).

    >>> save_animation(anim, "out/walk.mp4")
    PosixPath('out/walk.mp4')
    >>> save_animation(anim, "out/walk.openpose", images=True)
    PosixPath('out/walk.openpose')
    """
    spec = format_for(path, format)
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        takes = f"it takes {', '.join(spec.options)}" if spec.options else "it takes none"
        raise GenerationError(f"format {spec.name} has no option {', '.join(unknown)} ({takes})")
    writer = importlib.import_module(f".{spec.name}", __name__).write
    return writer(anim, Path(path), size=size, fps=fps, caption=caption, **options)


def playback_fps(anim: "Animation", fps: Optional[int]) -> int:
    """The frame rate to play ``anim`` at: ``fps`` checked to be 1..240, or the animation's own.

    >>> playback_fps(anim, 50)
    50
    """
    if fps is None:
        return anim.fps
    if isinstance(fps, bool) or not isinstance(fps, numbers.Integral) or not 1 <= fps <= 240:
        raise GenerationError(f"fps must be an integer from 1 to 240; got {fps!r}")
    return int(fps)

