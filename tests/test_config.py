"""Training configs are typed: every value is checked and coerced on load, bad ones are one line.

Covers issue 10 item 5 (``learning_rate: 3e-4`` is a string to YAML 1.1) and fuzzes the loader with
a table of hostile cases and with hypothesis.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stick_gen.cli import main
from stick_gen.model.errors import ConfigError
from stick_gen.resources import load_yaml, resource_path
from stick_gen.training.config import (DataSection, FinetuneSection, LossWeights, TrainConfig, TrainingSection,
                                       load_config, parse_config)

SHIPPED = sorted(p.stem for p in resource_path("configs", "small.yaml").parent.glob("*.yaml"))
SECTIONS = {"data": DataSection, "training": TrainingSection, "finetune": FinetuneSection}


def _write(tmp_path: Path, text: str, name: str = "my.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_learning_rate_3e_4_is_a_float(tmp_path):
    """The issue's case: YAML 1.1 reads `3e-4` (no dot) as the string '3e-4'."""
    assert load_yaml("learning_rate: 3e-4") == {"learning_rate": "3e-4"}
    config = load_config(_write(tmp_path, "training:\n  learning_rate: 3e-4\n  max_steps: 1e4\n"))
    assert config.training.learning_rate == 3e-4 and type(config.training.learning_rate) is float
    assert config.training.max_steps == 10000 and type(config.training.max_steps) is int


def test_stick_gen_train_with_3e_4_trains(tmp_path, capsys):
    """`stick-gen train` on a config written with `learning_rate: 3e-4` runs (it died in torch.optim)."""
    from stick_gen.data_gen.dataset import write_dataset

    data = write_dataset(tmp_path / "data", 40, seed=0, progress=False)
    tiny = resource_path("configs", "tiny.yaml").read_text()
    assert "learning_rate: 2.0e-3" in tiny
    config = _write(tmp_path, tiny.replace("learning_rate: 2.0e-3", "learning_rate: 3e-4"))
    code = main(["train", "--config", str(config), "--output", str(tmp_path / "out"), "--data", str(data),
                 "--max-steps", "2", "--no-progress"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "out" / "latest.pt").is_file()


def test_stick_gen_train_with_a_bad_value_is_one_line(tmp_path, capsys):
    config = _write(tmp_path, resource_path("configs", "tiny.yaml").read_text()
                    .replace("learning_rate: 2.0e-3", "learning_rate: fast"))
    assert main(["train", "--config", str(config), "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {config}: training.learning_rate = 'fast': expected float > 0\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags, message", [
    (["--batch-size", "0"], "error: training.batch_size = 0: expected int >= 1\n"),
    (["--seed", "-1"], "error: training.seed = -1: expected int in [0, 4294967295]\n"),
    (["--max-steps", "0"], "error: training.max_steps = 0: expected int >= 1\n"),
    (["--time-limit", "nan"], "error: training.time_limit_minutes = nan: expected float > 0 or null\n"),
])
def test_command_line_overrides_are_checked_like_the_file(tmp_path, capsys, flags, message):
    code = main(["train", "--config", str(resource_path("configs", "tiny.yaml")), "--output", str(tmp_path / "out"),
                 "--data", str(tmp_path / "data")] + flags)
    assert code == 1 and capsys.readouterr().err == message
    assert not (tmp_path / "out").exists() and not (tmp_path / "data").exists()


def test_assigning_a_setting_coerces_or_refuses_it():
    config = parse_config({})
    config.training.learning_rate = "3e-4"
    config.training.loss_weights = {"motion": "2"}
    assert config.training.learning_rate == 3e-4 and config.training.loss_weights == LossWeights(motion=2.0)
    with pytest.raises(ConfigError, match=r"^finetune\.lora_dropout = 1\.0: expected float in \[0, 1\)$"):
        FinetuneSection(lora_dropout=1.0)
    with pytest.raises(ConfigError, match=r"^training\.loss_weights\.count = -1: expected float >= 0$"):
        config.training.loss_weights.count = -1


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_config_loads_unchanged(name):
    """Each value written in a shipped config comes back equal (an int where a float is declared becomes a float)."""
    raw = load_yaml(resource_path("configs", f"{name}.yaml").read_text())
    loaded = load_config(f"configs/{name}.yaml").to_dict()

    def same(written, got, key):
        if isinstance(written, dict):
            for k, v in written.items():
                same(v, got[k], f"{key}.{k}")
        else:
            assert written == got and type(got) in {type(written), float if type(written) is int else None}, key

    same(raw, loaded, name)


# (YAML text, dotted key, value it must load as)
COERCED = [
    ("training:\n  learning_rate: 3e-4", "training.learning_rate", 3e-4),
    ("training:\n  learning_rate: '0.001'", "training.learning_rate", 1e-3),
    ("training:\n  learning_rate: 1", "training.learning_rate", 1.0),
    ("training:\n  batch_size: '16'", "training.batch_size", 16),
    ("training:\n  batch_size: 16.0", "training.batch_size", 16),
    ("training:\n  max_steps: 1_000", "training.max_steps", 1000),
    ("training:\n  time_limit_minutes: ~", "training.time_limit_minutes", None),
    ("training:\n  time_limit_minutes: '2.5'", "training.time_limit_minutes", 2.5),
    ("training:\n  grad_clip: 0", "training.grad_clip", 0.0),
    ("training:\n  loss_weights:\n    action: 2e-1", "training.loss_weights.action", 0.2),
    ("data:\n  fps: '30'", "data.fps", 30),
    ("finetune:\n  lora_dropout: 0", "finetune.lora_dropout", 0.0),
    ("finetune:\n  actions: [walk, run]", "finetune.actions", ["walk", "run"]),
    ("model:\n  d_model: '64'\n  nhead: 4", "model.d_model", 64),
    ("model:\n  dropout: 1e-1", "model.dropout", 0.1),
    ("model:\n  dim_feedforward: null", "model.dim_feedforward", None),
    ("training:", "training.batch_size", 32),  # an empty section reads as null: the defaults
]


@pytest.mark.parametrize("text, key, value", COERCED)
def test_values_are_coerced_to_their_declared_type(tmp_path, text, key, value):
    config = load_config(_write(tmp_path, text))
    section, *rest = key.split(".")
    got = getattr(config, section)
    for part in rest:
        got = got[part] if isinstance(got, dict) else getattr(got, part)
    assert got == value and type(got) is type(value)


# (YAML text, what the one-line error must say after "my.yaml: ")
REFUSED = [
    ("training:\n  learning_rate: fast", "training.learning_rate = 'fast': expected float > 0"),
    ("training:\n  learning_rate: -3e-4", "training.learning_rate = '-3e-4': expected float > 0"),
    ("training:\n  learning_rate: .nan", "training.learning_rate = nan: expected float > 0"),
    ("training:\n  learning_rate: .inf", "training.learning_rate = inf: expected float > 0"),
    ("training:\n  learning_rate: [3e-4]", "training.learning_rate = ['3e-4']: expected float > 0"),
    ("training:\n  batch_size: 3.5", "training.batch_size = 3.5: expected int >= 1"),
    ("training:\n  batch_size: yes", "training.batch_size = True: expected int >= 1"),
    ("training:\n  batch_size: 0", "training.batch_size = 0: expected int >= 1"),
    ("training:\n  batch_size: '32 '", None),  # accepted: surrounding spaces
    ("training:\n  batch_size: '0x20'", "training.batch_size = '0x20': expected int >= 1"),
    ("training:\n  batch_size: 2024-01-01", "training.batch_size = datetime.date(2024, 1, 1): expected int >= 1"),
    ("training:\n  seed: -1", "training.seed = -1: expected int in [0, 4294967295]"),
    ("training:\n  time_limit_minutes: soon", "training.time_limit_minutes = 'soon': expected float > 0 or null"),
    ("training:\n  loss_weights:\n    motion: {a: [1, {b: 2}]}",
     "training.loss_weights.motion = {'a': [1, {'b': 2}]}: expected float >= 0"),
    ("training:\n  loss_weights: 1.0", "training.loss_weights = 1.0: expected mapping"),
    ("training: [1, 2]", "training = [1, 2]: expected mapping"),
    ("training: fast", "training = 'fast': expected mapping"),
    ("training:\n  batch_sise: 8", "training: unknown key(s) 'batch_sise'; known keys: seed, batch_size,"),
    ("training:\n  loss_weights:\n    motoin: 1", "training.loss_weights: unknown key(s) 'motoin'; known keys: motion,"),
    ("trainig:\n  batch_size: 8", "unknown key(s) 'trainig'; known keys: variant, model, text_encoder, data, "
     "training, finetune"),
    ("source: elsewhere.yaml", "unknown key(s) 'source'; known keys: variant, model,"),
    ("1: 2", "unknown key(s) 1; known keys"),
    ("data:\n  path: 2024", "data.path = 2024: expected str"),
    ("data:\n  fps: 0", "data.fps = 0: expected int >= 1"),
    ("finetune:\n  actions: walk", "finetune.actions = 'walk': expected list of str or null"),
    ("finetune:\n  actions: [walk, 3]", "finetune.actions[1] = 3: expected str"),
    ("finetune:\n  actions: {walk: 1}", "finetune.actions = {'walk': 1}: expected list of str or null"),
    ("finetune:\n  lora_dropout: 1", "finetune.lora_dropout = 1: expected float in [0, 1)"),
    ("finetune:\n  lora_r: six", "finetune.lora_r = 'six': expected int >= 1"),
    ("finetune: [sft]", "finetune = ['sft']: expected mapping or null"),
    ("variant: 3", "variant = 3: expected str or null"),
    ("variant: huge", "variant 'huge' is not one of ['small', 'medium', 'large']"),
    ("text_encoder: [minilm]", "text_encoder = ['minilm']: expected str"),
    ("model:\n  d_model: wide", "model.d_model = 'wide': expected int >= 1"),
    ("model:\n  nhead: 0", "model.nhead = 0: expected int >= 1"),
    ("model:\n  dropout: 1.5", "model.dropout = 1.5: expected float in [0, 1)"),
    ("model:\n  self: 1", "model: unknown key(s) 'self'; known keys: input_dim,"),
    ("model:\n  layers: 4", "model: unknown key(s) 'layers'; known keys: input_dim,"),
    ("model: [1]", "model = [1]: expected mapping"),
    ("model:\n  1: 2", "model = {1: 2}: expected mapping with names as keys"),
    ("- training", "top level = ['training']: expected mapping"),
    ("just text", "top level = 'just text': expected mapping"),
    ("training:\n  batch_size: '" + "9" * 5000 + ".5'", "training.batch_size = '9999999999"),  # cut short
    ("finetune:\n  actions: [" + "[" * 500 + "]" * 500 + "]", "finetune.actions[0] = [[[[["),
    ("training: " + "[" * 2000 + "]" * 2000, "not valid YAML (while increasing flow level exceeded maximum nesting"),
    ("? " + "x" * 100_000 + "\n: 1", "unknown key(s) 'xxxxxxxxxx"),
]


@pytest.mark.parametrize("text, message", REFUSED)
def test_bad_values_are_one_line_naming_file_key_value_and_type(tmp_path, text, message):
    path = _write(tmp_path, text + "\n")
    if message is None:
        load_config(path)
        return
    err = _error(path)
    assert err.startswith(f"{path}: "), err
    assert message in err, err
    assert "\n" not in err and len(err) < 600


def test_a_yaml_alias_bomb_is_one_line_and_quick(tmp_path):
    """Nine levels of nine aliases: 387 million leaves if expanded (a full repr would never finish)."""
    levels = ["&a0 [" + ", ".join(["x"] * 9) + "]"]
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = _write(tmp_path, "training:\n  batch_size: [" + ", ".join(levels) + "]\n")
    assert re.fullmatch(rf"{re.escape(str(path))}: training\.batch_size = \[\[.*: expected int >= 1", _error(path))


@pytest.mark.parametrize("text, message", [
    (b"training:\n  learning_rate: \xff\xfe\n", "not UTF-8 text; save the config as UTF-8"),
    (b"training: " + b"[" * 5000 + b"]" * 5000 + b"\n", ""),
    (b"training:\n\tbatch_size: 8\n", "not valid YAML"),
    (b"training: &a [*a]\n", ""),
    (b"", None),
])
def test_unreadable_files_are_one_line(tmp_path, text, message):
    path = tmp_path / "odd.yaml"
    path.write_bytes(text)
    if message is None:
        assert load_config(path).training == TrainingSection()
        return
    err = _error(path)
    assert str(path) in err and message in err and "\n" not in err


def test_junk_nested_deeper_than_python_can_print_is_one_line():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ConfigError, match=r"^x\.yaml: training\.batch_size = \[\[\[\[\[\.\.\.\]\]\]\]\]: expected int >= 1$"):
        parse_config({"training": {"batch_size": deep}}, source="x.yaml")


def test_missing_file_names_it(tmp_path):
    assert "no-such.yaml: no such config file" in _error(tmp_path / "no-such.yaml")


def _settings(cls):
    hints = typing.get_type_hints(cls, include_extras=True)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.metadata.get("key", True)]


@pytest.mark.parametrize("section, name", [(s, n) for s, cls in SECTIONS.items() for n, _ in _settings(cls)]
                         + [("training.loss_weights", n) for n, _ in _settings(LossWeights)])
def test_every_setting_is_checked(section, name):
    """Each field of each section, including ones added later, refuses a junk value by name."""
    raw: dict = {}
    inner = raw
    for part in section.split("."):
        inner = inner.setdefault(part, {})
    inner[name] = [{"junk": [1, None]}]
    with pytest.raises(ConfigError, match=rf"^x\.yaml: {section}\.{name}(\[0\])? = \[?\{{'junk'"):
        parse_config(raw, source="x.yaml")


def _is_instance(value, hint) -> bool:
    """Whether a loaded value has its declared type (the loader's promise)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return _is_instance(value, args[0])
    if origin is typing.Union:
        return any(_is_instance(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin is list:
        return isinstance(value, list) and all(_is_instance(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is typing.Any:
        return True
    if hint is type(None):
        return value is None
    if dataclasses.is_dataclass(hint):
        return isinstance(value, hint) and all(_is_instance(getattr(value, n), h) for n, h in _settings(hint))
    if hint is float:
        return type(value) is float and math.isfinite(value)
    return type(value) is hint


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["3e-4", "1e4", "16", " 8 ", "nan", "-inf", "0x10", "1_000", "true", "", "null"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KEYS = {"": [n for n, _ in _settings(TrainConfig)], **{s: [n for n, _ in _settings(c)] for s, c in SECTIONS.items()},
        "training.loss_weights": [n for n, _ in _settings(LossWeights)],
        "model": ["d_model", "nhead", "num_layers", "dropout", "dim_feedforward", "max_clauses", "text_encoder"]}


@st.composite
def configs(draw):
    """A config mapping with known keys (mostly) and junk values at any depth."""
    raw: dict = {}
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.sampled_from(sorted(KEYS)))
        name = draw(st.sampled_from(KEYS[where]) | st.text(max_size=6))
        inner = raw
        for part in filter(None, where.split(".")):
            if not isinstance(inner.get(part), dict):
                inner[part] = {}
            inner = inner[part]
        inner[name] = draw(JUNK)
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_fuzz_loaded_or_one_line_error(raw):
    """Whatever the values: a config whose every value has its declared type, or one ConfigError line."""
    try:
        config = parse_config(raw, source="fuzz.yaml")
    except ConfigError as err:
        assert str(err).startswith("fuzz.yaml: ") and "\n" not in str(err) and len(str(err)) < 1000
        return
    assert _is_instance(config, TrainConfig)
    hints = typing.get_type_hints(__import__("stick_gen.model.transformer", fromlist=["x"])
                                  .StickFigureTransformer.__init__)
    assert all(_is_instance(v, hints[k]) for k, v in config.model.items())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200) | st.sampled_from(["training:\n  x: !!python/object:os.system ls\n",
                                                 "training: !!binary aGVsbG8=\n", "? [a, b]\n: c\n",
                                                 "training:\n  batch_size: !!set {1, 2}\n"]))
def test_fuzz_yaml_text_loads_or_is_one_line(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))  # a lone surrogate makes the file non-UTF-8
    try:
        load_config(path)
    except ConfigError as err:
        assert str(path) in str(err) and "\n" not in str(err)
