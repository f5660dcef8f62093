"""Greetings with a partner: shake hands, high five, hug.

With a partner (:class:`.base.EventInfo`) the actor first walks ``approach`` metres toward them; the
hands meet at the event's point (``reach`` forward of the hip, ``height`` above the ground) at
``times[0]``. Both partners use their right hand. Alone, the move is made toward an unseen partner.
"""

from __future__ import annotations

import numpy as np

from .base import (
    L_AB, LEAN, LH_L, R_AB, RH_L, TAU, MotionInput, approach_partner, breathe, hanging_hand,
    keyframes, lerp, neutral, pose_keys, rate, reach_from_hip, repeat_times,
)


def _contact(m: MotionInput, length: float, lead: float) -> np.ndarray:
    """Time relative to the moment of contact (the scene's, or repeated alone)."""
    if m.event is not None and m.event.times:
        return m.t - m.event.times[0]
    tl, _ = repeat_times(m, length + lerp(0.8, 1.8, m.style), 0.2 + 0.5 * m.onset, length)
    return tl - lead


def _approach(m: MotionInput, P: np.ndarray) -> None:
    if m.event is not None and m.event.times:
        approach_partner(m, P, m.event.times[0] - 0.5)


def _meeting_point(m: MotionInput, height: float, reach: float):
    if m.event is not None:
        return m.event.reach, m.event.height
    return reach, height * m.body.height / 1.75


def shake_hands(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    breathe(m, P, 0.5)
    tl = _contact(m, 2.6, 0.7)
    reach, height = _meeting_point(m, 1.0, 0.45)
    hf, hh = hanging_hand(b)
    keys = [-0.7, 0.0, 1.3, 1.8]
    pose_keys(m, P, keys, clock=tl, lean=[0.03, 0.1, 0.1, 0.03])
    hand_f = keyframes(tl, keys, np.array([hf, reach, reach, hf]))
    pump = 0.035 * np.sin(TAU * 2.3 * np.clip(tl, 0.0, 1.3))
    hand_h = keyframes(tl, keys, np.array([hh, height, height, hh])) + pump
    reach_from_hip(P, -1, b, hand_f, hand_h)
    _approach(m, P)
    return P


def high_five(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    breathe(m, P, 0.5)
    tl = _contact(m, 1.8, 0.6)
    reach, height = _meeting_point(m, 1.85, 0.4)
    hf, hh = hanging_hand(b)
    pose_keys(m, P, [-0.6, -0.12, 0.0, 0.2, 0.8], clock=tl,
              rhf=[hf, 0.75 * reach, reach, 0.7 * reach, hf], rhh=[hh, height + 0.1, height, height - 0.2, hh],
              lean=[0.03, 0.05, 0.12, 0.06, 0.03])
    _approach(m, P)
    return P


def hug(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    breathe(m, P, 0.5)
    if m.event is not None and len(m.event.times) > 1:
        tl = m.t - m.event.times[0]
        hold = m.event.times[1] - m.event.times[0]
    else:
        hold = lerp(1.4, 2.2, m.amp) / rate(m)
        tl = _contact(m, 1.3 + hold, 0.7)
    reach, _ = _meeting_point(m, 1.0, 0.35)
    chest = 0.7 * b.height
    hf, hh = hanging_hand(b)
    keys = [-0.7, -0.2, 0.0, hold, hold + 0.6]
    pose_keys(m, P, keys, clock=tl,
              lhf=[hf, 0.9 * reach, reach + 0.12, reach + 0.12, hf], lhh=[hh, chest, chest, chest, hh],
              rhf=[hf, 0.9 * reach, reach + 0.1, reach + 0.1, hf], rhh=[hh, chest - 0.03, chest - 0.05, chest - 0.05, hh],
              lean=[0.03, 0.08, 0.14, 0.14, 0.03])
    wrap = keyframes(tl, keys, np.array([0.0, -0.3, 1.0, 1.0, 0.0]))
    P[:, LH_L] = -b.shoulder * wrap
    P[:, RH_L] = b.shoulder * wrap
    holding = keyframes(tl, keys, np.array([0.0, 0.0, 1.0, 1.0, 0.0]))
    P[:, LEAN] += 0.04 * holding * np.sin(TAU * 0.5 * m.t)
    P[:, (L_AB, R_AB)] = 0.0
    _approach(m, P)
    return P
