"""Generation speed: model time per 10-second animation, and the whole `stick-gen generate` process.

1. Model time to generate one animation (250 frames, batch 1, CPU) per variant, all sampler steps
   included (a flow model: ``sample_steps`` guided steps), and one forward pass beside one bare
   ``nn.TransformerEncoder`` forward of the same width, depth and FFN on the same 50 tokens, measured in
   the same run. Goals: small <= 50 ms, medium <= 120 ms, large <= 300 ms for the whole generation.
2. Planted feet (``inference.feet.plant_feet``, the last step of every generation) on a 10-s clip of each
   actor count, beside the small model's generation time.
3. A cold ``stick-gen generate "..." -o x.gif`` with the small model, as a subprocess: wall time, where the
   time goes (imports, encoder load, model load, generation, rendering) and peak memory (max RSS).

    python bench/bench_generate.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, median_seconds, model_and_baseline  # noqa: E402

from stick_gen.model.checkpoint import save_training_checkpoint  # noqa: E402
from stick_gen.model.transformer import StickFigureTransformer  # noqa: E402
from stick_gen.model.variants import VARIANTS  # noqa: E402

STAGES = r"""
import time; t0 = time.perf_counter()
import torch, numpy
from stick_gen.inference.pipeline import StickGenPipeline
from stick_gen.inference.render import save_animation
from stick_gen.inference.text_encoder import load_text_encoder
t1 = time.perf_counter(); encoder = load_text_encoder("minilm")
t2 = time.perf_counter(); from stick_gen.model.checkpoint import load_model; model, _ = load_model(CKPT)
t3 = time.perf_counter(); pipe = StickGenPipeline(model, encoder); anim = pipe("A person walks forward and waves", seed=0)
t4 = time.perf_counter(); save_animation(anim, OUT)
t5 = time.perf_counter()
print(f"imports {t1-t0:.2f} s, encoder load {t2-t1:.2f} s, model load {t3-t2:.2f} s, "
      f"generation {t4-t3:.2f} s, rendering {t5-t4:.2f} s")
"""


def model_times() -> None:
    print(f"{'variant':>7} {'steps':>5} {'generate ms':>12} {'goal ms':>8} {'one pass ms':>12} {'bare encoder ms':>16} "
          f"{'pass/bare':>9}")
    goals = {"small": 50, "medium": 120, "large": 300}
    for v in VARIANTS.values():
        model, bare, (text, z), tokens = model_and_baseline(v)
        with torch.inference_mode():
            t_gen = median_seconds(lambda: model.generate(text, z), repeats=30)
            t_pass = median_seconds(lambda: model(text, z), repeats=30)
            t_bare = median_seconds(lambda: bare(tokens), repeats=30)
        steps = model.sample_steps if model.objective == "flow" else 1
        print(f"{v.name:>7} {steps:>5} {t_gen * 1e3:12.1f} {goals[v.name]:8d} {t_pass * 1e3:12.1f} {t_bare * 1e3:16.1f} "
              f"{t_pass / t_bare:9.2f}")


def planted_feet_times() -> None:
    import numpy as np

    from stick_gen.data_gen.latents import sample_scene_latents
    from stick_gen.data_gen.scenes import generate_scene, synthesize_scene
    from stick_gen.inference.feet import plant_feet

    rng = np.random.default_rng(0)
    for actors in (1, 2, 3):
        scene = next(s for s in iter(lambda: generate_scene(rng, split="test"), None) if s.num_actors == actors)
        motions, _ = synthesize_scene(scene.scene_plan, sample_scene_latents(actors, rng))
        poses = torch.as_tensor(np.stack([m.poses for m in motions])).float()
        seconds = median_seconds(lambda: plant_feet(poses), repeats=30)
        print(f"planted feet, {actors} actor(s), 250 frames: {seconds * 1e3:.2f} ms")


def cold_process() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = Path(tmp) / "small.pt"
        model = StickFigureTransformer(d_model=256, nhead=8, num_layers=6, text_encoder="minilm-l6-v2/lift1024-v1")
        save_training_checkpoint(ckpt, model)
        out = Path(tmp) / "x.gif"
        cmd = [sys.executable, "-m", "stick_gen.cli", "generate", "A person walks forward and waves", "-o", str(out),
               "--checkpoint", str(ckpt)]
        subprocess.run(cmd, check=True, capture_output=True)  # warm the file cache once
        walls = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"cold `stick-gen generate ... -o x.gif` (small): median {sorted(walls)[1]:.2f} s "
              f"(goal 4 s), peak memory {peak_mb:.0f} MB")
        stages = STAGES.replace("CKPT", repr(str(ckpt))).replace("OUT", repr(str(out)))
        print("  " + subprocess.run([sys.executable, "-c", stages], check=True, capture_output=True,
                                    text=True).stdout.strip())


def main() -> None:
    print(machine())
    model_times()
    planted_feet_times()
    cold_process()


if __name__ == "__main__":
    main()
