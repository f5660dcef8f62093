"""Validate a checkpoint, build its bundle and upload it to the Hugging Face Hub (as one commit, tagged).

The same command as `python scripts/push_to_huggingface.py`. Paths are relative to the current directory.

examples:
  stick-gen push --checkpoint checkpoints/best_model.pt --variant medium --version 1.0.0
  stick-gen push --checkpoint checkpoints/sft/best.pth --variant medium \\
      --model-card model_cards/stick-gen-medium-sft.md --repo-name GesturaAI/stick-gen-medium-sft --version 1.0.0
  stick-gen push --checkpoint checkpoints/best_model.pt --variant medium --dry-run
  stick-gen push --checkpoint checkpoints/best_model.pt --variant medium --no-upload --output-dir my_upload_dir

The token comes from --token, else HF_TOKEN, else `hf auth login`. Validation problems ask
"continue? [y/N]" in a terminal; without one they stop with exit code 3 (--yes continues).
--output-dir is replaced only when it is a bundle stick-gen wrote there (listed in its .stick-gen-bundle).
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The upload guide's flags (its commands must run as written), then the extras (--yes, --dry-run,
    --endpoint, ...)."""
    parser.add_argument("--checkpoint", required=True,
                        help="training checkpoint, plain state dict (pytorch_model.bin), or lora_adapters.pth")
    from ..model.variants import VARIANTS

    parser.add_argument("--variant", default="medium", choices=list(VARIANTS),
                        help="model size the checkpoint must match (default: medium)")
    parser.add_argument("--version", help="semantic version, e.g. 1.0.0: written to VERSION and tagged v1.0.0")
    parser.add_argument("--model-card", help="model card to publish as README.md "
                                             "(default: model_cards/<variant>.md, or the fine-tune's card)")
    parser.add_argument("--repo-name", help="Hub repository id (default: GesturaAI/stick-gen-<variant>[-<method>])")
    parser.add_argument("--private", action="store_true", help="create the repository as private")
    parser.add_argument("--no-upload", action="store_true", help="only build the bundle in --output-dir")
    parser.add_argument("--skip-validation", action="store_true", help="skip validation (not recommended)")
    parser.add_argument("--output-dir", default="hf_upload", help="where the bundle is built (default: hf_upload)")
    parser.add_argument("--token", help="Hub token (visible to other users of this machine: prefer HF_TOKEN)")
    parser.add_argument("--yes", "-y", action="store_true", help="continue past validation problems without asking")
    parser.add_argument("--dry-run", action="store_true",
                        help="show what would change on the remote (files, bytes, tag); send nothing")
    parser.add_argument("--endpoint", help="Hub URL (default: HF_ENDPOINT, else https://huggingface.co)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a request may stall before it is retried (default: 60)")
    parser.add_argument("--commit-message", help='commit message (default: "Upload stick-gen model v<version>")')
    parser.add_argument("--revision", default="main", help="branch to commit to, created if missing (default: main)")
    parser.add_argument("--force-tag", action="store_true", help="move the version tag if it already exists")
    parser.add_argument("--method", help="fine-tune method for the repository name "
                                         "(default: read from the checkpoint: pretrain, sft, lora, ...)")
    parser.add_argument("--examples", help="directory holding the example GIFs the model card shows")


def run(args: argparse.Namespace) -> int:
    from ..hub.push import PushOptions, default_confirm, push

    options = PushOptions(
        checkpoint=args.checkpoint, variant=args.variant, version=args.version, model_card=args.model_card,
        repo_name=args.repo_name, private=args.private, no_upload=args.no_upload,
        skip_validation=args.skip_validation, output_dir=args.output_dir, token=args.token, yes=args.yes,
        dry_run=args.dry_run, endpoint=args.endpoint, timeout=args.timeout, commit_message=args.commit_message,
        revision=args.revision, force_tag=args.force_tag, method=args.method, examples=args.examples,
    )
    push(options, confirm=default_confirm())
    return 0
