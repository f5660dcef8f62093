"""Training configuration: the YAML files in ``configs/``, read strictly and typed.

A config has ``variant``, ``model`` (StickFigureTransformer constructor arguments), ``text_encoder``,
``data`` (where the dataset lives and how to make it), ``training`` (optimiser and loop knobs) and, for
fine-tuning, ``finetune``. Each section is a dataclass whose field annotations are the schema: on load
every value is checked against its field's type (and bounds, for ``Annotated[..., Range(...)]``) and
coerced to it, so ``learning_rate: 3e-4`` (a string to YAML 1.1) becomes the float 3e-4, while
``learning_rate: fast`` is a one-line :class:`ConfigError` that names the file, the key, the value and
the expected type. Unknown keys are errors that list the known ones, so a typo never silently falls
back to a default. Adding a setting is one annotated line in its section.

>>> config = parse_config({"training": {"learning_rate": "3e-4", "batch_size": "16"}})
>>> config.training.learning_rate, config.training.batch_size
(0.0003, 16)
>>> parse_config({"training": {"learning_rate": "fast"}}, source="my.yaml")
Traceback (most recent call last):
stick_gen.model.errors.ConfigError: my.yaml: training.learning_rate = 'fast': expected float > 0
"""

from __future__ import annotations

import dataclasses
import functools
import math
import reprlib
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, ClassVar, Dict, List, Literal, Mapping, Optional, Type, TypeVar, Union

import yaml

from ..errors import ConfigError
from ..model.config import ModelConfig, model_config_types, reject_unknown_keys
from ..model.variants import VARIANTS
from ..resources import load_yaml, resource_path

T = TypeVar("T")


@dataclass(frozen=True)
class Range:
    """Bounds of a number setting, attached with ``Annotated``: ``Annotated[float, Range(0, 1, high_open=True)]``."""

    low: Optional[float] = None
    high: Optional[float] = None
    low_open: bool = False
    high_open: bool = False

    def admits(self, value: float) -> bool:
        """``Range(low=0, low_open=True).admits(0.0)`` -> False."""
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return not (self.high is not None and (value > self.high or (self.high_open and value == self.high)))

    def __str__(self) -> str:
        low, high = (f"{b:d}" if isinstance(b, int) else f"{b:g}" for b in (self.low or 0, self.high or 0))
        if self.low is not None and self.high is not None:
            return f"in {'(' if self.low_open else '['}{low}, {high}{')' if self.high_open else ']'}"
        if self.low is not None:
            return f"{'>' if self.low_open else '>='} {low}"
        return f"{'<' if self.high_open else '<='} {high}" if self.high is not None else "any"


PositiveInt = Annotated[int, Range(low=1)]
NonNegativeInt = Annotated[int, Range(low=0)]
PositiveFloat = Annotated[float, Range(low=0, low_open=True)]
NonNegativeFloat = Annotated[float, Range(low=0)]
Probability = Annotated[float, Range(0, 1, high_open=True)]
"""A dropout rate: 0 <= p < 1."""
Seed = Annotated[int, Range(0, 2**32 - 1)]
"""What numpy and torch both accept as a seed."""


class _Typed:
    """Assigning a setting checks and coerces it as loading does, so a command-line override
    (``config.training.batch_size = args.batch_size``) cannot bring in a value the file could not.

    >>> TrainingSection().batch_size = 0
    Traceback (most recent call last):
    stick_gen.model.errors.ConfigError: training.batch_size = 0: expected int >= 1
    """

    _where: ClassVar[str] = ""

    def __setattr__(self, name: str, value: Any) -> None:
        hint = _keys(type(self)).get(name)
        if hint is not None:
            key = f"{self._where}.{name}" if self._where else name
            try:
                value = _coerce(value, hint, key)
            except _Mismatch as err:
                key, bad, expected = err.args
                raise ConfigError(f"{key} = {_show(bad)}: expected {expected}") from None
        object.__setattr__(self, name, value)


@dataclass
class DataSection(_Typed):
    _where: ClassVar[str] = "data"
    path: str = "data/stick-gen"
    """Dataset directory, relative to the current directory; made by ``stick-gen data`` if missing."""
    num_samples: PositiveInt = 20000
    seed: Seed = 0
    frames: PositiveInt = 250
    fps: PositiveInt = 25
    actions: Optional[List[str]] = None
    """Restrict training rows to scenes using only these actions (None: all)."""
    paraphrases: NonNegativeInt = 0
    """Extra sentences per train/val scene, in the train split's wording, made with the dataset; training
    shows each row under one of its sentences, drawn per step (docs/design.md, "Several wordings per clip")."""


@dataclass
class LossWeights(_Typed):
    _where: ClassVar[str] = "training.loss_weights"
    motion: NonNegativeFloat = 1.0
    velocity: NonNegativeFloat = 1.0
    trajectory: NonNegativeFloat = 0.0
    """Accumulated hip-speed error (drift of the integrated root position). Off by default: at 0.02 it was
    28-49% of a regression model's loss and most of its gradient (docs/design.md, "Objective")."""
    foot_contact: NonNegativeFloat = 0.0
    """World speed of the feet where the real feet are planted (against foot skating). Off by default: it
    stops the sliding but the model learns it by not stepping (docs/design.md, "Objective")."""
    limb_speed: NonNegativeFloat = 0.1
    """Squared error ((m/s)^2) of the hands' and feet's velocity relative to the hip, times ``t^2`` (flow models
    only): weighs the brief fast movements (a throw, a kick) the per-value motion loss hardly sees. 0.1 since
    2026-12-07 (docs/design.md, "Limb speed in metres per second"); 0 trains as before."""
    action: NonNegativeFloat = 0.2
    count: NonNegativeFloat = 0.05
    cadence: NonNegativeFloat = 0.5
    """Squared error (Hz^2) of a clock model's predicted cadence on the rows that do not see the clock."""
    clause_action: NonNegativeFloat = 1.0
    """Cross-entropy of a ``clause_actions`` model's clause classifier against the action each clause names
    (:func:`..training.data.clause_action_labels`; rows with text); it trains that classifier alone (0 for
    other models)."""
    clause_start: NonNegativeFloat = 1.0
    """Binary cross-entropy of a ``clause_starts`` model's clause classifier against where each training sentence
    starts its next actor (:func:`..training.data.clause_start_labels`; rows with text); it trains that classifier
    alone (0 for other models)."""
    clause_filler: NonNegativeFloat = 1.0
    """Binary cross-entropy of a ``clause_fillers`` model's clause classifier against which training clauses name
    no action (:func:`..training.data.clause_filler_labels`; rows with text); it trains that classifier alone."""
    event: NonNegativeFloat = 1.0
    """Binary cross-entropy of an ``events`` model's per-frame key-moment logits on the rows that do not see
    the clock (0 for other models)."""


@dataclass
class TrainingSection(_Typed):
    _where: ClassVar[str] = "training"
    seed: Seed = 0
    batch_size: PositiveInt = 32
    """Global batch: split across processes under ``accelerate launch``/``torchrun``."""
    learning_rate: PositiveFloat = 3e-4
    weight_decay: NonNegativeFloat = 0.01
    warmup_steps: NonNegativeInt = 500
    max_steps: PositiveInt = 30000
    eval_every: PositiveInt = 1000
    save_every: PositiveInt = 1000
    log_every: PositiveInt = 10
    grad_clip: NonNegativeFloat = 1.0
    """Gradient-norm clip; 0 turns clipping off."""
    eval_rows: PositiveInt = 512
    """Validation rows scored at each evaluation (a fixed subset, the same every time)."""
    time_limit_minutes: Optional[PositiveFloat] = None
    """Stop early (saving ``latest``) after this much wall time; None: run ``max_steps``."""
    log_with: Optional[Literal["tensorboard"]] = None
    """Also send the ``metrics.jsonl`` numbers to a tracker through accelerate: ``tensorboard`` writes
    ``OUTPUT/tensorboard`` (``pip install tensorboard``); None: only ``metrics.jsonl``."""
    loss_weights: LossWeights = field(default_factory=LossWeights)
    flow_time: Literal["uniform", "logit_normal"] = "uniform"
    """How a flow model's training rows draw their flow time ``t``
    (:func:`stick_gen.training.train.flow_inputs`)."""
    flow_loss_tilt: Annotated[float, Range(-1, 1)] = 0.0
    """A flow model's motion loss per row times ``1 + tilt (1 - 2 t)``, mean 1 under uniform ``t``
    (:func:`stick_gen.training.train.flow_loss_weight`): above 0 it leans toward noisy inputs, where the text
    decides the whole motion, below 0 toward nearly clean ones; 0 (the default) weighs every row alike
    (docs/design.md, "Which flow times the loss weighs")."""
    ema_decay: Optional[Probability] = None
    """Keep an exponential moving average of the weights (decay per step, warmed up as ``(1 + n) / (10 + n)``
    over the first updates; :func:`stick_gen.training.train.make_ema`): validation scores it, and
    ``best_model.pt`` holds it (``latest.pt`` keeps the raw weights to resume, and the average beside them).
    None: the raw weights. Not with LoRA."""
    value_weighting: Literal["uniform", "balanced"] = "uniform"
    """How the motion loss weighs the 20 values: ``uniform`` (each normalised value alike) or ``balanced``
    (each joint's movement within an action alike, :func:`stick_gen.training.data.value_weights`)."""


@dataclass
class FinetuneSection(_Typed):
    _where: ClassVar[str] = "finetune"
    method: str = "sft"
    """``sft`` (full fine-tune), ``lora`` (adapters through peft) or a custom name."""
    domain: str = "all"
    """Name of the data subset the fine-tune specialises in (recorded in the checkpoint and card)."""
    actions: Optional[List[str]] = None
    """Rows of scenes whose actions are all in this list (None: the whole dataset)."""
    lora_r: PositiveInt = 6
    lora_alpha: PositiveInt = 12
    lora_dropout: Probability = 0.05
    lora_targets: List[str] = field(default_factory=lambda: ["qkv", "attn_out", "ffn_in", "ffn_out"])


@dataclass
class TrainConfig(_Typed):
    variant: Optional[str] = None
    model: Dict[str, Any] = field(default_factory=dict)
    """StickFigureTransformer constructor arguments: the keys given, typed and checked by :class:`ModelConfig`."""
    text_encoder: str = "minilm"
    data: DataSection = field(default_factory=DataSection)
    training: TrainingSection = field(default_factory=TrainingSection)
    finetune: Optional[FinetuneSection] = None
    source: str = field(default="<dict>", metadata={"key": False})
    """Where the config was read from (for messages); not a key of the file."""

    def to_dict(self) -> Dict[str, Any]:
        """Plain dict (stored in checkpoints, so a run records exactly what it used)."""
        out = asdict(self)
        out.pop("source")
        return out


class _Mismatch(Exception):
    """A value does not fit a type; ``args`` = (dotted key, value, expected)."""


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxtuple, _REPR.maxset = 4, 6, 6, 6, 6
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = 80, 80, 80


def _show(value: Any, limit: int = 60) -> str:
    """``repr`` cut to one short line. Bounded work too: a value may be a 1 MB string, deep junk or
    a YAML alias bomb (``&a [*b, *b, ...]``) whose full repr would never finish.

    >>> _show(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(hint: Any) -> str:
    """Readable type: ``_describe(Optional[List[str]])`` -> ``'list of str or null'``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return f"{_describe(args[0])} {' '.join(str(a) for a in args[1:] if isinstance(a, Range))}".strip()
    if origin is Union:
        named = [_describe(a) for a in args if a is not type(None)]
        return " or ".join(named) + (" or null" if type(None) in args else "")
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (list, List):
        return f"list of {_describe(args[0])}" if args else "list"
    if origin in (dict, Dict) or dataclasses.is_dataclass(hint):
        return "mapping"
    return getattr(hint, "__name__", str(hint))


_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


def _number(value: Any) -> Optional[float]:
    """``value`` as a finite float if it is a number or a string of one (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int with hundreds of digits
            return None
        return number if math.isfinite(number) else None
    return None


def _whole(value: Any, inner: Any, key: str, hint: Any) -> Any:
    """``_coerce(value, inner, key)``, but a mismatch of ``value`` itself names the whole ``hint``
    (``float > 0 or null``, not ``float``); a mismatch inside it (a list item) keeps its own."""
    try:
        return _coerce(value, inner, key)
    except _Mismatch as err:
        if err.args[0] == key:
            raise _Mismatch(key, value, _describe(hint)) from None
        raise


def _coerce(value: Any, hint: Any, key: str) -> Any:
    """``value`` converted to ``hint`` (int, float, str, bool, Optional, List, Dict, Literal, Annotated
    with a :class:`Range`, or a section dataclass); raises :class:`_Mismatch` naming ``key``.

    >>> _coerce("3e-4", float, "training.learning_rate")
    0.0003
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        coerced = _whole(value, args[0], key, hint)
        for bound in args[1:]:
            if isinstance(bound, Range) and coerced is not None and not bound.admits(coerced):
                raise _Mismatch(key, value, _describe(hint))
        return coerced
    if origin is Union:
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:  # Optional[X]: X's own error names the exact key (e.g. ``actions[3]``)
            return _whole(value, options[0], key, hint)
        for option in options:
            try:
                return _coerce(value, option, key)
            except _Mismatch:
                continue
        raise _Mismatch(key, value, _describe(hint))
    if origin is Literal:
        if value in args and not isinstance(value, bool):
            return value
        raise _Mismatch(key, value, _describe(hint))
    if dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        return _build(hint, {} if value is None else value, key)  # an empty YAML section reads as null
    if origin in (list, List):
        if not isinstance(value, (list, tuple)):
            raise _Mismatch(key, value, _describe(hint))
        return [_coerce(item, args[0], f"{key}[{i}]") for i, item in enumerate(value)] if args else list(value)
    if origin in (dict, Dict):
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise _Mismatch(key, value, "mapping with names as keys")
        return dict(value)
    if hint is Any:
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = _number(value)
        if number is not None and number.is_integer():
            return int(number)
    elif hint is float:
        number = _number(value)
        if number is not None:
            return number
    elif hint is str:
        if isinstance(value, str):
            return value
    raise _Mismatch(key, value, _describe(hint))


@functools.lru_cache(maxsize=None)
def _keys(cls: type) -> Dict[str, Any]:
    """The settings of section ``cls`` and their types (fields marked ``metadata={"key": False}`` excluded)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in fields(cls) if f.metadata.get("key", True)}


def _build(cls: Type[T], raw: Any, where: str) -> T:
    """Section ``cls`` from the mapping ``raw`` found at key ``where``; every value coerced to its type."""
    if not isinstance(raw, Mapping):
        raise _Mismatch(where or "top level", raw, "mapping")
    known = _keys(cls)
    reject_unknown_keys(raw, known, source=where)
    prefix = f"{where}." if where else ""
    return cls(**{name: _coerce(value, known[name], prefix + name) for name, value in raw.items()})


def _model_types() -> Dict[str, Any]:
    """The model section's keys and types: :class:`ModelConfig`'s, with sizes at least 1 (``max_clauses``
    at least 0) and ``dropout`` in [0, 1). :meth:`ModelConfig.from_dict` checks its own bounds afterwards."""
    hints = model_config_types()
    bounded = {int: PositiveInt, Optional[int]: Optional[PositiveInt], float: NonNegativeFloat}
    special = {"max_clauses": NonNegativeInt, "dropout": Probability}
    return {name: special.get(name, bounded.get(hint, hint)) for name, hint in hints.items()}


def _typed(raw: Any) -> TrainConfig:
    """``raw`` as a TrainConfig with every value (the model section's too) coerced to its type."""
    config = _build(TrainConfig, raw, "")
    params = _model_types()
    reject_unknown_keys(config.model, params, source="model")
    config.model = {name: _coerce(value, params[name], f"model.{name}") for name, value in config.model.items()}
    return config


def parse_config(raw: Mapping[str, Any], source: str = "<dict>") -> TrainConfig:
    """Validate a config mapping: types, unknown keys, model arguments, agreement with the variant table.

    >>> parse_config({"variant": "small"}).model["d_model"]
    256
    """
    try:
        config = _typed(raw)
    except _Mismatch as err:
        key, value, expected = err.args
        raise ConfigError(f"{source}: {key} = {_show(value)}: expected {expected}") from None
    except ConfigError as err:  # an unknown key
        raise ConfigError(f"{source}: {err}") from None
    config.source = source
    if config.variant is not None:
        if config.variant not in VARIANTS:
            raise ConfigError(f"{source}: variant {_show(config.variant)} is not one of {list(VARIANTS)}")
        v = VARIANTS[config.variant]
        for key in ("d_model", "nhead", "num_layers", "dim_feedforward"):
            if key in config.model and config.model[key] != getattr(v, key):
                raise ConfigError(f"{source}: model.{key}={config.model[key]} but the {v.name} variant has "
                                  f"{getattr(v, key)}; fix the value or drop 'variant'")
            config.model.setdefault(key, getattr(v, key))
    model = ModelConfig.from_dict(config.model, source=f"{source}: model")
    if config.variant is None and model.variant is not None and {"d_model", "nhead", "num_layers"} <= set(config.model):
        config.variant = model.variant.name
    return config


def load_config(path: Union[str, Path]) -> TrainConfig:
    """Read a YAML config from ``path`` (relative to the current directory, else a shipped config name)."""
    candidate = Path(path)
    if not candidate.is_file():
        try:
            candidate = resource_path("configs", Path(path).name)
        except Exception:
            raise ConfigError(f"{path}: no such config file (relative to {Path.cwd()})") from None
    try:
        raw = load_yaml(candidate.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"{candidate}: not valid YAML ({' '.join(str(err).split())})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{candidate}: not UTF-8 text; save the config as UTF-8") from None
    except RecursionError:
        raise ConfigError(f"{candidate}: nested too deeply to be a config") from None
    except OSError as err:
        raise ConfigError(f"{candidate}: cannot read ({err.strerror or err})") from None
    return parse_config({} if raw is None else raw, source=str(path))
