"""Where the ball is: one ball per scene, passed from holder to holder by the actors' ball actions.

A throw holds the ball in the acting hand until the hand moves fastest, then flies it on a parabola
into another actor's hand (a catcher's, else the nearest partner's) or, alone, lets it fall, bounce
and roll; a kick sends it off the kicking foot; other ball actions hold it in the hand (a dribble
bounces it). Whoever caught the ball keeps it until their next ball action; when another actor's
ball action starts first, the holder tosses it over. Renderers draw the track; nothing here draws.

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
    """The scene's ball: ``[track [T, 2]]`` (centre per frame), or ``[]`` without ball actions.

    There is one ball, from the first frame: in the hand of the actor who uses it first (or on the
    ground where it will be kicked). The ball actions (throw, kick, dribble, hold...) use it in the order they start;
    an action waits while the ball is in the air. A throw flies it into another actor's hand: one
    catching then, else the nearest. The actor who has the ball keeps it in hand until their next ball
    action, and tosses it over when someone else's starts. Catches only choose the receiver, unless no
    actor uses the ball otherwise: then the first catcher holds it, and passes it on to the next.
    ``ball_actions`` overrides :func:`ball_action_names`.

    >>> [track.shape for track in ball_tracks(anim)]
    [(250, 2)]
    """
    names = ball_action_names(anim.action_vocabulary) if ball_actions is None else frozenset(ball_actions)
    if not names:
        return []
    joints = joint_positions(anim.frames)  # (T, A, 6, 2)
    events = sorted(
        (_BallEvent(actor, _ball_role(name), start, end)
         for actor in range(anim.num_actors)
         for name, start, end in anim.action_segments(actor)
         if name in names),
        key=lambda e: (e.start, e.actor),
    )
    if not events:
        return []
    catches = [e for e in events if e.role == "catch"]
    users = [e for e in events if e.role != "catch"] or [e._replace(role="hold") for e in catches]
    ball = _Ball(np.full((anim.num_frames, 2), np.nan), joints, anim.fps)
    for event in users:
        ball.use(event, catches)
    ball.finish()
    return [ball.track]


class _Ball:
    """The one ball of a scene while :func:`ball_tracks` plays its ball actions in order.

    ``track`` is filled up to ``ready`` (the first frame not yet decided); ``holder`` is the actor with
    the ball in hand from ``ready`` on, or None when it lies where ``track[ready - 1]`` left it (or
    nobody has had it yet).
    """

    def __init__(self, track: np.ndarray, joints: np.ndarray, fps: int) -> None:
        self.track, self.joints, self.fps = track, joints, fps
        self.ready, self.holder = 0, None

    def _keep(self, until: int) -> None:
        """Fill ``[ready, until)``: in the holder's hand, or resting where the ball lies."""
        until = min(until, len(self.track))
        if until <= self.ready:
            return
        frames = np.arange(self.ready, until)
        if self.holder is not None:
            hand = _acting_limb(self.joints, self.holder, self.ready, until, _HANDS)
            self.track[frames] = _in_hand(self.joints, self.holder, hand, frames)
        elif self.ready > 0:
            self.track[frames] = self.track[self.ready - 1]
        self.ready = until

    def use(self, event: _BallEvent, catches: List[_BallEvent]) -> None:
        """Play one ball action: bring the ball to its actor, then throw, kick or hold it."""
        start = max(event.start, self.ready)
        first = self.ready == 0 and self.holder is None
        if first and event.role != "kick":  # the ball does not appear from nowhere: its first user has it
            self.holder = event.actor
        if self.holder is not None and self.holder != event.actor:  # toss it over, to arrive as the action starts
            giver = self.holder
            flight = _flight_frames(self.joints, giver, event.actor, start, self.fps)
            self._keep(max(self.ready, start - flight))
            if self.ready >= len(self.track) - 1:
                return
            self.ready = _pass_to(self.track, self.joints, giver, event.actor, self.ready, self.fps)
            self.holder, start = event.actor, max(start, self.ready)
        self._keep(start)
        if start >= min(event.end, len(self.track)) - 1:
            return  # the ball came too late for this action
        self.holder = event.actor
        if event.role == "throw":
            self._throw(event._replace(start=start), catches)
        elif event.role == "kick":
            _kick(self.track, self.joints, event._replace(start=start), self.fps)
            if first:  # waiting on the ground where it will be kicked
                self.track[:start] = self.track[start]
            self.holder, self.ready = None, min(event.end + self.fps, len(self.track))
        else:
            _hold(self.track, self.joints, event._replace(start=start), self.fps)
            self.ready = min(event.end, len(self.track))

    def _throw(self, event: _BallEvent, catches: List[_BallEvent]) -> None:
        """In the hand until release (the hand's fastest frame), then to a receiver's hand or down to the ground."""
        actor, _, start, end = event
        hand = _acting_limb(self.joints, actor, start, end, _HANDS)
        release = _fastest_frame(self.joints, actor, hand, start, end)
        held = np.arange(start, min(release + 1, len(self.track)))
        self.track[held] = _in_hand(self.joints, actor, hand, held)
        self.ready = held[-1] + 1
        if self.ready >= len(self.track):
            return
        receiver = _receiver(self.joints, catches, event, release, self.fps)
        if receiver is not None:
            self.ready = _pass_to(self.track, self.joints, actor, receiver, release, self.fps,
                                  origin=self.track[release])
            self.holder = receiver
            return
        velocity = (self.joints[release, actor, hand] - self.joints[max(start, release - 1), actor, hand]) * self.fps
        speed = float(np.linalg.norm(velocity))
        if speed < 2.0:  # a limp throw still leaves the hand, forward and up
            side = np.sign(self.joints[release, actor, hand, 0] - self.joints[release, actor, _HIP, 0]) or 1.0
            velocity = np.array([4.0 * side, 3.0])
        elif speed > 15.0:
            velocity = velocity * 15.0 / speed
        _fly(self.track, release + 1, self.track[release], velocity, self.fps, end + self.fps)
        self.holder, self.ready = None, min(end + self.fps, len(self.track))

    def finish(self) -> None:
        """The last holder keeps the ball to the end; a ball on the ground stays where it lies."""
        self._keep(len(self.track))


def _hold(track: np.ndarray, joints: np.ndarray, event: _BallEvent, fps: int) -> None:
    """The ball in the acting hand for the whole action; a dribble bounces it to the ground twice a second."""
    hand = _acting_limb(joints, event.actor, event.start, event.end, _HANDS)
    frames = np.arange(event.start, event.end)
    track[frames] = _in_hand(joints, event.actor, hand, frames)
    if event.role == "bounce":
        phase = ((frames - event.start) / (0.5 * fps)) % 1.0
        lift = 1 - (1 - np.abs(1 - 2 * phase)) ** 2  # 1 at the hand, 0 on the ground: it speeds up falling
        track[frames, 1] = BALL_RADIUS_M + (track[frames, 1] - BALL_RADIUS_M) * lift


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


def _receiver(joints: np.ndarray, catches: List[_BallEvent], throw: _BallEvent, release: int,
              fps: int) -> Optional[int]:
    """Who a throw goes to: the actor of another's catch still running after ``release`` and starting within
    1 s of the throw's end (the nearest in time), else the actor nearest the thrower; None when alone."""
    options = [c for c in catches if c.actor != throw.actor and c.end - 1 > release and c.start <= throw.end + fps]
    if options:
        return min(options, key=lambda c: abs(c.start - release)).actor
    others = [a for a in range(joints.shape[1]) if a != throw.actor]
    if not others:
        return None
    hip = joints[release, :, _HIP, 0]
    return min(others, key=lambda a: abs(hip[a] - hip[throw.actor]))


def _flight_frames(joints: np.ndarray, giver: int, receiver: int, frame: int, fps: int) -> int:
    """Frames a pass takes from ``giver``'s hands to ``receiver``'s at ``frame``: about 9 m/s, 0.3 to 1.2 s."""
    frame = min(frame, len(joints) - 1)
    gap = np.linalg.norm(joints[frame, receiver, _HANDS[0]] - joints[frame, giver, _HANDS[0]])
    return round(fps * float(np.clip(gap / 9.0, 0.3, 1.2)))


def _pass_to(track: np.ndarray, joints: np.ndarray, giver: int, receiver: int, release: int, fps: int,
             origin: Optional[np.ndarray] = None) -> int:
    """Fly the ball from ``giver`` (or ``origin``) at ``release`` on a parabola into ``receiver``'s hand.

    Fills ``track[release:arrive + 1]`` and returns the first frame after the arrival.
    """
    last = len(track) - 1
    if origin is None:
        hand = _acting_limb(joints, giver, max(0, release - fps), release + 1, _HANDS)
        origin = _in_hand(joints, giver, hand, np.array([release]))[0]
    arrive = min(release + max(1, _flight_frames(joints, giver, receiver, release, fps)), last)
    hand = _acting_limb(joints, receiver, max(0, arrive - fps), arrive + 1, _HANDS)
    target = _in_hand(joints, receiver, hand, np.array([arrive]))[0]
    u = (np.arange(release, arrive + 1) - release) / max(1, arrive - release)  # 0 -> 1 along the flight
    arc = (0.2 + 0.15 * abs(target[0] - origin[0])) * 4 * u * (1 - u)
    track[release : arrive + 1] = (1 - u)[:, None] * origin + u[:, None] * target
    track[release : arrive + 1, 1] += arc
    return arrive + 1
