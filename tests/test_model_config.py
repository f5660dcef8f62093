"""The model's typed config: one strict reader, variants built by name, the same config.json as before."""

from __future__ import annotations

import inspect
import json
import typing

import pytest
import yaml

from stick_gen.model.config import ModelConfig, model_config_keys, reject_unknown_keys
from stick_gen.model.errors import ConfigError
from stick_gen.model.transformer import StickFigureTransformer
from stick_gen.model.variants import VARIANTS
from stick_gen.resources import resource_path

CONFIG_JSON_KEYS = {
    "input_dim", "d_model", "nhead", "num_layers", "output_dim", "embedding_dim", "num_actions", "dim_feedforward",
    "max_frames", "frames_per_token", "latent_dim", "max_actors", "dropout", "text_encoder", "max_clauses",
    "objective", "sample_steps", "guidance_scale", "fps", "action_vocabulary", "clock", "overlap_decoder",
    "overlap_crossfade", "sample_first_time", "block_conditioning", "feature_layout", "clause_actions", "events",
    "output_filter", "clause_starts", "clause_fillers",
    "model_type", "variant", "pose_layout_version", "format_version",
}
"""What a published config.json holds (checkpoints on the Hub and the mixin's from_pretrained read these)."""


def test_an_unknown_key_names_the_key_the_file_and_the_accepted_keys():
    with pytest.raises(ConfigError) as caught:
        ModelConfig.from_dict({"d_model": 256, "layers": 6}, source="saved/config.json")
    message = str(caught.value)
    assert message.startswith("saved/config.json: unknown key(s) 'layers'; known keys: input_dim, d_model, nhead,")
    assert all(key in message for key in model_config_keys()) and "\n" not in message


@pytest.mark.parametrize("values, message", [
    ({"d_model": "256"}, 'x.json: d_model="256" must be an integer'),
    ({"num_layers": True}, "x.json: num_layers=true must be an integer"),
    ({"num_layers": 2.0}, "x.json: num_layers=2.0 must be an integer"),
    ({"dropout": "0.1"}, 'x.json: dropout="0.1" must be a number'),
    ({"text_encoder": 42}, "x.json: text_encoder=42 must be text or null"),
    ({"clock": "yes"}, 'x.json: clock="yes" must be true/false or null'),
    ({"action_vocabulary": "walk"}, 'x.json: action_vocabulary="walk" must be a list of names'),
    ({"nhead": 0}, "x.json: nhead=0 is out of range (1..128)"),
    ({"d_model": 256, "nhead": 7}, "x.json: d_model=256 is not divisible by nhead=7"),
    ({"objective": "regression", "clock": True}, "x.json: clock=True needs objective='flow'"),
    ("d_model: 256", "x.json: the model config is a str, not a mapping of settings"),
])
def test_a_wrong_value_names_the_key_the_value_and_the_expected_type(values, message):
    with pytest.raises(ConfigError) as caught:
        ModelConfig.from_dict(values, source="x.json")
    assert str(caught.value).startswith(message), str(caught.value)


def test_round_trip_through_a_dict_and_json(tiny_model):
    config = tiny_model.config
    assert isinstance(config, ModelConfig) and config.d_model == 64 and config.dim_feedforward == 128
    again = ModelConfig.from_dict(json.loads(json.dumps(config.to_dict())), source="round trip")
    assert again == config and again.to_dict() == config.to_dict()
    assert StickFigureTransformer.from_config(again).config == config
    # it still reads like the dict it replaced
    assert dict(config) == config.to_dict() and config["max_clauses"] == config.max_clauses
    assert StickFigureTransformer(**config).config == config


def test_missing_keys_take_their_defaults_and_derived_ones_are_filled():
    config = ModelConfig.from_dict({"d_model": 384, "nhead": 12, "num_layers": 8})
    assert config.dim_feedforward == VARIANTS["medium"].dim_feedforward  # the variant row's FFN width
    assert config.clock is True and len(config.action_vocabulary) == config.num_actions == 64
    assert ModelConfig.from_dict({"d_model": 64, "nhead": 4, "num_layers": 1}).dim_feedforward == 4 * 64
    assert ModelConfig(objective="regression").clock is False


@pytest.mark.parametrize("name", list(VARIANTS))
def test_from_variant_builds_each_published_size_by_name(name):
    variant = VARIANTS[name]
    model = StickFigureTransformer.from_variant(name)
    low, high = variant.param_bounds()
    assert low <= model.num_parameters() <= high
    assert model.config.variant is variant
    spec_call = StickFigureTransformer(input_dim=20, d_model=variant.d_model, nhead=variant.nhead,
                                       num_layers=variant.num_layers, output_dim=20, embedding_dim=1024,
                                       num_actions=64)
    assert model.config == spec_call.config


def test_from_variant_takes_overrides_but_not_another_shape():
    model = StickFigureTransformer.from_variant("small", objective="regression", text_encoder="hashing-1024-v1")
    assert model.objective == "regression" and not model.clock and model.text_encoder == "hashing-1024-v1"
    assert ModelConfig.from_variant("small", d_model=256).d_model == 256  # the row's own value is fine
    with pytest.raises(ConfigError, match="d_model=512 but the small variant has 256"):
        ModelConfig.from_variant("small", d_model=512)
    with pytest.raises(ConfigError, match="variant small: unknown key"):
        ModelConfig.from_variant("small", layers=3)
    with pytest.raises(ConfigError, match="unknown variant 'huge': choose one of small, medium, large"):
        StickFigureTransformer.from_variant("huge")


def test_config_json_keeps_its_keys(tiny_model, tmp_path):
    tiny_model.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "config.json").read_text())
    assert set(saved) == CONFIG_JSON_KEYS
    loaded = StickFigureTransformer.from_pretrained(str(tmp_path))
    assert loaded.config == tiny_model.config


def test_the_constructor_and_the_config_name_the_same_settings():
    """The keyword constructor (what the Hub mixin records) and the dataclass cannot drift apart."""
    signature = inspect.signature(StickFigureTransformer.__init__).parameters
    init_hints = typing.get_type_hints(StickFigureTransformer.__init__)
    config_hints = typing.get_type_hints(ModelConfig)
    defaults = ModelConfig.__dataclass_fields__
    assert [name for name in signature if name != "self"] == list(model_config_keys())
    for name in model_config_keys():
        assert init_hints[name] == config_hints[name], name
        assert signature[name].default == defaults[name].default, name


def test_other_settings_share_the_one_unknown_key_check():
    from stick_gen.evaluation.evaluator import EvaluatorConfig

    with pytest.raises(ConfigError, match=r"^evaluator.pt: unknown key\(s\) 'stpes'; known keys: .*steps"):
        EvaluatorConfig.from_mapping({"stpes": 2}, source="evaluator.pt")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) 'a', 'b', 'c', 'd', 'e' and 2 more; known keys: z$"):
        reject_unknown_keys(dict.fromkeys("abcdefg"), ["z"])


@pytest.mark.parametrize("name", sorted(p.name for p in resource_path("configs").glob("*.yaml")))
def test_every_shipped_config_builds_a_model_its_variant_publishes(name):
    from stick_gen.model.checkpoint import build_model
    from stick_gen.training.config import parse_config

    config = parse_config(yaml.safe_load(resource_path("configs", name).read_text()), name)
    if config.variant is None:
        pytest.skip(f"{name} names no variant (a custom size)")
    model = build_model(dict(config.model))
    low, high = VARIANTS[config.variant].param_bounds()
    assert low <= model.num_parameters() <= high, (name, model.num_parameters())
