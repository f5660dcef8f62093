"""Work with (invisible) objects: push, pull, lift, carry."""

from __future__ import annotations

import numpy as np

from .base import (
    L_AB, LEAN, LH_L, R_AB, RH_L, TAU, MotionInput, gait, hanging_hand, lerp, neutral, paced, pose_keys, rate,
    reach,
)
from .locomotion import _cadence


def push(m: MotionInput) -> np.ndarray:
    """Leaning hard into a heavy box, arms straight out at the chest, short effortful steps."""
    b, A = m.body, m.body.arm
    v = paced(m, 0.45, 0.8)
    P = neutral(m)
    gait(m, P, v, 0.85 * (v / 0.6) ** 0.5, 0.74, 0.06 * b.leg, 0.0, 0.0, crouch=0.08)
    P[:, LEAN] = 0.48 + 0.1 * m.style
    for side in (1, -1):
        reach(P, side, b, (0.62 + 0.05 * m.amp) * A, -0.12 * A)
    P[:, LH_L], P[:, RH_L] = -0.3 * b.shoulder, 0.3 * b.shoulder
    return P


def pull(m: MotionInput) -> np.ndarray:
    """Leaning back, walking backwards slowly, hand over hand on a rope in front at waist height."""
    b, A = m.body, m.body.arm
    v = paced(m, 0.3, 0.55)
    P = neutral(m)
    f = 0.8 * (v / 0.42) ** 0.5
    gait(m, P, -v, f, 0.7, 0.06 * b.leg, 0.0, 0.0, crouch=0.06)
    P[:, LEAN] = -0.28 - 0.08 * m.style
    pull_f = 0.9 * rate(m)
    for side, offset in ((1, 0.0), (-1, 0.5)):
        u = np.mod(m.phase + pull_f * m.t + offset, 1.0)
        out = np.where(u < 0.35, u / 0.35, 1.0 - (u - 0.35) / 0.65)  # quick reach, slow pull
        reach(P, side, b, lerp(0.45, 0.92, 1.0) * A * (0.5 + 0.5 * out), -0.42 * A + 0.05 * A * out)
    P[:, LH_L], P[:, RH_L] = -0.6 * b.shoulder, 0.6 * b.shoulder
    P[:, (L_AB, R_AB)] = 0.0
    return P


def lift(m: MotionInput) -> np.ndarray:
    """Squat, grip a box on the ground, stand up with it at the chest, press it overhead, put it down."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    period = 4.6 / rate(m)
    u = np.mod(m.phase + m.t / period, 1.0)
    S = b.stand_hip
    hf, hh = hanging_hand(b)
    chest = 0.68 * b.height
    over = b.height * (1.05 + 0.05 * m.amp)
    keys = [0.0, 0.16, 0.26, 0.44, 0.56, 0.68, 0.8, 0.92, 1.0]
    pose_keys(m, P, keys, clock=u,
              dx=[0, -0.14 * L, -0.14 * L, 0, 0, 0, 0, -0.14 * L, 0],
              hip=[S, 0.5 * L, 0.5 * L, S, S, S, S, 0.5 * L, S],
              lean=[0.03, 0.6, 0.6, 0.05, -0.05, -0.05, 0.05, 0.6, 0.03],
              lhf=[hf, 0.45 * L, 0.45 * L, 0.3 * L, 0.12 * L, 0.12 * L, 0.3 * L, 0.45 * L, hf],
              lhh=[hh, 0.16, 0.16, chest, over, over, chest, 0.16, hh],
              rhf=[hf, 0.45 * L, 0.45 * L, 0.3 * L, 0.12 * L, 0.12 * L, 0.3 * L, 0.45 * L, hf],
              rhh=[hh, 0.16, 0.16, chest, over, over, chest, 0.16, hh])
    P[:, LH_L], P[:, RH_L] = -0.2 * b.shoulder, 0.2 * b.shoulder
    P[:, (L_AB, R_AB)] = 0.0
    return P


def carry(m: MotionInput) -> np.ndarray:
    """Walking with a box held at the chest in both hands: no arm swing, leaning back a little."""
    b, A = m.body, m.body.arm
    v = paced(m, 0.75, 1.15)
    P = neutral(m)
    gait(m, P, v, _cadence(0.88, v, 1.0, 0.6, b.leg), 0.62, 0.08 * b.leg, 0.0, 0.0)
    P[:, LEAN] = -0.06 - 0.04 * m.style
    bob = 0.015 * A * np.sin(2 * TAU * (m.phase + m.t))
    for side in (1, -1):
        reach(P, side, b, (0.45 + 0.05 * m.amp) * A, -0.35 * A + bob)
    P[:, LH_L], P[:, RH_L] = -0.3 * b.shoulder, 0.3 * b.shoulder
    P[:, (L_AB, R_AB)] = 0.0
    return P
