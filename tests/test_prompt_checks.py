"""The physical prompt checks measure what their names say: real clips pass, a frozen figure fails."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from stick_gen.cli import main
from stick_gen.evaluation.prompt_checks import CHECKS, check_pipeline, hand_whip, hip_lifts, real_take


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.prompt)
def test_every_check_passes_on_the_generators_own_takes_of_its_action(check):
    for seed in range(5):
        poses = real_take(check, seed)
        assert check.passes(poses), (check.rule, seed, check.measure(poses, 25))


def test_a_figure_frozen_standing_fails_every_check_but_standing_still():
    standing = real_take(CHECKS[6], seed=0)
    frozen = np.repeat(standing[:1], 250, axis=0)
    passed = [check.prompt for check in CHECKS if check.passes(frozen)]
    assert passed == ["A person stands still"]


def test_a_walker_fails_standing_still_and_a_left_walker_fails_walking_right():
    still = next(c for c in CHECKS if c.action == "stand")
    right = CHECKS[0]
    walker = real_take(right, seed=1)
    assert not still.passes(walker)
    mirrored = walker.copy()
    mirrored[:, 0::2] = -mirrored[:, 0::2]  # the same walk, to the left
    assert right.passes(walker) and not right.passes(mirrored)


def test_hip_lifts_counts_separate_hops_not_frames():
    t = np.arange(250) / 25.0
    poses = np.zeros((250, 20))
    poses[:, 3] = 0.9 + 0.08 * np.clip(np.sin(2 * np.pi * 1.0 * t), 0, None)  # ten hops of 8 cm
    assert hip_lifts(poses, 25) == 10
    poses[:, 3] = 0.9 + 0.02 * np.sin(2 * np.pi * 1.0 * t)  # swaying 2 cm: no hop
    assert hip_lifts(poses, 25) == 0


def test_hand_whip_reads_a_throw_and_not_a_hand_at_rest_or_a_clap():
    catch = next(c for c in CHECKS if c.prompt == "Two people playing catch")
    thrower = real_take(catch, seed=0)
    assert hand_whip(thrower, 25) > 4.0
    t = np.arange(250) / 25.0
    swaying = np.repeat(thrower[:1], 250, axis=0)
    swaying[:, 18] += 0.05 * np.sin(2 * np.pi * 0.5 * t)  # the right hand drifting 5 cm, slowly
    assert hand_whip(swaying, 25) < 0.3 and not catch.passes(swaying)
    clapping = real_take(dataclasses.replace(catch, action="clap"), seed=0)
    assert not catch.passes(clapping)  # a clap moves the hands at about 2 m/s


def test_check_pipeline_measures_the_model_beside_real_motion(untrained_checkpoint):
    from stick_gen.inference.pipeline import StickGenPipeline

    records = check_pipeline(StickGenPipeline.from_pretrained(untrained_checkpoint), seeds=2, checks=CHECKS[:3])
    assert [r["prompt"] for r in records] == [c.prompt for c in CHECKS[:3]]
    for record, check in zip(records, CHECKS[:3]):
        assert record["real_passed"] == 2 and len(record["values"]) == 2
        within = [v >= check.bound if check.above else v <= check.bound for v in record["values"]]
        assert record["passed"] == sum(within)
    # an untrained model does not walk 5 m to the right
    assert records[0]["passed"] == 0


def test_the_command_prints_the_table_and_writes_json(untrained_checkpoint, tmp_path, capsys):
    out = tmp_path / "checks.json"
    assert main(["check-prompts", "--checkpoint", str(untrained_checkpoint), "--seeds", "1",
                 "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "A person sits down" in printed and "final_hip_height <= 0.65 m" in printed
    checks = json.loads(out.read_text())["checks"]
    assert len(checks) == len(CHECKS) and all(c["real_passed"] == 1 for c in checks)


def test_the_command_refuses_a_missing_checkpoint_and_bad_seeds(tmp_path, capsys):
    assert main(["check-prompts", "--checkpoint", str(tmp_path / "nope.pt")]) != 0
    assert "no such file" in capsys.readouterr().err
    assert main(["check-prompts", "--checkpoint", str(tmp_path), "--seeds", "0"]) != 0
    assert "--seeds 0" in capsys.readouterr().err
