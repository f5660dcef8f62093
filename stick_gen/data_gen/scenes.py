"""Whole scenes: a plan, its sentence, latents and the motion of every actor, with root physics.

>>> scene = generate_scene(np.random.default_rng(0))
>>> scene.poses.shape[0], scene.poses.shape[2], scene.physics.shape[2]
(250, 20, 6)

Physics per actor and frame: the hip's velocity ``(vx, vy)`` in m/s, acceleration ``(ax, ay)`` in
m/s^2 (both central finite differences, ``np.gradient``, one-sided at the ends) and momentum
``(px, py) = mass * velocity`` in kg m/s, with ``mass = BMI * height**2`` (see :mod:`.body`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, TypeVar, Union

import numpy as np
import torch

from ..model.pose import HIP_X, HIP_Y
from .latents import sample_scene_latents
from .plans import ScenePlan, sample_plan
from .synth import ball_events, interaction_schedule, synthesize_actor
from .text import describe

PHYSICS_QUANTITIES: Tuple[str, ...] = ("vx", "vy", "ax", "ay", "px", "py")
"""The six physics values per frame, in the dataset's order: hip velocity, acceleration, momentum."""

Array = TypeVar("Array", np.ndarray, torch.Tensor)


@dataclass
class Scene:
    """One generated scene. T = frames, A = actors (slot order = order of mention in ``text``)."""

    text: str
    num_actors: int
    poses: np.ndarray  # (T, A, 20) float32, world coordinates, canonical
    actions: np.ndarray  # (T, A) int64 class ids
    latents: np.ndarray  # (A, LATENT_DIM) float32 in [0, 1)
    physics: np.ndarray  # (T, A, 6) float32: vx, vy, ax, ay, px, py of the hip
    heights: np.ndarray  # (A,) float32, metres
    masses: np.ndarray  # (A,) float32, kg
    start_x: np.ndarray  # (A,) float32, hip x at frame 0
    plan: List[List[Tuple[str, int, int]]]  # per actor: (action, start frame, end frame exclusive)
    interaction: Optional[str]  # None, "catch", "handshake", "high_five", "hug" or "fight"
    events: List[Dict]  # interaction moments (release/catch frames, contact frame, punch frames)
    actor_texts: List[str]
    scene_plan: ScenePlan
    fps: int = 25


def root_physics(poses: Array, masses: Union[Sequence[float], Array], fps: int, axis: int = 0) -> Array:
    """Hip velocity, acceleration and momentum, (vx, vy, ax, ay, px, py) in SI units, from world poses.

    Frames run along ``axis`` of ``poses``: a scene's ``(T, A, 20)`` (``axis=0``, the default) gives
    ``(T, A, 6)``; a batch of clips ``(B, T, 20)`` with ``axis=1`` gives ``(B, T, 6)``. ``masses`` holds one
    mass in kg per actor or clip (the other leading axis). Velocity and acceleration are central
    differences (``np.gradient``, one-sided at the two ends) in m/s and m/s^2; momentum is ``mass * v``.
    Computed in float64, returned as float32, as a numpy array or a torch tensor like ``poses``. The one
    definition for the dataset and for ``stick-gen evaluate``'s Physics MSE.

    >>> p = np.zeros((5, 1, 20), np.float32); p[:, 0, 2] = np.arange(5) * 0.1
    >>> root_physics(p, [70.0], 25)[2, 0].round(2).tolist()
    [2.5, 0.0, 0.0, 0.0, 175.0, 0.0]
    >>> import torch
    >>> root_physics(torch.from_numpy(p).transpose(0, 1), torch.tensor([70.0]), 25, axis=1).shape
    torch.Size([1, 5, 6])
    """
    tensor = poses if isinstance(poses, torch.Tensor) else None
    values = tensor.detach().cpu().double().numpy() if tensor is not None else np.asarray(poses, dtype=np.float64)
    if isinstance(masses, torch.Tensor):
        masses = masses.detach().cpu().double().numpy()
    hip = values[..., [HIP_X, HIP_Y]]  # (T, A, 2) or (B, T, 2)
    if hip.shape[axis] < 2:
        physics = np.zeros(hip.shape[:-1] + (6,), np.float32)
    else:
        velocity = np.gradient(hip, 1.0 / fps, axis=axis)
        acceleration = np.gradient(velocity, 1.0 / fps, axis=axis)
        mass = np.expand_dims(np.asarray(masses, dtype=np.float64), axis)[..., None]  # (1, A, 1) or (B, 1, 1)
        physics = np.concatenate([velocity, acceleration, mass * velocity], axis=-1).astype(np.float32)
    return physics if tensor is None else torch.from_numpy(physics).to(tensor.device)


def synthesize_scene(plan: ScenePlan, latents: np.ndarray, frames: int = 250, fps: int = 25,
                     noise_rng: Optional[np.random.Generator] = None):
    """Motion of every actor of ``plan`` for ``latents [A, LATENT_DIM]``: the plan + z -> motion step."""
    schedule = interaction_schedule(plan, latents[0], frames, fps)
    motions = [synthesize_actor(plan, a, latents[a], frames, fps, noise_rng, schedule) for a in range(plan.num_actors)]
    return motions, ball_events(schedule, motions, latents, fps)


def generate_scene(rng: np.random.Generator, split: str = "train", num_actors: Optional[int] = None,
                   actions: Optional[Sequence[str]] = None, frames: int = 250, fps: int = 25) -> Scene:
    """Draw a plan for ``split``, describe it, draw latents, synthesise every actor.

    ``num_actors`` fixes the number of people (1-3); ``actions`` fixes the sequence of actions every
    actor performs (e.g. ``["wave"]``). Deterministic for a given ``rng`` state.

    >>> s = generate_scene(np.random.default_rng(1), num_actors=1, actions=["wave"])
    >>> s.plan[0][0][0], s.num_actors
    ('wave', 1)
    """
    if frames < 2 or fps < 1:
        raise ValueError(f"frames={frames}, fps={fps}: a clip needs at least 2 frames and 1 fps")
    plan = sample_plan(rng, split, num_actors, actions)
    text, per_actor = describe(plan, rng, held_out=split == "test")
    n = plan.num_actors
    latents = sample_scene_latents(n, rng)
    motions, events = synthesize_scene(plan, latents, frames, fps, noise_rng=rng)
    poses = np.stack([m.poses for m in motions], axis=1).astype(np.float32)  # (T, A, 20)
    masses = np.array([m.body.mass for m in motions], np.float32)
    return Scene(
        text=text,
        num_actors=n,
        poses=poses,
        actions=np.stack([m.actions for m in motions], axis=1).astype(np.int64),
        latents=latents,
        physics=root_physics(poses, masses, fps),
        heights=np.array([m.body.height for m in motions], np.float32),
        masses=masses,
        start_x=np.array([m.start_x for m in motions], np.float32),
        plan=[m.plan for m in motions],
        interaction=plan.interaction,
        events=events,
        actor_texts=per_actor,
        scene_plan=plan,
        fps=fps,
    )

