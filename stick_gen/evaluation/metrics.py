"""The numbers ``stick-gen evaluate`` reports, as plain functions of motion tensors.

Every function here is pure: tensors in, tensors (or floats) out, no model and no files.
Per-clip metrics return one value per clip, shape ``(B,)``, so the caller can average them and
bootstrap a confidence interval over clips. Definitions, units and which direction is better
are in ``docs/metrics.md``; the thresholds are module constants so the docs and the code
cannot drift apart.

Shapes: B = clips (one actor each), T = frames, 20 = the pose layout of :mod:`..model.pose`.

>>> import torch
>>> poses = torch.rand(4, 250, 20)
>>> pose_mse(poses, poses).tolist()
[0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..data_gen.scenes import PHYSICS_QUANTITIES
from ..model.pose import DEFAULT_FPS, FOOT_CONTACT_HEIGHT, JOINT_SLOTS, pose_to_joints


FOOT_SKATE_SPEED = 0.5
"""A touching foot skates when it moves horizontally faster than this, in m/s (2 cm per frame at 25 fps)."""

SQRTM_IMAGINARY_TOLERANCE = 1e-3
"""Largest imaginary part (relative to the largest real entry) tolerated in the covariance square root."""

def _check_same_shape(generated: torch.Tensor, real: torch.Tensor, what: str) -> None:
    if generated.shape != real.shape:
        raise ValueError(f"{what}: generated {tuple(generated.shape)} and real {tuple(real.shape)} differ in shape")


def pose_mse(generated: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Mean squared error of world poses per clip, in m^2: mean over frames and the 20 values.

    >>> pose_mse(torch.zeros(1, 3, 20), torch.ones(1, 3, 20)).tolist()
    [1.0]
    """
    _check_same_shape(generated, real, "pose_mse")
    return (generated.float() - real.float()).pow(2).mean(dim=(-2, -1))  # (B,)


def temporal_consistency(generated: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """MSE of frame-to-frame differences per clip, in m^2 per frame^2 (velocity agreement).

    Compares ``x[t] - x[t-1]`` of the generated and the real clip, averaged over the T-1 steps
    and the 20 values. A generated clip offset by a constant from the real one scores 0.

    >>> real = torch.linspace(0, 1, 5).view(1, 5, 1).expand(1, 5, 20)
    >>> temporal_consistency(real + 3.0, real).tolist()
    [0.0]
    """
    _check_same_shape(generated, real, "temporal_consistency")
    step_generated = generated[..., 1:, :].float() - generated[..., :-1, :].float()
    step_real = real[..., 1:, :].float() - real[..., :-1, :].float()
    return (step_generated - step_real).pow(2).mean(dim=(-2, -1))  # (B,)


def action_accuracy(predicted: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-clip percentage of frames whose predicted action id equals the label, in %.

    >>> action_accuracy(torch.tensor([[1, 2, 3, 4]]), torch.tensor([[1, 2, 0, 0]])).tolist()
    [50.0]
    """
    _check_same_shape(predicted, labels, "action_accuracy")
    return (predicted == labels).float().mean(dim=-1) * 100.0  # (B,)


def segment_counts(labels: torch.Tensor) -> torch.Tensor:
    """Number of runs of equal action ids per clip (actions in sequence), ``(B, T)`` -> ``(B,)``.

    >>> segment_counts(torch.tensor([[3, 3, 5, 5, 5, 3], [1, 1, 1, 1, 1, 1]])).tolist()
    [3, 1]
    """
    return 1 + (labels[:, 1:] != labels[:, :-1]).sum(dim=1)


def grouped_means(values: torch.Tensor, groups: torch.Tensor) -> Dict[str, Dict[str, float]]:
    """Mean of per-clip ``values`` for each distinct value of ``groups``, with the clip count.

    >>> grouped_means(torch.tensor([50.0, 100.0, 0.0]), torch.tensor([1, 1, 2]))
    {'1': {'mean': 75.0, 'clips': 2}, '2': {'mean': 0.0, 'clips': 1}}
    """
    out: Dict[str, Dict[str, float]] = {}
    for group in sorted(set(groups.tolist())):
        chosen = values[groups == group].double()
        out[str(group)] = {"mean": float(chosen.mean()), "clips": int(chosen.numel())}
    return out


def physics_mse(generated: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Per-clip MSE between two ``(B, T, 6)`` physics tensors, over frames and the 6 quantities (SI units).

    >>> physics_mse(torch.zeros(1, 2, 6), torch.full((1, 2, 6), 2.0)).tolist()
    [4.0]
    """
    _check_same_shape(generated, real, "physics_mse")
    return (generated.float() - real.float()).pow(2).mean(dim=(-2, -1))  # (B,)


def physics_mse_by_quantity(generated: torch.Tensor, real: torch.Tensor) -> Dict[str, float]:
    """Mean squared error of each physics quantity over all clips and frames, keyed by :data:`PHYSICS_QUANTITIES`."""
    _check_same_shape(generated, real, "physics_mse_by_quantity")
    per_quantity = (generated.float() - real.float()).pow(2).mean(dim=(0, 1))  # (6,)
    return {name: float(value) for name, value in zip(PHYSICS_QUANTITIES, per_quantity)}


def foot_skating(poses: torch.Tensor, fps: int = DEFAULT_FPS, contact_height: float = FOOT_CONTACT_HEIGHT,
                 skate_speed: float = FOOT_SKATE_SPEED) -> torch.Tensor:
    """Per-clip fraction of steps in which a foot touching the ground slides, in [0, 1].

    A step is a pair of consecutive frames (T-1 per clip). A foot touches the ground in a step
    when its y is below ``contact_height`` in both frames; it skates when, in addition, its
    horizontal speed ``|x[t] - x[t-1]| * fps`` exceeds ``skate_speed``. A step counts once if
    either foot skates. Lower is better; a clip that never touches the ground scores 0.

    >>> poses = torch.zeros(1, 50, 20)
    >>> poses[0, :, 6] = torch.arange(50.0) * 0.04      # left foot on the ground, 1 m/s
    >>> foot_skating(poses).tolist()
    [1.0]
    """
    skating = torch.zeros(poses.shape[:-2] + (poses.shape[-2] - 1,), dtype=torch.bool)  # (B, T-1)
    for foot in ("left_foot", "right_foot"):
        x_slot, y_slot = JOINT_SLOTS[foot]
        x, y = poses[..., x_slot].float(), poses[..., y_slot].float()  # (B, T)
        touching = (y[..., 1:] < contact_height) & (y[..., :-1] < contact_height)
        sliding = (x[..., 1:] - x[..., :-1]).abs() * fps > skate_speed
        skating |= touching & sliding
    return skating.float().mean(dim=-1)  # (B,)


def jitter(poses: torch.Tensor) -> torch.Tensor:
    """Per-clip mean length of the third difference of the six joint positions, in m/frame^3.

    ``d3[t] = p[t] - 3 p[t-1] + 3 p[t-2] - p[t-3]`` for every joint (a 2-d vector), its
    Euclidean length averaged over joints and the T-3 frames. Any motion whose positions are a
    polynomial of degree <= 2 in time (rest, constant velocity, constant acceleration) scores
    exactly 0; frame-to-frame noise of size s scores about 4.5 s. Multiply by fps^3 for m/s^3.
    Lower is smoother.

    >>> t = torch.arange(100.0).view(1, 100, 1) / 25
    >>> round(jitter((0.5 * t + 0.2 * t ** 2).expand(1, 100, 20)).item(), 6)
    0.0
    """
    joints = pose_to_joints(poses.double())  # (B, T, 6, 2)
    third = joints[..., 3:, :, :] - 3 * joints[..., 2:-1, :, :] + 3 * joints[..., 1:-2, :, :] - joints[..., :-3, :, :]
    return third.norm(dim=-1).mean(dim=(-2, -1)).float()  # (B,)


def matrix_sqrt(matrix: np.ndarray, tolerance: float = SQRTM_IMAGINARY_TOLERANCE) -> np.ndarray:
    """Real square root of a (near) positive semi-definite product of covariances, via ``scipy.linalg.sqrtm``.

    ``sqrtm`` may return a complex matrix with tiny imaginary parts from rounding; the real part
    is kept when the largest imaginary entry is below ``tolerance`` times the largest real one,
    otherwise :class:`ValueError` is raised (the covariances are not what they should be).

    >>> np.round(matrix_sqrt(np.array([[4.0, 0.0], [0.0, 9.0]])), 6).tolist()
    [[2.0, 0.0], [0.0, 3.0]]
    """
    from scipy import linalg

    root = linalg.sqrtm(np.asarray(matrix, dtype=np.float64))
    if isinstance(root, tuple):  # older scipy returned (root, error estimate) with disp=False only
        root = root[0]
    if not np.all(np.isfinite(root)):
        # A singular product: nudge both factors' spectrum off zero, as is usual for FID.
        eye = np.eye(matrix.shape[0]) * 1e-6
        root = linalg.sqrtm(np.asarray(matrix, dtype=np.float64) + eye)
    if np.iscomplexobj(root):
        scale = max(float(np.abs(root.real).max()), 1e-12)
        residue = float(np.abs(root.imag).max())
        if residue > tolerance * scale:
            raise ValueError(f"matrix square root has an imaginary part of {residue:.3g} "
                             f"(largest real entry {scale:.3g}): the matrix is not a product of covariances")
        root = root.real
    return root


def gaussian_statistics(embeddings: torch.Tensor) -> Tuple[np.ndarray, np.ndarray]:
    """Mean ``(D,)`` and covariance ``(D, D)`` (unbiased, float64) of embeddings ``(N, D)``."""
    if embeddings.shape[0] < 2:
        raise ValueError(f"need at least 2 embeddings for a covariance, got {embeddings.shape[0]}")
    values = embeddings.double().cpu().numpy()
    return values.mean(axis=0), np.cov(values, rowvar=False)


def frechet_distance(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray) -> float:
    """Frechet distance between Gaussians: ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))``.

    >>> frechet_distance(np.zeros(2), np.eye(2), np.ones(2), np.eye(2))
    2.0
    """
    root = matrix_sqrt(cov_a @ cov_b)
    distance = float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(root))
    return max(distance, 0.0)  # rounding can push an exact 0 slightly below


def fid(embeddings_a: torch.Tensor, embeddings_b: torch.Tensor) -> float:
    """Frechet distance between the Gaussians fitted to two sets of motion embeddings ``(N, D)``."""
    return frechet_distance(*gaussian_statistics(embeddings_a), *gaussian_statistics(embeddings_b))


def diversity(embeddings: torch.Tensor, num_pairs: int = 300, generator: Optional[torch.Generator] = None) -> float:
    """Mean Euclidean distance between ``num_pairs`` random pairs of distinct embeddings ``(N, D)``.

    Pairs are drawn with replacement over pairs, never pairing an embedding with itself.

    >>> diversity(torch.tensor([[0.0, 0.0], [3.0, 4.0]]), num_pairs=10)
    5.0
    """
    count = embeddings.shape[0]
    if count < 2:
        raise ValueError(f"diversity needs at least 2 embeddings, got {count}")
    first = torch.randint(count, (num_pairs,), generator=generator)
    offset = torch.randint(1, count, (num_pairs,), generator=generator)  # never 0: no self-pairs
    second = (first + offset) % count
    return float((embeddings[first] - embeddings[second]).double().norm(dim=-1).mean())


def retrieval_batches(keys: Sequence[object], batch_size: int = 32,
                      generator: Optional[torch.Generator] = None) -> List[List[int]]:
    """Shuffle row indices into full batches of ``batch_size`` rows whose ``keys`` differ pairwise.

    Two rows with the same key (the same text for the same actor slot) would make retrieval
    ambiguous, so a row whose key is already in the batch being filled waits for a later one.
    Rows left over when no full batch can be made are dropped.

    >>> batches = retrieval_batches(["a", "a", "b", "b"], batch_size=2)
    >>> sorted(sorted("aabb"[i] for i in batch) for batch in batches)
    [['a', 'b'], ['a', 'b']]
    """
    pending = torch.randperm(len(keys), generator=generator).tolist()
    batches: List[List[int]] = []
    current: List[int] = []
    seen: set = set()
    while pending:
        waiting = []
        for index in pending:
            if keys[index] in seen:
                waiting.append(index)
                continue
            current.append(index)
            seen.add(keys[index])
            if len(current) == batch_size:
                batches.append(current)
                current, seen = [], set()
        if len(waiting) == len(pending):  # nothing placed in a whole pass: the rest cannot fill a batch
            break
        pending = waiting
    return batches


def r_precision(text_embeddings: torch.Tensor, motion_embeddings: torch.Tensor, batches: Sequence[Sequence[int]],
                top_k: Sequence[int] = (1, 3)) -> Dict[int, float]:
    """Fraction of motions whose own text ranks in the top k among the texts of their batch.

    Within each batch every motion is compared with all of the batch's texts by Euclidean
    distance (the embeddings are unit vectors, so this is the cosine ranking); ties count
    against the motion. Returns ``{k: fraction in [0, 1]}``; chance is ``k / batch_size``.

    >>> e = torch.eye(4)
    >>> r_precision(e, e, [[0, 1, 2, 3]])
    {1: 1.0, 3: 1.0}
    """
    if not batches:
        raise ValueError("r_precision needs at least one full batch; evaluate more samples")
    hits = {k: 0 for k in top_k}
    total = 0
    for batch in batches:
        index = torch.as_tensor(list(batch))
        distance = torch.cdist(motion_embeddings[index].float(), text_embeddings[index].float())  # (b, b)
        own = distance.diagonal().unsqueeze(1)  # (b, 1)
        rank = (distance <= own).sum(dim=1) - 1  # texts at least as close as the own text, minus itself
        for k in top_k:
            hits[k] += int((rank < k).sum())
        total += len(batch)
    return {k: hits[k] / total for k in top_k}


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Tuple[float, Optional[Tuple[float, float]]]:
    """Mean of repeated measurements and its Student-t interval (None for a single value).

    >>> mean_interval([1.0, 2.0, 3.0])[0]
    2.0
    """
    from scipy import stats

    data = np.asarray(values, dtype=np.float64)
    mean = float(data.mean())
    if data.size < 2:
        return mean, None
    half = float(stats.t.ppf(0.5 + confidence / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return mean, (mean - half, mean + half)


def bootstrap_interval(per_clip: torch.Tensor, num_resamples: int = 1000, confidence: float = 0.95,
                       generator: Optional[torch.Generator] = None) -> Tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-clip values ``(N,)``: resample clips with replacement.

    >>> low, high = bootstrap_interval(torch.full((10,), 2.0))
    >>> (low, high)
    (2.0, 2.0)
    """
    values = per_clip.double().flatten()
    if values.numel() == 0:
        raise ValueError("bootstrap_interval needs at least one value")
    picks = torch.randint(values.numel(), (num_resamples, values.numel()), generator=generator)
    means = values[picks].mean(dim=1)
    tail = (1 - confidence) / 2
    low, high = torch.quantile(means, torch.tensor([tail, 1 - tail], dtype=torch.float64)).tolist()
    return low, high


LIMB_GROUPS: Tuple[str, ...] = ("hands", "feet", "hip_height", "foot_lift")
"""The spreads of :func:`limb_spread`: hands and feet relative to the hip, the hip's height, and the feet's
height above the ground (how high steps lift them: a few centimetres that the feet's spread, ruled by
their forward swing, hardly shows)."""


def limb_spread(poses: np.ndarray, timelines: np.ndarray, fps: int = DEFAULT_FPS) -> Tuple[np.ndarray, np.ndarray]:
    """How far hands and feet swing (relative to the hip) and the hip rises and falls, per action segment.

    For every single-action segment of ``timelines [R, T]`` (blends trimmed, see
    :func:`..evaluation.data_check.action_segments`) of the motion ``poses [R, T, 20]``: the standard
    deviation over the segment's frames of each hand's ``(x, y)`` relative to the hip (the root of
    the two variances, averaged over both hands), the same for the feet, of the hip's height, and of each
    foot's height (averaged over both feet), in metres. Returns ``(spreads [S, 4], labels [S])`` in the
    order of :data:`LIMB_GROUPS`.

    >>> p = np.zeros((1, 100, 20), np.float32); p[0, :, 15] = np.sin(np.arange(100) / 4)  # left hand y
    >>> spreads, labels = limb_spread(p, np.zeros((1, 100), np.int64))
    >>> spreads.round(2).tolist(), labels.tolist()
    ([[0.35, 0.0, 0.0, 0.0]], [0])
    """
    from .data_check import action_segments

    hip_slots = list(JOINT_SLOTS["hip"])
    spreads, labels = [], []
    for row in range(len(poses)):
        for a, b, label in action_segments(timelines[row], fps):
            window = np.asarray(poses[row, a:b], np.float64)
            hip = window[:, hip_slots]
            groups = []
            for joints in (("left_hand", "right_hand"), ("left_foot", "right_foot")):
                each = [np.sqrt((window[:, list(JOINT_SLOTS[j])] - hip).var(axis=0).sum()) for j in joints]
                groups.append(float(np.mean(each)))
            groups.append(float(hip[:, 1].std()))
            groups.append(float(np.mean([window[:, JOINT_SLOTS[f][1]].std() for f in ("left_foot", "right_foot")])))
            spreads.append(groups)
            labels.append(label)
    if not spreads:
        return np.zeros((0, len(LIMB_GROUPS))), np.zeros(0, np.int64)
    return np.asarray(spreads), np.asarray(labels, np.int64)


AMPLITUDE_FLOOR_M = 0.005
"""Real spread (m) under which an action's per-class amplitude ratio is not given (a hip that stays at one height)."""


def amplitude_ratios(generated: np.ndarray, real: np.ndarray, labels: np.ndarray
                     ) -> Tuple[Dict[str, float], Dict[int, List[float]]]:
    """Limb amplitude, generated / real: per action class, then over classes weighted by real amplitude.

    ``generated`` and ``real`` are :func:`limb_spread` outputs ``[S, 3]`` of the same segments
    (``labels [S]``). For each class the mean spread of the generated segments is divided by the
    real one's; the overall figure per group is ``sum_c gen(c) / sum_c real(c)`` (so that actions
    with no real movement in a group, whose ratio is undefined, do not dominate). 1 = real
    movement, 0 = a figure frozen in its mean pose. Returns ``({group: ratio}, {class: [ratio per group]})``;
    a class's ratio is None where its real spread is under :data:`AMPLITUDE_FLOOR_M` (nothing to compare with).

    >>> ratios, per_class = amplitude_ratios(np.ones((2, 3)) * 0.5, np.ones((2, 3)), np.array([0, 1]))
    >>> ratios
    {'hands': 0.5, 'feet': 0.5, 'hip_height': 0.5}
    >>> amplitude_ratios(np.full((1, 3), 0.02), np.array([[0.04, 0.04, 0.0]]), np.array([0]))[1]
    {0: [0.5, 0.5, None]}
    """
    classes = sorted(set(labels.tolist()))
    if not classes:
        return {group: float("nan") for group in LIMB_GROUPS}, {}
    gen_means = np.stack([generated[labels == c].mean(0) for c in classes])  # (C, 3)
    real_means = np.stack([real[labels == c].mean(0) for c in classes])
    overall = gen_means.sum(0) / np.maximum(real_means.sum(0), 1e-9)
    per_class = {c: [round(float(gi / ri), 4) if ri >= AMPLITUDE_FLOOR_M else None for gi, ri in zip(g, r)]
                 for c, g, r in zip(classes, gen_means, real_means)}
    return dict(zip(LIMB_GROUPS, overall.round(6).tolist())), per_class


CADENCE_TOLERANCE = 0.25
"""A generated segment keeps the real cadence when it repeats within this share of it (word ranges of tempo
span about +-15%, so a right take is inside it)."""
CADENCE_MIN_S = 2.0
"""Action runs shorter than this are not judged for cadence (too few cycles to measure)."""


def cadence_agreement(generated: np.ndarray, real: np.ndarray, timelines: np.ndarray, fps: int = DEFAULT_FPS
                      ) -> Tuple[float, int]:
    """Share of the real motion's *repeating* action runs that the generated motion repeats at the same pace.

    Both ``generated`` and ``real`` ``[R, T, 20]`` (world poses) are timed by :func:`..model.clock.motion_clock`
    over the runs of ``timelines [R, T]``; a run of at least :data:`CADENCE_MIN_S` whose real motion
    repeats (cadence > 0) counts as kept when the generated motion's median cadence over the run is within
    :data:`CADENCE_TOLERANCE` of the real one's. A figure that drifts instead of striding, hopping or
    waving scores 0. Returns ``(share, runs judged)`` (NaN share without a repeating run).

    >>> t = np.arange(250) / 25.0
    >>> real = np.zeros((1, 250, 20), np.float32); real[0, :, 14] = 0.3 * np.sin(2 * np.pi * 1.5 * t)
    >>> cadence_agreement(real, real, np.zeros((1, 250), np.int64)), cadence_agreement(real * 0, real, np.zeros((1, 250), np.int64))
    ((1.0, 1), (0.0, 1))
    """
    return cadence_agreement_of(motion_cadence(generated, timelines, fps), motion_cadence(real, timelines, fps),
                                timelines, fps)


def motion_cadence(poses: np.ndarray, timelines: np.ndarray, fps: int = DEFAULT_FPS) -> np.ndarray:
    """How often the motion ``poses [R, T, 20]`` repeats, per frame in Hz ``[R, T]`` (0: not repeating).

    Timed over the runs of ``timelines [R, T]`` by :func:`..model.clock.motion_clock`, as the model's clock is.

    >>> t = np.arange(250) / 25.0
    >>> p = np.zeros((1, 250, 20), np.float32); p[0, :, 14] = 0.3 * np.sin(2 * np.pi * 1.5 * t)
    >>> float(np.median(motion_cadence(p, np.zeros((1, 250), np.int64))).round(1))
    1.5
    """
    from ..model.clock import motion_clock
    from ..model.pose import pose_to_features

    features = pose_to_features(torch.as_tensor(np.asarray(poses, np.float32)), fps=fps).numpy()
    return motion_clock(features, timelines, fps)[0]


def cadence_agreement_of(gen_cadence: np.ndarray, real_cadence: np.ndarray, timelines: np.ndarray,
                         fps: int = DEFAULT_FPS) -> Tuple[float, int]:
    """:func:`cadence_agreement` from the two :func:`motion_cadence` arrays (so the real side is measured once).

    >>> cadence_agreement_of(np.full((1, 100), 1.1), np.full((1, 100), 1.0), np.zeros((1, 100), np.int64))
    (1.0, 1)
    """
    from ..model.clock import runs

    kept = []
    for row in range(len(timelines)):
        for start, end, _ in runs(timelines[row]):
            target = float(np.median(real_cadence[row, start:end]))
            if end - start >= CADENCE_MIN_S * fps and target > 0:
                got = float(np.median(gen_cadence[row, start:end]))
                kept.append(abs(got - target) <= CADENCE_TOLERANCE * target)
    return (float(np.mean(kept)) if kept else float("nan")), len(kept)


def take_distance(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """How different two takes of the same prompt are: mean joint distance per clip, in metres.

    ``first`` and ``second`` are world poses ``[R, T, 20]``; each clip is first moved so that its hip
    starts at x = 0 (where the actor stands is placement, not motion), then the six joints' positions
    are compared frame by frame.

    >>> a = np.zeros((1, 10, 20)); b = a.copy(); b[..., 1::2] += 0.3
    >>> take_distance(a, b).round(3).tolist()
    [0.3]
    """
    def centred(poses: np.ndarray) -> np.ndarray:
        out = np.asarray(poses, np.float64).copy()
        out[..., 0::2] -= out[:, :1, JOINT_SLOTS["hip"][0]][..., None]
        return out

    a, b = centred(first), centred(second)
    total = np.zeros(a.shape[:2])
    for x, y in JOINT_SLOTS.values():
        total += np.hypot(a[..., x] - b[..., x], a[..., y] - b[..., y])
    return total.mean(axis=1) / len(JOINT_SLOTS)
