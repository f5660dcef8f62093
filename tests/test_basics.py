"""The shared basics: one atomic write, the error family's public home, str enums for closed sets, one physics
definition."""

import os

import numpy as np
import pytest
import torch
import yaml

import stick_gen.errors
import stick_gen.model.errors
from stick_gen.data_gen.scenes import generate_scene, root_physics
from stick_gen.errors import GenerationError, StickGenError
from stick_gen.hub.naming import detect_method
from stick_gen.hub.validate import Finding, FindingLevel
from stick_gen.model.atomic import atomic_output, atomic_write
from stick_gen.model.checkpoint import Checkpoint, CheckpointKind, load_checkpoint, save_training_checkpoint
from stick_gen.model.pose import JOINT_SLOTS
from stick_gen.model.variants import TrainingMethod, repo_id_for


def test_atomic_write_replaces_a_file_whole_or_not_at_all(tmp_path):
    target = tmp_path / "deep" / "config.json"
    assert atomic_write(target, lambda tmp: tmp.write_text("{}")) == target
    assert target.read_text() == "{}"
    with pytest.raises(RuntimeError):
        atomic_write(target, lambda tmp: (tmp.write_text('{"half'), (_ for _ in ()).throw(RuntimeError("disk"))))
    assert target.read_text() == "{}"
    assert os.listdir(target.parent) == ["config.json"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # not mkstemp's 0600


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_output_names_the_target_in_a_stick_gen_error(tmp_path):
    (tmp_path / "clip.gif").mkdir()
    with pytest.raises(GenerationError, match="it is a folder"):
        with atomic_output(tmp_path / "clip.gif", error=GenerationError):
            pass
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path / "clip.gif", lambda tmp: None)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(GenerationError, match="choose a folder you can write to"):
        atomic_write(blocker / "out.json", lambda tmp: None, error=GenerationError)


def test_atomic_folder_replaces_an_old_folder_and_keeps_it_on_failure(tmp_path):
    target = tmp_path / "data"
    with atomic_output(target, folder=True) as tmp:
        (tmp / "a.txt").write_text("first")
    with pytest.raises(RuntimeError):
        with atomic_output(target, folder=True) as tmp:
            (tmp / "b.txt").write_text("half")
            raise RuntimeError("generator crashed")
    assert os.listdir(target) == ["a.txt"] and os.listdir(tmp_path) == ["data"]
    with atomic_output(target, folder=True) as tmp:
        (tmp / "b.txt").write_text("second")
    assert os.listdir(target) == ["b.txt"] and os.listdir(tmp_path) == ["data"]


def test_errors_have_one_public_home_and_one_definition():
    assert stick_gen.errors.StickGenError is stick_gen.model.errors.StickGenError
    for name in stick_gen.errors.__all__:
        cls = getattr(stick_gen.errors, name)
        assert cls is getattr(stick_gen.model.errors, name) and issubclass(cls, StickGenError)
    family = {obj for obj in vars(stick_gen.model.errors).values() if isinstance(obj, type) and issubclass(obj, Exception)}
    assert family == {getattr(stick_gen.errors, name) for name in stick_gen.errors.__all__}


def _torch_hip_physics(poses, mass, fps):
    """The evaluation's former definition (torch.gradient), kept here as an independent reference."""
    hip = poses[..., list(JOINT_SLOTS["hip"])].double()
    velocity = torch.gradient(hip, spacing=1.0 / fps, dim=-2, edge_order=1)[0]
    acceleration = torch.gradient(velocity, spacing=1.0 / fps, dim=-2, edge_order=1)[0]
    return torch.cat([velocity, acceleration, mass.double().view(-1, 1, 1) * velocity], dim=-1).float()


@pytest.mark.parametrize("seed", [0, 4])  # two actors; three actors
def test_root_physics_is_the_same_for_a_scene_and_for_a_batch_of_clips(seed):
    scene = generate_scene(np.random.default_rng(seed))
    assert np.array_equal(scene.physics, root_physics(scene.poses, scene.masses, scene.fps))
    clips = torch.from_numpy(scene.poses).transpose(0, 1)  # (A, T, 20): one clip per actor, as evaluate reads them
    mass = torch.from_numpy(scene.masses)
    batch = root_physics(clips, mass, scene.fps, axis=1)
    assert isinstance(batch, torch.Tensor) and batch.dtype == torch.float32 and batch.shape == (scene.num_actors, 250, 6)
    assert torch.equal(batch, _torch_hip_physics(clips, mass, scene.fps))
    assert np.array_equal(batch.transpose(0, 1).numpy(), scene.physics)
    assert root_physics(np.zeros((1, 2, 20)), [70.0, 60.0], 25).shape == (1, 2, 6)  # one frame: zeros



def test_closed_sets_are_str_enums_and_files_keep_plain_strings(tmp_path, tiny_model):
    path = save_training_checkpoint(tmp_path / "best_model.pt", tiny_model, step=1)
    raw = torch.load(path, weights_only=True)
    assert type(raw["kind"]) is str and raw["kind"] == "training"  # the file format is unchanged
    ckpt = load_checkpoint(path)
    assert ckpt.kind is CheckpointKind.TRAINING and ckpt.kind == "training" and f"{ckpt.kind}" == "training"
    with pytest.raises(ValueError):
        Checkpoint(path, "nonsense", {})
    assert detect_method(ckpt) == TrainingMethod.PRETRAIN and type(detect_method(ckpt)) is str  # YAML-safe
    assert repo_id_for("small", TrainingMethod.LORA) == repo_id_for("small", "lora") == "GesturaAI/stick-gen-small-lora"
    assert Finding("problem", "x").level is FindingLevel.PROBLEM and str(Finding("info", "ok")) == "info: ok"
    with pytest.raises(ValueError):
        Finding("problme", "a typo in a level is caught where the finding is made")
    assert yaml.safe_dump({"tags": ["fine-tuned", detect_method(ckpt)]})  # plain values go into cards
