"""Generate stick-figure animations from text (GIF, MP4, PNG filmstrip or .motion JSON).

With neither --checkpoint nor --model, uses checkpoints/best_model.pt or the model `make demo`
trained (demo_out/checkpoints/best_model.pt).

examples:
  stick-gen generate "A person walks forward and waves" -o walk_wave.gif
  stick-gen generate "Two people playing catch" -o catch.mp4 --model GesturaAI/stick-gen-small@v1.0.0
  stick-gen generate --prompts prompts.txt --output-dir out/ --format gif --seed 3
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_CHECKPOINTS = ("checkpoints/best_model.pt", "demo_out/checkpoints/best_model.pt")
FORMAT_CHOICES = ("gif", "mp4", "png", "motion")  # render.FORMATS; kept here so --help needs no Pillow import


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", help="what the stick figures do")
    parser.add_argument("-o", "--output", help="output file; the format follows the extension")
    parser.add_argument("--prompts", help="text file with one prompt per line (batch mode)")
    parser.add_argument("--output-dir", help="directory for batch outputs (with --prompts)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", help="local checkpoint file or save_pretrained directory")
    source.add_argument("--model", metavar="REPO_ID[@REVISION]", help="Hub repository, optionally @tag/branch/commit")
    parser.add_argument("--seed", type=int, default=0, help="random seed: same seed, same animation (default 0)")
    parser.add_argument("--actors", type=int, help="number of actors (default: read from the prompt by the model)")
    parser.add_argument("--format", choices=FORMAT_CHOICES, help="output format (default: from the extension)")
    parser.add_argument("--size", type=int, default=384, help="frame size in pixels, square (default 384)")
    parser.add_argument("--fps", type=int, help="playback frame rate of gif/mp4 (default: the model's 25)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds, at most 10 (default 10)")


def _slug(text: str, index: int) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return f"{index:03d}_{'_'.join(words[:6]) or 'prompt'}"


def run(args: argparse.Namespace) -> int:
    from ..model.errors import GenerationError
    from ..inference.pipeline import StickGenPipeline
    from ..inference.render import save_animation

    if bool(args.prompt) == bool(args.prompts):
        raise GenerationError("give either one PROMPT (with -o FILE) or --prompts FILE (with --output-dir DIR)")
    if args.prompt is not None and not args.output:
        raise GenerationError("missing -o/--output FILE, e.g. -o walk.gif")
    if args.prompts and not args.output_dir:
        raise GenerationError("--prompts needs --output-dir DIR")
    if args.size < 32 or args.size > 4096:
        raise GenerationError(f"--size {args.size} is out of range (32..4096 pixels)")
    prompts = [args.prompt] if args.prompt else _read_prompts(Path(args.prompts))
    if args.output:
        targets = [Path(args.output)]
        kind = args.format or targets[0].suffix.lstrip(".").lower()
        if kind not in FORMAT_CHOICES:
            raise GenerationError(f"{args.output}: unknown output format {kind or '(no extension)'!r}; "
                                  f"use one of {', '.join(FORMAT_CHOICES)} or pass --format")
    else:
        kind = args.format or "gif"
        targets = [Path(args.output_dir) / f"{_slug(p, i)}.{kind}" for i, p in enumerate(prompts, 1)]
    for target in targets:
        _check_writable(target)

    pipe = _load_pipeline(args, StickGenPipeline)
    from tqdm.auto import tqdm

    animations = pipe(prompts, seed=args.seed, num_actors=args.actors, duration_s=args.duration)
    for anim, target in tqdm(list(zip(animations, targets)), desc="render", unit="file", disable=len(targets) == 1):
        save_animation(anim, target, format=kind, size=args.size, fps=args.fps)
        actions = ", ".join(dict.fromkeys(n for seg in (anim.action_segments(a) for a in range(anim.num_actors))
                                          for n, _, _ in seg))
        print(f"{target}  ({anim.num_actors} actor{'s' * (anim.num_actors > 1)}, {anim.duration_s:g} s: {actions})")
    return 0


def _read_prompts(path: Path) -> list:
    from ..model.errors import GenerationError

    if not path.is_file():
        raise GenerationError(f"{path}: no such prompts file")
    lines = path.read_text(encoding="utf-8").splitlines()
    blank = [i for i, line in enumerate(lines, 1) if not line.strip()]
    prompts = [line.strip() for line in lines if line.strip()]
    if not prompts:
        raise GenerationError(f"{path}: holds no prompts (one per line)")
    if blank:
        print(f"note: skipped {len(blank)} blank line(s) in {path} (line {', '.join(map(str, blank[:5]))})")
    return prompts


def _check_writable(target: Path) -> None:
    import os

    from ..model.errors import GenerationError

    parent = target.parent if str(target.parent) else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise GenerationError(f"{target}: cannot write to {existing} (not a writable directory)")


def _load_pipeline(args: argparse.Namespace, pipeline_cls):
    from ..model.errors import GenerationError

    if args.model:
        repo, _, revision = args.model.partition("@")
        return pipeline_cls.from_pretrained(repo, revision=revision or None)
    if args.checkpoint:
        return pipeline_cls.from_pretrained(args.checkpoint)
    for candidate in DEFAULT_CHECKPOINTS:
        if Path(candidate).is_file():
            print(f"using {candidate}")
            return pipeline_cls.from_pretrained(candidate)
    raise GenerationError("no model given and none trained here: pass --checkpoint PATH or --model REPO_ID "
                          "(e.g. GesturaAI/stick-gen-small), or run `make demo` to train one")
