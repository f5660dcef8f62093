"""Ball games and fighting: throw, catch, kick, dribble, swing a bat, punch, dodge.

In an interaction the event times come from the scene (:class:`.base.EventInfo`): the thrower
releases the ball at ``times[0]``, the catcher holds it from ``times[1]``; punches land at ``times``
and the dodger moves away at the same moments. Alone, an actor repeats the move at its own rhythm.
"""

from __future__ import annotations

import numpy as np

from .base import (
    DX, HIP_Y, L_AB, L_EL, L_SH, LEAN, LF_F, LH_L, R_AB, R_EL, R_SH, RF_F, RH_L, TAU,
    MotionInput, approach_partner, breathe, keyframes, lerp, neutral, plant, pose_keys, rate, reach, repeat_times,
)


def _event_clock(m: MotionInput, index: int, lead: float, length: float, period: float, first: float) -> np.ndarray:
    """Time relative to the move's key moment: the scene's event ``index`` when there is one,
    otherwise the actor's own repetitions (key moment ``lead`` s into each)."""
    if m.event is not None and len(m.event.times) > index:
        return m.t - m.event.times[index]
    tl, _ = repeat_times(m, period, first, length)
    return tl - lead


def throw(m: MotionInput) -> np.ndarray:
    """Overarm throw with the ``side`` arm: wind up, step forward with the other foot, whip, follow through."""
    b, L, A = m.body, m.body.leg, m.body.arm
    P = neutral(m)
    r = rate(m)
    wind = 1.1 / r
    tl = _event_clock(m, 0, wind, wind + 1.7, wind + 1.7 + lerp(0.4, 1.2, m.style), 0.1 + 0.4 * m.onset)
    keys = [-wind, -0.5 / r, -0.12 / r, 0.0, 0.25, 0.9, 1.1, 1.4]
    S = b.stand_hip
    throwing = {"nf": [0.25 * A, -0.45 * A, -0.12 * A, 0.45 * A, 0.55 * A, 0.3 * A, 0.1 * A, 0.05],
                "nu": [-0.45 * A, 0.35 * A, 0.75 * A, 0.65 * A, -0.6 * A, -0.8 * A, -0.9 * A, -0.95 * A]}
    other = {"nf": [0.25 * A, 0.7 * A, 0.55 * A, 0.2 * A, 0.0, 0.05, 0.05, 0.05],
             "nu": [-0.45 * A, 0.05 * A, -0.1 * A, -0.7 * A, -0.9 * A, -0.95 * A, -0.95 * A, -0.95 * A]}
    hand, off = ("l", "r") if m.side > 0 else ("r", "l")
    step = "rf" if m.side > 0 else "lf"
    cols = {
        "dx": [0, -0.03 * L, 0.1 * L, 0.15 * L, 0.2 * L, 0.2 * L, 0.1 * L, 0],
        "hip": [S, 0.96 * S, 0.97 * S, 0.97 * S, 0.96 * S, S, S, S],
        "lean": [0.05, -0.12, 0.05, 0.28, 0.42, 0.12, 0.05, 0.03],
        step: [0.03, 0.05, 0.33 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.2 * L, 0.03],
        step + "y": [0, 0.07 * L, 0.0, 0, 0, 0, 0.06 * L, 0],
        hand + "nf": throwing["nf"], hand + "nu": throwing["nu"],
        off + "nf": other["nf"], off + "nu": other["nu"],
    }
    pose_keys(m, P, keys, clock=tl, **cols)
    return P


def catch(m: MotionInput) -> np.ndarray:
    """Ready stance, both hands go to meet the ball, pull it in to the chest, hold it."""
    b, L, A = m.body, m.body.leg, m.body.arm
    P = neutral(m)
    r = rate(m)
    if m.event is not None and len(m.event.times) > 1:
        tl = m.t - m.event.times[1]
        height = m.event.height
    else:
        tl = _event_clock(m, 1, 1.5, 3.2, 3.2 + lerp(0.3, 1.0, m.style) / r, 0.1 + 0.4 * m.onset)
        height = lerp(0.95, 1.7, m.amp) * b.height / 1.75
    S = b.stand_hip
    neck = b.neck_height - 0.05 * L
    up = float(np.clip(height - neck, -0.8 * A, 0.6 * A))
    fwd = float(np.sqrt(max((0.85 * A) ** 2 - up * up, (0.3 * A) ** 2)))
    keys = [-1.5, -0.45, 0.0, 0.35, 1.2, 1.7]
    hands = {"nf": [0.4 * A, 0.45 * A, fwd, 0.3 * A, 0.3 * A, 0.35 * A],
             "nu": [-0.55 * A, -0.45 * A, up, -0.3 * A, -0.35 * A, -0.6 * A]}
    pose_keys(m, P, keys, clock=tl,
              hip=[0.95 * S, 0.94 * S, 0.95 * S, 0.9 * S, 0.96 * S, S],
              lean=[0.1, 0.14, 0.12 + 0.1 * (up < 0), -0.06, 0.05, 0.06],
              lf=[0.12 * L] * 6, rf=[-0.1 * L] * 6,
              lnf=hands["nf"], lnu=hands["nu"], rnf=hands["nf"], rnu=hands["nu"])
    together = -0.8 * b.shoulder * keyframes(tl, [-0.6, -0.1, 1.3, 1.8], np.array([0.3, 1.0, 1.0, 0.3]))
    P[:, LH_L], P[:, RH_L] = together, -together
    P[:, (L_AB, R_AB)] = 0.0
    breathe(m, P, 0.5)
    return P


def kick(m: MotionInput) -> np.ndarray:
    """Step in with the support foot, swing the ``side`` leg back and through the ball, follow through."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    r = rate(m)
    tl = _event_clock(m, 0, 0.9, 2.6, 2.6 + lerp(0.3, 1.0, m.style) / r, 0.1 + 0.4 * m.onset)
    S = b.stand_hip
    kick_f, sup_f = ("lf", "rf") if m.side > 0 else ("rf", "lf")
    high = (0.5 + 0.15 * m.amp) * L
    cols = {
        "dx": [0, 0.1 * L, 0.2 * L, 0.22 * L, 0.24 * L, 0.25 * L, 0.25 * L, 0.18 * L, 0.08 * L, 0],
        "hip": [S, 0.97 * S, 0.96 * S, 0.97 * S, 0.99 * S, 0.98 * S, S, S, S, S],
        "lean": [0.03, 0.08, 0.1, 0.05, -0.05, -0.2, 0.0, 0.03, 0.03, 0.03],
        sup_f: [0.03, 0.2 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.2 * L, 0.03],
        sup_f + "y": [0, 0.08 * L, 0, 0, 0, 0, 0, 0, 0.06 * L, 0],
        kick_f: [-0.03, -0.03, -0.03, -0.15 * L, 0.45 * L, 0.85 * L, 0.45 * L, 0.2 * L, -0.03, -0.03],
        kick_f + "y": [0, 0, 0, 0.3 * L, 0.1, high, 0.0, 0.06 * L, 0, 0],
        "lsh" if m.side > 0 else "rsh": [0.05, 0.0, -0.3, -0.5, -0.2, 0.3, 0.1, 0.05, 0.05, 0.05],
        "rsh" if m.side > 0 else "lsh": [0.05, 0.3, 0.6, 0.9, 0.7, 0.4, 0.2, 0.05, 0.05, 0.05],
        "rab" if m.side > 0 else "lab": [0.06, 0.2, 0.4, 0.6, 0.5, 0.3, 0.1, 0.06, 0.06, 0.06],
    }
    pose_keys(m, P, [-0.9, -0.6, -0.35, -0.12, 0.0, 0.2, 0.6, 1.0, 1.35, 1.7], clock=tl, **cols)
    return P


def dribble(m: MotionInput) -> np.ndarray:
    """Knees bent, the ``side`` hand pushing a bouncing ball down at waist height, the other arm out."""
    b, L = m.body, m.body.leg
    P = neutral(m)
    f = 1.7 * rate(m)
    u = np.mod(m.phase + f * m.t, 1.0)
    push = keyframes(u, [0.0, 0.3, 0.55, 1.0], np.array([0.0, 1.0, 0.2, 0.0]))
    P[:, HIP_Y] = (0.9 - 0.04 * m.amp) * b.stand_hip - 0.01 * push
    P[:, LF_F], P[:, RF_F] = 0.15 * L, -0.12 * L
    plant(P)
    P[:, LEAN] = 0.18 + 0.06 * m.style
    top = 0.52 * b.height + 0.06 * m.amp
    height = top - 0.13 * b.height / 1.75 * push
    nf, ny = b.torso * np.sin(P[:, LEAN]), b.torso * np.cos(P[:, LEAN])
    reach(P, m.side, b, 0.42 * L - nf + 0.03 * push, height - P[:, HIP_Y] - ny)
    sh, el, ab = (L_SH, L_EL, L_AB) if m.side < 0 else (R_SH, R_EL, R_AB)
    P[:, sh], P[:, el], P[:, ab] = 0.75, 0.8, 0.45
    return P


def swing_bat(m: MotionInput) -> np.ndarray:
    """Batting stance with both hands by the rear shoulder, stride, swing through, finish high."""
    b, L, A = m.body, m.body.leg, m.body.arm
    P = neutral(m)
    r = rate(m)
    tl = _event_clock(m, 0, 1.0, 2.2, 2.2 + lerp(0.4, 1.2, m.style) / r, 0.1 + 0.4 * m.onset)
    S = 0.93 * m.body.stand_hip
    keys = [-1.0, -0.35, -0.1, 0.0, 0.18, 0.4, 1.2]
    tw = m.facing
    pose_keys(m, P, keys, clock=tl,
              hip=[S, 0.98 * S, 0.97 * S, 0.97 * S, S, S, S],
              lean=[0.2, 0.14, 0.22, 0.3, 0.15, 0.05, 0.2],
              lf=[0.2 * L, 0.25 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.35 * L, 0.2 * L],
              lfy=[0, 0.06 * L, 0.0, 0, 0, 0, 0], rf=[-0.2 * L] * 7,
              lnf=[-0.15 * A, -0.3 * A, 0.1 * A, 0.6 * A, 0.55 * A, 0.05 * A, -0.15 * A],
              lnu=[0.1 * A, 0.2 * A, -0.2 * A, -0.45 * A, 0.1 * A, 0.35 * A, 0.1 * A],
              rnf=[-0.12 * A, -0.27 * A, 0.13 * A, 0.62 * A, 0.55 * A, 0.08 * A, -0.12 * A],
              rnu=[0.05 * A, 0.15 * A, -0.25 * A, -0.5 * A, 0.05 * A, 0.3 * A, 0.05 * A],
              yaw=[-0.3 * tw, -0.45 * tw, -0.1 * tw, 0.2 * tw, 0.5 * tw, 0.6 * tw, -0.3 * tw])
    P[:, LH_L] = -0.9 * b.shoulder
    P[:, RH_L] = 0.9 * b.shoulder
    P[:, (L_AB, R_AB)] = 0.0
    return P


def _blow_times(m: MotionInput, period: float) -> np.ndarray:
    """Punch (or dodge) moments: the scene's, or the actor's own rhythm."""
    if m.event is not None and m.event.times:
        return np.asarray(m.event.times, dtype=np.float64)
    first = 0.5 + 0.4 * m.phase
    return first + period * np.arange(max(1, int((m.duration - first - 0.3) / period) + 1))


def _guard(m: MotionInput, P: np.ndarray) -> None:
    b, L = m.body, m.body.leg
    lead = LF_F if m.side > 0 else RF_F
    rear = RF_F if m.side > 0 else LF_F
    P[:, lead] = 0.22 * L
    P[:, rear] = -0.18 * L
    P[:, HIP_Y] = 0.93 * b.stand_hip - 0.012 * (0.5 + 0.5 * np.cos(TAU * 1.7 * m.t + TAU * m.phase))
    plant(P)


def punch(m: MotionInput) -> np.ndarray:
    """Boxing guard with the hands at the chin, alternating straight punches (lead hand first)."""
    b, A = m.body, m.body.arm
    P = neutral(m)
    _guard(m, P)
    times = _blow_times(m, (0.55 + 0.4 * m.style) / rate(m))
    idx = np.searchsorted(times, m.t + 0.12) - 1
    dt = m.t - times[np.clip(idx, 0, len(times) - 1)]
    ext = keyframes(dt, [-0.12, 0.0, 0.08, 0.3], np.array([0.0, 1.0, 1.0, 0.0])) * (idx >= 0)
    lead_hits = (np.mod(idx, 2) == 0)
    P[:, LEAN] = 0.12 + 0.1 * ext
    nf_guard = {1: 0.32 * A, -1: 0.22 * A}
    for hand in (1, -1):
        is_lead = hand == m.side
        mine = ext * (lead_hits if is_lead else ~lead_hits)
        guard_f = nf_guard[1 if is_lead else -1]
        reach(P, hand, b, guard_f + ((0.97 + 0.03 * m.amp) * A - guard_f) * mine, 0.06 * A + 0.04 * A * mine)
    P[:, (L_AB, R_AB)] = 0.1
    P[:, DX] = 0.04 * ext
    P[:, LF_F] -= P[:, DX]
    P[:, RF_F] -= P[:, DX]
    approach_partner(m, P, (times[0] - 0.5) if m.event is not None else 0.0)
    return P


def dodge(m: MotionInput) -> np.ndarray:
    """Guard up; at each incoming punch lean back out of reach or duck under it, then recover."""
    b, L, A = m.body, m.body.leg, m.body.arm
    P = neutral(m)
    _guard(m, P)
    times = _blow_times(m, (0.75 + 0.45 * m.style) / rate(m))
    idx = np.searchsorted(times, m.t + 0.25) - 1
    dt = m.t - times[np.clip(idx, 0, len(times) - 1)]
    move = keyframes(dt, [-0.25, -0.05, 0.15, 0.45], np.array([0.0, 1.0, 1.0, 0.0])) * (idx >= 0)
    duck = np.mod(idx + (m.amp > 0.5), 2) == 1
    back = move * ~duck
    low = move * duck
    P[:, LEAN] = 0.1 - 0.38 * back + 0.4 * low
    P[:, HIP_Y] -= 0.22 * L * low
    P[:, DX] = -0.08 * L * back
    P[:, LF_F] -= P[:, DX]
    P[:, RF_F] -= P[:, DX]
    plant(P)
    for hand in (1, -1):
        reach(P, hand, b, 0.22 * A + 0.04 * hand * m.side * A, 0.1 * A)
    P[:, (L_AB, R_AB)] = 0.12
    approach_partner(m, P, (times[0] - 0.5) if m.event is not None else 0.0)
    return P
