"""Exercises: squats, push-ups, sit-ups, lunges, balancing on one leg, stretching, touching the toes."""

from __future__ import annotations

import numpy as np

from .base import (
    DX, HIP_Y, L_AB, L_EL, L_SH, LEAN, LF_F, LF_L, LF_Y, PITCH, R_AB, R_EL, R_SH, RF_F, RF_L, RF_Y, TAU,
    MotionInput, breathe, hanging_hand, keyframes, lerp, neutral, plant, pose_keys, rate, reach,
    reach_from_hip, smoothstep,
)
from .postures import FLOOR_HIP, LYING_LEAN


def _cycle(motion: MotionInput, period: float) -> np.ndarray:
    """Phase (cycles) of a repeated exercise."""
    return motion.phase + motion.t / period


def squat(motion: MotionInput) -> np.ndarray:
    """Down and up again, arms reaching forward at shoulder height when low."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    period = 2.2 / rate(motion)
    u = np.mod(_cycle(motion, period), 1.0)
    low = keyframes(u, [0.0, 0.4, 0.55, 0.95, 1.0], np.array([0.0, 1.0, 1.0, 0.0, 0.0]))
    depth = lerp(0.42, 0.52, 1 - motion.amp)
    channels[:, HIP_Y] = body.stand_hip + (depth * leg - body.stand_hip) * low
    channels[:, DX] = -0.16 * leg * low
    channels[:, LF_F] = 0.03 - channels[:, DX]
    channels[:, RF_F] = -0.03 - channels[:, DX]
    plant(channels)
    channels[:, LEAN] = 0.03 + 0.5 * low
    arms = 0.05 + (1.5 - 0.05) * (low if motion.style < 0.5 else np.ones_like(low))
    channels[:, L_SH] = arms
    channels[:, R_SH] = arms
    channels[:, (L_EL, R_EL)] = 0.05
    return channels


def push_ups(motion: MotionInput) -> np.ndarray:
    """Plank on hands and toes; the straight body pivots about the feet, hands stay planted."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    period = 1.7 / rate(motion)
    u = np.mod(_cycle(motion, period), 1.0)
    low = 0.5 - 0.5 * np.cos(TAU * u)
    length = 0.98 * leg + body.torso
    top = 0.92 * body.arm
    neck_h = lerp(top, lerp(0.42, 0.3, motion.amp) * body.arm, low)
    pitch = np.arccos(np.clip((neck_h - 0.03) / length, 0.05, 0.95))
    up_pitch = float(np.arccos(np.clip((top - 0.03) / length, 0.05, 0.95)))
    channels[:, PITCH] = pitch
    channels[:, LEAN] = 0.0
    channels[:, HIP_Y] = 0.03 + 0.98 * leg * np.cos(pitch)
    channels[:, DX] = 0.98 * leg * (np.sin(pitch) - np.sin(up_pitch))  # the feet stay where they are
    channels[:, LF_F] = channels[:, RF_F] = 0.0
    channels[:, LF_Y] = channels[:, RF_Y] = -0.98 * leg
    hand_x = body.torso * np.sin(up_pitch) + 0.03  # under the shoulders of the top position
    rel_f = hand_x - (channels[:, DX] + body.torso * np.sin(pitch))  # hand from the neck, world frame
    rel_y = 0.02 - (channels[:, HIP_Y] + body.torso * np.cos(pitch))
    c, s = np.cos(pitch), np.sin(pitch)
    for side in (1, -1):
        reach(channels, side, body, rel_f * c - rel_y * s, rel_f * s + rel_y * c)  # in the body's unrotated frame
    return channels


def sit_ups(motion: MotionInput) -> np.ndarray:
    """On the back, knees bent, hands behind the head, curling up and lying back."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    period = 2.2 / rate(motion)
    u = np.mod(_cycle(motion, period), 1.0)
    up = keyframes(u, [0.0, 0.4, 0.5, 0.9, 1.0], np.array([0.0, 1.0, 1.0, 0.0, 0.0]))
    channels[:, HIP_Y] = FLOOR_HIP
    channels[:, LEAN] = LYING_LEAN + (lerp(1.0, 1.35, motion.amp)) * up
    channels[:, LF_F], channels[:, RF_F] = 0.55 * leg, 0.58 * leg
    channels[:, LF_Y] = channels[:, RF_Y] = -FLOOR_HIP + 0.02
    lean = channels[:, LEAN]
    head_f, head_y = 0.09 * body.height * np.sin(lean), 0.09 * body.height * np.cos(lean)
    back_f, back_y = -0.04 * np.cos(lean), 0.04 * np.sin(lean)
    for side in (1, -1):
        reach(channels, side, body, head_f + back_f, head_y + back_y)
    return channels


def lunge(motion: MotionInput) -> np.ndarray:
    """Step forward into a deep lunge and back, legs taking turns, hands on the hips."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    period = 2.4 / rate(motion)
    phase = _cycle(motion, period)
    u = np.mod(phase, 1.0)
    rep = np.floor(phase)
    out = keyframes(u, [0.0, 0.3, 0.62, 0.95, 1.0], np.array([0.0, 1.0, 1.0, 0.0, 0.0]))
    stepping = (np.sqrt(np.sin(np.pi * np.clip(u / 0.3, 0, 1)))
                + np.sqrt(np.sin(np.pi * np.clip((u - 0.62) / 0.33, 0, 1))))
    step = (0.75 + 0.1 * motion.amp) * leg
    lead_left = (np.mod(rep, 2) == 0) == (motion.side > 0)
    channels[:, DX] = 0.5 * step * out
    low = np.clip((u - 0.1) / 0.2, 0, 1) * np.clip((0.9 - u) / 0.2, 0, 1)
    channels[:, HIP_Y] = body.stand_hip - (0.3 + 0.05 * motion.amp) * leg * smoothstep(low) * out
    front = step * out - channels[:, DX]
    back = -channels[:, DX]
    channels[:, LF_F] = np.where(lead_left, front + 0.03, back - 0.03)
    channels[:, RF_F] = np.where(lead_left, back - 0.03, front + 0.03)
    lift = 0.08 * leg * stepping
    plant(channels, np.where(lead_left, lift, 0.03 * out), np.where(lead_left, 0.03 * out, lift))
    channels[:, LEAN] = 0.03
    for side in (1, -1):
        reach_from_hip(channels, side, body, 0.02, channels[:, HIP_Y] + 0.06)
    return channels


def balance(motion: MotionInput) -> np.ndarray:
    """Tree pose: on one leg, the other foot at the knee, hands together overhead or at the chest."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    up = smoothstep((motion.t - 0.1) / 0.6)
    support_f, support_y, support_l = (LF_F, LF_Y, LF_L) if motion.side > 0 else (RF_F, RF_Y, RF_L)
    free_f, free_y, free_l = (RF_F, RF_Y, RF_L) if motion.side > 0 else (LF_F, LF_Y, LF_L)
    angle = TAU * (0.55 * motion.t + motion.phase)
    wobble = 0.012 * np.sin(angle) + 0.007 * np.sin(2.7 * angle + 1.0)
    channels[:, LEAN] = 0.02 + wobble * 2.0
    channels[:, DX] = wobble
    channels[:, support_f] = -wobble
    channels[:, support_l] = 0.0
    channels[:, free_f] = 0.12 * leg * up - wobble
    channels[:, free_l] = channels[:, free_l] * (1 - up)
    plant(channels)
    channels[:, free_y] += (0.45 + 0.05 * motion.amp) * leg * up
    if motion.style < 0.5:
        target_f, target_y = 0.04, 0.97 * body.arm
    else:
        target_f, target_y = 0.18 * body.arm, -0.25 * body.arm
    rest_forward, rest_height = hanging_hand(body)
    nf, ny = body.torso * np.sin(channels[:, LEAN]), body.torso * np.cos(channels[:, LEAN])
    rest_f, rest_y = rest_forward - nf, rest_height - channels[:, HIP_Y] - ny
    for side in (1, -1):
        reach(channels, side, body, rest_f + (target_f - rest_f) * up, rest_y + (target_y - rest_y) * up)
    channels[:, L_AB] = channels[:, R_AB] = 0.0
    return channels


def stretch(motion: MotionInput) -> np.ndarray:
    """Slow: reach both arms overhead on the toes, lean back, reach high again, relax."""
    body = motion.body
    channels = neutral(motion)
    u = np.mod(_cycle(motion, 5.0 / rate(motion)), 1.0)
    rest_forward, rest_height = hanging_hand(body)
    top = body.neck_height + 0.95 * body.arm
    S = body.stand_hip
    pose_keys(motion, channels, [0.0, 0.25, 0.45, 0.62, 0.8, 1.0], clock=u,
              hip=[S, S + 0.04, S + 0.01, S + 0.03, S, S],
              lean=[0.03, 0.0, -0.25 - 0.1 * motion.amp, 0.0, 0.03, 0.03],
              left_foot_lift=[0, 0.04, 0.01, 0.03, 0, 0], right_foot_lift=[0, 0.04, 0.01, 0.03, 0, 0],
              left_hand_forward=[rest_forward, 0.02, -0.2, 0.02, 0.25, rest_forward],
              left_hand_height=[rest_height, top, top - 0.05, top, body.neck_height, rest_height],
              right_hand_forward=[rest_forward, 0.04, -0.18, 0.04, 0.25, rest_forward],
              right_hand_height=[rest_height, top, top - 0.05, top, body.neck_height, rest_height])
    breathe(motion, channels, 0.5)
    return channels


def touch_toes(motion: MotionInput) -> np.ndarray:
    """Arms up, bend forward with straight legs until the hands reach the feet, come back up."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    u = np.mod(_cycle(motion, 3.0 / rate(motion)), 1.0)
    top = body.neck_height + 0.9 * body.arm
    S = body.stand_hip
    bend = 1.85 + 0.25 * motion.amp  # past horizontal: the head goes below the hips
    pose_keys(motion, channels, [0.0, 0.4, 0.6, 0.95, 1.0], clock=u,
              dx=[0, -0.2 * leg, -0.2 * leg, 0, 0], hip=[S, 0.95 * leg, 0.95 * leg, S, S],
              lean=[0.0, bend, bend, 0.0, 0.0],
              left_hand_forward=[0.05, 0.2 * leg, 0.24 * leg, 0.05, 0.05], left_hand_height=[top, 0.05, 0.04, top, top],
              right_hand_forward=[0.05, 0.22 * leg, 0.26 * leg, 0.05, 0.05],
              right_hand_height=[top, 0.05, 0.04, top, top])
    return channels
