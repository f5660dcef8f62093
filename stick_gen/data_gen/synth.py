"""Plan + latents -> motion: the generic synthesiser every scene goes through.

``synthesize_actor(plan, slot, z)`` is a pure function of what the text says (the :class:`ScenePlan`)
and the actor's latent row z (which carries the scene-shared slots too); only the optional
per-frame noise uses a separate random generator. This is exactly the mapping the model learns.

For every segment the actor's motion function (:data:`.motions.MOTIONS`) makes body-frame channels
over the segment plus blend margins; consecutive segments are cross-faded over 0.4 s (longer when
the body changes level, e.g. standing -> lying), angles the short way round. The hip's x integrates
the blended per-frame steps from :func:`.latents.start_positions`.

Facing: an actor faces where the text sends it ("walks to the left" faces left, "jogs backwards to
the left" faces right); partners face each other; when nothing says, z's facing slot decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..model.pose import JOINTS, SEGMENTS, pose_to_joints
from .actions import ACTION_INDEX, spec
from .body import Body, make_body
from .latents import LATENT_DIM, SLOTS, actor_spacing, segment_bounds, start_positions
from .motions import MOTIONS
from .motions.base import (
    ANGLE_CHANNELS, DX, L_EL, L_SH, LEAN, R_EL, R_SH, TAU, YAW, EventInfo, MotionInput, joints_from_channels, smoothstep,
)
from .plans import ScenePlan

NOISE_CHANNELS = (LEAN, L_SH, L_EL, R_SH, R_EL)
_SEGMENT_JOINTS = np.array([[JOINTS.index(a), JOINTS.index(b)] for _, a, b in SEGMENTS]).ravel()


def joints_to_poses(joints: np.ndarray) -> np.ndarray:
    """``model.pose.joints_to_pose`` in plain numpy (no tensor round trip): ``(T, 6, 2) -> (T, 20)``."""
    return joints[:, _SEGMENT_JOINTS].reshape(len(joints), -1).astype(np.float32)
NOISE_RAD = 0.012
MEETING_GAP = {"handshake": 0.9, "high_five": 0.8, "hug": 0.45, "fight": 1.05}
"""Hip-to-hip distance partners close to before their interaction, metres."""


@dataclass
class ActorMotion:
    """One actor's clip. T = frames."""

    poses: np.ndarray  # (T, 20) float32, world coordinates, canonical
    actions: np.ndarray  # (T,) int64 class ids
    plan: List[Tuple[str, int, int]]  # (action, start frame, end frame exclusive)
    body: Body
    start_x: float


@dataclass
class InteractionSchedule:
    """Scene-level timing of an interaction, shared by both partners (frames are scene frames)."""

    kind: str
    events: Dict[int, Dict] = field(default_factory=dict)  # segment index -> event record


def _z(latents: np.ndarray, name: str) -> float:
    return float(latents[SLOTS[name]])


def flight_time(spacing: float) -> float:
    """Seconds a thrown ball flies between partners ``spacing`` metres apart (a lob, longer when farther)."""
    return 0.35 + 0.15 * spacing


def interaction_schedule(plan: ScenePlan, latents: np.ndarray, frames: int, fps: int) -> Optional[InteractionSchedule]:
    """When the interaction's moments happen, from the scene slots only (so both partners agree).

    Catch: release frame and catch frame (``catch - release = round(flight_time(spacing) * fps)``).
    Greetings: contact frame after the partners walked up to each other. Fight: punch frames.
    """
    if plan.interaction is None:
        return None
    z = np.asarray(latents, dtype=np.float64).reshape(-1)
    bounds = segment_bounds(len(plan.actors[0].segments), z, frames)
    spacing = actor_spacing(z)
    u_time, u_style = _z(z, "event_time"), _z(z, "event_style")
    schedule = InteractionSchedule(plan.interaction)
    gap = spacing
    for round_, i in enumerate(plan.interaction_segments):
        start, dur = int(bounds[i]), (bounds[i + 1] - bounds[i]) / fps
        record: Dict = {"segment": i, "round": round_}
        if plan.interaction == "catch":
            flight = int(round(flight_time(spacing) * fps))
            release = int(round(fps * (0.9 + u_time * max(0.0, dur - 0.9 - flight / fps - 0.7))))
            thrower = round_ % 2
            record.update(thrower=thrower, catcher=1 - thrower, release_frame=start + release,
                          catch_frame=start + release + flight, height=1.0 + 0.45 * u_style,
                          times=(release / fps, (release + flight) / fps), approach=0.0, reach=0.5)
        else:
            meet = MEETING_GAP[plan.interaction]
            approach = max(0.0, (gap - meet) / 2.0)
            ready = 0.55 + 1.1 * approach + 0.45 if approach > 0.02 else 0.5
            if plan.interaction == "fight":
                period = 0.6 + 0.35 * u_style
                first = ready + 0.3 + 0.5 * u_time
                times = tuple(np.round(fps * np.arange(first, dur - 0.5, period)) / fps) or (round(first * fps) / fps,)
                record.update(punch_frames=[start + int(round(t * fps)) for t in times], height=1.4)
            else:
                latest = max(ready, dur - 1.6)
                contact = min(latest, ready + 0.3 + u_time * max(0.0, dur - ready - 2.2))
                times = (round(contact * fps) / fps,)
                height = {"handshake": 0.95 + 0.1 * u_style, "high_five": 1.75 + 0.2 * u_style,
                          "hug": 1.2}[plan.interaction]
                if plan.interaction == "hug":
                    hold = min(1.4 + 0.8 * u_style, max(0.6, dur - contact - 0.8))
                    times = times + (round((contact + hold) * fps) / fps,)
                record.update(contact_frame=start + int(round(times[0] * fps)), height=height)
            reach = meet / 2.0 + (0.1 if plan.interaction == "fight" else 0.0)  # punches stop at the face
            record.update(times=times, approach=approach, reach=reach)
            gap = meet
        schedule.events[i] = record
    return schedule


def _event_for(schedule: Optional[InteractionSchedule], segment: int, slot: int) -> Optional[EventInfo]:
    if schedule is None or segment not in schedule.events:
        return None
    e = schedule.events[segment]
    if schedule.kind == "catch":
        role = "thrower" if slot == e["thrower"] else "catcher"
    elif schedule.kind == "fight":
        role = "puncher" if slot == e["round"] % 2 else "dodger"
    else:
        role = "partner"
    return EventInfo(schedule.kind, role, tuple(e["times"]), e["approach"], e["height"], e["reach"])


def segment_facings(plan: ScenePlan, slot: int, latents: np.ndarray) -> List[Tuple[int, int, int]]:
    """Per segment: (yaw in half turns, facing +1/-1, world direction of travel +1/-1)."""
    z = np.asarray(latents, dtype=np.float64).reshape(-1)
    segments = plan.actors[slot].segments
    turn = 1 if _z(z, "style") < 0.5 else -1
    sign = {"left": -1, "right": 1, None: None}
    last_inter = max(plan.interaction_segments) if plan.interaction else -1
    if plan.interaction:
        facing = 1 if slot == 0 else -1
    else:
        facing = 1 if _z(z, "facing") < 0.5 else -1
        turns = 0
        for seg in segments:
            s, d = spec(seg.action), sign[seg.direction]
            if d is not None and s.motion in ("forward", "backward"):
                wanted = d if s.motion == "forward" else -d
                facing = wanted * (-1) ** turns
                break
            if seg.action == "turn_around":
                turns += 1
    half_turns = 0 if facing == 1 else 1
    out = []
    for i, seg in enumerate(segments):
        s, d = spec(seg.action), sign[seg.direction]
        if i <= last_inter:
            wanted = 1 if slot == 0 else -1
        elif d is not None and s.motion == "forward":
            wanted = d
        elif d is not None and s.motion == "backward":
            wanted = -d
        else:
            wanted = facing
        if wanted != facing:
            half_turns += turn
            facing = wanted
        if s.motion == "backward":
            move = -facing
        elif s.motion == "lateral":
            move = d if d is not None else facing * turn
        else:
            move = facing
        out.append((half_turns, facing, move))
        if seg.action == "turn_around":
            half_turns += turn
            facing = -facing
    return out


def _blend_margins(actions: Sequence[str], bounds: np.ndarray, fps: int) -> List[int]:
    """Half-width in frames of the cross-fade at each boundary (index 0 and k unused, 0)."""
    margins = [0]
    for i in range(1, len(actions)):
        levels = abs(spec(actions[i - 1]).level[1] - spec(actions[i]).level[0])
        want = int(round(fps * (0.2 + 0.15 * levels)))
        room = int(0.4 * min(bounds[i] - bounds[i - 1], bounds[i + 1] - bounds[i]))
        margins.append(max(0, min(want, room)))
    margins.append(0)
    return margins


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def synthesize_actor_channels(plan: ScenePlan, slot: int, latents: np.ndarray, frames: int = 250, fps: int = 25,
                              schedule: Optional[InteractionSchedule] = None):
    """Blended channels, hip x, labels and body of one actor (see :func:`synthesize_actor`)."""
    z = np.asarray(latents, dtype=np.float64).reshape(-1)
    if z.shape != (LATENT_DIM,):
        raise ValueError(f"latents of one actor must have {LATENT_DIM} values, got shape {np.shape(latents)}")
    actor = plan.actors[slot]
    body = make_body(actor.noun, actor.height_word, _z(z, "height"), _z(z, "build"))
    names = [s.action for s in actor.segments]
    bounds = segment_bounds(len(names), z, frames)
    margins = _blend_margins(names, bounds, fps)
    facings = segment_facings(plan, slot, z)
    if schedule is None:
        schedule = interaction_schedule(plan, z, frames, fps)
    side = 1 if _z(z, "side") < 0.5 else -1
    track: Optional[np.ndarray] = None
    for i, seg in enumerate(actor.segments):
        lo, hi = int(bounds[i] - margins[i]), int(bounds[i + 1] + margins[i + 1])
        half_turns, facing, move = facings[i]
        request = MotionInput(
            t=(np.arange(lo, hi) - bounds[i]) / fps, duration=(bounds[i + 1] - bounds[i]) / fps, fps=fps, body=body,
            pace=seg.pace, tempo=_z(z, "tempo"), amp=_z(z, "amplitude"), phase=_z(z, "phase"), style=_z(z, "style"),
            onset=_z(z, "onset"), side=side, facing=facing, move_dir=move, event=_event_for(schedule, i, slot),
        )
        channels = MOTIONS[seg.action](request)
        world_x = facing * channels[:, DX]
        channels[:, DX] = np.concatenate([[0.0], np.diff(world_x)])  # per-frame world step
        channels[:, YAW] += half_turns * np.pi
        if track is None:
            track = np.empty((frames, channels.shape[1]))
            track[lo:hi] = channels
            continue
        blend_start, blend_end = int(bounds[i] - margins[i]), int(bounds[i] + margins[i])
        if blend_end > blend_start:
            span = blend_end - blend_start
            weight = smoothstep((np.arange(span) + 0.5) / span)[:, None]
            diff = channels[:span] - track[blend_start:blend_end]
            diff[:, ANGLE_CHANNELS] = _wrap(diff[:, ANGLE_CHANNELS])
            track[blend_start:blend_end] = track[blend_start:blend_end] + weight * diff
        track[blend_end:hi] = channels[blend_end - blend_start:]
    labels = np.repeat(np.array([ACTION_INDEX[n] for n in names], dtype=np.int64), np.diff(bounds))
    timeline = [(n, int(bounds[i]), int(bounds[i + 1])) for i, n in enumerate(names)]
    start_x = float(start_positions(z[None].repeat(plan.num_actors, 0), plan.num_actors)[slot])
    steps = track[:, DX].copy()
    steps[0] = 0.0
    hip_x = start_x + np.cumsum(steps)
    return track, hip_x, labels, timeline, body, start_x


def _alive(track: np.ndarray, latents: np.ndarray, fps: int) -> None:
    """Slow breathing and arm drift over the whole clip, so that no held pose is ever frozen.

    Deterministic in z (the phase slot), unlike :func:`_add_noise`.
    """
    t = np.arange(len(track)) / fps
    u = TAU * _z(latents, "phase")
    track[:, LEAN] += 0.015 * np.sin(TAU * 0.27 * t + u)
    track[:, L_SH] += 0.03 * np.sin(TAU * 0.21 * t + 2.0 * u)
    track[:, R_SH] += 0.03 * np.sin(TAU * 0.33 * t + 3.0 * u + 1.0)
    track[:, L_EL] += 0.03 * np.sin(TAU * 0.29 * t + u + 2.0)
    track[:, R_EL] += 0.03 * np.sin(TAU * 0.23 * t + 2.0 * u + 0.5)


def _add_noise(track: np.ndarray, rng: np.random.Generator, fps: int) -> None:
    """Small smooth wobble on the lean and arm angles (not in z: the model may average it away)."""
    frames = len(track)
    knots = rng.normal(0.0, NOISE_RAD, size=(frames // 5 + 2, len(NOISE_CHANNELS)))
    at = np.arange(frames) / 5.0
    knot = np.minimum(at.astype(int), len(knots) - 2)
    between = (at - knot)[:, None]
    track[:, NOISE_CHANNELS] += knots[knot] * (1 - between) + knots[knot + 1] * between


def synthesize_actor(plan: ScenePlan, slot: int, latents: np.ndarray, frames: int = 250, fps: int = 25,
                     noise_rng: Optional[np.random.Generator] = None,
                     schedule: Optional[InteractionSchedule] = None) -> ActorMotion:
    """The motion of actor ``slot`` of ``plan`` for its latent row ``latents`` ``[LATENT_DIM]``.

    >>> from .plans import plan_from_actions
    >>> clip = synthesize_actor(plan_from_actions(["walk"]), 0, np.full(LATENT_DIM, 0.5, np.float32))
    >>> clip.poses.shape, int(clip.actions[0]) == ACTION_INDEX["walk"]
    ((250, 20), True)
    """
    track, hip_x, labels, timeline, body, start_x = synthesize_actor_channels(plan, slot, latents, frames, fps, schedule)
    _alive(track, np.asarray(latents, dtype=np.float64).reshape(-1), fps)
    if noise_rng is not None:
        _add_noise(track, noise_rng, fps)
    joints = joints_from_channels(track, hip_x, track[:, YAW], body)
    joints[..., 1] = np.maximum(joints[..., 1], 0.0)
    poses = joints_to_poses(joints)
    return ActorMotion(poses, labels, timeline, body, start_x)


def ball_events(schedule: Optional[InteractionSchedule], motions: Sequence[ActorMotion], latents: np.ndarray,
                fps: int) -> List[Dict]:
    """JSON-ready interaction events: frames, and for a catch where the ball leaves and arrives."""
    if schedule is None:
        return []
    out = []
    hands = [JOINTS.index("left_hand"), JOINTS.index("right_hand")]
    for i, e in sorted(schedule.events.items()):
        record = {"type": schedule.kind, "segment": i}
        if schedule.kind == "catch":
            thrower, catcher = e["thrower"], e["catcher"]
            side = 0 if float(latents[thrower, SLOTS["side"]]) < 0.5 else 1
            last = len(motions[thrower].poses) - 1  # a very short clip may end before the catch
            tj = pose_to_joints(motions[thrower].poses[min(e["release_frame"], last)])
            cj = pose_to_joints(motions[catcher].poses[min(e["catch_frame"], last)])
            release = tj[hands[side]]
            arrive = cj[hands].mean(axis=0)
            record.update(thrower=thrower, catcher=catcher, release_frame=e["release_frame"],
                          catch_frame=e["catch_frame"], flight_s=(e["catch_frame"] - e["release_frame"]) / fps,
                          release_xy=[round(float(v), 4) for v in release],
                          catch_xy=[round(float(v), 4) for v in arrive])
        elif schedule.kind == "fight":
            record.update(puncher=e["round"] % 2, dodger=1 - e["round"] % 2, punch_frames=e["punch_frames"])
        else:
            record.update(contact_frame=e["contact_frame"])
        out.append(record)
    return out
