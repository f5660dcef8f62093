"""Render or convert a .motion file: GIF, MP4, PNG, SVG, Lottie JSON, OpenPose keypoints, BVH.

Generating and rendering are separate steps: `stick-gen generate ... -o x.motion` once, then render
it as often as you like. The format follows the output's extension or --format.

examples:
  stick-gen render walk.motion -o walk.mp4 --size 512
  stick-gen render walk.motion -o walk.svg                      # animated vector, plays in a browser
  stick-gen render walk.motion -o walk.json                     # Lottie
  stick-gen render walk.motion -o walk.bvh                      # Blender: File > Import > Motion Capture (.bvh)
  stick-gen render walk.motion -o walk.openpose --openpose-images   # folder: keypoint JSON + skeleton PNG per frame
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Tuple, Union

from ..inference.render.writers import DEFAULT_SIZE, FORMATS

_SIZE = re.compile(r"^\s*(\d{1,5})\s*(?:[xX]\s*(\d{1,5}))?\s*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("motion", help="the .motion file to render (from `stick-gen generate ... -o x.motion`)")
    parser.add_argument("-o", "--output", required=True, help="output file (a folder for openpose)")
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from the extension)")
    parser.add_argument("--size", default=str(DEFAULT_SIZE),
                        help=f"frame size in pixels: 512 (square) or 640x360 (default {DEFAULT_SIZE})")
    parser.add_argument("--fps", type=int, help="playback frame rate (default: the file's own)")
    parser.add_argument("--no-caption", action="store_true", help="leave out the prompt and action names")
    parser.add_argument("--openpose-images", action="store_true",
                        help="openpose: also write each frame's skeleton as a PNG (OpenPose colours on black)")


def parse_size(text: str) -> Union[int, Tuple[int, int]]:
    """``"512"`` -> 512, ``"640x360"`` -> (640, 360); anything else is one clear error.

    >>> parse_size("640x360"), parse_size("512")
    ((640, 360), 512)
    """
    from ..errors import GenerationError

    found = _SIZE.match(text)
    if not found:
        raise GenerationError(f"--size {text!r}: give pixels as 512 (square) or WIDTHxHEIGHT such as 640x360")
    width, height = int(found.group(1)), int(found.group(2) or found.group(1))
    if not (32 <= width <= 4096 and 32 <= height <= 4096):
        raise GenerationError(f"--size {text}: each side must be 32 to 4096 pixels")
    return width if found.group(2) is None else (width, height)


def render_motion_file(
    source: Union[str, Path],
    output: Union[str, Path],
    format: Union[str, None] = None,
    size: Union[int, Tuple[int, int]] = DEFAULT_SIZE,
    fps: Union[int, None] = None,
    caption: bool = True,
    openpose_images: bool = False,
) -> Path:
    """Read ``source`` (checked as ``generate`` checks it) and write it as ``output``; returns the path written.

    >>> from stick_gen.inference.animation import save_motion
    >>> render_motion_file(save_motion(anim, "walk.motion"), "walk.svg")
    PosixPath('walk.svg')
    """
    from ..inference.animation import load_motion
    from ..inference.render.writers import format_for, save_animation
    from ..errors import GenerationError

    source, target = Path(source), Path(output)
    kind = format_for(target, format)  # an unknown extension fails before anything is read
    if not source.is_file():
        raise GenerationError(f"{source}: no such .motion file (relative to {Path.cwd()}); "
                              f"make one with `stick-gen generate \"...\" -o {source.name}`")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise GenerationError(f"{target}: the folder {folder} does not exist; create it (mkdir -p {folder}) "
                              f"or write somewhere else")
    if openpose_images and "images" not in kind.options:
        raise GenerationError(f"--openpose-images applies to the openpose format, not {kind.name} ({target})")
    options = {"images": True} if openpose_images else {}
    anim = load_motion(source)
    return save_animation(anim, target, format=kind.name, size=size, fps=fps, caption=caption, **options)


def run(args: argparse.Namespace) -> int:
    path = render_motion_file(args.motion, args.output, format=args.format, size=parse_size(args.size),
                              fps=args.fps, caption=not args.no_caption, openpose_images=args.openpose_images)
    print(path)
    return 0
