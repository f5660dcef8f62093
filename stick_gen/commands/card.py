"""Model cards: fill one with measured metrics and example GIFs, or write a new one for a variant.

examples:
  stick-gen card update model_cards/medium.md --metrics metrics.json --examples out/examples
  stick-gen card update model_cards/stick-gen-medium-sft.md --checkpoint checkpoints/sft/best.pth
  stick-gen card new --variant medium --method custom --version 1.1.0 -o model_cards/stick-gen-medium-custom.md

`update` writes the evaluation's numbers (from `stick-gen evaluate --output metrics.json`) into the
card's metrics section and model-index, embeds every GIF of --examples under "Example Outputs"
(prompts from examples.json there, else from the file names) and copies them to examples/ beside
the card, and fills the TBD bullets a --checkpoint can answer (training steps, text encoder, fine-tune settings).
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..model.variants import VARIANTS

    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    update = verbs.add_parser("update", help="fill a card with metrics, example GIFs and checkpoint facts")
    update.add_argument("card", help="the model card to update in place, e.g. model_cards/medium.md")
    update.add_argument("--metrics", help="metrics.json written by `stick-gen evaluate --output`")
    update.add_argument("--examples", help="directory of example GIFs rendered from the published checkpoint")
    update.add_argument("--checkpoint", help="the checkpoint being published (fills training facts)")
    new = verbs.add_parser("new", help="write a new card for a variant and training method")
    new.add_argument("--variant", default="medium", choices=list(VARIANTS))
    new.add_argument("--method", default="pretrain", help="pretrain, sft, lora, or a custom fine-tune name")
    new.add_argument("--repo-name", help="repository id the card describes (default: from the naming table)")
    new.add_argument("--version", help="the version its How to Use loads, e.g. 1.1.0 (default 1.0.0; "
                                       "`stick-gen push --version` pins it again when publishing)")
    new.add_argument("-o", "--output", required=True, help="where to write the card")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace) -> int:
    from ..hub.cards import DEFAULT_REVISION, render_card_to, update_card
    from ..hub.naming import check_method, parse_version, version_tag
    from ..errors import ConfigError

    if args.verb == "new":
        revision = version_tag(parse_version(args.version)) if args.version else DEFAULT_REVISION
        path = render_card_to(args.output, args.variant, check_method(args.method.lower()), args.repo_name,
                              overwrite=args.force, revision=revision)
        print(f"wrote {path}; fill its TBDs with `stick-gen card update {path} --metrics ... --examples ...`")
        return 0
    if not (args.metrics or args.examples or args.checkpoint):
        raise ConfigError("nothing to update: pass --metrics, --examples and/or --checkpoint")
    result = update_card(args.card, metrics=args.metrics, examples=args.examples, checkpoint=args.checkpoint)
    if result.metrics_written:
        print(f"metrics: {', '.join(result.metrics_written)}")
    for name, prompt in result.examples:
        print(f'example: "{prompt}" -> examples/{name}')
    for label, value in result.facts.items():
        print(f"{label}: {value}")
    print(f"updated {result.path}; {len(result.tbd_left)} TBD line(s) left")
    for number, line in result.tbd_left:
        print(f"  line {number}: {line[:100]}")
    return 0
