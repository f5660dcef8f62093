"""Evaluation: the metric functions on hand-made motion, then `stick-gen evaluate` on a tiny real dataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

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


def test_pose_mse_temporal_consistency_and_action_accuracy_on_known_values():
    real = _standing(50)
    shifted = real + 0.1  # 10 cm off everywhere, moving identically
    assert metrics.pose_mse(shifted, real).item() == pytest.approx(0.01, rel=1e-5)
    assert metrics.temporal_consistency(shifted, real).item() == pytest.approx(0.0, abs=1e-10)
    labels = torch.zeros(1, 50, dtype=torch.long)
    predicted = labels.clone()
    predicted[0, :10] = 3
    assert metrics.action_accuracy(predicted, labels).tolist() == [80.0]


def test_hip_physics_recovers_velocity_acceleration_and_momentum():
    t = torch.arange(250.0) / 25
    poses = _standing(250)
    poses[0, :, JOINT_SLOTS["hip"][0]] = 0.5 * 2.0 * t ** 2  # x = a t^2 / 2 with a = 2 m/s^2
    physics = metrics.hip_physics(poses, torch.tensor([80.0]))
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
