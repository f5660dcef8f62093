"""``evaluate``: a checkpoint's metrics on a dataset split, beside the same numbers for real motion.

Two kinds of generation, both from text alone (no ground-truth frame enters the model):

* **reconstruction**: each clip's own latent vector ``z`` (the generator's random draws, what a
  prompt plus a seed supplies), slot and actor count. The generated clip is placed at the real
  clip's start x and compared frame by frame: Pose MSE, Temporal Consistency, Action Accuracy,
  Physics MSE. Deterministic; 95% intervals are a bootstrap over clips.
* **prior samples**: ``z`` drawn as the pipeline draws it (:func:`..data_gen.latents.sample_scene_latents`,
  scene slots shared by a scene's actors), once per repeat with seeds ``seed, seed+1, ...``:
  R-precision, FID and diversity through the contrastive evaluator (:mod:`.evaluator`), foot
  skating and jitter. Reported as the mean over repeats with a Student-t 95% interval.

Real test motion gets every number where it is defined. Definitions: ``docs/metrics.md``.

>>> result = evaluate("checkpoints/best_model.pt", "data/stick-gen", split="test")   # doctest: +SKIP
>>> result["model"]["pose_mse"], result["real"]["fid"]                                # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from ..data_gen.scenes import root_physics
from ..errors import CheckpointError, ConfigError, DataError, EncoderMismatchError
from ..inference.clauses import gather_clauses
from ..model.pose import DEFAULT_FPS, HIP_X, features_to_pose
from . import metrics
from .evaluator import EvaluatorConfig, MotionTextEvaluator, load_or_train_evaluator

METRIC_KEYS: Tuple[str, ...] = (
    "pose_mse", "temporal_consistency", "action_accuracy", "physics_mse",
    "r_precision_top1", "r_precision_top3", "fid", "diversity", "foot_skating", "jitter",
    "action_accuracy_clip", "amplitude_hands", "amplitude_feet", "amplitude_hip_height", "amplitude_foot_lift",
    "seed_variety", "action_head_agreement", "cadence_agreement",
)
"""Keys of ``result["model"]``, in the order the table prints them."""

EMBEDDING_KEYS = ("r_precision_top1", "r_precision_top3", "fid", "diversity")
MOTION_KEYS = ("action_accuracy", "action_accuracy_clip", "amplitude_hands", "amplitude_feet",
               "amplitude_hip_height", "amplitude_foot_lift", "cadence_agreement")
"""Judged on prior samples from the motion alone: the frozen motion classifier, limb amplitude and cadence."""
PRIOR_KEYS = EMBEDDING_KEYS + ("foot_skating", "jitter") + MOTION_KEYS
VARIETY_SCENES = 64
"""Fresh test-split scenes whose two takes (real: two generator draws; model: two seeds) give seed variety."""

R_PRECISION_BATCH = 32
DIVERSITY_PAIRS = 300
BOOTSTRAP_RESAMPLES = 1000
DEFAULT_REPEATS = 5

PathLike = Union[str, Path]


@dataclass
class SplitRows:
    """One split's per-actor rows, in memory. R = rows, T = frames."""

    texts: List[str]
    text_embeddings: torch.Tensor  # (R, 1024)
    latents: torch.Tensor  # (R, 16)
    slot: torch.Tensor  # (R,)
    num_actors: torch.Tensor  # (R,)
    scene: torch.Tensor  # (R,)
    poses: torch.Tensor  # (R, T, 20) world poses
    actions: torch.Tensor  # (R, T)
    physics: torch.Tensor  # (R, T, 6)
    mass: torch.Tensor  # (R,) kg
    clause_index: Optional[torch.Tensor] = None  # (R, K) rows of clause_table, -1 past a text's clauses
    clause_table: Optional[torch.Tensor] = None  # (U, 1024) vectors of the distinct clauses

    @property
    def clauses(self) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
        """``(clause_index, clause_table)`` for :func:`generate_rows`, or None without clause vectors."""
        return None if self.clause_index is None else (self.clause_index, self.clause_table)

    def __len__(self) -> int:
        return len(self.texts)

    def keys(self) -> List[Tuple[str, int, int]]:
        """What a row is conditioned on besides ``z``: (text, slot, actors); rows with equal keys are interchangeable."""
        return list(zip(self.texts, self.slot.tolist(), self.num_actors.tolist()))


def check_data_dir(data_dir: PathLike, split: str) -> Path:
    """Raise :class:`DataError` unless ``data_dir`` is a finished dataset and ``split`` one of its splits."""
    from ..data_gen.dataset import SPLITS, read_meta

    root = Path(data_dir)
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if root.exists() and not root.is_dir():
        raise DataError(f"{root}: is a file, expected a dataset folder made by `stick-gen data`")
    read_meta(root)  # a missing folder or meta.json, another format or pose layout: one clear DataError
    return root


def load_split(data_dir: PathLike, split: str, encoder, limit: Optional[int] = None,
               max_clauses: int = 0) -> SplitRows:
    """The rows of ``split`` (the first ``limit`` if given) with texts embedded through the dataset's cache.

    ``max_clauses`` > 0 (the model's) also embeds each text's clauses.

    >>> rows = load_split("data/stick-gen", "test", load_text_encoder("minilm"))   # doctest: +SKIP
    """
    from ..data_gen.dataset import MotionDataset
    from ..training.data import embed_clauses, embed_texts, embedding_cache_path

    root = check_data_dir(data_dir, split)
    cache = embedding_cache_path(root, encoder.identity)
    _check_embedding_cache(cache, encoder.identity)
    dataset = MotionDataset(root, split)
    count = len(dataset) if limit is None else min(int(limit), len(dataset))
    if count == 0:
        raise DataError(f"{root}: the {split!r} split holds no rows; make a bigger dataset with `stick-gen data`")
    texts = dataset.texts[:count]
    tensors = {key: value[:count] for key, value in dataset.tensors.items()}
    scene_ids, slots = tensors["scene"].tolist(), tensors["slot"].tolist()
    mass = torch.tensor([float(dataset.scene(s)["masses"][a]) for s, a in zip(scene_ids, slots)])
    rows = SplitRows(
        texts=list(texts),
        text_embeddings=embed_texts(root, texts, encoder),
        latents=tensors["latents"].float(),
        slot=tensors["slot"].long(),
        num_actors=tensors["num_actors"].long(),
        scene=tensors["scene"].long(),
        poses=tensors["poses"].float(),
        actions=tensors["actions"].long(),
        physics=tensors["physics"].float(),
        mass=mass,
    )
    if max_clauses > 0:
        rows.clause_index, rows.clause_table, _ = embed_clauses(root, rows.texts, encoder, max_clauses)
    return rows


def training_split_fingerprint(data_dir: PathLike) -> str:
    """Digest of what the evaluator is trained on: ``meta.json`` and the train split's ``metadata.jsonl``.

    Both are small text files (the layout of :mod:`..data_gen.dataset`); a regenerated dataset changes them.
    """
    from .evaluator import training_fingerprint

    root = Path(data_dir)
    return training_fingerprint([(root / "meta.json").read_text(encoding="utf-8"),
                                 (root / "train" / "metadata.jsonl").read_text(encoding="utf-8")])


def _check_embedding_cache(cache: Path, identity: str) -> None:
    """A cache file named for ``identity`` that holds another encoder's vectors is an error, not a cold cache."""
    if not cache.is_file():
        return
    from safetensors import safe_open

    try:
        with safe_open(str(cache), framework="pt") as handle:
            stored = (handle.metadata() or {}).get("encoder_identity")
    except Exception:  # unreadable: encode_cached warns and rebuilds it
        return
    if stored is not None and stored != identity:
        raise EncoderMismatchError(
            f"{cache}: the dataset's cached text embeddings were made by '{stored}', but the checkpoint needs "
            f"'{identity}'. Delete the file to re-embed the texts with '{identity}', or evaluate a checkpoint "
            f"trained with '{stored}'."
        )


def load_checked_model(checkpoint: PathLike, text_encoder: Optional[str] = None):
    """The model of ``checkpoint`` and its text-encoder identity, refusing LoRA-only files and unknown encoders."""
    from ..inference.text_encoder import check_encoder_identity, resolve_encoder_identity
    from ..model.checkpoint import CheckpointKind, load_checkpoint, load_model

    path = Path(checkpoint)
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint. Check the path (it is relative to {Path.cwd()}).")
    ckpt = load_checkpoint(path)
    if ckpt.kind == CheckpointKind.LORA:
        raise CheckpointError(f"{path}: holds LoRA adapters only, not a model. Merge them into their base first: "
                              f"`stick-gen lora merge ...`, then evaluate the merged checkpoint")
    model, ckpt = load_model(path)
    identity = model.text_encoder or ckpt.text_encoder
    if not identity:
        raise CheckpointError(f"{path}: does not record the text encoder it was trained with, so its text vectors "
                              f"cannot be reproduced; re-save it from training (which records it)")
    identity = resolve_encoder_identity(identity)
    if text_encoder is not None:
        check_encoder_identity(identity, text_encoder, str(path))
    return model, ckpt, identity


def generate_rows(model, text_embeddings: torch.Tensor, latents: torch.Tensor, slot: torch.Tensor,
                  num_actors: torch.Tensor, start_x: torch.Tensor, batch_size: int = 64, fps: int = DEFAULT_FPS,
                  bar=None, clauses: Optional[Tuple[torch.Tensor, torch.Tensor]] = None, seed: int = 0
                  ) -> Tuple[torch.Tensor, torch.Tensor]:
    """World poses ``(R, T, 20)`` and action ids ``(R, T)`` for every row, in batches, from text alone.

    ``clauses`` is ``(index (R, K), table (U, E))`` (:attr:`SplitRows.clauses`) for a model with clause input;
    a flow model starts from noise drawn with ``seed`` (so the result does not depend on ``batch_size``).

    >>> poses, actions = generate_rows(model, emb, z, slot, actors, start_x)   # doctest: +SKIP
    """
    from ..inference.sampler import scene_noise

    poses, actions = [], []
    frames, width = model.num_tokens * model.frames_per_token, model.output_dim
    noise = scene_noise(seed, len(text_embeddings), frames, width)
    with torch.inference_mode():
        for start in range(0, len(text_embeddings), batch_size):
            part = slice(start, start + batch_size)
            clause_vectors, clause_mask = (None, None) if clauses is None else gather_clauses(clauses[1],
                                                                                              clauses[0][part])
            features, action_ids = model.generate(text_embeddings[part], latents[part], slot[part], num_actors[part],
                                                  clause_embeddings=clause_vectors, clause_mask=clause_mask,
                                                  noise=noise[part])
            poses.append(features_to_pose(features.float(), fps=fps, start_x=start_x[part], layout=model.feature_layout))
            actions.append(action_ids)
            if bar is not None:
                bar.update(len(features))
    return torch.cat(poses), torch.cat(actions)


def prior_samples(model, rows: SplitRows, seed: int, fps: int = DEFAULT_FPS, bar=None,
                  batch_rows: int = 256) -> torch.Tensor:
    """World poses ``(R, T, 20)`` of every row generated as the pipeline generates a scene.

    Each scene of the split is one call's worth of :func:`..inference.sampler.sample_scenes`: its own
    seed (from ``seed`` and the scene id), latents drawn with the scene slots shared, the start
    positions they imply, the flow's noise. Each row takes its actor's slot of its scene.
    """
    from ..inference.clauses import PromptVectors
    from ..inference.sampler import sample_scenes

    members: Dict[int, List[int]] = {}  # scene id -> its rows, in order of first appearance
    for row, scene in enumerate(rows.scene.tolist()):
        members.setdefault(scene, []).append(row)
    scene_ids = list(members)
    heads = torch.tensor([members[s][0] for s in scene_ids])
    counts = rows.num_actors[heads].tolist()
    seeds = [seed * 1_000_003 + s for s in scene_ids]
    poses = torch.zeros_like(rows.poses)
    per_chunk = max(1, batch_rows // model.max_actors)  # scenes per call: at most batch_rows rows
    for chunk in range(0, len(scene_ids), per_chunk):
        part = slice(chunk, chunk + per_chunk)
        clauses = None if rows.clauses is None else gather_clauses(rows.clause_table, rows.clause_index[heads[part]])
        vectors = PromptVectors(rows.text_embeddings[heads[part]], *(clauses or (None, None)))
        scenes = sample_scenes(model, vectors, counts[part], seeds[part], fps=fps, batch_rows=batch_rows,
                               runs=False)  # only the poses are scored
        for scene_id, (scene_poses, _, _) in zip(scene_ids[part], scenes):
            for row in members[scene_id]:
                poses[row] = torch.from_numpy(scene_poses[min(int(rows.slot[row]), len(scene_poses) - 1)])
            if bar is not None:
                bar.update(len(members[scene_id]))
    return poses


@dataclass(frozen=True)
class RealMotion:
    """The real clips' side of :func:`motion_scores`, measured once per split: it is the same in every repeat."""

    spread: np.ndarray
    """:func:`..metrics.limb_spread` of the real poses ``[S, 3]``."""
    cadence: np.ndarray
    """:func:`..metrics.motion_cadence` of the real poses ``[R, T]``."""

    @classmethod
    def measure(cls, rows: SplitRows, fps: int = DEFAULT_FPS) -> "RealMotion":
        timelines = rows.actions.numpy()
        return cls(metrics.limb_spread(rows.poses.numpy(), timelines, fps)[0],
                   metrics.motion_cadence(rows.poses.numpy(), timelines, fps))


def motion_scores(poses: torch.Tensor, rows: SplitRows, classifier, fps: int = DEFAULT_FPS,
                  real: Optional[RealMotion] = None) -> Tuple[Dict[str, float], torch.Tensor, Dict[str, Any]]:
    """Action Accuracy on the motion (frozen classifier) and limb amplitude ratios of ``poses`` against ``rows``.

    ``real`` is :meth:`RealMotion.measure` of ``rows`` (measured here when not given). Returns the scores, the
    per-clip accuracy (%, NaN where a clip has no judged segment) and details.
    """
    from .data_check import classify_segments

    if real is None:
        real = RealMotion.measure(rows, fps)
    timelines = rows.actions.numpy()
    correct, judged = classify_segments(classifier, poses.numpy(), timelines, fps)
    per_clip = torch.from_numpy(np.where(judged > 0, 100.0 * correct / np.maximum(judged, 1), np.nan))
    generated, labels = metrics.limb_spread(poses.numpy(), timelines, fps)
    ratios, per_class = metrics.amplitude_ratios(generated, real.spread, labels)
    kept, judged_runs = metrics.cadence_agreement_of(metrics.motion_cadence(poses.numpy(), timelines, fps),
                                                     real.cadence, timelines, fps)
    scores = {"action_accuracy": 100.0 * float(correct.sum()) / max(int(judged.sum()), 1),
              "action_accuracy_clip": float(np.nanmean(per_clip.numpy())) if (judged > 0).any() else float("nan"),
              **{f"amplitude_{group}": value for group, value in ratios.items()},
              "cadence_agreement": 100.0 * kept}
    return scores, per_clip, {"amplitude_by_action": per_class, "cadence_runs_judged": judged_runs}


def seed_variety(model, encoder, seed: int, scenes: int = VARIETY_SCENES, fps: int = DEFAULT_FPS) -> Dict[str, float]:
    """How different two takes of one prompt are, the model's against the data generator's.

    ``scenes`` fresh test-split scenes (texts described as the test split describes them): the real
    pair is the scene's motion under two latent draws; the model's pair is two seeds of the same
    prompt. Returns ``{"model_m", "real_m", "ratio"}`` (metres of mean joint distance, and their ratio;
    a model that ignores its noise and latents scores 0).
    """
    from ..data_gen.latents import sample_scene_latents
    from ..data_gen.scenes import generate_scene, synthesize_scene
    from ..inference.clauses import encode_prompts
    from ..inference.sampler import sample_scenes

    rng = np.random.default_rng(10_007 + seed)
    made = [generate_scene(rng, split="test") for _ in range(scenes)]
    real_pairs = []
    for scene in made:
        motions, _ = synthesize_scene(scene.scene_plan, sample_scene_latents(scene.num_actors, rng), fps=fps)
        second = np.stack([m.poses for m in motions])  # (A, T, 20)
        real_pairs.append(metrics.take_distance(scene.poses.transpose(1, 0, 2), second))
    vectors = encode_prompts(encoder, [s.text for s in made], model.config.get("max_clauses", 0))
    counts = [s.num_actors for s in made]
    takes = [sample_scenes(model, vectors, counts, [seed * 7_919 + i + offset for i in range(scenes)], fps=fps,
                           runs=False)
             for offset in (0, 500_000)]
    model_pairs = [metrics.take_distance(a[0], b[0]) for a, b in zip(*takes)]
    model_m, real_m = float(np.concatenate(model_pairs).mean()), float(np.concatenate(real_pairs).mean())
    return {"model_m": model_m, "real_m": real_m, "ratio": model_m / max(real_m, 1e-9)}


@dataclass
class Scores:
    """Values of one side (the model or real motion): a mean and a 95% interval per metric key."""

    values: Dict[str, Optional[float]]
    intervals: Dict[str, Optional[Tuple[float, float]]]

    @classmethod
    def empty(cls) -> "Scores":
        return cls({}, {})

    def add_per_clip(self, key: str, per_clip: torch.Tensor, generator: torch.Generator) -> None:
        """Mean of per-clip values, with a bootstrap interval over clips."""
        self.values[key] = float(per_clip.double().mean())
        self.intervals[key] = metrics.bootstrap_interval(per_clip, BOOTSTRAP_RESAMPLES, generator=generator)

    def add_repeats(self, key: str, runs: Sequence[Optional[float]]) -> None:
        """Mean over repeats, with a Student-t interval (none for a single repeat)."""
        values = [v for v in runs if v is not None]
        if values:
            self.values[key], self.intervals[key] = metrics.mean_interval(values)


def reconstruction_scores(model, rows: SplitRows, batch_size: int, generator: torch.Generator, fps: int = DEFAULT_FPS,
                          bar=None, seed: int = 0) -> Tuple[Scores, Scores, Dict[str, Any]]:
    """Pose MSE, Temporal Consistency, Physics MSE and the action head's agreement from each clip's own ``z``.

    Returns the model's scores, real motion's and per-quantity physics errors for both.
    """
    real_start = rows.poses[:, 0, HIP_X]  # generated clips start where the real ones do
    poses, actions = generate_rows(model, rows.text_embeddings, rows.latents, rows.slot, rows.num_actors,
                                   real_start, batch_size, fps, bar, clauses=rows.clauses, seed=seed)
    physics = root_physics(poses, rows.mass, fps, axis=1)  # (B, T, 6), the dataset's own definition
    real_physics = root_physics(rows.poses, rows.mass, fps, axis=1)
    model_scores, real_scores = Scores.empty(), Scores.empty()
    model_scores.add_per_clip("pose_mse", metrics.pose_mse(poses, rows.poses), generator)
    model_scores.add_per_clip("temporal_consistency", metrics.temporal_consistency(poses, rows.poses), generator)
    model_scores.add_per_clip("action_head_agreement", metrics.action_accuracy(actions, rows.actions), generator)
    model_scores.add_per_clip("physics_mse", metrics.physics_mse(physics, rows.physics), generator)
    real_scores.values.update(pose_mse=0.0, temporal_consistency=0.0, action_head_agreement=100.0)
    real_scores.add_per_clip("physics_mse", metrics.physics_mse(real_physics, rows.physics), generator)
    details = {"physics_mse_by_quantity": metrics.physics_mse_by_quantity(physics, rows.physics),
               "real_physics_mse_by_quantity": metrics.physics_mse_by_quantity(real_physics, rows.physics)}
    return model_scores, real_scores, details


def prior_scores(model, rows: SplitRows, evaluator: MotionTextEvaluator, classifier, repeats: int, seed: int,
                 generator: torch.Generator, fps: int = DEFAULT_FPS, bar=None
                 ) -> Tuple[Scores, Scores, Dict[str, Any]]:
    """Every metric of prior samples (``repeats`` takes of each scene, as the pipeline makes them), and real's.

    R-precision, FID and diversity through the contrastive evaluator; Action Accuracy through the frozen
    motion classifier; limb amplitude, foot skating and jitter from the poses. In each repeat the model
    and real motion share the retrieval batches, the FID halves and the diversity pairs, so the two
    columns differ only in the motion. Returns both sides and details (accuracy by actions per clip
    and by actors, over all repeats; amplitude by action, from the first repeat).
    """
    keys = rows.keys()
    text_space = evaluator.embed_text_batched(rows.text_embeddings, rows.slot, rows.num_actors)
    real_space = evaluator.embed_motion_batched(rows.poses)
    model_runs: Dict[str, List[Optional[float]]] = {key: [] for key in PRIOR_KEYS}
    real_runs: Dict[str, List[Optional[float]]] = {key: [] for key in EMBEDDING_KEYS}
    details: Dict[str, Any] = {}
    per_clip_runs: List[torch.Tensor] = []
    real = RealMotion.measure(rows, fps)
    for repeat in range(repeats):
        sampled = prior_samples(model, rows, seed + repeat, fps, bar)
        batches = metrics.retrieval_batches(keys, R_PRECISION_BATCH, generator)
        halves = _halves(len(rows), generator)
        pair_seed = int(torch.randint(2**62, (1,), generator=generator))
        sampled_space = evaluator.embed_motion_batched(sampled)
        for runs, motion in ((model_runs, sampled_space), (real_runs, real_space)):
            scored = _embedding_scores(text_space, motion, real_space, batches, halves, pair_seed)
            for key in EMBEDDING_KEYS:
                runs[key].append(scored[key])
        model_runs["foot_skating"].append(float(metrics.foot_skating(sampled, fps).mean()))
        model_runs["jitter"].append(float(metrics.jitter(sampled).mean()))
        judged, per_clip, extra = motion_scores(sampled, rows, classifier, fps, real)
        for key in MOTION_KEYS:
            model_runs[key].append(judged[key])
        per_clip_runs.append(per_clip)
        if repeat == 0:
            details = dict(extra)
    per_clip = torch.stack(per_clip_runs).mean(0)  # the same clips are judged in every repeat (real timelines)
    kept = ~torch.isnan(per_clip)
    details.update(action_accuracy_by_actions_per_clip=metrics.grouped_means(
                       per_clip[kept], metrics.segment_counts(rows.actions)[kept]),
                   action_accuracy_by_actors=metrics.grouped_means(per_clip[kept], rows.num_actors[kept]))
    model_scores, real_scores = Scores.empty(), Scores.empty()
    for key in PRIOR_KEYS:
        model_scores.add_repeats(key, model_runs[key])
    for key in EMBEDDING_KEYS:
        real_scores.add_repeats(key, real_runs[key])
    real_scores.add_per_clip("foot_skating", metrics.foot_skating(rows.poses, fps), generator)
    real_scores.add_per_clip("jitter", metrics.jitter(rows.poses), generator)
    real_judged, _, _ = motion_scores(rows.poses, rows, classifier, fps, real)
    real_scores.values.update({key: real_judged[key] for key in MOTION_KEYS})
    return model_scores, real_scores, details


def _embedding_scores(text_space: torch.Tensor, motion: torch.Tensor, real_space: torch.Tensor,
                      batches: List[List[int]], halves: Tuple[torch.Tensor, torch.Tensor], pair_seed: int
                      ) -> Dict[str, Optional[float]]:
    """R-precision, FID (motion of half A against real motion of half B) and diversity of one set of embeddings."""
    top1 = top3 = None
    if batches:
        precision = metrics.r_precision(text_space, motion, batches, top_k=(1, 3))
        top1, top3 = precision[1], precision[3]
    first, second = halves
    fid = metrics.fid(motion[first], real_space[second]) if len(second) >= 2 else None
    pairs = torch.Generator().manual_seed(pair_seed)
    diversity = metrics.diversity(motion, DIVERSITY_PAIRS, pairs) if len(motion) >= 2 else None
    return {"r_precision_top1": top1, "r_precision_top3": top3, "fid": fid, "diversity": diversity}


def training_data_dir(ckpt) -> Path:
    """The dataset a training checkpoint was trained on (its config's ``data.path``), for a missing ``--data``."""
    config = ckpt.metadata.get("config") or {}
    path = (config.get("data") or {}).get("path") if isinstance(config, Mapping) else None
    if not path:
        raise DataError(f"{ckpt.path}: does not record the dataset it was trained on; pass the dataset folder "
                        f"(--data DIR, made by `stick-gen data`)")
    return Path(path)


def evaluate(
    checkpoint: PathLike,
    data_dir: Optional[PathLike] = None,
    split: str = "test",
    *,
    num_samples: Optional[int] = None,
    repeats: int = DEFAULT_REPEATS,
    seed: int = 0,
    batch_size: int = 64,
    evaluator_config: Optional[EvaluatorConfig] = None,
    text_encoder: Optional[str] = None,
    output: Optional[PathLike] = None,
    progress: bool = True,
) -> Dict[str, Any]:
    """Every metric of ``checkpoint`` on ``split`` of ``data_dir``, beside real motion's; optionally written to JSON.

    ``data_dir`` defaults to the dataset the checkpoint was trained on (its training config's ``data.path``);
    ``num_samples`` takes the first N rows of the split; ``repeats`` prior draws (seeds
    ``seed .. seed + repeats - 1``) give the intervals of the prior metrics. The evaluator is trained
    on the ``train`` split once and cached beside the data. ``text_encoder``, if given, must be the
    checkpoint's. ``evaluator_config`` None reuses any cached evaluator of this dataset and encoder
    (training one with the defaults if there is none); a given config must match the cached one or
    the evaluator is retrained. Returns the dict that ``output`` receives (see ``docs/metrics.md``).

    >>> result = evaluate("checkpoints/best_model.pt", "data/stick-gen", num_samples=500)  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from ..inference.text_encoder import load_text_encoder

    started = time.perf_counter()
    for name, value in (("repeats", repeats), ("num_samples", num_samples), ("batch_size", batch_size)):
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be at least 1, got {value}")
    # Check every input before the slow parts, so a typo costs nothing.
    model, ckpt, identity = load_checked_model(checkpoint, text_encoder)
    data_dir = Path(data_dir) if data_dir is not None else training_data_dir(ckpt)
    check_data_dir(data_dir, split)
    encoder = load_text_encoder(identity)
    rows = load_split(data_dir, split, encoder, num_samples, max_clauses=model.config.get("max_clauses", 0))
    generator = torch.Generator().manual_seed(seed)
    evaluator, evaluator_meta = load_or_train_evaluator(
        data_dir, identity, training_split_fingerprint(data_dir), lambda: load_split(data_dir, "train", encoder),
        evaluator_config, fps=DEFAULT_FPS, progress=progress)

    from .data_check import load_or_train_motion_classifier

    classifier, classifier_meta = load_or_train_motion_classifier(data_dir, training_split_fingerprint(data_dir))
    with tqdm(total=len(rows) * (1 + repeats), desc=f"generating {split}", unit="clip", disable=not progress) as bar:
        model_scores, real_scores, details = reconstruction_scores(model, rows, batch_size, generator, bar=bar,
                                                                   seed=seed)
        prior_model, prior_real, prior_details = prior_scores(model, rows, evaluator, classifier, repeats, seed,
                                                              generator, bar=bar)
    variety = seed_variety(model, encoder, seed)
    details.update(prior_details, seed_variety_m={"model": variety["model_m"], "real": variety["real_m"]})
    prior_model.values["seed_variety"], prior_real.values["seed_variety"] = variety["ratio"], 1.0
    for side, extra in ((model_scores, prior_model), (real_scores, prior_real)):
        side.values.update(extra.values)
        side.intervals.update(extra.intervals)

    result: Dict[str, Any] = {
        "split": split,
        "checkpoint": str(checkpoint),
        "data": str(data_dir),
        "num_samples": len(rows),
        "repeats": repeats,
        "seed": seed,
        "model": {key: _finite_or_none(model_scores.values.get(key)) for key in METRIC_KEYS},
        "real": {key: _finite_or_none(real_scores.values.get(key)) for key in METRIC_KEYS},
        "ci95": {key: _interval(key, model_scores.intervals.get(key)) for key in METRIC_KEYS},
        "ci95_real": {key: _interval(key, real_scores.intervals[key]) for key in METRIC_KEYS
                      if key in real_scores.intervals},
        "text_encoder": identity,
        "variant": ckpt.variant,
        "evaluator": {k: evaluator_meta[k] for k in ("path", "cached", "train_loss", "train_seconds", "config")},
        "motion_classifier": {k: classifier_meta[k] for k in ("path", "cached", "epochs")},
        "sampler": _sampler_settings(model),
        "details": details,
        "seconds": round(time.perf_counter() - started, 2),
    }
    if output is not None:
        write_metrics(output, result)
    return result


def _sampler_settings(model) -> Dict[str, Any]:
    """How the model generated: its objective, for a flow model the sampler's steps and guidance, and planted feet."""
    settings: Dict[str, Any] = {"objective": model.config.get("objective", "regression"), "plant_feet": True}
    if settings["objective"] == "flow":
        settings.update(steps=model.sample_steps, guidance=model.guidance_scale,
                        first_time=getattr(model, "sample_first_time", None), clock=bool(getattr(model, "clock", False)),
                        events=bool(getattr(model, "events", False)))
    return settings


def _halves(count: int, generator: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(count, generator=generator)
    return order[: count // 2], order[count // 2: 2 * (count // 2)]


def _finite_or_none(value: Optional[float]) -> Optional[float]:
    """JSON has no NaN: a non-finite metric (a diverged model) is written as null."""
    return float(value) if value is not None and math.isfinite(value) else None


_RANGES: Dict[str, Tuple[float, float]] = {
    "action_accuracy": (0.0, 100.0), "action_accuracy_clip": (0.0, 100.0), "action_head_agreement": (0.0, 100.0), "r_precision_top1": (0.0, 1.0), "r_precision_top3": (0.0, 1.0),
    "foot_skating": (0.0, 1.0),
}
"""Where a metric can lie; every other metric is at least 0. A t interval of few repeats can overshoot."""


def _interval(key: str, bounds: Optional[Sequence[float]]) -> Optional[List[float]]:
    if bounds is None or not all(math.isfinite(b) for b in bounds):
        return None
    low, high = _RANGES.get(key, (0.0, math.inf))
    return [min(max(float(bounds[0]), low), high), min(max(float(bounds[1]), low), high)]


def write_metrics(path: PathLike, result: Mapping[str, Any]) -> Path:
    """Write the result as JSON, atomically (a temporary file renamed into place)."""
    from ..model.atomic import atomic_write

    text = json.dumps(result, indent=2, allow_nan=False) + "\n"
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


_LABELS = {
    "pose_mse": ("Pose MSE", "m^2", "lower"),
    "temporal_consistency": ("Temporal Consistency", "m^2/frame^2", "lower"),
    "action_accuracy": ("Action Accuracy", "% frames", "higher"),
    "action_accuracy_clip": ("Action Accuracy/clip", "%", "higher"),
    "amplitude_hands": ("Amplitude hands", "gen/real", "~1"),
    "amplitude_feet": ("Amplitude feet", "gen/real", "~1"),
    "amplitude_hip_height": ("Amplitude hip height", "gen/real", "~1"),
    "amplitude_foot_lift": ("Amplitude foot lift", "gen/real", "~1"),
    "seed_variety": ("Seed variety", "gen/real", "~1"),
    "action_head_agreement": ("Action-head agreement", "%", "higher"),
    "cadence_agreement": ("Cadence agreement", "% runs", "higher"),
    "physics_mse": ("Physics MSE", "SI", "lower"),
    "r_precision_top1": ("R-precision top-1", "", "higher"),
    "r_precision_top3": ("R-precision top-3", "", "higher"),
    "fid": ("FID", "", "lower"),
    "diversity": ("Diversity", "", "~real"),
    "foot_skating": ("Foot skating", "ratio", "lower"),
    "jitter": ("Jitter", "m/frame^3", "lower"),
}


def _number(value: Optional[float]) -> str:
    if value is None:
        return "n/a"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.3e}"
    return f"{value:.4f}"


def format_table(result: Mapping[str, Any]) -> str:
    """The result as a plain-text table: metric, model (with its 95% interval), real motion, better-direction."""
    lines = [f"{result['checkpoint']} on {result['data']} [{result['split']}], {result['num_samples']} clips, "
             f"{result['repeats']} prior draws, text encoder {result['text_encoder']}"]
    header = f"{'metric':<22} {'unit':<12} {'model':>11} {'95% interval':>25} {'real':>11}  better"
    lines += [header, "-" * len(header)]
    for key in METRIC_KEYS:
        name, unit, better = _LABELS[key]
        interval = result["ci95"].get(key)
        span = f"[{_number(interval[0])}, {_number(interval[1])}]" if interval else "n/a"
        lines.append(f"{name:<22} {unit:<12} {_number(result['model'][key]):>11} {span:>25} "
                     f"{_number(result['real'][key]):>11}  {better}")
    for detail, label in (("action_accuracy_by_actions_per_clip", "actions in sequence"),
                          ("action_accuracy_by_actors", "actors in the scene")):
        groups = result.get("details", {}).get(detail)
        if groups:
            parts = ", ".join(f"{k}: {v['mean']:.1f}% ({v['clips']})" for k, v in groups.items())
            lines.append(f"Action Accuracy by {label} (clips): {parts}")
    return "\n".join(lines)
