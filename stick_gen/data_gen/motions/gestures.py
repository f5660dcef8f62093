"""Standing gestures and dances: wave, point, clap, salute, shrug, celebrate, bow, disco, robot, spin.

The gesturing arm is the ``side`` one. Clapping and shrugging turn the body a little toward the
camera (a yaw offset), since in a pure side view both hands move along the line of sight.
"""

from __future__ import annotations

import numpy as np

from .base import (
    DX, HIP_Y, L_AB, L_EL, L_SH, LEAN, LF_F, LF_Y, LH_L, R_AB, R_EL, R_SH, RF_F, RF_Y, RH_L, TAU, YAW,
    MotionInput, arm, breathe, hanging_hand, keyframes, lerp, neutral, plant, rate, reach,
    reach_from_hip, repeat_times, smoothstep, sway,
)


def _raise(m: MotionInput, start: float = 0.05, length: float = 0.4) -> np.ndarray:
    """0 -> 1 as a gesture is taken up at the start of the segment."""
    return smoothstep((m.t - start) / length)[:, None]


def _blend_arm(P: np.ndarray, side: int, target: np.ndarray, weight: np.ndarray) -> None:
    """Move an arm's (SH, EL, AB) channels from their current values toward ``target [n, 3]``."""
    cols = list(arm(side))
    P[:, cols] = P[:, cols] + (target - P[:, cols]) * weight


def wave(m: MotionInput) -> np.ndarray:
    P = neutral(m)
    breathe(m, P)
    sway(m, P, 0.01)
    f = 1.9 * rate(m)
    w = TAU * (f * m.t + m.phase)
    if m.style < 0.6:  # forearm waving from the elbow
        sh = 2.45 + 0.15 * m.amp + 0.05 * np.sin(w)
        el = 0.55 + (0.35 + 0.2 * m.amp) * np.sin(w)
    else:  # the whole arm sweeping overhead
        sh = 2.55 + (0.25 + 0.15 * m.amp) * np.sin(w)
        el = 0.2 + 0.05 * np.sin(w)
    target = np.stack([sh, el, np.full(m.n, 0.3)], axis=1)
    _blend_arm(P, m.side, target, _raise(m))
    return P


def point(m: MotionInput) -> np.ndarray:
    P = neutral(m)
    breathe(m, P)
    aim = 1.45 + 0.35 * (m.style - 0.5)
    switch = m.duration * (0.35 + 0.3 * m.onset)
    aim = aim + (0.25 if m.amp > 0.5 else -0.25) * smoothstep((m.t - switch) / 0.4)
    target = np.stack([aim, np.full(m.n, 0.04), np.full(m.n, 0.05)], axis=1)
    _blend_arm(P, m.side, target, _raise(m, 0.05, 0.45))
    P[:, LEAN] += 0.05 * _raise(m)[:, 0]
    return P


def clap(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    breathe(m, P, 0.5)
    f = 2.3 * rate(m)
    w = TAU * (f * m.t + m.phase)
    up = _raise(m, 0.05, 0.3)[:, 0]
    open_ = 0.5 + 0.5 * np.cos(w)  # 0 = palms together
    height = -0.32 * b.arm + 0.05 * b.arm * np.sin(w) + 0.1 * b.arm * (m.style - 0.5)
    rf, rh = hanging_hand(b)
    nf, ny = b.torso * np.sin(P[:, LEAN]), b.torso * np.cos(P[:, LEAN])
    rest_f, rest_y = rf - nf, rh - b.stand_hip - ny
    for side in (1, -1):
        fwd = 0.55 * b.arm
        reach(P, side, b, rest_f + (fwd - rest_f) * up, rest_y + (height - rest_y) * up)
    closing = -b.shoulder * (1.0 - (0.6 + 0.25 * m.amp) * open_) * up
    P[:, LH_L] = closing
    P[:, RH_L] = -closing
    P[:, (L_AB, R_AB)] = 0.0
    P[:, YAW] = m.facing * 0.6 * up
    return P


def salute(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    P[:, LF_F], P[:, RF_F] = 0.01, -0.01
    P[:, LEAN] = 0.0
    breathe(m, P, 0.4)
    up = _raise(m, 0.05, 0.45)[:, 0]
    rf, rh = hanging_hand(b)
    rest_f, rest_y = rf, rh - b.neck_height
    brow_f, brow_y = 0.07 * b.height, (0.1 + 0.02 * m.style) * b.height
    reach(P, m.side, b, rest_f + (brow_f - rest_f) * up, rest_y + (brow_y - rest_y) * up)
    sh, el, ab = arm(-m.side)
    P[:, sh], P[:, el] = 0.0, 0.05
    return P


def shrug(m: MotionInput) -> np.ndarray:
    """Forearms out and up, shoulders raised, palms up; then drop back, repeated."""
    P = neutral(m)
    breathe(m, P)
    length = 1.1 / rate(m)
    period = length + lerp(0.4, 1.2, m.style)
    tl, _ = repeat_times(m, period, 0.1 + 0.5 * m.phase, length)
    g = keyframes(tl, [0.0, 0.25 * length, 0.65 * length, length], np.array([0.0, 1.0, 1.0, 0.0]))
    amount = 0.8 + 0.2 * m.amp
    P[:, (L_SH, R_SH)] += (0.3 * g)[:, None]
    P[:, (L_EL, R_EL)] += (amount * 1.45 * g)[:, None]
    P[:, (L_AB, R_AB)] += (0.55 * g)[:, None]
    P[:, LEAN] -= 0.06 * g
    P[:, HIP_Y] += 0.012 * g
    plant(P)
    P[:, YAW] = m.facing * 0.5
    return P


def celebrate(m: MotionInput) -> np.ndarray:
    """Both arms up in a V, fists pumping, bouncing on the knees (or little jumps)."""
    b = m.body
    P = neutral(m)
    f = 1.8 * rate(m)
    w = TAU * (f * m.t + m.phase)
    up = _raise(m, 0.05, 0.35)
    target = np.stack([np.full(m.n, 2.7 + 0.15 * m.style), 0.15 + (0.4 + 0.3 * m.amp) * (0.5 + 0.5 * np.sin(w)),
                       np.full(m.n, 0.45)], axis=1)
    _blend_arm(P, 1, target, up)
    _blend_arm(P, -1, target, up)
    bounce = 0.5 - 0.5 * np.cos(w)
    if m.style > 0.6:  # small jumps
        P[:, HIP_Y] += 0.06 * bounce
        P[:, LF_Y] = P[:, RF_Y] = -b.stand_hip + 0.05 * bounce
    else:
        P[:, HIP_Y] -= 0.04 * b.leg * bounce
        plant(P)
    P[:, LEAN] = -0.04 + 0.03 * bounce
    return P


def bow(m: MotionInput) -> np.ndarray:
    """Bend forward from the hips with the arms hanging (or a hand on the belly), hold, come up."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    length = 2.0 / rate(m)
    period = length + lerp(0.6, 1.6, m.style)
    tl, _ = repeat_times(m, period, 0.15 + 0.5 * m.onset, length)
    depth = 0.85 + 0.35 * m.amp
    g = keyframes(tl, [0.0, 0.3 * length, 0.65 * length, length], np.array([0.0, 1.0, 1.0, 0.0]))
    P[:, LEAN] = 0.03 + depth * g
    P[:, DX] = -0.08 * L * g
    P[:, LF_F] = 0.03 - P[:, DX]
    P[:, RF_F] = -0.03 - P[:, DX]
    P[:, (L_SH, R_SH)] = (0.05 + 0.25 * g)[:, None]
    if m.style > 0.6:
        reach_from_hip(P, m.side, b, 0.15 + 0.05 * g, P[:, HIP_Y] + 0.12 * L)
    breathe(m, P, 0.5)
    return P


def dance_disco(m: MotionInput) -> np.ndarray:
    """One arm points up to the side, then down across the body, on the beat; hips sway, knees bounce."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    beat = 2.0 * rate(m)
    beats = m.phase * 2 + beat * m.t
    up = np.mod(np.floor(beats), 2) == 0
    snap = smoothstep(np.mod(beats, 1.0) / 0.3)
    high = np.array([2.55 + 0.1 * m.amp, 0.05, 0.55])
    low = np.array([0.45, 0.05, -0.25])
    now = np.where(up[:, None], high, low)
    before = np.where(up[:, None], low, high)
    target = before + (now - before) * snap[:, None]
    _blend_arm(P, m.side, target, _raise(m, 0.0, 0.3))
    reach_from_hip(P, -m.side, b, 0.05, b.stand_hip + 0.05)
    swing = np.sin(np.pi * beats / 2.0)
    P[:, DX] = 0.04 * swing
    P[:, LF_F] = 0.03 - P[:, DX]
    P[:, RF_F] = -0.03 - P[:, DX]
    P[:, HIP_Y] -= 0.035 * L * (0.5 + 0.5 * np.cos(TAU * beats))
    tap = np.maximum(np.sin(np.pi * beats), 0.0) ** 2
    plant(P, 0.04 * tap * (m.side < 0), 0.04 * tap * (m.side > 0))
    P[:, LEAN] = 0.03 + 0.06 * swing
    return P


_ROBOT_POSES = np.array([
    # left (SH, EL), right (SH, EL)
    [1.57, 1.57, 0.2, 0.0],
    [0.2, 0.0, 1.57, 1.57],
    [1.57, 0.0, 1.57, 0.0],
    [0.0, 1.57, 0.0, 1.57],
    [2.9, 0.0, 0.1, 0.0],
    [0.1, 0.0, 2.9, 0.0],
    [1.57, 1.57, 1.57, 1.57],
    [0.8, 1.9, 0.8, 1.9],
])


def dance_robot(m: MotionInput) -> np.ndarray:
    """Stiff angular arm poses that snap on every beat and hold; small stiff steps; robotic turns."""
    P = neutral(m)
    beat = 1.7 * rate(m)
    beats = m.phase * 4 + beat * m.t
    k = np.floor(beats).astype(int)
    start = int(m.style * len(_ROBOT_POSES))
    now = _ROBOT_POSES[(start + k) % len(_ROBOT_POSES)]
    before = _ROBOT_POSES[(start + k - 1) % len(_ROBOT_POSES)]
    snap = smoothstep(np.mod(beats, 1.0) / 0.15)[:, None]
    pose = before + (now - before) * snap
    up = _raise(m, 0.0, 0.3)
    P[:, [L_SH, L_EL, R_SH, R_EL]] += (pose - P[:, [L_SH, L_EL, R_SH, R_EL]]) * up
    P[:, LEAN] = 0.0 + 0.08 * (np.mod(k, 3) == 0)
    turn = np.mod(np.floor(beats / 4), 2)
    snap_turn = smoothstep(np.mod(beats, 4.0) / 0.2)  # every 4 beats: turn toward the camera, or back
    P[:, YAW] = m.facing * (0.7 + 0.2 * m.amp) * np.where(turn == 1, snap_turn, 1.0 - snap_turn)
    lift = 0.05 * np.sin(np.pi * np.clip(np.mod(beats, 2.0) / 0.5, 0, 1))
    # a robotic quarter turn is a little hop: the feet leave the ground while the body swivels
    swivel = 0.05 * np.minimum(np.abs(np.gradient(P[:, YAW])) * m.fps / 1.5, 1.0) if m.n > 1 else 0.0
    plant(P, np.maximum(lift * (np.mod(np.floor(beats / 2), 2) == 0), swivel),
          np.maximum(lift * (np.mod(np.floor(beats / 2), 2) == 1), swivel))
    return P


def spin(m: MotionInput) -> np.ndarray:
    """Twirl on the spot with the arms out, a whole number of turns, ending facing as before."""
    b = m.body
    P = neutral(m)
    speed = 0.9 * rate(m)  # turns per second
    turns = max(1, int(round(speed * 0.8 * m.duration)))
    sign = 1.0 if m.style < 0.5 else -1.0
    s = np.clip((m.t - 0.1 * m.duration) / (0.8 * m.duration), 0.0, 1.0)
    ease = s * s * s * (s * (6 * s - 15) + 10)
    P[:, YAW] = sign * TAU * turns * ease
    spinning = np.sin(np.pi * s)
    P[:, (L_AB, R_AB)] = (0.06 + (1.3 + 0.2 * m.amp) * np.minimum(1.0, 3 * spinning))[:, None]
    P[:, (L_EL, R_EL)] = 0.2
    toes = 0.03 * np.minimum(1.0, 3 * spinning)
    P[:, HIP_Y] += toes
    steps = np.sin(TAU * turns * 2 * ease)
    plant(P, toes + 0.04 * np.maximum(steps, 0) * spinning, toes + 0.04 * np.maximum(-steps, 0) * spinning)
    return P
