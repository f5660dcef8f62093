"""Fine-tune a pretrained model: full SFT or LoRA adapters (through peft).

SFT writes OUTPUT/best.pth (default OUTPUT: checkpoints/sft); LoRA writes only the adapters,
OUTPUT/lora_adapters.pth (default OUTPUT: checkpoints/lora). Both record their base model. The
config's `finetune` section names the domain (the data subset) and the LoRA rank and targets.

examples:
  stick-gen finetune --method sft --init-from checkpoints/best_model.pt --config configs/sft_medium.yaml
  stick-gen finetune --method lora --init-from checkpoints/best_model.pt --config configs/sft_medium.yaml
"""

from __future__ import annotations

import argparse

from ._training_args import add_common, apply_overrides


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", required=True, help="sft, lora, or a custom name (trained like sft)")
    parser.add_argument("--init-from", required=True, metavar="CKPT", help="pretrained checkpoint to start from")
    add_common(parser)
    parser.add_argument("--output", help="output directory (default: checkpoints/<method>)")


def run(args: argparse.Namespace) -> int:
    from ..training.config import FinetuneSection, load_config
    from ..training.train import train

    config = apply_overrides(load_config(args.config), args)
    if config.finetune is None:
        config.finetune = FinetuneSection()
    config.finetune.method = args.method
    output = args.output or f"checkpoints/{args.method}"
    result = train(config, output, resume=args.resume, init_from=args.init_from, progress=not args.no_progress,
                   stop_after=args.stop_after, mixed_precision=args.mixed_precision)
    print(f"{args.method}: best validation loss {result.best_val_loss:.4f} -> {result.best_path}")
    return 0
