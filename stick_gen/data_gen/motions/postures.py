"""Going down and getting up: sitting, kneeling, lying, crouching, falling, meditating.

A transition happens early in its segment (when exactly comes from the onset slot) and the end
posture is then held with breathing. The seated and lying poses are shared, so "sits down" followed
by "stands up" (or "lies down"/"falls" by "gets up") meet without a jump.
"""

from __future__ import annotations

import numpy as np

from .base import (
    HIP_Y, L_EL, LEAN, LF_F, LF_Y, R_EL, RF_F, RF_Y, TAU, MotionInput, breathe,
    hanging_hand, lerp, neutral, pose_keys, rate, reach_from_hip, sway,
)

SEAT = 0.53  # hip height on a chair, in leg lengths
SEAT_FORWARD = 0.46  # feet ahead of the hip when seated, in leg lengths
FLOOR_HIP = 0.1  # hip height sitting or lying on the floor, metres
LYING_LEAN = -np.pi / 2 + 0.08


def _start(motion: MotionInput, length: float) -> float:
    """When a transition of ``length`` s starts: early, so the end posture is seen held."""
    return 0.05 + motion.onset * max(0.0, min(0.6, motion.duration - length - 0.5))


def _length(motion: MotionInput, nominal: float) -> float:
    return min(nominal / rate(motion), 0.75 * motion.duration)


def sit_down(motion: MotionInput) -> np.ndarray:
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 1.4)
    t0 = _start(motion, length)
    rest_forward, rest_height = hanging_hand(body)
    pose_keys(motion, channels, [t0, t0 + 0.45 * length, t0 + length],
              dx=[0, -0.2 * leg, -SEAT_FORWARD * leg], hip=[body.stand_hip, 0.78 * leg, SEAT * leg],
              lean=[0.03, 0.55 + 0.1 * motion.style, 0.06 + 0.06 * motion.style],
              left_hand_forward=[rest_forward, 0.35 * leg, 0.3 * leg],
              left_hand_height=[rest_height, 1.0 * leg, 0.66 * leg],
              right_hand_forward=[rest_forward, 0.35 * leg, 0.33 * leg],
              right_hand_height=[rest_height, 1.0 * leg, 0.64 * leg])
    breathe(motion, channels)
    return channels


def _seated(motion: MotionInput) -> np.ndarray:
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    channels[:, HIP_Y] = SEAT * leg
    channels[:, LEAN] = 0.06 + 0.06 * motion.style
    channels[:, LF_F] = SEAT_FORWARD * leg + 0.03
    channels[:, RF_F] = SEAT_FORWARD * leg - 0.03
    channels[:, LF_Y] = channels[:, RF_Y] = -SEAT * leg
    reach_from_hip(channels, 1, body, 0.3 * leg, 0.66 * leg)
    reach_from_hip(channels, -1, body, 0.33 * leg, 0.64 * leg)
    return channels


def sit(motion: MotionInput) -> np.ndarray:
    """Seated on a chair, tapping one foot, breathing, shifting a little."""
    body = motion.body
    channels = _seated(motion)
    tap = lerp(1.4, 2.4, motion.tempo) * TAU * motion.t + TAU * motion.phase
    toe = (0.02 + 0.02 * motion.amp) * np.maximum(np.sin(tap), 0.0)
    channels[:, LF_Y if motion.side > 0 else RF_Y] += toe
    channels[:, LEAN] += 0.04 * np.sin(0.13 * TAU * motion.t + TAU * motion.style)
    breathe(motion, channels, 1.5)
    return channels


def stand_up(motion: MotionInput) -> np.ndarray:
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 1.3)
    t0 = _start(motion, length)
    rest_forward, rest_height = hanging_hand(body)
    pose_keys(motion, channels, [t0, t0 + 0.4 * length, t0 + length],
              dx=[0, 0.1 * leg, SEAT_FORWARD * leg], hip=[SEAT * leg, 0.6 * leg, body.stand_hip],
              lean=[0.06 + 0.06 * motion.style, 0.7 + 0.1 * motion.style, 0.03],
              left_foot=[SEAT_FORWARD * leg + 0.03] * 3, right_foot=[SEAT_FORWARD * leg - 0.03] * 3,
              left_hand_forward=[0.3 * leg, 0.45 * leg, rest_forward],
              left_hand_height=[0.66 * leg, 0.75 * leg, rest_height],
              right_hand_forward=[0.33 * leg, 0.45 * leg, rest_forward],
              right_hand_height=[0.64 * leg, 0.75 * leg, rest_height])
    breathe(motion, channels)
    return channels


def kneel(motion: MotionInput) -> np.ndarray:
    """Down on one knee: one foot steps back, the hip lowers, a hand rests on the front knee."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 1.4)
    t0 = _start(motion, length)
    knee_h = body.shin
    hip_k = body.thigh + 0.05
    back, front = ("left_foot", "right_foot") if motion.side > 0 else ("right_foot", "left_foot")
    rest_forward, rest_height = hanging_hand(body)
    left = ("left_hand_forward", "left_hand_height")
    right = ("right_hand_forward", "right_hand_height")
    (hand_f, hand_h), (other_f, other_h) = (left, right) if motion.side < 0 else (right, left)
    cols = {
        "dx": [0, -0.08 * leg, -0.2 * leg], "hip": [body.stand_hip, 0.85 * leg, hip_k], "lean": [0.03, 0.12, 0.06],
        back: [0.0, -0.3 * leg, -0.55 * leg], back + "_lift": [0, 0.1 * leg, 0.05],
        front: [0.03, 0.03, 0.03],
        hand_f: [rest_forward, 0.2 * leg, 0.03 + 0.2 * leg], hand_h: [rest_height, 0.7 * leg, knee_h + 0.05],
        other_f: [rest_forward, rest_forward, 0.0],
        other_h: [rest_height, rest_height - 0.1 * leg, hip_k - 0.05 + 0.1 * motion.style],
    }
    pose_keys(motion, channels, [t0, t0 + 0.45 * length, t0 + length], **cols)
    breathe(motion, channels, 1.5)
    return channels


def _lying(body, leg):
    """Key columns of lying on the back, head behind the hip (the last key of lie_down and fall)."""
    return dict(hip=FLOOR_HIP, lean=LYING_LEAN, left_foot_lift=0.03, right_foot_lift=0.03, left_hand_forward=0.1 * leg,
                left_hand_height=0.04, right_hand_forward=0.12 * leg, right_hand_height=0.04)


def lie_down(motion: MotionInput) -> np.ndarray:
    """Crouch, sit down on the floor with the hands behind, roll back to lie flat."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 3.0)
    t0 = _start(motion, length)
    rest_forward, rest_height = hanging_hand(body)
    end = _lying(body, leg)
    seat_x = -0.5 * leg
    pose_keys(motion, channels, [t0, t0 + 0.3 * length, t0 + 0.62 * length, t0 + length],
              dx=[0, -0.15 * leg, seat_x, seat_x], hip=[body.stand_hip, 0.5 * leg, FLOOR_HIP, end["hip"]],
              lean=[0.03, 0.6, -0.2, end["lean"]],
              left_foot=[0.03, 0.03, seat_x + 0.8 * leg, seat_x + 0.97 * leg],
              right_foot=[-0.03, -0.03, seat_x + 0.78 * leg, seat_x + 0.95 * leg],
              left_foot_lift=[0, 0, 0.02, 0.03], right_foot_lift=[0, 0, 0.02, 0.03],
              left_hand_forward=[rest_forward, 0.3 * leg, -0.3 * leg, end["left_hand_forward"]],
              left_hand_height=[rest_height, 0.2 * leg, 0.03, end["left_hand_height"]],
              right_hand_forward=[rest_forward, 0.32 * leg, -0.28 * leg, end["right_hand_forward"]],
              right_hand_height=[rest_height, 0.2 * leg, 0.03, end["right_hand_height"]])
    breathe(motion, channels, 1.5)
    return channels


def get_up(motion: MotionInput) -> np.ndarray:
    """From lying on the back: sit up, pull the feet in, crouch over them, stand."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 2.6)
    t0 = _start(motion, length)
    rest_forward, rest_height = hanging_hand(body)
    lying = _lying(body, leg)
    feet = 0.55 * leg
    pose_keys(motion, channels, [t0, t0 + 0.3 * length, t0 + 0.65 * length, t0 + length],
              dx=[0, 0, 0.5 * leg, feet], hip=[lying["hip"], FLOOR_HIP + 0.02, 0.5 * leg, body.stand_hip],
              lean=[lying["lean"], 0.35, 0.65, 0.03],
              left_foot=[0.97 * leg, feet + 0.03, feet + 0.03, feet + 0.03],
              right_foot=[0.95 * leg, feet - 0.03, feet - 0.03, feet - 0.03],
              left_foot_lift=[0.03, 0, 0, 0], right_foot_lift=[0.03, 0, 0, 0],
              left_hand_forward=[lying["left_hand_forward"], 0.45 * leg, 0.4 * leg, rest_forward],
              left_hand_height=[lying["left_hand_height"], 0.45 * leg, 0.15, rest_height],
              right_hand_forward=[lying["right_hand_forward"], 0.45 * leg, 0.45 * leg, rest_forward],
              right_hand_height=[lying["right_hand_height"], 0.45 * leg, 0.12, rest_height])
    breathe(motion, channels)
    return channels


def crouch(motion: MotionInput) -> np.ndarray:
    """Squat down low and stay there, forearms on the knees or a hand on the ground."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 0.7)
    t0 = _start(motion, length)
    rest_forward, rest_height = hanging_hand(body)
    low_f, low_h = (0.45 * leg, 0.04) if motion.style > 0.5 else (0.35 * leg, 0.42 * leg)
    pose_keys(motion, channels, [t0, t0 + length],
              dx=[0, -0.12 * leg], hip=[body.stand_hip, (0.48 + 0.06 * motion.amp) * leg], lean=[0.03, 0.55],
              left_hand_forward=[rest_forward, low_f], left_hand_height=[rest_height, low_h],
              right_hand_forward=[rest_forward, 0.33 * leg], right_hand_height=[rest_height, 0.45 * leg])
    sway(motion, channels, 0.008)
    breathe(motion, channels)
    return channels


def fall(motion: MotionInput) -> np.ndarray:
    """Slip: the feet shoot forward, arms fly up, the body drops onto its back and lies there."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = _length(motion, 1.0)
    t0 = _start(motion, length)
    rest_forward, rest_height = hanging_hand(body)
    end = _lying(body, leg)
    x = -0.1 * leg
    pose_keys(motion, channels, [t0, t0 + 0.2 * length, t0 + 0.5 * length, t0 + 0.75 * length, t0 + length + 0.3],
              dx=[0, 0, x, x, x], hip=[body.stand_hip, 0.88 * leg, 0.4 * leg, end["hip"] + 0.03, end["hip"]],
              lean=[0.03, -0.35, -0.95, -1.45, end["lean"]],
              left_foot=[0.03, 0.4 * leg, x + 0.75 * leg, x + 0.95 * leg, x + 0.97 * leg],
              right_foot=[-0.03, 0.3 * leg, x + 0.7 * leg, x + 0.93 * leg, x + 0.95 * leg],
              left_foot_lift=[0, 0.05, 0.25 * leg, 0.1, 0.03], right_foot_lift=[0, 0.02, 0.2 * leg, 0.08, 0.03],
              left_shoulder=[0.05, 2.0, 1.6, 1.1, 1.45], left_elbow=[0.15, 0.5, 0.3, 0.2, 0.05],
              right_shoulder=[0.05, 1.7, 1.3, 1.2, 1.45], right_elbow=[0.15, 0.6, 0.3, 0.2, 0.05])
    breathe(motion, channels, 1.5)
    channels[:, (L_EL, R_EL)] += 0.15 * np.sin(TAU * 0.4 * motion.t)[:, None] * (motion.t > t0 + length)[:, None]
    return channels


def meditate(motion: MotionInput) -> np.ndarray:
    """Cross-legged on the floor, hands on the knees, slow deep breaths."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    hip = FLOOR_HIP + 0.02
    channels[:, HIP_Y] = hip
    channels[:, LF_F], channels[:, RF_F] = 0.3 * leg, 0.36 * leg
    channels[:, LF_Y] = channels[:, RF_Y] = -hip + 0.04
    angle = TAU * (0.12 + 0.05 * motion.tempo) * motion.t + TAU * motion.phase
    channels[:, LEAN] = 0.04 + 0.03 * np.sin(angle)
    if motion.style < 0.5:
        reach_from_hip(channels, 1, body, 0.45 * leg, 0.2 + 0.02 * np.sin(angle))
        reach_from_hip(channels, -1, body, 0.47 * leg, 0.2 + 0.02 * np.sin(angle))
    else:
        reach_from_hip(channels, 1, body, 0.25 * leg, hip + 0.12 + 0.02 * np.sin(angle))
        reach_from_hip(channels, -1, body, 0.26 * leg, hip + 0.14 + 0.02 * np.sin(angle))
    return channels
