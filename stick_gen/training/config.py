"""Training configuration: the YAML files in ``configs/``, read strictly.

A config has ``variant``, ``model`` (StickFigureTransformer constructor arguments), ``text_encoder``,
``data`` (where the dataset lives and how to make it), ``training`` (optimiser and loop knobs) and, for
fine-tuning, ``finetune``. Unknown keys are errors that name the file and the key, so a typo never
silently falls back to a default.

>>> config = load_config("configs/small.yaml")       # doctest: +SKIP
>>> config.training.batch_size                         # doctest: +SKIP
32
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Type, TypeVar, Union

import yaml

from ..model.errors import ConfigError
from ..model.variants import VARIANTS, variant_for_shape
from ..resources import load_yaml, resource_path

T = TypeVar("T")


@dataclass
class DataSection:
    path: str = "data/stick-gen"
    """Dataset directory, relative to the current directory; made by ``stick-gen data`` if missing."""
    num_samples: int = 20000
    seed: int = 0
    frames: int = 250
    fps: int = 25
    actions: Optional[List[str]] = None
    """Restrict training rows to scenes using only these actions (None: all)."""


@dataclass
class LossWeights:
    motion: float = 1.0
    velocity: float = 1.0
    trajectory: float = 0.02
    """Accumulated hip-speed error (drift of the integrated root position)."""
    action: float = 0.2
    count: float = 0.05


@dataclass
class TrainingSection:
    seed: int = 0
    batch_size: int = 32
    """Global batch: split across processes under ``accelerate launch``/``torchrun``."""
    learning_rate: float = 3e-4
    weight_decay: float = 0.01
    warmup_steps: int = 500
    max_steps: int = 30000
    eval_every: int = 1000
    save_every: int = 1000
    log_every: int = 10
    grad_clip: float = 1.0
    eval_rows: int = 512
    """Validation rows scored at each evaluation (a fixed subset, the same every time)."""
    time_limit_minutes: Optional[float] = None
    """Stop early (saving ``latest``) after this much wall time; None: run ``max_steps``."""
    loss_weights: LossWeights = field(default_factory=LossWeights)


@dataclass
class FinetuneSection:
    method: str = "sft"
    """``sft`` (full fine-tune), ``lora`` (adapters through peft) or a custom name."""
    domain: str = "all"
    """Name of the data subset the fine-tune specialises in (recorded in the checkpoint and card)."""
    actions: Optional[List[str]] = None
    """Rows of scenes whose actions are all in this list (None: the whole dataset)."""
    lora_r: int = 6
    lora_alpha: int = 12
    lora_dropout: float = 0.05
    lora_targets: List[str] = field(default_factory=lambda: ["qkv", "attn_out", "ffn_in", "ffn_out"])


@dataclass
class TrainConfig:
    variant: Optional[str] = None
    model: Dict[str, Any] = field(default_factory=dict)
    text_encoder: str = "minilm"
    data: DataSection = field(default_factory=DataSection)
    training: TrainingSection = field(default_factory=TrainingSection)
    finetune: Optional[FinetuneSection] = None
    source: str = "<dict>"

    def to_dict(self) -> Dict[str, Any]:
        """Plain dict (stored in checkpoints, so a run records exactly what it used)."""
        out = asdict(self)
        out.pop("source")
        return out


def _build(cls: Type[T], raw: Mapping[str, Any], where: str) -> T:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; known keys: {sorted(k for k in known if k != 'source')}")
    kwargs = {}
    for name, value in raw.items():
        sub = {"data": DataSection, "training": TrainingSection, "finetune": FinetuneSection,
               "loss_weights": LossWeights}.get(name)
        if sub is not None and value is not None:
            if not isinstance(value, Mapping):
                raise ConfigError(f"{where}.{name}: expected a mapping, got {type(value).__name__}")
            value = _build(sub, value, f"{where}.{name}")
        kwargs[name] = value
    return cls(**kwargs)


def parse_config(raw: Mapping[str, Any], source: str = "<dict>") -> TrainConfig:
    """Validate a config mapping: unknown keys, model arguments, agreement with the variant table."""
    from ..model.transformer import StickFigureTransformer

    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a YAML mapping at the top level")
    config = _build(TrainConfig, raw, source)
    config.source = source
    params = StickFigureTransformer._hub_mixin_init_parameters
    unknown = sorted(set(config.model) - set(params))
    if unknown:
        raise ConfigError(f"{source}: model: unknown key(s) {unknown}; known keys: {sorted(params)}")
    if config.variant is not None:
        if config.variant not in VARIANTS:
            raise ConfigError(f"{source}: variant {config.variant!r} is not one of {list(VARIANTS)}")
        v = VARIANTS[config.variant]
        for key in ("d_model", "nhead", "num_layers", "dim_feedforward"):
            if key in config.model and config.model[key] != getattr(v, key):
                raise ConfigError(f"{source}: model.{key}={config.model[key]} but the {v.name} variant has "
                                  f"{getattr(v, key)}; fix the value or drop 'variant'")
            config.model.setdefault(key, getattr(v, key))
    elif variant_for_shape(config.model.get("d_model", 0), config.model.get("nhead", 0),
                           config.model.get("num_layers", 0)):
        config.variant = variant_for_shape(config.model["d_model"], config.model["nhead"],
                                           config.model["num_layers"]).name
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
        raise ConfigError(f"{candidate}: not valid YAML ({err})") from None
    return parse_config(raw or {}, source=str(path))
