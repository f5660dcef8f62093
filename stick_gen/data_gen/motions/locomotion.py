"""Motions that move the body through the world (and standing still, turning around).

Speeds (m/s, normal pace; "slowly" gives 0.6-0.82x the low end, "quickly" 1.2-1.5x the high end):
walk 1.15-1.6, walk_backwards 0.55-0.9, run 2.7-3.6, sprint 5.5-7.0 (quickly 7.0-8.5), jog_backwards 1.4-2.0,
sidestep 0.55-0.85, tiptoe 0.4-0.65, sneak 0.35-0.6, march 1.0-1.35, skip 1.5-2.2, limp 0.5-0.8,
crawl 0.3-0.5, climb 0.2-0.32 (up), swim 0.5-0.85, ride_bike 3.5-5.5.
"""

from __future__ import annotations

import numpy as np

from .base import (
    DX, HIP_Y, L_AB, L_EL, L_SH, LEAN, LF_F, LF_L, LF_Y, LH_L, PITCH, R_AB, R_EL, R_SH, RF_F, RF_L, RF_Y, RH_L,
    TAU, YAW, MotionInput, breathe, gait, neutral, paced, plant, rate, reach, smooth, smoothstep,
    stance_hip, stepping, sway,
)


def _cadence(base: float, speed: float, ref: float, exponent: float, leg: float) -> float:
    """Gait cycles per second: faster with speed, slower for long legs (Froude scaling)."""
    return base * (speed / ref) ** exponent * (0.9 / leg) ** 0.5


def stand(motion: MotionInput) -> np.ndarray:
    channels = neutral(motion)
    channels[:, (L_EL, R_EL)] += 0.2 * motion.style
    sway(motion, channels, 0.012 + 0.01 * motion.amp)
    breathe(motion, channels, 1.0 + motion.amp)
    return channels


def walk(motion: MotionInput) -> np.ndarray:
    body = motion.body
    speed = paced(motion, 1.15, 1.6)
    channels = neutral(motion)
    cadence = _cadence(0.92, speed, 1.35, 0.7, body.leg)
    gait(motion, channels, speed, cadence, 0.6, (0.09 + 0.05 * motion.amp) * body.leg,
         (0.22 + 0.2 * motion.amp) * (speed / 1.35) ** 0.5,
         0.2 + 0.2 * motion.style)
    channels[:, LEAN] = 0.04 + 0.025 * speed
    return channels


def walk_backwards(motion: MotionInput) -> np.ndarray:
    body = motion.body
    speed = paced(motion, 0.55, 0.9)
    channels = neutral(motion)
    cadence = _cadence(0.8, speed, 0.7, 0.5, body.leg)
    gait(motion, channels, -speed, cadence, 0.62, (0.07 + 0.04 * motion.amp) * body.leg, 0.12 + 0.1 * motion.amp,
         0.3 + 0.2 * motion.style)
    channels[:, LEAN] = 0.0 + 0.04 * motion.style
    return channels


def run(motion: MotionInput) -> np.ndarray:
    body = motion.body
    speed = paced(motion, 2.7, 3.6)
    channels = neutral(motion)
    cadence = _cadence(1.35, speed, 3.0, 0.4, body.leg)
    duty = float(np.clip(0.38 - 0.025 * (speed - 3.0), 0.31, 0.45))
    gait(motion, channels, speed, cadence, duty, (0.22 + 0.1 * motion.amp) * body.leg * min(1.0, speed / 3.0),
         0.45 + 0.2 * motion.amp, 1.45,
         bob=(0.03 + 0.012 * motion.amp) * body.leg, early=0.15)
    channels[:, LEAN] = 0.08 + 0.025 * speed + 0.04 * motion.style
    return channels


def sprint(motion: MotionInput) -> np.ndarray:
    body = motion.body
    speed = paced(motion, 5.5, 7.0, fast=(7.0, 8.5))
    channels = neutral(motion)
    cadence = _cadence(2.0, speed, 6.0, 0.4, body.leg)
    gait(motion, channels, speed, cadence, 0.27, (0.42 + 0.1 * motion.amp) * body.leg, 0.8 + 0.2 * motion.amp, 1.5,
         bob=(0.025 + 0.01 * motion.amp) * body.leg, early=0.35)
    channels[:, LEAN] = 0.2 + 0.08 * motion.style
    return channels


def jog_backwards(motion: MotionInput) -> np.ndarray:
    body = motion.body
    speed = paced(motion, 1.4, 2.0)
    channels = neutral(motion)
    cadence = _cadence(1.45, speed, 1.7, 0.4, body.leg)
    gait(motion, channels, -speed, cadence, 0.42, (0.16 + 0.08 * motion.amp) * body.leg, 0.25 + 0.1 * motion.amp, 1.35,
         bob=(0.022 + 0.01 * motion.amp) * body.leg)
    channels[:, LEAN] = 0.1 + 0.05 * motion.style
    return channels


def sidestep(motion: MotionInput) -> np.ndarray:
    """Step-together sideways, facing the camera (the legs open and close like a pair of scissors)."""
    body = motion.body
    speed = paced(motion, 0.55, 0.85)
    channels = neutral(motion)
    duty = 0.6
    stance_len = min(0.38, 2.2 * body.foot_spread + 0.06 * motion.amp)
    cadence = speed * duty / stance_len
    phase = motion.phase + cadence * motion.t
    direction = motion.move_dir
    off_l, y_l, st_l = stepping(phase, duty, stance_len, (0.06 + 0.03 * motion.amp) * body.leg)
    off_r, y_r, st_r = stepping(phase + 0.5, duty, stance_len, (0.06 + 0.03 * motion.amp) * body.leg)
    lat_l = body.foot_spread + direction * off_l
    lat_r = -body.foot_spread + direction * off_r
    channels[:, LF_L], channels[:, RF_L] = lat_l, lat_r
    channels[:, LF_F], channels[:, RF_F] = 0.02, -0.02
    channels[:, HIP_Y] = stance_hip(np.abs(lat_l), st_l, np.abs(lat_r), st_r, body.leg, 0.98)
    plant(channels, y_l, y_r)
    channels[:, (L_AB, R_AB)] = 0.25 + 0.2 * motion.amp + 0.1 * np.sin(TAU * 2 * phase)[:, None]
    channels[:, (L_EL, R_EL)] = 0.5
    channels[:, (L_SH, R_SH)] = 0.25
    channels[:, YAW] = motion.facing * np.pi / 2
    channels[:, DX] = motion.facing * direction * speed * motion.t
    return channels


def turn_around(motion: MotionInput) -> np.ndarray:
    """Stand, then turn to face the other way in two small steps (the turn's side comes from style)."""
    body = motion.body
    channels = neutral(motion)
    breathe(motion, channels)
    length = min(1.1 / rate(motion), 0.6 * motion.duration)
    start = 0.2 + motion.onset * max(0.0, 0.7 * motion.duration - length - 0.2)
    s = (motion.t - start) / length
    sign = 1.0 if motion.style < 0.5 else -1.0
    channels[:, YAW] = sign * np.pi * smoothstep(s)
    lift = (0.07 + 0.03 * motion.amp) * body.leg
    channels[:, LF_Y] += lift * np.sin(np.pi * np.clip(s * 2.0, 0, 1))
    channels[:, RF_Y] += lift * np.sin(np.pi * np.clip(s * 2.0 - 1.0, 0, 1))
    turning = np.sin(np.pi * np.clip(s, 0, 1))
    channels[:, (L_AB, R_AB)] += 0.25 * turning[:, None]
    channels[:, (L_EL, R_EL)] += 0.4 * turning[:, None]
    return channels


def tiptoe(motion: MotionInput) -> np.ndarray:
    """Small, slow, high-lifted steps on the balls of the feet, hands held up by the chin."""
    body, arm = motion.body, motion.body.arm
    speed = paced(motion, 0.4, 0.65)
    channels = neutral(motion)
    cadence = _cadence(0.85, speed, 0.5, 0.5, body.leg)
    gait(motion, channels, speed, cadence, 0.5, (0.16 + 0.06 * motion.amp) * body.leg, 0.0, 0.0, early=0.35)
    toes = 0.035 * body.height / 1.75
    channels[:, HIP_Y] += toes
    channels[:, LF_Y] += toes
    channels[:, RF_Y] += toes
    channels[:, LEAN] = 0.08 + 0.05 * motion.style
    step_wave = np.sin(TAU * (motion.phase + cadence * motion.t))
    reach(channels, 1, body, (0.26 + 0.04 * motion.amp) * arm + 0.02 * step_wave, -0.02 * arm)
    reach(channels, -1, body, (0.24 + 0.04 * motion.amp) * arm - 0.02 * step_wave, -0.05 * arm)
    channels[:, (L_AB, R_AB)] = 0.15
    return channels


def sneak(motion: MotionInput) -> np.ndarray:
    """Crouched, leaning forward, long slow steps, hands held up in front of the chest."""
    body = motion.body
    speed = paced(motion, 0.35, 0.6)
    channels = neutral(motion)
    cadence = _cadence(0.55, speed, 0.45, 0.5, body.leg)
    gait(motion, channels, speed, cadence, 0.7, (0.1 + 0.05 * motion.amp) * body.leg, 0.0, 0.0, early=0.25, crouch=0.16)
    channels[:, LEAN] = 0.42 + 0.1 * motion.style
    step_wave = np.sin(TAU * (motion.phase + cadence * motion.t))
    reach(channels, 1, body, 0.32 * body.arm + 0.04 * step_wave, -0.2 * body.arm)
    reach(channels, -1, body, 0.28 * body.arm - 0.04 * step_wave, -0.25 * body.arm)
    return channels


def march(motion: MotionInput) -> np.ndarray:
    """Upright, knees lifted high, straight arms swinging far forward."""
    body = motion.body
    speed = paced(motion, 1.0, 1.35)
    channels = neutral(motion)
    cadence = _cadence(0.95, speed, 1.15, 0.6, body.leg)
    gait(motion, channels, speed, cadence, 0.55, (0.34 + 0.08 * motion.amp) * body.leg, 0.7 + 0.15 * motion.amp, 0.05,
         early=0.5)
    channels[:, (L_SH, R_SH)] += 0.15
    channels[:, (L_EL, R_EL)] = 0.05
    channels[:, LEAN] = -0.02 + 0.03 * motion.style
    return channels


def skip(motion: MotionInput) -> np.ndarray:
    """Step-hop on each leg: a big bounce, the free knee up, arms swinging high."""
    body = motion.body
    speed = paced(motion, 1.5, 2.2)
    channels = neutral(motion)
    cadence = _cadence(1.3, speed, 1.8, 0.4, body.leg)
    gait(motion, channels, speed, cadence, 0.45, (0.32 + 0.08 * motion.amp) * body.leg, 1.05 + 0.2 * motion.amp, 0.55,
         bob=(0.06 + 0.02 * motion.amp) * body.leg, early=0.5)
    channels[:, (L_SH, R_SH)] += 0.35
    channels[:, LEAN] = 0.04 + 0.04 * motion.style
    return channels


def limp(motion: MotionInput) -> np.ndarray:
    """One stiff, barely lifted leg with a short stance; the body dips and lurches over it."""
    body = motion.body
    speed = paced(motion, 0.5, 0.8)
    channels = neutral(motion)
    cadence = _cadence(0.7, speed, 0.65, 0.5, body.leg)
    phase = motion.phase + cadence * motion.t
    bad_duty, good_duty = 0.4, 0.74
    off_b, y_b, st_b = stepping(phase, bad_duty, speed * bad_duty / cadence, 0.06 * body.leg)
    off_g, y_g, st_g = stepping(phase + 0.42, good_duty, speed * good_duty / cadence,
                                (0.1 + 0.04 * motion.amp) * body.leg)
    bad_only = (st_b & ~st_g).astype(float)
    dip = smooth(bad_only, 3)
    hip = stance_hip(off_b, st_b, off_g, st_g, body.leg, y_l=y_b,
                     y_r=y_g) - (0.035 + 0.02 * motion.amp) * body.leg * dip
    bad, good = (LF_F, LF_Y), (RF_F, RF_Y)
    if motion.side < 0:
        bad, good = good, bad
    channels[:, HIP_Y] = hip
    channels[:, bad[0]], channels[:, good[0]] = off_b, off_g
    channels[:, bad[1]], channels[:, good[1]] = -hip + y_b, -hip + y_g
    channels[:, LEAN] = 0.05 + (0.14 + 0.06 * motion.style) * dip
    swing = -np.cos(TAU * (phase + 0.42))
    good_arm, bad_arm = (L_SH, R_SH) if motion.side > 0 else (R_SH, L_SH)
    channels[:, good_arm] = 0.05 + 0.25 * swing
    channels[:, bad_arm] = 0.1 + 0.05 * swing
    channels[:, L_AB if motion.side > 0 else R_AB] = 0.4 + 0.3 * dip
    channels[:, DX] = speed * motion.t
    return channels


def crawl(motion: MotionInput) -> np.ndarray:
    """On hands and knees: diagonal pairs (left hand with right knee) move together."""
    body = motion.body
    speed = paced(motion, 0.3, 0.5)
    channels = neutral(motion)
    cadence = 0.55 * (speed / 0.4) ** 0.5
    duty = 0.7
    stance_len = speed * duty / cadence
    phase = motion.phase + cadence * motion.t
    hip = body.thigh + 0.04
    channels[:, HIP_Y] = hip + 0.01 * np.sin(2 * TAU * phase)
    neck_h = 0.93 * body.arm + 0.02
    lean = np.arccos(np.clip((neck_h - hip) / body.torso, -0.2, 0.9))
    channels[:, LEAN] = lean
    nf, ny = body.torso * np.sin(lean), body.torso * np.cos(lean)
    for side, limb_ph in ((1, phase), (-1, phase + 0.5)):
        knee_off, knee_lift, _ = stepping(limb_ph, duty, stance_len, 0.05 * body.leg)
        hand_off, hand_lift, _ = stepping(limb_ph + 0.5 + 0.1, duty, stance_len, (0.07 + 0.03 * motion.amp) * body.leg)
        ff, fy = (LF_F, LF_Y) if side > 0 else (RF_F, RF_Y)
        channels[:, ff] = knee_off - 0.95 * body.shin
        channels[:, fy] = -channels[:, HIP_Y] + 0.03 + 0.6 * knee_lift
        reach(channels, side, body, hand_off + 0.03, -(channels[:, HIP_Y] + ny) + 0.02 + hand_lift)
    channels[:, DX] = speed * motion.t
    return channels


def climb(motion: MotionInput) -> np.ndarray:
    """Up a ladder in front of the body: hands and feet move up rung by rung, diagonal pairs together."""
    body = motion.body
    speed = paced(motion, 0.2, 0.32)
    channels = neutral(motion)
    cadence = 0.55 * (speed / 0.26) ** 0.5
    duty = 0.72
    stance_len = speed * duty / cadence
    phase = motion.phase + cadence * motion.t
    rise = speed * np.maximum(motion.t, 0.0)
    channels[:, HIP_Y] = body.stand_hip - 0.05 * body.leg + rise
    channels[:, LEAN] = 0.06 + 0.04 * motion.style
    ny = body.torso * np.cos(channels[:, LEAN])
    nf = body.torso * np.sin(channels[:, LEAN])
    ladder = 0.32 * body.leg
    for side, limb_ph in ((1, phase), (-1, phase + 0.5)):
        foot_off, foot_out, _ = stepping(limb_ph, duty, stance_len, 0.08 * body.leg)
        hand_off, hand_out, _ = stepping(limb_ph + 0.5, duty, stance_len, 0.1 * body.leg)
        ff, fy = (LF_F, LF_Y) if side > 0 else (RF_F, RF_Y)
        channels[:, ff] = ladder - foot_out
        channels[:, fy] = -0.8 * body.leg + foot_off + 0.5 * stance_len
        reach(channels, side, body, ladder + 0.06 - hand_out - nf, 0.22 * body.height + hand_off - ny)
    return channels


def swim(motion: MotionInput) -> np.ndarray:
    """Freestyle: horizontal, arms windmilling in turn, legs fluttering."""
    body = motion.body
    speed = paced(motion, 0.5, 0.85)
    channels = neutral(motion)
    cadence = 0.5 * (speed / 0.65) ** 0.5
    phase = motion.phase + cadence * motion.t
    channels[:, PITCH] = np.pi / 2 - 0.12
    channels[:, HIP_Y] = 0.42 + 0.02 * np.sin(2 * TAU * phase)
    channels[:, LEAN] = 0.0
    kick = (0.05 + 0.03 * motion.amp) * body.leg * np.sin(TAU * 3 * phase)
    channels[:, LF_F], channels[:, RF_F] = kick, -kick
    channels[:, LF_Y] = channels[:, RF_Y] = -0.97 * body.leg
    for side, arm_ph in ((1, phase), (-1, phase + 0.5)):
        sh = np.pi - TAU * np.mod(arm_ph, 1.0)  # pi (ahead) -> 0 (at the hip, under water) -> -pi
        el = 0.4 + 1.0 * np.maximum(np.sin(sh), 0.0) ** 2
        s, e = (L_SH, L_EL) if side > 0 else (R_SH, R_EL)
        channels[:, s], channels[:, e] = sh, el
    channels[:, DX] = speed * motion.t
    return channels


def ride_bike(motion: MotionInput) -> np.ndarray:
    """Seated on an (invisible) bicycle: feet turn the pedals, hands on the bars, fast travel."""
    body = motion.body
    speed = paced(motion, 3.5, 5.5)
    channels = neutral(motion)
    cadence = 1.0 + 0.35 * motion.tempo
    phase = motion.phase + cadence * motion.t
    channels[:, HIP_Y] = 0.97 * body.leg + 0.004 * np.sin(2 * TAU * phase)
    crank_f, crank_y, radius = 0.2 * body.leg, -0.72 * body.leg, 0.19 * body.leg
    for side, offset in ((1, 0.0), (-1, 0.5)):
        angle = -TAU * (phase + offset)
        ff, fy = (LF_F, LF_Y) if side > 0 else (RF_F, RF_Y)
        channels[:, ff] = crank_f + radius * np.cos(angle)
        channels[:, fy] = crank_y + radius * np.sin(angle)
    channels[:, LEAN] = 0.5 + 0.2 * motion.style
    nf, ny = body.torso * np.sin(channels[:, LEAN]), body.torso * np.cos(channels[:, LEAN])
    for side in (1, -1):
        reach(channels, side, body, 0.8 * body.leg - nf, 0.5 * body.leg - ny)
    channels[:, (LH_L, RH_L)] = 0.0
    channels[:, DX] = speed * motion.t
    return channels
