"""Are the 64 action classes really different motions? A small classifier that sees motion only.

Every single-action segment of the train split (cut with the per-frame labels, 0.5 s dropped next
to each change of action so that blends are not counted) becomes one feature vector of hand-made
motion features: joint positions relative to the hip, hip height and speed, their spread, velocity,
periodicity (band energies of the spectrum) and a 12-point summary of how they evolve. Lengths are
divided by the torso length (the body's scale); facing is handled by training on mirrored copies.
A small MLP learns the classes and is scored on the test split, whose scenes combine actions in
ways (and are described in words) the train split never has. No text is used.

>>> report = run_data_check("data/stick-gen")   # doctest: +SKIP
>>> report.macro_accuracy >= 0.9                  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from ..errors import DataError
from ..model.pose import JOINT_SLOTS

MARGIN_S = 0.5
MIN_FRAMES = 15
RESAMPLE = 12
BANDS_HZ = ((0.15, 0.7), (0.7, 1.4), (1.4, 2.4), (2.4, 4.0), (4.0, 8.0))
TARGET_MACRO_ACCURACY = 0.90
STILL_AMPLITUDE = 0.02
"""Movement below this (in torso lengths, about 1 cm) counts as stillness in the band features."""
TREMOR_M = 0.01
"""Largest per-frame noise (metres) added to the classifier's training copies, so that it judges actions,
not the last millimetres of smoothness (generated motion is judged by the same classifier)."""


@dataclass
class DataCheckReport:
    """Scores of the motion-only classifier on the test split."""

    macro_accuracy: float
    accuracy: float
    per_class: Dict[str, float]
    confusions: List[Tuple[str, str, int]]  # (true, predicted, count), most frequent first
    train_segments: int
    test_segments: int
    missing_in_test: List[str] = field(default_factory=list)

    def worst(self, k: int = 8) -> List[Tuple[str, float]]:
        return sorted(self.per_class.items(), key=lambda kv: kv[1])[:k]

    def format(self, k: int = 8) -> str:
        lines = [
            f"data check: macro accuracy {self.macro_accuracy:.3f} (accuracy {self.accuracy:.3f}) over "
            f"{len(self.per_class)} classes; {self.train_segments} train / {self.test_segments} test segments",
            "worst classes: " + ", ".join(f"{name} {acc:.2f}" for name, acc in self.worst(k)),
            "top confusions: " + (", ".join(f"{t}->{p} x{n}" for t, p, n in self.confusions[:k]) or "none"),
        ]
        if self.missing_in_test:
            lines.append("classes with no test segment: " + ", ".join(self.missing_in_test))
        return "\n".join(lines)


def action_segments(actions: np.ndarray, fps: int) -> List[Tuple[int, int, int]]:
    """Interior ``(start, end, label)`` of every constant-label run of a row, blends trimmed.

    >>> action_segments(np.array([0] * 40 + [1] * 40), 25)
    [(0, 28, 0), (52, 80, 1)]
    """
    from ..model.clock import runs

    margin = int(round(MARGIN_S * fps))
    out = []
    for s, e, label in runs(actions):
        a = s + (margin if s > 0 else 0)
        b = e - (margin if e < len(actions) else 0)
        if b - a >= MIN_FRAMES:
            out.append((a, b, label))
    return out


def _resample(x: np.ndarray, points: int) -> np.ndarray:
    """``x [n, C]`` at ``points`` evenly spaced times (linear interpolation)."""
    n = len(x)
    at = np.linspace(0, n - 1, points)
    i = np.minimum(at.astype(int), n - 2)
    w = (at - i)[:, None]
    return x[i] * (1 - w) + x[i + 1] * w


def motion_features(poses: np.ndarray, fps: int) -> np.ndarray:
    """Feature vector of one segment ``poses [n, 20]`` (world coordinates).

    Channels: x of neck, feet and hands relative to the hip; y of every joint; the hip's x and y
    speed. Hands and feet are ordered by their mean height (so waving with either hand looks the
    same); lengths are in torso lengths.
    """
    p = np.asarray(poses, dtype=np.float64)
    hip, neck = p[:, list(JOINT_SLOTS["hip"])], p[:, list(JOINT_SLOTS["neck"])]
    scale = max(float(np.max(np.linalg.norm(neck - hip, axis=-1))), 1e-3)
    feet = np.stack([p[:, list(JOINT_SLOTS["left_foot"])], p[:, list(JOINT_SLOTS["right_foot"])]], axis=1)
    hands = np.stack([p[:, list(JOINT_SLOTS["left_hand"])], p[:, list(JOINT_SLOTS["right_hand"])]], axis=1)
    if feet[:, 0, 1].mean() < feet[:, 1, 1].mean():
        feet = feet[:, ::-1]
    if hands[:, 0, 1].mean() < hands[:, 1, 1].mean():
        hands = hands[:, ::-1]
    limbs = np.concatenate([neck[:, None], feet, hands], axis=1)  # (n, 5, 2)
    rel_x = (limbs[:, :, 0] - hip[:, None, 0]) / scale
    ys = np.concatenate([hip[:, None, 1], limbs[:, :, 1]], axis=1) / scale
    speed = np.gradient(hip, axis=0) * fps / scale if len(hip) > 1 else np.zeros_like(hip)
    channels = np.concatenate([rel_x, ys, speed], axis=1)  # (n, 13)
    velocity = np.diff(channels[:, :11], axis=0) * fps if len(channels) > 1 else np.zeros((1, 11))
    centred = channels - channels.mean(axis=0)
    power = np.abs(np.fft.rfft(centred, axis=0)) ** 2
    freqs = np.fft.rfftfreq(len(channels), d=1.0 / fps)
    total = power.sum(axis=0) + 1e-9
    # shares of the spectrum per band, of at least a barely visible movement: a still pose's few
    # millimetres of tremor must not read as a 4-8 Hz motion
    floor = len(channels) ** 2 * STILL_AMPLITUDE ** 2
    bands = [power[(freqs >= lo) & (freqs < hi)].sum(axis=0) / (total + floor) for lo, hi in BANDS_HZ]
    return np.concatenate([
        _resample(channels, RESAMPLE).ravel(),
        channels.mean(0), channels.std(0), channels.min(0), channels.max(0),
        np.abs(velocity).mean(0), velocity.std(0),
        np.log1p(total),
        np.concatenate(bands),
    ]).astype(np.float32)


def mirror(poses: np.ndarray) -> np.ndarray:
    """The same motion seen from the other side: x -> -x (a figure facing right now faces left)."""
    out = np.array(poses, dtype=np.float32, copy=True)
    out[..., 0::2] *= -1.0
    return out


def segment_features(poses: np.ndarray, actions: np.ndarray, fps: int, mirrored: bool = False,
                     tremor_seed: Optional[int] = None):
    """Features and labels of every single-action segment of rows ``poses [R, T, 20]``, ``actions [R, T]``.

    ``mirrored`` adds each segment seen from the other side; ``tremor_seed`` adds a copy with per-frame
    noise of a random size up to :data:`TREMOR_M` (seeded), mirrored half of the time.
    """
    feats, labels = [], []
    rng = None if tremor_seed is None else np.random.default_rng(tremor_seed)
    for row in range(len(poses)):
        for a, b, label in action_segments(actions[row], fps):
            window = poses[row, a:b]
            feats.append(motion_features(window, fps))
            labels.append(label)
            if mirrored:
                feats.append(motion_features(mirror(window), fps))
                labels.append(label)
            if rng is not None:
                shaken = window + rng.normal(0.0, rng.uniform(0.0, TREMOR_M), window.shape).astype(np.float32)
                feats.append(motion_features(mirror(shaken) if rng.random() < 0.5 else shaken, fps))
                labels.append(label)
    if not feats:
        return np.zeros((0, 1), np.float32), np.zeros(0, np.int64)
    return np.stack(feats), np.array(labels, np.int64)


class MotionClassifier(torch.nn.Module):
    """The data check's classifier: standardised :func:`motion_features` of one segment -> action logits.

    It is trained on real (procedural) motion only, never on a model's output, so ``stick-gen evaluate``
    uses it frozen to say which action a generated segment shows (:func:`classify_segments`).
    """

    def __init__(self, inputs: int, classes: int, hidden: int = 256) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(inputs, hidden), torch.nn.GELU(), torch.nn.Dropout(0.2),
            torch.nn.Linear(hidden, hidden), torch.nn.GELU(), torch.nn.Dropout(0.2),
            torch.nn.Linear(hidden, classes),
        )
        self.register_buffer("feature_mean", torch.zeros(inputs))
        self.register_buffer("feature_std", torch.ones(inputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.feature_mean) / self.feature_std)

    @torch.no_grad()
    def predict(self, features: np.ndarray) -> np.ndarray:
        """Action ids of segment feature vectors ``[S, F]``."""
        if len(features) == 0:
            return np.zeros(0, np.int64)
        return self(torch.from_numpy(np.asarray(features, np.float32))).argmax(-1).numpy()


def train_classifier(x: np.ndarray, y: np.ndarray, classes: int, epochs: int = 40, seed: int = 0) -> MotionClassifier:
    """Fit the classifier on segment features ``x [S, F]`` and labels ``y [S]``; returns it in eval mode."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small only loses to thread hand-offs on a busy machine
    try:
        return _fit(x, y, classes, epochs, seed)
    finally:
        torch.set_num_threads(threads)


def _fit(x: np.ndarray, y: np.ndarray, classes: int, epochs: int, seed: int) -> MotionClassifier:
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = MotionClassifier(x.shape[1], classes)
    model.feature_mean.copy_(torch.from_numpy(x.mean(0)))
    model.feature_std.copy_(torch.from_numpy(x.std(0) + 1e-6))
    xt = torch.from_numpy(x).float()
    yt = torch.from_numpy(y).long()
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    weights = torch.tensor(np.where(counts > 0, len(y) / (classes * np.maximum(counts, 1)), 0.0), dtype=torch.float32)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    batch = 256
    steps = epochs * max(1, int(np.ceil(len(y) / batch)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(yt), generator=g)
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            opt.zero_grad()
            loss_fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
            sched.step()
    return model.eval()


CLASSIFIER_FILE = "motion_classifier.safetensors"
"""Where the frozen classifier of a dataset is kept, beside its ``meta.json``."""
CLASSIFIER_VERSION = "2"
"""Bumped when :func:`motion_features` or the training copies change: a cached classifier of another version
is retrained."""


def load_or_train_motion_classifier(root: Union[str, Path], fingerprint: str, epochs: int = 40,
                                    seed: int = 0) -> Tuple[MotionClassifier, Dict[str, str]]:
    """The dataset's frozen motion classifier, trained on its train split the first time (then cached).

    ``fingerprint`` names the training split (a regenerated dataset retrains it). Returns the classifier
    and its file's metadata (``path``, ``cached``).

    >>> classifier, meta = load_or_train_motion_classifier("data/stick-gen", fingerprint)   # doctest: +SKIP
    """
    from safetensors.torch import load_file, save_file

    from ..model.atomic import atomic_write

    root = Path(root)
    path = root / CLASSIFIER_FILE
    if path.is_file():
        try:
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as handle:
                meta = dict(handle.metadata() or {})
            if meta.get("fingerprint") == fingerprint and meta.get("version") == CLASSIFIER_VERSION:
                state = load_file(str(path))
                model = MotionClassifier(int(meta["inputs"]), int(meta["classes"]))
                model.load_state_dict(state, strict=True)
                return model.eval(), dict(meta, path=str(path), cached="true")
        except Exception:  # a damaged or foreign file is only a cold cache
            pass
    poses, actions, fps, names = _rows(root, "train")
    x, y = segment_features(poses, actions, fps, mirrored=True, tremor_seed=seed)
    if len(y) == 0:
        raise DataError(f"{root}: the train split has no single-action segment long enough to classify")
    model = train_classifier(x, y, len(names), epochs=epochs, seed=seed)
    meta = {"fingerprint": fingerprint, "version": CLASSIFIER_VERSION, "inputs": str(x.shape[1]), "classes": str(len(names)), "fps": str(fps),
            "epochs": str(epochs), "seed": str(seed)}
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    atomic_write(path, lambda p: save_file(state, str(p), metadata=meta))
    return model, dict(meta, path=str(path), cached="false")


def classify_segments(classifier: MotionClassifier, poses: np.ndarray, timelines: np.ndarray,
                      fps: int) -> Tuple[np.ndarray, np.ndarray]:
    """Frames the classifier sees the asked-for action in, and frames judged, per row.

    ``poses [R, T, 20]`` is any motion (generated or real); ``timelines [R, T]`` the action asked for at
    every frame (a real clip's labels for the same text). Every single-action segment of the timeline
    (blends trimmed, as in training) is classified from the motion alone; a segment counts all its
    frames as right or wrong. Returns ``(correct [R], judged [R])`` frame counts.

    >>> correct, judged = classify_segments(classifier, generated, test_labels, 25)   # doctest: +SKIP
    """
    feats, owner, lengths, labels = [], [], [], []
    for row in range(len(poses)):
        for a, b, label in action_segments(timelines[row], fps):
            feats.append(motion_features(poses[row, a:b], fps))
            owner.append(row)
            lengths.append(b - a)
            labels.append(label)
    correct = np.zeros(len(poses), np.int64)
    judged = np.zeros(len(poses), np.int64)
    if feats:
        predicted = classifier.predict(np.stack(feats))
        owner_a, lengths_a = np.array(owner), np.array(lengths)
        np.add.at(judged, owner_a, lengths_a)
        np.add.at(correct, owner_a, lengths_a * (predicted == np.array(labels)))
    return correct, judged


def score(predicted: np.ndarray, truth: np.ndarray, names: Sequence[str], train_segments: int) -> DataCheckReport:
    """Per-class and macro accuracy and the most frequent confusions."""
    per_class, confusions = {}, {}
    for c, name in enumerate(names):
        mask = truth == c
        if mask.any():
            per_class[name] = float((predicted[mask] == c).mean())
    for t, p in zip(truth.tolist(), predicted.tolist()):
        if t != p:
            confusions[(names[t], names[p])] = confusions.get((names[t], names[p]), 0) + 1
    ranked = sorted(((t, p, n) for (t, p), n in confusions.items()), key=lambda c: (-c[2], c[0], c[1]))
    return DataCheckReport(
        macro_accuracy=float(np.mean(list(per_class.values()))) if per_class else 0.0,
        accuracy=float((predicted == truth).mean()) if len(truth) else 0.0,
        per_class=per_class,
        confusions=ranked,
        train_segments=train_segments,
        test_segments=int(len(truth)),
        missing_in_test=[n for n in names if n not in per_class],
    )


def _rows(root: Path, split: str) -> Tuple[np.ndarray, np.ndarray, int, List[str]]:
    from ..data_gen.dataset import MotionDataset

    ds = MotionDataset(root, split)
    return (ds.tensors["poses"].numpy(), ds.tensors["actions"].numpy(), int(ds.meta["fps"]), list(ds.meta["actions"]))


def run_data_check(root: Union[str, Path], epochs: int = 40, seed: int = 0,
                   eval_split: str = "test") -> DataCheckReport:
    """Train the motion-only classifier on the train split of ``root`` and score it on ``eval_split``."""
    root = Path(root)
    poses, actions, fps, names = _rows(root, "train")
    x, y = segment_features(poses, actions, fps, mirrored=True, tremor_seed=seed)
    if len(y) == 0:
        raise DataError(f"{root}: the train split has no single-action segment long enough to classify")
    classifier = train_classifier(x, y, len(names), epochs=epochs, seed=seed)
    test_poses, test_actions, _, _ = _rows(root, eval_split)
    xt, yt = segment_features(test_poses, test_actions, fps)
    if len(yt) == 0:
        raise DataError(f"{root}: the {eval_split} split has no segment long enough to classify; make more scenes")
    return score(classifier.predict(xt), yt, names, train_segments=len(y) // 3)
