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


def stand(m: MotionInput) -> np.ndarray:
    P = neutral(m)
    P[:, (L_EL, R_EL)] += 0.2 * m.style
    sway(m, P, 0.012 + 0.01 * m.amp)
    breathe(m, P, 1.0 + m.amp)
    return P


def walk(m: MotionInput) -> np.ndarray:
    b = m.body
    v = paced(m, 1.15, 1.6)
    P = neutral(m)
    f = _cadence(0.92, v, 1.35, 0.7, b.leg)
    gait(m, P, v, f, 0.6, (0.09 + 0.05 * m.amp) * b.leg, (0.22 + 0.2 * m.amp) * (v / 1.35) ** 0.5,
         0.2 + 0.2 * m.style)
    P[:, LEAN] = 0.04 + 0.025 * v
    return P


def walk_backwards(m: MotionInput) -> np.ndarray:
    b = m.body
    v = paced(m, 0.55, 0.9)
    P = neutral(m)
    f = _cadence(0.8, v, 0.7, 0.5, b.leg)
    gait(m, P, -v, f, 0.62, (0.07 + 0.04 * m.amp) * b.leg, 0.12 + 0.1 * m.amp, 0.3 + 0.2 * m.style)
    P[:, LEAN] = 0.0 + 0.04 * m.style
    return P


def run(m: MotionInput) -> np.ndarray:
    b = m.body
    v = paced(m, 2.7, 3.6)
    P = neutral(m)
    f = _cadence(1.35, v, 3.0, 0.4, b.leg)
    duty = float(np.clip(0.38 - 0.025 * (v - 3.0), 0.31, 0.45))
    gait(m, P, v, f, duty, (0.22 + 0.1 * m.amp) * b.leg * min(1.0, v / 3.0), 0.45 + 0.2 * m.amp, 1.45,
         bob=(0.03 + 0.012 * m.amp) * b.leg, early=0.15)
    P[:, LEAN] = 0.08 + 0.025 * v + 0.04 * m.style
    return P


def sprint(m: MotionInput) -> np.ndarray:
    b = m.body
    v = paced(m, 5.5, 7.0, fast=(7.0, 8.5))
    P = neutral(m)
    f = _cadence(2.0, v, 6.0, 0.4, b.leg)
    gait(m, P, v, f, 0.27, (0.42 + 0.1 * m.amp) * b.leg, 0.8 + 0.2 * m.amp, 1.5,
         bob=(0.025 + 0.01 * m.amp) * b.leg, early=0.35)
    P[:, LEAN] = 0.2 + 0.08 * m.style
    return P


def jog_backwards(m: MotionInput) -> np.ndarray:
    b = m.body
    v = paced(m, 1.4, 2.0)
    P = neutral(m)
    f = _cadence(1.45, v, 1.7, 0.4, b.leg)
    gait(m, P, -v, f, 0.42, (0.16 + 0.08 * m.amp) * b.leg, 0.25 + 0.1 * m.amp, 1.35,
         bob=(0.022 + 0.01 * m.amp) * b.leg)
    P[:, LEAN] = 0.1 + 0.05 * m.style
    return P


def sidestep(m: MotionInput) -> np.ndarray:
    """Step-together sideways, facing the camera (the legs open and close like a pair of scissors)."""
    b = m.body
    v = paced(m, 0.55, 0.85)
    P = neutral(m)
    duty = 0.6
    stance_len = min(0.38, 2.2 * b.foot_spread + 0.06 * m.amp)
    f = v * duty / stance_len
    ph = m.phase + f * m.t
    d = m.move_dir
    off_l, y_l, st_l = stepping(ph, duty, stance_len, (0.06 + 0.03 * m.amp) * b.leg)
    off_r, y_r, st_r = stepping(ph + 0.5, duty, stance_len, (0.06 + 0.03 * m.amp) * b.leg)
    lat_l = b.foot_spread + d * off_l
    lat_r = -b.foot_spread + d * off_r
    P[:, LF_L], P[:, RF_L] = lat_l, lat_r
    P[:, LF_F], P[:, RF_F] = 0.02, -0.02
    P[:, HIP_Y] = stance_hip(np.abs(lat_l), st_l, np.abs(lat_r), st_r, b.leg, 0.98)
    plant(P, y_l, y_r)
    P[:, (L_AB, R_AB)] = 0.25 + 0.2 * m.amp + 0.1 * np.sin(TAU * 2 * ph)[:, None]
    P[:, (L_EL, R_EL)] = 0.5
    P[:, (L_SH, R_SH)] = 0.25
    P[:, YAW] = m.facing * np.pi / 2
    P[:, DX] = m.facing * d * v * m.t
    return P


def turn_around(m: MotionInput) -> np.ndarray:
    """Stand, then turn to face the other way in two small steps (the turn's side comes from style)."""
    b = m.body
    P = neutral(m)
    breathe(m, P)
    length = min(1.1 / rate(m), 0.6 * m.duration)
    start = 0.2 + m.onset * max(0.0, 0.7 * m.duration - length - 0.2)
    s = (m.t - start) / length
    sign = 1.0 if m.style < 0.5 else -1.0
    P[:, YAW] = sign * np.pi * smoothstep(s)
    lift = (0.07 + 0.03 * m.amp) * b.leg
    P[:, LF_Y] += lift * np.sin(np.pi * np.clip(s * 2.0, 0, 1))
    P[:, RF_Y] += lift * np.sin(np.pi * np.clip(s * 2.0 - 1.0, 0, 1))
    turning = np.sin(np.pi * np.clip(s, 0, 1))
    P[:, (L_AB, R_AB)] += 0.25 * turning[:, None]
    P[:, (L_EL, R_EL)] += 0.4 * turning[:, None]
    return P


def tiptoe(m: MotionInput) -> np.ndarray:
    """Small, slow, high-lifted steps on the balls of the feet, hands held up by the chin."""
    b, A = m.body, m.body.arm
    v = paced(m, 0.4, 0.65)
    P = neutral(m)
    f = _cadence(0.85, v, 0.5, 0.5, b.leg)
    gait(m, P, v, f, 0.5, (0.16 + 0.06 * m.amp) * b.leg, 0.0, 0.0, early=0.35)
    toes = 0.035 * b.height / 1.75
    P[:, HIP_Y] += toes
    P[:, LF_Y] += toes
    P[:, RF_Y] += toes
    P[:, LEAN] = 0.08 + 0.05 * m.style
    w = np.sin(TAU * (m.phase + f * m.t))
    reach(P, 1, b, (0.26 + 0.04 * m.amp) * A + 0.02 * w, -0.02 * A)
    reach(P, -1, b, (0.24 + 0.04 * m.amp) * A - 0.02 * w, -0.05 * A)
    P[:, (L_AB, R_AB)] = 0.15
    return P


def sneak(m: MotionInput) -> np.ndarray:
    """Crouched, leaning forward, long slow steps, hands held up in front of the chest."""
    b = m.body
    v = paced(m, 0.35, 0.6)
    P = neutral(m)
    f = _cadence(0.55, v, 0.45, 0.5, b.leg)
    gait(m, P, v, f, 0.7, (0.1 + 0.05 * m.amp) * b.leg, 0.0, 0.0, early=0.25, crouch=0.16)
    P[:, LEAN] = 0.42 + 0.1 * m.style
    w = np.sin(TAU * (m.phase + f * m.t))
    reach(P, 1, b, 0.32 * b.arm + 0.04 * w, -0.2 * b.arm)
    reach(P, -1, b, 0.28 * b.arm - 0.04 * w, -0.25 * b.arm)
    return P


def march(m: MotionInput) -> np.ndarray:
    """Upright, knees lifted high, straight arms swinging far forward."""
    b = m.body
    v = paced(m, 1.0, 1.35)
    P = neutral(m)
    f = _cadence(0.95, v, 1.15, 0.6, b.leg)
    gait(m, P, v, f, 0.55, (0.34 + 0.08 * m.amp) * b.leg, 0.7 + 0.15 * m.amp, 0.05, early=0.5)
    P[:, (L_SH, R_SH)] += 0.15
    P[:, (L_EL, R_EL)] = 0.05
    P[:, LEAN] = -0.02 + 0.03 * m.style
    return P


def skip(m: MotionInput) -> np.ndarray:
    """Step-hop on each leg: a big bounce, the free knee up, arms swinging high."""
    b = m.body
    v = paced(m, 1.5, 2.2)
    P = neutral(m)
    f = _cadence(1.3, v, 1.8, 0.4, b.leg)
    gait(m, P, v, f, 0.45, (0.32 + 0.08 * m.amp) * b.leg, 1.05 + 0.2 * m.amp, 0.55,
         bob=(0.06 + 0.02 * m.amp) * b.leg, early=0.5)
    P[:, (L_SH, R_SH)] += 0.35
    P[:, LEAN] = 0.04 + 0.04 * m.style
    return P


def limp(m: MotionInput) -> np.ndarray:
    """One stiff, barely lifted leg with a short stance; the body dips and lurches over it."""
    b = m.body
    v = paced(m, 0.5, 0.8)
    P = neutral(m)
    f = _cadence(0.7, v, 0.65, 0.5, b.leg)
    ph = m.phase + f * m.t
    bad_duty, good_duty = 0.4, 0.74
    off_b, y_b, st_b = stepping(ph, bad_duty, v * bad_duty / f, 0.06 * b.leg)
    off_g, y_g, st_g = stepping(ph + 0.42, good_duty, v * good_duty / f, (0.1 + 0.04 * m.amp) * b.leg)
    bad_only = (st_b & ~st_g).astype(float)
    dip = smooth(bad_only, 3)
    hip = stance_hip(off_b, st_b, off_g, st_g, b.leg, y_l=y_b, y_r=y_g) - (0.035 + 0.02 * m.amp) * b.leg * dip
    bad, good = (LF_F, LF_Y), (RF_F, RF_Y)
    if m.side < 0:
        bad, good = good, bad
    P[:, HIP_Y] = hip
    P[:, bad[0]], P[:, good[0]] = off_b, off_g
    P[:, bad[1]], P[:, good[1]] = -hip + y_b, -hip + y_g
    P[:, LEAN] = 0.05 + (0.14 + 0.06 * m.style) * dip
    swing = -np.cos(TAU * (ph + 0.42))
    good_arm, bad_arm = (L_SH, R_SH) if m.side > 0 else (R_SH, L_SH)
    P[:, good_arm] = 0.05 + 0.25 * swing
    P[:, bad_arm] = 0.1 + 0.05 * swing
    P[:, L_AB if m.side > 0 else R_AB] = 0.4 + 0.3 * dip
    P[:, DX] = v * m.t
    return P


def crawl(m: MotionInput) -> np.ndarray:
    """On hands and knees: diagonal pairs (left hand with right knee) move together."""
    b = m.body
    v = paced(m, 0.3, 0.5)
    P = neutral(m)
    f = 0.55 * (v / 0.4) ** 0.5
    duty = 0.7
    stance_len = v * duty / f
    ph = m.phase + f * m.t
    hip = b.thigh + 0.04
    P[:, HIP_Y] = hip + 0.01 * np.sin(2 * TAU * ph)
    neck_h = 0.93 * b.arm + 0.02
    lean = np.arccos(np.clip((neck_h - hip) / b.torso, -0.2, 0.9))
    P[:, LEAN] = lean
    nf, ny = b.torso * np.sin(lean), b.torso * np.cos(lean)
    for side, limb_ph in ((1, ph), (-1, ph + 0.5)):
        knee_off, knee_lift, _ = stepping(limb_ph, duty, stance_len, 0.05 * b.leg)
        hand_off, hand_lift, _ = stepping(limb_ph + 0.5 + 0.1, duty, stance_len, (0.07 + 0.03 * m.amp) * b.leg)
        ff, fy = (LF_F, LF_Y) if side > 0 else (RF_F, RF_Y)
        P[:, ff] = knee_off - 0.95 * b.shin
        P[:, fy] = -P[:, HIP_Y] + 0.03 + 0.6 * knee_lift
        reach(P, side, b, hand_off + 0.03, -(P[:, HIP_Y] + ny) + 0.02 + hand_lift)
    P[:, DX] = v * m.t
    return P


def climb(m: MotionInput) -> np.ndarray:
    """Up a ladder in front of the body: hands and feet move up rung by rung, diagonal pairs together."""
    b = m.body
    v = paced(m, 0.2, 0.32)
    P = neutral(m)
    f = 0.55 * (v / 0.26) ** 0.5
    duty = 0.72
    stance_len = v * duty / f
    ph = m.phase + f * m.t
    rise = v * np.maximum(m.t, 0.0)
    P[:, HIP_Y] = b.stand_hip - 0.05 * b.leg + rise
    P[:, LEAN] = 0.06 + 0.04 * m.style
    ny = b.torso * np.cos(P[:, LEAN])
    nf = b.torso * np.sin(P[:, LEAN])
    ladder = 0.32 * b.leg
    for side, limb_ph in ((1, ph), (-1, ph + 0.5)):
        foot_off, foot_out, _ = stepping(limb_ph, duty, stance_len, 0.08 * b.leg)
        hand_off, hand_out, _ = stepping(limb_ph + 0.5, duty, stance_len, 0.1 * b.leg)
        ff, fy = (LF_F, LF_Y) if side > 0 else (RF_F, RF_Y)
        P[:, ff] = ladder - foot_out
        P[:, fy] = -0.8 * b.leg + foot_off + 0.5 * stance_len
        reach(P, side, b, ladder + 0.06 - hand_out - nf, 0.22 * b.height + hand_off - ny)
    return P


def swim(m: MotionInput) -> np.ndarray:
    """Freestyle: horizontal, arms windmilling in turn, legs fluttering."""
    b = m.body
    v = paced(m, 0.5, 0.85)
    P = neutral(m)
    f = 0.5 * (v / 0.65) ** 0.5
    ph = m.phase + f * m.t
    P[:, PITCH] = np.pi / 2 - 0.12
    P[:, HIP_Y] = 0.42 + 0.02 * np.sin(2 * TAU * ph)
    P[:, LEAN] = 0.0
    kick = (0.05 + 0.03 * m.amp) * b.leg * np.sin(TAU * 3 * ph)
    P[:, LF_F], P[:, RF_F] = kick, -kick
    P[:, LF_Y] = P[:, RF_Y] = -0.97 * b.leg
    for side, arm_ph in ((1, ph), (-1, ph + 0.5)):
        sh = np.pi - TAU * np.mod(arm_ph, 1.0)  # pi (ahead) -> 0 (at the hip, under water) -> -pi
        el = 0.4 + 1.0 * np.maximum(np.sin(sh), 0.0) ** 2
        s, e = (L_SH, L_EL) if side > 0 else (R_SH, R_EL)
        P[:, s], P[:, e] = sh, el
    P[:, DX] = v * m.t
    return P


def ride_bike(m: MotionInput) -> np.ndarray:
    """Seated on an (invisible) bicycle: feet turn the pedals, hands on the bars, fast travel."""
    b = m.body
    v = paced(m, 3.5, 5.5)
    P = neutral(m)
    cadence = 1.0 + 0.35 * m.tempo
    ph = m.phase + cadence * m.t
    P[:, HIP_Y] = 0.97 * b.leg + 0.004 * np.sin(2 * TAU * ph)
    crank_f, crank_y, radius = 0.2 * b.leg, -0.72 * b.leg, 0.19 * b.leg
    for side, offset in ((1, 0.0), (-1, 0.5)):
        angle = -TAU * (ph + offset)
        ff, fy = (LF_F, LF_Y) if side > 0 else (RF_F, RF_Y)
        P[:, ff] = crank_f + radius * np.cos(angle)
        P[:, fy] = crank_y + radius * np.sin(angle)
    P[:, LEAN] = 0.5 + 0.2 * m.style
    nf, ny = b.torso * np.sin(P[:, LEAN]), b.torso * np.cos(P[:, LEAN])
    for side in (1, -1):
        reach(P, side, b, 0.8 * b.leg - nf, 0.5 * b.leg - ny)
    P[:, (LH_L, RH_L)] = 0.0
    P[:, DX] = v * m.t
    return P
