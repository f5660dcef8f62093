"""Actor bodies: height from the words ("a tall man") and z, limb lengths and mass from the build slot.

The stick figure has no knees or elbows, but the motions are made with them: a leg is a thigh and a
shin, an arm an upper arm and a forearm; only the hip-to-foot and neck-to-hand sticks are stored.

Mass is ``BMI * height**2`` with BMI from 19 (build 0, slender) to 27 (build 1, stocky).

>>> b = make_body("man", "tall", height_u=0.5, build_u=0.5)
>>> round(b.height, 3), round(b.mass, 1)
(1.895, 82.6)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

HEIGHT_RANGES: Dict[Tuple[str, Optional[str]], Tuple[float, float]] = {
    ("person", None): (1.55, 1.92),
    ("person", "tall"): (1.80, 1.95),
    ("person", "short"): (1.50, 1.63),
    ("man", None): (1.66, 1.92),
    ("man", "tall"): (1.84, 1.95),
    ("man", "short"): (1.55, 1.68),
    ("woman", None): (1.52, 1.80),
    ("woman", "tall"): (1.74, 1.86),
    ("woman", "short"): (1.50, 1.58),
}
"""(noun, height word) -> height range in metres; z's height slot picks the point inside."""

BMI_RANGE = (19.0, 27.0)


@dataclass(frozen=True)
class Body:
    """Segment lengths of one actor, metres."""

    height: float
    leg: float  # hip to sole, straight
    torso: float  # hip to neck
    upper_arm: float
    forearm: float  # elbow to the middle of the hand
    thigh: float
    shin: float  # knee to sole
    mass: float  # kg
    foot_spread: float  # sideways distance of a foot from the body's middle line
    shoulder: float  # sideways distance of a shoulder from the neck

    @property
    def arm(self) -> float:
        return self.upper_arm + self.forearm

    @property
    def stand_hip(self) -> float:
        """Hip height standing relaxed (knees not quite locked)."""
        return 0.98 * self.leg

    @property
    def neck_height(self) -> float:
        return self.stand_hip + self.torso


def make_body(noun: str, height_word: Optional[str], height_u: float, build_u: float) -> Body:
    """The body of an actor described by ``noun`` (person/man/woman) and ``height_word`` (tall/short/None).

    >>> make_body("woman", "short", 0.0, 0.0).height
    1.5
    """
    lo, hi = HEIGHT_RANGES[(noun, height_word)]
    height = lo + (hi - lo) * float(height_u)
    build = float(build_u)
    leg = height * (0.52 - 0.025 * build)
    neck = 0.845 * height  # the head (drawn by renderers, radius 0.075 * height) sits above
    torso = neck - 0.98 * leg
    bmi = BMI_RANGE[0] + (BMI_RANGE[1] - BMI_RANGE[0]) * build
    return Body(
        height=height,
        leg=leg,
        torso=torso,
        upper_arm=0.185 * height,
        forearm=(0.205 - 0.01 * build) * height,
        thigh=0.47 * leg,
        shin=0.53 * leg,
        mass=bmi * height * height,
        foot_spread=0.06 * height,
        shoulder=0.11 * height,
    )
