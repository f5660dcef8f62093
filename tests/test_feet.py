"""Planted feet (inference/feet.py): sliding and gliding feet are fixed, real motion keeps its meaning,
joined poses stay exact, and the pipeline and CLI apply it (or not) as asked."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stick_gen.cli import main
from stick_gen.data_gen.latents import LATENT_DIM
from stick_gen.data_gen.plans import plan_from_actions
from stick_gen.data_gen.synth import synthesize_actor
from stick_gen.evaluation import metrics
from stick_gen.inference import StickGenPipeline
from stick_gen.inference.feet import FADE_FRAMES, ground_runs, hip_from_planted_feet, pin_feet, plant_feet
from stick_gen.model.pose import FOOT_CONTACT_HEIGHT, HIP_X, JOINT_SLOTS, X_SLOTS

LEFT_X, LEFT_Y = JOINT_SLOTS["left_foot"]
RIGHT_X, RIGHT_Y = JOINT_SLOTS["right_foot"]


def standing(frames: int = 50) -> torch.Tensor:
    """One figure standing upright, feet 20 cm apart on the ground, hands at the hips."""
    poses = torch.zeros(1, frames, 20)
    joints = {"neck": (0.0, 1.45), "hip": (0.0, 0.9), "left_foot": (-0.1, 0.0), "right_foot": (0.1, 0.0),
              "left_hand": (-0.2, 0.9), "right_hand": (0.2, 0.9)}
    for segment, (start, end) in enumerate((("neck", "hip"), ("hip", "left_foot"), ("hip", "right_foot"),
                                            ("neck", "left_hand"), ("neck", "right_hand"))):
        poses[..., 4 * segment:4 * segment + 4] = torch.tensor([*joints[start], *joints[end]])
    return poses


def test_a_figure_gliding_on_both_feet_stands_still():
    glide = standing(50)
    glide[..., list(X_SLOTS)] += torch.linspace(0, 1.0, 50)[None, :, None]  # the whole body slides 1 m
    assert float(metrics.foot_skating(glide).mean()) > 0.9
    fixed = plant_feet(glide)
    assert float(fixed[0, :, HIP_X].abs().max()) < 1e-5
    assert float(metrics.foot_skating(fixed).mean()) == 0.0
    # the pose itself (every joint relative to the hip, every height) is the same
    rel = lambda p: p[..., list(X_SLOTS)] - p[..., HIP_X:HIP_X + 1]
    assert torch.allclose(rel(fixed), rel(glide), atol=1e-5) and torch.equal(fixed[..., 1::2], glide[..., 1::2])


def test_a_sliding_stance_foot_is_pinned_and_lifts_off_without_a_jump():
    poses = standing(60)
    lift = torch.zeros(60)
    lift[30:45] = torch.sin(torch.linspace(0.2, np.pi - 0.2, 15)) * 0.15  # the left foot steps at frames 30-44
    poses[0, :, LEFT_Y] = lift
    poses[0, :30, LEFT_X] += torch.linspace(0, 0.3, 30)  # ... after sliding 30 cm while on the ground
    poses[0, 30:, LEFT_X] += 0.3
    fixed = pin_feet(poses.numpy())
    stance = fixed[0, :30, LEFT_X]
    assert np.ptp(stance) < 1e-6 and abs(stance[0] - float(poses[0, :30, LEFT_X].mean())) < 1e-6
    steps = np.abs(np.diff(fixed[0, :, LEFT_X]))
    assert steps.max() < 0.05  # the 15-cm offset fades over the airborne frames: no jump at lift-off
    assert np.allclose(fixed[0, 30 + FADE_FRAMES:, LEFT_X], poses[0, 30 + FADE_FRAMES:, LEFT_X].numpy())
    assert np.array_equal(fixed[0, :, RIGHT_X], poses[0, :, RIGHT_X].numpy())  # the still foot is untouched


def test_a_pinned_foot_never_stretches_the_leg_past_its_longest():
    poses = standing(40)
    poses[0, :, list(X_SLOTS)] += torch.linspace(0, 2.0, 40)[:, None]  # the body walks 2 m ...
    poses[0, :, RIGHT_Y] = 0.2  # ... on its left foot alone, which never lifts
    leg = lambda p: np.hypot(p[0, :, LEFT_X] - p[0, :, HIP_X], p[0, :, LEFT_Y] - p[0, :, 3])
    fixed = pin_feet(poses.numpy())
    assert leg(fixed).max() <= leg(poses.numpy()).max() + 1e-5


def test_real_motion_keeps_its_meaning():
    """A synthesized walk: the same travel within 5%, planted feet stay planted, no jitter added."""
    walk = synthesize_actor(plan_from_actions(["walk"]), 0, np.full(LATENT_DIM, 0.5, np.float32))
    poses = torch.as_tensor(walk.poses)[None].float()
    fixed = plant_feet(poses)
    travel = lambda p: float(p[0, -1, HIP_X] - p[0, 0, HIP_X])
    assert abs(travel(fixed) - travel(poses)) < 0.05 * abs(travel(poses))
    assert float(metrics.foot_skating(fixed).mean()) <= float(metrics.foot_skating(poses).mean()) + 1e-6
    assert float(metrics.jitter(fixed).mean()) < 1.1 * float(metrics.jitter(poses).mean())


def test_known_frames_stay_exact_and_types_round_trip():
    glide = standing(40)
    glide[..., list(X_SLOTS)] += torch.linspace(0, 1.0, 40)[None, :, None]
    known = torch.zeros(40, dtype=torch.bool)
    known[:5] = known[-3:] = True
    fixed = plant_feet(glide, known=known)
    assert torch.equal(fixed[:, :5], glide[:, :5])
    assert torch.allclose(fixed[0, -3:, LEFT_Y], glide[0, -3:, LEFT_Y])
    assert isinstance(plant_feet(glide.numpy()), np.ndarray) and plant_feet(glide.double()).dtype == torch.float64
    with pytest.raises(ValueError, match=r"\(clips, frames, 20\)"):
        plant_feet(torch.zeros(40, 20))
    with pytest.raises(ValueError, match="one flag per frame"):
        plant_feet(glide, known=np.ones(39, bool))
    assert ground_runs(np.array([1, 1, 0, 0, 1], bool)) == [(0, 1), (4, 4)]
    assert FOOT_CONTACT_HEIGHT == metrics.FOOT_CONTACT_HEIGHT  # one threshold for the metric and the fix


def test_hip_follows_the_feet_only_while_both_are_down():
    poses = standing(30)
    poses[0, :, LEFT_Y] = 0.3  # one foot in the air: the hip keeps its own speed
    poses[0, :, list(X_SLOTS)] += torch.linspace(0, 0.5, 30)[:, None]
    assert torch.allclose(hip_from_planted_feet(poses), poses, atol=1e-5)


def test_pipeline_plants_feet_unless_asked_not_to(untrained_checkpoint, tmp_path):
    pipe = StickGenPipeline.from_pretrained(untrained_checkpoint)
    planted = pipe("A person walks to the right", seed=3, num_actors=1)
    free = pipe("A person walks to the right", seed=3, num_actors=1, plant_feet=False)
    assert np.allclose(plant_feet(free.frames.transpose(1, 0, 2)), planted.frames.transpose(1, 0, 2), atol=1e-5)
    skate = lambda anim: float(metrics.foot_skating(torch.as_tensor(anim.frames.transpose(1, 0, 2))).mean())
    assert skate(planted) <= skate(free)
    out_free, out_planted = tmp_path / "free.motion", tmp_path / "planted.motion"
    base = ["generate", "A person walks to the right", "--checkpoint", str(untrained_checkpoint), "--actors", "1",
            "--seed", "3", "--no-progress"]
    assert main(base + ["-o", str(out_planted)]) == 0
    assert main(base + ["-o", str(out_free), "--free-feet"]) == 0
    from stick_gen.inference.animation import load_motion
    assert np.allclose(load_motion(out_free).frames, free.frames, atol=1e-4)  # .motion keeps 0.1 mm
    assert np.allclose(load_motion(out_planted).frames, planted.frames, atol=1e-4)
