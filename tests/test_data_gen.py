"""The procedural motion data: vocabulary, scenes, latents, interactions, splits, files on disk."""

from __future__ import annotations

import filecmp
import json
import re

import numpy as np
import pytest

from stick_gen.cli import main
from stick_gen.data_gen import dataset as dataset_module
from stick_gen.data_gen.actions import ACTION_INDEX, ACTIONS, BALL_ACTIONS, NUM_ACTIONS, SPECS
from stick_gen.data_gen.body import HEIGHT_RANGES
from stick_gen.data_gen.dataset import MotionDataset, write_dataset
from stick_gen.data_gen.latents import LATENT_DIM, SCENE, SLOTS, actor_spacing, sample_scene_latents, start_positions
from stick_gen.data_gen.motions import MOTIONS
from stick_gen.data_gen.plans import (
    ActorPlan, ScenePlan, SegmentPlan, held_out_pair, held_out_pairs_in, plan_from_actions, sample_plan,
)
from stick_gen.data_gen.scenes import generate_scene, root_physics, synthesize_scene
from stick_gen.data_gen.synth import flight_time, synthesize_actor
from stick_gen.data_gen.text import (
    _GERUND_FRAMES, _GERUND_SEQUENCES, _INTROS, _SEQUENCES, MAX_TEXT_CHARS, describe, held_out_words, inflect,
)
from stick_gen.inference.clauses import CONNECTIVES, split_clauses
from stick_gen.model.errors import ConfigError, DataError
from stick_gen.model.pose import HIP_X, JOINT_SLOTS, canonicalize, pose_to_joints


def _z(seed: int, **fixed: float) -> np.ndarray:
    z = np.random.default_rng(seed).random(LATENT_DIM).astype(np.float32)
    for name, value in fixed.items():
        z[SLOTS[name]] = value
    return z


def _hip_speed(poses: np.ndarray) -> float:
    """Mean hip speed along x (m/s) of one actor's poses ``[T, 20]``."""
    return float((poses[-1, HIP_X] - poses[0, HIP_X]) / ((len(poses) - 1) / 25))


def _facing(poses: np.ndarray) -> float:
    """Mean forward lean of the torso: > 0 when the figure faces +x."""
    return float(np.mean(poses[:, JOINT_SLOTS["neck"][0]] - poses[:, HIP_X]))


@pytest.fixture(scope="module")
def scenes():
    return [generate_scene(np.random.default_rng([7, i])) for i in range(40)]


def test_vocabulary_has_64_distinct_snake_case_actions():
    assert NUM_ACTIONS == len(ACTIONS) == len(set(ACTIONS)) == 64
    assert ACTIONS[0] == "stand"
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", a) for a in ACTIONS)
    assert {"throw", "catch", "kick"} <= BALL_ACTIONS <= set(ACTIONS)
    assert sorted(MOTIONS) == sorted(ACTIONS)
    assert all(SPECS[a].phrases and any(not p.held_out for p in SPECS[a].phrases) for a in ACTIONS)


def test_docs_list_every_action_and_slot():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "data.md").read_text()
    assert all(re.search(rf"\b{a}\b", doc) for a in ACTIONS)
    assert all(f"| {name} |" in doc or name.startswith("boundary_") for name in SLOTS)


def test_scene_arrays_have_the_documented_shapes_and_types(scenes):
    for s in scenes:
        a = s.num_actors
        assert 1 <= a <= 3
        assert s.poses.shape == (250, a, 20) and s.poses.dtype == np.float32
        assert s.actions.shape == (250, a) and s.actions.dtype == np.int64
        assert s.latents.shape == (a, LATENT_DIM) and s.latents.dtype == np.float32
        assert s.physics.shape == (250, a, 6) and s.physics.dtype == np.float32
        assert s.heights.shape == s.masses.shape == (a,)
        assert np.all((s.heights >= 1.5) & (s.heights <= 1.95)) and np.all(s.masses > 40)
        assert np.all(np.isfinite(s.poses)) and isinstance(s.text, str) and s.text
        np.testing.assert_allclose(canonicalize(s.poses), s.poses, atol=1e-6)
        for actor, timeline in enumerate(s.plan):
            assert timeline[0][1] == 0 and timeline[-1][2] == 250
            assert 1 <= len(timeline) <= 4
            for name, start, end in timeline:
                assert np.all(s.actions[start:end, actor] == ACTION_INDEX[name])


def test_same_seed_same_scene_other_seed_other_scene():
    a = generate_scene(np.random.default_rng(11))
    b = generate_scene(np.random.default_rng(11))
    c = generate_scene(np.random.default_rng(12))
    assert a.text == b.text and np.array_equal(a.poses, b.poses) and np.array_equal(a.latents, b.latents)
    assert a.text != c.text or not np.array_equal(a.poses, c.poses)


def test_no_joint_goes_below_the_ground(scenes):
    for s in scenes:
        assert s.poses[..., 1::2].min() >= 0.0


def test_latents_are_quantiles_and_scene_slots_are_shared(scenes):
    for s in scenes:
        assert s.latents.min() >= 0.0 and s.latents.max() < 1.0
        assert np.all(s.latents[:, list(SCENE)] == s.latents[0, list(SCENE)])
    z = sample_scene_latents(3, np.random.default_rng(0))
    assert np.all(z[:, list(SCENE)] == z[0, list(SCENE)]) and not np.all(z[0] == z[1])


def test_actors_start_where_start_positions_puts_them(scenes):
    for s in scenes:
        expected = start_positions(s.latents, s.num_actors)
        np.testing.assert_allclose(s.start_x, expected, atol=1e-6)
        np.testing.assert_allclose(s.poses[0, :, HIP_X], expected, atol=1e-5)
        assert np.all(np.diff(expected) > 1.0)  # slot 0 leftmost, people apart


def test_z_changes_the_motion_of_the_same_plan():
    plan = plan_from_actions(["walk", "wave"])
    a = synthesize_actor(plan, 0, _z(1)).poses
    b = synthesize_actor(plan, 0, _z(2)).poses
    assert np.abs(a - b).mean() > 0.05
    # one slot at a time matters too: the gait phase alone moves the feet
    c = synthesize_actor(plan, 0, _z(1, phase=0.1)).poses
    d = synthesize_actor(plan, 0, _z(1, phase=0.6)).poses
    assert np.abs(c[:, JOINT_SLOTS["left_foot"][0]] - d[:, JOINT_SLOTS["left_foot"][0]]).max() > 0.2


def test_what_the_text_says_holds_for_every_z():
    left = ScenePlan((ActorPlan((SegmentPlan("walk", "left"),)),))
    right = ScenePlan((ActorPlan((SegmentPlan("walk", "right"),)),))
    back_left = ScenePlan((ActorPlan((SegmentPlan("jog_backwards", "left"),)),))
    slow = ScenePlan((ActorPlan((SegmentPlan("walk", None, "slow"),)),))
    tall = ScenePlan((ActorPlan((SegmentPlan("stand"),), "man", "tall"),))
    for seed in range(12):
        z = _z(seed)
        assert _hip_speed(synthesize_actor(left, 0, z).poses) < -0.6
        assert _hip_speed(synthesize_actor(right, 0, z).poses) > 0.6
        backwards = synthesize_actor(back_left, 0, z).poses
        assert _hip_speed(backwards) < -0.8 and _facing(backwards) > 0  # moves left, faces right
        assert abs(_hip_speed(synthesize_actor(slow, 0, z).poses)) < 1.0  # normal walking is >= 1.15 m/s
        lo, hi = HEIGHT_RANGES[("man", "tall")]
        assert lo <= synthesize_actor(tall, 0, z).body.height <= hi


def _catch_plan() -> ScenePlan:
    return ScenePlan((ActorPlan((SegmentPlan("throw"),)), ActorPlan((SegmentPlan("catch"),))), "catch", (0,))


def test_catch_release_before_catch_facing_each_other_and_timed_by_distance():
    plan = _catch_plan()
    for seed in range(6):
        z = sample_scene_latents(2, np.random.default_rng(seed))
        motions, events = synthesize_scene(plan, z)
        (event,) = events
        spacing = actor_spacing(z[0])
        assert event["thrower"] == 0 and event["catcher"] == 1
        assert 0 < event["release_frame"] < event["catch_frame"] < 250
        assert event["catch_frame"] - event["release_frame"] == round(flight_time(spacing) * 25)
        thrower, catcher = motions[0].poses, motions[1].poses
        assert thrower[0, HIP_X] < catcher[0, HIP_X]
        assert _facing(thrower) > 0 > _facing(catcher)
        # the ball travels forward from the thrower's hand to the catcher's hands
        assert event["release_xy"][0] < event["catch_xy"][0]
        hands = pose_to_joints(catcher[event["catch_frame"]])[4:].mean(axis=0)
        assert hands[0] < catcher[event["catch_frame"], HIP_X]  # reaching toward the thrower
        # the thrower's hand is at its fastest around the release
        hand = pose_to_joints(thrower)[:, 4 if z[0, SLOTS["side"]] < 0.5 else 5]
        speed = np.linalg.norm(np.diff(hand, axis=0), axis=1)
        assert abs(int(np.argmax(speed)) - event["release_frame"]) <= 6


def test_handshake_partners_meet_hand_to_hand():
    plan = ScenePlan((ActorPlan((SegmentPlan("shake_hands"),)), ActorPlan((SegmentPlan("shake_hands"),))),
                     "handshake", (0,))
    for seed in range(4):
        z = sample_scene_latents(2, np.random.default_rng(seed))
        motions, (event,) = synthesize_scene(plan, z)
        f = event["contact_frame"]
        right_hands = [pose_to_joints(m.poses[f])[5] for m in motions]
        assert np.linalg.norm(right_hands[0] - right_hands[1]) < 0.2


def test_physics_is_the_finite_difference_of_the_hip(scenes):
    for s in scenes[:10]:
        hip = s.poses[:, :, [HIP_X, HIP_X + 1]].astype(np.float64)
        v = np.gradient(hip, 1 / 25, axis=0)
        np.testing.assert_allclose(s.physics[..., 0:2], v, atol=1e-3)
        np.testing.assert_allclose(s.physics[..., 2:4], np.gradient(v, 1 / 25, axis=0), atol=2e-2)
        np.testing.assert_allclose(s.physics[..., 4:6], s.masses[None, :, None] * v, rtol=1e-4, atol=1e-3)
    assert root_physics(np.zeros((1, 1, 20)), [70.0], 25).shape == (1, 1, 6)


def _forms(phrase: str):
    for poss in ("his", "her", "their"):
        text = phrase.replace("{poss}", poss)
        yield from (inflect(text, f) for f in ("base", "3sg", "ing"))


def test_test_split_holds_combinations_and_phrasings_training_never_sees():
    rng = np.random.default_rng(0)
    train = [sample_plan(rng, "train") for _ in range(1500)]
    assert all(not held_out_pairs_in(p) for p in train)
    assert {a for p in train for a in p.action_set()} == set(ACTIONS)  # every single action is trained
    test = [sample_plan(rng, "test") for _ in range(300)]
    multi = [p for p in test if len(p.action_set()) >= 2]
    assert multi and all(held_out_pairs_in(p) for p in multi)
    assert held_out_pair("walk", "wave") == held_out_pair("wave", "walk")
    assert not held_out_pair("throw", "catch") and not held_out_pair("punch", "dodge")

    held = [f for w in held_out_words() for f in _forms(w)] + ["Side by side", "meanwhile", "can be seen"]
    pattern = re.compile("|".join(r"\b" + re.escape(w) + r"\b" for w in held))
    train_texts = [describe(p, rng)[0] for p in train[:600]]
    assert not [t for t in train_texts if pattern.search(t)]
    test_texts = [describe(p, rng, held_out=True)[0] for p in test[:200]]
    assert sum(bool(pattern.search(t)) for t in test_texts) > 100


_LEAD_INS = "|".join(re.escape(t.lower()) for t, _ in _INTROS if t) + "|" + "|".join(
    re.escape(t.split("{")[0].lower()) for t, _ in _GERUND_FRAMES)


_HELD_TEMPLATE_WORDS = ["Side by side", "meanwhile", "can be seen", "once finished", "subsequently", "whereas",
                        "footage", "before"]
"""Words that only held-out templates use (held-out phrases, nouns, adverbs and intros: :func:`held_out_words`)."""


def _phrase_pattern(phrase: str) -> "re.Pattern[str]":
    return re.compile("|".join(r"\b" + re.escape(f) + r"\b" for f in set(_forms(phrase))))


@pytest.fixture(scope="module")
def train_texts_2000():
    """(plan, text) of 2,000 train-split scenes."""
    rng = np.random.default_rng(3)
    plans = [sample_plan(rng, "train") for _ in range(2000)]
    return [(p, describe(p, rng)[0]) for p in plans]


def test_training_text_words_each_action_many_ways(train_texts_2000):
    """Distinct (action, phrase) pairs seen in 2,000 train scenes: more than the 162 train phrases there were."""
    patterns = {a: [(p.text, _phrase_pattern(p.text)) for p in SPECS[a].phrases if not p.held_out] for a in ACTIONS}
    seen = set()
    for plan, text in train_texts_2000:
        for action in plan.action_set():
            seen.update((action, phrase) for phrase, pattern in patterns[action] if pattern.search(text))
    per_action = {a: sum(1 for b, _ in seen if b == a) for a in ACTIONS}
    assert len(seen) >= 260, len(seen)
    assert sum(n >= 4 for n in per_action.values()) >= 56, per_action  # rare actions may show fewer
    assert all(sum(not p.held_out for p in SPECS[a].phrases) >= 4 for a in ACTIONS)
    assert all(sum(p.held_out for p in SPECS[a].phrases) >= 2 for a in ACTIONS)
    assert sum(len(t) <= MAX_TEXT_CHARS for _, t in train_texts_2000) >= 0.99 * len(train_texts_2000)


def test_no_held_out_phrasing_in_2000_training_scenes(train_texts_2000):
    held = [f for w in held_out_words() for f in _forms(w)] + _HELD_TEMPLATE_WORDS
    pattern = re.compile("|".join(r"\b" + re.escape(w) + r"\b" for w in held), re.IGNORECASE)
    leaks = [(t, pattern.search(t).group()) for _, t in train_texts_2000 if pattern.search(t)]
    assert not leaks, leaks[:5]
    rng = np.random.default_rng(4)
    test = [describe(sample_plan(rng, "test"), rng, held_out=True)[0] for _ in range(300)]
    assert sum(bool(pattern.search(t)) for t in test) >= 0.85 * len(test)  # the rest: held interaction templates


_PARTS = ["waves", "sits down", "stands up", "walks to the left"]


@pytest.mark.parametrize("table,template", [(t, tpl) for t in (_SEQUENCES, _GERUND_SEQUENCES)
                                            for n in t for tpl, _ in t[n]])
def test_every_sequence_connective_is_a_clause_cut(table, template):
    """Each verb phrase of a sequence template becomes its own clause, in order."""
    n = next(k for k, v in table.items() if any(tpl == template for tpl, _ in v))
    text = "A man " + template.format(**dict(zip("abcd", _PARTS)), pron="he", b_ing="sitting down") + "."
    clauses = split_clauses(text, max_clauses=8)
    assert len(clauses) == n, clauses
    wanted = _PARTS[:n] if "{b_ing}" not in template else [_PARTS[0], "sitting down"]
    assert all(part in clause for part, clause in zip(wanted, clauses)), clauses


@pytest.mark.parametrize("connective", ["after that", "and after that", "once done", "once finished",
                                        "subsequently", "and subsequently", "followed by", "and finally"])
def test_new_connectives_are_cut(connective):
    assert connective in CONNECTIVES
    assert split_clauses(f"A woman claps, {connective} she bows.") == ["A woman claps", f"{connective} she bows"]
    assert split_clauses(f"A woman claps {connective} bows.") == ["A woman claps", f"{connective} bows"]


def test_texts_name_the_people_of_the_scene(scenes):
    for s in scenes:
        text = s.text.lower()
        if re.search(r"\btwo\b|\bpair of\b", text):
            assert s.num_actors == 2, text
        if re.search(r"\bthree\b", text):
            assert s.num_actors == 3, text
        if s.num_actors > 1:
            assert len(re.findall(r"\b(?:a|an|another|two|three|someone)\b", text)) >= 1
        subjects = re.findall(rf"^(?:\w+, )?(?:{_LEAD_INS})?"
                              r"(someone|an? [a-z ]*?(?:person|figure|individual|man|guy|gentleman|woman|lady))\b", text)
        assert s.num_actors > 1 or len(subjects) == 1, text


def test_dataset_round_trip_and_byte_identical_rewrite(tmp_path):
    root = write_dataset(tmp_path / "a", 24, seed=5, progress=False)
    again = write_dataset(tmp_path / "b", 24, seed=5, progress=False)
    other = write_dataset(tmp_path / "c", 24, seed=6, progress=False)
    meta = json.loads((root / "meta.json").read_text())
    assert meta["splits"]["train"]["scenes"] + meta["splits"]["val"]["scenes"] + meta["splits"]["test"]["scenes"] == 24
    assert meta["actions"] == list(ACTIONS) and meta["latent_dim"] == LATENT_DIM
    for split in ("train", "val", "test"):
        for name in ("shard_00000.safetensors", "metadata.jsonl"):
            assert filecmp.cmp(root / split / name, again / split / name, shallow=False)
    assert not filecmp.cmp(root / "train" / "shard_00000.safetensors", other / "train" / "shard_00000.safetensors",
                           shallow=False)

    ds = MotionDataset(root, "train")
    assert len(ds) == meta["splits"]["train"]["rows"] == len(ds.texts)
    item = ds[0]
    assert item["poses"].shape == (250, 20) and item["actions"].shape == (250,) and item["physics"].shape == (250, 6)
    assert item["latents"].shape == (LATENT_DIM,) and item["slot"] == 0 and item["text"] == ds.scenes()[0]["text"]
    scene = generate_scene(np.random.default_rng([5, 0, 0]), "train")
    np.testing.assert_array_equal(item["poses"].numpy(), scene.poses[:, 0])
    np.testing.assert_array_equal(item["latents"].numpy(), scene.latents[0])
    for record in ds.scenes():
        for slot, row in enumerate(record["rows"]):
            assert ds[row]["scene"] == record["scene"] and ds[row]["slot"] == slot
            assert ds[row]["num_actors"] == record["num_actors"] and ds.texts[row] == record["text"]


def test_write_is_atomic_and_refuses_to_overwrite(tmp_path, monkeypatch):
    target = tmp_path / "data"

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(dataset_module, "_write_shard", disk_full)
    with pytest.raises(OSError):
        write_dataset(target, 6, progress=False)
    assert list(tmp_path.iterdir()) == []  # neither the dataset nor its temporary directory
    monkeypatch.undo()

    write_dataset(target, 6, progress=False)
    with pytest.raises(DataError, match="--overwrite"):
        write_dataset(target, 6, seed=1, progress=False)
    write_dataset(target, 8, seed=1, progress=False, overwrite=True)
    assert json.loads((target / "meta.json").read_text())["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_dataset_errors_name_the_path_and_the_fix(tmp_path):
    with pytest.raises(DataError, match="stick-gen data"):
        MotionDataset(tmp_path / "missing", "train")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="meta.json"):
        MotionDataset(tmp_path / "empty", "train")
    root = write_dataset(tmp_path / "d", 4, splits=(1.0, 0.0, 0.0), progress=False)
    with pytest.raises(DataError, match="'val' split holds no scenes"):
        MotionDataset(root, "val")
    with pytest.raises(DataError, match="does not exist"):
        MotionDataset(root, "training")
    meta = json.loads((root / "meta.json").read_text())
    meta["format_version"] = 99
    (root / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="format version 99"):
        MotionDataset(root, "train")


def test_data_command_writes_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["data", "--num-samples", "6", "--output", str(out), "--no-progress"]) == 0
    assert (out / "meta.json").is_file() and "train" in capsys.readouterr().out
    assert main(["data", "--num-samples", "6", "--output", str(out), "--no-progress"]) == 1
    assert "--overwrite" in capsys.readouterr().err


@pytest.mark.slow
def test_data_check_tells_all_64_actions_apart(tmp_path, capsys):
    """A motion-only classifier separates the classes on the test split (>= 90% macro accuracy)."""
    from stick_gen.evaluation.data_check import run_data_check

    root = write_dataset(tmp_path / "check", 2000, seed=1, splits=(0.6, 0.0, 0.4), progress=False)
    report = run_data_check(root, epochs=30)
    print(report.format())
    assert len(report.per_class) == 64 and not report.missing_in_test
    assert report.macro_accuracy >= 0.90
    assert main(["data-check", "--data", str(root), "--epochs", "5", "--min-accuracy", "0"]) == 0
    assert "macro accuracy" in capsys.readouterr().out


def test_paraphrases_describe_the_same_scenes_again_and_never_the_test_split(tmp_path):
    plain = write_dataset(tmp_path / "plain", 30, seed=5, progress=False)
    worded = write_dataset(tmp_path / "worded", 30, seed=5, progress=False, paraphrases=2)
    assert json.loads((worded / "meta.json").read_text())["paraphrases"] == 2
    assert "paraphrases" not in json.loads((plain / "meta.json").read_text())  # older datasets stay byte-identical
    for split in ("train", "val", "test"):
        assert filecmp.cmp(plain / split / "shard_00000.safetensors", worded / split / "shard_00000.safetensors",
                           shallow=False)  # the same motion
        records = MotionDataset(worded, split).scenes()
        if split == "test":
            assert all("paraphrases" not in r for r in records)  # its one held-out description stays
            continue
        for record in records:
            others = record["paraphrases"]
            assert 1 <= len(others) <= 2 and record["text"] not in others and len(set(others)) == len(others)
    ds = MotionDataset(worded, "train")
    assert all(ds.paraphrases[row] == ds.scene(int(ds.tensors["scene"][row]))["paraphrases"] for row in range(len(ds)))
    with pytest.raises(ConfigError, match="paraphrases"):
        write_dataset(tmp_path / "bad", 30, seed=5, progress=False, paraphrases=-1)
