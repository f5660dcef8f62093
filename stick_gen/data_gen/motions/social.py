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


def _contact(motion: MotionInput, length: float, lead: float) -> np.ndarray:
    """Time relative to the moment of contact (the scene's, or repeated alone)."""
    if motion.event is not None and motion.event.times:
        return motion.t - motion.event.times[0]
    local_t, _ = repeat_times(motion, length + lerp(0.8, 1.8, motion.style), 0.2 + 0.5 * motion.onset, length)
    return local_t - lead


def _approach(motion: MotionInput, channels: np.ndarray) -> None:
    if motion.event is not None and motion.event.times:
        approach_partner(motion, channels, motion.event.times[0] - 0.5)


def _meeting_point(motion: MotionInput, height: float, reach: float):
    if motion.event is not None:
        return motion.event.reach, motion.event.height
    return reach, height * motion.body.height / 1.75


def shake_hands(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    breathe(motion, channels, 0.5)
    local_t = _contact(motion, 2.6, 0.7)
    reach, height = _meeting_point(motion, 1.0, 0.45)
    rest_forward, rest_height = hanging_hand(body)
    keys = [-0.7, 0.0, 1.3, 1.8]
    pose_keys(motion, channels, keys, clock=local_t, lean=[0.03, 0.1, 0.1, 0.03])
    hand_f = keyframes(local_t, keys, np.array([rest_forward, reach, reach, rest_forward]))
    pump = 0.035 * np.sin(TAU * 2.3 * np.clip(local_t, 0.0, 1.3))
    hand_h = keyframes(local_t, keys, np.array([rest_height, height, height, rest_height])) + pump
    reach_from_hip(channels, -1, body, hand_f, hand_h)
    _approach(motion, channels)
    return channels


def high_five(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    breathe(motion, channels, 0.5)
    local_t = _contact(motion, 1.8, 0.6)
    reach, height = _meeting_point(motion, 1.85, 0.4)
    rest_forward, rest_height = hanging_hand(body)
    pose_keys(motion, channels, [-0.6, -0.12, 0.0, 0.2, 0.8], clock=local_t,
              right_hand_forward=[rest_forward, 0.75 * reach, reach, 0.7 * reach, rest_forward],
              right_hand_height=[rest_height, height + 0.1, height, height - 0.2, rest_height],
              lean=[0.03, 0.05, 0.12, 0.06, 0.03])
    _approach(motion, channels)
    return channels


def hug(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    breathe(motion, channels, 0.5)
    if motion.event is not None and len(motion.event.times) > 1:
        local_t = motion.t - motion.event.times[0]
        hold = motion.event.times[1] - motion.event.times[0]
    else:
        hold = lerp(1.4, 2.2, motion.amp) / rate(motion)
        local_t = _contact(motion, 1.3 + hold, 0.7)
    reach, _ = _meeting_point(motion, 1.0, 0.35)
    chest = 0.7 * body.height
    rest_forward, rest_height = hanging_hand(body)
    keys = [-0.7, -0.2, 0.0, hold, hold + 0.6]
    pose_keys(motion, channels, keys, clock=local_t,
              left_hand_forward=[rest_forward, 0.9 * reach, reach + 0.12, reach + 0.12, rest_forward],
              left_hand_height=[rest_height, chest, chest, chest, rest_height],
              right_hand_forward=[rest_forward, 0.9 * reach, reach + 0.1, reach + 0.1, rest_forward],
              right_hand_height=[rest_height, chest - 0.03, chest - 0.05, chest - 0.05, rest_height],
              lean=[0.03, 0.08, 0.14, 0.14, 0.03])
    wrap = keyframes(local_t, keys, np.array([0.0, -0.3, 1.0, 1.0, 0.0]))
    channels[:, LH_L] = -body.shoulder * wrap
    channels[:, RH_L] = body.shoulder * wrap
    holding = keyframes(local_t, keys, np.array([0.0, 0.0, 1.0, 1.0, 0.0]))
    channels[:, LEAN] += 0.04 * holding * np.sin(TAU * 0.5 * motion.t)
    channels[:, (L_AB, R_AB)] = 0.0
    _approach(motion, channels)
    return channels
