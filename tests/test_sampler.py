"""The one generation path (inference/sampler.py) and the flow objective's contract with old checkpoints."""

import json

import numpy as np
import pytest
import torch

from stick_gen.inference.clauses import PromptVectors
from stick_gen.inference.sampler import decode_actions, flow_times, sample_features, sample_scenes
from stick_gen.model.transformer import StickFigureTransformer

from .support import reloaded_without, tiny_transformer


def rows(n=2):
    """The same actor rows on every call."""
    generator = torch.Generator().manual_seed(1)
    return (torch.randn(n, 1024, generator=generator), torch.rand(n, 16, generator=generator),
            torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long))


def test_flow_times_run_from_noise_to_clean_and_crowd_the_end():
    times = flow_times(8)
    assert times[0] == 0 and times[-1] == 1 and bool((times.diff() > 0).all())
    assert times.diff()[-1] < times.diff()[0]


def test_a_short_first_step_keeps_the_grid_crowding_the_end_and_older_configs_keep_theirs(tmp_path):
    times = flow_times(4, first=0.2)
    assert times[0] == 0 and abs(float(times[1]) - 0.2) < 1e-6 and times[-1] == 1
    assert bool((times.diff() > 0).all()) and times.diff()[-1] < times.diff()[1]
    assert torch.equal(flow_times(1, first=0.2), flow_times(1))  # one step goes straight to clean
    with pytest.raises(ValueError, match="first"):
        flow_times(4, first=1.0)
    new = tiny_transformer()
    assert new.sample_first_time == 0.2 and new.config["sample_first_time"] == 0.2
    # a config saved before the key samples on the grid it always did
    older = reloaded_without(new, "sample_first_time", tmp_path)
    assert older.sample_first_time is None
    noise = torch.randn(2, 250, 20)
    calls = []
    hook = older.register_forward_pre_hook(lambda module, args, kwargs: calls.append(float(kwargs["time"][0])),
                                           with_kwargs=True)
    sample_features(older, *rows(), noise=noise)
    hook.remove()
    assert calls == pytest.approx(flow_times(4)[:-1].tolist())
    calls.clear()
    new.register_forward_pre_hook(lambda module, args, kwargs: calls.append(float(kwargs["time"][0])), with_kwargs=True)
    sample_features(new, *rows(), noise=noise)
    assert calls == pytest.approx(flow_times(4, first=0.2)[:-1].tolist())


def test_flow_sampler_is_a_function_of_its_noise_and_counts_its_steps():
    model = tiny_transformer()
    calls = []
    model.register_forward_hook(lambda *_: calls.append(1))
    noise = torch.randn(2, 250, 20)
    first, actions = sample_features(model, *rows(), noise=noise, steps=3, guidance=2.0)
    assert len(calls) == 3  # one batched pass per step, the guided and unguided halves together
    again, _ = sample_features(model, *rows(), noise=noise, steps=3, guidance=2.0)
    other, _ = sample_features(model, *rows(), noise=torch.randn(2, 250, 20), steps=3, guidance=2.0)
    unguided, _ = sample_features(model, *rows(), noise=noise, steps=3, guidance=1.0)
    assert first.shape == (2, 250, 20) and actions.shape == (2, 250)
    assert torch.equal(first, again) and not torch.allclose(first, other) and not torch.allclose(first, unguided)


def test_a_regression_model_is_one_pass_and_ignores_noise():
    model = tiny_transformer(objective="regression")
    a, _ = sample_features(model, *rows(), noise=torch.randn(2, 250, 20), steps=5)
    b, _ = sample_features(model, *rows(), noise=torch.randn(2, 250, 20), steps=2)
    assert torch.equal(a, b)
    assert not hasattr(model, "noisy_in")


def test_scenes_do_not_depend_on_their_batch():
    model = tiny_transformer()
    vectors = PromptVectors(torch.randn(3, 1024), None, None)
    together = sample_scenes(model, vectors, counts=[1, 2, 3], seeds=[5, 6, 7])
    alone = sample_scenes(model, PromptVectors(vectors.sentence[1:2], None, None), counts=[2], seeds=[6])
    assert [s[0].shape for s in together] == [(1, 250, 20), (2, 250, 20), (3, 250, 20)]
    np.testing.assert_allclose(together[1][0], alone[0][0], atol=1e-5)
    assert together[2][2].shape == (3,)  # one start x per actor


def test_scenes_are_read_back_in_the_models_feature_layout(tmp_path):
    from stick_gen.model.pose import pose_to_features

    model = tiny_transformer(feature_layout="chain")
    assert model.config["feature_layout"] == "chain"
    vectors = PromptVectors(torch.randn(1, 1024), None, None)
    chain = sample_scenes(model, vectors, counts=[1], seeds=[3], plant_feet=False)[0][0]
    model.feature_layout = "hip"  # the same network output, read back as the other layout
    hip = sample_scenes(model, vectors, counts=[1], seeds=[3], plant_feet=False)[0][0]
    assert np.abs(chain - hip).max() > 1e-3
    np.testing.assert_allclose(pose_to_features(chain, layout="chain"), pose_to_features(hip), atol=1e-4)
    # a config saved before the key existed was trained on the hip layout
    assert reloaded_without(tiny_transformer(), "feature_layout", tmp_path).feature_layout == "hip"


def test_configs_saved_before_flow_matching_load_as_regression(tmp_path):
    from stick_gen.model.checkpoint import load_model, save_training_checkpoint

    old = tiny_transformer(objective="regression")
    old.save_pretrained(tmp_path / "old")
    config = json.loads((tmp_path / "old" / "config.json").read_text())
    del config["objective"]  # what a config.json written before the flow objective holds
    (tmp_path / "old" / "config.json").write_text(json.dumps(config))
    loaded = StickFigureTransformer.from_pretrained(tmp_path / "old")
    assert loaded.objective == "regression"
    path = save_training_checkpoint(tmp_path / "old.pt", old)
    assert load_model(path)[0].objective == "regression"
    flow = tiny_transformer(objective="flow")
    assert load_model(save_training_checkpoint(tmp_path / "flow.pt", flow))[0].objective == "flow"


def test_bad_sampler_settings_are_config_errors():
    from stick_gen.model.errors import ConfigError

    with pytest.raises(ConfigError, match="objective='diffusion'"):
        tiny_transformer(objective="diffusion")
    with pytest.raises(ConfigError, match="sample_steps=0"):
        tiny_transformer(sample_steps=0)


def test_the_pipeline_generates_through_the_sampler():
    """StickGenPipeline and the evaluator share sample_scenes: the same prompt and seed give the same poses."""
    from stick_gen.inference.clauses import encode_prompts
    from stick_gen.inference.pipeline import StickGenPipeline
    from stick_gen.inference.text_encoder import HASHING_IDENTITY, load_text_encoder

    model = tiny_transformer(text_encoder=HASHING_IDENTITY)
    encoder = load_text_encoder("hashing")
    anim = StickGenPipeline(model, encoder)("a man waves, then sits down", seed=4, num_actors=2)
    vectors = encode_prompts(encoder, ["a man waves, then sits down"], model.config["max_clauses"])
    poses, actions, starts = sample_scenes(model, vectors, counts=[2], seeds=[4])[0]
    np.testing.assert_allclose(anim.frames, poses.transpose(1, 0, 2), atol=1e-6)
    assert anim.action_names[0][0] in model.action_vocabulary and anim.fps == model.fps


def test_action_labels_are_decoded_as_runs_not_frame_by_frame_flicker():
    """A weak one-frame answer inside a run is not a change of action; a clear change is kept where it happens."""
    scores = torch.zeros(2, 250, 5)
    scores[:, :, 1] = 1.0  # "catch" throughout...
    scores[0, 100, 2] = 1.5  # ...but one frame leans to "throw"
    scores[1, 120:, 3] = 6.0  # a real change at frame 120
    labels = decode_actions(scores, fps=25)
    assert scores.argmax(-1)[0].unique_consecutive().tolist() == [1, 2, 1]  # what the argmax would show
    assert labels[0].unique_consecutive().tolist() == [1]
    assert labels[1, :120].eq(1).all() and labels[1, 120:].eq(3).all()
    # log-probabilities decode the same as their logits; a flat prior (a very short mean run) is the argmax
    assert torch.equal(decode_actions(torch.log_softmax(scores, -1), 25), labels)
    noisy = torch.randn(3, 50, 7, generator=torch.Generator().manual_seed(0))
    assert torch.equal(decode_actions(noisy, 25, run_seconds=1 / 25 * 7 / 6), noisy.argmax(-1))


def test_scenes_label_runs_where_the_head_alone_flickers():
    model = tiny_transformer()
    noise = torch.randn(3, 250, model.output_dim, generator=torch.Generator().manual_seed(0))
    _, per_frame = sample_features(model, *rows(3), noise=noise)
    feats, runs = sample_features(model, *rows(3), noise=noise, runs=True)
    assert runs.shape == per_frame.shape == feats.shape[:2]
    flicker = (per_frame[:, 1:] != per_frame[:, :-1]).sum(dim=1)
    assert int(flicker.min()) > 50 and int((runs[:, 1:] != runs[:, :-1]).sum(dim=1).max()) <= 4  # an untrained head
    vectors = PromptVectors(rows(1)[0], None, None)
    poses, actions, _ = sample_scenes(model, vectors, counts=[2], seeds=[0])[0]
    assert int((actions[:, 1:] != actions[:, :-1]).sum(axis=1).max()) <= 4  # what users and the evaluator get
