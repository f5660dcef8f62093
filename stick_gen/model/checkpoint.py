"""Checkpoint files: every format stick-gen writes, and the one safe way to read each.

Formats (file names here are the single source of truth):

* **training checkpoint** (``best_model.pt``, ``latest.pt``, ``*.pth``): a dict with
  ``model_state_dict``, optimizer/scheduler state, ``step``, ``model_config``, ``variant``,
  ``text_encoder``, ``metrics`` and ``format_version``. Only tensors and plain Python values,
  so ``torch.load(path, weights_only=True)`` reads it.
* **published weights**: :data:`WEIGHTS_BIN` (a plain state dict, so that the upload guide's
  ``model.load_state_dict(...)`` snippet, which users copy, works on a download), :data:`WEIGHTS_SAFETENSORS` (the
  same tensors) and :data:`CONFIG_JSON` (constructor arguments, variant, pose layout version and
  text-encoder identity).
* **LoRA adapters** (``lora_adapters.pth``): ``kind="lora"``, the adapter tensors, the LoRA
  configuration and the identity of the base model.

Every reader refuses pickles that would run code or build arbitrary objects.

>>> ckpt = load_checkpoint("checkpoints/best_model.pt")      # doctest: +SKIP
>>> model = build_model(ckpt.model_config)                    # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Mapping, Optional, Set, Tuple, Union

import torch

from .atomic import atomic_write
from .clock import CLOCK_DIM, EVENT_DIM
from .enums import ValueEnum
from .config import (LEGACY_MODEL_DEFAULTS, MAX_CLAUSES, MAX_STRING_LENGTH, ModelConfig, is_value_of,
                     model_config_keys, short_value, type_names)
from .errors import CheckpointError, ConfigError, UnsafeCheckpointError
from .pose import POSE_LAYOUT_VERSION
from .transformer import LATENT_FEATURES
from .variants import VARIANTS, get_variant

CHECKPOINT_FORMAT_VERSION = 1
WEIGHTS_BIN = "pytorch_model.bin"
WEIGHTS_SAFETENSORS = "model.safetensors"
CONFIG_JSON = "config.json"
ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
"""peft's own files of LoRA adapters (what ``PeftModel.save_pretrained`` writes and ``from_pretrained`` reads)."""

PathLike = Union[str, os.PathLike]
StateDict = Dict[str, torch.Tensor]


class CheckpointKind(ValueEnum):
    """What a :class:`Checkpoint` was read from. A ``str``: ``kind == "lora"`` holds for ``CheckpointKind.LORA``.

    Files store the plain value (``"kind": "lora"``), never the enum: ``torch.load(weights_only=True)`` reads
    only plain types.

    >>> CheckpointKind("lora") is CheckpointKind.LORA, f"{CheckpointKind.LORA}"
    (True, 'lora')
    """

    TRAINING = "training"
    STATE_DICT = "state_dict"
    SAFETENSORS = "safetensors"
    PRETRAINED = "pretrained"
    """A directory holding published weights."""
    LORA = "lora"


@dataclass
class Checkpoint:
    """A checkpoint read from disk, whatever its format."""

    path: Path
    kind: CheckpointKind
    """One of :class:`CheckpointKind`; a plain string is turned into one (an unknown kind is a ``ValueError``)."""
    state_dict: StateDict
    model_config: Optional[Dict[str, Any]] = None
    text_encoder: Optional[str] = None
    variant: Optional[str] = None
    metadata: Dict[str, Any] = field(default_factory=dict)
    """Everything else the file carried: step, metrics, base model, optimizer state..."""
    saved_on: FrozenSet[str] = frozenset()
    """Devices a plain state dict's tensors were saved from (``"cpu"``, ``"cuda:0"``); empty when unknown."""

    def __post_init__(self) -> None:
        self.kind = CheckpointKind(self.kind)

    def resolved_model_config(self) -> Dict[str, Any]:
        """The stored model config, or for a file without one, the legacy reading of its tensor shapes
        (see :func:`legacy_config_from_shapes`).

        A stored config without ``max_clauses`` predates clause input: such a model read the sentence
        vector only (``max_clauses`` 0); one without ``objective`` predates flow matching (``regression``),
        one without ``clock`` the motion clock (see :data:`..model.config.LEGACY_MODEL_DEFAULTS`).
        """
        if self.model_config:
            return {**LEGACY_MODEL_DEFAULTS, **self.model_config}
        return legacy_config_from_shapes(self.state_dict, source=self.path)


def read_torch_file(path: PathLike, locations: Optional[Set[str]] = None, mmap: bool = False) -> Any:
    """``torch.load(path, weights_only=True)`` onto the CPU, with one clear error per way a file can be bad.

    A pickle that would call a function (``os.system``...) raises :class:`UnsafeCheckpointError`
    and runs nothing; an empty, truncated or foreign file raises :class:`CheckpointError`.
    ``locations``, when given, collects the devices the tensors were saved from (``"cpu"``, ``"cuda:0"``).
    ``mmap=True`` maps the file instead of reading it: tensors nobody touches (a training checkpoint's
    optimizer state) are never read. The file must then not be rewritten in place while the tensors
    live (stick-gen itself always writes to a new file and renames it). Files in the legacy (pre-zip)
    format cannot be mapped and are read as usual.
    """
    path = Path(path)
    _check_file(path)

    def to_cpu(storage, location: str):
        locations.add(location)
        return storage  # torch hands a callable map_location the storage already on the CPU

    map_location = "cpu" if locations is None else to_cpu
    try:
        if mmap and zipfile.is_zipfile(path):
            return torch.load(path, map_location=map_location, weights_only=True, mmap=True)
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if "Weights only load failed" in str(err):
            found = re.search(r"(?:Unsupported global|GLOBAL)[:\s]+([\w.]+)", str(err))
            what = f" (it references {found.group(1)})" if found else ""
            raise UnsafeCheckpointError(
                f"{path}: refused to load: the file holds a pickle that would run code or build arbitrary "
                f"objects{what}. Nothing from it was executed. Only load checkpoints you trust, and re-save "
                f"them as plain tensors (stick-gen writes only such files)."
            ) from None
        raise _not_a_checkpoint(path, err) from None
    except Exception as err:  # the unpickler raises almost anything on a foreign or damaged file
        raise _not_a_checkpoint(path, err) from None


def _check_file(path: Path) -> None:
    if not path.exists():
        raise CheckpointError(f"{path}: no such file. Check the path (it is relative to {Path.cwd()}).")
    if path.is_dir():
        raise CheckpointError(f"{path}: is a directory, expected a checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: the file is empty (an interrupted save?). Re-create it or pick another.")


def _not_a_checkpoint(path: Path, err: BaseException) -> CheckpointError:
    reason = f"{type(err).__name__}: {err}".strip().rstrip(":").replace("\n", " ")
    return CheckpointError(
        f"{path}: not a readable PyTorch checkpoint (truncated, damaged or another kind of file; {reason[:160]}). "
        f"Re-download or re-save it."
    )


def _read_safetensors(path: Path) -> Tuple[StateDict, Dict[str, str]]:
    from safetensors import SafetensorError, safe_open

    _check_file(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            tensors = {key: f.get_tensor(key) for key in f.keys()}
            return tensors, dict(f.metadata() or {})
    except (SafetensorError, OSError, ValueError) as err:
        raise _not_a_checkpoint(path, err) from None


def _is_state_dict(obj: Any) -> bool:
    return isinstance(obj, Mapping) and len(obj) > 0 and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items()
    )


def load_checkpoint(path: PathLike, mmap: bool = False) -> Checkpoint:
    """Read any stick-gen checkpoint: training dict, plain state dict, safetensors, LoRA, or a directory.

    ``mmap=True``: map a PyTorch file rather than read it (see :func:`read_torch_file`); for
    validation and publishing, which use the model's tensors once and never the optimizer state.

    >>> ckpt = load_checkpoint("hf_upload/pytorch_model.bin")     # doctest: +SKIP
    >>> ckpt.kind, ckpt.variant                                    # doctest: +SKIP
    ('state_dict', 'medium')
    """
    path = Path(path)
    if path.is_dir():
        return _load_directory(path)
    if path.suffix == ".safetensors":
        tensors, meta = _read_safetensors(path)
        config = _read_config_beside(path)
        return _finish(Checkpoint(path, CheckpointKind.SAFETENSORS, tensors, config.get("model_config"),
                                  config.get("text_encoder"), config.get("variant"), meta))
    locations: Set[str] = set()
    obj = read_torch_file(path, locations, mmap=mmap)
    if isinstance(obj, Mapping) and obj.get("kind") == CheckpointKind.LORA:
        adapter = obj.get("adapter_state_dict")
        if not _is_state_dict(adapter):
            raise CheckpointError(f"{path}: a LoRA checkpoint without adapter tensors ('adapter_state_dict')")
        meta = {k: v for k, v in obj.items() if k != "adapter_state_dict"}
        base = obj.get("base_model") or {}
        if not isinstance(base, Mapping):
            raise CheckpointError(f"{path}: 'base_model' of a LoRA checkpoint must be a mapping")
        return Checkpoint(path, CheckpointKind.LORA, dict(adapter), _stored_config(base.get("model_config"), path),
                          obj.get("text_encoder"), base.get("variant"), meta)
    if isinstance(obj, Mapping) and "model_state_dict" in obj:
        state = obj["model_state_dict"]
        if not _is_state_dict(state):
            raise CheckpointError(f"{path}: 'model_state_dict' is empty or holds non-tensor values")
        meta = {k: v for k, v in obj.items() if k not in ("model_state_dict", "model_config", "text_encoder", "variant")}
        return _finish(Checkpoint(path, CheckpointKind.TRAINING, dict(state), _stored_config(obj.get("model_config"), path),
                                  obj.get("text_encoder"), obj.get("variant"), meta))
    if _is_state_dict(obj):
        config = _read_config_beside(path)
        return _finish(Checkpoint(path, CheckpointKind.STATE_DICT, dict(obj), config.get("model_config"),
                                  config.get("text_encoder"), config.get("variant"),
                                  saved_on=frozenset(locations)))
    raise CheckpointError(
        f"{path}: loads, but is neither a state dict, a training checkpoint (with 'model_state_dict') "
        f"nor a LoRA checkpoint"
    )


def _stored_config(config: Any, path: Path) -> Optional[Dict[str, Any]]:
    """A model config stored inside a checkpoint file, checked (:func:`check_model_config`); None if absent."""
    return None if config is None else check_model_config(config, source=path)


def _read_config_beside(weights: Path) -> Dict[str, Any]:
    """The ``config.json`` next to a weights file, checked, split into model config and metadata."""
    config_file = weights.parent / CONFIG_JSON
    if not config_file.is_file():
        return {}
    return split_config_json(read_config_json(config_file))


MAX_CONFIG_JSON_BYTES = 64 * 1024
"""A stick-gen ``config.json`` is under 1 KB; a larger file is refused unread."""

MAX_MODEL_PARAMETERS = 4 * max(v.params for v in VARIANTS.values())
"""Largest model a config may describe (4x the large variant: 112M parameters, 450 MB in float32)."""

CONFIG_JSON_METADATA: Dict[str, Tuple[type, ...]] = {
    "model_type": (str,), "variant": (str, type(None)), "pose_layout_version": (int,), "format_version": (int,),
}
"""Keys of ``config.json`` besides the constructor arguments (see :func:`model_config_json`), with their types."""


def read_config_json(path: PathLike) -> Dict[str, Any]:
    """Read and check a model's ``config.json`` before anything is built from it (see :func:`check_model_config`).

    Refuses, in one line that names the file: a file over :data:`MAX_CONFIG_JSON_BYTES`, text that is
    not UTF-8 JSON (or nested too deep), anything but an object, unknown keys and values of the wrong
    type or size.

    >>> read_config_json("saved/config.json")["d_model"]   # doctest: +SKIP
    256
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_JSON_BYTES:
            raise CheckpointError(f"{path}: {size:,} bytes, too large for a model config.json "
                                  f"(at most {MAX_CONFIG_JSON_BYTES:,}); it is not a stick-gen config")
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as err:
        raise CheckpointError(f"{path}: cannot read it ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise CheckpointError(f"{path}: not UTF-8 text (byte {err.start}); it is not a stick-gen config.json. "
                              f"Re-download or re-save the model") from None
    except RecursionError:
        raise CheckpointError(f"{path}: JSON nested too deeply; it is not a stick-gen config.json") from None
    except ValueError as err:  # JSONDecodeError, and numbers longer than Python reads
        raise CheckpointError(f"{path}: not valid JSON ({str(err)[:120]}). Re-download or re-save the model") from None
    if not isinstance(raw, dict):
        raise CheckpointError(f"{path}: holds a JSON {type(raw).__name__}, not an object of model settings")
    for key, types in CONFIG_JSON_METADATA.items():
        value = raw.get(key)
        if key in raw and not (is_value_of(value, types) and (not isinstance(value, str) or
                                                             len(value) <= MAX_STRING_LENGTH)):
            raise CheckpointError(f"{path}: {key}={short_value(value)} must be {type_names(types)}")
    check_model_config({k: v for k, v in raw.items() if k not in CONFIG_JSON_METADATA}, source=path)
    return raw


def check_model_config(config: Mapping[str, Any], source: Any = "model config") -> Dict[str, Any]:
    """Check constructor arguments before a model is built: :meth:`ModelConfig.from_dict` (known keys,
    types, bounds) and a total size under :data:`MAX_MODEL_PARAMETERS` (estimated without allocating).

    Raises :class:`CheckpointError` naming ``source``, the key, the value and what is allowed; returns
    the config as a dict (the keys given, nothing derived).

    >>> check_model_config({"d_model": 16384, "num_layers": 48}, source="x/config.json")
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.CheckpointError: x/config.json: d_model=16384 is out of range (8..2048)
    """
    try:
        ModelConfig.from_dict(config, source=source)
    except ConfigError as err:  # a bad config inside a model's files is a bad checkpoint
        raise CheckpointError(str(err)) from None
    size = estimated_parameters(config)
    if size > MAX_MODEL_PARAMETERS:
        raise CheckpointError(f"{source}: describes a model of about {size / 1e6:,.0f}M parameters; stick-gen "
                              f"loads at most {MAX_MODEL_PARAMETERS / 1e6:.0f}M (the large variant has "
                              f"{VARIANTS['large'].params_label}). The config is damaged or not a stick-gen model")
    return dict(config)


def estimated_parameters(config: Mapping[str, Any]) -> int:
    """Parameter count of the model ``config`` describes, from the sizes alone (nothing is allocated).

    Within a few percent of ``num_parameters()``; defaults are the constructor's.

    >>> estimated_parameters({"d_model": 256, "nhead": 8, "num_layers": 6}) // 100_000
    55
    """
    c = ModelConfig(**{k: v for k, v in config.items() if v is not None}).to_dict()
    d, layers, ffn = int(c["d_model"]), int(c["num_layers"]), int(c["dim_feedforward"])
    per_token = int(c["frames_per_token"])
    tokens = int(c["max_frames"]) // max(1, per_token)
    block = 4 * d * d + 2 * d * int(ffn) + int(ffn) + 9 * d
    return int(
        layers * block
        + int(c["embedding_dim"]) * d + d * d                       # text projection
        + int(c["latent_dim"]) * LATENT_FEATURES * d + d * d         # latent projection
        + (tokens + 3 * int(c["max_actors"])) * d                    # positions, slot, count, count head
        + per_token * (int(c["input_dim"]) + 1 + 2 * int(c["output_dim"]) + int(c["num_actions"])) * d
        + (per_token * int(c["output_dim"]) + 32) * d * (c.get("objective") == "flow")  # noisy motion, flow time
        + per_token * (CLOCK_DIM + 1) * d * bool(c["clock"])           # clock input, cadence head
        + per_token * (EVENT_DIM + 1) * d * bool(c.get("events"))     # key-moment input, event head
    )


def split_config_json(raw: Mapping[str, Any]) -> Dict[str, Any]:
    """``config.json`` contents -> ``{"model_config", "variant", "text_encoder", ...}``."""
    model_config = {k: v for k, v in raw.items() if k in model_config_keys()}
    return {
        "model_config": model_config or None,
        "variant": raw.get("variant"),
        "text_encoder": raw.get("text_encoder"),
        "pose_layout_version": raw.get("pose_layout_version"),
    }


def _load_directory(path: Path) -> Checkpoint:
    for name in (WEIGHTS_SAFETENSORS, WEIGHTS_BIN):
        if (path / name).is_file():
            ckpt = load_checkpoint(path / name)
            ckpt.path, ckpt.kind = path, CheckpointKind.PRETRAINED
            return ckpt
    raise CheckpointError(f"{path}: holds neither {WEIGHTS_SAFETENSORS} nor {WEIGHTS_BIN}")


def _finish(ckpt: Checkpoint) -> Checkpoint:
    config = ckpt.model_config
    if config and ckpt.text_encoder is None:
        ckpt.text_encoder = config.get("text_encoder")
    if ckpt.variant is None and _looks_like_stick_gen(ckpt.state_dict):
        try:
            found = ModelConfig.from_dict(ckpt.resolved_model_config()).variant
        except ConfigError:  # building from it is refused later, naming the file
            found = None
        ckpt.variant = found.name if found else None
    return ckpt


def _looks_like_stick_gen(state_dict: Mapping[str, torch.Tensor]) -> bool:
    return "text_proj.1.weight" in state_dict and "motion_head.weight" in state_dict


def legacy_config_from_shapes(state_dict: Mapping[str, torch.Tensor], source: Any = "state dict") -> Dict[str, Any]:
    """Legacy: constructor arguments read off the tensor shapes of a file that carries no config.

    Only for a bare state dict without a ``config.json`` beside it (what a user's own
    ``torch.save(model.state_dict(), ...)`` writes): every file stick-gen writes records its config, and that
    config is what builds the model. Tensors do not record the head count; the variant row with this
    width and depth gives it, else one head per 32 channels. This is the one place that reads a model's
    settings off its tensors.

    >>> from .transformer import StickFigureTransformer
    >>> legacy_config_from_shapes(StickFigureTransformer(d_model=256, nhead=8, num_layers=6).state_dict())["nhead"]
    8
    """
    if not _looks_like_stick_gen(state_dict):
        raise CheckpointError(f"{source}: does not hold StickFigureTransformer weights (no text_proj/motion_head)")
    d_model, embedding_dim = state_dict["text_proj.1.weight"].shape
    layers = {int(m.group(1)) for k in state_dict if (m := re.match(r"blocks\.(\d+)\.", k))}
    num_layers = max(layers) + 1 if layers else 0
    num_tokens = state_dict["token_position"].shape[0]
    output_dim = state_dict["feature_mean"].shape[0]
    span = state_dict["motion_head.weight"].shape[0] // output_dim  # frames one token writes
    # an overlap-add decoder writes two tokens' worth; the context input reads one (frames x (pose + mask))
    overlap = state_dict["context_in.weight"].shape[1] == (span // 2) * (output_dim + 1) and span % 2 == 0
    frames_per_token = span // 2 if overlap else span
    row = next((v for v in VARIANTS.values() if (v.d_model, v.num_layers) == (d_model, num_layers)), None)
    config = dict(
        input_dim=state_dict["context_in.weight"].shape[1] // frames_per_token - 1,
        d_model=d_model,
        nhead=row.nhead if row else max(1, d_model // 32),
        num_layers=num_layers,
        output_dim=output_dim,
        embedding_dim=embedding_dim,
        num_actions=state_dict["action_head.weight"].shape[0] // frames_per_token,
        max_frames=num_tokens * frames_per_token,
        frames_per_token=frames_per_token,
        latent_dim=state_dict["latent_proj.0.weight"].shape[1] // LATENT_FEATURES,
        max_actors=state_dict["slot_embedding.weight"].shape[0],
        max_clauses=MAX_CLAUSES if "clause_gate.weight" in state_dict else 0,
        objective="flow" if "noisy_in.weight" in state_dict else "regression",
        clock="clock_in.weight" in state_dict,
        events="event_in.weight" in state_dict,
        overlap_decoder=overlap,
        sample_first_time=None,  # a bare state dict predates the key: the grid it was sampled with
    )
    if num_layers:
        config["dim_feedforward"] = state_dict["blocks.0.ffn_in.weight"].shape[0]
    return config


def build_model(config: Mapping[str, Any]):
    """A fresh :class:`StickFigureTransformer` from constructor arguments (checked by :meth:`ModelConfig.from_dict`)."""
    from .transformer import StickFigureTransformer

    return StickFigureTransformer.from_config(ModelConfig.from_dict(config))


def load_state_dict_strict(model: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], source: Any) -> None:
    """``model.load_state_dict(state_dict)`` with an error that lists every missing, unexpected or misshapen key."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    misshapen = [
        f"{k}: file {tuple(state_dict[k].shape)} vs model {tuple(own[k].shape)}"
        for k in sorted(set(own) & set(state_dict))
        if tuple(own[k].shape) != tuple(state_dict[k].shape)
    ]
    if missing or unexpected or misshapen:
        parts = []
        if missing:
            parts.append(f"missing keys ({len(missing)}): {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}")
        if unexpected:
            parts.append(f"unexpected keys ({len(unexpected)}): {', '.join(unexpected[:8])}"
                         f"{' ...' if len(unexpected) > 8 else ''}")
        if misshapen:
            parts.append(f"shape mismatches ({len(misshapen)}): {'; '.join(misshapen[:4])}")
        raise CheckpointError(f"{source}: weights do not fit this model: " + " | ".join(parts))
    model.load_state_dict(state_dict, strict=True)


def load_model(path: PathLike, expected_variant: Optional[str] = None):
    """Build the model a checkpoint describes and load its weights strictly; returns ``(model, checkpoint)``.

    >>> model, ckpt = load_model("checkpoints/best_model.pt", expected_variant="small")   # doctest: +SKIP
    """
    ckpt = load_checkpoint(path)
    if ckpt.kind == CheckpointKind.LORA:
        raise CheckpointError(f"{path}: holds LoRA adapters only; load the adapter/ folder training wrote beside it "
                              f"(it names its base model), or merge them first with `stick-gen lora merge`")
    config = check_model_config(ckpt.resolved_model_config(), source=path)  # legacy ones too: nothing built yet
    if expected_variant is not None:
        want = get_variant(expected_variant)
        if (config["d_model"], config["nhead"], config["num_layers"]) != (want.d_model, want.nhead, want.num_layers):
            got = ModelConfig.from_dict(config, source=path).variant
            raise CheckpointError(
                f"{path}: holds {'the ' + got.name + ' variant' if got else 'a custom shape'} "
                f"(d_model={config['d_model']}, layers={config['num_layers']}), not {want.name} "
                f"(d_model={want.d_model}, layers={want.num_layers}); pass --variant {got.name if got else '...'}"
            )
    if ckpt.text_encoder and not config.get("text_encoder"):
        config["text_encoder"] = ckpt.text_encoder
    model = build_model(config)
    load_state_dict_strict(model, ckpt.state_dict, path)
    model.eval()
    return model, ckpt


def model_config_json(model) -> Dict[str, Any]:
    """What ``config.json`` holds: constructor arguments + variant, pose layout version, text encoder."""
    config = model.config.to_dict()
    found = model.config.variant
    config.update(
        model_type="stick-gen",
        variant=found.name if found else None,
        pose_layout_version=POSE_LAYOUT_VERSION,
        format_version=CHECKPOINT_FORMAT_VERSION,
    )
    return config


def plain_state_dict(model: torch.nn.Module) -> StateDict:
    """Detached, contiguous CPU copies of every tensor (what published files hold)."""
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}


def save_weights(directory: PathLike, model) -> Dict[str, Path]:
    """Write :data:`WEIGHTS_BIN`, :data:`WEIGHTS_SAFETENSORS` and :data:`CONFIG_JSON` into ``directory``."""
    from safetensors.torch import save_file

    directory = Path(directory)
    state = plain_state_dict(model)
    config = model_config_json(model)
    written = {
        "bin": atomic_write(directory / WEIGHTS_BIN, lambda p: torch.save(state, p)),
        "safetensors": atomic_write(
            directory / WEIGHTS_SAFETENSORS,
            lambda p: save_file(state, str(p), metadata={"format": "pt", "text_encoder": str(config["text_encoder"])}),
        ),
        "config": atomic_write(directory / CONFIG_JSON,
                               lambda p: p.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")),
    }
    return written


def save_training_checkpoint(
    path: PathLike,
    model,
    *,
    optimizer: Optional[torch.optim.Optimizer] = None,
    scheduler: Optional[Any] = None,
    step: int = 0,
    metrics: Optional[Mapping[str, float]] = None,
    extra: Optional[Mapping[str, Any]] = None,
) -> Path:
    """Write a training checkpoint that ``torch.load(path, weights_only=True)`` can read.

    >>> save_training_checkpoint("checkpoints/best_model.pt", model, step=1200)   # doctest: +SKIP
    """
    config = model_config_json(model)
    payload: Dict[str, Any] = {
        "format_version": CHECKPOINT_FORMAT_VERSION,
        "kind": CheckpointKind.TRAINING.value,
        "model_state_dict": plain_state_dict(model),
        "model_config": model.config.to_dict(),
        "variant": config["variant"],
        "pose_layout_version": POSE_LAYOUT_VERSION,
        "text_encoder": model.text_encoder,
        "step": int(step),
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
    }
    if optimizer is not None:
        payload["optimizer_state_dict"] = optimizer.state_dict()
    if scheduler is not None:
        payload["scheduler_state_dict"] = scheduler.state_dict()
    payload.update(extra or {})
    return atomic_write(path, lambda p: torch.save(payload, p))
