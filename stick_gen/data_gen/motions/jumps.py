"""Jumps: in place, forward, hopping, jumping jacks, rope skipping, backflips and cartwheels.

Flights are ballistic (the hip follows a parabola under gravity); feet stay planted between jumps.
"""

from __future__ import annotations

import numpy as np

from .base import (
    DX, GRAVITY, HIP_Y, L_AB, L_EL, L_SH, LEAN, LF_F, LF_L, LF_Y, PITCH, R_AB, R_EL, R_SH, RF_F, RF_L, RF_Y,
    ROLL, TAU, YAW, MotionInput, keyframes, lerp, neutral, rate, repeat_times,
    smoothstep,
)


def _flight_time(height: float) -> float:
    return 2.0 * np.sqrt(2.0 * height / GRAVITY)


def _jump_profile(tl: np.ndarray, stand: float, height: float, dip: float, prep: float, land: float):
    """Hip height over one jump (crouch ``prep`` s, flight, land ``land`` s) and its phase markers.

    Returns ``(hip, in_flight, flight progress 0..1, crouch 0..1)``.
    """
    tf = _flight_time(height)
    keys_t = [0.0, 0.65 * prep, prep, prep + tf, prep + tf + 0.45 * land, prep + tf + land]
    keys_v = [stand, stand - dip, stand + 0.01, stand + 0.01, stand - 0.7 * dip, stand]
    hip = keyframes(tl, keys_t, np.array(keys_v))
    ft = tl - prep
    flying = (ft > 0) & (ft < tf)
    v0 = GRAVITY * tf / 2.0
    hip = np.where(flying, stand + 0.01 + v0 * ft - 0.5 * GRAVITY * ft * ft, hip)
    progress = np.clip(ft / tf, 0.0, 1.0)
    crouch = np.clip((stand - hip) / max(dip, 1e-3), 0.0, 1.0)
    return hip, flying, progress, crouch, tf


def _jump_arms(P: np.ndarray, tl: np.ndarray, prep: float, tf: float, land: float, up: float) -> None:
    """Arms swing back in the crouch, up through the take-off, down for the landing."""
    keys_t = [0.0, 0.7 * prep, prep + 0.1 * tf, prep + 0.6 * tf, prep + tf + 0.3 * land, prep + tf + land + 0.2]
    sh = keyframes(tl, keys_t, np.array([0.05, -0.75, up, up * 0.8, 0.6, 0.05]))
    P[:, L_SH] = sh
    P[:, R_SH] = sh
    P[:, (L_EL, R_EL)] = 0.25


def jump(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    height = lerp(0.18, 0.42, m.amp)
    prep, land = 0.45 / rate(m), 0.35
    tf = _flight_time(height)
    length = prep + tf + land + 0.2
    period = length + lerp(0.15, 0.7, m.style) / rate(m)
    tl, _ = repeat_times(m, period, 0.05 + 0.4 * m.phase, length)
    hip, flying, progress, crouch, tf = _jump_profile(tl, b.stand_hip, height, 0.22 * b.leg, prep, land)
    P[:, HIP_Y] = hip
    tuck = 0.06 * b.leg * np.sin(np.pi * progress) * flying
    P[:, LF_Y] = np.where(flying, -b.stand_hip + tuck, -hip)
    P[:, RF_Y] = P[:, LF_Y]
    P[:, LEAN] = 0.05 + 0.45 * crouch
    _jump_arms(P, tl, prep, tf, land, 2.6 + 0.3 * m.amp)
    return P


def jump_forward(m: MotionInput) -> np.ndarray:
    b = m.body
    P = neutral(m)
    height = lerp(0.22, 0.38, m.amp)
    distance = lerp(0.8, 1.4, m.amp) * b.leg / 0.9
    prep, land = 0.5 / rate(m), 0.4
    tf = _flight_time(height)
    length = prep + tf + land + 0.2
    period = length + lerp(0.2, 0.8, m.style) / rate(m)
    tl, k = repeat_times(m, period, 0.05 + 0.4 * m.phase, length)
    hip, flying, progress, crouch, tf = _jump_profile(tl, b.stand_hip, height, 0.25 * b.leg, prep, land)
    P[:, HIP_Y] = hip
    travelled = distance * (k + smoothstep((tl - prep + 0.15) / (tf + 0.3)))  # the push and the landing carry on
    P[:, DX] = travelled
    feet_world = distance * (k + smoothstep(progress))
    P[:, LF_F] = feet_world - travelled + 0.03
    P[:, RF_F] = feet_world - travelled - 0.03
    tuck = 0.12 * b.leg * np.sin(np.pi * progress) * flying
    P[:, LF_Y] = np.where(flying, -b.stand_hip + tuck, -hip)
    P[:, RF_Y] = P[:, LF_Y]
    P[:, LEAN] = 0.08 + 0.5 * crouch + 0.2 * flying
    _jump_arms(P, tl, prep, tf, land, 2.0 + 0.3 * m.amp)
    return P


def hop(m: MotionInput) -> np.ndarray:
    """Small repeated hops on the ``side`` leg; the other foot held up behind, arms out."""
    b = m.body
    P = neutral(m)
    height = lerp(0.05, 0.12, m.amp)
    tf = _flight_time(height)
    ground = 0.24 / rate(m)
    period = tf + ground
    tl = np.mod(m.t + m.phase * period, period)
    stand = 0.96 * b.leg
    in_air = tl < tf
    hip = np.where(in_air, stand + GRAVITY * tf / 2 * tl - 0.5 * GRAVITY * tl * tl,
                   stand - 0.08 * b.leg * np.sin(np.pi * np.clip((tl - tf) / ground, 0, 1)))
    P[:, HIP_Y] = hip
    support, free = ((LF_F, LF_Y, LF_L), (RF_F, RF_Y, RF_L)) if m.side > 0 else ((RF_F, RF_Y, RF_L), (LF_F, LF_Y, LF_L))
    P[:, support[0]] = 0.0
    P[:, support[1]] = np.where(in_air, -stand, -hip)
    P[:, support[2]] = 0.0
    P[:, free[0]] = -(0.22 + 0.05 * m.style) * b.leg
    P[:, free[1]] = -0.55 * b.leg
    P[:, (L_AB, R_AB)] = 0.6 + 0.2 * m.amp
    P[:, (L_SH, R_SH)] = 0.3
    P[:, (L_EL, R_EL)] = 0.5
    P[:, LEAN] = 0.08 + 0.05 * np.sin(TAU * tl / period)
    return P


def star_jump(m: MotionInput) -> np.ndarray:
    """Jumping jacks facing the camera: legs and arms open wide, then close, with a hop each time."""
    b = m.body
    P = neutral(m)
    period = 1.05 / rate(m)
    u = np.mod(m.phase + m.t / period, 1.0)
    opened = keyframes(u, [0.0, 0.12, 0.38, 0.62, 0.88, 1.0], np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0]))
    moving = ((u > 0.12) & (u < 0.38)) | ((u > 0.62) & (u < 0.88))
    hop_s = np.where(u < 0.5, (u - 0.12) / 0.26, (u - 0.62) / 0.26)
    lift = lerp(0.04, 0.08, m.amp) * np.sin(np.pi * np.clip(hop_s, 0, 1)) * moving
    wide = (0.28 + 0.06 * m.amp) * b.leg
    lat = b.foot_spread + wide * opened
    P[:, LF_L], P[:, RF_L] = lat, -lat
    P[:, LF_F] = P[:, RF_F] = 0.0
    ground_hip = np.sqrt((0.975 * b.leg) ** 2 - lat ** 2)
    P[:, HIP_Y] = ground_hip + lift
    P[:, LF_Y] = P[:, RF_Y] = -ground_hip
    P[:, (L_AB, R_AB)] = (0.1 + 2.6 * opened)[:, None]
    P[:, (L_SH, R_SH)] = 0.05
    P[:, (L_EL, R_EL)] = 0.1
    P[:, YAW] = m.facing * np.pi / 2
    return P


def jump_rope(m: MotionInput) -> np.ndarray:
    """Quick small bounces on both feet, hands at the hips turning the rope in small circles."""
    b = m.body
    P = neutral(m)
    height = lerp(0.035, 0.07, m.amp)
    tf = _flight_time(height)
    period = tf + 0.2 / rate(m)
    tl = np.mod(m.t + m.phase * period, period)
    in_air = tl < tf
    stand = b.stand_hip
    hip = np.where(in_air, stand + GRAVITY * tf / 2 * tl - 0.5 * GRAVITY * tl * tl,
                   stand - 0.04 * b.leg * np.sin(np.pi * np.clip((tl - tf) / (period - tf), 0, 1)))
    P[:, HIP_Y] = hip
    P[:, LF_Y] = P[:, RF_Y] = np.where(in_air, -stand + 0.02, -hip)
    w = TAU * tl / period
    P[:, (L_SH, R_SH)] = (0.35 + 0.15 * np.sin(w))[:, None]
    P[:, (L_EL, R_EL)] = (0.95 + 0.15 * np.cos(w))[:, None]
    P[:, (L_AB, R_AB)] = 0.35
    P[:, LEAN] = 0.05
    return P


def backflip(m: MotionInput) -> np.ndarray:
    """Crouch, spring up with the arms, turn over backwards in a tuck, land, stand."""
    b = m.body
    P = neutral(m)
    height = lerp(0.6, 0.8, m.amp)
    prep, land = 0.55, 0.45
    tf = _flight_time(height)
    length = prep + tf + land + 0.3
    period = length + lerp(0.5, 1.2, m.style)
    tl, k = repeat_times(m, period, 0.1 + 0.5 * m.onset, length)
    hip, flying, progress, crouch, tf = _jump_profile(tl, b.stand_hip, height, 0.25 * b.leg, prep, land)
    turn = smoothstep((progress - 0.05) / 0.9)
    P[:, PITCH] = np.where(progress < 1.0, -TAU * turn, 0.0)
    P[:, HIP_Y] = hip
    back = -0.25 * (k + progress)
    P[:, DX] = back
    feet_world = -0.25 * (k + (progress >= 1.0))
    tuck = np.sin(np.pi * progress) * flying
    P[:, LF_F] = np.where(flying, 0.2 * b.leg * tuck, feet_world - back + 0.03)
    P[:, RF_F] = np.where(flying, 0.2 * b.leg * tuck, feet_world - back - 0.03)
    P[:, LF_Y] = np.where(flying, -b.stand_hip + 0.45 * b.leg * tuck, -P[:, HIP_Y])
    P[:, RF_Y] = P[:, LF_Y]
    P[:, LEAN] = 0.05 + 0.45 * crouch + 0.3 * tuck
    _jump_arms(P, tl, prep, tf, land, 2.9)
    P[:, (L_SH, R_SH)] -= (1.8 * tuck)[:, None]
    P[:, (L_EL, R_EL)] += (1.0 * tuck)[:, None]
    return P


def cartwheel(m: MotionInput) -> np.ndarray:
    """Facing the camera, arms and legs spread like a star, the body wheels over sideways."""
    b = m.body
    P = neutral(m)
    d = m.move_dir
    spin = 1.15 / rate(m)
    length = 0.45 + spin + 0.4
    period = length + lerp(0.3, 1.0, m.style)
    tl, k = repeat_times(m, period, 0.1 + 0.5 * m.onset, length)
    progress = np.clip((tl - 0.45) / spin, 0.0, 1.0)
    turn = smoothstep(progress)
    wheeling = (progress > 0) & (progress < 1)
    ready = smoothstep(tl / 0.45) * (1.0 - smoothstep((tl - 0.45 - spin - 0.1) / 0.3))
    spread = np.full(m.n, b.foot_spread + 0.3 * b.leg)  # a wide stance all along: the feet never slide
    P[:, LF_L], P[:, RF_L] = spread, -spread
    P[:, LF_F] = P[:, RF_F] = 0.0
    arms = 0.2 + 2.35 * np.maximum(ready, wheeling)
    P[:, (L_AB, R_AB)] = arms[:, None]
    P[:, (L_SH, R_SH)] = 0.0
    P[:, (L_EL, R_EL)] = 0.05
    roll = d * TAU * turn
    P[:, ROLL] = np.where(progress < 1.0, roll, 0.0)
    # the hip sits just high enough for the lowest hand or foot to touch the ground
    foot_y = -np.sqrt(np.maximum((0.975 * b.leg) ** 2 - spread ** 2, 0.1))
    hand_out = b.shoulder + b.arm * np.sin(arms)
    hand_y = b.torso + b.arm * -np.cos(arms)
    c, s = np.cos(roll), np.sin(roll)
    lows = [-lat * s + y * c for lat, y in ((spread, foot_y), (-spread, foot_y), (hand_out, hand_y), (-hand_out, hand_y))]
    lowest = np.minimum(np.minimum(lows[0], lows[1]), np.minimum(lows[2], lows[3]))
    P[:, HIP_Y] = np.where(wheeling, np.maximum(-lowest + 0.02, -foot_y), -foot_y)
    P[:, LF_Y] = P[:, RF_Y] = foot_y
    distance = (1.5 + 0.3 * m.amp) * b.height / 1.75
    P[:, DX] = m.facing * d * distance * (k + turn)
    P[:, YAW] = m.facing * np.pi / 2
    P[:, LEAN] = 0.0
    return P
