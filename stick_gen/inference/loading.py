"""Finding the model behind a name: a checkpoint file, a model folder, LoRA adapters, or a Hub repository.

:func:`load_pretrained_model` is what ``StickGenPipeline.from_pretrained`` and ``stick-gen generate``
call. A folder or Hub repository holding peft's ``adapter_config.json`` + ``adapter_model.safetensors``
(and no ``config.json``) is LoRA adapters: its config's ``base_model_name_or_path`` (and ``revision``)
names the base, a Hub repository id or a local checkpoint file or folder; the base is loaded the same
way, peft puts the adapters on it and merges them, and the result is a plain
:class:`~..model.transformer.StickFigureTransformer`. Only adapters need peft (a LoRA repository's
``requirements.txt`` names it); this module imports it only then.

>>> model, commit = load_pretrained_model("checkpoints/lora/adapter")                  # doctest: +SKIP
>>> model, commit = load_pretrained_model("GesturaAI/stick-gen-small-lora", "v1.0.0")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

from ..model.checkpoint import ADAPTER_CONFIG, ADAPTER_WEIGHTS, CONFIG_JSON, load_model, read_config_json
from ..model.errors import CheckpointError, GenerationError, StickGenError
from ..model.transformer import StickFigureTransformer
from .hub_download import MODEL_FILES, download_model_files

ADAPTER_FILES = (ADAPTER_CONFIG, ADAPTER_WEIGHTS)
MAX_ADAPTER_CONFIG_BYTES = 64 * 1024


def is_adapter_folder(folder: Union[str, os.PathLike]) -> bool:
    """True for a folder of peft adapter files (``adapter_config.json`` and no model ``config.json``)."""
    folder = Path(folder)
    return (folder / ADAPTER_CONFIG).is_file() and not (folder / CONFIG_JSON).is_file()


def load_pretrained_model(source: Union[str, os.PathLike], revision: Optional[str] = None, *,
                          token: Optional[str] = None, base_model: Optional[str] = None,
                          ) -> Tuple[StickFigureTransformer, Optional[str]]:
    """The model ``source`` names, in eval mode, and the Hub commit it came from (None for local files).

    ``source`` is a training checkpoint file, a ``save_pretrained`` folder, a folder of LoRA adapters,
    or a Hub repository id (``revision``: a tag, branch or commit) holding either. ``base_model``
    replaces the base that LoRA adapters name (a Hub repo id or a local path).
    """
    return _load(str(source), revision, token, base_model, adapters=True)


def load_adapted_model(folder: Union[str, os.PathLike], *, token: Optional[str] = None,
                       base_model: Optional[str] = None, where: Optional[str] = None) -> StickFigureTransformer:
    """The base model that ``folder``'s ``adapter_config.json`` names, with the adapters merged in.

    >>> model = load_adapted_model("checkpoints/lora/adapter")   # doctest: +SKIP
    """
    folder = Path(folder)
    where = where or str(folder)
    config = read_adapter_config(folder / ADAPTER_CONFIG)
    base_ref = base_model or config.get("base_model_name_or_path")
    if not base_ref:
        raise CheckpointError(f"{where}: {ADAPTER_CONFIG} names no base model (base_model_name_or_path is empty); "
                              f"set it to the base's Hub repository id or checkpoint path, or pass base_model=...")
    if not base_model and _looks_local(str(base_ref)) and not os.path.exists(base_ref):
        raise CheckpointError(f"{where}: its base model {base_ref} does not exist on this machine: put the base "
                              f"checkpoint there, or set base_model_name_or_path in {folder / ADAPTER_CONFIG} to "
                              f"the base's Hub repository id or path (or pass base_model=...)")
    try:
        base, _ = _load(str(base_ref), None if base_model else config.get("revision"), token, None, adapters=False)
    except StickGenError as err:
        raise type(err)(f"the base model of the LoRA adapters {where}: {err}") from err
    try:
        from peft import PeftModel, get_peft_model_state_dict
    except ImportError:
        raise GenerationError(f"{where}: LoRA adapters need peft to load: pip install 'peft>=0.11'") from None
    try:
        with warnings.catch_warnings():  # missing keys: _check_adapter_keys below says it in one line
            warnings.filterwarnings("ignore", message="Found missing adapter keys")
            adapted = PeftModel.from_pretrained(base, str(folder))
    except (RuntimeError, ValueError, KeyError) as err:  # size mismatches, unknown target modules
        raise CheckpointError(f"{where}: the adapters do not fit the base model {base_ref} ({str(err)[:200]}); "
                              f"pass the base they were trained on") from err
    # save_embedding_layers=False: no embeddings here, and peft would otherwise look the base up on the Hub
    expected = set(get_peft_model_state_dict(adapted, save_embedding_layers=False))
    _check_adapter_keys(folder / ADAPTER_WEIGHTS, expected, where, base_ref)
    return adapted.merge_and_unload().eval()


def read_adapter_config(path: Path) -> Dict[str, Any]:
    """``adapter_config.json`` as a dict, checked to be LoRA's (one error line naming the file otherwise)."""
    if path.stat().st_size > MAX_ADAPTER_CONFIG_BYTES:
        raise CheckpointError(f"{path}: {path.stat().st_size:,} bytes is too large for an adapter config")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise CheckpointError(f"{path}: not valid JSON ({err}); re-download or re-export the adapters") from None
    if not isinstance(config, dict) or config.get("peft_type") != "LORA":
        kind = config.get("peft_type") if isinstance(config, dict) else type(config).__name__
        raise CheckpointError(f"{path}: is not a LoRA adapter config (peft_type {kind!r}); stick-gen loads LoRA only")
    return config


def _load(source: str, revision: Optional[str], token: Optional[str], base_model: Optional[str], *,
          adapters: bool) -> Tuple[StickFigureTransformer, Optional[str]]:
    if os.path.isfile(source):
        model, _ = load_model(source)
        return model, None
    if os.path.isdir(source):
        return _from_folder(Path(source), source, token, base_model, adapters), None
    if os.path.sep in source and not source.count("/") == 1:
        raise GenerationError(f"{source}: no such file or directory, and not a Hub repo id (owner/name)")
    local = download_model_files(source, revision=revision, token=token,  # one-line errors
                                 files=MODEL_FILES + (ADAPTER_FILES if adapters else ()))
    return _from_folder(local, source, token, base_model, adapters), local.name  # the snapshot is named by its commit


def _from_folder(folder: Path, where: str, token: Optional[str], base_model: Optional[str],
                 adapters: bool) -> StickFigureTransformer:
    if is_adapter_folder(folder):
        if not adapters:
            raise CheckpointError(f"{where} holds LoRA adapters, not a full model; name the model they were trained "
                                  f"on as their base")
        return load_adapted_model(folder, token=token, base_model=base_model, where=where)
    if (folder / CONFIG_JSON).is_file():
        read_config_json(folder / CONFIG_JSON)  # types, keys, sizes: checked before anything is built
    return StickFigureTransformer.from_pretrained(folder)


def _looks_local(reference: str) -> bool:
    """A path rather than a Hub repo id (owner/name)."""
    return os.path.isabs(reference) or reference.startswith(("~", ".")) or reference.count("/") != 1 or \
        reference.endswith((".pt", ".pth", ".bin", ".safetensors"))


def _check_adapter_keys(weights: Path, expected: set, where: str, base_ref: str) -> None:
    """Every adapter tensor fits a layer of the base, and every adapted layer got its tensors."""
    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as f:
        stored = set(f.keys())
    extra, missing = sorted(stored - expected), sorted(expected - stored)
    if extra or missing:
        raise CheckpointError(f"{where}: the adapters do not fit the base model {base_ref} "
                              f"({len(extra)} tensors fit no layer, e.g. {extra[:1]}; {len(missing)} layers get none, "
                              f"e.g. {missing[:1]}); pass the base they were trained on")
