"""The motion clock: measured from real motion, read by the network, predicted and integrated by the sampler."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stick_gen.data_gen.latents import LATENT_DIM, SLOTS
from stick_gen.data_gen.plans import plan_from_actions
from stick_gen.data_gen.synth import synthesize_actor
from stick_gen.inference.sampler import clock_for, sample_features
from stick_gen.model.clock import CLOCK_DIM, clock_features, integrate_clock, motion_clock
from stick_gen.model.pose import JOINT_SLOTS, pose_to_features

from .support import tiny_transformer


def _clip(actions, seed: int, **fixed: float):
    z = np.random.default_rng(seed).random(LATENT_DIM).astype(np.float32)
    for name, value in fixed.items():
        z[SLOTS[name]] = value
    motion = synthesize_actor(plan_from_actions(actions), 0, z)
    return pose_to_features(torch.from_numpy(motion.poses)[None], fps=25)[0].numpy(), motion.actions


def _clock_of(actions, seeds):
    clips = [_clip(actions, s) for s in seeds]
    feats = np.stack([c[0] for c in clips])
    labels = np.stack([c[1] for c in clips])
    return motion_clock(feats, labels, fps=25), labels


def test_a_pure_oscillation_gives_its_frequency_and_phase():
    t = np.arange(250) / 25.0
    feats = np.zeros((2, 250, 20), np.float32)
    feats[0, :, JOINT_SLOTS["left_hand"][1]] = 0.2 * np.cos(2 * np.pi * (1.2 * t + 0.3))
    feats[1, :, JOINT_SLOTS["left_hand"][1]] = 0.2 * np.cos(2 * np.pi * (1.2 * t + 0.7))
    (cadence, phase), _ = motion_clock(feats, np.zeros((2, 250), np.int64), 25), None
    assert np.allclose(cadence, 1.2, atol=0.02)
    assert abs(((phase[0, 0] - 0.3 + 0.5) % 1.0) - 0.5) < 0.02
    assert abs(((phase[1, 0] - 0.7 + 0.5) % 1.0) - 0.5) < 0.02
    # phase advances by cadence / fps each frame
    assert np.allclose(np.diff(phase[0]), 1.2 / 25, atol=1e-3)


def test_walking_cycles_at_a_stride_rate_and_sitting_does_not_cycle():
    (cadence, _), labels = _clock_of(["walk"], range(6))
    assert 0.6 < float(np.median(cadence)) < 1.4, "a stride (two steps) takes about a second"
    (cadence, _), labels = _clock_of(["sit"], range(6))
    assert float(np.abs(cadence).max()) == 0.0
    (cadence, _), labels = _clock_of(["hop"], range(6))
    assert float(np.median(cadence)) > 1.4, "hopping repeats faster than walking"


def test_faster_tempo_draw_gives_a_faster_clock():
    slow = np.median(motion_clock(*[np.stack(x)[None] for x in _clip(["jog_backwards"], 0, tempo=0.05)], 25)[0])
    fast = np.median(motion_clock(*[np.stack(x)[None] for x in _clip(["jog_backwards"], 0, tempo=0.95)], 25)[0])
    assert fast > slow * 1.05


def test_phase_zero_means_the_same_body_position_in_every_clip_of_an_action():
    """The reference channel's fundamental peaks at clock phase 0, whatever the gait phase draw."""
    feats, labels = zip(*[_clip(["walk"], 3, phase=p) for p in (0.05, 0.3, 0.55, 0.8)])
    feats, labels = np.stack(feats), np.stack(labels)
    cadence, phase = motion_clock(feats, labels, 25)
    # project every clip's left-foot x onto the clock: the same sign and size of response in all four
    foot = feats[..., JOINT_SLOTS["left_foot"][0]]
    foot = foot - foot.mean(axis=1, keepdims=True)
    response = (foot * np.exp(-2j * np.pi * phase)).mean(axis=1)
    angles = np.angle(response)
    spread = np.abs(np.angle(np.exp(1j * (angles - angles[0]))))
    assert spread.max() < 0.6, f"the clock's phase wanders against the foot: {angles}"


def test_clock_features_and_integration():
    feats = clock_features(torch.tensor([[0.0, 0.1, 2.0]]), torch.tensor([[0.3, 0.3, 0.25]]))
    assert feats.shape == (1, 3, CLOCK_DIM)
    assert torch.allclose(feats[0, :2, :4], torch.zeros(2, 4)), "no cycle below 0.2 Hz"
    assert torch.allclose(feats[0, 2, :2], torch.tensor([1.0, 0.0]), atol=1e-6)
    assert torch.all(feats[..., -1] == 1), "the last value says the clock is known"
    phase = integrate_clock(torch.tensor([[1.0] * 25 + [2.0] * 25]), 25, torch.tensor([0.5]))
    assert phase[0, 0] == pytest.approx(0.5) and phase[0, 25] == pytest.approx(1.5)
    assert phase[0, -1] == pytest.approx(1.5 + 24 * 2 / 25)


def test_a_flow_model_reads_its_clock_and_an_old_config_has_none():
    model = tiny_transformer()
    assert model.clock and model.config["clock"] is True
    text, z = torch.randn(2, 1024), torch.rand(2, 16)
    noisy, time = torch.randn(2, 250, 20), torch.full((2,), 0.5)
    clock = clock_for(torch.full((2, 250), 1.5), 25, torch.randn(2, 250, 20))
    with_clock = model(text, z, noisy_motion=noisy, time=time, clock=clock)
    without = model(text, z, noisy_motion=noisy, time=time)
    assert with_clock.cadence.shape == (2, 250)
    assert (with_clock.motion - without.motion).abs().max() > 1e-4, "the clock must reach the motion"
    # rows of zeros are "unknown", the same as no clock
    unknown = model(text, z, noisy_motion=noisy, time=time, clock=torch.zeros(2, 250, CLOCK_DIM))
    assert torch.allclose(unknown.motion, without.motion, atol=1e-6)
    assert not tiny_transformer(num_layers=1, objective="regression").clock
    with pytest.raises(Exception, match="clock=True needs objective='flow'"):
        tiny_transformer(num_layers=1, objective="regression", clock=True)
    old = tiny_transformer(num_layers=1, clock=False)
    assert not hasattr(old, "clock_in") and old(text, z).cadence is None


def test_the_sampler_drives_the_model_with_the_cadence_it_predicts():
    """After the first step every step reads the clock integrated from the first step's cadence."""
    model = tiny_transformer(num_layers=1)
    with torch.no_grad():
        model.cadence_head.weight.zero_()
        model.cadence_head.bias.fill_(2.0)  # every frame: 2 Hz
    seen = []
    model.register_forward_hook(lambda m, args, kwargs, out: seen.append(kwargs.get("clock")), with_kwargs=True)
    noise = torch.randn(1, 250, 20)
    args = (torch.randn(1, 1024), torch.rand(1, 16), torch.zeros(1, dtype=torch.long), torch.ones(1, dtype=torch.long))
    sample_features(model, *args, noise=noise, steps=3, guidance=1.0)
    assert seen[0] is None and all(c is not None for c in seen[1:]) and len(seen) == 3
    expected = clock_for(torch.full((1, 250), 2.0), 25, noise)
    assert torch.allclose(seen[1], expected, atol=1e-5)
    # with guidance both halves read the same clock
    seen.clear()
    sample_features(model, *args, noise=noise, steps=2, guidance=2.0)
    assert torch.equal(seen[1][0], seen[1][1])
    # a given clock is read from the first step on
    seen.clear()
    sample_features(model, *args, noise=noise, steps=2, guidance=1.0, clock=expected)
    assert seen[0] is not None



def test_cadence_agreement_counts_repeating_runs_kept_at_their_pace():
    from stick_gen.evaluation.metrics import cadence_agreement
    from stick_gen.model.pose import features_to_pose

    feats, labels = zip(*[_clip(["walk"], s) for s in range(3)] + [_clip(["sit"], 7)])
    poses = features_to_pose(torch.from_numpy(np.stack(feats)), fps=25).numpy()
    labels = np.stack(labels)
    share, judged = cadence_agreement(poses, poses, labels)
    assert (share, judged) == (1.0, 3), "the sitting run does not repeat and is not judged"
    still = np.repeat(poses[:, :1], 250, axis=1)  # every figure frozen in its first pose
    assert cadence_agreement(still, poses, labels) == (0.0, 3)
    t = np.arange(250) / 25.0
    too_fast = poses.copy()
    too_fast[..., 6] = poses[..., 2] + 0.3 * np.sin(2 * np.pi * 2.5 * t)  # left foot swings at 2.5 Hz
    too_fast[..., 10] = poses[..., 2] - 0.3 * np.sin(2 * np.pi * 2.5 * t)
    assert cadence_agreement(too_fast, poses, labels)[0] == 0.0


def test_long_animations_share_one_clock_over_all_windows():
    """Windows of a long scene read slices of one clock, integrated from their averaged first-step cadence."""
    from stick_gen.inference.clauses import PromptVectors
    from stick_gen.inference.sampler import sample_windows
    from stick_gen.inference.timeline import plan_windows

    model = tiny_transformer(num_layers=1)
    with torch.no_grad():
        model.cadence_head.weight.zero_()
        model.cadence_head.bias.fill_(1.5)
    seen = []
    model.register_forward_hook(lambda m, args, kwargs, out: seen.append(kwargs.get("clock")), with_kwargs=True)
    windows = plan_windows([(0, 500)], 500, 250)
    vectors = PromptVectors(torch.randn(1, 1024), None, None)
    feats, actions, _ = sample_windows(model, vectors, windows, 500, 1, seed=0, steps=2, guidance=1.0)
    assert feats.shape == (1, 500, 20) and torch.isfinite(feats).all()
    first, later = seen[:1], [c for c in seen[1:] if c is not None]
    assert first == [None] and later, "the first step has no clock, every later one has"
    # the phase advances 1.5 Hz / 25 fps per frame across the whole scene, whichever window reads it
    angles = torch.atan2(later[0][..., 0], later[0][..., 1])
    step = torch.remainder(angles[:, 1:] - angles[:, :-1], 2 * torch.pi)
    assert torch.allclose(step, torch.full_like(step, 2 * torch.pi * 1.5 / 25), atol=1e-4)


# --- key moments ------------------------------------------------------------------------------------------


def _catch_scene(seed: int):
    from stick_gen.data_gen.latents import sample_scene_latents
    from stick_gen.data_gen.plans import ActorPlan, ScenePlan, SegmentPlan
    from stick_gen.data_gen.scenes import synthesize_scene

    plan = ScenePlan((ActorPlan((SegmentPlan("throw"),)), ActorPlan((SegmentPlan("catch"),))), "catch", (0,))
    rng = np.random.default_rng([seed, 4093])
    return synthesize_scene(plan, sample_scene_latents(2, rng), 250, 25, noise_rng=rng)


def test_a_throwers_whip_is_a_key_moment_at_the_release_and_the_catcher_has_none():
    from stick_gen.model.clock import EVENT_SPEED, effector_speed, key_moments

    for seed in range(4):
        motions, events = _catch_scene(seed)
        poses = np.stack([m.poses for m in motions])
        feats = pose_to_features(torch.from_numpy(poses), fps=25).numpy()
        labels = np.stack([m.actions for m in motions])
        cadence, _ = motion_clock(feats, labels, 25)
        moments = key_moments(poses, cadence, 25)
        release = events[0]["release_frame"]
        thrown = np.flatnonzero(moments[0])
        assert len(thrown) >= 1 and np.abs(thrown - release).min() <= 5, (seed, thrown.tolist(), release)
        assert (effector_speed(poses, 25)[0, thrown] >= EVENT_SPEED).all()
        assert not moments[1].any(), "the catcher's hands only move to meet the ball"


def test_still_and_repeating_actions_have_no_key_moments():
    from stick_gen.model.clock import key_moments
    from stick_gen.model.pose import features_to_pose

    for actions in (["stand"], ["sit"], ["walk"], ["run"]):
        feats, labels = zip(*[_clip(actions, s) for s in range(2)])
        feats, labels = np.stack(feats), np.stack(labels)
        poses = features_to_pose(torch.from_numpy(feats), fps=25).numpy()
        cadence, _ = motion_clock(feats, labels, 25)
        assert not key_moments(poses, cadence, 25).any(), actions


def test_drawn_key_moments_follow_the_probabilities_mass():
    from stick_gen.model.clock import draw_events

    p = torch.zeros(64, 250)
    p[:, 50:125] = 1.0 / 75  # one moment somewhere in 3 s
    p[:, 175:200] = 2.0 / 25  # two in the last second
    drawn = draw_events(p, torch.linspace(0, 0.999, 64))
    assert (drawn[:, 50:125].sum(1) == 1).all() and (drawn[:, 175:200].sum(1) == 2).all()
    assert drawn.sum() == 64 * 3
    where = torch.nonzero(drawn[:, 50:125])[:, 1].float()
    assert where.min() < 15 and where.max() > 60, "the offset spreads the moment over the stretch"
    assert not draw_events(torch.zeros(2, 250), torch.tensor([0.0, 0.99])).any()


def test_an_events_model_reads_its_key_moments_and_an_old_config_has_none(tmp_path):
    from stick_gen.model.clock import EVENT_DIM, event_features

    from .support import reloaded_without

    model = tiny_transformer(events=True)
    assert model.events and model.clock_dim == CLOCK_DIM + EVENT_DIM
    text, z = torch.randn(2, 1024), torch.rand(2, 16)
    noisy, time = torch.randn(2, 250, 20), torch.full((2,), 0.5)
    cycle = clock_for(torch.full((2, 250), 1.5), 25, torch.randn(2, 250, 20))
    moments = torch.zeros(2, 250, dtype=torch.bool)
    moments[:, 100] = True
    quiet = model(text, z, noisy_motion=noisy, time=time,
                  clock=torch.cat([cycle, event_features(torch.zeros_like(moments), 25)], -1))
    whip = model(text, z, noisy_motion=noisy, time=time, clock=torch.cat([cycle, event_features(moments, 25)], -1))
    assert whip.event_logits.shape == (2, 250)
    assert (whip.motion - quiet.motion).abs().max() > 1e-4, "the key moments must reach the motion"
    # unknown (no clock at all) is the same as a clock of zeros
    unknown = model(text, z, noisy_motion=noisy, time=time, clock=torch.zeros(2, 250, model.clock_dim))
    assert torch.allclose(unknown.motion, model(text, z, noisy_motion=noisy, time=time).motion, atol=1e-6)
    with pytest.raises(Exception, match="events=True is read and drawn with the motion clock"):
        tiny_transformer(num_layers=1, objective="regression", events=True)
    old = reloaded_without(tiny_transformer(num_layers=1), "events", tmp_path)
    assert not old.events and old(text, z).event_logits is None and old.clock_dim == CLOCK_DIM


def test_the_sampler_draws_key_moments_from_the_first_step_and_reads_them_after():
    from stick_gen.model.clock import EVENT_DIM

    model = tiny_transformer(num_layers=1, events=True)
    with torch.no_grad():
        model.event_head.weight.zero_()
        model.event_head.bias.fill_(float(torch.logit(torch.tensor(0.02))))  # 5 moments in 250 frames
    seen = []
    model.register_forward_hook(lambda m, args, kwargs, out: seen.append(kwargs.get("clock")), with_kwargs=True)
    args = (torch.randn(2, 1024), torch.rand(2, 16), torch.zeros(2, dtype=torch.long), torch.ones(2, dtype=torch.long))
    sample_features(model, *args, noise=torch.randn(2, 250, 20), steps=3, guidance=2.0)
    assert seen[0] is None and seen[1].shape == (4, 250, CLOCK_DIM + EVENT_DIM)
    narrow = seen[1][:2, :, CLOCK_DIM]
    assert ((narrow > 0.999).sum(1) == 5).all(), "five moments per row, each at the centre of its bump"
    assert torch.equal(seen[1][:2], seen[1][2:]), "both halves of guidance read the same moments"
