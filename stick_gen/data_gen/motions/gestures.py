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


def _raise(motion: MotionInput, start: float = 0.05, length: float = 0.4) -> np.ndarray:
    """0 -> 1 as a gesture is taken up at the start of the segment."""
    return smoothstep((motion.t - start) / length)[:, None]


def _blend_arm(channels: np.ndarray, side: int, target: np.ndarray, weight: np.ndarray) -> None:
    """Move an arm's (SH, EL, AB) channels from their current values toward ``target [n, 3]``."""
    cols = list(arm(side))
    channels[:, cols] = channels[:, cols] + (target - channels[:, cols]) * weight


def wave(motion: MotionInput) -> np.ndarray:
    channels = neutral(motion)
    breathe(motion, channels)
    sway(motion, channels, 0.01)
    cadence = 1.9 * rate(motion)
    angle = TAU * (cadence * motion.t + motion.phase)
    if motion.style < 0.6:  # forearm waving from the elbow
        sh = 2.45 + 0.15 * motion.amp + 0.05 * np.sin(angle)
        el = 0.55 + (0.35 + 0.2 * motion.amp) * np.sin(angle)
    else:  # the whole arm sweeping overhead
        sh = 2.55 + (0.25 + 0.15 * motion.amp) * np.sin(angle)
        el = 0.2 + 0.05 * np.sin(angle)
    target = np.stack([sh, el, np.full(motion.n, 0.3)], axis=1)
    _blend_arm(channels, motion.side, target, _raise(motion))
    return channels


def point(motion: MotionInput) -> np.ndarray:
    channels = neutral(motion)
    breathe(motion, channels)
    aim = 1.45 + 0.35 * (motion.style - 0.5)
    switch = motion.duration * (0.35 + 0.3 * motion.onset)
    aim = aim + (0.25 if motion.amp > 0.5 else -0.25) * smoothstep((motion.t - switch) / 0.4)
    target = np.stack([aim, np.full(motion.n, 0.04), np.full(motion.n, 0.05)], axis=1)
    _blend_arm(channels, motion.side, target, _raise(motion, 0.05, 0.45))
    channels[:, LEAN] += 0.05 * _raise(motion)[:, 0]
    return channels


def clap(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    breathe(motion, channels, 0.5)
    cadence = 2.3 * rate(motion)
    angle = TAU * (cadence * motion.t + motion.phase)
    up = _raise(motion, 0.05, 0.3)[:, 0]
    open_ = 0.5 + 0.5 * np.cos(angle)  # 0 = palms together
    height = -0.32 * body.arm + 0.05 * body.arm * np.sin(angle) + 0.1 * body.arm * (motion.style - 0.5)
    rf, rh = hanging_hand(body)
    nf, ny = body.torso * np.sin(channels[:, LEAN]), body.torso * np.cos(channels[:, LEAN])
    rest_f, rest_y = rf - nf, rh - body.stand_hip - ny
    for side in (1, -1):
        fwd = 0.55 * body.arm
        reach(channels, side, body, rest_f + (fwd - rest_f) * up, rest_y + (height - rest_y) * up)
    closing = -body.shoulder * (1.0 - (0.6 + 0.25 * motion.amp) * open_) * up
    channels[:, LH_L] = closing
    channels[:, RH_L] = -closing
    channels[:, (L_AB, R_AB)] = 0.0
    channels[:, YAW] = motion.facing * 0.6 * up
    return channels


def salute(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    channels[:, LF_F], channels[:, RF_F] = 0.01, -0.01
    channels[:, LEAN] = 0.0
    breathe(motion, channels, 0.4)
    up = _raise(motion, 0.05, 0.45)[:, 0]
    rf, rh = hanging_hand(body)
    rest_f, rest_y = rf, rh - body.neck_height
    brow_f, brow_y = 0.07 * body.height, (0.1 + 0.02 * motion.style) * body.height
    reach(channels, motion.side, body, rest_f + (brow_f - rest_f) * up, rest_y + (brow_y - rest_y) * up)
    sh, el, ab = arm(-motion.side)
    channels[:, sh], channels[:, el] = 0.0, 0.05
    return channels


def shrug(motion: MotionInput) -> np.ndarray:
    """Forearms out and up, shoulders raised, palms up; then drop back, repeated."""
    channels = neutral(motion)
    breathe(motion, channels)
    length = 1.1 / rate(motion)
    period = length + lerp(0.4, 1.2, motion.style)
    local_t, _ = repeat_times(motion, period, 0.1 + 0.5 * motion.phase, length)
    g = keyframes(local_t, [0.0, 0.25 * length, 0.65 * length, length], np.array([0.0, 1.0, 1.0, 0.0]))
    amount = 0.8 + 0.2 * motion.amp
    channels[:, (L_SH, R_SH)] += (0.3 * g)[:, None]
    channels[:, (L_EL, R_EL)] += (amount * 1.45 * g)[:, None]
    channels[:, (L_AB, R_AB)] += (0.55 * g)[:, None]
    channels[:, LEAN] -= 0.06 * g
    channels[:, HIP_Y] += 0.012 * g
    plant(channels)
    channels[:, YAW] = motion.facing * 0.5
    return channels


def celebrate(motion: MotionInput) -> np.ndarray:
    """Both arms up in a V, fists pumping, bouncing on the knees (or little jumps)."""
    body = motion.body
    channels = neutral(motion)
    cadence = 1.8 * rate(motion)
    angle = TAU * (cadence * motion.t + motion.phase)
    up = _raise(motion, 0.05, 0.35)
    target = np.stack([np.full(motion.n, 2.7 + 0.15 * motion.style),
                       0.15 + (0.4 + 0.3 * motion.amp) * (0.5 + 0.5 * np.sin(angle)),
                       np.full(motion.n, 0.45)], axis=1)
    _blend_arm(channels, 1, target, up)
    _blend_arm(channels, -1, target, up)
    bounce = 0.5 - 0.5 * np.cos(angle)
    if motion.style > 0.6:  # small jumps
        channels[:, HIP_Y] += 0.06 * bounce
        channels[:, LF_Y] = channels[:, RF_Y] = -body.stand_hip + 0.05 * bounce
    else:
        channels[:, HIP_Y] -= 0.04 * body.leg * bounce
        plant(channels)
    channels[:, LEAN] = -0.04 + 0.03 * bounce
    return channels


def bow(motion: MotionInput) -> np.ndarray:
    """Bend forward from the hips with the arms hanging (or a hand on the belly), hold, come up."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    length = 2.0 / rate(motion)
    period = length + lerp(0.6, 1.6, motion.style)
    local_t, _ = repeat_times(motion, period, 0.15 + 0.5 * motion.onset, length)
    depth = 0.85 + 0.35 * motion.amp
    g = keyframes(local_t, [0.0, 0.3 * length, 0.65 * length, length], np.array([0.0, 1.0, 1.0, 0.0]))
    channels[:, LEAN] = 0.03 + depth * g
    channels[:, DX] = -0.08 * leg * g
    channels[:, LF_F] = 0.03 - channels[:, DX]
    channels[:, RF_F] = -0.03 - channels[:, DX]
    channels[:, (L_SH, R_SH)] = (0.05 + 0.25 * g)[:, None]
    if motion.style > 0.6:
        reach_from_hip(channels, motion.side, body, 0.15 + 0.05 * g, channels[:, HIP_Y] + 0.12 * leg)
    breathe(motion, channels, 0.5)
    return channels


def dance_disco(motion: MotionInput) -> np.ndarray:
    """One arm points up to the side, then down across the body, on the beat; hips sway, knees bounce."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    beat = 2.0 * rate(motion)
    beats = motion.phase * 2 + beat * motion.t
    up = np.mod(np.floor(beats), 2) == 0
    snap = smoothstep(np.mod(beats, 1.0) / 0.3)
    high = np.array([2.55 + 0.1 * motion.amp, 0.05, 0.55])
    low = np.array([0.45, 0.05, -0.25])
    now = np.where(up[:, None], high, low)
    before = np.where(up[:, None], low, high)
    target = before + (now - before) * snap[:, None]
    _blend_arm(channels, motion.side, target, _raise(motion, 0.0, 0.3))
    reach_from_hip(channels, -motion.side, body, 0.05, body.stand_hip + 0.05)
    swing = np.sin(np.pi * beats / 2.0)
    channels[:, DX] = 0.04 * swing
    channels[:, LF_F] = 0.03 - channels[:, DX]
    channels[:, RF_F] = -0.03 - channels[:, DX]
    channels[:, HIP_Y] -= 0.035 * leg * (0.5 + 0.5 * np.cos(TAU * beats))
    tap = np.maximum(np.sin(np.pi * beats), 0.0) ** 2
    plant(channels, 0.04 * tap * (motion.side < 0), 0.04 * tap * (motion.side > 0))
    channels[:, LEAN] = 0.03 + 0.06 * swing
    return channels


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


def dance_robot(motion: MotionInput) -> np.ndarray:
    """Stiff angular arm poses that snap on every beat and hold; small stiff steps; robotic turns."""
    channels = neutral(motion)
    beat = 1.7 * rate(motion)
    beats = motion.phase * 4 + beat * motion.t
    rep = np.floor(beats).astype(int)
    start = int(motion.style * len(_ROBOT_POSES))
    now = _ROBOT_POSES[(start + rep) % len(_ROBOT_POSES)]
    before = _ROBOT_POSES[(start + rep - 1) % len(_ROBOT_POSES)]
    snap = smoothstep(np.mod(beats, 1.0) / 0.15)[:, None]
    pose = before + (now - before) * snap
    up = _raise(motion, 0.0, 0.3)
    channels[:, [L_SH, L_EL, R_SH, R_EL]] += (pose - channels[:, [L_SH, L_EL, R_SH, R_EL]]) * up
    channels[:, LEAN] = 0.0 + 0.08 * (np.mod(rep, 3) == 0)
    turn = np.mod(np.floor(beats / 4), 2)
    snap_turn = smoothstep(np.mod(beats, 4.0) / 0.2)  # every 4 beats: turn toward the camera, or back
    channels[:, YAW] = motion.facing * (0.7 + 0.2 * motion.amp) * np.where(turn == 1, snap_turn, 1.0 - snap_turn)
    lift = 0.05 * np.sin(np.pi * np.clip(np.mod(beats, 2.0) / 0.5, 0, 1))
    # a robotic quarter turn is a little hop: the feet leave the ground while the body swivels
    swivel = 0.05 * np.minimum(np.abs(np.gradient(channels[:, YAW])) * motion.fps / 1.5, 1.0) if motion.n > 1 else 0.0
    plant(channels, np.maximum(lift * (np.mod(np.floor(beats / 2), 2) == 0), swivel),
          np.maximum(lift * (np.mod(np.floor(beats / 2), 2) == 1), swivel))
    return channels


def spin(motion: MotionInput) -> np.ndarray:
    """Twirl on the spot with the arms out, a whole number of turns, ending facing as before."""
    body = motion.body
    channels = neutral(motion)
    turns_per_s = 0.9 * rate(motion)
    turns = max(1, int(round(turns_per_s * 0.8 * motion.duration)))
    sign = 1.0 if motion.style < 0.5 else -1.0
    s = np.clip((motion.t - 0.1 * motion.duration) / (0.8 * motion.duration), 0.0, 1.0)
    ease = s * s * s * (s * (6 * s - 15) + 10)
    channels[:, YAW] = sign * TAU * turns * ease
    spinning = np.sin(np.pi * s)
    channels[:, (L_AB, R_AB)] = (0.06 + (1.3 + 0.2 * motion.amp) * np.minimum(1.0, 3 * spinning))[:, None]
    channels[:, (L_EL, R_EL)] = 0.2
    toes = 0.03 * np.minimum(1.0, 3 * spinning)
    channels[:, HIP_Y] += toes
    steps = np.sin(TAU * turns * 2 * ease)
    plant(channels, toes + 0.04 * np.maximum(steps, 0) * spinning, toes + 0.04 * np.maximum(-steps, 0) * spinning)
    return channels
