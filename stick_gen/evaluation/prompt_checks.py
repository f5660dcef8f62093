"""Plain prompts judged physically: does the figure do what the sentence says, measured on its joints?

Each :class:`PromptCheck` is a prompt a user might type, one number measured on the first actor's joints
(metres, seconds) and the threshold that number must pass. The thresholds are the physics of the action,
not of a model: every check passes on the data generator's own clips of its action, and a figure frozen in
a standing pose fails all but "stands still" (``tests/test_prompt_checks.py``). Two of the prompts use
wording no training template uses, so a model passes them only if it follows words, not templates.

>>> poses = np.zeros((250, 20)); poses[:, 2] = np.linspace(0.0, 12.0, 250)  # the hip moves 12 m right
>>> CHECKS[0].prompt, CHECKS[0].measure(poses, 25), CHECKS[0].passes(poses, 25)
('A person walks to the right', 12.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from ..model.clock import effector_speed
from ..model.pose import DEFAULT_FPS, JOINT_SLOTS

Measure = Callable[[np.ndarray, int], float]
"""``(poses [T, 20] of one actor, fps) -> the checked number``."""


def _joint(poses: np.ndarray, joint: str) -> np.ndarray:
    """``[T, 2]`` positions of ``joint``."""
    return poses[:, list(JOINT_SLOTS[joint])]


def travel_right(poses: np.ndarray, fps: int) -> float:
    """Metres the hip ends to the right of where it started (negative: to the left)."""
    hip = _joint(poses, "hip")[:, 0]
    return float(hip[-1] - hip[0])


def travel(poses: np.ndarray, fps: int) -> float:
    """Metres between where the hip starts and where it ends, either way."""
    return abs(travel_right(poses, fps))


def final_hip_height(poses: np.ndarray, fps: int) -> float:
    """The hip's mean height over the last second, in metres."""
    return float(_joint(poses, "hip")[-fps:, 1].mean())


def final_neck_height(poses: np.ndarray, fps: int) -> float:
    """The neck's mean height over the last second, in metres (a lying figure's neck is near the ground)."""
    return float(_joint(poses, "neck")[-fps:, 1].mean())


def hand_over_neck(poses: np.ndarray, fps: int) -> float:
    """How far the higher hand gets above the neck, in metres (its 95th percentile over the clip)."""
    neck = _joint(poses, "neck")[:, 1]
    higher = np.maximum(_joint(poses, "left_hand")[:, 1], _joint(poses, "right_hand")[:, 1])
    return float(np.percentile(higher - neck, 95))


def both_hands_over_neck(poses: np.ndarray, fps: int) -> float:
    """How far the *lower* hand gets above the neck, in metres (95th percentile): both arms up at once."""
    neck = _joint(poses, "neck")[:, 1]
    lower = np.minimum(_joint(poses, "left_hand")[:, 1], _joint(poses, "right_hand")[:, 1])
    return float(np.percentile(lower - neck, 95))


HOP_RISE = 0.04
"""A hop lifts the hip at least this far (metres) above its resting height."""


def hip_lifts(poses: np.ndarray, fps: int) -> float:
    """How many separate times the hip rises :data:`HOP_RISE` above its resting height (its 20th percentile).

    A lift counts once from when the hip passes the rise until it comes back down within a quarter of it.
    """
    height = _joint(poses, "hip")[:, 1]
    rest = np.percentile(height, 20)
    lifts, up = 0, False
    for value in height - rest:
        if not up and value >= HOP_RISE:
            lifts, up = lifts + 1, True
        elif up and value <= HOP_RISE / 4:
            up = False
    return float(lifts)


def joint_speed(poses: np.ndarray, fps: int) -> float:
    """Mean speed of the six joints, in metres per second (a figure standing still keeps only a sway)."""
    joints = np.stack([_joint(poses, name) for name in JOINT_SLOTS], axis=1)  # (T, 6, 2)
    return float(np.linalg.norm(np.diff(joints, axis=0), axis=-1).mean() * fps)


def hand_whip(poses: np.ndarray, fps: int) -> float:
    """How fast the quicker hand moves relative to the hip at its quickest, in m/s (99th percentile of frames).

    A throw whips the hand at 5-7 m/s in the data generator's takes (a thrower in a game of catch 4.3-4.7);
    a hand hanging at rest moves under 0.3 m/s.
    """
    speed = effector_speed(np.asarray(poses)[None], fps, ("left_hand", "right_hand"))[0, 1:]  # frame 0 repeats 1
    return float(np.percentile(speed, 99))


@dataclass(frozen=True)
class PromptCheck:
    """A prompt, what is measured on its first actor and the bound the measure must pass."""

    prompt: str
    action: str
    """The data generator's action the prompt asks for (its real clips must pass)."""
    measure: Measure
    bound: float
    above: bool
    """True: the measure must be at least ``bound``; False: at most."""
    unit: str
    direction: Optional[str] = None
    """``left``/``right`` when the prompt names one (the real takes then go that way)."""
    pace: Optional[str] = None
    """``slow``/``fast`` when the prompt names one."""

    def passes(self, poses: np.ndarray, fps: int = DEFAULT_FPS) -> bool:
        """Whether ``poses [T, 20]`` (one actor) does what the prompt says."""
        value = self.measure(poses, fps)
        return value >= self.bound if self.above else value <= self.bound

    @property
    def rule(self) -> str:
        """The test in words, e.g. ``travel_right >= 5 m``."""
        return f"{self.measure.__name__} {'>=' if self.above else '<='} {self.bound:g} {self.unit}"


CHECKS: Sequence[PromptCheck] = (
    PromptCheck("A person walks to the right", "walk", travel_right, 5.0, True, "m", direction="right"),
    PromptCheck("A person sits down", "sit_down", final_hip_height, 0.65, False, "m"),
    PromptCheck("A person waves", "wave", hand_over_neck, 0.15, True, "m"),
    PromptCheck("A person lies down", "lie_down", final_neck_height, 0.5, False, "m"),
    PromptCheck("A person does jumping jacks", "star_jump", both_hands_over_neck, 0.1, True, "m"),
    PromptCheck("A person hops in place", "hop", hip_lifts, 3, True, "lifts"),
    PromptCheck("A person stands still", "stand", joint_speed, 0.1, False, "m/s"),
    PromptCheck("Two people playing catch", "throw", hand_whip, 3.0, True, "m/s"),
    PromptCheck("the guy takes a seat", "sit_down", final_hip_height, 0.65, False, "m"),
    PromptCheck("someone strolls along slowly", "walk", travel, 1.0, True, "m", pace="slow"),
)
"""The plain prompts, in the order reports list them; the last two use wording no template uses. In "Two people
playing catch" the first actor is the one who throws first (slot 0 of the data's game of catch), and its real
takes are the generator's throws."""


def real_take(check: PromptCheck, seed: int, frames: int = 250, fps: int = DEFAULT_FPS) -> np.ndarray:
    """The data generator's clip ``[frames, 20]`` of what ``check`` asks for (its action, direction and pace).

    >>> waves = real_take(CHECKS[2], seed=0)
    >>> waves.shape, CHECKS[2].passes(waves)
    ((250, 20), True)
    """
    from ..data_gen.latents import sample_scene_latents
    from ..data_gen.plans import ActorPlan, ScenePlan, SegmentPlan
    from ..data_gen.scenes import synthesize_scene

    plan = ScenePlan((ActorPlan((SegmentPlan(check.action, check.direction, check.pace),)),))
    rng = np.random.default_rng([seed, 4093])
    motions, _ = synthesize_scene(plan, sample_scene_latents(1, rng), frames, fps, noise_rng=rng)
    return motions[0].poses.astype(np.float64)


def _passed(check: PromptCheck, values: Sequence[float]) -> int:
    return int(sum(v >= check.bound if check.above else v <= check.bound for v in values))


def check_pipeline(pipe, seeds: int = 5, checks: Sequence[PromptCheck] = CHECKS) -> List[Dict[str, object]]:
    """Run every check on ``seeds`` takes (seeds 0, 1, ...) of its prompt from ``pipe`` (a ``StickGenPipeline``).

    Returns one record per check: ``prompt``, ``rule``, ``values`` (one per seed), ``passed`` (how many), and
    the same for the data generator's takes of the action (``real_values``, ``real_passed``) beside them.

    >>> from stick_gen.inference.pipeline import StickGenPipeline     # doctest: +SKIP
    >>> check_pipeline(StickGenPipeline.from_pretrained("demo_out/hf_upload"))[0]["passed"]  # doctest: +SKIP
    5
    """
    records = []
    for check in checks:
        takes = [pipe(check.prompt, seed=seed) for seed in range(seeds)]
        values = [check.measure(np.asarray(take.frames[:, 0], np.float64), take.fps) for take in takes]
        fps, frames = takes[0].fps, takes[0].num_frames
        real = [check.measure(real_take(check, seed, frames, fps), fps) for seed in range(seeds)]
        records.append({"prompt": check.prompt, "rule": check.rule, "values": [round(v, 3) for v in values],
                        "passed": _passed(check, values), "seeds": seeds,
                        "real_values": [round(v, 3) for v in real], "real_passed": _passed(check, real)})
    return records


def format_checks(records: Sequence[Dict[str, object]]) -> str:
    """The records of :func:`check_pipeline` as an aligned text table, real motion's passes beside the model's.

    >>> print(format_checks([{"prompt": "A person waves", "rule": "hand_over_neck >= 0.15 m", "values": [0.2, 0.1],
    ...                       "passed": 1, "seeds": 2, "real_values": [0.5, 0.52], "real_passed": 2}]))
    prompt          rule                      model  real  model's values
    A person waves  hand_over_neck >= 0.15 m  1/2    2/2   0.2, 0.1
    """
    rows = [("prompt", "rule", "model", "real", "model's values")] + [
        (str(r["prompt"]), str(r["rule"]), f"{r['passed']}/{r['seeds']}", f"{r['real_passed']}/{r['seeds']}",
         ", ".join(f"{v:g}" for v in r["values"])) for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4] for row in rows)
