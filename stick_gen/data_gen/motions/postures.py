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


def _start(m: MotionInput, length: float) -> float:
    """When a transition of ``length`` s starts: early, so the end posture is seen held."""
    return 0.05 + m.onset * max(0.0, min(0.6, m.duration - length - 0.5))


def _length(m: MotionInput, nominal: float) -> float:
    return min(nominal / rate(m), 0.75 * m.duration)


def sit_down(m: MotionInput) -> np.ndarray:
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 1.4)
    t0 = _start(m, D)
    hf, hh = hanging_hand(b)
    pose_keys(m, P, [t0, t0 + 0.45 * D, t0 + D],
              dx=[0, -0.2 * L, -SEAT_FORWARD * L], hip=[b.stand_hip, 0.78 * L, SEAT * L],
              lean=[0.03, 0.55 + 0.1 * m.style, 0.06 + 0.06 * m.style],
              lhf=[hf, 0.35 * L, 0.3 * L], lhh=[hh, 1.0 * L, 0.66 * L],
              rhf=[hf, 0.35 * L, 0.33 * L], rhh=[hh, 1.0 * L, 0.64 * L])
    breathe(m, P)
    return P


def _seated(m: MotionInput) -> np.ndarray:
    b, L = m.body, m.body.leg
    P = neutral(m)
    P[:, HIP_Y] = SEAT * L
    P[:, LEAN] = 0.06 + 0.06 * m.style
    P[:, LF_F] = SEAT_FORWARD * L + 0.03
    P[:, RF_F] = SEAT_FORWARD * L - 0.03
    P[:, LF_Y] = P[:, RF_Y] = -SEAT * L
    reach_from_hip(P, 1, b, 0.3 * L, 0.66 * L)
    reach_from_hip(P, -1, b, 0.33 * L, 0.64 * L)
    return P


def sit(m: MotionInput) -> np.ndarray:
    """Seated on a chair, tapping one foot, breathing, shifting a little."""
    b = m.body
    P = _seated(m)
    tap = lerp(1.4, 2.4, m.tempo) * TAU * m.t + TAU * m.phase
    toe = (0.02 + 0.02 * m.amp) * np.maximum(np.sin(tap), 0.0)
    P[:, LF_Y if m.side > 0 else RF_Y] += toe
    P[:, LEAN] += 0.04 * np.sin(0.13 * TAU * m.t + TAU * m.style)
    breathe(m, P, 1.5)
    return P


def stand_up(m: MotionInput) -> np.ndarray:
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 1.3)
    t0 = _start(m, D)
    hf, hh = hanging_hand(b)
    pose_keys(m, P, [t0, t0 + 0.4 * D, t0 + D],
              dx=[0, 0.1 * L, SEAT_FORWARD * L], hip=[SEAT * L, 0.6 * L, b.stand_hip],
              lean=[0.06 + 0.06 * m.style, 0.7 + 0.1 * m.style, 0.03],
              lf=[SEAT_FORWARD * L + 0.03] * 3, rf=[SEAT_FORWARD * L - 0.03] * 3,
              lhf=[0.3 * L, 0.45 * L, hf], lhh=[0.66 * L, 0.75 * L, hh],
              rhf=[0.33 * L, 0.45 * L, hf], rhh=[0.64 * L, 0.75 * L, hh])
    breathe(m, P)
    return P


def kneel(m: MotionInput) -> np.ndarray:
    """Down on one knee: one foot steps back, the hip lowers, a hand rests on the front knee."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 1.4)
    t0 = _start(m, D)
    knee_h = b.shin
    hip_k = b.thigh + 0.05
    back, front = ("lf", "rf") if m.side > 0 else ("rf", "lf")
    hf, hh = hanging_hand(b)
    hand_f, hand_h = ("lhf", "lhh") if m.side < 0 else ("rhf", "rhh")
    other_f, other_h = ("rhf", "rhh") if m.side < 0 else ("lhf", "lhh")
    cols = {
        "dx": [0, -0.08 * L, -0.2 * L], "hip": [b.stand_hip, 0.85 * L, hip_k], "lean": [0.03, 0.12, 0.06],
        back: [0.0, -0.3 * L, -0.55 * L], back + "y": [0, 0.1 * L, 0.05],
        front: [0.03, 0.03, 0.03],
        hand_f: [hf, 0.2 * L, 0.03 + 0.2 * L], hand_h: [hh, 0.7 * L, knee_h + 0.05],
        other_f: [hf, hf, 0.0], other_h: [hh, hh - 0.1 * L, hip_k - 0.05 + 0.1 * m.style],
    }
    pose_keys(m, P, [t0, t0 + 0.45 * D, t0 + D], **cols)
    breathe(m, P, 1.5)
    return P


def _lying(b, L):
    """Key columns of lying on the back, head behind the hip (the last key of lie_down and fall)."""
    return dict(hip=FLOOR_HIP, lean=LYING_LEAN, lfy=0.03, rfy=0.03, lhf=0.1 * L, lhh=0.04, rhf=0.12 * L, rhh=0.04)


def lie_down(m: MotionInput) -> np.ndarray:
    """Crouch, sit down on the floor with the hands behind, roll back to lie flat."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 3.0)
    t0 = _start(m, D)
    hf, hh = hanging_hand(b)
    end = _lying(b, L)
    seat_x = -0.5 * L
    pose_keys(m, P, [t0, t0 + 0.3 * D, t0 + 0.62 * D, t0 + D],
              dx=[0, -0.15 * L, seat_x, seat_x], hip=[b.stand_hip, 0.5 * L, FLOOR_HIP, end["hip"]],
              lean=[0.03, 0.6, -0.2, end["lean"]],
              lf=[0.03, 0.03, seat_x + 0.8 * L, seat_x + 0.97 * L], rf=[-0.03, -0.03, seat_x + 0.78 * L, seat_x + 0.95 * L],
              lfy=[0, 0, 0.02, 0.03], rfy=[0, 0, 0.02, 0.03],
              lhf=[hf, 0.3 * L, -0.3 * L, end["lhf"]], lhh=[hh, 0.2 * L, 0.03, end["lhh"]],
              rhf=[hf, 0.32 * L, -0.28 * L, end["rhf"]], rhh=[hh, 0.2 * L, 0.03, end["rhh"]])
    breathe(m, P, 1.5)
    return P


def get_up(m: MotionInput) -> np.ndarray:
    """From lying on the back: sit up, pull the feet in, crouch over them, stand."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 2.6)
    t0 = _start(m, D)
    hf, hh = hanging_hand(b)
    st = _lying(b, L)
    feet = 0.55 * L
    pose_keys(m, P, [t0, t0 + 0.3 * D, t0 + 0.65 * D, t0 + D],
              dx=[0, 0, 0.5 * L, feet], hip=[st["hip"], FLOOR_HIP + 0.02, 0.5 * L, b.stand_hip],
              lean=[st["lean"], 0.35, 0.65, 0.03],
              lf=[0.97 * L, feet + 0.03, feet + 0.03, feet + 0.03], rf=[0.95 * L, feet - 0.03, feet - 0.03, feet - 0.03],
              lfy=[0.03, 0, 0, 0], rfy=[0.03, 0, 0, 0],
              lhf=[st["lhf"], 0.45 * L, 0.4 * L, hf], lhh=[st["lhh"], 0.45 * L, 0.15, hh],
              rhf=[st["rhf"], 0.45 * L, 0.45 * L, hf], rhh=[st["rhh"], 0.45 * L, 0.12, hh])
    breathe(m, P)
    return P


def crouch(m: MotionInput) -> np.ndarray:
    """Squat down low and stay there, forearms on the knees or a hand on the ground."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 0.7)
    t0 = _start(m, D)
    hf, hh = hanging_hand(b)
    low_f, low_h = (0.45 * L, 0.04) if m.style > 0.5 else (0.35 * L, 0.42 * L)
    pose_keys(m, P, [t0, t0 + D],
              dx=[0, -0.12 * L], hip=[b.stand_hip, (0.48 + 0.06 * m.amp) * L], lean=[0.03, 0.55],
              lhf=[hf, low_f], lhh=[hh, low_h], rhf=[hf, 0.33 * L], rhh=[hh, 0.45 * L])
    sway(m, P, 0.008)
    breathe(m, P)
    return P


def fall(m: MotionInput) -> np.ndarray:
    """Slip: the feet shoot forward, arms fly up, the body drops onto its back and lies there."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    D = _length(m, 1.0)
    t0 = _start(m, D)
    hf, hh = hanging_hand(b)
    end = _lying(b, L)
    x = -0.1 * L
    pose_keys(m, P, [t0, t0 + 0.2 * D, t0 + 0.5 * D, t0 + 0.75 * D, t0 + D + 0.3],
              dx=[0, 0, x, x, x], hip=[b.stand_hip, 0.88 * L, 0.4 * L, end["hip"] + 0.03, end["hip"]],
              lean=[0.03, -0.35, -0.95, -1.45, end["lean"]],
              lf=[0.03, 0.4 * L, x + 0.75 * L, x + 0.95 * L, x + 0.97 * L],
              rf=[-0.03, 0.3 * L, x + 0.7 * L, x + 0.93 * L, x + 0.95 * L],
              lfy=[0, 0.05, 0.25 * L, 0.1, 0.03], rfy=[0, 0.02, 0.2 * L, 0.08, 0.03],
              lsh=[0.05, 2.0, 1.6, 1.1, 1.45], lel=[0.15, 0.5, 0.3, 0.2, 0.05],
              rsh=[0.05, 1.7, 1.3, 1.2, 1.45], rel=[0.15, 0.6, 0.3, 0.2, 0.05])
    breathe(m, P, 1.5)
    P[:, (L_EL, R_EL)] += 0.15 * np.sin(TAU * 0.4 * m.t)[:, None] * (m.t > t0 + D)[:, None]
    return P


def meditate(m: MotionInput) -> np.ndarray:
    """Cross-legged on the floor, hands on the knees, slow deep breaths."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    hip = FLOOR_HIP + 0.02
    P[:, HIP_Y] = hip
    P[:, LF_F], P[:, RF_F] = 0.3 * L, 0.36 * L
    P[:, LF_Y] = P[:, RF_Y] = -hip + 0.04
    w = TAU * (0.12 + 0.05 * m.tempo) * m.t + TAU * m.phase
    P[:, LEAN] = 0.04 + 0.03 * np.sin(w)
    if m.style < 0.5:
        reach_from_hip(P, 1, b, 0.45 * L, 0.2 + 0.02 * np.sin(w))
        reach_from_hip(P, -1, b, 0.47 * L, 0.2 + 0.02 * np.sin(w))
    else:
        reach_from_hip(P, 1, b, 0.25 * L, hip + 0.12 + 0.02 * np.sin(w))
        reach_from_hip(P, -1, b, 0.26 * L, hip + 0.14 + 0.02 * np.sin(w))
    return P
