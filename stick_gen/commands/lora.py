"""LoRA adapter tools: merge adapters into a plain model, or export them as peft files.

examples:
  stick-gen lora merge --adapter checkpoints/lora/lora_adapters.pth --base checkpoints/best_model.pt --output merged/
  stick-gen lora export --adapter checkpoints/lora/lora_adapters.pth --output peft_adapter/
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    merge = verbs.add_parser("merge", help="fold adapters into the base weights; writes a save_pretrained directory")
    merge.add_argument("--adapter", required=True, help="lora_adapters.pth")
    merge.add_argument("--base", help="base checkpoint, save_pretrained directory or Hub repo id "
                                      "(default: the base the adapters record)")
    merge.add_argument("--revision", help="Hub revision of --base")
    merge.add_argument("--output", required=True, help="directory for the merged model")
    export = verbs.add_parser("export", help="write peft's adapter_config.json + adapter_model.safetensors")
    export.add_argument("--adapter", required=True, help="lora_adapters.pth")
    export.add_argument("--output", required=True, help="directory for the peft files")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..model.checkpoint import CheckpointKind, load_checkpoint, load_model
    from ..errors import CheckpointError
    from ..training.lora import export_peft_adapter, merge_lora

    adapter = load_checkpoint(args.adapter)
    if adapter.kind != CheckpointKind.LORA:
        raise CheckpointError(f"{args.adapter}: is a {adapter.kind} checkpoint, not LoRA adapters")
    if args.verb == "export":
        print(f"peft adapter files -> {export_peft_adapter(adapter, args.output)}")
        return 0
    base_info = adapter.metadata.get("base_model") or {}
    base_ref = args.base or base_info.get("checkpoint") or base_info.get("repo_id")
    if not base_ref:
        raise CheckpointError(f"{args.adapter}: records no base model; pass --base")
    if Path(base_ref).exists():
        base, _ = load_model(base_ref)
    else:
        from ..model.transformer import StickFigureTransformer

        base = StickFigureTransformer.from_pretrained(base_ref, revision=args.revision)
    merged = merge_lora(adapter, base)
    merged.save_pretrained(args.output)
    print(f"merged model ({merged.num_parameters() / 1e6:.2f}M parameters) -> {args.output}")
    return 0
