"""Pre-upload validation: is this checkpoint, card and file set fit to publish as the named variant?

Every check runs before anything is written or sent. Each result is a :class:`Finding`:

* ``fatal``: publishing is impossible (unreadable or unsafe checkpoint, a token in the card);
  neither ``--yes`` nor the prompt can continue past it;
* ``problem``: the checkpoint may be wrong for what it claims to be (a variant's size, a missing
  encoder identity): the user is asked "continue? [y/N]" in a terminal,
  ``--yes`` continues, anything else stops with exit code 3;
* ``warning`` and ``info``: printed, never blocking (a ``TBD`` in the card, the counts checked).

>>> report = inspect_checkpoint("checkpoints/best_model.pt", "medium")   # doctest: +SKIP
>>> [f.message for f in report.findings if f.level == "problem"]        # doctest: +SKIP
[]
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import torch

from ..errors import CheckpointError, StickGenError
from ..model.checkpoint import Checkpoint, CheckpointKind, load_checkpoint, load_state_dict_strict, model_config_json
from ..model.config import ModelConfig
from ..model.enums import ValueEnum
from ..model.transformer import StickFigureTransformer
from ..model.variants import TrainingMethod, Variant, get_variant, variant_for_shape
from ..resources import resource_path, shipped_config
from .cards import REQUIRED_METADATA, REQUIRED_SECTIONS, ModelCard, metadata_problems
from .naming import PRETRAIN, detect_method


class FindingLevel(ValueEnum):
    """How serious a :class:`Finding` is, most serious first. A ``str``: ``level == "fatal"`` holds for ``FATAL``.

    >>> Finding("problem", "x").level is FindingLevel.PROBLEM, f"{FindingLevel.WARNING}"
    (True, 'warning')
    """

    FATAL = "fatal"
    """Nothing is written or sent, whatever the options."""
    PROBLEM = "problem"
    """Stops a push unless the user confirms (or passes ``--force``)."""
    WARNING = "warning"
    """Printed; the push goes on."""
    INFO = "info"
    """A check that passed."""


TOKEN_PATTERN = re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")
"""What a Hugging Face access token looks like; such a string must never be published."""

TRAINING_ONLY_KEYS = ("optimizer_state_dict", "scheduler_state_dict", "rng_state")
"""Parts of a training checkpoint that are never published."""

FileIdentity = Tuple[int, int, int, int]
"""``(st_dev, st_ino, st_size, st_mtime_ns)``: a file unchanged since it was read has the same identity."""


def file_identity(stat: os.stat_result) -> FileIdentity:
    """The identity of a file from its ``os.stat``/``os.fstat`` result."""
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


@dataclass(frozen=True)
class Finding:
    """One result of validation: ``level`` (a :class:`FindingLevel`; a plain string is turned into one, an
    unknown level is a ``ValueError``) and a message naming file, value and fix."""

    level: FindingLevel
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", FindingLevel(self.level))

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


@dataclass
class AdapterSummary:
    """What validation learnt about a LoRA checkpoint."""

    parameters: int
    expected_parameters: int
    lora_config: Dict[str, Any]
    base_repo_id: Optional[str]
    base_config: Dict[str, Any]


@dataclass
class InspectedCheckpoint:
    """A checkpoint read for publishing, and everything the bundle derives from it."""

    checkpoint: Checkpoint
    variant: Variant
    method: str
    model_config: Dict[str, Any]
    """Constructor arguments of the published model (for LoRA: of the base model)."""
    text_encoder: Optional[str]
    parameters: int
    """Parameters (not buffers) of the weights; for LoRA, adapter parameters."""
    adapter: Optional[AdapterSummary] = None
    findings: List[Finding] = field(default_factory=list)
    model_shapes: Dict[str, Tuple[int, ...]] = field(default_factory=dict)
    """Every tensor of the model the weights were checked against (parameters and buffers), by key.
    The bundle publishes these keys only; empty for LoRA adapters."""
    config_json: Optional[Dict[str, Any]] = None
    """``config.json`` of that model when it was built from ``model_config`` (see
    :func:`~stick_gen.model.checkpoint.model_config_json`); None when the config could not build one."""
    source_identity: Optional[FileIdentity] = None
    """The checkpoint file's identity just before it was read (None for a directory)."""

    @property
    def is_lora(self) -> bool:
        return self.adapter is not None

    @property
    def base_repo_id(self) -> Optional[str]:
        base = self.checkpoint.metadata.get("base_model") or {}
        return base.get("repo_id") if isinstance(base, Mapping) else None

    def add(self, level: Union[FindingLevel, str], message: str) -> None:
        self.findings.append(Finding(level, message))


@contextlib.contextmanager
def _skip_weight_init() -> Iterator[None]:
    """Build modules without random initialisation: only shapes and counts are wanted here.

    The meta device would do the same, but its first use imports torch's reference ops (seconds).
    """
    names = ("kaiming_uniform_", "uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "zeros_", "ones_")
    saved = {name: getattr(torch.nn.init, name) for name in names}
    try:
        for name in names:
            setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)
        yield
    finally:
        for name, function in saved.items():
            setattr(torch.nn.init, name, function)


def shape_model(model_config: Mapping[str, Any]) -> StickFigureTransformer:
    """A model with the right shapes and uninitialised weights (for key, shape and count checks)."""
    config = ModelConfig.from_dict(model_config)
    with _skip_weight_init(), torch.no_grad():
        return StickFigureTransformer.from_config(config)


def variant_model_config(variant: Variant) -> Dict[str, Any]:
    """The full constructor arguments of a published variant, as its row of the variant table builds it."""
    return ModelConfig.from_variant(variant.name).to_dict()


def default_text_encoder(variant: Variant) -> str:
    """The text encoder identity the variant's shipped config names (``minilm`` -> its full identity)."""
    from ..inference.text_encoder import resolve_encoder_identity

    config = shipped_config(variant.name)
    return resolve_encoder_identity(str(config.get("text_encoder", "minilm")))


def _same_encoder(a: str, b: str) -> bool:
    from ..inference.text_encoder import resolve_encoder_identity

    def canonical(name: str) -> str:
        try:
            return resolve_encoder_identity(name)
        except StickGenError:
            return name.strip()

    return canonical(a) == canonical(b)


def _fmt_count(n: int) -> str:
    return f"{n / 1e6:.2f}M" if abs(n) >= 1e6 else f"{n / 1e3:.0f}K" if abs(n) >= 1e3 else str(n)


def inspect_checkpoint(path: Path, variant_name: str, method: Optional[str] = None) -> InspectedCheckpoint:
    """Read ``path`` safely and check it against ``variant_name``; findings are collected, not raised.

    An unreadable or unsafe file raises (:class:`CheckpointError`, :class:`UnsafeCheckpointError`):
    nothing can be published from it, whatever the flags.
    """
    variant = get_variant(variant_name)
    try:
        identity = file_identity(os.stat(path)) if Path(path).is_file() else None
    except OSError:
        identity = None  # load_checkpoint says what is wrong with the path
    # mapped, not read: a training checkpoint's optimizer state (two thirds of it) is never touched
    ckpt = load_checkpoint(path, mmap=True)
    detected = detect_method(ckpt)
    if ckpt.kind == CheckpointKind.LORA:
        return _inspect_adapter(ckpt, variant, method or detected)
    if method == TrainingMethod.LORA:
        raise CheckpointError(f"{path}: --method lora needs a LoRA checkpoint (lora_adapters.pth), "
                              f"this file holds full model weights ({ckpt.kind})")
    report = InspectedCheckpoint(ckpt, variant, method or detected, {}, None, 0, source_identity=identity)
    if ckpt.model_config:
        config = ckpt.resolved_model_config()
    else:
        config = variant_model_config(variant)
        report.add("warning", f"{path} records no model config; using the {variant.name} variant's defaults "
                              f"(d_model={variant.d_model}, nhead={variant.nhead}, num_layers={variant.num_layers})")
    shape = (config.get("d_model"), config.get("nhead"), config.get("num_layers"))
    if shape != (variant.d_model, variant.nhead, variant.num_layers):
        found = variant_for_shape(*shape) if None not in shape else None
        described = f"the {found.name} variant" if found else "a custom shape"
        report.add("problem", f"{path} records a model config of {described} "
                              f"(d_model={shape[0]}, nhead={shape[1]}, num_layers={shape[2]}) but --variant is "
                              f"{variant.name}" + (f"; pass --variant {found.name}" if found else ""))
    encoder = ckpt.text_encoder or config.get("text_encoder")
    named_twice = ckpt.text_encoder and config.get("text_encoder")
    if named_twice and not _same_encoder(ckpt.text_encoder, config["text_encoder"]):
        report.add("problem", f"{path} names two text encoders: '{ckpt.text_encoder}' and "
                              f"'{config['text_encoder']}' in its model config; re-save the checkpoint")
    if not encoder:
        encoder = default_text_encoder(variant)
        report.add("warning", f"{path} records no text encoder; assuming the {variant.name} variant's default "
                              f"'{encoder}' (the model only understands the encoder it was trained with)")
    config["text_encoder"] = encoder
    report.model_config, report.text_encoder = config, encoder
    _check_training_config(report, path)

    try:
        model = shape_model(config)
        report.config_json = model_config_json(model)
    except StickGenError as err:
        report.add("problem", f"{path}: its model config cannot build a StickFigureTransformer ({err})")
        model = shape_model(variant_model_config(variant))
    names = dict(model.named_parameters())
    report.parameters = sum(t.numel() for k, t in ckpt.state_dict.items() if k in names)
    own = {k: tuple(t.shape) for k, t in model.state_dict().items()}
    report.model_shapes = own
    extra = sorted(set(ckpt.state_dict) - set(own))
    if extra:
        report.add("warning", f"{path}: {len(extra)} tensor(s) the model does not have are left out of the bundle: "
                              f"{', '.join(extra[:4])}{' ...' if len(extra) > 4 else ''}")
    if own != {k: tuple(t.shape) for k, t in ckpt.state_dict.items()}:
        # Only on a mismatch: the shared strict loader names every missing, extra or misshapen key.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                load_state_dict_strict(model, ckpt.state_dict, path)
            except CheckpointError as err:
                report.add("problem", f"{err}")
    _check_parameter_count(report, path)
    bad_dtypes = sorted({str(t.dtype) for t in ckpt.state_dict.values() if not t.is_floating_point()})
    if bad_dtypes:
        report.add("problem", f"{path}: weights of dtype {', '.join(bad_dtypes)}; expected floating point tensors")
    if report.method != PRETRAIN and not report.base_repo_id:
        report.add("warning", f"{path} is a {report.method} fine-tune but records no base model repository; "
                              f"the card's base_model cannot be checked against it")
    return report


def _check_parameter_count(report: InspectedCheckpoint, path: Path) -> None:
    variant = report.variant
    low, high = variant.param_bounds()
    actual = report.parameters
    diff = actual - variant.params
    line = (f"parameters: expected {variant.params_label} +- {_fmt_count(variant.params - low)} "
            f"({low:,} to {high:,}), actual {actual:,}, difference {diff:+,} ({diff / variant.params:+.1%})")
    if low <= actual <= high:
        report.add("info", line)
    else:
        found = variant_for_shape(report.model_config.get("d_model", 0), report.model_config.get("nhead", 0),
                                  report.model_config.get("num_layers", 0))
        other = found is not None and found != variant
        hint = f"; the file holds the {found.name} variant: pass --variant {found.name}" if other else ""
        report.add("problem", f"{path}: {line}, outside the {variant.name} variant's +-5%{hint}")


def _check_training_config(report: InspectedCheckpoint, path: Path) -> None:
    """The training config stored in the checkpoint must describe the same model and encoder."""
    stored = report.checkpoint.metadata.get("config")
    if not isinstance(stored, Mapping):
        return
    section = stored.get("model") or {}
    clash = {k: (v, report.model_config[k]) for k, v in section.items()
             if k != "dropout" and k in report.model_config and report.model_config[k] != v}
    if clash:
        listed = ", ".join(f"{k}={a} vs {b}" for k, (a, b) in sorted(clash.items()))
        report.add("problem", f"{path}: its training config disagrees with its weights' config ({listed})")
    trained_with = stored.get("text_encoder")
    if trained_with and report.text_encoder and not _same_encoder(trained_with, report.text_encoder):
        report.add("problem", f"{path}: trained with text encoder '{stored['text_encoder']}' but records "
                              f"'{report.text_encoder}'")
    if stored.get("variant") and stored["variant"] != report.variant.name:
        report.add("problem", f"{path}: trained as the {stored['variant']} variant but --variant is "
                              f"{report.variant.name}; pass --variant {stored['variant']}")


_ADAPTER_KEY = re.compile(r"^base_model\.model\.(?P<module>.+)\.lora_(?P<part>[AB])(?:\.[^.]+)?\.weight$")


def _inspect_adapter(ckpt: Checkpoint, variant: Variant, method: str) -> InspectedCheckpoint:
    """LoRA: the adapter's own count against its rank and the base variant's shapes."""
    from ..training.lora import lora_parameter_count

    path = ckpt.path
    base = ckpt.metadata.get("base_model") or {}
    lora = dict(ckpt.metadata.get("lora_config") or {})
    report = InspectedCheckpoint(ckpt, variant, method, {}, ckpt.text_encoder, 0)
    if base.get("variant") and base["variant"] != variant.name:
        report.add("problem", f"{path}: adapters for the {base['variant']} variant but --variant is {variant.name}; "
                              f"pass --variant {base['variant']}")
    config = ckpt.resolved_model_config() if ckpt.model_config else {}  # the base's, for adapters
    if not config:
        config = variant_model_config(variant)
        report.add("warning", f"{path} records no base model config; checking against the {variant.name} variant")
    shape = (config.get("d_model"), config.get("nhead"), config.get("num_layers"))
    if shape != (variant.d_model, variant.nhead, variant.num_layers):
        report.add("problem", f"{path}: the base model it records (d_model={shape[0]}, nhead={shape[1]}, "
                              f"num_layers={shape[2]}) is not the {variant.name} variant")
        config = variant_model_config(variant)
    if not ckpt.text_encoder:
        report.text_encoder = config.get("text_encoder") or default_text_encoder(variant)
        report.add("warning", f"{path} records no text encoder; assuming '{report.text_encoder}'")
    report.model_config = config
    missing = [k for k in ("r", "lora_alpha", "target_modules") if k not in lora]
    if missing:
        report.add("fatal", f"{path}: its LoRA configuration lacks {', '.join(missing)}; re-save it with "
                            f"`stick-gen finetune --method lora`")
        report.adapter = AdapterSummary(0, 0, lora, base.get("repo_id"), config)
        return report

    model = shape_model(config)
    modules = dict(model.named_modules())
    r, targets = int(lora["r"]), list(lora["target_modules"])
    misfits: List[str] = []
    count = 0
    for key, tensor in ckpt.state_dict.items():
        count += tensor.numel()
        match = _ADAPTER_KEY.match(key)
        module = modules.get(match.group("module")) if match else None
        if match is None or not isinstance(module, torch.nn.Linear):
            misfits.append(f"{key} (no such layer in the {variant.name} model)")
            continue
        if match.group("module").rsplit(".", 1)[-1] not in targets:
            misfits.append(f"{key} (layer not among target_modules {targets})")
        want = (r, module.in_features) if match.group("part") == "A" else (module.out_features, r)
        if tuple(tensor.shape) != want:
            misfits.append(f"{key} {tuple(tensor.shape)}, expected {want}")
    if misfits:
        report.add("problem", f"{path}: {len(misfits)} adapter tensor(s) do not fit the {variant.name} variant: "
                              + "; ".join(misfits[:4]) + (" ..." if len(misfits) > 4 else ""))
    try:
        expected = lora_parameter_count(config, r=r, target_modules=targets)
    except StickGenError as err:
        report.add("problem", f"{path}: {err}")
        expected = count
    report.parameters = count
    report.adapter = AdapterSummary(count, expected, lora, base.get("repo_id"), config)
    line = (f"adapter parameters: {count:,} (expected {expected:,} for r={r} on {', '.join(targets)} of the "
            f"{variant.name} variant, {count / variant.params:.1%} of its {variant.params_label})")
    report.add("info" if count == expected else "problem",
               line if count == expected else f"{path}: {line}; some adapters are missing or extra")
    if not base.get("repo_id"):
        report.add("warning", f"{path} records no base model repository; merge instructions will name "
                              f"{variant.repo_id}")
    return report


def check_card(
    card: ModelCard,
    source: str,
    variant: str,
    method: str,
    base_repo_id: Optional[str] = None,
    example_dirs: Sequence[Path] = (),
) -> List[Finding]:
    """Everything wrong with a model card for this upload; ``TBD`` lines come back as warnings.

    >>> from .cards import parse_card, render_card
    >>> [f.level.value for f in check_card(parse_card(render_card("small")), "small.md", "small", "pretrain")][:1]
    ['warning']
    """
    found: List[Finding] = []

    def problem(message: str) -> None:
        found.append(Finding("problem", f"model card {source}: {message}"))

    front = card.front_matter
    if card.front_matter_error:
        problem(card.front_matter_error)
    elif front is None:
        problem("no YAML front matter; start the card with '---', the metadata lines "
                f"({', '.join(REQUIRED_METADATA)}), and '---'")
    if front is not None:
        for key in REQUIRED_METADATA:
            if front.get(key) in (None, "", [], {}):
                problem(f"front matter lacks '{key}'")
        if front.get("license") not in (None, "mit"):
            problem(f"front matter license is {front.get('license')!r} but the bundle's LICENSE is MIT; "
                    f"use 'license: mit'")
        for message in metadata_problems(front):
            problem(f"front matter {message}")
        if front.get("model-index") and not _model_index_metrics(front["model-index"]):
            problem("model-index lists no metrics (results[].metrics[] with type, name, value)")
        if method != PRETRAIN:
            named_base = front.get("base_model")
            if not named_base:
                problem(f"a {method} fine-tune card needs 'base_model' in its front matter "
                        f"(e.g. base_model: {base_repo_id or get_variant(variant).repo_id})")
            elif base_repo_id and named_base != base_repo_id:
                problem(f"front matter base_model is {named_base!r} but the checkpoint was fine-tuned from "
                        f"{base_repo_id!r}")
    for section in REQUIRED_SECTIONS:
        if not card.has_section(section):
            problem(f"missing the required section '## {section}'")
    named = card.variants_named()
    if not named:
        problem(f"does not say which variant it describes: name it stick-gen-{variant} in model-index and the title")
    elif named != [variant]:
        problem(f"describes the {', '.join(named)} variant but --variant is {variant}; use "
                f"model_cards/{variant}.md or pass --model-card")
    for image in card.images():
        if not any((d / image).is_file() or (d / Path(image).name).is_file() for d in example_dirs):
            places = " or ".join(str(d) for d in example_dirs) or "beside the card"
            problem(f"shows {image} but no such file is in {places}; render it with `stick-gen generate` and "
                    f"`stick-gen card update --examples DIR`, or pass --examples DIR")
    if TOKEN_PATTERN.search(card.text):
        line = next(n for n, text in enumerate(card.text.splitlines(), 1) if TOKEN_PATTERN.search(text))
        found.append(Finding("fatal", f"model card {source} line {line} holds what looks like a Hugging Face "
                                      f"token; remove it (and revoke the token) before publishing"))
    for number, line in card.tbd_lines():
        found.append(Finding("warning", f"model card {source} line {number}: TBD to update: {line[:90]}"))
    return found


def _model_index_metrics(model_index: Any) -> List[Any]:
    metrics: List[Any] = []
    entries = model_index if isinstance(model_index, list) else []
    for entry in (e for e in entries if isinstance(e, Mapping)):
        for result in (r for r in entry.get("results") or [] if isinstance(r, Mapping)):
            metrics += [m for m in result.get("metrics") or [] if isinstance(m, Mapping) and "type" in m]
    return metrics


def check_shipped_files(variant: str) -> List[Finding]:
    """LICENSE (MIT), CITATIONS.md and the variant's config must ship with the package, and agree."""
    found: List[Finding] = []
    for parts, test, what in (
        (("LICENSE",), lambda text: text.lstrip().startswith("MIT License"), "an MIT license"),
        (("CITATIONS.md",), lambda text: bool(text.strip()), "the dataset and method citations"),
    ):
        try:
            text = resource_path(*parts).read_text(encoding="utf-8")
        except StickGenError as err:
            found.append(Finding("problem", f"{err}; reinstall stick-gen"))
            continue
        if not test(text):
            found.append(Finding("problem", f"{resource_path(*parts)} does not hold {what}"))
    try:
        config = shipped_config(variant)
    except StickGenError as err:
        return found + [Finding("problem", f"{err}; reinstall stick-gen")]
    v = get_variant(variant)
    model = (config or {}).get("model") or {}
    keys = ("d_model", "nhead", "num_layers", "dim_feedforward")
    clash = [f"{k}={model.get(k)} (table: {getattr(v, k)})" for k in keys if model.get(k) != getattr(v, k)]
    if (config or {}).get("variant") != variant or clash:
        found.append(Finding("problem", f"configs/{variant}.yaml does not match the {variant} variant: "
                                        f"{', '.join(clash) or 'variant: ' + str((config or {}).get('variant'))}"))
    return found

