"""Publish the studio as a Hugging Face Space that runs a published model (sdk: gradio).

The Space holds app.py (the same page as `stick-gen studio`, loading --model by repo id and
revision), requirements.txt, a README with the Space's front matter (models: the model repo) and
a wheel of this stick-gen (it is not on PyPI). Without @REVISION the Space is pinned to the
commit the model's main branch points at now. The token comes from --token, else HF_TOKEN, else
`hf auth login`.

examples:
  stick-gen space --model GesturaAI/stick-gen-small@v1.0.0                # -> GesturaAI/stick-gen-small-studio
  stick-gen space --model GesturaAI/stick-gen-small@v1.0.0 --space your-username/stick-figures
  stick-gen space --model GesturaAI/stick-gen-small@v1.0.0 --no-upload --output-dir my_space
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="REPO_ID[@REVISION]",
                        help="the published model the Space runs (checked on the Hub first)")
    parser.add_argument("--space", metavar="REPO_ID", help="the Space's repository id (default: <model>-studio)")
    parser.add_argument("--private", action="store_true", help="create the Space as private")
    parser.add_argument("--output-dir", help="also keep the Space's files here (a new or empty folder)")
    parser.add_argument("--no-upload", action="store_true", help="only build the Space's files")
    parser.add_argument("--token", help="Hub token (visible to other users of this machine: prefer HF_TOKEN)")
    parser.add_argument("--endpoint", help="Hub URL (default: HF_ENDPOINT, else https://huggingface.co)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a request may stall before it is retried (default: 60)")


def run(args: argparse.Namespace) -> int:
    from ..hub.space import SpaceOptions, push_space

    push_space(SpaceOptions(model=args.model, space=args.space, token=args.token, endpoint=args.endpoint,
                            private=args.private, output_dir=args.output_dir, no_upload=args.no_upload,
                            timeout=args.timeout))
    return 0
