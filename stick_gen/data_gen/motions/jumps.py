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


def _jump_profile(local_t: np.ndarray, stand: float, height: float, dip: float, prep: float, land: float):
    """Hip height over one jump (crouch ``prep`` s, flight, land ``land`` s) and its phase markers.

    Returns ``(hip, in_flight, flight progress 0..1, crouch 0..1)``.
    """
    flight = _flight_time(height)
    keys_t = [0.0, 0.65 * prep, prep, prep + flight, prep + flight + 0.45 * land, prep + flight + land]
    keys_v = [stand, stand - dip, stand + 0.01, stand + 0.01, stand - 0.7 * dip, stand]
    hip = keyframes(local_t, keys_t, np.array(keys_v))
    flight_t = local_t - prep
    flying = (flight_t > 0) & (flight_t < flight)
    v0 = GRAVITY * flight / 2.0
    hip = np.where(flying, stand + 0.01 + v0 * flight_t - 0.5 * GRAVITY * flight_t * flight_t, hip)
    progress = np.clip(flight_t / flight, 0.0, 1.0)
    crouch = np.clip((stand - hip) / max(dip, 1e-3), 0.0, 1.0)
    return hip, flying, progress, crouch, flight


def _jump_arms(channels: np.ndarray, local_t: np.ndarray, prep: float, flight: float, land: float, up: float) -> None:
    """Arms swing back in the crouch, up through the take-off, down for the landing."""
    keys_t = [0.0, 0.7 * prep, prep + 0.1 * flight, prep + 0.6 * flight, prep + flight + 0.3 * land,
              prep + flight + land + 0.2]
    sh = keyframes(local_t, keys_t, np.array([0.05, -0.75, up, up * 0.8, 0.6, 0.05]))
    channels[:, L_SH] = sh
    channels[:, R_SH] = sh
    channels[:, (L_EL, R_EL)] = 0.25


def jump(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    height = lerp(0.18, 0.42, motion.amp)
    prep, land = 0.45 / rate(motion), 0.35
    flight = _flight_time(height)
    length = prep + flight + land + 0.2
    period = length + lerp(0.15, 0.7, motion.style) / rate(motion)
    local_t, _ = repeat_times(motion, period, 0.05 + 0.4 * motion.phase, length)
    hip, flying, progress, crouch, flight = _jump_profile(local_t, body.stand_hip, height, 0.22 * body.leg, prep, land)
    channels[:, HIP_Y] = hip
    tuck = 0.06 * body.leg * np.sin(np.pi * progress) * flying
    channels[:, LF_Y] = np.where(flying, -body.stand_hip + tuck, -hip)
    channels[:, RF_Y] = channels[:, LF_Y]
    channels[:, LEAN] = 0.05 + 0.45 * crouch
    _jump_arms(channels, local_t, prep, flight, land, 2.6 + 0.3 * motion.amp)
    return channels


def jump_forward(motion: MotionInput) -> np.ndarray:
    body = motion.body
    channels = neutral(motion)
    height = lerp(0.22, 0.38, motion.amp)
    distance = lerp(0.8, 1.4, motion.amp) * body.leg / 0.9
    prep, land = 0.5 / rate(motion), 0.4
    flight = _flight_time(height)
    length = prep + flight + land + 0.2
    period = length + lerp(0.2, 0.8, motion.style) / rate(motion)
    local_t, rep = repeat_times(motion, period, 0.05 + 0.4 * motion.phase, length)
    hip, flying, progress, crouch, flight = _jump_profile(local_t, body.stand_hip, height, 0.25 * body.leg, prep, land)
    channels[:, HIP_Y] = hip
    # the push and the landing carry on
    travelled = distance * (rep + smoothstep((local_t - prep + 0.15) / (flight + 0.3)))
    channels[:, DX] = travelled
    feet_world = distance * (rep + smoothstep(progress))
    channels[:, LF_F] = feet_world - travelled + 0.03
    channels[:, RF_F] = feet_world - travelled - 0.03
    tuck = 0.12 * body.leg * np.sin(np.pi * progress) * flying
    channels[:, LF_Y] = np.where(flying, -body.stand_hip + tuck, -hip)
    channels[:, RF_Y] = channels[:, LF_Y]
    channels[:, LEAN] = 0.08 + 0.5 * crouch + 0.2 * flying
    _jump_arms(channels, local_t, prep, flight, land, 2.0 + 0.3 * motion.amp)
    return channels


def hop(motion: MotionInput) -> np.ndarray:
    """Small repeated hops on the ``side`` leg; the other foot held up behind, arms out."""
    body = motion.body
    channels = neutral(motion)
    height = lerp(0.05, 0.12, motion.amp)
    flight = _flight_time(height)
    ground = 0.24 / rate(motion)
    period = flight + ground
    local_t = np.mod(motion.t + motion.phase * period, period)
    stand = 0.96 * body.leg
    in_air = local_t < flight
    hip = np.where(in_air, stand + GRAVITY * flight / 2 * local_t - 0.5 * GRAVITY * local_t * local_t,
                   stand - 0.08 * body.leg * np.sin(np.pi * np.clip((local_t - flight) / ground, 0, 1)))
    channels[:, HIP_Y] = hip
    left, right = (LF_F, LF_Y, LF_L), (RF_F, RF_Y, RF_L)
    support, free = (left, right) if motion.side > 0 else (right, left)
    channels[:, support[0]] = 0.0
    channels[:, support[1]] = np.where(in_air, -stand, -hip)
    channels[:, support[2]] = 0.0
    channels[:, free[0]] = -(0.22 + 0.05 * motion.style) * body.leg
    channels[:, free[1]] = -0.55 * body.leg
    channels[:, (L_AB, R_AB)] = 0.6 + 0.2 * motion.amp
    channels[:, (L_SH, R_SH)] = 0.3
    channels[:, (L_EL, R_EL)] = 0.5
    channels[:, LEAN] = 0.08 + 0.05 * np.sin(TAU * local_t / period)
    return channels


def star_jump(motion: MotionInput) -> np.ndarray:
    """Jumping jacks facing the camera: legs and arms open wide, then close, with a hop each time."""
    body = motion.body
    channels = neutral(motion)
    period = 1.05 / rate(motion)
    u = np.mod(motion.phase + motion.t / period, 1.0)
    opened = keyframes(u, [0.0, 0.12, 0.38, 0.62, 0.88, 1.0], np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0]))
    moving = ((u > 0.12) & (u < 0.38)) | ((u > 0.62) & (u < 0.88))
    hop_s = np.where(u < 0.5, (u - 0.12) / 0.26, (u - 0.62) / 0.26)
    lift = lerp(0.04, 0.08, motion.amp) * np.sin(np.pi * np.clip(hop_s, 0, 1)) * moving
    wide = (0.28 + 0.06 * motion.amp) * body.leg
    lat = body.foot_spread + wide * opened
    channels[:, LF_L], channels[:, RF_L] = lat, -lat
    channels[:, LF_F] = channels[:, RF_F] = 0.0
    ground_hip = np.sqrt((0.975 * body.leg) ** 2 - lat ** 2)
    channels[:, HIP_Y] = ground_hip + lift
    channels[:, LF_Y] = channels[:, RF_Y] = -ground_hip
    channels[:, (L_AB, R_AB)] = (0.1 + 2.6 * opened)[:, None]
    channels[:, (L_SH, R_SH)] = 0.05
    channels[:, (L_EL, R_EL)] = 0.1
    channels[:, YAW] = motion.facing * np.pi / 2
    return channels


def jump_rope(motion: MotionInput) -> np.ndarray:
    """Quick small bounces on both feet, hands at the hips turning the rope in small circles."""
    body = motion.body
    channels = neutral(motion)
    height = lerp(0.035, 0.07, motion.amp)
    flight = _flight_time(height)
    period = flight + 0.2 / rate(motion)
    local_t = np.mod(motion.t + motion.phase * period, period)
    in_air = local_t < flight
    stand = body.stand_hip
    hip = np.where(in_air, stand + GRAVITY * flight / 2 * local_t - 0.5 * GRAVITY * local_t * local_t,
                   stand - 0.04 * body.leg * np.sin(np.pi * np.clip((local_t - flight) / (period - flight), 0, 1)))
    channels[:, HIP_Y] = hip
    channels[:, LF_Y] = channels[:, RF_Y] = np.where(in_air, -stand + 0.02, -hip)
    angle = TAU * local_t / period
    channels[:, (L_SH, R_SH)] = (0.35 + 0.15 * np.sin(angle))[:, None]
    channels[:, (L_EL, R_EL)] = (0.95 + 0.15 * np.cos(angle))[:, None]
    channels[:, (L_AB, R_AB)] = 0.35
    channels[:, LEAN] = 0.05
    return channels


def backflip(motion: MotionInput) -> np.ndarray:
    """Crouch, spring up with the arms, turn over backwards in a tuck, land, stand."""
    body = motion.body
    channels = neutral(motion)
    height = lerp(0.6, 0.8, motion.amp)
    prep, land = 0.55, 0.45
    flight = _flight_time(height)
    length = prep + flight + land + 0.3
    period = length + lerp(0.5, 1.2, motion.style)
    local_t, rep = repeat_times(motion, period, 0.1 + 0.5 * motion.onset, length)
    hip, flying, progress, crouch, flight = _jump_profile(local_t, body.stand_hip, height, 0.25 * body.leg, prep, land)
    turn = smoothstep((progress - 0.05) / 0.9)
    channels[:, PITCH] = np.where(progress < 1.0, -TAU * turn, 0.0)
    channels[:, HIP_Y] = hip
    back = -0.25 * (rep + progress)
    channels[:, DX] = back
    feet_world = -0.25 * (rep + (progress >= 1.0))
    tuck = np.sin(np.pi * progress) * flying
    channels[:, LF_F] = np.where(flying, 0.2 * body.leg * tuck, feet_world - back + 0.03)
    channels[:, RF_F] = np.where(flying, 0.2 * body.leg * tuck, feet_world - back - 0.03)
    channels[:, LF_Y] = np.where(flying, -body.stand_hip + 0.45 * body.leg * tuck, -channels[:, HIP_Y])
    channels[:, RF_Y] = channels[:, LF_Y]
    channels[:, LEAN] = 0.05 + 0.45 * crouch + 0.3 * tuck
    _jump_arms(channels, local_t, prep, flight, land, 2.9)
    channels[:, (L_SH, R_SH)] -= (1.8 * tuck)[:, None]
    channels[:, (L_EL, R_EL)] += (1.0 * tuck)[:, None]
    return channels


def cartwheel(motion: MotionInput) -> np.ndarray:
    """Facing the camera, arms and legs spread like a star, the body wheels over sideways."""
    body = motion.body
    channels = neutral(motion)
    direction = motion.move_dir
    spin = 1.15 / rate(motion)
    length = 0.45 + spin + 0.4
    period = length + lerp(0.3, 1.0, motion.style)
    local_t, rep = repeat_times(motion, period, 0.1 + 0.5 * motion.onset, length)
    progress = np.clip((local_t - 0.45) / spin, 0.0, 1.0)
    turn = smoothstep(progress)
    wheeling = (progress > 0) & (progress < 1)
    ready = smoothstep(local_t / 0.45) * (1.0 - smoothstep((local_t - 0.45 - spin - 0.1) / 0.3))
    spread = np.full(motion.n, body.foot_spread + 0.3 * body.leg)  # a wide stance all along: the feet never slide
    channels[:, LF_L], channels[:, RF_L] = spread, -spread
    channels[:, LF_F] = channels[:, RF_F] = 0.0
    arms = 0.2 + 2.35 * np.maximum(ready, wheeling)
    channels[:, (L_AB, R_AB)] = arms[:, None]
    channels[:, (L_SH, R_SH)] = 0.0
    channels[:, (L_EL, R_EL)] = 0.05
    roll = direction * TAU * turn
    channels[:, ROLL] = np.where(progress < 1.0, roll, 0.0)
    # the hip sits just high enough for the lowest hand or foot to touch the ground
    foot_y = -np.sqrt(np.maximum((0.975 * body.leg) ** 2 - spread ** 2, 0.1))
    hand_out = body.shoulder + body.arm * np.sin(arms)
    hand_y = body.torso + body.arm * -np.cos(arms)
    c, s = np.cos(roll), np.sin(roll)
    lows = [-lat * s + y * c for lat,
            y in ((spread, foot_y), (-spread, foot_y), (hand_out, hand_y), (-hand_out, hand_y))]
    lowest = np.minimum(np.minimum(lows[0], lows[1]), np.minimum(lows[2], lows[3]))
    channels[:, HIP_Y] = np.where(wheeling, np.maximum(-lowest + 0.02, -foot_y), -foot_y)
    channels[:, LF_Y] = channels[:, RF_Y] = foot_y
    distance = (1.5 + 0.3 * motion.amp) * body.height / 1.75
    channels[:, DX] = motion.facing * direction * distance * (rep + turn)
    channels[:, YAW] = motion.facing * np.pi / 2
    channels[:, LEAN] = 0.0
    return channels
