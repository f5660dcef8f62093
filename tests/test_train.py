"""Training, resume, multi-process DDP, SFT, LoRA and merge, run for real on the tiny config."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from stick_gen.cli import main
from stick_gen.model.checkpoint import load_checkpoint, load_model
from stick_gen.resources import resource_path

TINY = str(resource_path("configs", "tiny.yaml"))


@pytest.fixture(scope="module")
def pretrained(tiny_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("ckpt")
    assert main(["train", "--config", TINY, "--output", str(out), "--data", str(tiny_data), "--no-progress"]) == 0
    return out


def _losses(path: Path):
    return [r["loss"] for r in map(json.loads, path.read_text().splitlines()) if r["split"] == "train"]


def test_training_writes_every_file(pretrained):
    for name in ("best_model.pt", "latest.pt", "metrics.jsonl", "loss_curves.png"):
        assert (pretrained / name).is_file(), name
    raw = torch.load(pretrained / "best_model.pt", weights_only=True)
    assert raw["kind"] == "training" and raw["text_encoder"] == "hashing-1024-v1" and raw["method"] == "pretrain"
    losses = _losses(pretrained / "metrics.jsonl")
    assert len(losses) == 10 and losses[-1] < losses[0]
    # the machine's speed at the start and the end, the yardstick for the steps a time limit reaches
    records = [json.loads(line) for line in (pretrained / "metrics.jsonl").read_text().splitlines()]
    machine = [r for r in records if r["split"] == "machine"]
    assert [(r["moment"], r["step"]) for r in machine] == [("start", 0), ("end", records[-2]["step"])]
    assert all(r["matmul_gflops"] > 0 and r["threads"] >= 1 and r["device"] == "cpu" for r in machine)
    model, _ = load_model(pretrained / "best_model.pt")
    assert model.feature_std.min() > 0 and not torch.equal(model.feature_std, torch.ones(20))


def test_resume_reproduces_an_uninterrupted_run(pretrained, tiny_data, tmp_path):
    args = ["train", "--config", TINY, "--output", str(tmp_path), "--data", str(tiny_data), "--no-progress"]
    assert main(args + ["--stop-after", "10"]) == 0
    assert load_checkpoint(tmp_path / "latest.pt").metadata["step"] == 10
    assert main(args + ["--resume"]) == 0
    assert _losses(tmp_path / "metrics.jsonl") == _losses(pretrained / "metrics.jsonl")
    a, b = load_checkpoint(tmp_path / "latest.pt"), load_checkpoint(pretrained / "latest.pt")
    assert all(torch.equal(a.state_dict[k], b.state_dict[k]) for k in a.state_dict)


def test_a_time_limited_run_ends_its_learning_rate_decay(tiny_data, tmp_path):
    """The time limit stops a run long before max_steps; the cosine decay follows the clock and ends at its floor."""
    from stick_gen.training.train import LR_FLOOR, lr_factor

    args = ["train", "--config", TINY, "--output", str(tmp_path), "--data", str(tiny_data), "--no-progress",
            "--max-steps", "100000", "--time-limit", "0.08"]  # 4.8 s: enough steps on a loaded machine too
    assert main(args) == 0
    latest = load_checkpoint(tmp_path / "latest.pt").metadata
    assert 6 <= latest["step"] < 100000 and latest["train_seconds"] >= 4.8
    logged = [r for r in map(json.loads, (tmp_path / "metrics.jsonl").read_text().splitlines()) if r["split"] == "train"]
    base = 2.0e-3  # configs/tiny.yaml
    assert lr_factor(logged[-1]["step"], 5, 100000) > 0.99  # by steps alone the decay had hardly begun
    assert logged[-1]["lr"] < (LR_FLOOR + 0.02) * base
    middle = logged[len(logged) // 2]["lr"]
    assert (LR_FLOOR + 0.05) * base < middle < 0.98 * base


def test_resume_without_latest_is_a_clear_error(tiny_data, tmp_path, capsys):
    code = main(["train", "--config", TINY, "--output", str(tmp_path), "--data", str(tiny_data), "--resume"])
    assert code == 1 and "nothing to resume from" in capsys.readouterr().err


def test_unknown_config_key_is_rejected(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(TINY).read_text().replace("batch_size: 8", "batch_sise: 8"))
    assert main(["train", "--config", str(bad), "--output", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "batch_sise" in err and "bad.yaml" in err
    assert not (tmp_path / "o" / "best_model.pt").exists()


@pytest.mark.slow
def test_two_processes_match_one(pretrained, tiny_data, tmp_path):
    """torchrun with 2 CPU processes (gloo) and the same global batch follows the one-process run."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533",
           "-m", "stick_gen.cli", "train", "--config", TINY, "--output", str(tmp_path), "--data", str(tiny_data),
           "--no-progress"]
    subprocess.run(cmd, check=True, env=env, timeout=600)
    ddp, single = load_checkpoint(tmp_path / "latest.pt"), load_checkpoint(pretrained / "latest.pt")
    for key in single.state_dict:  # float sums in another order, then 20 Adam steps: agree to ~1e-5
        assert torch.allclose(ddp.state_dict[key], single.state_dict[key], atol=1e-4), key
    assert _losses(tmp_path / "metrics.jsonl") == pytest.approx(_losses(pretrained / "metrics.jsonl"), rel=1e-4)


def test_sft_records_its_base(pretrained, tiny_data, tmp_path):
    out = tmp_path / "sft"
    assert main(["finetune", "--method", "sft", "--init-from", str(pretrained / "best_model.pt"),
                 "--config", TINY, "--output", str(out), "--data", str(tiny_data), "--max-steps", "6",
                 "--no-progress"]) == 0
    ckpt = load_checkpoint(out / "best.pth")
    assert ckpt.metadata["method"] == "sft"
    assert ckpt.metadata["base_model"]["checkpoint"] == str(pretrained / "best_model.pt")
    assert ckpt.metadata["finetune"]["method"] == "sft"


@pytest.fixture(scope="module")
def lora_run(pretrained, tiny_data, tmp_path_factory) -> Path:
    """`stick-gen finetune --method lora` on the tiny pretrained model, 6 steps: the output folder."""
    out = tmp_path_factory.mktemp("lora")
    assert main(["finetune", "--method", "lora", "--init-from", str(pretrained / "best_model.pt"),
                 "--config", TINY, "--output", str(out), "--data", str(tiny_data), "--max-steps", "6",
                 "--no-progress"]) == 0
    return out


def test_lora_finetune_and_merge(pretrained, lora_run, tmp_path):
    from stick_gen.model.transformer import StickFigureTransformer
    from stick_gen.training.lora import attach_lora

    out = lora_run
    adapter = load_checkpoint(out / "lora_adapters.pth")
    assert adapter.kind == "lora" and all("lora_" in k for k in adapter.state_dict)
    assert main(["lora", "merge", "--adapter", str(out / "lora_adapters.pth"), "--output", str(tmp_path / "merged")]) == 0
    merged = StickFigureTransformer.from_pretrained(tmp_path / "merged")
    base, _ = load_model(pretrained / "best_model.pt")
    adapted = attach_lora(base, adapter)
    torch.manual_seed(0)
    text, z = torch.randn(3, 1024), torch.rand(3, 16)
    assert torch.allclose(merged(text, z).motion, adapted(text, z).motion, atol=1e-5)
    assert main(["lora", "export", "--adapter", str(out / "lora_adapters.pth"), "--output", str(tmp_path / "peft")]) == 0
    assert (tmp_path / "peft" / "adapter_model.safetensors").is_file()


def test_lora_training_writes_a_peft_adapter_that_plain_peft_loads(pretrained, lora_run):
    from peft import PeftModel

    from stick_gen.training.lora import merge_lora

    folder = lora_run / "adapter"
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA" and config["r"] == 6 and config["inference_mode"]
    assert config["base_model_name_or_path"] == str((pretrained / "best_model.pt").resolve())
    assert (folder / "adapter_model.safetensors").is_file()
    base, _ = load_model(pretrained / "best_model.pt")
    with_peft = PeftModel.from_pretrained(load_model(pretrained / "best_model.pt")[0], str(folder)).merge_and_unload()
    merged = merge_lora(lora_run / "lora_adapters.pth", load_model(pretrained / "best_model.pt")[0])
    torch.manual_seed(0)
    text, z = torch.randn(3, 1024), torch.rand(3, 16)
    assert torch.allclose(with_peft.eval()(text, z).motion, merged(text, z).motion, atol=1e-6)
    assert not torch.allclose(merged(text, z).motion, base(text, z).motion, atol=1e-6)  # the 6 steps did something


def test_the_pipeline_and_generate_load_a_lora_adapter_folder(pretrained, lora_run, tmp_path, capsys):
    import numpy as np

    from stick_gen.inference import StickGenPipeline
    from stick_gen.inference.animation import load_motion
    from stick_gen.training.lora import merge_lora

    folder = lora_run / "adapter"
    pipe = StickGenPipeline.from_pretrained(folder)
    merged = StickGenPipeline(merge_lora(lora_run / "lora_adapters.pth", load_model(pretrained / "best_model.pt")[0]))
    base = StickGenPipeline.from_pretrained(pretrained / "best_model.pt")
    take = pipe("a person waves", seed=3, num_actors=1)
    assert np.allclose(take.frames, merged("a person waves", seed=3, num_actors=1).frames, atol=1e-5)
    assert not np.allclose(take.frames, base("a person waves", seed=3, num_actors=1).frames, atol=1e-5)
    assert main(["generate", "a person waves", "--seed", "3", "--actors", "1", "--checkpoint", str(folder),
                 "-o", str(tmp_path / "wave.motion")]) == 0
    assert np.allclose(load_motion(tmp_path / "wave.motion").frames, take.frames, atol=1e-4)


def test_a_lora_adapter_whose_base_is_gone_says_which_and_how_to_fix(lora_run, tmp_path, capsys):
    import shutil

    from stick_gen.inference import StickGenPipeline
    from stick_gen.model.errors import CheckpointError

    moved = tmp_path / "adapter"
    shutil.copytree(lora_run / "adapter", moved)
    config = json.loads((moved / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = str(tmp_path / "gone" / "best_model.pt")
    (moved / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"gone/best_model.pt does not exist on this machine.*"
                                              r"base_model_name_or_path"):
        StickGenPipeline.from_pretrained(moved)
    assert main(["generate", "a person waves", "--checkpoint", str(moved), "-o", str(tmp_path / "w.gif")]) != 0
    assert "gone/best_model.pt does not exist" in capsys.readouterr().err


def test_foot_contact_loss_is_zero_for_real_motion_and_grows_when_planted_feet_slide():
    """Real procedural motion keeps planted feet still; a hip speed that the feet do not follow makes them slide."""
    import numpy as np

    from stick_gen.data_gen.scenes import generate_scene
    from stick_gen.model.pose import HIP_X, pose_to_features
    from stick_gen.training.train import _foot_contact_loss

    poses = torch.from_numpy(generate_scene(np.random.default_rng(0), num_actors=1, actions=["walk"]).poses[:, 0])
    features = pose_to_features(poses[None], fps=25)  # (1, T, 20) physical
    stats = {"feature_mean": torch.zeros(20), "feature_std": torch.ones(20), "fps": 25}
    still = float(_foot_contact_loss(features, features, stats))
    sliding = features.clone()
    sliding[..., HIP_X] += 1.0  # the body drifts 1 m/s faster than the feet step
    slid = float(_foot_contact_loss(sliding, features, stats))
    assert still < 0.05 and slid > 0.2 and slid > 20 * still  # real planted feet move under 0.25 m/s


def test_limb_speed_loss_counts_a_missed_whip_and_not_a_steady_offset():
    """A throw's hand missing its fast frames and a hand held 10 cm off for the whole clip: the per-value
    motion error counts the offset more, the limb loss only the whip; the hip's travel is not a limb's speed."""
    from stick_gen.model.pose import HIP_X, JOINT_SLOTS, pose_to_features
    from stick_gen.training.train import _limb_speed_loss

    poses = torch.zeros(1, 50, 20)
    x_slot = JOINT_SLOTS["right_hand"][0]
    poses[0, 20:24, x_slot] = torch.tensor([0.1, 0.3, 0.5, 0.6])  # a whip: 5 m/s at 25 fps
    poses[0, 24:, x_slot] = 0.6
    features = pose_to_features(poses, fps=25)
    stats = {"feature_mean": torch.zeros(20), "feature_std": torch.ones(20), "fps": 25}
    slow = features.clone()
    slow[0, 18:30, x_slot] = torch.linspace(0.0, 0.6, 12)  # the same reach, eased over half a second
    offset = features.clone()
    offset[..., x_slot] += 0.1
    travel = features.clone()
    travel[..., HIP_X] += 1.0  # the whole body 1 m/s faster: no limb moves relative to the hip
    assert float(_limb_speed_loss(features, features, stats)) == 0.0
    assert float(_limb_speed_loss(offset, features, stats)) < 1e-10
    assert float(_limb_speed_loss(travel, features, stats)) < 1e-10
    missed = float(_limb_speed_loss(slow, features, stats))
    assert missed > 0.05, missed
    per_value = [float((f - features).pow(2).mean()) for f in (slow, offset)]
    assert per_value[1] > per_value[0], per_value  # the per-value motion loss counts the offset more
    # a flow model's rows are weighted by t^2: a row at t = 0.5 counts a quarter
    assert float(_limb_speed_loss(slow, features, stats, torch.tensor([0.25]))) == pytest.approx(missed / 4)


def test_resume_history_drops_a_torn_last_line_with_a_warning(tmp_path):
    """A crash mid-write leaves half a JSON line at the end of metrics.jsonl: resuming must not die on it."""
    from stick_gen.model.errors import ConfigError
    from stick_gen.training.train import _read_history

    log = tmp_path / "metrics.jsonl"
    log.write_text('{"split": "train", "step": 10, "loss": 1.0}\n{"split": "train", "step": 20, "loss": 0.9}\n'
                   '{"split": "train", "st')
    with pytest.warns(UserWarning, match="torn last line 3"):
        history = _read_history(log, up_to=20)
    assert [r["step"] for r in history] == [10, 20]
    assert log.read_text().count("\n") == 2  # rewritten without the torn line
    log.write_text('{"step": 1}\nnot json\n{"step": 2}\n')
    with pytest.raises(ConfigError, match="line 2 is not a training log record"):
        _read_history(log, up_to=5)


def test_balanced_value_weights_make_a_lifting_foot_count_like_a_moving_hand(tiny_data):
    """On real procedural motion the feet's height moves least within an action, so it is weighted most."""
    from stick_gen.data_gen.dataset import MotionDataset
    from stick_gen.model.pose import JOINT_SLOTS, pose_to_features
    from stick_gen.training.data import feature_statistics, value_weights

    tensors = MotionDataset(tiny_data, "train").tensors
    features = pose_to_features(tensors["poses"].float(), fps=25)
    mean, std = feature_statistics(features)
    weights = value_weights((features - mean) / std, tensors["actions"].long())
    assert weights.shape == (20,) and abs(float(weights.mean()) - 1) < 1e-5 and bool((weights > 0).all())
    foot_y, hand_y = JOINT_SLOTS["left_foot"][1], JOINT_SLOTS["left_hand"][1]
    assert weights[foot_y] > 1.25 * weights[hand_y]  # 2.6x on the 16,000-scene demo data
    # the neck is stored three times (torso, both arms) and read back once: its copies share one weight
    neck_copies = weights[[0, 12, 16]]
    assert torch.allclose(neck_copies, neck_copies[0].expand(3))
    assert float(neck_copies.sum()) < 2 * float(weights[foot_y])


def test_balanced_training_records_its_weighting(tiny_data, tmp_path):
    config = tmp_path / "balanced.yaml"
    config.write_text(Path(TINY).read_text().replace("training:\n", "training:\n  value_weighting: balanced\n"))
    assert main(["train", "--config", str(config), "--output", str(tmp_path / "out"), "--data", str(tiny_data),
                 "--no-progress", "--max-steps", "4"]) == 0
    saved = load_checkpoint(tmp_path / "out" / "best_model.pt")
    assert saved.metadata["config"]["training"]["value_weighting"] == "balanced"
    losses = _losses(tmp_path / "out" / "metrics.jsonl")
    assert losses and all(l == l and l < 100 for l in losses)  # finite


def test_an_unknown_value_weighting_is_refused(tmp_path, capsys):
    config = tmp_path / "bad.yaml"
    config.write_text(Path(TINY).read_text().replace("training:\n", "training:\n  value_weighting: feet\n"))
    assert main(["train", "--config", str(config), "--output", str(tmp_path / "out"), "--no-progress"]) != 0
    err = capsys.readouterr().err
    assert "value_weighting" in err and "balanced" in err


def test_logit_normal_flow_times_gather_in_the_middle_and_stay_reproducible():
    from stick_gen.training.train import flow_inputs

    uniform = flow_inputs(4000, 5, 20, step=3, seed=1)["time"]
    middle = flow_inputs(4000, 5, 20, step=3, seed=1, time_sampling="logit_normal")["time"]
    assert torch.equal(middle, flow_inputs(4000, 5, 20, step=3, seed=1, time_sampling="logit_normal")["time"])
    share = lambda t: float(((t > 0.25) & (t < 0.75)).float().mean())  # noqa: E731
    assert 0.45 < share(uniform) < 0.55 and share(middle) > 0.65
    assert float(middle.min()) > 0 and float(middle.max()) < 1


def test_ema_best_model_holds_the_average_and_resume_restores_it(tiny_data, tmp_path):
    config = tmp_path / "ema.yaml"
    config.write_text(Path(TINY).read_text().replace("training:\n", "training:\n  ema_decay: 0.9\n")
                      .replace("eval_every: 10", "eval_every: 20"))  # one validation pass, at the end
    args = ["train", "--config", str(config), "--data", str(tiny_data), "--no-progress"]
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(args + ["--output", str(whole)]) == 0
    latest = load_checkpoint(whole / "latest.pt")
    raw, average = latest.state_dict, latest.metadata["ema_state_dict"]
    assert latest.metadata["ema_updates"] == latest.metadata["step"] == 20
    # the average trails the raw weights: it is neither them nor the initial weights
    moved = [k for k in raw if raw[k].is_floating_point() and not torch.equal(raw[k], average[k])]
    assert len(moved) > len(raw) // 2
    best = load_checkpoint(whole / "best_model.pt")
    assert best.metadata["step"] == 20
    assert all(torch.equal(best.state_dict[k], average[k]) for k in average)
    # stopped and resumed, the average continues where it was: the same files as one uninterrupted run
    assert main(args + ["--output", str(split), "--stop-after", "10"]) == 0
    assert load_checkpoint(split / "latest.pt").metadata["ema_updates"] == 10
    assert main(args + ["--output", str(split), "--resume"]) == 0
    resumed = load_checkpoint(split / "latest.pt").metadata["ema_state_dict"]
    assert all(torch.equal(resumed[k], average[k]) for k in average)


def test_ema_with_lora_is_refused_with_the_key_to_remove(pretrained, tiny_data, tmp_path, capsys):
    config = tmp_path / "lora_ema.yaml"
    config.write_text(Path(TINY).read_text().replace("training:\n", "training:\n  ema_decay: 0.99\n"))
    code = main(["finetune", "--method", "lora", "--init-from", str(pretrained / "best_model.pt"), "--config",
                 str(config), "--output", str(tmp_path / "out"), "--data", str(tiny_data), "--no-progress"])
    assert code != 0 and "training.ema_decay" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_training_shows_each_row_under_its_paraphrases(tmp_path, capsys):
    from stick_gen.data_gen.dataset import MotionDataset, write_dataset
    from stick_gen.inference.text_encoder import load_text_encoder
    from stick_gen.training.data import load_rows
    from stick_gen.training.train import _wording_choice

    data = write_dataset(tmp_path / "data", 60, seed=0, splits=(0.6, 0.2, 0.2), progress=False, paraphrases=2)
    assert load_rows(data, "train", load_text_encoder("hashing"), max_clauses=8).num_wordings == 1  # not asked
    rows = load_rows(data, "train", load_text_encoder("hashing"), max_clauses=8, wordings=True)
    assert rows.num_wordings == 3
    index = torch.arange(4)
    text = rows.batch(index)
    for wording in range(3):
        shown = rows.batch(index, torch.full((4,), wording))
        assert shown["clause_embeddings"].shape == text["clause_embeddings"].shape
        same = torch.equal(shown["text_embedding"], text["text_embedding"])
        assert same == (wording == 0)  # 0 is the text itself; 1 and 2 are other sentences
        assert torch.equal(shown["clause_embeddings"], text["clause_embeddings"]) == (wording == 0)
        assert set(shown) == set(text) and torch.equal(shown["features"], text["features"])  # only the words change
    # a clause_actions model's labels come with every wording, paraphrases' clauses labelled as the text's
    named = load_rows(data, "train", load_text_encoder("hashing"), max_clauses=8, wordings=True, clause_labels=True)
    every = torch.arange(len(named))
    scene = MotionDataset(data, "train").tensors["scene"]
    for wording in range(3):
        shown = named.batch(every, torch.full((len(named),), wording))
        assert shown["clause_labels"].shape == shown["clause_mask"].shape
        assert bool((shown["clause_labels"][~shown["clause_mask"]] == -1).all())
        assert int((shown["clause_labels"] >= 0).sum()) > 10, wording
        for row, said in enumerate(shown["clause_labels"].tolist()):  # only actions the row's scene does
            assert {a for a in said if a >= 0} <= set(named.actions[scene == scene[row]].flatten().tolist())
    assert torch.equal(named.batch(every, torch.zeros(len(named), dtype=torch.long))["clause_labels"],
                       named.batch(every)["clause_labels"])  # wording 0 is the text
    choices = torch.cat([_wording_choice(16, 3, step, seed=0) for step in range(20)])
    assert set(choices.tolist()) == {0, 1, 2} and torch.equal(_wording_choice(16, 3, 7, 0), _wording_choice(16, 3, 7, 0))
    # the config names how many the dataset holds; a mismatch is refused with the fix
    config = tmp_path / "worded.yaml"
    config.write_text(Path(TINY).read_text().replace("data:\n", "data:\n  paraphrases: 2\n"))
    out = tmp_path / "out"
    assert main(["train", "--config", str(config), "--output", str(out), "--data", str(data), "--no-progress",
                 "--max-steps", "3"]) == 0
    assert all(l == l for l in _losses(out / "metrics.jsonl"))
    assert main(["train", "--config", TINY, "--output", str(tmp_path / "other"), "--data", str(data),
                 "--no-progress"]) != 0
    err = capsys.readouterr().err
    assert "holds 2 paraphrases" in err and "data.paraphrases" in err


def _train_tiny_with(model_option: str, data: Path, tmp_path: Path, steps: int):
    """Train the tiny config with one more model option (``"events: true"``); its folder and logged records."""
    config = tmp_path / "option.yaml"
    config.write_text(Path(TINY).read_text().replace("  dropout: 0.0\n", f"  dropout: 0.0\n  {model_option}\n"))
    out = tmp_path / "out"
    assert main(["train", "--config", str(config), "--output", str(out), "--data", str(data),
                 "--no-progress", "--max-steps", str(steps)]) == 0
    return out, [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_an_events_model_trains_its_key_moment_head_and_generates(tiny_data, tmp_path):
    from stick_gen.inference.pipeline import StickGenPipeline

    out, records = _train_tiny_with("events: true", tiny_data, tmp_path, steps=6)
    event = [r["event"] for r in records if r["split"] == "train"]
    assert event and all(v == v and v >= 0 for v in event) and max(event) > 0, event
    model, _ = load_model(out / "best_model.pt")
    assert model.events and model.config["events"] is True
    animation = StickGenPipeline(model)("A person throws a ball", seed=0)
    assert animation.frames.shape[0] == 250 and bool(torch.isfinite(torch.as_tensor(animation.frames)).all())


def test_clause_start_labels_mark_where_the_next_actor_starts_and_train_the_start_classifier(tiny_data, tmp_path):
    from stick_gen.data_gen.dataset import MotionDataset
    from stick_gen.inference.clauses import split_clauses
    from stick_gen.inference.text_encoder import load_text_encoder
    from stick_gen.training.data import clause_start_labels, load_rows

    scenes = MotionDataset(tiny_data, "train").scenes()
    starts = clause_start_labels(scenes, 8)
    assert sum(starts.values()) >= 5 and len(starts) - sum(starts.values()) >= 20, starts
    checked = 0
    for scene in scenes:
        clauses = split_clauses(scene["text"], 8)
        parts = [len(actor["segments"]) for actor in scene["words"]]
        if scene["num_actors"] == 1:  # one actor: no clause starts another
            assert not any(starts.get(c, False) for c in clauses), scene["text"]
        elif len({tuple(s["action"] for s in a["segments"]) for a in scene["words"]}) > 1 and sum(parts) == len(clauses):
            firsts = {sum(parts[:i]) for i in range(1, len(parts))}  # where actors 2, 3 start, in order
            marked = {k for k, c in enumerate(clauses) if k > 0 and starts.get(c, k in firsts) is True}
            assert marked == firsts, scene["text"]
            checked += 1
    assert checked >= 5
    assert clause_start_labels([{"text": "Two friends wave, then sit down", "words": [
        {"segments": [{"action": "wave"}, {"action": "sit_down"}]}] * 2}], 8) == {"then sit down": False}
    rows = load_rows(tiny_data, "train", load_text_encoder("hashing"), max_clauses=8, clause_starts=True)
    batch = rows.batch(torch.arange(len(rows)))
    labels, mask = batch["clause_starts"], batch["clause_mask"]
    assert labels.shape == mask.shape and bool((labels[~mask] == -1).all()) and bool((labels[:, 0] <= 0).all())
    assert int((labels == 1).sum()) > 10 and "clause_labels" not in batch  # no action labels asked for

    out, records = _train_tiny_with("clause_starts: true", tiny_data, tmp_path, steps=30)
    first = [r["clause_start"] for r in records if r["split"] == "train"]
    assert first[0] > 0
    model, _ = load_model(out / "best_model.pt")
    assert model.clause_starts
    logits = model(batch["text_embedding"], batch["latents"], clause_embeddings=batch["clause_embeddings"],
                   clause_mask=mask).start_logits
    known = labels >= 0
    right = float(((logits[known] > 0).long() == labels[known]).float().mean())
    share = float(labels[known].float().mean())
    constant = max(share, 1 - share)  # what one answer for every clause scores (about 0.6 here)
    assert right > 0.85 and right > constant + 0.15, (right, constant)  # learnt from 30 steps of 8 rows


def test_filler_labels_find_clauses_that_name_no_action_and_let_the_other_labels_pass_over_them(tiny_data, tmp_path):
    from stick_gen.data_gen.dataset import MotionDataset
    from stick_gen.inference.clauses import split_clauses
    from stick_gen.inference.text_encoder import load_text_encoder
    from stick_gen.training.data import clause_action_labels, clause_filler_labels, clause_start_labels, load_rows

    scenes = MotionDataset(tiny_data, "train").scenes()
    flags = clause_filler_labels(scenes, 8)
    fillers = {clause for clause, filler in flags.items() if filler}
    assert len(flags) - len(fillers) >= 10, flags  # tiny data: few clauses stand in three sentences
    for clause in fillers:  # the scenes a filler stands in share no action
        shared = None
        for scene in scenes:
            if clause in split_clauses(scene["text"], 8):
                said = {s["action"] for actor in scene["words"] for s in actor["segments"]}
                shared = said if shared is None else shared & said
        assert shared == set(), (clause, shared)
    plain, passing = clause_action_labels(scenes, 8), clause_action_labels(scenes, 8, fillers)
    assert len(passing) >= len(plain) and not fillers & set(passing)  # fillers name nothing
    assert not fillers & set(clause_start_labels(scenes, 8, fillers))
    intro = [{"text": f"In this clip, {who} waves, while {other} claps", "words": [
        {"segments": [{"action": "wave"}]}, {"segments": [{"action": "clap"}]}]}
        for who, other in (("a man", "a woman"), ("a guy", "a lady"), ("someone", "a child"))]
    intro += [{"text": "In this clip, a man bows", "words": [{"segments": [{"action": "bow"}]}]}]
    assert clause_filler_labels(intro, 8)["In this clip"] is True
    assert clause_start_labels(intro, 8, {"In this clip"})["while a woman claps"] is True
    assert clause_start_labels(intro, 8) == {}  # without passing over it nothing lines up
    rows = load_rows(tiny_data, "train", load_text_encoder("hashing"), max_clauses=8, clause_fillers=True,
                     clause_labels=True)
    batch = rows.batch(torch.arange(len(rows)))
    labels, mask = batch["clause_fillers"], batch["clause_mask"]
    assert labels.shape == mask.shape and bool((labels[~mask] == -1).all()) and int((labels >= 0).sum()) > 20
    assert not bool(((labels == 1) & (batch["clause_labels"] >= 0)).any())  # a filler never names an action

    out, records = _train_tiny_with("clause_fillers: true", tiny_data, tmp_path, steps=30)
    losses = [r["clause_filler"] for r in records if r["split"] == "train"]
    assert losses[0] > 0 and sum(losses[-3:]) < sum(losses[:3]), losses  # the filler classifier learns
    model, _ = load_model(out / "best_model.pt")
    assert model.clause_fillers and model.config["clause_fillers"] is True


def test_flow_loss_weight_keeps_the_loss_scale_and_tilts_toward_either_end():
    from stick_gen.training.train import flow_loss_weight

    t = torch.linspace(0, 1, 100_001)
    assert torch.equal(flow_loss_weight(t, 0.0), torch.ones_like(t))
    for tilt in (-1.0, 0.5, 1.0):
        w = flow_loss_weight(t, tilt)
        assert float(w.mean()) == pytest.approx(1.0, abs=1e-4), tilt  # the motion loss keeps its scale
        assert float(w.min()) >= 0.0
        assert (float(w[0]) > float(w[-1])) == (tilt > 0)  # above 0 the noisy rows count more


def test_a_flow_loss_tilt_weighs_each_rows_motion_error_by_its_flow_time():
    """The same real model and batch: with ``time_weight`` the motion loss is the weighted mean of each
    row's squared error, so at tilt 0.5 the noisy row (t = 0) counts 3x the nearly clean one (t = 1)."""
    from tests.support import tiny_transformer
    from stick_gen.training.config import LossWeights
    from stick_gen.training.train import compute_losses, flow_loss_weight

    model = tiny_transformer()
    torch.manual_seed(0)
    features = torch.randn(2, 250, 20) * torch.tensor([1.0, 3.0])[:, None, None]  # the rows' errors differ
    batch = {"features": features, "text_embedding": torch.randn(2, 1024),
             "latents": torch.rand(2, 16), "slot": torch.zeros(2, dtype=torch.long),
             "num_actors": torch.ones(2, dtype=torch.long), "actions": torch.zeros(2, 250, dtype=torch.long),
             "noise": torch.randn(2, 250, 20), "time": torch.tensor([0.0, 1.0]),
             "drop_text": torch.zeros(2, dtype=torch.bool)}
    weight = flow_loss_weight(batch["time"], 0.5)
    assert weight.tolist() == pytest.approx([1.5, 0.5])
    with torch.no_grad():
        plain, out = compute_losses(model, batch, LossWeights(), objective="flow")
        weighted, _ = compute_losses(model, {**batch, "time_weight": weight}, LossWeights(), objective="flow")
    per_row = (out.motion - batch["features"]).pow(2).mean(dim=(1, 2))
    assert float(per_row[1]) > 2 * float(per_row[0])  # so the weighting shows in the mean
    assert float(plain["motion"]) == pytest.approx(float(per_row.mean()), rel=1e-5)
    assert float(weighted["motion"]) == pytest.approx(float((per_row * weight).mean()), rel=1e-5)


def test_a_flow_loss_tilt_trains_and_one_out_of_range_is_refused(tiny_data, tmp_path, capsys):
    config = tmp_path / "tilted.yaml"
    config.write_text(Path(TINY).read_text().replace("training:\n", "training:\n  flow_loss_tilt: 0.5\n"))
    assert main(["train", "--config", str(config), "--output", str(tmp_path / "out"), "--data", str(tiny_data),
                 "--no-progress", "--max-steps", "4"]) == 0
    saved = load_checkpoint(tmp_path / "out" / "best_model.pt")
    assert saved.metadata["config"]["training"]["flow_loss_tilt"] == 0.5
    assert all(l == l and l < 100 for l in _losses(tmp_path / "out" / "metrics.jsonl"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(TINY).read_text().replace("training:\n", "training:\n  flow_loss_tilt: 1.5\n"))
    assert main(["train", "--config", str(bad), "--output", str(tmp_path / "bad_out")]) != 0
    err = capsys.readouterr().err
    assert "training.flow_loss_tilt" in err and "1.5" in err and "[-1, 1]" in err
    assert not (tmp_path / "bad_out").exists()


def test_each_process_takes_its_share_of_one_global_batch(tiny_data):
    """Two ranks' slices of a step put together are the one-process batch: rows, prefixes, noise and times."""
    from stick_gen.inference.text_encoder import load_text_encoder
    from stick_gen.training.config import load_config
    from stick_gen.training.data import feature_statistics, load_rows
    from stick_gen.training.train import training_batch

    tc = load_config(TINY).training
    tc.flow_loss_tilt = 0.5
    rows = load_rows(tiny_data, "train", load_text_encoder("hashing"), fps=25)
    mean, std = feature_statistics(rows.features)
    rows.features = (rows.features - mean) / std
    kwargs = dict(objective="flow", mean=mean, std=std, fps=25)
    whole = training_batch(rows, 3, tc, **kwargs)
    halves = [training_batch(rows, 3, tc, rank=rank, world=2, **kwargs) for rank in (0, 1)]
    assert whole["features"].shape[0] == tc.batch_size and halves[0]["features"].shape[0] == tc.batch_size // 2
    for key in ("features", "text_embedding", "context_mask", "noise", "time", "drop_text", "time_weight"):
        assert torch.equal(torch.cat([h[key] for h in halves]), whole[key]), key
    assert torch.equal(training_batch(rows, 3, tc, **kwargs)["noise"], whole["noise"])  # pure in (seed, step)
    assert not torch.equal(training_batch(rows, 4, tc, **kwargs)["noise"], whole["noise"])
    assert "noise" not in training_batch(rows, 3, tc, objective="regression", mean=mean, std=std, fps=25)


def test_clause_labels_name_each_clauses_action_and_train_the_clause_classifier(tiny_data, tmp_path):
    from stick_gen.data_gen.actions import ACTIONS
    from stick_gen.data_gen.dataset import MotionDataset
    from stick_gen.inference.clauses import split_clauses
    from stick_gen.inference.text_encoder import load_text_encoder
    from stick_gen.training.data import clause_action_labels, load_rows

    scenes = MotionDataset(tiny_data, "train").scenes()
    named = clause_action_labels(scenes, 8)
    assert len(named) >= 30, len(named)
    for scene in scenes:  # one actor, one clause per segment: each clause names its own segment
        clauses = split_clauses(scene["text"], 8)
        segments = [s["action"] for s in scene["words"][0]["segments"]]
        if scene["num_actors"] == 1 and len(clauses) == len(segments):
            assert all(named.get(c, a) == a for c, a in zip(clauses, segments)), scene["text"]
    assert clause_action_labels([{"text": "Two people playing catch", "words": [
        {"segments": [{"action": "throw"}]}, {"segments": [{"action": "catch"}]}]}], 8) == {}  # one clause, two parts
    clash = [{"text": f"In this clip, a man {verb}", "words": [{"segments": [{"action": a}, {"action": "stand"}]}]}
             for verb, a in (("waves", "wave"), ("claps", "clap"))]
    assert clause_action_labels(clash, 8) == {"a man waves": "stand", "a man claps": "stand"}  # the filler clashes
    rows = load_rows(tiny_data, "train", load_text_encoder("hashing"), max_clauses=8, clause_labels=True)
    batch = rows.batch(torch.arange(len(rows)))
    labels, mask = batch["clause_labels"], batch["clause_mask"]
    assert labels.shape == mask.shape and bool((labels[~mask] == -1).all()) and int((labels >= 0).sum()) > 40
    scene_of = MotionDataset(tiny_data, "train").tensors["scene"].tolist()
    for row, said in enumerate(labels.tolist()):  # a row's labelled clauses name actions its scene's text says
        words = {s["action"] for actor in scenes[scene_of[row]]["words"] for s in actor["segments"]}
        assert {ACTIONS[a] for a in said if a >= 0} <= words

    out, records = _train_tiny_with("clause_actions: true", tiny_data, tmp_path, steps=30)
    assert all(r["clause_action"] > 0 for r in records if r["split"] == "train")
    model, _ = load_model(out / "best_model.pt")
    logits = model(batch["text_embedding"], batch["latents"], clause_embeddings=batch["clause_embeddings"],
                   clause_mask=mask).clause_logits
    known = labels >= 0
    loss = torch.nn.functional.cross_entropy(logits[known], labels[known])
    assert float(loss) < 0.7 * math.log(len(ACTIONS)), float(loss)  # learnt from 30 steps of 8 rows
