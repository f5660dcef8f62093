"""The training loop: pretraining, SFT and LoRA fine-tuning share it.

Objective: regression of normalised motion features given text, the clip's latent draws, slot and
actor count (see :mod:`stick_gen.model.transformer` and ``docs/design.md`` for why), plus
a velocity term, per-frame action classification from hidden states, and the actor count from text.

Runs on one process or many: under ``accelerate launch`` or ``torchrun`` every process takes its
slice of each global batch (``training.batch_size``), and DDP averages gradients, so N processes
follow the same trajectory as one. accelerate picks the device (CUDA, Apple MPS or CPU) and the mixed
precision comes from, first to last: ``train(mixed_precision=...)`` (``--mixed-precision``),
``accelerate launch --mixed_precision`` or its config, and bf16 on a GPU that supports it, else none.
With ``training.log_with: tensorboard`` the numbers written to ``metrics.jsonl`` also go to
``OUTPUT/tensorboard`` through accelerate's trackers.

Files written to the output directory:
``best_model.pt`` (lowest validation loss; ``best.pth`` for SFT, ``lora_adapters.pth`` for LoRA, and
for LoRA the same adapters in peft's format in ``adapter/``),
``latest.pt`` (every ``save_every`` steps; ``--resume`` continues from it exactly),
``metrics.jsonl`` (one JSON object per logged step and per evaluation) and ``loss_curves.png``.

>>> result = train(load_config("configs/tiny.yaml"), "checkpoints/tiny")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import torch
import torch.nn.functional as F

from ..model.atomic import atomic_write
from ..model.checkpoint import build_model, load_checkpoint, load_model, plain_state_dict, save_training_checkpoint
from ..errors import CheckpointError, ConfigError, DataError
from ..model.pose import FOOT_CONTACT_HEIGHT, HIP_X, JOINT_SLOTS, features_to_pose
from ..model.variants import TrainingMethod
from .config import TrainConfig
from .data import MotionRows, feature_statistics, load_rows, value_weights
from .machine import machine_record

logger = logging.getLogger(__name__)

LATEST = "latest.pt"
BEST = {TrainingMethod.PRETRAIN: "best_model.pt", TrainingMethod.SFT: "best.pth", TrainingMethod.LORA: "lora_adapters.pth"}


@dataclass
class TrainResult:
    output_dir: Path
    best_path: Path
    latest_path: Path
    step: int
    best_val_loss: float
    history: List[Dict[str, Any]] = field(default_factory=list)
    mixed_precision: str = "no"


TEXT_DROPOUT = 0.1
"""Share of a flow model's training rows that see no text (classifier-free guidance learns from them)."""
CLOCK_DROPOUT = 0.3
"""Share of a clock model's training rows that see no motion clock: the sampler's first step runs without
one, and the cadence head learns on these rows only (with the clock in view it would just read it)."""


def flow_inputs(batch_size: int, frames: int, width: int, step: int, seed: int,
                time_sampling: str = "uniform") -> Dict[str, torch.Tensor]:
    """Noise ``(B, T, D)``, flow times ``(B,)`` and text-dropout flags ``(B,)`` of global batch ``step``.

    A pure function of ``(seed, step)`` (like the batch order), so ``--resume`` stays exact.
    ``time_sampling`` ``"logit_normal"`` draws ``t = sigmoid(n)``, ``n ~ N(0, 1)``: more rows at middle
    times, where the text decides most, fewer at the ends, where the answer is the mean or the input.

    >>> parts = flow_inputs(4, 250, 20, step=0, seed=0)
    >>> tuple(parts["noise"].shape), tuple(parts["time"].shape), parts["drop_text"].dtype
    ((4, 250, 20), (4,), torch.bool)
    """
    generator = torch.Generator().manual_seed(seed * 104_729 + step + 17)
    return {"noise": torch.randn(batch_size, frames, width, generator=generator),
            "time": (torch.rand(batch_size, generator=generator) if time_sampling == "uniform"
                     else torch.sigmoid(torch.randn(batch_size, generator=generator))),
            "drop_text": torch.rand(batch_size, generator=generator) < TEXT_DROPOUT,
            "drop_clock": torch.rand(batch_size, generator=generator) < CLOCK_DROPOUT}


def flow_loss_weight(time: torch.Tensor, tilt: float) -> torch.Tensor:
    """Per-row weight ``1 + tilt (1 - 2 t)`` of a flow model's motion loss at flow times ``time`` ``(B,)``.

    Its mean under uniform ``t`` is 1, so the loss keeps its scale beside the other terms; ``tilt`` in
    ``[-1, 1]``: above 0 the noisy rows (``t`` near 0, where the text alone decides the motion) count
    more, below 0 the nearly clean ones; 0 weighs every row alike.

    >>> flow_loss_weight(torch.tensor([0.0, 0.5, 1.0]), tilt=0.5)
    tensor([1.5000, 1.0000, 0.5000])
    """
    return 1 + tilt * (1 - 2 * time)


def _clause_flag_loss(logits: Optional[torch.Tensor], labels: Optional[torch.Tensor], keep: Optional[torch.Tensor],
                      like: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of per-clause ``logits`` (B, K) against ``labels`` (B, K; 1, 0, -1 unknown) on the rows
    with text (``keep``): each row's mean over its known clauses, then a mean over every row. 0 (shaped like
    ``like``) when the model or the batch has none."""
    if logits is None or labels is None:
        return like * 0
    if keep is not None:
        labels = labels.masked_fill(~keep[:, None], -1)
    known = labels >= 0  # (B, K)
    each = F.binary_cross_entropy_with_logits(logits.float(), labels.clamp_min(0).float(), reduction="none") * known
    return (each.sum(dim=1) / known.sum(dim=1).clamp_min(1)).mean()


def compute_losses(model, batch: Dict[str, torch.Tensor], weights, objective: str = "regression"):
    """Weighted loss terms for one batch and the model's output; ``batch["features"]`` is normalised.

    ``objective`` ``"flow"``: the batch also holds ``noise``, ``time`` and ``drop_text``
    (:func:`flow_inputs`); the network sees the motion at flow time ``t`` (``(1 - t) noise + t motion``)
    and predicts the clean motion, with the text withheld from the ``drop_text`` rows. A batch with
    ``clock`` and ``cadence`` (a clock model's rows) hides the clock from the ``drop_clock`` rows, which
    teach the cadence head.
    """
    mask = batch.get("context_mask")
    target = batch["features"]
    text, clause_mask = batch["text_embedding"], batch.get("clause_mask")
    extra: Dict[str, torch.Tensor] = {}
    keep = None
    if objective == "flow":
        t = batch["time"].to(target.dtype)
        extra = {"noisy_motion": (1 - t[:, None, None]) * batch["noise"] + t[:, None, None] * target,
                 "time": batch["time"]}
        keep = ~batch["drop_text"]
        text = text * keep[:, None].to(text.dtype)
        if clause_mask is not None:
            clause_mask = clause_mask & keep[:, None]
        if "clock" in batch:
            hidden = batch["drop_clock"]
            extra["clock"] = batch["clock"] * (~hidden)[:, None, None].to(batch["clock"].dtype)
    out = model(text, batch["latents"], batch["slot"], batch["num_actors"],
                context=None if mask is None else target, context_mask=mask,
                clause_embeddings=batch.get("clause_embeddings"), clause_mask=clause_mask, **extra)
    squared = (out.motion.float() - target).pow(2)
    if "value_weight" in batch:  # (20,) from value_weights: each joint's movement counts alike
        squared = squared * batch["value_weight"]
    if "time_weight" in batch:  # (B,) from flow_loss_weight: each row by its flow time
        motion = (squared.mean(dim=(1, 2)) * batch["time_weight"]).mean()
    else:
        motion = squared.mean()
    velocity = F.mse_loss((out.motion[:, 1:] - out.motion[:, :-1]).float(), target[:, 1:] - target[:, :-1])
    # the hip's x is integrated from predicted speed, so a small speed bias becomes metres of drift:
    # penalise the accumulated error (a constant bias b costs about b^2 * T / 3)
    speed_error = (out.motion[..., HIP_X].float() - target[..., HIP_X])
    trajectory = (torch.cumsum(speed_error, dim=1) / speed_error.shape[1] ** 0.5).pow(2).mean()
    # a flow model only knows when a foot is planted once the noisy motion shows its steps: weight by t^2
    late = None if objective != "flow" else batch["time"].float().pow(2)
    foot = _foot_contact_loss(out.motion.float(), target, batch, late) if "feature_std" in batch else motion * 0
    limbs = motion * 0
    if weights.limb_speed and objective == "flow" and "feature_std" in batch:
        limbs = _limb_speed_loss(out.motion.float(), target, batch, late)
    cadence = motion * 0
    if out.cadence is not None and "cadence" in batch:
        per_row = (out.cadence.float() - batch["cadence"].float()).pow(2).mean(dim=1)
        cadence = (per_row * batch["drop_clock"]).mean()  # over every row, as `count` below
    event = motion * 0
    if out.event_logits is not None and "events" in batch:  # where the key moments fall, learnt as cadence is
        per_row = F.binary_cross_entropy_with_logits(out.event_logits.float(), batch["events"].float(),
                                                     reduction="none").mean(dim=1)
        event = (per_row * batch["drop_clock"]).mean()
    action = F.cross_entropy(out.action_logits.float().flatten(0, 1), batch["actions"].flatten())
    named = motion * 0
    if out.clause_logits is not None and "clause_labels" in batch:  # a clause_actions model: what each clause names
        labels = batch["clause_labels"] if keep is None else batch["clause_labels"].masked_fill(~keep[:, None], -1)
        known = labels >= 0  # (B, K)
        each = F.cross_entropy(out.clause_logits.float().flatten(0, 1), labels.clamp_min(0).flatten(),
                               reduction="none").view(labels.shape) * known
        # each row's mean over its known clauses, then a mean over every row (as `count` below)
        named = (each.sum(dim=1) / known.sum(dim=1).clamp_min(1)).mean()
    # a clause_starts / clause_fillers model: where the next actor starts, which clauses name no action
    starts = _clause_flag_loss(out.start_logits, batch.get("clause_starts"), keep, motion)
    fillers = _clause_flag_loss(out.filler_logits, batch.get("clause_fillers"), keep, motion)
    count_target = batch["num_actors"].clamp(1, out.count_logits.shape[-1]) - 1
    count_each = F.cross_entropy(out.count_logits.float(), count_target, reduction="none")
    # a mean over every row (text-dropped rows count 0), so that N processes average to the global batch's value
    count = count_each.mean() if keep is None else (count_each * keep).mean()
    total = (weights.motion * motion + weights.velocity * velocity + weights.trajectory * trajectory
             + weights.foot_contact * foot + weights.action * action + weights.count * count
             + weights.cadence * cadence + weights.clause_action * named + weights.event * event
             + weights.limb_speed * limbs + weights.clause_start * starts + weights.clause_filler * fillers)
    parts = {"motion": motion, "velocity": velocity, "trajectory": trajectory, "foot_contact": foot,
             "limb_speed": limbs,
             "action": action, "count": count, "cadence": cadence, "clause_action": named,
             "event": event, "clause_start": starts, "clause_filler": fillers}
    return {"loss": total, **parts}, out


def _foot_contact_loss(predicted: torch.Tensor, target: torch.Tensor, batch: Dict[str, torch.Tensor],
                       row_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Squared world speed (m/s) of the predicted feet on the frames where the real feet are planted, per frame.

    Features hold each foot's x relative to the hip and the hip's x as a speed, so a foot's world step
    is ``speed / fps + (rel[t] - rel[t-1])``: a planted foot needs both to cancel, which per-value
    regression does not ask for (skating). ``batch`` holds ``feature_mean``, ``feature_std`` and ``fps``;
    ``row_weight`` (B,) scales each row (a flow model's rows by ``t^2``).
    """
    mean, std, fps = batch["feature_mean"], batch["feature_std"], float(batch["fps"])
    pred, real = predicted * std + mean, target * std + mean  # (B, T, 20) physical
    losses = []
    for x_slot, y_slot in (JOINT_SLOTS["left_foot"], JOINT_SLOTS["right_foot"]):
        planted = (real[:, 1:, y_slot] < FOOT_CONTACT_HEIGHT) & (real[:, :-1, y_slot] < FOOT_CONTACT_HEIGHT)
        step_x = pred[:, 1:, HIP_X] / fps + pred[:, 1:, x_slot] - pred[:, :-1, x_slot]
        step_y = pred[:, 1:, y_slot] - pred[:, :-1, y_slot]
        speed2 = (step_x.pow(2) + step_y.pow(2)) * fps ** 2
        if row_weight is not None:
            speed2 = speed2 * row_weight[:, None]
        losses.append((speed2 * planted).mean())  # over all frames: DDP slices average to the global value
    return sum(losses) / len(losses)


LIMBS = ("left_hand", "right_hand", "left_foot", "right_foot")
"""The joints whose speed relative to the hip :func:`_limb_speed_loss` compares."""


def _limb_speed_loss(predicted: torch.Tensor, target: torch.Tensor, batch: Dict[str, torch.Tensor],
                     row_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Squared error ((m/s)^2) of the hands' and feet's velocity relative to the hip, per frame and limb.

    In metres per second a missed three-frame whip (5-7 m/s) costs far more than a hand held 10 cm off for
    the whole clip, which costs nothing; the per-value motion loss, normalised by each value's spread over
    whole clips, counts them the other way round (tests/test_train.py). ``batch`` holds ``feature_mean``,
    ``feature_std``, ``fps`` and may hold ``feature_layout`` (default ``hip``); ``row_weight`` (B,) scales
    each row (a flow model's rows by ``t^2``, since only a nearly clean input shows when the fast movement
    happens).
    """
    mean, std, fps = batch["feature_mean"], batch["feature_std"], float(batch["fps"])
    layout = batch.get("feature_layout", "hip")
    hip = list(JOINT_SLOTS["hip"])

    def velocity(features: torch.Tensor) -> torch.Tensor:  # (B, T - 1, limbs, 2) m/s
        poses = features_to_pose(features * std + mean, fps=int(fps), layout=layout)
        relative = torch.stack([poses[..., list(JOINT_SLOTS[j])] - poses[..., hip] for j in LIMBS], dim=-2)
        return (relative[:, 1:] - relative[:, :-1]) * fps

    error = (velocity(predicted) - velocity(target)).pow(2).sum(-1).mean(-1)  # (B, T - 1)
    if row_weight is not None:
        error = error * row_weight[:, None]
    return error.mean()


LR_FLOOR = 0.1
"""Where the cosine decay ends, as a fraction of ``training.learning_rate``."""


def lr_factor(step: int, warmup: int, max_steps: int, time_used: float = 0.0) -> float:
    """The learning rate's multiplier at ``step``: linear warm-up, then cosine decay from 1 to :data:`LR_FLOOR`.

    The decay's progress is the larger of the steps done (of ``max_steps``) and ``time_used``, the share of
    ``training.time_limit_minutes`` already spent (0 without a limit), so a run the time limit stops
    early still ends at the floor instead of mid-decay.

    >>> lr_factor(0, 10, 110), lr_factor(10, 10, 110), lr_factor(110, 10, 110)
    (0.1, 1.0, 0.1)
    >>> round(lr_factor(60, 10, 110), 3), lr_factor(60, 10, 110, time_used=1.0)  # half the steps, all the time
    (0.55, 0.1)
    """
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, max((step - warmup) / max(1, max_steps - warmup), time_used))
    return LR_FLOOR + (1 - LR_FLOOR) * 0.5 * (1 + math.cos(math.pi * progress))


def _lr_lambda(warmup: int, max_steps: int, clock: Optional[Dict[str, float]] = None) -> Callable[[int], float]:
    """:func:`lr_factor` for ``LambdaLR``; ``clock["time_used"]``, when given, is read at every step."""
    def schedule(step: int) -> float:
        return lr_factor(step, warmup, max_steps, clock["time_used"] if clock else 0.0)

    return schedule


def _batch_order(num_rows: int, batch_size: int, step: int, seed: int) -> torch.Tensor:
    """Row indices of global batch ``step``: a fresh permutation per epoch, a pure function of (seed, step)."""
    per_epoch = max(1, num_rows // batch_size)
    epoch, offset = divmod(step, per_epoch)
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    order = torch.randperm(num_rows, generator=generator)
    return order[offset * batch_size:(offset + 1) * batch_size]


CONTEXT_FRACTION = 0.25
"""Share of training rows that see a known prefix of their own motion (teaches continuation)."""


def _wording_choice(batch_size: int, wordings: int, step: int, seed: int) -> Optional[torch.Tensor]:
    """Which sentence each row of global batch ``step`` is shown with (0: its text; see
    :meth:`.data.MotionRows.batch`), uniform over ``wordings``; None when there is one. Pure in (seed, step).

    >>> _wording_choice(4, 3, step=0, seed=0).tolist()
    [2, 0, 1, 0]
    """
    if wordings <= 1:
        return None
    generator = torch.Generator().manual_seed(seed * 31_337 + step + 5)
    return torch.randint(0, wordings, (batch_size,), generator=generator)


def _context_mask(batch_size: int, frames: int, step: int, seed: int) -> torch.Tensor:
    """(B, T) mask of known prefix frames for global batch ``step``; a pure function of (seed, step)."""
    generator = torch.Generator().manual_seed(seed * 7919 + step)
    use = torch.rand(batch_size, generator=generator) < CONTEXT_FRACTION
    length = torch.randint(1, frames // 2, (batch_size,), generator=generator)
    return (torch.arange(frames)[None, :] < length[:, None]) & use[:, None]


def model_rows(root: Path, split: str, encoder, model, config: TrainConfig, *,
               actions: Optional[List[str]] = None, wordings: bool = False) -> MotionRows:
    """The ``split`` rows of the dataset at ``root`` as ``model`` reads them (its clauses, clock, key moments
    and feature layout), with the text embedded by ``encoder``; ``actions`` (default: the config's) keeps
    only rows of those actions, ``wordings`` also loads each row's extra sentences.

    >>> rows = model_rows(Path("data/demo"), "train", encoder, model, config, wordings=True)  # doctest: +SKIP
    """
    return load_rows(root, split, encoder, fps=config.data.fps, actions=actions or config.data.actions,
                     max_clauses=model.config.get("max_clauses", 0), clock=bool(model.config.get("clock", False)),
                     wordings=wordings, layout=model.feature_layout, events=bool(model.config.get("events", False)),
                     clause_labels=bool(model.config.get("clause_actions", False)),
                     clause_starts=bool(model.config.get("clause_starts", False)),
                     clause_fillers=bool(model.config.get("clause_fillers", False)))


def training_batch(rows: MotionRows, step: int, tc, *, objective: str, mean: torch.Tensor, std: torch.Tensor,
                   fps: int, layout: str = "hip", value_weight: Optional[torch.Tensor] = None, rank: int = 0,
                   world: int = 1, device: Union[str, torch.device] = "cpu") -> Dict[str, Any]:
    """This process's slice of global batch ``step``, as :func:`compute_losses` reads it.

    ``rows`` hold normalised features; ``tc`` is the config's ``training`` section (batch size, seed,
    flow-time draw and tilt). Rows, wordings, continuation prefixes and a flow model's noise and times
    are pure functions of ``(tc.seed, step)``, so ``--resume`` and N processes follow one trajectory;
    process ``rank`` of ``world`` takes its contiguous share of the global batch.

    >>> batch = training_batch(rows, 0, config.training, objective="flow", mean=mean, std=std, fps=25)  # doctest: +SKIP
    """
    local = tc.batch_size // world
    mine = slice(rank * local, (rank + 1) * local)
    index = _batch_order(len(rows), tc.batch_size, step, tc.seed)[mine]
    wording = _wording_choice(tc.batch_size, rows.num_wordings, step, tc.seed)
    batch: Dict[str, Any] = {k: v.to(device) for k, v in rows.batch(index, None if wording is None
                                                                    else wording[mine]).items()}
    batch["context_mask"] = _context_mask(tc.batch_size, rows.features.shape[1], step, tc.seed)[mine].to(device)
    batch.update(feature_mean=mean, feature_std=std, fps=fps, feature_layout=layout)
    if value_weight is not None:
        batch["value_weight"] = value_weight.to(device)
    if objective == "flow":
        drawn = flow_inputs(tc.batch_size, *rows.features.shape[1:], step=step, seed=tc.seed,
                            time_sampling=tc.flow_time)
        batch.update({k: v[mine].to(device) for k, v in drawn.items()})
        if tc.flow_loss_tilt:
            batch["time_weight"] = flow_loss_weight(batch["time"], tc.flow_loss_tilt)
    return batch


def _param_groups(model: torch.nn.Module, weight_decay: float):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (decay if p.ndim >= 2 and "embedding" not in name and "token_position" not in name else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def make_optimizer(model: torch.nn.Module, learning_rate: float, weight_decay: float = 0.0,
                   device: torch.device | str = "cpu") -> torch.optim.AdamW:
    """AdamW over the trainable parameters, weight decay on matrices only, fused where torch has the kernel.

    The fused kernel updates every tensor in one pass: about 3x faster than the default loop on a CPU
    (4 ms against 11 ms a step for the small variant), a few percent of a demo training step.

    >>> opt = make_optimizer(torch.nn.Linear(4, 2), 1e-3, weight_decay=0.1)
    >>> [group["weight_decay"] for group in opt.param_groups], opt.defaults["fused"]
    ([0.1, 0.0], True)
    """
    fused = torch.device(device).type in ("cpu", "cuda")
    return torch.optim.AdamW(_param_groups(model, weight_decay), lr=learning_rate, betas=(0.9, 0.95), fused=fused)


EMA_WARMUP = 10
"""The average's decay after ``n`` updates is ``min(decay, (1 + n) / (EMA_WARMUP + n))``: early, noisy weights
fade out fast instead of lingering for ``1 / (1 - decay)`` steps."""


def make_ema(model: torch.nn.Module, decay: float) -> torch.optim.swa_utils.AveragedModel:
    """An exponential moving average of ``model``'s weights (torch's ``AveragedModel``), warmed up.

    Call ``ema.update_parameters(model)`` after every optimizer step; ``ema.module`` is the averaged model.

    >>> layer = torch.nn.Linear(1, 1, bias=False)
    >>> ema = make_ema(layer, 0.9)
    >>> for value in (0.0, 1.0, 1.0):
    ...     _ = layer.weight.data.fill_(value); ema.update_parameters(layer)
    >>> round(float(ema.module.weight.detach()), 3)  # a copy of 0, then decay 2/11 (0.818), then 3/12 (0.955)
    0.955
    """
    def update(averaged: List[torch.Tensor], current: List[torch.Tensor], num_averaged) -> None:
        n = int(num_averaged)
        weight = 1.0 - min(decay, (1 + n) / (EMA_WARMUP + n))
        for mean, value in zip(averaged, current):
            mean.lerp_(value.to(mean.dtype), weight)

    return torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=update, use_buffers=True)


def _ensure_dataset(config: TrainConfig, accelerator, progress: bool = True) -> Path:
    root = Path(config.data.path)
    if not (root / "meta.json").is_file():
        if root.exists() and any(root.iterdir()):
            raise DataError(f"{root}: exists but holds no dataset (no meta.json); point data.path elsewhere")
        if accelerator.is_main_process:
            from ..data_gen.dataset import write_dataset

            logger.info(f"no dataset at {root}: generating {config.data.num_samples} scenes (seed {config.data.seed})")
            write_dataset(root, config.data.num_samples, seed=config.data.seed, frames=config.data.frames,
                          fps=config.data.fps, progress=progress, paraphrases=config.data.paraphrases)
        accelerator.wait_for_everyone()
    from ..data_gen.dataset import read_meta

    held = int(read_meta(root).get("paraphrases", 0))
    if held != config.data.paraphrases:
        raise DataError(f"{root}: the dataset holds {held} paraphrases per scene, the config asks for "
                        f"data.paraphrases: {config.data.paraphrases}; set it to {held}, or point data.path at a "
                        f"new folder (or remake this one with `stick-gen data --paraphrases "
                        f"{config.data.paraphrases} --overwrite`)")
    return root


def plot_loss_curves(history: List[Dict[str, Any]], path: Path) -> Optional[Path]:
    """Draw training and validation losses against steps to a PNG (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [h for h in history if h.get("split") == "train"]
    val = [h for h in history if h.get("split") == "val"]
    if not train:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for key in ("loss", "motion", "velocity", "action"):
        axes[0].plot([h["step"] for h in train], [h[key] for h in train], label=f"train {key}", lw=1)
    if val:
        axes[0].plot([h["step"] for h in val], [h["loss"] for h in val], "o-", label="val loss", color="black")
        axes[1].plot([h["step"] for h in val], [h["action_accuracy"] for h in val], "o-", label="val action acc.")
        axes[1].set_ylim(0, 1)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("step")
    axes[1].set_xlabel("step")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    axes[0].set_title("losses")
    axes[1].set_title("validation action accuracy")
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=110))
    plt.close(fig)
    return path


@torch.no_grad()
def evaluate_rows(model, rows: MotionRows, mean: torch.Tensor, std: torch.Tensor, weights,
                  batch_size: int = 64, objective: str = "regression", fps: int = 25,
                  value_weight: Optional[torch.Tensor] = None, layout: str = "hip") -> Dict[str, float]:
    """Mean validation losses and per-frame action accuracy over ``rows`` (eval mode, no dropout).

    A flow model is scored at the same noise and flow times on every call (fixed per batch); ``layout``
    is the model's ``feature_layout`` (:data:`stick_gen.model.pose.FEATURE_LAYOUTS`).
    """
    was_training = model.training
    model.eval()
    sums: Dict[str, float] = {}
    correct = 0
    device = next(model.parameters()).device
    for start in range(0, len(rows), batch_size):
        index = torch.arange(start, min(start + batch_size, len(rows)))
        batch = {k: v.to(device) for k, v in rows.batch(index).items()}
        batch["features"] = (batch["features"] - mean.to(device)) / std.to(device)
        batch.update(feature_mean=mean.to(device), feature_std=std.to(device), fps=fps, feature_layout=layout)
        if value_weight is not None:
            batch["value_weight"] = value_weight.to(device)
        if objective == "flow":
            fixed = flow_inputs(len(index), *batch["features"].shape[1:], step=start, seed=-1)
            batch.update({k: v.to(device) for k, v in fixed.items()})
            batch["drop_text"] = torch.zeros_like(batch["drop_text"])
        losses, out = compute_losses(model, batch, weights, objective)
        for k, v in losses.items():
            sums[k] = sums.get(k, 0.0) + float(v) * len(index)
        correct += int((out.action_logits.argmax(-1) == batch["actions"]).sum())
    model.train(was_training)
    result = {k: v / len(rows) for k, v in sums.items()}
    result["action_accuracy"] = correct / (len(rows) * rows.actions.shape[1])
    return result


def initial_model(config: TrainConfig, init_from: Optional[Union[str, Path]], encoder_identity: str,
                  action_vocabulary: Optional[List[str]] = None):
    """A fresh model from ``config.model``, or the ``init_from`` checkpoint's (checked against the config).

    A fresh model records its contract: the data's frame rate and action names (``action_vocabulary``).

    Returns ``(model, base_info)``; ``base_info`` names the base checkpoint of a fine-tune (else ``{}``).

    >>> model, _ = initial_model(load_config("configs/demo.yaml"), None, "minilm-l6-v2/lift1024-v1")  # doctest: +SKIP
    """
    from ..inference.text_encoder import check_encoder_identity
    from ..model.variants import repo_id_for

    base_info: Dict[str, Any] = {}
    if init_from is None:
        contract: Dict[str, Any] = {"fps": config.data.fps}
        if action_vocabulary is not None and "action_vocabulary" not in config.model:
            contract["action_vocabulary"] = list(action_vocabulary)
        model = build_model({**contract, **config.model, "text_encoder": encoder_identity})
    else:
        model, base_ckpt = load_model(init_from)
        if base_ckpt.text_encoder:
            check_encoder_identity(base_ckpt.text_encoder, encoder_identity, where=str(init_from))
        base_info = {"checkpoint": str(init_from), "variant": base_ckpt.variant,
                     "repo_id": repo_id_for(base_ckpt.variant) if base_ckpt.variant else None}
        model.train()
        wanted = {k: v for k, v in (config.model or {}).items() if k != "dropout"}
        clash = {k: (v, model.config.get(k)) for k, v in wanted.items() if model.config.get(k) != v}
        if clash:
            raise ConfigError(f"{config.source}: model section {clash} (config, checkpoint) does not match "
                              f"the checkpoint {init_from}")
    model.text_encoder = encoder_identity
    model.config.text_encoder = encoder_identity
    return model, base_info


def _restore_latest(latest_path: Path, model, optimizer, scheduler, method: str, ema=None):
    """Load model, optimizer, scheduler, RNG state (and the weights' average) from ``latest.pt``.

    Returns ``(step, best_val_loss, train_seconds)``, the last the wall time the run had trained for (the
    learning-rate schedule counts it against the time limit). A run that turns ``ema_decay`` on when
    resuming starts its average from the resumed weights.
    """
    if not latest_path.is_file():
        raise CheckpointError(f"{latest_path}: nothing to resume from (no latest checkpoint in "
                              f"{latest_path.parent})")
    state = load_checkpoint(latest_path)
    if method == TrainingMethod.LORA:
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(model, state.state_dict)
    else:
        model.load_state_dict(state.state_dict)
    optimizer.load_state_dict(state.metadata["optimizer_state_dict"])
    scheduler.load_state_dict(state.metadata["scheduler_state_dict"])
    torch.set_rng_state(state.metadata["rng_state"])
    if ema is not None and "ema_state_dict" in state.metadata:
        ema.module.load_state_dict(state.metadata["ema_state_dict"])
        ema.n_averaged.fill_(int(state.metadata["ema_updates"]))
    return (int(state.metadata["step"]), float(state.metadata.get("best_val_loss", float("inf"))),
            float(state.metadata.get("train_seconds", 0.0)))


def _append_jsonl(path: Path, record: Dict[str, Any]) -> None:
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


MIXED_PRECISION = ("no", "fp16", "bf16")
"""What ``--mixed-precision`` and ``accelerate launch --mixed_precision`` accept here."""


def build_accelerator(output_dir: Union[str, Path], mixed_precision: Optional[str] = None,
                      log_with: Optional[str] = None):
    """The run's ``Accelerator``: accelerate picks the device (CUDA, MPS, CPU, one process or many).

    Mixed precision, first to last: ``mixed_precision``; ``ACCELERATE_MIXED_PRECISION`` (what
    ``accelerate launch --mixed_precision`` and its config set); bf16 on a GPU that supports it, else
    ``"no"``. ``log_with="tensorboard"`` writes event files under ``output_dir/tensorboard``.

    >>> build_accelerator("checkpoints/tiny", mixed_precision="bf16").mixed_precision   # doctest: +SKIP
    'bf16'
    """
    from accelerate import Accelerator, PartialState
    from accelerate.state import AcceleratorState
    from accelerate.utils import is_bf16_available, is_tensorboard_available

    if mixed_precision is not None and mixed_precision not in MIXED_PRECISION:
        raise ConfigError(f"mixed precision {mixed_precision!r}: expected one of {', '.join(MIXED_PRECISION)}")
    if log_with is not None and not is_tensorboard_available():
        raise ConfigError(f"training.log_with: {log_with} needs the tensorboard package: pip install tensorboard")
    # with no accelerator, accelerate runs torchrun's processes as one DDP group (gloo) only when told cpu=True;
    # otherwise it picks the device itself
    probe = getattr(torch, "accelerator", None)  # torch >= 2.6
    cpu = not (probe.is_available() if probe else torch.cuda.is_available() or torch.backends.mps.is_available())
    source = "--mixed-precision"
    if mixed_precision is None:
        source = "ACCELERATE_MIXED_PRECISION (accelerate launch --mixed_precision or its config)"
        if "ACCELERATE_MIXED_PRECISION" not in os.environ:
            gpu = PartialState(cpu=cpu).device.type == "cuda" and is_bf16_available()
            mixed_precision, source = ("bf16" if gpu else "no"), "the default"
    # accelerate keeps its state in a singleton that refuses a second precision; one process may train
    # several times (tests, notebooks), so each run starts it afresh (the process group is kept)
    AcceleratorState._reset_state()
    accelerator = Accelerator(cpu=cpu, mixed_precision=mixed_precision, log_with=log_with,
                              project_dir=str(output_dir) if log_with else None)
    if accelerator.mixed_precision == "fp16" and accelerator.device.type == "cpu":
        # accelerate would quietly train in fp32 on a CPU
        raise ConfigError(f"mixed precision fp16 (from {source}) needs a GPU; on {accelerator.device.type} "
                          f"use bf16 or no")
    return accelerator


def _tracker_config(config: TrainConfig, method: str, mixed_precision: str) -> Dict[str, Any]:
    """The run's settings as flat scalars, for a tracker's hyperparameter table."""
    flat: Dict[str, Any] = {"variant": config.variant or "custom", "method": method,
                            "mixed_precision": mixed_precision}
    for section in ("data", "training"):
        for key, value in config.to_dict()[section].items():
            for name, item in (value.items() if isinstance(value, dict) else [(None, value)]):
                if item is not None:
                    flat[f"{section}.{key}" + (f".{name}" if name else "")] = (
                        item if isinstance(item, (int, float, str, bool)) else str(item))
    return flat


def train(
    config: TrainConfig,
    output_dir: Union[str, Path],
    *,
    resume: bool = False,
    init_from: Optional[Union[str, Path]] = None,
    best_name: Optional[str] = None,
    progress: bool = True,
    stop_after: Optional[int] = None,
    mixed_precision: Optional[str] = None,
) -> TrainResult:
    """Train (or fine-tune, when ``config.finetune`` is set) and write checkpoints to ``output_dir``.

    ``stop_after`` ends the run at that step as an interruption would (saving ``latest``), without
    changing the schedule, which is computed from ``max_steps``. ``mixed_precision`` (``"no"``,
    ``"fp16"``, ``"bf16"``) wins over accelerate's setting (:func:`build_accelerator`).
    """
    from tqdm.auto import tqdm

    from ..inference.text_encoder import load_text_encoder

    method = config.finetune.method if config.finetune else TrainingMethod.PRETRAIN.value  # a str: it is saved
    if method in (TrainingMethod.SFT, TrainingMethod.LORA) or (config.finetune and method != TrainingMethod.PRETRAIN):
        if init_from is None:
            raise ConfigError(f"fine-tuning ({method}) needs --init-from CHECKPOINT (a pretrained model)")
    tc = config.training
    if tc.ema_decay is not None and method == TrainingMethod.LORA:
        raise ConfigError(f"training.ema_decay ({tc.ema_decay}) does not apply to LoRA fine-tuning; "
                          f"remove it from the config")
    accelerator = build_accelerator(output_dir, mixed_precision, tc.log_with)
    torch.manual_seed(tc.seed + accelerator.process_index)
    if tc.batch_size % accelerator.num_processes:
        raise ConfigError(f"training.batch_size={tc.batch_size} is not divisible by {accelerator.num_processes} "
                          f"processes")
    output_dir = Path(output_dir)
    if accelerator.is_main_process:
        output_dir.mkdir(parents=True, exist_ok=True)
    root = _ensure_dataset(config, accelerator, progress=progress)
    # on a GPU the prompts are embedded there too (seconds instead of minutes for MiniLM)
    encoder = load_text_encoder(config.text_encoder, device=accelerator.device)

    from ..data_gen.dataset import read_meta

    model, base_info = initial_model(config, init_from, encoder.identity, read_meta(root).get("actions"))

    objective = model.config.get("objective", "regression")
    fine_actions = config.finetune.actions if config.finetune else None
    layout = model.feature_layout
    train_rows = model_rows(root, "train", encoder, model, config, actions=fine_actions, wordings=True)
    val_rows = model_rows(root, "val", encoder, model, config, actions=fine_actions)
    val_rows = val_rows.select(torch.arange(len(val_rows)) < tc.eval_rows)
    if init_from is None:
        mean, std = feature_statistics(train_rows.features)
        model.feature_mean.copy_(mean)
        model.feature_std.copy_(std)
    mean, std = model.feature_mean.clone(), model.feature_std.clone()
    train_rows.features = (train_rows.features - mean) / std
    value_weight = None
    if tc.value_weighting == "balanced":
        value_weight = value_weights(train_rows.features, train_rows.actions)

    if method == TrainingMethod.LORA:
        from .lora import apply_lora

        fc = config.finetune
        model = apply_lora(model, r=fc.lora_r, alpha=fc.lora_alpha, dropout=fc.lora_dropout,
                           target_modules=fc.lora_targets, base_repo_id=base_info.get("repo_id"))
    optimizer = make_optimizer(model, tc.learning_rate, tc.weight_decay, accelerator.device)
    ema = make_ema(model, tc.ema_decay) if tc.ema_decay is not None else None
    clock = {"time_used": 0.0}  # the share of the time limit spent, which the schedule reads (see lr_factor)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _lr_lambda(tc.warmup_steps, tc.max_steps, clock))

    step, best_val, seconds_before = 0, float("inf"), 0.0
    history: List[Dict[str, Any]] = []
    latest_path = output_dir / LATEST
    if resume:
        step, best_val, seconds_before = _restore_latest(latest_path, model, optimizer, scheduler, method, ema)
        history = _read_history(output_dir / "metrics.jsonl", up_to=step)

    model, optimizer = accelerator.prepare(model, optimizer)
    device = accelerator.device
    if ema is not None:
        ema.to(device)
    mean_d, std_d = mean.to(device), std.to(device)
    best_name = best_name or BEST.get(method, f"best_{method}.pt")
    best_path = output_dir / best_name

    def scored() -> torch.nn.Module:
        """The weights validation scores and ``best_model.pt`` holds: the average when there is one."""
        return ema.module if ema is not None else accelerator.unwrap_model(model)

    def save(path: Path, *, with_state: bool, metrics: Dict[str, float]) -> None:
        if not accelerator.is_main_process:
            return
        plain = accelerator.unwrap_model(model) if with_state else scored()
        extra: Dict[str, Any] = {"method": method, "config": config.to_dict(), "best_val_loss": best_val,
                                 "mixed_precision": accelerator.mixed_precision,
                                 "train_seconds": round(seconds_before + time.time() - started, 3)}
        if base_info and method != TrainingMethod.LORA:  # LoRA files record their base themselves, with its config
            extra["base_model"] = base_info
        if config.finetune:
            extra["finetune"] = {"method": method, "domain": config.finetune.domain,
                                 "actions": config.finetune.actions, "max_steps": tc.max_steps,
                                 "learning_rate": tc.learning_rate}
        if with_state:
            extra.update(optimizer_state_dict=optimizer.state_dict(), scheduler_state_dict=scheduler.state_dict(),
                         rng_state=torch.get_rng_state())
            if ema is not None:
                extra.update(ema_state_dict=plain_state_dict(ema.module), ema_updates=int(ema.n_averaged))
        if method == TrainingMethod.LORA:
            from .lora import ADAPTER_DIR, save_lora_checkpoint

            # the best adapters also in peft's own format: OUTPUT/adapter/ loads with PeftModel.from_pretrained
            save_lora_checkpoint(path, plain, base=base_info, step=step, metrics=metrics, extra=extra,
                                 adapter_dir=output_dir / ADAPTER_DIR if path == best_path else None)
        else:
            save_training_checkpoint(path, plain, step=step, metrics=metrics, extra=extra)

    rank, world = accelerator.process_index, accelerator.num_processes
    bar = tqdm(total=tc.max_steps, initial=step, disable=not (progress and accelerator.is_main_process),
               desc=f"train {config.variant or 'custom'}", unit="step", dynamic_ncols=True)
    log_file = output_dir / "metrics.jsonl"
    if tc.log_with:
        accelerator.init_trackers("tensorboard", config=_tracker_config(config, method, accelerator.mixed_precision))
    if accelerator.is_main_process:  # how fast the machine is: the yardstick for the steps a time limit reaches
        speed = machine_record(step, "start", device)
        _append_jsonl(log_file, speed)
        logger.info(f"{speed['device']}, {speed['threads']} threads: {speed['matmul_gflops']:.0f} GFLOP/s "
                    "(fp32 matrix product, median)")
    started, seen, window_start = time.time(), 0, time.time()
    stopped_early = False
    model.train()
    while step < tc.max_steps:
        batch = training_batch(train_rows, step, tc, objective=objective, mean=mean_d, std=std_d,
                               fps=config.data.fps, layout=layout, value_weight=value_weight, rank=rank,
                               world=world, device=device)
        with accelerator.autocast():
            losses, _ = compute_losses(model, batch, tc.loss_weights, objective)
        accelerator.backward(losses["loss"])
        if tc.grad_clip:
            accelerator.clip_grad_norm_(model.parameters(), tc.grad_clip)
        optimizer.step()
        if tc.time_limit_minutes is not None:  # wall time spent in this and earlier sittings, over the limit
            clock["time_used"] = (seconds_before + time.time() - started) / (tc.time_limit_minutes * 60)
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        if ema is not None:
            ema.update_parameters(accelerator.unwrap_model(model))
        step += 1
        seen += tc.batch_size
        bar.update(1)
        if step % tc.log_every == 0 or step == tc.max_steps:
            rate = seen / max(1e-9, time.time() - window_start)
            # every process holds the loss of its slice: log the mean, i.e. the global batch's loss
            parts = accelerator.reduce(torch.stack([v.detach() for v in losses.values()]), reduction="mean")
            record = {"split": "train", "step": step, "lr": scheduler.get_last_lr()[0], "samples_per_s": rate,
                      **{k: float(v) for k, v in zip(losses, parts)}}
            history.append(record)
            bar.set_postfix(loss=f"{record['loss']:.4f}", samples_s=f"{rate:.1f}")
            if accelerator.is_main_process:
                _append_jsonl(log_file, record)
            _track(accelerator, record)
            seen, window_start = 0, time.time()
        out_of_time = (tc.time_limit_minutes is not None and time.time() - started > tc.time_limit_minutes * 60) or (
            stop_after is not None and step >= stop_after)
        if step % tc.eval_every == 0 or step == tc.max_steps or out_of_time:
            scores = evaluate_rows(scored(), val_rows, mean, std, tc.loss_weights,
                                   objective=objective, fps=config.data.fps, value_weight=value_weight,
                                   layout=layout)
            record = {"split": "val", "step": step, **scores}
            history.append(record)
            if accelerator.is_main_process:
                _append_jsonl(log_file, record)
            _track(accelerator, record)
            if scores["loss"] < best_val:
                best_val = scores["loss"]
                save(best_path, with_state=False, metrics={"val_" + k: v for k, v in scores.items()})
        if step % tc.save_every == 0 or step == tc.max_steps or out_of_time:
            save(latest_path, with_state=True, metrics={})
        if out_of_time:
            stopped_early = True
            break
    bar.close()
    accelerator.wait_for_everyone()
    # what accelerator.end_training() does, less destroying the process group a caller may still use
    for tracker in accelerator.trackers:
        tracker.finish()
    if accelerator.is_main_process:
        _append_jsonl(log_file, machine_record(step, "end", device))
        plot_loss_curves(history, output_dir / "loss_curves.png")
        if stopped_early:
            floor = " (the time limit also ended the learning-rate decay)" if clock["time_used"] >= 1 else ""
            logger.info(f"stopped at step {step} of {tc.max_steps}{floor}; `--resume` continues from {latest_path}")
    if not best_path.exists() and accelerator.is_main_process:
        raise DataError(f"training ended without a validation pass; nothing written to {best_path}")
    return TrainResult(output_dir, best_path, latest_path, step, best_val, history, accelerator.mixed_precision)


def _track(accelerator, record: Dict[str, Any]) -> None:
    """Send a ``metrics.jsonl`` record to the trackers, as ``train/loss``, ``val/action_accuracy``, ...."""
    if accelerator.trackers:
        accelerator.log({f"{record['split']}/{k}": v for k, v in record.items() if k not in ("split", "step")},
                        step=record["step"])


def _read_history(path: Path, up_to: int) -> List[Dict[str, Any]]:
    """Earlier log lines (for the curves), trimming anything logged after the resumed step.

    A crash can leave the last line half written: such a torn last line is dropped with a warning.
    Any other unreadable line means the file is not this run's log: a :class:`ConfigError` names it.
    """
    if not path.is_file():
        return []
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("step"), int):
                raise ValueError("no step")
        except ValueError:
            if number == len(lines):
                warnings.warn(f"{path}: ignoring its torn last line {number} (a crash while writing it)")
                break
            raise ConfigError(f"{path}: line {number} is not a training log record; move the file away to "
                              f"resume without the earlier curves") from None
        records.append(record)
    kept = [r for r in records if r["step"] <= up_to]
    atomic_write(path, lambda p: p.write_text("".join(json.dumps(r) + "\n" for r in kept)))
    return kept
