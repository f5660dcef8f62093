"""The contrastive text/motion evaluator behind R-precision, FID and diversity.

As in the HumanML3D protocol, two small encoders are trained once, on the training split, to map
a motion and its description to nearby points of a shared embedding space:

* the **motion encoder** reads one actor's motion features (:func:`..model.pose.pose_to_features`
  of the world poses: x relative to the hip, the hip's horizontal speed), normalised with the
  training split's statistics; it embeds 5-frame patches linearly (250 frames -> 50 steps), runs
  two 1-d convolutions over them (the second strided: 25 steps), pools into 8 time segments (so
  "walks, then sits" differs from "sits, then walks") and projects to ``embed_dim``;
* the **text projection** maps the frozen text-encoder embedding (1024 numbers), plus the actor's
  slot and the number of actors (two actors of "two people playing catch" move differently), to
  the same space.

Both outputs are unit vectors. Training minimises a symmetric InfoNCE loss over each batch,
where every pair with the same text, slot and actor count counts as a positive. The evaluator is
tied to one text encoder; it is cached beside the dataset (:func:`evaluator_path`) and retrained
only when the training split, the text encoder or its configuration change.

>>> import torch
>>> evaluator = MotionTextEvaluator(EvaluatorConfig(), "hashing-1024-v1")
>>> evaluator.embed_motion(torch.zeros(2, 250, 20)).shape
torch.Size([2, 64])
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..inference.text_encoder import ENCODERS, resolve_encoder_identity
from ..errors import CheckpointError
from ..model.atomic import atomic_write
from ..model.checkpoint import read_torch_file
from ..model.config import reject_unknown_keys
from ..model.pose import DEFAULT_FPS, POSE_DIM, pose_to_features
from ..model.transformer import MAX_ACTORS

EVALUATOR_FORMAT_VERSION = 1
EVALUATOR_KIND = "stick-gen-evaluator"
TIME_SEGMENTS = 8
PATCH_FRAMES = 5


@dataclass(frozen=True)
class EvaluatorConfig:
    """Size and training schedule of the evaluator; every field is part of the cache key."""

    embed_dim: int = 64
    channels: int = 128
    text_hidden: int = 256
    steps: int = 800
    batch_size: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], source: Any = "evaluator settings") -> "EvaluatorConfig":
        """Build from a dict, refusing unknown keys (:func:`..model.config.reject_unknown_keys`).

        >>> EvaluatorConfig.from_mapping({"steps": 2}).steps
        2
        """
        reject_unknown_keys(values, [f.name for f in fields(cls)], source=source)
        return cls(**dict(values))


class MotionTextEvaluator(nn.Module):
    """Motion encoder + text projection into one unit-sphere embedding space; see the module docstring."""

    def __init__(self, config: EvaluatorConfig, text_encoder: str, fps: int = DEFAULT_FPS) -> None:
        super().__init__()
        self.config, self.text_encoder, self.fps = config, text_encoder, fps
        width = config.channels
        self.motion_patch = nn.Linear(PATCH_FRAMES * POSE_DIM, width)
        self.motion_conv = nn.Sequential(
            nn.Conv1d(width, width, kernel_size=3, padding=1), nn.GELU(),
            nn.Conv1d(width, width, kernel_size=3, stride=2, padding=1), nn.GELU(),
        )
        self.motion_out = nn.Sequential(nn.Linear(width * TIME_SEGMENTS, width), nn.GELU(),
                                        nn.Linear(width, config.embed_dim))
        self.text_in = nn.Linear(1024, config.text_hidden)
        self.slot_embedding = nn.Embedding(MAX_ACTORS, config.text_hidden)
        self.count_embedding = nn.Embedding(MAX_ACTORS, config.text_hidden)
        self.text_out = nn.Sequential(nn.GELU(), nn.Linear(config.text_hidden, config.embed_dim))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("feature_mean", torch.zeros(POSE_DIM))
        self.register_buffer("feature_std", torch.ones(POSE_DIM))

    def embed_motion(self, poses: torch.Tensor) -> torch.Tensor:
        """World poses ``(B, T, 20)`` -> unit motion embeddings ``(B, embed_dim)``."""
        batch, frames, _ = poses.shape
        if frames % PATCH_FRAMES:
            raise ValueError(f"the evaluator reads clips of a multiple of {PATCH_FRAMES} frames, got {frames}")
        features = (pose_to_features(poses.float(), fps=self.fps) - self.feature_mean) / self.feature_std
        patches = features.reshape(batch, frames // PATCH_FRAMES, PATCH_FRAMES * POSE_DIM)  # (B, T/5, 100)
        h = self.motion_conv(F.gelu(self.motion_patch(patches)).transpose(1, 2))  # (B, C, T/10)
        h = F.adaptive_avg_pool1d(h, TIME_SEGMENTS).flatten(1)  # (B, C * 8)
        return F.normalize(self.motion_out(h), dim=-1)

    def embed_text(self, text_embeddings: torch.Tensor, slot: torch.Tensor, num_actors: torch.Tensor) -> torch.Tensor:
        """Text-encoder vectors ``(B, 1024)`` + actor slot and count ``(B,)`` -> unit embeddings ``(B, embed_dim)``."""
        h = self.text_in(text_embeddings.float()) + self.slot_embedding(slot.long().clamp(0, MAX_ACTORS - 1))
        h = h + self.count_embedding(num_actors.long().clamp(1, MAX_ACTORS) - 1)
        return F.normalize(self.text_out(h), dim=-1)

    @torch.inference_mode()
    def embed_motion_batched(self, poses: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """:meth:`embed_motion` in chunks, without gradients."""
        self.eval()
        return torch.cat([self.embed_motion(poses[i:i + batch_size]) for i in range(0, len(poses), batch_size)])

    @torch.inference_mode()
    def embed_text_batched(self, text_embeddings: torch.Tensor, slot: torch.Tensor, num_actors: torch.Tensor,
                           batch_size: int = 1024) -> torch.Tensor:
        """:meth:`embed_text` in chunks, without gradients."""
        self.eval()
        return torch.cat([self.embed_text(text_embeddings[i:i + batch_size], slot[i:i + batch_size],
                                          num_actors[i:i + batch_size])
                          for i in range(0, len(text_embeddings), batch_size)])


def contrastive_loss(motion: torch.Tensor, text: torch.Tensor, keys: torch.Tensor, logit_scale: torch.Tensor
                     ) -> torch.Tensor:
    """Symmetric InfoNCE over a batch; rows with equal ``keys`` are all positives of each other.

    ``motion`` and ``text`` are unit vectors ``(B, D)``; ``keys`` ``(B,)`` ids of (text, slot, actors).

    >>> e = torch.eye(3)
    >>> float(contrastive_loss(e, e, torch.arange(3), torch.tensor(5.0))) < 0.01
    True
    """
    logits = logit_scale.exp().clamp(max=100) * motion @ text.T  # (B, B)
    positives = (keys.unsqueeze(0) == keys.unsqueeze(1)).float()  # (B, B)
    targets = positives / positives.sum(dim=1, keepdim=True)
    loss_motion = -(targets * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
    loss_text = -(targets * F.log_softmax(logits.T, dim=1)).sum(dim=1).mean()
    return (loss_motion + loss_text) / 2


def train_evaluator(poses: torch.Tensor, text_embeddings: torch.Tensor, slot: torch.Tensor, num_actors: torch.Tensor,
                    keys: torch.Tensor, text_encoder: str, config: EvaluatorConfig = EvaluatorConfig(),
                    fps: int = DEFAULT_FPS, progress: bool = True) -> Tuple[MotionTextEvaluator, float]:
    """Train an evaluator on the training split's rows; returns it (eval mode) and its loss over the last 20 steps.

    ``poses`` ``(N, T, 20)`` world poses; ``text_embeddings`` ``(N, 1024)``; ``slot``, ``num_actors``,
    ``keys`` ``(N,)``. Deterministic for ``config.seed`` on one machine.

    >>> evaluator, loss = train_evaluator(poses, emb, slot, actors, keys, "hashing-1024-v1")  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    if len(poses) < 2:
        raise ValueError(f"the evaluator needs at least 2 training rows, got {len(poses)}")
    generator = torch.Generator().manual_seed(config.seed)
    with torch.random.fork_rng():
        torch.manual_seed(config.seed)
        evaluator = MotionTextEvaluator(config, text_encoder, fps)
    features = pose_to_features(poses.float(), fps=fps)  # (N, T, 20)
    evaluator.feature_mean.copy_(features.mean(dim=(0, 1)))
    evaluator.feature_std.copy_(features.std(dim=(0, 1)).clamp(min=1e-4))
    optimizer = torch.optim.AdamW(evaluator.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, config.steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # linear warm-up, then cosine decay to 0
        optimizer, lambda step: min((step + 1) / warmup,
                                    0.5 * (1 + math.cos(math.pi * min(step / max(config.steps, 1), 1.0)))))
    batch_size = min(config.batch_size, len(poses))
    order = torch.randperm(len(poses), generator=generator)
    cursor, recent = 0, []
    evaluator.train()
    bar = tqdm(range(config.steps), desc="training evaluator", unit="step", disable=not progress, leave=False)
    for _ in bar:
        if cursor + batch_size > len(order):  # a new pass over the rows, in a new order
            order, cursor = torch.randperm(len(poses), generator=generator), 0
        rows = order[cursor:cursor + batch_size]
        cursor += batch_size
        motion = evaluator.embed_motion(poses[rows])
        text = evaluator.embed_text(text_embeddings[rows], slot[rows], num_actors[rows])
        loss = contrastive_loss(motion, text, keys[rows], evaluator.logit_scale)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        recent = (recent + [float(loss.detach())])[-20:]
        bar.set_postfix(loss=f"{sum(recent) / len(recent):.3f}", refresh=False)
    last_loss = sum(recent) / max(len(recent), 1)
    evaluator.eval()
    return evaluator, last_loss


def evaluator_path(data_dir: Union[str, Path], text_encoder: str) -> Path:
    """Where the evaluator for ``text_encoder`` is cached: ``DATA_DIR/evaluator-<alias>.pt``.

    >>> evaluator_path("data", "minilm-l6-v2/lift1024-v1").name
    'evaluator-minilm.pt'
    """
    identity = resolve_encoder_identity(text_encoder)
    return Path(data_dir) / f"evaluator-{ENCODERS[identity].alias}.pt"


def training_fingerprint(texts: Sequence[str]) -> str:
    """A short digest of the training split's texts in order: a regenerated or different dataset changes it.

    >>> training_fingerprint(["a person waves"]) == training_fingerprint(["a person waves"])
    True
    """
    digest = hashlib.sha1(f"{len(texts)}\0".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def save_evaluator(path: Union[str, Path], evaluator: MotionTextEvaluator, fingerprint: str,
                   train_loss: float, seconds: float) -> Path:
    """Write the evaluator atomically as plain tensors and values (``weights_only=True`` reads it)."""
    payload: Dict[str, Any] = {
        "kind": EVALUATOR_KIND,
        "format_version": EVALUATOR_FORMAT_VERSION,
        "state_dict": {k: v.detach().cpu().clone() for k, v in evaluator.state_dict().items()},
        "config": asdict(evaluator.config),
        "text_encoder": evaluator.text_encoder,
        "fps": evaluator.fps,
        "fingerprint": fingerprint,
        "train_loss": float(train_loss),
        "train_seconds": float(seconds),
    }
    return atomic_write(path, lambda p: torch.save(payload, p))


def load_evaluator(path: Union[str, Path]) -> Tuple[MotionTextEvaluator, Dict[str, Any]]:
    """Read an evaluator written by :func:`save_evaluator`; returns it (eval mode) and the file's metadata."""
    payload = read_torch_file(path)
    if not isinstance(payload, Mapping) or payload.get("kind") != EVALUATOR_KIND:
        raise CheckpointError(f"{path}: not a stick-gen evaluator file; delete it and it will be retrained")
    evaluator = MotionTextEvaluator(EvaluatorConfig.from_mapping(payload["config"], source=path), payload["text_encoder"],
                                    int(payload.get("fps", DEFAULT_FPS)))
    try:
        evaluator.load_state_dict(payload["state_dict"], strict=True)
    except RuntimeError as err:
        raise CheckpointError(f"{path}: evaluator weights do not fit ({str(err)[:160]}); delete the file "
                              "and it will be retrained") from None
    evaluator.eval()
    return evaluator, {k: v for k, v in payload.items() if k != "state_dict"}


def load_or_train_evaluator(data_dir: Union[str, Path], text_encoder: str, fingerprint: str,
                            training_rows: Callable[[], Any], config: Optional[EvaluatorConfig] = None,
                            fps: int = DEFAULT_FPS, progress: bool = True
                            ) -> Tuple[MotionTextEvaluator, Dict[str, Any]]:
    """The cached evaluator if it was trained on rows of this ``fingerprint`` with this encoder (and ``config``,
    when one is given); else train one (``config`` or the defaults) on ``training_rows()`` (an object with
    ``texts``, ``poses``, ``text_embeddings``, ``slot`` and ``num_actors``, only loaded when needed) and cache
    it atomically.

    Returns the evaluator and its metadata (``train_loss``, ``train_seconds``, ``path`` and ``cached``:
    whether the file was reused).
    """
    identity = resolve_encoder_identity(text_encoder)
    path = evaluator_path(data_dir, identity)
    wanted: Dict[str, Any] = {"fingerprint": fingerprint, "text_encoder": identity, "fps": fps}
    if config is not None:
        wanted["config"] = asdict(config)
    config = config or EvaluatorConfig()
    if path.exists():
        try:
            evaluator, meta = load_evaluator(path)
        except CheckpointError:  # a damaged cache is only a cold cache
            evaluator, meta = None, {}
        if evaluator is not None and all(meta.get(key) == value for key, value in wanted.items()):
            return evaluator, dict(meta, cached=True, path=str(path))
    rows = training_rows()
    key_ids: Dict[Tuple[str, int, int], int] = {}
    keys = torch.tensor([key_ids.setdefault((text, int(s), int(n)), len(key_ids))
                         for text, s, n in zip(rows.texts, rows.slot.tolist(), rows.num_actors.tolist())])
    start = time.perf_counter()
    evaluator, loss = train_evaluator(rows.poses, rows.text_embeddings, rows.slot, rows.num_actors, keys, identity,
                                      config, fps, progress)
    seconds = time.perf_counter() - start
    save_evaluator(path, evaluator, fingerprint, loss, seconds)
    return evaluator, dict(wanted, config=asdict(config), train_loss=loss, train_seconds=seconds, cached=False, path=str(path))
