"""Open the studio: a web page where you type a sentence and watch the stick figures move.

Needs the studio extra: pip install "stick-gen[studio]". --checkpoint is a local file or folder,
--model a Hub repository; with neither, the same model as `stick-gen generate` (checkpoints/best_model.pt
or the model `make demo` trained). Serves on 127.0.0.1 (this machine only) unless --host says otherwise.

examples:
  stick-gen studio                                             # the demo's model, http://127.0.0.1:7860
  stick-gen studio --checkpoint demo_out/hf_upload             # a bundle folder: its card's metrics in the model panel
  stick-gen studio --model GesturaAI/stick-gen-small@v1.0.0 --port 8000
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", metavar="PATH",
                        help="local checkpoint file or save_pretrained/bundle folder (never looked up on the Hub)")
    source.add_argument("--model", metavar="REPO_ID[@REVISION]", help="Hub repository, optionally @tag/branch/commit")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")


def run(args: argparse.Namespace) -> int:
    from ..errors import GenerationError
    from ..studio import open_studio, require_gradio

    if not 1 <= args.port <= 65535:
        raise GenerationError(f"--port {args.port} is not a port number (1..65535)")
    require_gradio()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: serving on {args.host}: anyone who can reach this machine can use the studio", flush=True)
    open_studio(checkpoint=args.checkpoint, model=args.model, host=args.host, port=args.port)
    return 0
