"""Scene plans: what a sentence says (who, which actions in which order, how fast, which way).

A :class:`ScenePlan` holds only text-level facts; everything else (timing, tempo inside the pace's
range, phase, spacing...) comes from the latents when the plan is turned into motion
(:mod:`.synth`).

Splits. An unordered pair of different actions in one scene is a *combination*; a fixed ~12% of all
pairs, chosen by a hash of the sorted pair (:func:`held_out_pair`), never appears in the train or
val splits. Every test scene with two or more different actions holds at least one of them. Pairs
that make up an interaction (throw + catch, punch + dodge) are never held out, and every single
action appears in training. Held-out phrasings are in :mod:`.text`.

>>> plan = sample_plan(np.random.default_rng(0), "train")
>>> 1 <= len(plan.actors) <= 3
True
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Sequence, Tuple

import numpy as np

from .actions import ACTIONS, spec
from .latents import MAX_SEGMENTS

SPLITS: Tuple[str, ...] = ("train", "val", "test")
INTERACTIONS: Tuple[str, ...] = ("catch", "handshake", "high_five", "hug", "fight")
INTERACTION_ACTIONS = {
    "catch": ("throw", "catch"),
    "handshake": ("shake_hands", "shake_hands"),
    "high_five": ("high_five", "high_five"),
    "hug": ("hug", "hug"),
    "fight": ("punch", "dodge"),
}
"""Actions of slot 0 and slot 1 in the first interaction segment (roles swap in later ones)."""
HELD_OUT_PERCENT = 12
NEVER_HELD_OUT: FrozenSet[Tuple[str, str]] = frozenset({("catch", "throw"), ("dodge", "punch")})
PARTNER_ONLY_WITH_PARTNER: FrozenSet[str] = frozenset({"shake_hands", "high_five", "hug"})
"""With two or more people these only appear as an interaction: "two people hug" means each other."""
PRE_INTERACTION = ("stand", "wave", "clap", "bow", "salute", "shrug", "celebrate", "point", "stretch")
"""Actions partners may do (together, in place) before their interaction."""


@dataclass(frozen=True)
class SegmentPlan:
    """One action of one actor, with what the text says about it."""

    action: str
    direction: Optional[str] = None  # "left" / "right" (world), None = the text does not say
    pace: Optional[str] = None  # "slow" / "fast" / None


@dataclass(frozen=True)
class ActorPlan:
    """One actor: how the text names them and their actions in order."""

    segments: Tuple[SegmentPlan, ...]
    noun: str = "person"  # person / man / woman
    height_word: Optional[str] = None  # tall / short / None

    @property
    def actions(self) -> Tuple[str, ...]:
        return tuple(s.action for s in self.segments)


@dataclass(frozen=True)
class ScenePlan:
    """Everything a scene's sentence determines. Slot i of ``actors`` is the i-th person mentioned."""

    actors: Tuple[ActorPlan, ...]
    interaction: Optional[str] = None
    interaction_segments: Tuple[int, ...] = ()
    together: bool = False  # every actor does the same actions ("two people walk to the left")

    @property
    def num_actors(self) -> int:
        return len(self.actors)

    def action_set(self) -> FrozenSet[str]:
        return frozenset(a for actor in self.actors for a in actor.actions)


def held_out_pair(a: str, b: str) -> bool:
    """Whether the combination of actions ``a`` and ``b`` is reserved for the test split.

    >>> held_out_pair("walk", "wave") == held_out_pair("wave", "walk")
    True
    """
    if a == b:
        return False
    pair = tuple(sorted((a, b)))
    if pair in NEVER_HELD_OUT:
        return False
    digest = hashlib.sha1(f"{pair[0]}|{pair[1]}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < HELD_OUT_PERCENT


def held_out_pairs_in(plan: ScenePlan) -> List[Tuple[str, str]]:
    """The held-out combinations a plan contains."""
    names = sorted(plan.action_set())
    return [(a, b) for a, b in itertools.combinations(names, 2) if held_out_pair(a, b)]


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split={split!r}: use one of {SPLITS}")


_NOUNS = ("person", "person", "person", "man", "woman")


def _sample_person(rng: np.random.Generator) -> Tuple[str, Optional[str]]:
    noun = _NOUNS[rng.integers(len(_NOUNS))]
    r = rng.random()
    return noun, ("tall" if r < 0.15 else "short" if r < 0.3 else None)


_BY_POSTURE = {
    posture: [a for a in ACTIONS if spec(a).start_posture == posture]
    for posture in ("stand", "sit", "lie")
}


def _sample_segments(rng: np.random.Generator, count: int, first_posture: Optional[str] = None,
                     exclude: FrozenSet[str] = frozenset()) -> Tuple[SegmentPlan, ...]:
    """``count`` actions in a row whose postures chain (sitting -> stand_up...), with pace and direction.

    Directions stay consistent with "turns around": once the text has fixed which way the actor
    faces, a turn flips it and the next direction word must agree.
    """
    if first_posture is None:
        r = rng.random()
        first_posture = "sit" if r < 0.06 else "lie" if r < 0.11 else "stand"
    posture, previous = first_posture, None
    facing: Optional[str] = None  # which way the text says the actor faces now
    turned = False  # a turn since the text last fixed the facing
    segments: List[SegmentPlan] = []
    for k in range(count):
        options = [a for a in _BY_POSTURE[posture]
                   if a != previous and a not in exclude and (k == count - 1 or not spec(a).final_only)]
        if not options:
            break
        action = options[rng.integers(len(options))]
        s = spec(action)
        pace = None
        if s.paces and rng.random() < 0.35:
            pace = s.paces[rng.integers(len(s.paces))]
        direction = None
        if s.directional and rng.random() < 0.6:
            if s.motion != "lateral" and turned and facing is not None:
                direction = facing if s.motion == "forward" else _flip(facing)
            else:
                direction = ("left", "right")[rng.integers(2)]
            if s.motion != "lateral":
                facing = direction if s.motion == "forward" else _flip(direction)
                turned = False
        if action == "turn_around" and facing is not None:
            facing, turned = _flip(facing), True
        segments.append(SegmentPlan(action, direction, pace))
        posture, previous = s.end_posture, action
    return tuple(segments)


def _flip(direction: str) -> str:
    return "left" if direction == "right" else "right"


def _segment_count(rng: np.random.Generator) -> int:
    return int(rng.choice([1, 2, 3, 4], p=[0.28, 0.38, 0.24, 0.10]))


def _interaction_plan(rng: np.random.Generator) -> ScenePlan:
    kind = INTERACTIONS[rng.choice(len(INTERACTIONS), p=[0.3, 0.17, 0.17, 0.14, 0.22])]
    first, second = INTERACTION_ACTIONS[kind]
    rounds = 1
    if kind == "catch":
        rounds = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
    elif kind == "fight":
        rounds = int(rng.choice([1, 2], p=[0.6, 0.4]))
    pre = None
    if rounds < 3 and rng.random() < 0.25:
        pre = SegmentPlan(PRE_INTERACTION[rng.integers(len(PRE_INTERACTION))])
    post = None
    if rounds + (pre is not None) < MAX_SEGMENTS and rng.random() < 0.3:
        post = _sample_segments(rng, 1, "stand", PARTNER_ONLY_WITH_PARTNER)[0]
    seats: List[List[SegmentPlan]] = [[], []]
    inter: List[int] = []
    if pre is not None:
        seats[0].append(pre)
        seats[1].append(pre)
    for r in range(rounds):
        a, b = (first, second) if r % 2 == 0 else (second, first)
        inter.append(len(seats[0]))
        seats[0].append(SegmentPlan(a))
        seats[1].append(SegmentPlan(b))
    if post is not None:
        seats[0].append(post)
        seats[1].append(post)
    people = [_sample_person(rng) for _ in range(2)]
    actors = tuple(ActorPlan(tuple(s), noun, height) for s, (noun, height) in zip(seats, people))
    return ScenePlan(actors, kind, tuple(inter))


def _free_plan(rng: np.random.Generator, num_actors: int) -> ScenePlan:
    people = [_sample_person(rng) for _ in range(num_actors)]
    exclude = PARTNER_ONLY_WITH_PARTNER if num_actors > 1 else frozenset()
    if num_actors > 1 and rng.random() < 0.4:
        segments = _sample_segments(rng, _segment_count(rng), exclude=exclude)
        return ScenePlan(tuple(ActorPlan(segments, n, h) for n, h in people), together=True)
    actors = []
    for noun, height in people:
        count = _segment_count(rng) if num_actors == 1 else int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
        actors.append(ActorPlan(_sample_segments(rng, count, exclude=exclude), noun, height))
    return ScenePlan(tuple(actors))


def plan_from_actions(actions: Sequence[str], num_actors: int = 1, rng: Optional[np.random.Generator] = None) -> ScenePlan:
    """A plan where every actor does ``actions`` in order (no pace or direction words).

    >>> plan_from_actions(["walk", "wave"]).actors[0].actions
    ('walk', 'wave')
    """
    for name in actions:
        spec(name)
    if not 1 <= len(actions) <= MAX_SEGMENTS:
        raise ValueError(f"{len(actions)} actions: an actor does 1 to {MAX_SEGMENTS}")
    people = [_sample_person(rng) if rng is not None else ("person", None) for _ in range(num_actors)]
    segments = tuple(SegmentPlan(a) for a in actions)
    return ScenePlan(tuple(ActorPlan(segments, n, h) for n, h in people), together=num_actors > 1)


def sample_plan(rng: np.random.Generator, split: str = "train", num_actors: Optional[int] = None,
                actions: Optional[Sequence[str]] = None) -> ScenePlan:
    """Draw a scene plan for ``split`` (held-out combinations only in test; see the module docstring).

    ``num_actors`` fixes the number of people; ``actions`` fixes the action sequence every actor
    does (then the split's combination rule is not applied).
    """
    _check_split(split)
    if num_actors is not None and not 1 <= int(num_actors) <= 3:
        raise ValueError(f"num_actors={num_actors}: scenes hold 1 to 3 actors")
    if actions is not None:
        return plan_from_actions(list(actions), int(num_actors or 1), rng)
    best = None
    for _ in range(60):
        n = int(num_actors) if num_actors else int(rng.choice([1, 2, 3], p=[0.5, 0.36, 0.14]))
        if n == 2 and rng.random() < 0.4:
            plan = _interaction_plan(rng)
        else:
            plan = _free_plan(rng, n)
        held = held_out_pairs_in(plan)
        if split != "test":
            if not held:
                return plan
        else:
            if held or len(plan.action_set()) < 2:
                if held or best is None:
                    return plan
            best = best or plan
    if split == "test" and best is not None:
        return best
    raise RuntimeError("could not draw a plan without held-out combinations in 60 tries")
