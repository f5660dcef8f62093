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


def _event_clock(motion: MotionInput, index: int, lead: float, length: float, period: float,
                 first: float) -> np.ndarray:
    """Time relative to the move's key moment: the scene's event ``index`` when there is one,
    otherwise the actor's own repetitions (key moment ``lead`` s into each)."""
    if motion.event is not None and len(motion.event.times) > index:
        return motion.t - motion.event.times[index]
    local_t, _ = repeat_times(motion, period, first, length)
    return local_t - lead


def throw(motion: MotionInput) -> np.ndarray:
    """Overarm throw with the ``side`` arm: wind up, step forward with the other foot, whip, follow through."""
    body, leg, arm = motion.body, motion.body.leg, motion.body.arm
    channels = neutral(motion)
    r = rate(motion)
    wind = 1.1 / r
    local_t = _event_clock(motion, 0, wind, wind + 1.7, wind + 1.7 + lerp(0.4, 1.2, motion.style),
                           0.1 + 0.4 * motion.onset)
    keys = [-wind, -0.5 / r, -0.12 / r, 0.0, 0.25, 0.9, 1.1, 1.4]
    S = body.stand_hip
    throwing = {"forward": [0.25 * arm, -0.45 * arm, -0.12 * arm, 0.45 * arm, 0.55 * arm, 0.3 * arm, 0.1 * arm, 0.05],
                "up": [-0.45 * arm, 0.35 * arm, 0.75 * arm, 0.65 * arm, -0.6 * arm, -0.8 * arm, -0.9 * arm,
                       -0.95 * arm]}
    other = {"forward": [0.25 * arm, 0.7 * arm, 0.55 * arm, 0.2 * arm, 0.0, 0.05, 0.05, 0.05],
             "up": [-0.45 * arm, 0.05 * arm, -0.1 * arm, -0.7 * arm, -0.9 * arm, -0.95 * arm, -0.95 * arm, -0.95 * arm]}
    hand, off = ("left", "right") if motion.side > 0 else ("right", "left")
    step = "right_foot" if motion.side > 0 else "left_foot"
    cols = {
        "dx": [0, -0.03 * leg, 0.1 * leg, 0.15 * leg, 0.2 * leg, 0.2 * leg, 0.1 * leg, 0],
        "hip": [S, 0.96 * S, 0.97 * S, 0.97 * S, 0.96 * S, S, S, S],
        "lean": [0.05, -0.12, 0.05, 0.28, 0.42, 0.12, 0.05, 0.03],
        step: [0.03, 0.05, 0.33 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.2 * leg, 0.03],
        step + "_lift": [0, 0.07 * leg, 0.0, 0, 0, 0, 0.06 * leg, 0],
        hand + "_reach_forward": throwing["forward"], hand + "_reach_up": throwing["up"],
        off + "_reach_forward": other["forward"], off + "_reach_up": other["up"],
    }
    pose_keys(motion, channels, keys, clock=local_t, **cols)
    return channels


def catch(motion: MotionInput) -> np.ndarray:
    """Ready stance, both hands go to meet the ball, pull it in to the chest, hold it."""
    body, leg, arm = motion.body, motion.body.leg, motion.body.arm
    channels = neutral(motion)
    r = rate(motion)
    if motion.event is not None and len(motion.event.times) > 1:
        local_t = motion.t - motion.event.times[1]
        height = motion.event.height
    else:
        local_t = _event_clock(motion, 1, 1.5, 3.2, 3.2 + lerp(0.3, 1.0, motion.style) / r, 0.1 + 0.4 * motion.onset)
        height = lerp(0.95, 1.7, motion.amp) * body.height / 1.75
    S = body.stand_hip
    neck = body.neck_height - 0.05 * leg
    up = float(np.clip(height - neck, -0.8 * arm, 0.6 * arm))
    fwd = float(np.sqrt(max((0.85 * arm) ** 2 - up * up, (0.3 * arm) ** 2)))
    keys = [-1.5, -0.45, 0.0, 0.35, 1.2, 1.7]
    hands = {"forward": [0.4 * arm, 0.45 * arm, fwd, 0.3 * arm, 0.3 * arm, 0.35 * arm],
             "up": [-0.55 * arm, -0.45 * arm, up, -0.3 * arm, -0.35 * arm, -0.6 * arm]}
    pose_keys(motion, channels, keys, clock=local_t,
              hip=[0.95 * S, 0.94 * S, 0.95 * S, 0.9 * S, 0.96 * S, S],
              lean=[0.1, 0.14, 0.12 + 0.1 * (up < 0), -0.06, 0.05, 0.06],
              left_foot=[0.12 * leg] * 6, right_foot=[-0.1 * leg] * 6,
              left_reach_forward=hands["forward"], left_reach_up=hands["up"],
              right_reach_forward=hands["forward"], right_reach_up=hands["up"])
    together = -0.8 * body.shoulder * keyframes(local_t, [-0.6, -0.1, 1.3, 1.8], np.array([0.3, 1.0, 1.0, 0.3]))
    channels[:, LH_L], channels[:, RH_L] = together, -together
    channels[:, (L_AB, R_AB)] = 0.0
    breathe(motion, channels, 0.5)
    return channels


def kick(motion: MotionInput) -> np.ndarray:
    """Step in with the support foot, swing the ``side`` leg back and through the ball, follow through."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    r = rate(motion)
    local_t = _event_clock(motion, 0, 0.9, 2.6, 2.6 + lerp(0.3, 1.0, motion.style) / r, 0.1 + 0.4 * motion.onset)
    S = body.stand_hip
    kick_side, support_side = ("left", "right") if motion.side > 0 else ("right", "left")
    kick_f, sup_f = kick_side + "_foot", support_side + "_foot"
    high = (0.5 + 0.15 * motion.amp) * leg
    cols = {
        "dx": [0, 0.1 * leg, 0.2 * leg, 0.22 * leg, 0.24 * leg, 0.25 * leg, 0.25 * leg, 0.18 * leg, 0.08 * leg, 0],
        "hip": [S, 0.97 * S, 0.96 * S, 0.97 * S, 0.99 * S, 0.98 * S, S, S, S, S],
        "lean": [0.03, 0.08, 0.1, 0.05, -0.05, -0.2, 0.0, 0.03, 0.03, 0.03],
        sup_f: [0.03, 0.2 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.2 * leg,
                0.03],
        sup_f + "_lift": [0, 0.08 * leg, 0, 0, 0, 0, 0, 0, 0.06 * leg, 0],
        kick_f: [-0.03, -0.03, -0.03, -0.15 * leg, 0.45 * leg, 0.85 * leg, 0.45 * leg, 0.2 * leg, -0.03, -0.03],
        kick_f + "_lift": [0, 0, 0, 0.3 * leg, 0.1, high, 0.0, 0.06 * leg, 0, 0],
        kick_side + "_shoulder": [0.05, 0.0, -0.3, -0.5, -0.2, 0.3, 0.1, 0.05, 0.05, 0.05],
        support_side + "_shoulder": [0.05, 0.3, 0.6, 0.9, 0.7, 0.4, 0.2, 0.05, 0.05, 0.05],
        support_side + "_raise": [0.06, 0.2, 0.4, 0.6, 0.5, 0.3, 0.1, 0.06, 0.06, 0.06],
    }
    pose_keys(motion, channels, [-0.9, -0.6, -0.35, -0.12, 0.0, 0.2, 0.6, 1.0, 1.35, 1.7], clock=local_t, **cols)
    return channels


def dribble(motion: MotionInput) -> np.ndarray:
    """Knees bent, the ``side`` hand pushing a bouncing ball down at waist height, the other arm out."""
    body, leg = motion.body, motion.body.leg
    channels = neutral(motion)
    cadence = 1.7 * rate(motion)
    u = np.mod(motion.phase + cadence * motion.t, 1.0)
    push = keyframes(u, [0.0, 0.3, 0.55, 1.0], np.array([0.0, 1.0, 0.2, 0.0]))
    channels[:, HIP_Y] = (0.9 - 0.04 * motion.amp) * body.stand_hip - 0.01 * push
    channels[:, LF_F], channels[:, RF_F] = 0.15 * leg, -0.12 * leg
    plant(channels)
    channels[:, LEAN] = 0.18 + 0.06 * motion.style
    top = 0.52 * body.height + 0.06 * motion.amp
    height = top - 0.13 * body.height / 1.75 * push
    nf, ny = body.torso * np.sin(channels[:, LEAN]), body.torso * np.cos(channels[:, LEAN])
    reach(channels, motion.side, body, 0.42 * leg - nf + 0.03 * push, height - channels[:, HIP_Y] - ny)
    sh, el, ab = (L_SH, L_EL, L_AB) if motion.side < 0 else (R_SH, R_EL, R_AB)
    channels[:, sh], channels[:, el], channels[:, ab] = 0.75, 0.8, 0.45
    return channels


def swing_bat(motion: MotionInput) -> np.ndarray:
    """Batting stance with both hands by the rear shoulder, stride, swing through, finish high."""
    body, leg, arm = motion.body, motion.body.leg, motion.body.arm
    channels = neutral(motion)
    r = rate(motion)
    local_t = _event_clock(motion, 0, 1.0, 2.2, 2.2 + lerp(0.4, 1.2, motion.style) / r, 0.1 + 0.4 * motion.onset)
    S = 0.93 * motion.body.stand_hip
    keys = [-1.0, -0.35, -0.1, 0.0, 0.18, 0.4, 1.2]
    tw = motion.facing
    pose_keys(motion, channels, keys, clock=local_t,
              hip=[S, 0.98 * S, 0.97 * S, 0.97 * S, S, S, S],
              lean=[0.2, 0.14, 0.22, 0.3, 0.15, 0.05, 0.2],
              left_foot=[0.2 * leg, 0.25 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.35 * leg, 0.2 * leg],
              left_foot_lift=[0, 0.06 * leg, 0.0, 0, 0, 0, 0], right_foot=[-0.2 * leg] * 7,
              left_reach_forward=[-0.15 * arm, -0.3 * arm, 0.1 * arm, 0.6 * arm, 0.55 * arm, 0.05 * arm, -0.15 * arm],
              left_reach_up=[0.1 * arm, 0.2 * arm, -0.2 * arm, -0.45 * arm, 0.1 * arm, 0.35 * arm, 0.1 * arm],
              right_reach_forward=[-0.12 * arm, -0.27 * arm, 0.13 * arm, 0.62 * arm, 0.55 * arm, 0.08 * arm,
                                   -0.12 * arm],
              right_reach_up=[0.05 * arm, 0.15 * arm, -0.25 * arm, -0.5 * arm, 0.05 * arm, 0.3 * arm, 0.05 * arm],
              yaw=[-0.3 * tw, -0.45 * tw, -0.1 * tw, 0.2 * tw, 0.5 * tw, 0.6 * tw, -0.3 * tw])
    channels[:, LH_L] = -0.9 * body.shoulder
    channels[:, RH_L] = 0.9 * body.shoulder
    channels[:, (L_AB, R_AB)] = 0.0
    return channels


def _blow_times(motion: MotionInput, period: float) -> np.ndarray:
    """Punch (or dodge) moments: the scene's, or the actor's own rhythm."""
    if motion.event is not None and motion.event.times:
        return np.asarray(motion.event.times, dtype=np.float64)
    first = 0.5 + 0.4 * motion.phase
    return first + period * np.arange(max(1, int((motion.duration - first - 0.3) / period) + 1))


def _guard(motion: MotionInput, channels: np.ndarray) -> None:
    body, leg = motion.body, motion.body.leg
    lead = LF_F if motion.side > 0 else RF_F
    rear = RF_F if motion.side > 0 else LF_F
    channels[:, lead] = 0.22 * leg
    channels[:, rear] = -0.18 * leg
    channels[:, HIP_Y] = 0.93 * body.stand_hip - 0.012 * (0.5 + 0.5 * np.cos(TAU * 1.7 * motion.t + TAU * motion.phase))
    plant(channels)


def punch(motion: MotionInput) -> np.ndarray:
    """Boxing guard with the hands at the chin, alternating straight punches (lead hand first)."""
    body, arm = motion.body, motion.body.arm
    channels = neutral(motion)
    _guard(motion, channels)
    times = _blow_times(motion, (0.55 + 0.4 * motion.style) / rate(motion))
    idx = np.searchsorted(times, motion.t + 0.12) - 1
    dt = motion.t - times[np.clip(idx, 0, len(times) - 1)]
    ext = keyframes(dt, [-0.12, 0.0, 0.08, 0.3], np.array([0.0, 1.0, 1.0, 0.0])) * (idx >= 0)
    lead_hits = (np.mod(idx, 2) == 0)
    channels[:, LEAN] = 0.12 + 0.1 * ext
    nf_guard = {1: 0.32 * arm, -1: 0.22 * arm}
    for hand in (1, -1):
        is_lead = hand == motion.side
        mine = ext * (lead_hits if is_lead else ~lead_hits)
        guard_f = nf_guard[1 if is_lead else -1]
        reach(channels, hand, body, guard_f + ((0.97 + 0.03 * motion.amp) * arm - guard_f) * mine,
              0.06 * arm + 0.04 * arm * mine)
    channels[:, (L_AB, R_AB)] = 0.1
    channels[:, DX] = 0.04 * ext
    channels[:, LF_F] -= channels[:, DX]
    channels[:, RF_F] -= channels[:, DX]
    approach_partner(motion, channels, (times[0] - 0.5) if motion.event is not None else 0.0)
    return channels


def dodge(motion: MotionInput) -> np.ndarray:
    """Guard up; at each incoming punch lean back out of reach or duck under it, then recover."""
    body, leg, arm = motion.body, motion.body.leg, motion.body.arm
    channels = neutral(motion)
    _guard(motion, channels)
    times = _blow_times(motion, (0.75 + 0.45 * motion.style) / rate(motion))
    idx = np.searchsorted(times, motion.t + 0.25) - 1
    dt = motion.t - times[np.clip(idx, 0, len(times) - 1)]
    move = keyframes(dt, [-0.25, -0.05, 0.15, 0.45], np.array([0.0, 1.0, 1.0, 0.0])) * (idx >= 0)
    duck = np.mod(idx + (motion.amp > 0.5), 2) == 1
    back = move * ~duck
    low = move * duck
    channels[:, LEAN] = 0.1 - 0.38 * back + 0.4 * low
    channels[:, HIP_Y] -= 0.22 * leg * low
    channels[:, DX] = -0.08 * leg * back
    channels[:, LF_F] -= channels[:, DX]
    channels[:, RF_F] -= channels[:, DX]
    plant(channels)
    for hand in (1, -1):
        reach(channels, hand, body, 0.22 * arm + 0.04 * hand * motion.side * arm, 0.1 * arm)
    channels[:, (L_AB, R_AB)] = 0.12
    approach_partner(motion, channels, (times[0] - 0.5) if motion.event is not None else 0.0)
    return channels
