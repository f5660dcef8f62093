"""Evaluation: the metric functions on hand-made motion, then `stick-gen evaluate` on a tiny real dataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stick_gen.data_gen.scenes import root_physics
from stick_gen.evaluation import metrics
from stick_gen.model.pose import JOINT_SLOTS, POSE_DIM


def _standing(frames: int = 100) -> torch.Tensor:
    """One still actor standing at x = 0: hip 0.9 m up, neck 1.4 m, feet on the ground, hands at the sides."""
    pose = torch.zeros(POSE_DIM)
    for joint, (x, y) in {"neck": (0.0, 1.4), "hip": (0.0, 0.9), "left_foot": (-0.1, 0.0), "right_foot": (0.1, 0.0),
                          "left_hand": (-0.2, 0.8), "right_hand": (0.2, 0.8)}.items():
        pose[list(JOINT_SLOTS[joint])] = torch.tensor([x, y])
    from stick_gen.model.pose import canonicalize

    return canonicalize(pose).expand(1, frames, POSE_DIM).clone()


def test_a_foot_sliding_on_the_ground_at_constant_speed_skates_every_step():
    poses = _standing()
    poses[0, :, JOINT_SLOTS["left_foot"][0]] += torch.arange(100.0) * 0.04  # 1 m/s on the ground
    assert metrics.foot_skating(poses).tolist() == [1.0]


def test_feet_that_stay_put_or_move_in_the_air_do_not_skate():
    still = _standing()
    assert metrics.foot_skating(still).tolist() == [0.0]
    swinging = _standing()
    swinging[0, :, JOINT_SLOTS["right_foot"][1]] = 0.2  # lifted 20 cm
    swinging[0, :, JOINT_SLOTS["right_foot"][0]] += torch.arange(100.0) * 0.04
    assert metrics.foot_skating(swinging).tolist() == [0.0]
    slow = _standing()
    slow[0, :, JOINT_SLOTS["left_foot"][0]] += torch.arange(100.0) * 0.004  # 0.1 m/s: below the threshold
    assert metrics.foot_skating(slow).tolist() == [0.0]


def test_smooth_motion_has_no_jitter_and_noise_does():
    t = torch.arange(250.0).view(1, 250, 1) / 25
    walking = _standing(250) + torch.zeros(1, 250, POSE_DIM)
    walking[..., 0::2] += 1.2 * t + 0.3 * t ** 2  # constant acceleration along x
    assert metrics.jitter(walking).item() < 1e-5
    noisy = walking + 0.01 * torch.randn(walking.shape, generator=torch.Generator().manual_seed(0))
    assert metrics.jitter(noisy).item() > 0.02  # about 4.5 x the noise for independent frames


def test_segment_counts_and_grouped_means():
    labels = torch.tensor([[0, 0, 0, 0], [2, 2, 7, 7], [1, 4, 1, 4]])
    assert metrics.segment_counts(labels).tolist() == [1, 2, 4]
    groups = metrics.grouped_means(torch.tensor([100.0, 50.0, 20.0, 40.0]), torch.tensor([1, 2, 2, 3]))
    assert groups == {"1": {"mean": 100.0, "clips": 1}, "2": {"mean": 35.0, "clips": 2},
                      "3": {"mean": 40.0, "clips": 1}}


def test_pose_mse_temporal_consistency_and_action_accuracy_on_known_values():
    real = _standing(50)
    shifted = real + 0.1  # 10 cm off everywhere, moving identically
    assert metrics.pose_mse(shifted, real).item() == pytest.approx(0.01, rel=1e-5)
    assert metrics.temporal_consistency(shifted, real).item() == pytest.approx(0.0, abs=1e-10)
    labels = torch.zeros(1, 50, dtype=torch.long)
    predicted = labels.clone()
    predicted[0, :10] = 3
    assert metrics.action_accuracy(predicted, labels).tolist() == [80.0]


def test_root_physics_of_a_batch_recovers_velocity_acceleration_and_momentum():
    t = torch.arange(250.0) / 25
    poses = _standing(250)
    poses[0, :, JOINT_SLOTS["hip"][0]] = 0.5 * 2.0 * t ** 2  # x = a t^2 / 2 with a = 2 m/s^2
    physics = root_physics(poses, torch.tensor([80.0]), 25, axis=1)
    middle = physics[0, 10:-10]
    assert torch.allclose(middle[:, 0], 2.0 * t[10:-10], atol=1e-3)  # vx
    assert torch.allclose(middle[:, 2], torch.full((230,), 2.0), atol=1e-2)  # ax
    assert torch.allclose(middle[:, 4], 80.0 * 2.0 * t[10:-10], atol=0.1)  # px = m vx
    assert middle[:, [1, 3, 5]].abs().max() < 1e-4  # nothing vertical
    assert metrics.physics_mse(physics, physics).tolist() == [0.0]


def test_matrix_square_root_of_known_matrices():
    rotation = np.array([[0.6, -0.8], [0.8, 0.6]])
    spd = rotation @ np.diag([4.0, 9.0]) @ rotation.T
    root = metrics.matrix_sqrt(spd)
    assert np.allclose(root @ root, spd, atol=1e-9)
    assert np.allclose(root, rotation @ np.diag([2.0, 3.0]) @ rotation.T, atol=1e-9)
    with pytest.raises(ValueError, match="imaginary"):
        metrics.matrix_sqrt(np.array([[-4.0, 0.0], [0.0, 1.0]]))  # sqrt(-4) = 2i: not a covariance product


def test_frechet_distance_is_zero_for_identical_gaussians_and_grows_with_the_shift():
    generator = torch.Generator().manual_seed(0)
    sample = torch.randn(2000, 8, generator=generator, dtype=torch.float64)
    assert metrics.fid(sample, sample) == pytest.approx(0.0, abs=1e-6)
    shifted = sample + torch.tensor([1.0] + [0.0] * 7, dtype=torch.float64)
    assert metrics.fid(sample, shifted) == pytest.approx(1.0, abs=1e-6)  # |mu_a - mu_b|^2, covariances equal
    mean_a, cov_a = np.zeros(3), np.diag([1.0, 4.0, 9.0])
    mean_b, cov_b = np.zeros(3), np.eye(3)
    # tr(A + B - 2 sqrt(AB)) = (1 + 4 + 9) + 3 - 2 (1 + 2 + 3)
    assert metrics.frechet_distance(mean_a, cov_a, mean_b, cov_b) == pytest.approx(5.0)


def test_r_precision_ranks_the_own_text_and_batches_never_repeat_a_key():
    keys = [f"text {i % 40}" for i in range(100)]  # 40 texts, most of them on 2 or 3 rows
    batches = metrics.retrieval_batches(keys, 32, torch.Generator().manual_seed(1))
    assert batches and all(len(b) == 32 and len({keys[i] for i in b}) == 32 for b in batches)
    generator = torch.Generator().manual_seed(0)
    text = torch.nn.functional.normalize(torch.randn(100, 16, generator=generator), dim=1)
    perfect = metrics.r_precision(text, text, batches)
    assert perfect == {1: 1.0, 3: 1.0}
    unrelated = torch.nn.functional.normalize(torch.randn(100, 16, generator=generator), dim=1)
    chance = metrics.r_precision(text, unrelated, batches)
    assert chance[3] < 0.4  # chance is 3/32


def test_diversity_and_intervals():
    points = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    assert metrics.diversity(points, num_pairs=50) == pytest.approx(5.0)
    mean, (low, high) = metrics.mean_interval([1.0, 2.0, 3.0])
    assert low < mean == 2.0 < high
    assert metrics.mean_interval([4.0]) == (4.0, None)
    low, high = metrics.bootstrap_interval(torch.arange(100.0), generator=torch.Generator().manual_seed(0))
    assert 40 < low < 49.5 < high < 59


# --- `stick-gen evaluate` end to end on a tiny real dataset -------------------------------------------------

TINY_EVALUATOR = dict(embed_dim=16, channels=32, text_hidden=64, steps=40, batch_size=32)


@pytest.fixture(scope="module")
def evaluation(tiny_data, untrained_checkpoint, tmp_path_factory):
    from stick_gen.evaluation.evaluate import evaluate
    from stick_gen.evaluation.evaluator import EvaluatorConfig

    output = tmp_path_factory.mktemp("out") / "metrics.json"
    result = evaluate(untrained_checkpoint, tiny_data, "test", repeats=2, seed=0,
                      evaluator_config=EvaluatorConfig(**TINY_EVALUATOR), output=output, progress=False)
    return result, output


def test_evaluate_writes_every_metric_for_model_and_real_motion(evaluation):
    import json
    import math

    from stick_gen.evaluation.evaluate import METRIC_KEYS

    result, output = evaluation
    written = json.loads(output.read_text())
    assert written == json.loads(json.dumps(result))
    assert {"split", "checkpoint", "data", "num_samples", "repeats", "model", "real", "ci95", "text_encoder",
            "variant"} <= set(written)
    assert written["split"] == "test" and written["repeats"] == 2 and written["text_encoder"] == "hashing-1024-v1"
    assert written["variant"] is None  # a custom shape, not small/medium/large
    assert written["sampler"]["plant_feet"] is True  # scored as the pipeline makes it: feet planted
    assert set(written["model"]) == set(written["real"]) == set(written["ci95"]) == set(METRIC_KEYS)
    for key in METRIC_KEYS:
        value = written["model"][key]
        assert math.isfinite(value) and math.isfinite(written["real"][key]), key
        if key != "seed_variety":  # one ratio of two means: no interval
            low, high = written["ci95"][key]
            assert low <= value + 1e-9 and value <= high + 1e-9, key
    real = written["real"]
    assert real["pose_mse"] == 0.0 and real["temporal_consistency"] == 0.0
    # the frozen motion classifier (trained on only 60 scenes here) recognises real motion, not untrained output
    assert real["action_accuracy"] > 40.0 and written["model"]["action_accuracy"] < real["action_accuracy"] - 20
    for key in ("amplitude_hands", "amplitude_feet", "amplitude_hip_height", "amplitude_foot_lift", "seed_variety"):
        assert real[key] == 1.0 and written["model"][key] > 0.0, key
    assert written["details"]["seed_variety_m"]["real"] > 0.05  # two generator draws of one scene differ
    assert real["physics_mse"] < 1e-4  # the recomputed physics agrees with the generator's targets
    assert written["model"]["pose_mse"] > 0.01  # an untrained model is far from the real motion
    assert real["fid"] * 5 < written["model"]["fid"]  # real halves are alike; untrained motion is not
    assert real["jitter"] < written["model"]["jitter"]  # untrained output is frame-to-frame noise
    assert 0.0 <= written["model"]["foot_skating"] <= 1.0
    # The breakdowns regroup the same per-clip accuracies: clip-weighted, they give the per-clip mean back.
    for detail in ("action_accuracy_by_actions_per_clip", "action_accuracy_by_actors"):
        groups = written["details"][detail]
        clips = sum(g["clips"] for g in groups.values())
        assert 0 < clips <= written["num_samples"], detail
        weighted = sum(g["mean"] * g["clips"] for g in groups.values()) / clips
        assert weighted == pytest.approx(written["model"]["action_accuracy_clip"], rel=1e-6), detail
    assert set(written["details"]["action_accuracy_by_actors"]) <= {"1", "2", "3"}
    assert min(int(k) for k in written["details"]["action_accuracy_by_actions_per_clip"]) >= 1


def test_the_cached_evaluator_retrieves_training_texts_far_above_chance(evaluation, tiny_data):
    """R-precision of real motion with the evaluator cached beside the data (trained on the train split)."""
    from stick_gen.evaluation import evaluator as evaluator_module
    from stick_gen.evaluation.evaluate import load_split
    from stick_gen.inference.text_encoder import load_text_encoder

    result, _ = evaluation
    path = evaluator_module.evaluator_path(tiny_data, "hashing")
    assert result["evaluator"]["path"] == str(path) and path.is_file()
    evaluator, meta = evaluator_module.load_evaluator(path)  # weights_only=True inside
    assert meta["config"]["steps"] == TINY_EVALUATOR["steps"]
    rows = load_split(tiny_data, "train", load_text_encoder("hashing"))
    batches = metrics.retrieval_batches(rows.keys(), 32, torch.Generator().manual_seed(0))
    precision = metrics.r_precision(evaluator.embed_text_batched(rows.text_embeddings, rows.slot, rows.num_actors),
                                    evaluator.embed_motion_batched(rows.poses), batches)
    assert precision[3] > 0.3  # chance is 3/32
    # On the test split the phrasings are unseen, which word hashing barely carries; MiniLM does (docs/metrics.md).
    assert 0.0 <= result["real"]["r_precision_top3"] <= 1.0


def test_cli_reuses_the_cached_evaluator_and_prints_the_table(evaluation, tiny_data, untrained_checkpoint, tmp_path,
                                                              capsys):
    import json

    from stick_gen.cli import main

    from stick_gen.model.checkpoint import load_model, save_training_checkpoint

    # Without --data, the dataset is the one the checkpoint's training config names.
    model, _ = load_model(untrained_checkpoint)
    checkpoint = save_training_checkpoint(tmp_path / "trained_on_tiny.pt", model,
                                          extra={"config": {"data": {"path": str(tiny_data)}}})
    output = tmp_path / "cli.json"
    code = main(["evaluate", "--checkpoint", str(checkpoint), "--split", "test", "--output", str(output),
                 "--num-samples", "40", "--repeats", "2", "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Pose MSE" in printed and "R-precision top-3" in printed and "real" in printed
    assert "Action Accuracy by actions in sequence (clips): 1: " in printed
    written = json.loads(output.read_text())
    assert written["num_samples"] == 40 and written["evaluator"]["cached"] is True
    assert written["data"] == str(tiny_data)
    assert written["evaluator"]["config"]["steps"] == TINY_EVALUATOR["steps"]  # not retrained with the defaults


@pytest.mark.parametrize("problem", ["missing checkpoint", "missing data", "no data recorded", "unknown split",
                                     "empty split", "lora only", "encoder option", "cached embeddings"])
def test_each_bad_input_is_one_clear_error_and_writes_nothing(problem, tiny_data, untrained_checkpoint, tmp_path,
                                                              tiny_model):
    import shutil

    from stick_gen.evaluation.evaluate import evaluate
    from stick_gen.model.errors import CheckpointError, DataError, EncoderMismatchError

    checkpoint, data, split, encoder = untrained_checkpoint, tiny_data, "test", None
    if problem == "missing checkpoint":
        checkpoint, expected, match = tmp_path / "nope.pt", CheckpointError, "no such checkpoint"
    elif problem == "missing data":
        data, expected, match = tmp_path / "no-data", DataError, "no such dataset"
    elif problem == "no data recorded":
        data, expected, match = None, DataError, "does not record the dataset.*--data DIR"
    elif problem == "unknown split":
        split, expected, match = "testing", DataError, "unknown split 'testing'"
    elif problem == "empty split":
        from stick_gen.data_gen.dataset import write_dataset

        data = write_dataset(tmp_path / "no-val", 4, splits=(0.5, 0.0, 0.5), progress=False)
        split, expected, match = "val", DataError, "holds no scenes"
    elif problem == "lora only":
        from stick_gen.training.lora import apply_lora, save_lora_checkpoint

        checkpoint = save_lora_checkpoint(tmp_path / "lora_adapters.pth", apply_lora(tiny_model),
                                          base={"repo_id": "x/base"})
        expected, match = CheckpointError, "LoRA adapters only.*lora merge"
    elif problem == "encoder option":
        encoder, expected, match = "minilm", EncoderMismatchError, "hashing-1024-v1"
    else:
        from safetensors.torch import save_file

        from stick_gen.training.data import embedding_cache_path

        data = shutil.copytree(tiny_data, tmp_path / "copy")
        save_file({"digests": torch.zeros(0, 20, dtype=torch.uint8), "vectors": torch.zeros(0, 1024)},
                  str(embedding_cache_path(data, "hashing-1024-v1")),
                  metadata={"encoder_identity": "minilm-l6-v2/lift1024-v1", "format": "pt"})
        expected, match = EncoderMismatchError, "made by 'minilm-l6-v2/lift1024-v1'"
    output = tmp_path / "metrics.json"
    with pytest.raises(expected, match=match):
        evaluate(checkpoint, data, split, text_encoder=encoder, output=output, repeats=1, progress=False)
    assert not output.exists() and not list(tmp_path.glob(".metrics.json*"))
