"""The model's settings: one typed dataclass, read strictly (nanoGPT's ``GPTConfig``, timm's variant names).

:class:`ModelConfig` holds every :class:`..model.transformer.StickFigureTransformer` constructor argument
with its type, default and bounds. ``config.json`` and a checkpoint's ``model_config`` are its
:meth:`ModelConfig.to_dict`; :meth:`ModelConfig.from_dict` reads them back and refuses an unknown key, a value
of the wrong type or out of bounds, naming the file, the key, the value and what is accepted.

>>> config = ModelConfig.from_variant("medium")
>>> config.d_model, config.dim_feedforward, config.variant.name
(384, 1664, 'medium')
>>> ModelConfig.from_dict({"d_model": 384, "layers": 8}, source="x/config.json")
Traceback (most recent call last):
...
stick_gen.model.errors.ConfigError: x/config.json: unknown key(s) 'layers'; known keys: input_dim, d_model, ...
"""

from __future__ import annotations

import functools
import json
import reprlib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .errors import ConfigError
from .pose import DEFAULT_FPS, DEFAULT_FRAMES, FEATURE_LAYOUTS, POSE_DIM
from .variants import Variant, get_variant, variant_for_shape

MAX_ACTORS = 3
MAX_CLAUSES = 8
"""Clause vectors a model reads at most (default of ``max_clauses``)."""
OUTPUT_FILTERS = {"binomial": (1.0, 4.0, 6.0, 4.0, 1.0), "narrow": (0.0, 1.0, 2.0, 1.0, 0.0),
                  "identity": (0.0, 0.0, 1.0, 0.0, 0.0)}
"""The taps a flow model's output filter (``motion_smooth``, 5 frames) starts from, before normalising to sum 1:
``binomial`` (what every config until 2026-12-07 started from), ``narrow`` (1 2 1), ``identity`` (no smoothing
until training asks for it). The filter is learnt either way; the start decides how much of a fast movement it
passes at first (measured in ``docs/design.md``, "Limb speed in metres per second")."""
OBJECTIVES = ("regression", "flow")
"""Training objectives: ``regression`` (one pass: text + z -> motion) and ``flow`` (flow matching: the
network denoises motion, a few-step sampler draws it; see ``docs/design.md``, "Objective")."""
LEGACY_MODEL_DEFAULTS: Dict[str, Any] = {"max_clauses": 0, "objective": "regression", "clock": False,
                                         "overlap_decoder": False, "sample_first_time": None,
                                         "block_conditioning": False, "clause_actions": False,
                                         "events": False, "clause_starts": False, "clause_fillers": False}
"""What a stored model config that lacks a key was trained with: configs saved before clause input
have no ``max_clauses`` (the sentence vector only), before flow matching no ``objective``, before the
motion clock no ``clock``, before the overlap-add decoder no ``overlap_decoder``, before the sampler's
short first step no ``sample_first_time``."""
MAX_NAME_LENGTH = 64
"""Longest action name a model config may hold."""
MAX_STRING_LENGTH = 200
"""Longest text value (``text_encoder``, ``objective``) a model config may hold."""
DEFAULT_BOUNDS = (0, 1_000_000)
"""Bounds of a number setting that names none of its own."""


def _bounds(low: float, high: float) -> Dict[str, Any]:
    return {"bounds": (low, high)}


@dataclass(eq=False)
class ModelConfig(Mapping):
    """Every constructor argument of the model, typed, with its default and inclusive bounds.

    ``None`` for ``dim_feedforward``, ``action_vocabulary`` and ``clock`` means "derive it":
    the variant table's FFN width for ``(d_model, nhead, num_layers)`` (else ``4 * d_model``), the
    procedural data's action names, and ``objective == "flow"``. A built config holds the derived values.

    It reads like the dict it replaced (``config["d_model"]``, ``dict(config)``, ``StickFigureTransformer(**config)``)
    and compares equal to a dict of the same settings.

    >>> ModelConfig(d_model=64, nhead=4, num_layers=1).dim_feedforward
    256
    """

    input_dim: int = field(default=POSE_DIM, metadata=_bounds(1, 1024))
    d_model: int = field(default=256, metadata=_bounds(8, 2048))
    nhead: int = field(default=8, metadata=_bounds(1, 128))
    num_layers: int = field(default=6, metadata=_bounds(0, 64))
    output_dim: int = field(default=POSE_DIM, metadata=_bounds(1, 1024))
    embedding_dim: int = field(default=1024, metadata=_bounds(1, 8192))
    num_actions: int = field(default=64, metadata=_bounds(1, 4096))
    dim_feedforward: Optional[int] = field(default=None, metadata=_bounds(1, 16384))
    max_frames: int = field(default=DEFAULT_FRAMES, metadata=_bounds(1, 10_000))
    frames_per_token: int = field(default=5, metadata=_bounds(1, 250))
    latent_dim: int = field(default=16, metadata=_bounds(1, 1024))
    max_actors: int = field(default=MAX_ACTORS, metadata=_bounds(1, 64))
    dropout: float = field(default=0.1, metadata=_bounds(0.0, 1.0))
    text_encoder: Optional[str] = None
    """Identity of the text encoder the weights were trained with (None: not recorded)."""
    max_clauses: int = field(default=MAX_CLAUSES, metadata=_bounds(0, 64))
    objective: str = "flow"
    sample_steps: int = field(default=4, metadata=_bounds(1, 1000))
    guidance_scale: float = field(default=2.0, metadata=_bounds(0.0, 100.0))
    sample_first_time: Optional[float] = field(default=0.2, metadata=_bounds(0.01, 0.99))
    """Flow time the sampler's first step reaches (:func:`..inference.sampler.flow_times`); the later steps
    crowd toward 1. None: the grid ``1 - (1 - u)^2`` (0.44 after the first of 4 steps), what configs
    without the key were sampled with (``docs/design.md``, "A short first step")."""
    fps: int = field(default=DEFAULT_FPS, metadata=_bounds(1, 1000))
    action_vocabulary: Optional[List[str]] = None
    """The names of the action ids, in order."""
    clock: Optional[bool] = None
    """Whether the network reads the motion clock (:mod:`..model.clock`) and predicts cadence."""
    overlap_decoder: bool = True
    """Whether each token writes ``2 * frames_per_token`` frames under a Hann window, overlap-added with its
    neighbours' (:func:`..model.transformer.overlap_add`), instead of its own frames only. A stored config
    without the key was trained without it and loads with ``False`` (``docs/design.md``, "Tokens that overlap")."""
    overlap_crossfade: float = field(default=1.0, metadata=_bounds(0.05, 1.0))
    """How much of a token each border's cross-fade spans (:func:`..model.transformer.overlap_window`):
    1 blends every frame of two tokens (a Hann window; what configs without the key were trained with),
    less lets each token write the middle of its frames alone."""
    block_conditioning: bool = False
    """Whether every block reads the conditioning (text, clauses, ``z``, slot, count, flow time) through a
    zero-initialised shift, scale and gate of its two sub-layers (:class:`..model.transformer.Block`), not
    only the first layer's input. A stored config without the key was trained without it."""
    feature_layout: str = "hip"
    """How the motion features measure the joints (:data:`..model.pose.FEATURE_LAYOUTS`): ``hip`` (every x from the
    hip, every y from the ground; what configs without the key were trained with), ``chain`` (the neck's height
    from the hip, the hands from the neck) or ``rest`` (the feet's heights and the hip's speed finest near zero)."""
    clause_actions: bool = False
    """Whether the network also reads which action each frame's clauses name: a linear classifier of every
    clause vector (``clause_action_head``, trained on the action each training clause names and nothing else; see
    :func:`..training.data.clause_action_labels`), its logits
    laid along the clip like the clauses and its probabilities fed to every token (``action_in``). Needs
    ``max_clauses`` > 0. A stored config without the key was trained without it."""
    events: bool = False
    """Whether the network also reads when the brief, fast moments of the motion happen (a throw's whip, a
    kick; :func:`..model.clock.key_moments`) and predicts where they fall (``event_head``), as the clock does
    for repeated movement. Needs ``clock``. A stored config without the key was trained without it."""
    output_filter: str = "binomial"
    """Which taps the flow model's learnt output filter starts from (:data:`OUTPUT_FILTERS`). Only the start of
    training depends on it (the taps are weights), so any stored config loads with the default."""
    clause_starts: bool = False
    """Whether each actor of a several-actor prompt reads the clauses from where the text starts it to where the
    next actor starts (:func:`..model.transformer.owned_clause_mask`; a linear classifier of every clause vector,
    ``clause_start_head``, trained on where each training sentence starts its next actor and nothing else, see
    :func:`..training.data.clause_start_labels`) instead of an equal share of them. Needs ``max_clauses`` > 0.
    A stored config without the key was trained without it."""
    clause_fillers: bool = False
    """Whether clauses that name no action ("In this clip", "A guy" of "A guy and a lady jump", "and down" of
    "jumps up and down") are left out of the clauses laid along the clip (:func:`..model.transformer.said_clause_mask`;
    a linear classifier of every clause vector, ``clause_filler_head``, trained on
    :func:`..training.data.clause_filler_labels` and nothing else); the clause labels of ``clause_actions`` and
    ``clause_starts`` then pass over them too. Needs ``max_clauses`` > 0. A stored config without the key was
    trained without it."""

    def __post_init__(self) -> None:
        if isinstance(self.action_vocabulary, tuple):
            self.action_vocabulary = list(self.action_vocabulary)
        types = _field_types()
        for f in fields(self):
            _check_value(f.name, getattr(self, f.name), types[f.name], f.metadata.get("bounds", DEFAULT_BOUNDS))
        for option in ("clause_actions", "clause_fillers", "clause_starts"):  # each a classifier of the clauses
            if getattr(self, option) and self.max_clauses == 0:
                raise ConfigError(f"{option}=True reads the prompt's clauses: give max_clauses > 0 "
                                  f"(or set {option}: false)")
        if self.d_model % self.nhead:
            raise ConfigError(f"d_model={self.d_model} is not divisible by nhead={self.nhead}")
        if self.max_frames % self.frames_per_token:
            raise ConfigError(f"max_frames={self.max_frames} is not a multiple of "
                              f"frames_per_token={self.frames_per_token}")
        if self.feature_layout not in FEATURE_LAYOUTS:
            raise ConfigError(f"feature_layout={self.feature_layout!r}: choose one of {', '.join(FEATURE_LAYOUTS)}")
        if self.output_filter not in OUTPUT_FILTERS:
            raise ConfigError(f"output_filter={self.output_filter!r}: choose one of {', '.join(OUTPUT_FILTERS)}")
        if self.objective not in OBJECTIVES:
            raise ConfigError(f"objective={self.objective!r}: choose one of {', '.join(OBJECTIVES)}")
        if self.dim_feedforward is None:
            variant = variant_for_shape(self.d_model, self.nhead, self.num_layers)
            self.dim_feedforward = variant.dim_feedforward if variant else 4 * self.d_model
        if self.action_vocabulary is None:
            self.action_vocabulary = default_action_vocabulary(self.num_actions)
        if len(self.action_vocabulary) != self.num_actions:
            raise ConfigError(f"action_vocabulary names {len(self.action_vocabulary)} actions but "
                              f"num_actions={self.num_actions}")
        if self.clock is None:
            self.clock = self.objective == "flow"
        if self.clock and self.objective != "flow":
            raise ConfigError("clock=True needs objective='flow' (the sampler predicts the cadence in its first step)")
        if self.events and not self.clock:
            raise ConfigError("events=True is read and drawn with the motion clock: give clock=True "
                              "(a flow model), or set events: false")

    @classmethod
    def from_dict(cls, values: Any, *, source: Any = "model config") -> "ModelConfig":
        """The config ``values`` describe; a missing key takes its default.

        Raises :class:`ConfigError` starting with ``source`` for anything but a mapping, an unknown key
        (naming the accepted ones), a value of the wrong type or out of bounds, or settings that do not
        fit together (``d_model`` not divisible by ``nhead``...).

        >>> ModelConfig.from_dict({"d_model": "256"}, source="config.json")
        Traceback (most recent call last):
        ...
        stick_gen.model.errors.ConfigError: config.json: d_model="256" must be an integer
        """
        if not isinstance(values, Mapping):
            raise ConfigError(f"{source}: the model config is a {type(values).__name__}, not a mapping of settings")
        reject_unknown_keys(values, model_config_keys(), source=source)
        try:
            return cls(**values)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err}") from None

    @classmethod
    def from_variant(cls, name: str, **overrides: Any) -> "ModelConfig":
        """The config of the published variant ``name`` (a row of the variant table), with ``overrides``.

        An override may change anything but the row's own shape (``d_model``, ``nhead``, ``num_layers``,
        ``dim_feedforward``): that would be another model, not the variant.

        >>> ModelConfig.from_variant("small", objective="regression").clock
        False
        """
        variant = get_variant(name)
        shape = {key: getattr(variant, key) for key in VARIANT_SHAPE_KEYS}
        for key, value in overrides.items():
            if key in shape and value != shape[key]:
                raise ConfigError(f"variant {name}: {key}={value} but the {name} variant has {shape[key]}; "
                                  f"drop the override or build the model from its settings")
        return cls.from_dict({**overrides, **shape}, source=f"variant {name}")

    def to_dict(self) -> Dict[str, Any]:
        """Plain constructor arguments: what ``config.json`` and a checkpoint's ``model_config`` hold."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["action_vocabulary"] = list(out["action_vocabulary"] or [])
        return out

    @property
    def variant(self) -> Optional[Variant]:
        """The published variant these settings build (by its row's width, heads and depth), or ``None``."""
        return variant_for_shape(self.d_model, self.nhead, self.num_layers)

    def __getitem__(self, key: str) -> Any:
        if key not in model_config_keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(model_config_keys())

    def __len__(self) -> int:
        return len(model_config_keys())


VARIANT_SHAPE_KEYS = ("d_model", "nhead", "num_layers", "dim_feedforward")
"""The settings a row of the variant table fixes."""


def model_config_keys() -> Tuple[str, ...]:
    """The model's settings in constructor order.

    >>> model_config_keys()[:3]
    ('input_dim', 'd_model', 'nhead')
    """
    return _KEYS


_KEYS: Tuple[str, ...] = tuple(f.name for f in fields(ModelConfig))


def model_config_types() -> Dict[str, Any]:
    """Setting -> its annotation (``int``, ``Optional[int]``, ``Optional[List[str]]``...)."""
    return dict(typing.get_type_hints(ModelConfig))


def default_action_vocabulary(num_actions: int) -> List[str]:
    """The procedural data's action names when their count fits, else ``action_0 ...`` (a custom vocabulary).

    >>> default_action_vocabulary(64)[:3], default_action_vocabulary(2)
    (['stand', 'walk', 'walk_backwards'], ['action_0', 'action_1'])
    """
    from ..data_gen.actions import ACTIONS

    return list(ACTIONS) if len(ACTIONS) == num_actions else [f"action_{i}" for i in range(num_actions)]


_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlong = 40, 40, 40


def reject_unknown_keys(values: Iterable[Any], known: Iterable[str], source: Optional[Any] = None) -> None:
    """The one check for keys a settings mapping does not know: a :class:`ConfigError` naming them and the known ones.

    >>> reject_unknown_keys({"stpes": 2}, ["steps", "seed"], source="eval.yaml")
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.ConfigError: eval.yaml: unknown key(s) 'stpes'; known keys: steps, seed
    """
    known = list(known)
    unknown = [key for key in values if key not in known]
    if unknown:
        shown = ", ".join(_SHOW.repr(key) for key in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        prefix = f"{source}: " if source else ""
        raise ConfigError(f"{prefix}unknown key(s) {shown}{more}; known keys: {', '.join(known)}")


def _accepted(hint: Any) -> Tuple[type, ...]:
    """The value types a setting's annotation accepts: ``Optional[int]`` -> ``(int, NoneType)``."""
    options = typing.get_args(hint) if typing.get_origin(hint) is Union else (hint,)
    types = tuple(typing.get_origin(t) or t for t in options)
    return types + ((int,) if float in types else ())


@functools.lru_cache(maxsize=None)
def _field_types() -> Dict[str, Tuple[type, ...]]:
    """Setting -> the value types it accepts (read once from the annotations)."""
    return {name: _accepted(hint) for name, hint in model_config_types().items()}


def _check_value(key: str, value: Any, types: Tuple[type, ...], bounds: Tuple[float, float]) -> None:
    if not is_value_of(value, types):
        raise ConfigError(f"{key}={short_value(value)} must be {type_names(types)}")
    if isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
        raise ConfigError(f"{key} is {len(value):,} characters long (at most {MAX_STRING_LENGTH})")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = bounds
        if not low <= value <= high:  # NaN fails this too
            raise ConfigError(f"{key}={short_value(value)} is out of range ({low:g}..{high:g})")


def is_value_of(value: Any, types: Tuple[type, ...]) -> bool:
    """Whether a JSON value fits ``types`` (booleans are not numbers, NaN is no number, lists hold short names)."""
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, float) and float in types:
        return value == value  # not NaN
    if isinstance(value, list):  # a list of names (action_vocabulary): short strings only
        return list in types and all(isinstance(v, str) and 0 < len(v) <= MAX_NAME_LENGTH for v in value)
    return isinstance(value, types)


def type_names(types: Tuple[type, ...]) -> str:
    """``(int, NoneType)`` -> ``"an integer or null"``."""
    names = {int: "an integer", float: "a number", str: "text", bool: "true/false", type(None): "null",
             list: f"a list of names of 1-{MAX_NAME_LENGTH} characters"}
    wanted = [names.get(t, t.__name__) for t in types if not (t is int and float in types)]
    return " or ".join(dict.fromkeys(wanted))


def short_value(value: Any) -> str:
    """A value as JSON, cut to 40 characters; a container by its type name."""
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."
