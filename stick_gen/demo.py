"""``make demo``: the whole story on one machine, offline.

1. make procedural training data            (``stick-gen data``)
2. train the small variant on configs/demo.yaml (``stick-gen train``)
3. evaluate it on the held-out test split   (``stick-gen evaluate``), and on plain prompts (``stick-gen check-prompts``)
4. render example GIFs from the checkpoint   (the pipeline)
5. fill the small model card with them       (``stick-gen card update``)
6. validate, bundle and upload with tag v1.0.0 to a local Hub the demo starts (``stick-gen push``)
7. download the model back by tag and generate an animation from the download

Every step is the command a user would type, called in-process. Outputs go to ``demo_out/``; a
second run reuses the data and the trained checkpoint (``--fresh`` starts over).

To push to the real Hugging Face Hub instead of the local one, set ``HF_TOKEN`` and
``STICK_GEN_DEMO_HUB=huggingface``; the model then goes to ``<your user>/stick-gen-small-demo``.
(The demo never pushes to the public Hub unless asked that explicitly.)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import List, Optional

from .cli import main as cli
from .errors import StickGenError
from .resources import load_yaml, resource_path

EXAMPLES = {
    "walk_wave.gif": "A person walks forward and waves",
    "catch.gif": "Two people playing catch",
    "jog_sit.gif": "a tall man jogs to the left, then sits down",
    "dance.gif": "someone dances happily",
}


def _step(number: int, title: str) -> float:
    print(f"\n=== {number}. {title} ===", flush=True)
    return time.time()


def _run(argv: List[str]) -> None:
    print("$ stick-gen " + " ".join(argv), flush=True)
    code = cli(argv)
    if code != 0:
        raise StickGenError(f"`stick-gen {' '.join(argv)}` failed with exit code {code}")


def render_examples(checkpoint: Path, out_dir: Path, seed: int = 0) -> Path:
    """Render :data:`EXAMPLES` from ``checkpoint`` into ``out_dir`` (+ ``examples.json`` with the prompts)."""
    from .inference.pipeline import StickGenPipeline
    from .inference.render import save_animation

    pipe = StickGenPipeline.from_pretrained(checkpoint)
    out_dir.mkdir(parents=True, exist_ok=True)
    animations = pipe(list(EXAMPLES.values()), seed=seed)
    for (name, prompt), anim in zip(EXAMPLES.items(), animations):
        save_animation(anim, out_dir / name)
        print(f"  {out_dir / name}: \"{prompt}\" ({anim.num_actors} actor(s))")
    (out_dir / "examples.json").write_text(json.dumps(EXAMPLES, indent=2) + "\n")
    return out_dir


def run_demo(out: Path, fresh: bool = False, config: Optional[str] = None) -> None:
    """Run every step into ``out``; see the module docstring."""

    started = time.time()
    config_path = config or str(resource_path("configs", "demo.yaml"))
    settings = load_yaml(Path(config_path).read_text())
    if fresh and out.exists():
        shutil.rmtree(out)
    data, ckpt_dir = out / "data", out / "checkpoints"
    checkpoint = ckpt_dir / "best_model.pt"

    _step(1, "procedural training data")
    if (data / "meta.json").is_file():
        print(f"reusing {data}")
    else:
        _run(["data", "--num-samples", str(settings["data"]["num_samples"]), "--output", str(data),
              "--seed", str(settings["data"].get("seed", 0))])

    _step(2, "train the small variant (configs/demo.yaml)")
    if checkpoint.is_file():
        print(f"reusing {checkpoint} (run with --fresh to retrain)")
    else:
        _run(["train", "--config", config_path, "--output", str(ckpt_dir), "--data", str(data)])

    _step(3, "evaluate on the held-out test split")
    metrics = out / "metrics.json"
    _run(["evaluate", "--checkpoint", str(checkpoint), "--data", str(data), "--split", "test",
          "--output", str(metrics)])
    _run(["check-prompts", "--checkpoint", str(checkpoint), "--output", str(out / "prompt_checks.json")])

    _step(4, "render example animations from the checkpoint")
    examples = render_examples(checkpoint, out / "examples")

    _step(5, "fill the model card")
    card_dir = out / "card"
    card_dir.mkdir(parents=True, exist_ok=True)
    card = card_dir / "small.md"
    shutil.copyfile(resource_path("model_cards", "small.md"), card)
    _run(["card", "update", str(card), "--metrics", str(metrics), "--examples", str(examples),
          "--checkpoint", str(checkpoint)])

    _step(6, "validate, bundle and upload with a version tag")
    push_args = ["push", "--checkpoint", str(checkpoint), "--variant", "small", "--version", "1.0.0",
                 "--model-card", str(card), "--output-dir", str(out / "hf_upload"), "--yes"]
    if os.environ.get("STICK_GEN_DEMO_HUB") == "huggingface" and os.environ.get("HF_TOKEN"):
        _push_to_real_hub(push_args, checkpoint)
    else:
        _push_to_local_hub(push_args, out)
    print(f"\ndone in {(time.time() - started) / 60:.1f} min. Everything is in {out}/:")
    for name, what in [("data/", "the procedural dataset"), ("checkpoints/", "best_model.pt, latest.pt, "
                       "metrics.jsonl, loss_curves.png"), ("metrics.json", "test-split metrics"),
                       ("prompt_checks.json", "plain prompts judged on the joints"),
                       ("examples/", "example GIFs"), ("card/small.md", "the filled model card"),
                       ("hf_upload/", "the bundle as uploaded"), ("from_hub.gif", "generated from the download")]:
        print(f"  {out / name}  {what}")
    print(f"\nTry it in a browser: {studio_command(out)}")


def studio_command(out: Path) -> str:
    """The one command that opens the studio on the model the demo trained (its bundle: card and version too).

    >>> studio_command(Path("demo_out"))
    'stick-gen studio --checkpoint demo_out/hf_upload'
    """
    return f"stick-gen studio --checkpoint {out / 'hf_upload'}"


def _push_to_local_hub(push_args: List[str], out: Path) -> None:
    from .testing.local_hub import LocalHub, hub_environment

    hub_root = out / "hub"
    if hub_root.exists():
        shutil.rmtree(hub_root)  # a fresh Hub each run, so tag v1.0.0 is new
    token = "hf_demo" + secrets.token_hex(12)
    with LocalHub(hub_root, users={token: ("gestura-bot", ["GesturaAI"])}) as hub:
        print(f"local Hub at {hub.endpoint} (test infrastructure, files in {hub_root})")
        with hub_environment(hub, out / "hf_home", token=token):
            _run(push_args)
            _step(7, "download by tag and generate from the downloaded model")
            _generate_from_hub("GesturaAI/stick-gen-small", "v1.0.0", out / "from_hub.gif")


def _push_to_real_hub(push_args: List[str], checkpoint: Path) -> None:
    from huggingface_hub import HfApi

    user = HfApi().whoami()["name"]
    repo = f"{user}/stick-gen-small-demo"
    _run(push_args + ["--repo-name", repo])
    _step(7, "download by tag and generate from the downloaded model")
    _generate_from_hub(repo, "v1.0.0", checkpoint.parent.parent / "from_hub.gif")


def _generate_from_hub(repo_id: str, revision: str, target: Path) -> None:
    from .inference.pipeline import StickGenPipeline
    from .inference.render import save_animation

    pipe = StickGenPipeline.from_pretrained(repo_id, revision=revision)
    anim = pipe("A person walks forward and waves", seed=1)
    save_animation(anim, target)
    print(f"generated from {repo_id}@{revision} (commit {pipe.commit}) -> {target}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stick_gen.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="demo_out", help="output directory (default demo_out)")
    parser.add_argument("--fresh", action="store_true", help="delete earlier outputs and start over")
    parser.add_argument("--config", help="training config (default: the shipped configs/demo.yaml)")
    args = parser.parse_args(argv)
    try:
        run_demo(Path(args.out), fresh=args.fresh, config=args.config)
    except StickGenError as err:
        print(f"error: {err}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
