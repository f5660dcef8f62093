"""The README's main job, `make demo`, end to end on a shortened config (same steps, tiny budget)."""

from __future__ import annotations

import json

import pytest
import yaml
from PIL import Image

from stick_gen.demo import EXAMPLES, main
from stick_gen.resources import resource_path


@pytest.mark.slow
def test_demo_runs_the_whole_story(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("HF_TOKEN", "HF_ENDPOINT", "STICK_GEN_DEMO_HUB"):
        monkeypatch.delenv(name, raising=False)
    config = yaml.safe_load(resource_path("configs", "demo.yaml").read_text())
    config["text_encoder"] = "hashing"
    config["data"]["num_samples"] = 150
    config["training"].update(batch_size=4, max_steps=4, eval_every=2, save_every=2, eval_rows=16)
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(config))

    assert main(["--out", "out", "--config", "demo.yaml"]) == 0
    out = tmp_path / "out"
    metrics = json.loads((out / "metrics.json").read_text())
    checks = json.loads((out / "prompt_checks.json").read_text())["checks"]
    assert checks and all(check["real_passed"] == check["seeds"] for check in checks)
    assert metrics["split"] == "test" and set(metrics["model"]) >= {"pose_mse", "action_accuracy"}
    card = (out / "hf_upload" / "README.md").read_text()
    assert "TBD" not in card.split("## Limitations")[0]  # measured numbers replaced the placeholders
    assert all((out / "hf_upload" / "examples" / name).is_file() for name in EXAMPLES)
    assert (out / "hf_upload" / "VERSION").read_text().strip() == "1.0.0"
    with Image.open(out / "from_hub.gif") as gif:  # generated from the model downloaded by its tag
        assert gif.n_frames > 1
