"""LoRA adapters for StickFigureTransformer, through peft.

Adapters sit on the four linear layers of every transformer block (``qkv``, ``attn_out``,
``ffn_in``, ``ffn_out``). With rank 6 that is 307,200 trainable parameters for the medium
variant (the "~300K" the upload guide tells users to expect), 152,064 for small and 430,080 for large
(:func:`lora_parameter_count`).

Files: LoRA training writes peft's own ``adapter_config.json`` + ``adapter_model.safetensors`` in
``OUTPUT/adapter/`` (:func:`save_peft_adapter`; ``base_model_name_or_path`` names the base checkpoint),
which ``PeftModel.from_pretrained(base, "OUTPUT/adapter")`` and ``StickGenPipeline.from_pretrained`` load.
Beside it, ``lora_adapters.pth`` (see :mod:`stick_gen.model.checkpoint`, ``kind="lora"``) holds the same
adapter tensors under peft's names, the LoRA configuration and the base model's identity and config, for
the upload guide's commands; :func:`export_peft_adapter` turns one into peft's files (publishing does,
naming the base's Hub repository) and :func:`merge_lora` folds the adapters into a plain model.

>>> from stick_gen.model.transformer import StickFigureTransformer
>>> base = StickFigureTransformer(d_model=384, nhead=12, num_layers=8)
>>> lora_parameter_count(base.config, r=6)
307200
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import torch

from ..model.atomic import atomic_output, atomic_write
from ..model.checkpoint import (ADAPTER_CONFIG, ADAPTER_WEIGHTS, CHECKPOINT_FORMAT_VERSION, Checkpoint, CheckpointKind,
                                build_model, load_checkpoint)
from ..errors import CheckpointError
from ..model.transformer import StickFigureTransformer
from ..model.variants import TrainingMethod

LORA_TARGETS = ("qkv", "attn_out", "ffn_in", "ffn_out")
DEFAULT_LORA: Dict[str, Any] = {"r": 6, "lora_alpha": 12, "lora_dropout": 0.05, "target_modules": list(LORA_TARGETS)}
ADAPTER_DIR = "adapter"
"""The folder of peft's adapter files that LoRA training writes beside ``lora_adapters.pth``."""
_PEFT_FOLDER_FILES = {ADAPTER_CONFIG, ADAPTER_WEIGHTS, "README.md"}


def lora_parameter_count(model_config: Mapping[str, Any], r: int = DEFAULT_LORA["r"],
                         target_modules: Sequence[str] = LORA_TARGETS) -> int:
    """Adapter parameters for a model of this shape: ``r * (in + out)`` per adapted layer."""
    d, f = model_config["d_model"], model_config["dim_feedforward"]
    shapes = {"qkv": (d, 3 * d), "attn_out": (d, d), "ffn_in": (d, f), "ffn_out": (f, d)}
    unknown = sorted(set(target_modules) - set(shapes))
    if unknown:
        raise CheckpointError(f"unknown LoRA target modules {unknown}; choose from {list(shapes)}")
    return model_config["num_layers"] * sum(r * sum(shapes[t]) for t in target_modules)


def apply_lora(model: StickFigureTransformer, r: int = DEFAULT_LORA["r"], alpha: int = DEFAULT_LORA["lora_alpha"],
               dropout: float = DEFAULT_LORA["lora_dropout"], target_modules: Sequence[str] = LORA_TARGETS,
               base_repo_id: Optional[str] = None):
    """Wrap ``model`` in a peft model with fresh LoRA adapters; only the adapters are trainable."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(target_modules),
                        base_model_name_or_path=base_repo_id)
    return get_peft_model(model, config)


def lora_config_of(peft_model) -> Dict[str, Any]:
    """The plain-dict LoRA configuration stored in ``lora_adapters.pth``."""
    cfg = peft_model.peft_config["default"]
    return {"r": int(cfg.r), "lora_alpha": int(cfg.lora_alpha), "lora_dropout": float(cfg.lora_dropout),
            "target_modules": sorted(cfg.target_modules)}


def save_lora_checkpoint(path: Union[str, Path], peft_model, *, base: Mapping[str, Any],
                         step: int = 0, metrics: Optional[Mapping[str, float]] = None,
                         extra: Optional[Mapping[str, Any]] = None,
                         adapter_dir: Optional[Union[str, Path]] = None) -> Path:
    """Write ``lora_adapters.pth``: adapter tensors, LoRA config, base model identity (repo, variant, config).

    With ``adapter_dir``, peft's own files go there too (:func:`save_peft_adapter`), naming the base
    by :func:`base_reference`.

    >>> save_lora_checkpoint("out/lora_adapters.pth", peft_model, base=base_info, adapter_dir="out/adapter")  # doctest: +SKIP
    """
    from peft import get_peft_model_state_dict

    adapters = {k: v.detach().cpu().contiguous().clone() for k, v in get_peft_model_state_dict(peft_model).items()}
    inner = peft_model.get_base_model()
    payload: Dict[str, Any] = {
        "format_version": CHECKPOINT_FORMAT_VERSION,
        "kind": CheckpointKind.LORA.value,
        "method": TrainingMethod.LORA.value,
        "adapter_state_dict": adapters,
        "lora_config": lora_config_of(peft_model),
        "base_model": {**dict(base), "model_config": dict(inner.config)},
        "text_encoder": inner.text_encoder,
        "step": int(step),
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
    }
    payload.update(extra or {})
    written = atomic_write(path, lambda p: torch.save(payload, p))
    if adapter_dir is not None:
        save_peft_adapter(peft_model, adapter_dir, base_model=base_reference(base))
    return written


def base_reference(base: Mapping[str, Any]) -> Optional[str]:
    """What an adapter folder names as its base: the checkpoint trained on (absolute path), else its repo id.

    >>> base_reference({"repo_id": "GesturaAI/stick-gen-small"})
    'GesturaAI/stick-gen-small'
    """
    if base.get("checkpoint"):
        return str(Path(base["checkpoint"]).resolve())
    return base.get("repo_id")


def save_peft_adapter(peft_model, out_dir: Union[str, Path], *, base_model: Optional[str],
                      revision: Optional[str] = None) -> Path:
    """Write peft's ``adapter_config.json`` + ``adapter_model.safetensors`` (and its README) into ``out_dir``.

    ``base_model`` (a Hub repo id or a local path) and ``revision`` go into the config's
    ``base_model_name_or_path`` and ``revision``. The folder appears whole or not at all; an existing
    folder is replaced only if it holds nothing but these files.

    >>> save_peft_adapter(peft_model, "out/adapter", base_model="GesturaAI/stick-gen-small")   # doctest: +SKIP
    """
    out_dir = Path(out_dir)
    if out_dir.is_dir():
        others = sorted(p.name for p in out_dir.iterdir() if p.name not in _PEFT_FOLDER_FILES)
        if others:
            raise CheckpointError(f"{out_dir}: holds other files ({', '.join(others[:3])}); write the adapter to a "
                                  f"new or empty folder")
    config = peft_model.peft_config["default"]
    kept = config.base_model_name_or_path, config.revision
    config.base_model_name_or_path, config.revision = base_model, revision
    try:
        with atomic_output(out_dir, folder=True, error=CheckpointError) as tmp:
            # no embedding layers to save; also stops peft from looking the base model up online
            peft_model.save_pretrained(str(tmp), save_embedding_layers=False)
    finally:
        config.base_model_name_or_path, config.revision = kept
    return out_dir


def attach_lora(base_model: StickFigureTransformer, adapter: Checkpoint):
    """Put the adapters of a loaded ``lora_adapters.pth`` onto ``base_model`` (a peft model, eval mode)."""
    from peft import set_peft_model_state_dict

    if adapter.kind != CheckpointKind.LORA:
        raise CheckpointError(f"{adapter.path}: is a {adapter.kind} checkpoint, not LoRA adapters")
    cfg = adapter.metadata["lora_config"]
    expected = adapter.metadata.get("base_model", {}).get("model_config")
    if expected:
        for key in ("d_model", "num_layers", "dim_feedforward"):
            if expected[key] != base_model.config[key]:
                raise CheckpointError(
                    f"{adapter.path}: adapters were trained on a base with {key}={expected[key]}, "
                    f"this base has {base_model.config[key]}; pick the base variant the adapters name"
                )
    peft_model = apply_lora(base_model, r=cfg["r"], alpha=cfg["lora_alpha"], dropout=cfg["lora_dropout"],
                            target_modules=cfg["target_modules"])
    result = set_peft_model_state_dict(peft_model, adapter.state_dict)
    if result.unexpected_keys:
        raise CheckpointError(f"{adapter.path}: adapter tensors that fit no layer: {result.unexpected_keys[:5]}")
    return peft_model.eval()


def merge_lora(adapter: Union[Checkpoint, str, Path], base_model: StickFigureTransformer) -> StickFigureTransformer:
    """A plain StickFigureTransformer whose weights include the adapters (outputs equal the adapted model's).

    >>> merged = merge_lora("checkpoints/lora/lora_adapters.pth", base)   # doctest: +SKIP
    """
    adapter = adapter if isinstance(adapter, Checkpoint) else load_checkpoint(adapter)
    merged = attach_lora(base_model, adapter).merge_and_unload()
    merged.eval()
    return merged


def export_peft_adapter(adapter: Union[Checkpoint, str, Path], out_dir: Union[str, Path],
                        base_model: Optional[str] = None) -> Path:
    """Write peft's ``adapter_config.json`` and ``adapter_model.safetensors`` for ``lora_adapters.pth``.

    The config names ``base_model``, by default the base's Hub repository the checkpoint records.
    ``PeftModel.from_pretrained(StickFigureTransformer.from_pretrained(base_repo), out_dir)`` loads them.

    >>> export_peft_adapter("checkpoints/lora/lora_adapters.pth", "peft_adapter/")   # doctest: +SKIP
    """
    adapter = adapter if isinstance(adapter, Checkpoint) else load_checkpoint(adapter)
    base_info = adapter.metadata.get("base_model") or {}
    if not base_info.get("model_config"):
        raise CheckpointError(f"{adapter.path}: does not record its base model's config; cannot export")
    peft_model = attach_lora(build_model(adapter.resolved_model_config()), adapter)
    return save_peft_adapter(peft_model, out_dir, base_model=base_model or base_info.get("repo_id"))
