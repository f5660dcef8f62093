"""One motion function per action class: ``MOTIONS[name](MotionInput) -> channels [n, NUM_CHANNELS]``.

>>> from ..actions import ACTIONS
>>> sorted(MOTIONS) == sorted(ACTIONS)
True
"""

from __future__ import annotations

from typing import Callable, Dict

import numpy as np

from . import exercise, gestures, jumps, locomotion, postures, social, sports, work
from .base import MotionInput

MotionFunction = Callable[[MotionInput], np.ndarray]

MOTIONS: Dict[str, MotionFunction] = {
    name: getattr(module, name)
    for module, names in (
        (locomotion, ("stand", "walk", "walk_backwards", "run", "sprint", "jog_backwards", "sidestep", "turn_around",
                      "tiptoe", "sneak", "march", "skip", "limp", "crawl", "climb", "swim", "ride_bike")),
        (jumps, ("jump", "jump_forward", "hop", "star_jump", "jump_rope", "backflip", "cartwheel")),
        (postures, ("sit_down", "sit", "stand_up", "kneel", "lie_down", "get_up", "crouch", "fall", "meditate")),
        (exercise, ("squat", "push_ups", "sit_ups", "lunge", "balance", "stretch", "touch_toes")),
        (gestures, ("wave", "point", "clap", "salute", "shrug", "celebrate", "bow", "dance_disco", "dance_robot",
                    "spin")),
        (sports, ("throw", "catch", "kick", "dribble", "swing_bat", "punch", "dodge")),
        (social, ("shake_hands", "high_five", "hug")),
        (work, ("push", "pull", "lift", "carry")),
    )
    for name in names
}
