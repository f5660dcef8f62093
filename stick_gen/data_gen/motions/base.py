"""Shared pieces of every motion: the channel layout, inputs, and small kinematic tools.

A motion is a function ``MotionInput -> channels [n, NUM_CHANNELS]``: body-frame parameters per frame
(hip height, torso lean, arm angles, feet relative to the hip, facing offset...). The synthesiser
blends the channels of consecutive segments and :func:`joints_from_channels` turns them into the six
world joints of :mod:`..model.pose`.

Angles are radians. Arm angles: ``SH`` is the upper arm's angle from straight down (positive
forward), ``EL`` the elbow's bend (positive: the forearm turns forward/up), ``AB`` raises the arm
sideways (abduction, seen when the actor faces the camera). Feet are ``(F, Y, L)``: forward of the
hip, height relative to the hip (``-hip_y`` on the ground) and sideways (left positive).
``LH_L``/``RH_L`` move a hand sideways (hands meet in a clap). ``DX`` is the hip's
displacement since the segment start along the actor's facing, ``YAW`` an offset
added to the facing (pi/2 turns the actor to the camera), ``PITCH``/``ROLL`` rotate the whole body
about the hip (flips, planks, cartwheels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from ...model.pose import JOINTS
from ..body import Body

(DX, HIP_Y, PITCH, LEAN, L_SH, L_EL, L_AB, R_SH, R_EL, R_AB,
 LF_F, LF_Y, LF_L, RF_F, RF_Y, RF_L, YAW, ROLL, LH_L, RH_L) = range(20)
NUM_CHANNELS = 20
ANGLE_CHANNELS = (PITCH, LEAN, L_SH, L_EL, L_AB, R_SH, R_EL, R_AB, YAW, ROLL)
TAU = 2.0 * np.pi
GRAVITY = 9.81
_REL_ORDER = tuple(JOINTS.index(j) for j in ("neck", "left_foot", "right_foot", "left_hand", "right_hand"))


@dataclass(frozen=True)
class EventInfo:
    """An interaction (or a one-shot move) as seen by one actor, times in seconds from the segment start."""

    kind: str  # catch, handshake, high_five, hug, fight
    role: str  # thrower, catcher, partner, puncher, dodger
    times: Tuple[float, ...]  # release / catch / contact / punch times
    approach: float = 0.0  # metres this actor walks toward the partner before the first event
    height: float = 1.0  # world height of the meeting point (ball, hands)
    reach: float = 0.5  # hip-to-meeting-point distance along the facing at the event


@dataclass
class MotionInput:
    """Everything a motion function may read. ``t`` may start below 0 and end past ``duration``
    (the blend margins around a segment)."""

    t: np.ndarray  # seconds since the segment start, [n]
    duration: float  # segment length, seconds
    fps: int
    body: Body
    pace: Optional[str]  # None, "slow" or "fast" (from the text)
    tempo: float  # z quantiles in [0, 1] ...
    amp: float
    phase: float
    style: float
    onset: float
    side: int  # +1: the left limb leads, -1: the right one
    facing: int  # +1 faces +x, -1 faces -x
    move_dir: int  # world direction of travel for lateral/backward motions (+1 = +x)
    event: Optional[EventInfo] = None

    @property
    def n(self) -> int:
        return len(self.t)


def lerp(lo: float, hi: float, u: float) -> float:
    """The point ``u`` (0..1) of the way from ``lo`` to ``hi``."""
    return lo + (hi - lo) * u


def paced(motion: MotionInput, lo: float, hi: float, fast: Optional[Tuple[float, float]] = None) -> float:
    """A rate inside the range the text's pace allows: normal ``[lo, hi]``, slow below, fast above
    (``fast`` overrides the fast range).

    >>> motion = MotionInput(np.zeros(1), 1.0, 25, None, "slow", 0.0, 0, 0, 0, 0, 1, 1, 1)
    >>> round(paced(motion, 1.0, 2.0), 2)
    0.6
    """
    if motion.pace == "slow":
        lo, hi = 0.6 * lo, 0.82 * lo
    elif motion.pace == "fast":
        lo, hi = fast or (1.2 * hi, 1.5 * hi)
    return lerp(lo, hi, motion.tempo)


def rate(motion: MotionInput) -> float:
    """Generic speed factor of cyclic and one-shot moves (1 = nominal)."""
    return paced(motion, 0.88, 1.15)


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.minimum(np.maximum(x, 0.0), 1.0)  # np.clip costs several times more on small arrays
    return x * x * (3.0 - 2.0 * x)


def keyframes(t: np.ndarray, times: Sequence[float], values: np.ndarray) -> np.ndarray:
    """Eased pose-to-pose interpolation of ``values [K, C]`` at key ``times [K]``; held outside.

    >>> keyframes(np.array([-1.0, 0.5, 2.0]), [0.0, 1.0], np.array([[0.0], [2.0]]))[:, 0].tolist()
    [0.0, 1.0, 2.0]
    """
    times = np.asarray(times, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    idx = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2)
    t0, t1 = times[idx], times[idx + 1]
    s = smoothstep((t - t0) / np.maximum(t1 - t0, 1e-6))
    v0, v1 = values[idx], values[idx + 1]
    return v0 + (v1 - v0) * (s[:, None] if values.ndim == 2 else s)


def repeat_times(motion: MotionInput, period: float, first: float, length: float) -> Tuple[np.ndarray, np.ndarray]:
    """Time inside the current repetition of a move ``length`` s long, repeated every ``period`` s.

    Returns ``(local time, repetition index)``. The first repetition starts at ``first`` (negative
    local times before it hold the move's start pose); no repetition starts unless it ends inside
    the segment, so the blend into the next action never cuts a move in half.
    """
    last = max(0.0, np.floor((motion.duration - first - length) / period))
    rep = np.clip(np.floor((motion.t - first) / period), 0.0, last)
    return motion.t - first - rep * period, rep


def neutral(motion: MotionInput) -> np.ndarray:
    """Relaxed standing channels ``[n, NUM_CHANNELS]`` with feet on the ground."""
    body = motion.body
    channels = np.zeros((motion.n, NUM_CHANNELS))
    channels[:, HIP_Y] = body.stand_hip
    channels[:, LEAN] = 0.03
    channels[:, (L_SH, R_SH)] = 0.05
    channels[:, (L_EL, R_EL)] = 0.15
    channels[:, (L_AB, R_AB)] = 0.06
    channels[:, LF_F] = 0.03
    channels[:, RF_F] = -0.03
    channels[:, LF_L] = body.foot_spread
    channels[:, RF_L] = -body.foot_spread
    plant(channels)
    return channels


def plant(channels: np.ndarray, lift_l=0.0, lift_r=0.0) -> None:
    """Put both feet at ground level (plus ``lift``) for the current hip height."""
    channels[:, LF_Y] = -channels[:, HIP_Y] + lift_l
    channels[:, RF_Y] = -channels[:, HIP_Y] + lift_r


def arm(side: int) -> Tuple[int, int, int]:
    """Channels (SH, EL, AB) of the left (+1) or right (-1) arm."""
    return (L_SH, L_EL, L_AB) if side > 0 else (R_SH, R_EL, R_AB)


def foot(side: int) -> Tuple[int, int, int]:
    """Channels (F, Y, L) of the left (+1) or right (-1) foot."""
    return (LF_F, LF_Y, LF_L) if side > 0 else (RF_F, RF_Y, RF_L)


def neck_offset(channels: np.ndarray, body: Body) -> Tuple[np.ndarray, np.ndarray]:
    """Neck forward and up of the hip, from the lean."""
    return body.torso * np.sin(channels[:, LEAN]), body.torso * np.cos(channels[:, LEAN])


def reach(channels: np.ndarray, side: int, body: Body, forward, up) -> None:
    """Set an arm so its hand is ``forward``/``up`` metres from the neck (clamped to the arm's reach).

    Two-link inverse kinematics with the elbow bending forward; the shoulder angle is unwrapped over
    time so that blends between segments turn the arm the short way.
    """
    l1, l2 = body.upper_arm, body.forearm
    forward = np.broadcast_to(np.asarray(forward, dtype=np.float64), (len(channels),))
    up = np.broadcast_to(np.asarray(up, dtype=np.float64), (len(channels),))
    distance = np.clip(np.hypot(forward, up), abs(l1 - l2) + 0.05 * l2, 0.995 * (l1 + l2))
    bend = np.pi - np.arccos(np.clip((l1 * l1 + l2 * l2 - distance * distance) / (2 * l1 * l2), -1.0, 1.0))
    direction = np.arctan2(forward, -up)
    direction = np.where(direction < -1.9, direction + TAU, direction)  # hand behind the head: over the top
    shoulder = direction - np.arctan2(l2 * np.sin(bend), l1 + l2 * np.cos(bend))
    sh, el, _ = arm(side)
    if len(shoulder) > 1 and np.abs(np.diff(shoulder)).max() > np.pi:
        shoulder = np.unwrap(shoulder)
    channels[:, sh] = shoulder
    channels[:, el] = bend


def reach_from_hip(channels: np.ndarray, side: int, body: Body, forward, height) -> None:
    """Like :func:`reach` with the target given from the hip (forward) and the ground (height)."""
    nf, ny = neck_offset(channels, body)
    reach(channels, side, body, np.asarray(forward) - nf, np.asarray(height) - channels[:, HIP_Y] - ny)


def stepping(phase: np.ndarray, duty: float, stance_len: float, lift: float, early: float = 0.0,
             ahead: float = 0.45, heel: float = 0.0):
    """One foot of a gait: forward offset from the hip, height above the ground, and contact.

    ``phase`` counts cycles; the foot is on the ground for the first ``duty`` of each cycle, moving
    back under the hip by ``stance_len`` at the body's speed (so it does not slide; it lands
    ``ahead * stance_len`` in front of the hip), with the heel rising ``heel`` metres before it
    leaves; then it swings forward on a smooth curve ``lift`` high. ``early`` (0..1) moves the swing
    forward sooner (high knees).
    """
    u = np.mod(phase, 1.0)
    stance = u < duty
    front, back = ahead * stance_len, (ahead - 1.0) * stance_len
    off_stance = stance_len * (ahead - u / duty)
    y_stance = heel * smoothstep((u / duty - 0.6) / 0.4)
    s = np.clip((u - duty) / (1.0 - duty), 0.0, 1.0)
    slope = -stance_len * (1.0 - duty) / duty  # leaves and lands at rest on the ground (no sliding)
    s2, s3 = s * s, s * s * s
    off_swing = (2 * s3 - 3 * s2 + 1) * back + (s3 - 2 * s2 + s) * slope + (-2 * s3 + 3 * s2) * front + (s3 - s2) * slope
    if early:
        off_swing = off_swing + early * stance_len * np.sin(np.pi * s) * (1.0 - s)
    y_swing = lift * np.sqrt(np.sin(np.pi * s)) + heel * (1.0 - smoothstep(s * 2.0))  # a full arch: up at once, down late
    return np.where(stance, off_stance, off_swing), np.where(stance, y_stance, y_swing), stance


def smooth(x: np.ndarray, passes: int = 2) -> np.ndarray:
    """A light [1, 2, 1] / 4 low-pass, ends held."""
    for _ in range(passes):
        if len(x) < 3:
            return x
        x = np.concatenate([x[:1], 0.25 * x[:-2] + 0.5 * x[1:-1] + 0.25 * x[2:], x[-1:]])
    return x


def stance_hip(off_l, st_l, off_r, st_r, leg: float, straight: float = 0.985, y_l=0.0, y_r=0.0) -> np.ndarray:
    """Hip height that keeps every planted foot reachable: the inverted-pendulum bob of walking.

    A foot behind the hip may stretch the leg to 4% over its length (the foot's own lever at push-off).
    """
    top = straight * leg
    free = np.full(len(off_l), top)

    def allowed(off, y):
        reach_ = np.where(off < 0, 1.04 * leg, top)
        return y + np.sqrt(np.maximum(reach_ * reach_ - off * off, 0.25 * top * top))

    raw = np.minimum(np.where(st_l, allowed(off_l, y_l), free), np.where(st_r, allowed(off_r, y_r), free))
    # smoothing rounds the pendulum's cusps; never let it stretch a planted leg by more than 1 cm
    return np.minimum(np.minimum(smooth(raw, 3) - 0.004 * leg, raw + 0.01), top)


def gait(
    motion: MotionInput,
    channels: np.ndarray,
    speed: float,
    freq: float,
    duty: float,
    lift: float,
    arm_swing: float,
    elbow: float,
    bob: float = 0.0,
    early: float = 0.0,
    crouch: float = 0.0,
) -> np.ndarray:
    """Fill legs, hip height and arm swing of a two-legged gait; returns the gait phase (cycles).

    ``speed`` is signed along the facing (negative walks backwards). ``bob`` > 0 uses a running
    bounce (lowest at mid-stance, flight when ``duty`` < 0.5) instead of the walking pendulum;
    ``crouch`` lowers the hip by that fraction of the leg.
    """
    body = motion.body
    phase = motion.phase + freq * motion.t
    stance_len = abs(speed) * duty / freq
    sign = 1.0 if speed >= 0 else -1.0
    ahead = 0.38 if bob > 0 else 0.45
    heel = (0.07 if bob > 0 else 0.045) * body.leg
    off_l, y_l, st_l = stepping(phase, duty, stance_len, lift, early, ahead, heel)
    off_r, y_r, st_r = stepping(phase + 0.5, duty, stance_len, lift, early, ahead, heel)
    off_l, off_r = sign * off_l, sign * off_r
    reach_leg = body.leg * (1.0 - crouch)
    if bob > 0:
        land = np.sqrt(max((0.975 * reach_leg) ** 2 - (ahead * stance_len) ** 2, 0.3 * reach_leg ** 2))
        push = heel + np.sqrt(max((1.05 * reach_leg) ** 2 - ((1 - ahead) * stance_len) ** 2, 0.3 * reach_leg ** 2))
        base = min(land, push) + bob * np.cos(TAU * duty)
        hip = base - bob * np.cos(2 * TAU * (phase - 0.5 * duty))
    else:
        hip = stance_hip(off_l, st_l, off_r, st_r, reach_leg, y_l=y_l, y_r=y_r)
    channels[:, HIP_Y] = hip
    channels[:, LF_F] = off_l + 0.02
    channels[:, RF_F] = off_r - 0.02
    plant(channels, y_l, y_r)
    swing_l = -np.cos(TAU * phase) * sign
    channels[:, L_SH] = 0.05 + arm_swing * swing_l
    channels[:, R_SH] = 0.05 - arm_swing * swing_l
    channels[:, L_EL] = elbow + 0.35 * np.maximum(channels[:, L_SH], 0.0)
    channels[:, R_EL] = elbow + 0.35 * np.maximum(channels[:, R_SH], 0.0)
    channels[:, DX] = speed * motion.t
    for fc, yc in ((LF_F, LF_Y), (RF_F, RF_Y)):  # a swinging leg bends rather than stretches
        scale = np.minimum(1.0, 1.04 * body.leg / np.maximum(np.hypot(channels[:, fc], channels[:, yc]), 1e-6))
        channels[:, fc] *= scale
        channels[:, yc] *= scale
    return phase


def breathe(motion: MotionInput, channels: np.ndarray, strength: float = 1.0) -> None:
    """Breathing and slow sway so that no pose is ever frozen."""
    breaths_per_s = 0.22 + 0.1 * motion.tempo
    angle = TAU * (breaths_per_s * motion.t + motion.phase)
    channels[:, LEAN] += strength * (0.012 * np.sin(angle) + 0.008 * np.sin(0.37 * angle + 1.0))
    channels[:, L_SH] += strength * 0.025 * np.sin(0.8 * angle + 0.5)
    channels[:, R_SH] += strength * 0.025 * np.sin(0.8 * angle + 2.1)
    channels[:, L_EL] += strength * 0.02 * np.sin(angle + 0.3)
    channels[:, R_EL] += strength * 0.02 * np.sin(angle + 1.3)


def sway(motion: MotionInput, channels: np.ndarray, amount: float) -> None:
    """Shift the hip slowly forward and back over planted feet (a standing person's weight shifts)."""
    angle = TAU * ((0.17 + 0.06 * motion.style) * motion.t + motion.phase)
    dx = amount * (np.sin(angle) + 0.4 * np.sin(2.3 * angle + 1.0))
    channels[:, DX] += dx
    channels[:, LF_F] -= dx
    channels[:, RF_F] -= dx


def step_to(
    motion: MotionInput, t0: float, t1: float, distance: float, lead: int, lift: float
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Walk ``distance`` metres along the facing between ``t0`` and ``t1`` in a few planted steps.

    Returns the hip displacement and each foot's (forward position in the same frame, lift); the
    ``lead`` foot (+1 left) steps first and the last step brings the feet together again.
    """
    t = motion.t
    hip = distance * smoothstep((t - t0) / max(t1 - t0, 1e-3))
    if abs(distance) < 0.02:
        zero = np.zeros_like(t)
        return hip, zero.copy(), zero.copy(), zero.copy(), zero.copy()
    steps = max(2, int(np.ceil(abs(distance) / 0.5)) + 1)
    span = (t1 - t0) / (0.6 * steps + 0.4)  # steps overlap by 40%
    feet = {1: np.zeros_like(t), -1: np.zeros_like(t)}
    lifts = {1: np.zeros_like(t), -1: np.zeros_like(t)}
    done = {1: 0.0, -1: 0.0}
    for j in range(steps):
        who = lead if j % 2 == 0 else -lead
        target = distance * min(1.0, (j + 1) / (steps - 1))
        start = t0 + 0.6 * span * j
        s = np.clip((t - start) / span, 0.0, 1.0)
        feet[who] += (target - done[who]) * smoothstep(s)
        lifts[who] += lift * np.sin(np.pi * s)
        done[who] = target
    return hip, feet[1], feet[-1], lifts[1], lifts[-1]


def apply_steps(channels: np.ndarray, hip: np.ndarray, left: np.ndarray, right: np.ndarray, lift_l, lift_r) -> None:
    """Move the hip by ``hip`` while the feet follow their own planted steps ``left``/``right``."""
    channels[:, DX] += hip
    channels[:, LF_F] += left - hip
    channels[:, RF_F] += right - hip
    channels[:, LF_Y] += lift_l
    channels[:, RF_Y] += lift_r


def joints_from_channels(channels: np.ndarray, hip_x: np.ndarray, yaw: np.ndarray, body: Body) -> np.ndarray:
    """World joints ``[n, 6, 2]`` in :data:`..model.pose.JOINTS` order from channels.

    ``yaw`` is the absolute facing angle (0 faces +x, pi faces -x, pi/2 faces the camera); a body
    vector (forward, sideways) lands at world x ``cos(yaw) * forward + sin(yaw) * sideways``.
    """
    n = len(channels)
    lean = channels[:, LEAN]
    nf, ny = body.torso * np.sin(lean), body.torso * np.cos(lean)
    rel = np.empty((n, 5, 3))  # neck, left foot, right foot, left hand, right hand; (forward, sideways, up)
    rel[:, 0] = np.stack([nf, np.zeros(n), ny], axis=1)
    rel[:, 1] = channels[:, (LF_F, LF_L, LF_Y)]
    rel[:, 2] = channels[:, (RF_F, RF_L, RF_Y)]
    l1, l2 = body.upper_arm, body.forearm
    for slot, side in ((3, 1.0), (4, -1.0)):
        sh, el, ab = arm(int(side))
        a1, a2 = channels[:, sh], channels[:, sh] + channels[:, el]
        hand_forward = l1 * np.sin(a1) + l2 * np.sin(a2)
        hand_up = -l1 * np.cos(a1) - l2 * np.cos(a2)
        # raising the arm sideways swings the hand out and up; the shoulder's own offset fades so
        # that the neck-to-hand stick never grows past the arm's length
        c, s = np.cos(channels[:, ab]), np.sin(channels[:, ab])
        out = body.shoulder * c + np.abs(hand_up) * s
        rel[:, slot, 0] = nf + hand_forward
        rel[:, slot, 1] = side * out + channels[:, LH_L if side > 0 else RH_L]
        rel[:, slot, 2] = ny + hand_up * c - np.where(hand_up > 0, 1.0, -1.0) * body.shoulder * s
    pitch = channels[:, PITCH][:, None]
    if np.any(pitch):
        c, s = np.cos(pitch), np.sin(pitch)
        forward, up = rel[:, :, 0].copy(), rel[:, :, 2].copy()
        rel[:, :, 0] = forward * c + up * s
        rel[:, :, 2] = -forward * s + up * c
    roll = channels[:, ROLL][:, None]
    if np.any(roll):
        c, s = np.cos(roll), np.sin(roll)
        lat, y = rel[:, :, 1].copy(), rel[:, :, 2].copy()
        rel[:, :, 1] = lat * c + y * s
        rel[:, :, 2] = -lat * s + y * c
    cy, sy = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    x = hip_x[:, None] + cy * rel[:, :, 0] + sy * rel[:, :, 1]
    y = channels[:, HIP_Y][:, None] + rel[:, :, 2]
    joints = np.empty((n, 6, 2))
    hip = JOINTS.index("hip")
    joints[:, hip, 0], joints[:, hip, 1] = hip_x, channels[:, HIP_Y]
    order = _REL_ORDER
    joints[:, order, 0] = x
    joints[:, order, 1] = y
    return joints


_ANGLE_KEYS = {"pitch": PITCH, "yaw": YAW, "left_shoulder": L_SH, "left_elbow": L_EL, "left_raise": L_AB,
               "right_shoulder": R_SH, "right_elbow": R_EL, "right_raise": R_AB}
_FOOT_KEYS = (("left_foot", "left_foot_lift", LF_F, LF_Y, 0.03), ("right_foot", "right_foot_lift", RF_F, RF_Y, -0.03))
_HAND_KEYS = ((1, "left_hand_forward", "left_hand_height"), (-1, "right_hand_forward", "right_hand_height"))
_REACH_KEYS = ((1, "left_reach_forward", "left_reach_up"), (-1, "right_reach_forward", "right_reach_up"))
POSE_KEY_COLUMNS = frozenset(["dx", "hip", "lean", *_ANGLE_KEYS] + [key for keys in _FOOT_KEYS for key in keys[:2]]
                             + [key for keys in _HAND_KEYS + _REACH_KEYS for key in keys[1:]])


def pose_keys(motion: MotionInput, channels: np.ndarray, times: Sequence[float], clock: Optional[np.ndarray] = None,
              **columns: Sequence[float]) -> dict:
    """Key-framed channels in world-like terms; returns the interpolated columns by name.

    ``clock`` replaces the segment time as the key time (e.g. the phase of a repeated exercise).

    Columns: ``dx`` hip displacement, ``hip`` hip height, ``lean``; ``left_foot``/``right_foot`` foot
    positions along the facing in the segment's frame (feet not given stay planted where they started) and
    ``left_foot_lift``/``right_foot_lift`` their height above the ground; ``left_hand_forward``/
    ``left_hand_height`` (and ``right_...``) a hand's target forward of the hip and height above the ground,
    or ``left_reach_forward``/``left_reach_up`` (and ``right_...``) a hand's target forward of and up from
    the neck; and angles ``pitch``, ``yaw``, ``left_shoulder``/``left_elbow``/``left_raise`` and the same
    for the right arm. Any other name is a mistake and raises ``ValueError``.

    >>> motion = MotionInput(np.linspace(0.0, 1.0, 5), 1.0, 25, None, None, 0.5, 0, 0, 0, 0, 1, 1, 1)
    >>> channels = np.zeros((5, NUM_CHANNELS))
    >>> pose_keys(motion, channels, [0.0, 1.0], hip=[0.9, 0.5])["hip"].round(3).tolist()
    [0.9, 0.838, 0.7, 0.562, 0.5]
    >>> pose_keys(motion, channels, [0.0, 1.0], lhf=[0.0, 0.3])
    Traceback (most recent call last):
    ...
    ValueError: pose_keys: unknown column 'lhf'
    """
    unknown = sorted(set(columns) - POSE_KEY_COLUMNS)
    if unknown:
        raise ValueError(f"pose_keys: unknown column {unknown[0]!r}")
    names = list(columns)
    table = np.array([columns[name] for name in names], dtype=np.float64).T  # (K, C)
    out = keyframes(motion.t if clock is None else clock, times, table)
    get = {name: out[:, i] for i, name in enumerate(names)}
    for key, channel in (("dx", DX), ("hip", HIP_Y), ("lean", LEAN)):
        if key in get:
            channels[:, channel] = get[key]
    dx = channels[:, DX]
    for fkey, ykey, fc, yc, start in _FOOT_KEYS:
        channels[:, fc] = get[fkey] - dx if fkey in get else start - dx
        lift = get.get(ykey, np.zeros(motion.n))
        if fkey in get and motion.n > 1:
            # a foot that moves is off the ground: lift it as soon as it starts to travel
            speed = np.abs(np.gradient(get[fkey])) * motion.fps
            lift = np.maximum(lift, 0.04 * np.minimum(speed / 0.35, 1.0))
        channels[:, yc] = -channels[:, HIP_Y] + lift
    for key, channel in _ANGLE_KEYS.items():
        if key in get:
            channels[:, channel] = get[key]
    for side, fkey, hkey in _HAND_KEYS:
        if fkey in get:
            reach_from_hip(channels, side, motion.body, get[fkey], get[hkey])
    for side, fkey, ukey in _REACH_KEYS:
        if fkey in get:
            reach(channels, side, motion.body, get[fkey], get[ukey])
    return get


def hanging_hand(body: Body) -> Tuple[float, float]:
    """Where a relaxed hand hangs when standing: (forward of the hip, height above the ground)."""
    return 0.05, body.neck_height - 0.97 * body.arm


def approach_partner(motion: MotionInput, channels: np.ndarray, arrive: float) -> None:
    """Walk the event's approach distance toward the partner, arriving ``arrive`` s into the segment."""
    if motion.event is None or motion.event.approach < 0.02:
        return
    start = max(0.1, arrive - 0.4 - 1.1 * motion.event.approach)
    hip, left, right, lift_l, lift_r = step_to(motion, start, arrive, motion.event.approach, motion.side,
                                               0.09 * motion.body.leg)
    apply_steps(channels, hip, left, right, lift_l, lift_r)
    walking = np.sin(np.pi * np.clip((motion.t - start) / max(arrive - start, 1e-3), 0, 1))
    channels[:, L_SH] += 0.25 * walking * np.sin(TAU * (motion.t - start) / 1.0)
    channels[:, R_SH] -= 0.25 * walking * np.sin(TAU * (motion.t - start) / 1.0)
