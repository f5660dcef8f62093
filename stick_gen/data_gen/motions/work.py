"""Work with (invisible) objects: push, pull, lift, carry."""

from __future__ import annotations

import numpy as np

from .base import (
    L_AB, LEAN, LH_L, R_AB, RH_L, TAU, MotionInput, gait, hanging_hand, lerp, neutral, paced, pose_keys, rate,
    reach,
)
from .locomotion import _cadence


def push(motion: MotionInput) -> np.ndarray:
    """Leaning hard into a heavy box, arms straight out at the chest, short effortful steps."""
    body, arm = motion.body, motion.body.arm
    speed = paced(motion, 0.45, 0.8)
    channels = neutral(motion)
    gait(motion, channels, speed, 0.85 * (speed / 0.6) ** 0.5, 0.74, 0.06 * body.leg, 0.0, 0.0, crouch=0.08)
    channels[:, LEAN] = 0.48 + 0.1 * motion.style
    for side in (1, -1):
        reach(channels, side, body, (0.62 + 0.05 * motion.amp) * arm, -0.12 * arm)
    channels[:, LH_L], channels[:, RH_L] = -0.3 * body.shoulder, 0.3 * body.shoulder
    return channels


def pull(motion: MotionInput) -> np.ndarray:
    """Leaning back, walking backwards slowly, hand over hand on a rope in front at waist height."""
    body, arm = motion.body, motion.body.arm
    speed = paced(motion, 0.3, 0.55)
    channels = neutral(motion)
    cadence = 0.8 * (speed / 0.42) ** 0.5
    gait(motion, channels, -speed, cadence, 0.7, 0.06 * body.leg, 0.0, 0.0, crouch=0.06)
    channels[:, LEAN] = -0.28 - 0.08 * motion.style
    pull_f = 0.9 * rate(motion)
    for side, offset in ((1, 0.0), (-1, 0.5)):
        u = np.mod(motion.phase + pull_f * motion.t + offset, 1.0)
        out = np.where(u < 0.35, u / 0.35, 1.0 - (u - 0.35) / 0.65)  # quick reach, slow pull
        reach(channels, side, body, lerp(0.45, 0.92, 1.0) * arm * (0.5 + 0.5 * out), -0.42 * arm + 0.05 * arm * out)
    channels[:, LH_L], channels[:, RH_L] = -0.6 * body.shoulder, 0.6 * body.shoulder
    channels[:, (L_AB, R_AB)] = 0.0
    return channels


def lift(motion: MotionInput) -> np.ndarray:
    """Squat, grip a box on the ground, stand up with it at the chest, press it overhead, put it down."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    period = 4.6 / rate(motion)
    u = np.mod(motion.phase + motion.t / period, 1.0)
    S = body.stand_hip
    rest_forward, rest_height = hanging_hand(body)
    chest = 0.68 * body.height
    over = body.height * (1.05 + 0.05 * motion.amp)
    keys = [0.0, 0.16, 0.26, 0.44, 0.56, 0.68, 0.8, 0.92, 1.0]
    pose_keys(motion, channels, keys, clock=u,
              dx=[0, -0.14 * leg, -0.14 * leg, 0, 0, 0, 0, -0.14 * leg, 0],
              hip=[S, 0.5 * leg, 0.5 * leg, S, S, S, S, 0.5 * leg, S],
              lean=[0.03, 0.6, 0.6, 0.05, -0.05, -0.05, 0.05, 0.6, 0.03],
              left_hand_forward=[rest_forward, 0.45 * leg, 0.45 * leg, 0.3 * leg, 0.12 * leg, 0.12 * leg, 0.3 * leg,
                                 0.45 * leg, rest_forward],
              left_hand_height=[rest_height, 0.16, 0.16, chest, over, over, chest, 0.16, rest_height],
              right_hand_forward=[rest_forward, 0.45 * leg, 0.45 * leg, 0.3 * leg, 0.12 * leg, 0.12 * leg, 0.3 * leg,
                                  0.45 * leg, rest_forward],
              right_hand_height=[rest_height, 0.16, 0.16, chest, over, over, chest, 0.16, rest_height])
    channels[:, LH_L], channels[:, RH_L] = -0.2 * body.shoulder, 0.2 * body.shoulder
    channels[:, (L_AB, R_AB)] = 0.0
    return channels


def carry(motion: MotionInput) -> np.ndarray:
    """Walking with a box held at the chest in both hands: no arm swing, leaning back a little."""
    body, arm = motion.body, motion.body.arm
    speed = paced(motion, 0.75, 1.15)
    channels = neutral(motion)
    gait(motion, channels, speed, _cadence(0.88, speed, 1.0, 0.6, body.leg), 0.62, 0.08 * body.leg, 0.0, 0.0)
    channels[:, LEAN] = -0.06 - 0.04 * motion.style
    bob = 0.015 * arm * np.sin(2 * TAU * (motion.phase + motion.t))
    for side in (1, -1):
        reach(channels, side, body, (0.45 + 0.05 * motion.amp) * arm, -0.35 * arm + bob)
    channels[:, LH_L], channels[:, RH_L] = -0.3 * body.shoulder, 0.3 * body.shoulder
    channels[:, (L_AB, R_AB)] = 0.0
    return channels
