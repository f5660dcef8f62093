"""Exercises: squats, push-ups, sit-ups, lunges, balancing on one leg, stretching, touching the toes."""

from __future__ import annotations

import numpy as np

from .base import (
    DX, HIP_Y, L_AB, L_EL, L_SH, LEAN, LF_F, LF_L, LF_Y, PITCH, R_AB, R_EL, R_SH, RF_F, RF_L, RF_Y, TAU,
    MotionInput, breathe, hanging_hand, keyframes, lerp, neutral, plant, pose_keys, rate, reach,
    reach_from_hip, smoothstep,
)
from .postures import FLOOR_HIP, LYING_LEAN


def _cycle(m: MotionInput, period: float) -> np.ndarray:
    """Phase (cycles) of a repeated exercise."""
    return m.phase + m.t / period


def squat(m: MotionInput) -> np.ndarray:
    """Down and up again, arms reaching forward at shoulder height when low."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    period = 2.2 / rate(m)
    u = np.mod(_cycle(m, period), 1.0)
    low = keyframes(u, [0.0, 0.4, 0.55, 0.95, 1.0], np.array([0.0, 1.0, 1.0, 0.0, 0.0]))
    depth = lerp(0.42, 0.52, 1 - m.amp)
    P[:, HIP_Y] = b.stand_hip + (depth * L - b.stand_hip) * low
    P[:, DX] = -0.16 * L * low
    P[:, LF_F] = 0.03 - P[:, DX]
    P[:, RF_F] = -0.03 - P[:, DX]
    plant(P)
    P[:, LEAN] = 0.03 + 0.5 * low
    arms = 0.05 + (1.5 - 0.05) * (low if m.style < 0.5 else np.ones_like(low))
    P[:, L_SH] = arms
    P[:, R_SH] = arms
    P[:, (L_EL, R_EL)] = 0.05
    return P


def push_ups(m: MotionInput) -> np.ndarray:
    """Plank on hands and toes; the straight body pivots about the feet, hands stay planted."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    period = 1.7 / rate(m)
    u = np.mod(_cycle(m, period), 1.0)
    low = 0.5 - 0.5 * np.cos(TAU * u)
    length = 0.98 * L + b.torso
    top = 0.92 * b.arm
    neck_h = lerp(top, lerp(0.42, 0.3, m.amp) * b.arm, low)
    pitch = np.arccos(np.clip((neck_h - 0.03) / length, 0.05, 0.95))
    up_pitch = float(np.arccos(np.clip((top - 0.03) / length, 0.05, 0.95)))
    P[:, PITCH] = pitch
    P[:, LEAN] = 0.0
    P[:, HIP_Y] = 0.03 + 0.98 * L * np.cos(pitch)
    P[:, DX] = 0.98 * L * (np.sin(pitch) - np.sin(up_pitch))  # the feet stay where they are
    P[:, LF_F] = P[:, RF_F] = 0.0
    P[:, LF_Y] = P[:, RF_Y] = -0.98 * L
    hand_x = b.torso * np.sin(up_pitch) + 0.03  # under the shoulders of the top position
    rel_f = hand_x - (P[:, DX] + b.torso * np.sin(pitch))  # hand from the neck, world frame
    rel_y = 0.02 - (P[:, HIP_Y] + b.torso * np.cos(pitch))
    c, s = np.cos(pitch), np.sin(pitch)
    for side in (1, -1):
        reach(P, side, b, rel_f * c - rel_y * s, rel_f * s + rel_y * c)  # in the body's unrotated frame
    return P


def sit_ups(m: MotionInput) -> np.ndarray:
    """On the back, knees bent, hands behind the head, curling up and lying back."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    period = 2.2 / rate(m)
    u = np.mod(_cycle(m, period), 1.0)
    up = keyframes(u, [0.0, 0.4, 0.5, 0.9, 1.0], np.array([0.0, 1.0, 1.0, 0.0, 0.0]))
    P[:, HIP_Y] = FLOOR_HIP
    P[:, LEAN] = LYING_LEAN + (lerp(1.0, 1.35, m.amp)) * up
    P[:, LF_F], P[:, RF_F] = 0.55 * L, 0.58 * L
    P[:, LF_Y] = P[:, RF_Y] = -FLOOR_HIP + 0.02
    lean = P[:, LEAN]
    head_f, head_y = 0.09 * b.height * np.sin(lean), 0.09 * b.height * np.cos(lean)
    back_f, back_y = -0.04 * np.cos(lean), 0.04 * np.sin(lean)
    for side in (1, -1):
        reach(P, side, b, head_f + back_f, head_y + back_y)
    return P


def lunge(m: MotionInput) -> np.ndarray:
    """Step forward into a deep lunge and back, legs taking turns, hands on the hips."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    period = 2.4 / rate(m)
    ph = _cycle(m, period)
    u = np.mod(ph, 1.0)
    rep = np.floor(ph)
    out = keyframes(u, [0.0, 0.3, 0.62, 0.95, 1.0], np.array([0.0, 1.0, 1.0, 0.0, 0.0]))
    stepping = np.sqrt(np.sin(np.pi * np.clip(u / 0.3, 0, 1))) + np.sqrt(np.sin(np.pi * np.clip((u - 0.62) / 0.33, 0, 1)))
    step = (0.75 + 0.1 * m.amp) * L
    lead_left = (np.mod(rep, 2) == 0) == (m.side > 0)
    P[:, DX] = 0.5 * step * out
    low = np.clip((u - 0.1) / 0.2, 0, 1) * np.clip((0.9 - u) / 0.2, 0, 1)
    P[:, HIP_Y] = b.stand_hip - (0.3 + 0.05 * m.amp) * L * smoothstep(low) * out
    front = step * out - P[:, DX]
    back = -P[:, DX]
    P[:, LF_F] = np.where(lead_left, front + 0.03, back - 0.03)
    P[:, RF_F] = np.where(lead_left, back - 0.03, front + 0.03)
    lift = 0.08 * L * stepping
    plant(P, np.where(lead_left, lift, 0.03 * out), np.where(lead_left, 0.03 * out, lift))
    P[:, LEAN] = 0.03
    for side in (1, -1):
        reach_from_hip(P, side, b, 0.02, P[:, HIP_Y] + 0.06)
    return P


def balance(m: MotionInput) -> np.ndarray:
    """Tree pose: on one leg, the other foot at the knee, hands together overhead or at the chest."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    up = smoothstep((m.t - 0.1) / 0.6)
    support_f, support_y, support_l = (LF_F, LF_Y, LF_L) if m.side > 0 else (RF_F, RF_Y, RF_L)
    free_f, free_y, free_l = (RF_F, RF_Y, RF_L) if m.side > 0 else (LF_F, LF_Y, LF_L)
    w = TAU * (0.55 * m.t + m.phase)
    wobble = 0.012 * np.sin(w) + 0.007 * np.sin(2.7 * w + 1.0)
    P[:, LEAN] = 0.02 + wobble * 2.0
    P[:, DX] = wobble
    P[:, support_f] = -wobble
    P[:, support_l] = 0.0
    P[:, free_f] = 0.12 * L * up - wobble
    P[:, free_l] = P[:, free_l] * (1 - up)
    plant(P)
    P[:, free_y] += (0.45 + 0.05 * m.amp) * L * up
    if m.style < 0.5:
        target_f, target_y = 0.04, 0.97 * b.arm
    else:
        target_f, target_y = 0.18 * b.arm, -0.25 * b.arm
    hf, hh = hanging_hand(b)
    nf, ny = b.torso * np.sin(P[:, LEAN]), b.torso * np.cos(P[:, LEAN])
    rest_f, rest_y = hf - nf, hh - P[:, HIP_Y] - ny
    for side in (1, -1):
        reach(P, side, b, rest_f + (target_f - rest_f) * up, rest_y + (target_y - rest_y) * up)
    P[:, L_AB] = P[:, R_AB] = 0.0
    return P


def stretch(m: MotionInput) -> np.ndarray:
    """Slow: reach both arms overhead on the toes, lean back, reach high again, relax."""
    b = m.body
    P = neutral(m)
    u = np.mod(_cycle(m, 5.0 / rate(m)), 1.0)
    hf, hh = hanging_hand(b)
    top = b.neck_height + 0.95 * b.arm
    S = b.stand_hip
    pose_keys(m, P, [0.0, 0.25, 0.45, 0.62, 0.8, 1.0], clock=u,
              hip=[S, S + 0.04, S + 0.01, S + 0.03, S, S],
              lean=[0.03, 0.0, -0.25 - 0.1 * m.amp, 0.0, 0.03, 0.03],
              lfy=[0, 0.04, 0.01, 0.03, 0, 0], rfy=[0, 0.04, 0.01, 0.03, 0, 0],
              lhf=[hf, 0.02, -0.2, 0.02, 0.25, hf], lhh=[hh, top, top - 0.05, top, b.neck_height, hh],
              rhf=[hf, 0.04, -0.18, 0.04, 0.25, hf], rhh=[hh, top, top - 0.05, top, b.neck_height, hh])
    breathe(m, P, 0.5)
    return P


def touch_toes(m: MotionInput) -> np.ndarray:
    """Arms up, bend forward with straight legs until the hands reach the feet, come back up."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    u = np.mod(_cycle(m, 3.0 / rate(m)), 1.0)
    top = b.neck_height + 0.9 * b.arm
    S = b.stand_hip
    bend = 1.85 + 0.25 * m.amp  # past horizontal: the head goes below the hips
    pose_keys(m, P, [0.0, 0.4, 0.6, 0.95, 1.0], clock=u,
              dx=[0, -0.2 * L, -0.2 * L, 0, 0], hip=[S, 0.95 * L, 0.95 * L, S, S],
              lean=[0.0, bend, bend, 0.0, 0.0],
              lhf=[0.05, 0.2 * L, 0.24 * L, 0.05, 0.05], lhh=[top, 0.05, 0.04, top, top],
              rhf=[0.05, 0.22 * L, 0.26 * L, 0.05, 0.05], rhh=[top, 0.05, 0.04, top, top])
    return P
