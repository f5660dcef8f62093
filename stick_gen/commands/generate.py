"""Generate stick-figure animations from text (GIF, MP4, PNG filmstrip or .motion JSON).

--checkpoint is always a local file or folder; --model is a Hub repository. Either may hold LoRA
adapters in peft's format (adapter_config.json + adapter_model.safetensors): the base model they name
is loaded too and the adapters are merged into it. With neither, uses
checkpoints/best_model.pt or the model `make demo` trained (demo_out/checkpoints/best_model.pt).
With --prompts, prompts are generated --batch-size at a time and each file is written as soon as
its batch is done.

examples:
  stick-gen generate "A person walks forward and waves" -o walk_wave.gif
  stick-gen generate "Two people playing catch" -o catch.mp4 --model GesturaAI/stick-gen-small@v1.0.0
  stick-gen generate --prompts prompts.txt --output-dir out/ --format gif --seed 3
  stick-gen generate "a person waves" -o wave.gif --checkpoint checkpoints/lora/adapter
  stick-gen generate "a man walks to the right" --duration 60 -o long_walk.mp4
  stick-gen generate --timeline "0: a man walks to the right; 6: he sits down; 12: he waves" -o story.mp4
  stick-gen generate "he sits down" --start walk.motion --end seated.motion --frames 100 -o between.motion

Animations longer than the model's 10-s clip (up to 2 minutes) are made of overlapping clips sampled
together. In a --prompts file, a line written like a timeline ("0: ...; 6: ...") is one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

from ..inference.render.writers import FORMATS, format_for

DEFAULT_CHECKPOINTS = ("checkpoints/best_model.pt", "demo_out/checkpoints/best_model.pt")
FORMAT_CHOICES = FORMATS  # the writer registry (imports no Pillow, so --help stays fast)
MAX_SEED = 2**63 - 1
MAX_PROMPT_CHARS = 100_000
"""A longer prompt is refused; the text encoder reads only its first few hundred words anyway."""
MAX_DURATION_S = 120.0
"""Longest animation (what a .motion file holds; the same figure as inference.timeline.MAX_DURATION_S)."""
SLUG_CHARS = 48
"""Longest prompt part of a batch file name (48 characters, at most 192 bytes: under every file system's 255)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", help="what the stick figures do")
    parser.add_argument("--timeline", metavar="TEXT",
                        help='prompts from given seconds, e.g. "0: a man walks; 6: he sits down; 12: he waves"')
    parser.add_argument("-o", "--output", help="output file; the format follows the extension")
    parser.add_argument("--prompts", help="UTF-8 text file with one prompt per line (batch mode)")
    parser.add_argument("--output-dir", help="directory for batch outputs (with --prompts)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", metavar="PATH",
                        help="local checkpoint file or save_pretrained folder (never looked up on the Hub)")
    source.add_argument("--model", metavar="REPO_ID[@REVISION]", help="Hub repository, optionally @tag/branch/commit")
    parser.add_argument("--seed", type=int, default=0,
                        help=f"random seed, 0 to {MAX_SEED}: same seed, same animation (default 0)")
    parser.add_argument("--actors", type=int, help="number of actors (default: read from the prompt by the model)")
    parser.add_argument("--format", choices=FORMAT_CHOICES, help="output format (default: from the extension)")
    parser.add_argument("--size", type=int, default=384, help="frame size in pixels, square (default 384)")
    parser.add_argument("--fps", type=int, help="playback frame rate of gif/mp4 (default: the model's 25)")
    parser.add_argument("--duration", type=float,
                        help=f"seconds, up to {MAX_DURATION_S:g} (default 10; a timeline: its last entry lasts as "
                             f"long as the others on average)")
    parser.add_argument("--start", metavar="MOTION", help="continue from the last pose of this .motion file")
    parser.add_argument("--end", metavar="MOTION", help="finish on the first pose of this .motion file")
    parser.add_argument("--frames", type=int, help="length in frames, the joined poses included (instead of --duration)")
    parser.add_argument("--steps", type=int, help="flow sampler steps (default: the model's, e.g. 4); more is slower")
    parser.add_argument("--guidance", type=float,
                        help="classifier-free guidance on the text (default: the model's, e.g. 2.0; 1 = none)")
    parser.add_argument("--free-feet", action="store_true",
                        help="skip the last step that holds feet still while they touch the ground (the network's "
                             "raw motion, whose feet slide)")
    parser.add_argument("--batch-size", type=int, default=16, help="prompts generated at once with --prompts (default 16)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def slug(text: str, index: int, width: int = 3) -> str:
    """File name stem of a batch prompt: its number, then its first words, at most :data:`SLUG_CHARS` long.

    The number keeps names unique; the cap keeps them legal however long the prompt.

    >>> slug("Two people playing catch!", 2)
    '002_two_people_playing_catch'
    >>> len(slug("走" * 100, 1)) == 4 + SLUG_CHARS
    True
    """
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    stem = "_".join(words[:6])[:SLUG_CHARS].rstrip("_") or "prompt"
    return f"{index:0{width}d}_{stem}"


def run(args: argparse.Namespace) -> int:
    from ..errors import GenerationError

    if sum(x is not None for x in (args.prompt, args.prompts, args.timeline)) > 1:
        raise GenerationError("give one PROMPT, --timeline TEXT or --prompts FILE, not several")
    if args.timeline is not None:
        from ..inference.timeline import parse_timeline

        parse_timeline(args.timeline)  # one line naming the bad entry, before any model is loaded
        if args.start or args.end:
            raise GenerationError("--start/--end join one prompt to other animations; they do not take a --timeline")
        args.prompt = args.timeline
    if args.prompt is None and not args.prompts:
        raise GenerationError("give either one PROMPT (with -o FILE) or --prompts FILE (with --output-dir DIR)")
    if args.steps is not None and not 1 <= args.steps <= 1000:
        raise GenerationError(f"--steps {args.steps} is out of range (1..1000)")
    if args.guidance is not None and not 0 <= args.guidance <= 100:
        raise GenerationError(f"--guidance {args.guidance:g} is out of range (0..100)")
    if args.duration is not None and args.frames is not None:
        raise GenerationError("give --duration SECONDS or --frames N, not both")
    if args.frames is not None and not 2 <= args.frames <= int(MAX_DURATION_S * 25):
        raise GenerationError(f"--frames {args.frames} is out of range (2..{int(MAX_DURATION_S * 25)})")
    if args.duration is not None and not 0 < args.duration <= MAX_DURATION_S:
        raise GenerationError(f"--duration {args.duration:g} is out of range (more than 0, at most {MAX_DURATION_S:g} s)")
    if (args.start or args.end) and args.prompts:
        raise GenerationError("--start/--end join one PROMPT to other animations; they do not take --prompts")
    args.joined = {name: _read_joined(getattr(args, name), name) for name in ("start", "end") if getattr(args, name)}
    if args.prompt is not None and not args.prompt.strip():
        raise GenerationError('the prompt is empty: describe a motion, e.g. "a person walks forward and waves"')
    if args.prompt is not None and not args.output:
        raise GenerationError("missing -o/--output FILE, e.g. -o walk.gif")
    if args.prompts and not args.output_dir:
        raise GenerationError("--prompts needs --output-dir DIR")
    if args.prompts and args.output:
        raise GenerationError("with --prompts give --output-dir DIR, not -o/--output (one file per prompt)")
    if not 0 <= args.seed <= MAX_SEED:
        raise GenerationError(f"--seed {args.seed}: a seed is a whole number from 0 to {MAX_SEED}")
    if args.size < 32 or args.size > 4096:
        raise GenerationError(f"--size {args.size} is out of range (32..4096 pixels)")
    if not 1 <= args.batch_size <= 1024:
        raise GenerationError(f"--batch-size {args.batch_size} is out of range (1..1024)")
    if args.prompt is not None and len(args.prompt) > MAX_PROMPT_CHARS:
        raise GenerationError(f"the prompt is {len(args.prompt):,} characters long; give at most {MAX_PROMPT_CHARS:,}")

    if args.prompt is not None:
        target = Path(args.output)
        kind = format_for(target, args.format).name
        _check_writable(target)
        jobs: Iterator[Tuple[str, Path]] = iter([(args.prompt, target)])
        total = 1
    else:
        kind = args.format or "gif"
        extension = format_for("x", kind).extension
        prompts_file = Path(args.prompts)
        total = _count_prompts(prompts_file)
        width = max(3, len(str(total)))
        out_dir = Path(args.output_dir)
        _check_writable(out_dir / "x")
        jobs = ((p, out_dir / f"{slug(p, i, width)}{extension}")
                for i, (_, p) in enumerate(_read_prompts(prompts_file), 1))

    pipe = _load_pipeline(args)
    from tqdm.auto import tqdm

    quiet = args.no_progress or total == 1 or not sys.stderr.isatty()
    with tqdm(total=total, desc="generate", unit="prompt", disable=quiet, file=sys.stderr) as bar:
        for batch in _batches(jobs, args.batch_size):
            for anim, target in zip(_generate(pipe, [p for p, _ in batch], args), [t for _, t in batch]):
                _save(anim, target, kind, args)
                bar.write(_summary(anim, target), file=sys.stdout)
                bar.update(1)
    return 0


def _generate(pipe, prompts: List[str], args: argparse.Namespace) -> list:
    """One batch through the pipeline; its warnings become one line each on stderr."""
    import warnings

    from ..inference.text_encoder import prompt_has_words

    for prompt in prompts:
        if not prompt_has_words(prompt):
            print(f"warning: nothing in the prompt {_preview(prompt)} was understood (it has no words, only "
                  f"punctuation or symbols): the motion is a guess. Describe it in words", file=sys.stderr)
    from ..inference.timeline import looks_like_timeline

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        animations = []
        plain = [p for p in prompts if not looks_like_timeline(p)]
        sampler = {"steps": args.steps, "guidance": args.guidance, "plant_feet": not args.free_feet}
        made = iter(pipe(plain, seed=args.seed, num_actors=args.actors, frames=args.frames,
                         duration_s=10.0 if args.duration is None else args.duration, **args.joined, **sampler)
                    if plain else [])
        for prompt in prompts:
            if looks_like_timeline(prompt):
                animations.append(pipe.timeline(prompt, duration_s=args.duration if args.frames is None
                                                else args.frames / pipe.fps, seed=args.seed, num_actors=args.actors,
                                                **sampler))
            else:
                animations.append(next(made))
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {message}", file=sys.stderr)
    return animations


def _read_joined(path: str, name: str):
    """The animation of ``--start``/``--end`` (validated as every .motion file is; one line if it is not one)."""
    from ..inference.animation import load_motion
    from ..errors import GenerationError

    if not Path(path).is_file():
        raise GenerationError(f"--{name} {path}: no such .motion file (relative to {Path.cwd()})")
    return load_motion(path)


def _save(anim, target: Path, kind: str, args: argparse.Namespace) -> None:
    from ..inference.render import save_animation

    save_animation(anim, target, format=kind, size=args.size, fps=args.fps)


def _summary(anim, target: Path) -> str:
    actions = ", ".join(dict.fromkeys(n for seg in (anim.action_segments(a) for a in range(anim.num_actors))
                                      for n, _, _ in seg))
    return f"{target}  ({anim.num_actors} actor{'s' * (anim.num_actors > 1)}, {anim.duration_s:g} s: {actions})"


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _batches(jobs: Iterator[Tuple[str, Path]], size: int) -> Iterator[List[Tuple[str, Path]]]:
    batch: List[Tuple[str, Path]] = []
    for job in jobs:
        batch.append(job)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _read_prompts(path: Path) -> Iterator[Tuple[int, str]]:
    """``(line number, prompt)`` of every non-blank line, read line by line (bounded memory).

    Undecodable or over-long lines raise :class:`GenerationError` naming the file and the line.
    """
    from ..errors import GenerationError

    try:
        handle = path.open("rb")
    except OSError as err:
        raise GenerationError(f"{path}: cannot read the prompts file ({err.strerror or err})") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as err:
                raise GenerationError(f"{path}: line {number} is not UTF-8 text (byte {err.start + 1} of the line); "
                                      f"save the prompts file as UTF-8") from None
            prompt = line.strip()
            if len(prompt) > MAX_PROMPT_CHARS:
                raise GenerationError(f"{path}: line {number} is {len(prompt):,} characters long; a prompt may "
                                      f"have at most {MAX_PROMPT_CHARS:,}")
            if prompt:
                yield number, prompt


def _count_prompts(path: Path) -> int:
    """Number of prompts in ``path``; reads (and so checks) the whole file before anything is generated."""
    from ..errors import GenerationError

    if not path.is_file():
        raise GenerationError(f"{path}: no such prompts file")
    count, blank, last = 0, [], 0
    for number, _ in _read_prompts(path):
        blank.extend(range(last + 1, number))
        count, last = count + 1, number
    if not count:
        raise GenerationError(f"{path}: holds no prompts (one per line)")
    if blank:
        print(f"note: skipped {len(blank)} blank line(s) in {path} (line {', '.join(map(str, blank[:5]))}"
              f"{' ...' if len(blank) > 5 else ''})")
    return count


def _check_writable(target: Path) -> None:
    import os

    from ..errors import GenerationError

    parent = target.parent if str(target.parent) else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise GenerationError(f"{target}: cannot write to {existing} (not a writable directory)")


def _load_pipeline(args: argparse.Namespace):
    from ..inference.pipeline import StickGenPipeline
    from ..errors import GenerationError

    if args.model is not None:
        repo, _, revision = args.model.partition("@")
        return StickGenPipeline.from_pretrained(repo, revision=revision or None)
    if args.checkpoint is not None:
        if not args.checkpoint.strip() or not Path(args.checkpoint).exists():
            raise GenerationError(f"{args.checkpoint}: no such file or folder (relative to {Path.cwd()}); "
                                  f"--checkpoint is a local path, for a Hub repository use --model OWNER/NAME")
        return StickGenPipeline.from_pretrained(args.checkpoint)
    for candidate in DEFAULT_CHECKPOINTS:
        if Path(candidate).is_file():
            print(f"using {candidate}")
            return StickGenPipeline.from_pretrained(candidate)
    raise GenerationError("no model given and none trained here: pass --checkpoint PATH or --model REPO_ID "
                          "(e.g. GesturaAI/stick-gen-small), or run `make demo` to train one")
