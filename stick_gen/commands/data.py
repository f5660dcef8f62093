"""Generate the procedural motion dataset: scenes of 1-3 stick figures with their descriptions.

Writes OUTPUT/meta.json and, per split (train/val/test, 80/10/10 of the scenes), safetensors shards
of per-actor rows plus metadata.jsonl (see docs/data.md). The same seed writes byte-identical files.

--contact-sheet PNG instead draws one generated clip of every action class into one image.

examples:
  stick-gen data --num-samples 10000 --output data/stick-gen
  stick-gen data --num-samples 200 --output /tmp/tiny --seed 3 --overwrite
  stick-gen data --contact-sheet docs/actions_contact_sheet.png
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--num-samples", type=int, metavar="N", help="number of scenes in total")
    parser.add_argument("--output", metavar="DIR", help="dataset directory to create")
    parser.add_argument("--contact-sheet", metavar="PNG", help="draw every action class into this image instead")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--frames", type=int, default=250, help="frames per clip (default 250)")
    parser.add_argument("--fps", type=int, default=25, help="frames per second (default 25)")
    parser.add_argument("--paraphrases", type=int, default=0, metavar="K",
                        help="describe every train/val scene K more times (training varies the wording; default 0)")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty OUTPUT directory")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from ..data_gen.dataset import read_meta, write_dataset
    from ..errors import ConfigError

    if args.contact_sheet:
        from ..data_gen.examples import write_contact_sheet

        print(f"wrote {write_contact_sheet(args.contact_sheet, seed=args.seed)}")
        return 0
    if args.num_samples is None or not args.output:
        raise ConfigError("give --num-samples N and --output DIR (or --contact-sheet PNG)")

    path = write_dataset(args.output, args.num_samples, seed=args.seed, frames=args.frames, fps=args.fps,
                         progress=not args.no_progress, overwrite=args.overwrite, paraphrases=args.paraphrases)
    splits = read_meta(path)["splits"]
    summary = ", ".join(f"{name} {splits[name]['scenes']} scenes / {splits[name]['rows']} actor rows"
                        for name in ("train", "val", "test"))
    print(f"wrote {path}: {summary}")
    return 0
