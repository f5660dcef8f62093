"""Where the ball is: a small flight simulator driven by the actors' ball actions.

A throw holds the ball in the acting hand until the hand moves fastest, then flies it on a parabola
into a catcher's hand or lets it fall, bounce and roll; a kick sends it off the kicking foot; other
ball actions hold it in the hand (a dribble bounces it). Renderers draw the tracks; nothing here draws.

>>> [track.shape for track in ball_tracks(anim)]
[(250, 2)]
"""

from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ...model.pose import JOINTS
from ..animation import Animation
from .camera import joint_positions

BALL_RADIUS_M = 0.11
GRAVITY = 9.81
_BALL_WORDS = re.compile(r"throw|catch|kick|toss|dribbl|juggl|ball")

def ball_action_names(vocabulary: Sequence[str]) -> frozenset:
    """Names in ``vocabulary`` that use a ball.

    Names of the generator's own vocabulary follow its ``BALL_ACTIONS``; any other name (a custom
    vocabulary) counts when it mentions throwing, catching, kicking, dribbling or a ball.

    >>> sorted(ball_action_names(("walk", "throw_ball", "catch")))
    ['catch', 'throw_ball']
    """
    try:
        from ...data_gen.actions import ACTIONS, BALL_ACTIONS
    except ImportError:
        ACTIONS, BALL_ACTIONS = (), frozenset()
    known = set(ACTIONS)
    return frozenset(
        name for name in vocabulary if (name in BALL_ACTIONS if name in known else bool(_BALL_WORDS.search(name)))
    )


def _ball_role(name: str) -> str:
    """How a ball action moves the ball: kick, catch, throw, bounce or hold."""
    if "kick" in name:
        return "kick"
    if "catch" in name or "receiv" in name:
        return "catch"
    if any(word in name for word in ("throw", "toss", "pass", "shoot", "pitch")):
        return "throw"
    if "dribbl" in name or "bounc" in name:
        return "bounce"
    return "hold"


_HANDS = (JOINTS.index("right_hand"), JOINTS.index("left_hand"))
_FEET = (JOINTS.index("right_foot"), JOINTS.index("left_foot"))
_HIP, _NECK = JOINTS.index("hip"), JOINTS.index("neck")


def _acting_limb(joints: np.ndarray, actor: int, start: int, end: int, limbs: Tuple[int, int]) -> int:
    """The hand (or foot) of ``limbs`` that moves fastest relative to the hip; ties go to the right one."""
    if end - start < 2:
        return limbs[0]
    rel = joints[start:end, actor, list(limbs)] - joints[start:end, actor, _HIP : _HIP + 1]  # (n, 2, 2)
    peak = np.linalg.norm(np.diff(rel, axis=0), axis=-1).max(axis=0)  # (2,)
    return limbs[int(np.argmax(peak))]


def _fastest_frame(joints: np.ndarray, actor: int, limb: int, start: int, end: int) -> int:
    """The frame right after ``limb`` moves fastest in ``[start, end)``: the release of a throw, the touch of a kick."""
    if end - start < 2:
        return start
    steps = np.linalg.norm(np.diff(joints[start:end, actor, limb], axis=0), axis=-1)
    return start + 1 + int(np.argmax(steps))


def _in_hand(joints: np.ndarray, actor: int, hand: int, frames: np.ndarray) -> np.ndarray:
    """Ball centres ``[n, 2]`` held in ``hand``: pushed a little past the hand, away from the neck."""
    hand_xy = joints[frames, actor, hand]
    reach = hand_xy - joints[frames, actor, _NECK]
    norm = np.linalg.norm(reach, axis=-1, keepdims=True)
    return hand_xy + 0.7 * BALL_RADIUS_M * np.divide(reach, norm, out=np.zeros_like(reach), where=norm > 1e-6)


def _fly(track: np.ndarray, start: int, position: np.ndarray, velocity: np.ndarray, fps: int, last: int) -> None:
    """Fill ``track[start:last]`` with a ball thrown from ``position``: gravity, bounces, then rolling to rest."""
    x, y = float(position[0]), max(float(position[1]), BALL_RADIUS_M)
    vx, vy = float(velocity[0]), float(velocity[1])
    dt = 1.0 / fps
    for t in range(start, min(last, len(track))):
        track[t] = (x, y)
        vy -= GRAVITY * dt
        x, y = x + vx * dt, y + vy * dt
        if y < BALL_RADIUS_M:
            y, vy, vx = BALL_RADIUS_M, (-0.45 * vy if vy < -1.0 else 0.0), vx * 0.8
        elif y == BALL_RADIUS_M:
            vx *= 0.9  # rolling friction


class _BallEvent(NamedTuple):
    """One actor's ball action: frames ``[start, end)`` and how it moves the ball (see :func:`_ball_role`)."""

    actor: int
    role: str
    start: int
    end: int


def ball_tracks(anim: Animation, ball_actions: Optional[Sequence[str]] = None) -> List[np.ndarray]:
    """Ball centre ``[T, 2]`` per ball in play (NaN where there is none), from the actors' ball actions.

    A throw holds the ball in the acting hand until the hand is fastest, then flies it on a parabola
    into the hand of another actor who is catching, or lets it fall and roll when nobody is. A kick
    rests the ball by the kicking foot and sends it off at the touch. Other ball actions hold it in
    the hand (dribbling bounces it to the ground and back); catches that no throw reaches share one ball.
    ``ball_actions`` overrides :func:`ball_action_names`.

    >>> [track.shape for track in ball_tracks(anim)]
    [(250, 2)]
    """
    names = ball_action_names(anim.action_vocabulary) if ball_actions is None else frozenset(ball_actions)
    if not names:
        return []
    joints = joint_positions(anim.frames)  # (T, A, 6, 2)
    events = [
        _BallEvent(actor, _ball_role(name), start, end)
        for actor in range(anim.num_actors)
        for name, start, end in anim.action_segments(actor)
        if name in names
    ]
    catches = [e for e in events if e.role == "catch"]
    caught: List[_BallEvent] = []
    tracks = []
    for event in sorted((e for e in events if e.role != "catch"), key=lambda e: e.start):
        track = np.full((anim.num_frames, 2), np.nan)
        if event.role == "kick":
            _kick(track, joints, event, anim.fps)
        elif event.role == "throw":
            catch = _throw(track, joints, event, [c for c in catches if c not in caught], anim.fps)
            caught += [catch] if catch else []
        else:
            _hold(track, joints, event, anim.fps)
        tracks.append(track)
    # catches no throw reaches share one ball, and only while no other ball is in play: two people
    # "catching" at once hold one ball between them (the first to start, the other while the first does
    # not), and it is not drawn while a thrown, kicked or held ball is (that is the ball they play with)
    in_play = np.zeros(anim.num_frames, bool)
    for track in tracks:
        in_play |= ~np.isnan(track[:, 0])
    waiting = np.full((anim.num_frames, 2), np.nan)
    for event in sorted((c for c in catches if c not in caught), key=lambda e: (e.start, e.actor)):
        track = np.full((anim.num_frames, 2), np.nan)
        _hold(track, joints, event, anim.fps)
        free = np.isnan(waiting[:, 0]) & ~in_play
        waiting[free] = track[free]
    if not np.isnan(waiting[:, 0]).all():
        tracks.append(waiting)
    return tracks


def _hold(track: np.ndarray, joints: np.ndarray, event: _BallEvent, fps: int) -> None:
    """The ball in the acting hand for the whole action; a dribble bounces it to the ground twice a second."""
    hand = _acting_limb(joints, event.actor, event.start, event.end, _HANDS)
    frames = np.arange(event.start, event.end)
    track[frames] = _in_hand(joints, event.actor, hand, frames)
    if event.role == "bounce":
        phase = ((frames - event.start) / (0.5 * fps)) % 1.0
        lift = 1 - (1 - np.abs(1 - 2 * phase)) ** 2  # 1 at the hand, 0 on the ground: it speeds up falling
        track[frames, 1] = BALL_RADIUS_M + (track[frames, 1] - BALL_RADIUS_M) * lift


def _throw(
    track: np.ndarray, joints: np.ndarray, event: _BallEvent, catches: List[_BallEvent], fps: int
) -> Optional[_BallEvent]:
    """In the hand until release (the hand's fastest frame), then to a catcher's hand or down to the ground.

    Returns the catch of ``catches`` that received the ball, if any.
    """
    actor, _, start, end = event
    hand = _acting_limb(joints, actor, start, end, _HANDS)
    release = _fastest_frame(joints, actor, hand, start, end)
    held = np.arange(start, release + 1)
    track[held] = _in_hand(joints, actor, hand, held)
    if release + 1 >= len(track):
        return None
    catch = _pick_catch(catches, event, release, fps)
    if catch is not None:
        _pass_to(track, joints, catch, release, track[release], fps)
        return catch
    velocity = (joints[release, actor, hand] - joints[max(start, release - 1), actor, hand]) * fps
    speed = float(np.linalg.norm(velocity))
    if speed < 2.0:  # a limp throw still leaves the hand, forward and up
        side = np.sign(joints[release, actor, hand, 0] - joints[release, actor, _HIP, 0]) or 1.0
        velocity = np.array([4.0 * side, 3.0])
    elif speed > 15.0:
        velocity = velocity * 15.0 / speed
    _fly(track, release + 1, track[release], velocity, fps, end + fps)
    return None


def _kick(track: np.ndarray, joints: np.ndarray, event: _BallEvent, fps: int) -> None:
    """On the ground by the kicking foot until its fastest frame, then off the way the foot moved."""
    actor, _, start, end = event
    foot = _acting_limb(joints, actor, start, end, _FEET)
    touch = min(_fastest_frame(joints, actor, foot, start, end), len(track) - 1)
    foot_v = (joints[touch, actor, foot] - joints[max(start, touch - 1), actor, foot]) * fps
    side = np.sign(foot_v[0]) or np.sign(joints[touch, actor, foot, 0] - joints[touch, actor, _HIP, 0]) or 1.0
    rest = np.array([joints[touch, actor, foot, 0] + side * BALL_RADIUS_M, BALL_RADIUS_M])
    track[start:touch] = rest
    velocity = np.array([side * np.clip(abs(foot_v[0]) * 1.5, 4.0, 12.0), np.clip(0.5 * foot_v[1] + 2.0, 1.0, 5.0)])
    _fly(track, touch, rest, velocity, fps, end + fps)


def _pick_catch(catches: List[_BallEvent], throw: _BallEvent, release: int, fps: int) -> Optional[_BallEvent]:
    """Another actor's catch still running after ``release`` and starting within 1 s of the throw's end."""
    options = [c for c in catches if c.actor != throw.actor and c.end - 1 > release and c.start <= throw.end + fps]
    return min(options, key=lambda c: abs(c.start - release)) if options else None


def _pass_to(
    track: np.ndarray, joints: np.ndarray, catch: _BallEvent, release: int, origin: np.ndarray, fps: int
) -> None:
    """Fly the ball from ``origin`` at ``release`` on a parabola into the catcher's hand, then keep it there."""
    actor, _, start, end = catch
    hand = _acting_limb(joints, actor, start, end, _HANDS)
    first_guess = _in_hand(joints, actor, hand, np.array([max(start, release)]))[0]
    flight = round(fps * float(np.clip(np.linalg.norm(first_guess - origin) / 9.0, 0.3, 1.2)))  # ~9 m/s
    arrive = int(np.clip(release + flight, max(start, release + 1), max(end - 1, release + 1)))
    arrive = min(arrive, len(track) - 1)
    target = _in_hand(joints, actor, hand, np.array([arrive]))[0]
    u = (np.arange(release, arrive + 1) - release) / max(1, arrive - release)  # 0 -> 1 along the flight
    arc = (0.2 + 0.15 * abs(target[0] - origin[0])) * 4 * u * (1 - u)
    track[release : arrive + 1] = (1 - u)[:, None] * origin + u[:, None] * target
    track[release : arrive + 1, 1] += arc
    after = np.arange(arrive, end)
    track[after] = _in_hand(joints, actor, hand, after)
