"""The Animation object and its ``.motion`` JSON file.

An :class:`Animation` is what generation produces: world poses ``[T, A, 20]`` in the layout of
:mod:`..model.pose`, one action id per frame per actor, and where it came from (prompt, model,
revision, seed). It saves itself as a GIF, an MP4, a PNG filmstrip or a ``.motion`` file.

The ``.motion`` file is JSON a web player can read without stick-gen; its JSON Schema ships next
to this module (:data:`MOTION_SCHEMA_PATH`). Version 1 looks like::

    {"format": "stick-gen.motion", "version": 1,
     "meta": {"prompt", "model", "revision", "seed", "created", "generator": "stick-gen", "actor_prompts",
              "timeline": [{"start_s", "prompt"}, ...] or null},
     "fps": 25, "num_frames": T, "num_actors": A,
     "pose_layout": {"version": 1, "units": "metres", "segments": [{"name", "from", "to", "slots"}, ...], ...},
     "frames": [T][A][20],            # metres, rounded to 4 decimals (0.1 mm)
     "actions": {"vocabulary": [...], "per_actor": [[{"action", "start_frame", "end_frame"}, ...], ...]},
     "start_positions": [A]}

Action segments are half-open: ``start_frame`` is the first frame of the action and ``end_frame``
the first frame after it, so each actor's segments tile ``0 .. num_frames``.

>>> import numpy as np
>>> anim = Animation(np.zeros((50, 1, 20), np.float32), np.zeros((50, 1), np.int64),
...                  ("idle",), fps=25, prompt="a person stands still")
>>> anim.duration_s, anim.action_segments(0)
(2.0, [('idle', 0, 50)])
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ContextManager, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..model import atomic
from ..model.errors import GenerationError
from ..model.pose import HEAD_RADIUS, HIP_X, POSE_DIM, POSE_LAYOUT_VERSION, SEGMENTS, segment_slots

MOTION_FORMAT = "stick-gen.motion"
MOTION_VERSION = 1
MOTION_DECIMALS = 4
"""Coordinates in a ``.motion`` file are rounded to this many decimals of a metre (0.1 mm)."""
MOTION_SCHEMA_PATH = Path(__file__).with_name("motion.schema.json")

MOTION_LIMITS = {"fps": 240, "num_frames": 3000, "num_actors": 16}
"""Largest ``fps``, ``num_frames`` (2 minutes at 25 fps) and ``num_actors`` a ``.motion`` file may hold."""
MAX_MOTION_BYTES = 64 * 1024 * 1024
"""Largest ``.motion`` file read (the largest allowed clip takes about 45 MB)."""
MAX_COORDINATE_M = 10_000.0
"""Every coordinate of a ``.motion`` file lies within +-10 km of the origin."""
MAX_TEXT_CHARS = 100_000
"""Longest prompt (or per-actor prompt) in a ``.motion`` file."""
MAX_NAME_CHARS = 200
"""Longest action name or creation time in a ``.motion`` file."""
MAX_SOURCE_CHARS = 4096
"""Longest model id (a Hub id or a local path) or revision in a ``.motion`` file."""
MAX_TIMELINE_ENTRIES = 64
"""Most entries in a ``.motion`` file's timeline."""
MAX_VOCABULARY = 4096
"""Most action names in a ``.motion`` file's vocabulary."""

PathLike = Union[str, "os.PathLike[str]"]


def _as_array(value: Any) -> np.ndarray:
    """``np.asarray`` that also takes torch tensors (detached, on the CPU) without importing torch."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


@dataclass
class Animation:
    """Generated motion: ``frames`` ``[T, A, 20]`` world poses and ``actions`` ``[T, A]`` ids.

    ``start_positions`` (hip x of each actor at frame 0) is read from the frames when left out.

    >>> import numpy as np
    >>> anim = Animation(np.zeros((25, 2, 20), np.float32), np.zeros((25, 2), np.int64),
    ...                  ("walk",), fps=25, prompt="two people walk")
    >>> anim.num_frames, anim.num_actors, anim.action_names[0]
    (25, 2, ['walk', 'walk'])
    """

    frames: np.ndarray  # (T, A, 20) float32, metres
    actions: np.ndarray  # (T, A) int64, ids into action_vocabulary
    action_vocabulary: Tuple[str, ...]
    fps: int
    prompt: str
    start_positions: Optional[np.ndarray] = None  # (A,) float32
    model_id: Optional[str] = None
    revision: Optional[str] = None
    seed: Optional[int] = None
    actor_prompts: Optional[Tuple[str, ...]] = None
    timeline: Optional[Tuple[Tuple[float, str], ...]] = None  # ((start_s, prompt), ...) of a timeline

    def __post_init__(self) -> None:
        frames = _as_array(self.frames)
        if frames.ndim != 3 or frames.shape[2] != POSE_DIM or frames.shape[0] < 1 or frames.shape[1] < 1:
            raise GenerationError(
                f"Animation.frames must have shape [frames, actors, {POSE_DIM}] with at least one frame and "
                f"one actor; got {tuple(frames.shape)}"
            )
        if not np.issubdtype(frames.dtype, np.number):
            raise GenerationError(f"Animation.frames must be numbers; got dtype {frames.dtype}")
        self.frames = np.ascontiguousarray(frames, dtype=np.float32)
        bad = np.argwhere(~np.isfinite(self.frames))
        if len(bad):
            t, a, k = bad[0]
            raise GenerationError(
                f"Animation.frames holds {len(bad)} non-finite values (first at frame {t}, actor {a}, slot {k}); "
                "the model output diverged: try another seed"
            )
        num_frames, num_actors = self.frames.shape[:2]

        self.action_vocabulary = tuple(self.action_vocabulary)
        if not self.action_vocabulary or not all(isinstance(n, str) and n for n in self.action_vocabulary):
            raise GenerationError(
                "Animation.action_vocabulary must be a non-empty sequence of action names; "
                f"got {self.action_vocabulary!r}"
            )
        actions = _as_array(self.actions)
        if actions.shape != (num_frames, num_actors):
            raise GenerationError(
                f"Animation.actions must have shape [frames, actors] = {(num_frames, num_actors)} to match "
                f"the frames; got {tuple(actions.shape)}"
            )
        if actions.size and not np.issubdtype(actions.dtype, np.integer):
            if not np.all(np.equal(np.mod(actions, 1), 0)):
                raise GenerationError(f"Animation.actions must hold integer action ids; got dtype {actions.dtype}")
        self.actions = np.ascontiguousarray(actions, dtype=np.int64)
        out_of_range = (self.actions < 0) | (self.actions >= len(self.action_vocabulary))
        if out_of_range.any():
            t, a = np.argwhere(out_of_range)[0]
            raise GenerationError(
                f"Animation.actions[{t}, {a}] = {self.actions[t, a]} is not an id of the "
                f"{len(self.action_vocabulary)}-name action_vocabulary (valid: 0..{len(self.action_vocabulary) - 1})"
            )

        if isinstance(self.fps, bool) or not isinstance(self.fps, (int, np.integer)) or self.fps <= 0:
            raise GenerationError(f"Animation.fps must be a positive integer; got {self.fps!r}")
        self.fps = int(self.fps)
        if not isinstance(self.prompt, str):
            raise GenerationError(f"Animation.prompt must be a string; got {type(self.prompt).__name__}")

        if self.start_positions is None:
            self.start_positions = self.frames[0, :, HIP_X].copy()
        start = _as_array(self.start_positions).astype(np.float32)
        if start.shape != (num_actors,) or not np.all(np.isfinite(start)):
            raise GenerationError(
                f"Animation.start_positions must be {num_actors} finite hip x positions (one per actor); "
                f"got shape {tuple(start.shape)}"
            )
        self.start_positions = start

        if self.seed is not None:
            if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
                raise GenerationError(f"Animation.seed must be an integer or None; got {self.seed!r}")
            self.seed = int(self.seed)
        for name in ("model_id", "revision"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise GenerationError(f"Animation.{name} must be a string or None; got {value!r}")
        if self.actor_prompts is not None:
            prompts = tuple(self.actor_prompts)
            if len(prompts) != num_actors or not all(isinstance(p, str) for p in prompts):
                raise GenerationError(
                    f"Animation.actor_prompts must be {num_actors} strings (one per actor); got {self.actor_prompts!r}"
                )
            self.actor_prompts = prompts
        if self.timeline is not None:
            entries = tuple(tuple(entry) for entry in self.timeline)
            if not entries or not all(len(e) == 2 and isinstance(e[1], str) and isinstance(e[0], (int, float))
                                      and not isinstance(e[0], bool) and 0 <= e[0] <= num_frames / self.fps
                                      for e in entries):
                raise GenerationError("Animation.timeline must be (start_s, prompt) pairs starting within the "
                                      f"animation (0..{num_frames / self.fps:g} s); got {self.timeline!r:.80}")
            if [e[0] for e in entries] != sorted({float(e[0]) for e in entries}):
                raise GenerationError("Animation.timeline must list its entries by increasing start time")
            self.timeline = tuple((float(e[0]), e[1]) for e in entries)

    @property
    def num_frames(self) -> int:
        """Number of frames ``T``."""
        return int(self.frames.shape[0])

    @property
    def num_actors(self) -> int:
        """Number of actors ``A``."""
        return int(self.frames.shape[1])

    @property
    def duration_s(self) -> float:
        """Length in seconds: ``num_frames / fps``."""
        return self.num_frames / self.fps

    @property
    def action_names(self) -> List[List[str]]:
        """Action name per frame per actor, ``[T][A]``."""
        vocab = self.action_vocabulary
        return [[vocab[i] for i in row] for row in self.actions.tolist()]

    def action_segments(self, actor: int) -> List[Tuple[str, int, int]]:
        """Runs of one action for ``actor`` as ``(name, start_frame, end_frame)``, ``end_frame`` exclusive.

        >>> import numpy as np
        >>> anim = Animation(np.zeros((4, 1, 20)), np.array([[0], [0], [1], [1]]), ("walk", "run"), 25, "")
        >>> anim.action_segments(0)
        [('walk', 0, 2), ('run', 2, 4)]
        """
        if not -self.num_actors <= actor < self.num_actors:
            raise GenerationError(f"actor {actor} does not exist: this animation has {self.num_actors} actor(s)")
        from ..model.clock import runs

        return [(self.action_vocabulary[label], s, e) for s, e, label in runs(self.actions[:, actor])]

    def save(
        self,
        path: PathLike,
        format: Optional[str] = None,
        size: Union[int, Tuple[int, int]] = 384,
        fps: Optional[int] = None,
        caption: bool = True,
    ) -> Path:
        """Write this animation as gif, mp4, png (filmstrip) or motion, chosen by ``format`` or the extension.

        >>> anim.save("walk.gif")
        PosixPath('walk.gif')
        """
        from .render import save_animation

        return save_animation(self, path, format=format, size=size, fps=fps, caption=caption)


def atomic_output(path: PathLike) -> ContextManager[Path]:
    """Where a writer puts ``path``: :func:`..model.atomic.atomic_output`, raising :class:`GenerationError`.

    A failure leaves neither a half-written ``path`` nor the temporary file; an unwritable folder raises
    :class:`GenerationError`. The first write into a folder removes what writers killed there left behind.

    >>> from PIL import Image
    >>> with atomic_output("out/clip.gif") as tmp:
    ...     Image.new("RGB", (8, 8)).save(tmp, format="GIF")
    >>> sorted(p.name for p in Path("out").iterdir())
    ['clip.gif']
    """
    return atomic.atomic_output(path, error=GenerationError, sweep=True)


def pose_layout_description() -> Dict[str, Any]:
    """The ``pose_layout`` block of a ``.motion`` file, read from :mod:`..model.pose`."""
    segments = []
    for name, start, end in SEGMENTS:
        slots = segment_slots(name)
        segments.append({"name": name, "from": start, "to": end, "slots": list(range(slots.start, slots.stop))})
    return {
        "version": POSE_LAYOUT_VERSION,
        "units": "metres",
        "axes": "x to the right, y up, ground at y = 0",
        "values_per_actor": POSE_DIM,
        "segment_values": ["x1", "y1", "x2", "y2"],
        "segments": segments,
        "head": {"joint": "neck", "radius_fraction_of_height": HEAD_RADIUS, "centre": "radius above the neck"},
    }


def motion_document(anim: Animation) -> Dict[str, Any]:
    """The ``.motion`` JSON document of ``anim`` as plain Python data (see the module docstring)."""
    frames = np.round(anim.frames.astype(np.float64), MOTION_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return {
        "format": MOTION_FORMAT,
        "version": MOTION_VERSION,
        "meta": {
            "prompt": anim.prompt,
            "model": anim.model_id,
            "revision": anim.revision,
            "seed": anim.seed,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "generator": "stick-gen",
            "actor_prompts": list(anim.actor_prompts) if anim.actor_prompts is not None else None,
            "timeline": ([{"start_s": start, "prompt": prompt} for start, prompt in anim.timeline]
                         if anim.timeline is not None else None),
        },
        "fps": anim.fps,
        "num_frames": anim.num_frames,
        "num_actors": anim.num_actors,
        "pose_layout": pose_layout_description(),
        "frames": frames.tolist(),
        "actions": {
            "vocabulary": list(anim.action_vocabulary),
            "per_actor": [
                [{"action": n, "start_frame": s, "end_frame": e} for n, s, e in anim.action_segments(a)]
                for a in range(anim.num_actors)
            ],
        },
        "start_positions": (np.round(anim.start_positions.astype(np.float64), MOTION_DECIMALS) + 0.0).tolist(),
    }


def _dump_motion(document: Dict[str, Any]) -> str:
    """JSON text with one top-level key per line and one frame per line, so the file reads and diffs well."""
    lines = []
    for key, value in document.items():
        if key == "frames":
            rows = ",\n".join("    " + json.dumps(frame, separators=(",", ":")) for frame in value)
            text = "[\n" + rows + "\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def save_motion(anim: Animation, path: PathLike) -> Path:
    """Write ``anim`` as a ``.motion`` JSON file (schema: :data:`MOTION_SCHEMA_PATH`).

    >>> save_motion(anim, "walk.motion")
    PosixPath('walk.motion')
    """
    target = Path(path)
    text = _dump_motion(motion_document(anim))
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def _require(condition: bool, path: Path, problem: str) -> None:
    if not condition:
        raise GenerationError(f"{path} is not a valid stick-gen .motion file: {problem}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _actions_from_segments(
    per_actor: Any, vocabulary: Sequence[str], num_frames: int, num_actors: int, path: Path
) -> np.ndarray:
    """Per-frame action ids ``[T, A]`` rebuilt from the segment lists, checking that they tile the clip."""
    _require(isinstance(per_actor, list) and len(per_actor) == num_actors, path,
             f'"actions.per_actor" must hold one list of segments per actor ({num_actors})')
    ids = {name: i for i, name in enumerate(vocabulary)}
    actions = np.zeros((num_frames, num_actors), dtype=np.int64)
    for actor, segments in enumerate(per_actor):
        _require(isinstance(segments, list) and len(segments) > 0, path, f"actor {actor} has no action segments")
        frame = 0
        for seg in segments:
            _require(isinstance(seg, dict) and {"action", "start_frame", "end_frame"} <= seg.keys(), path,
                     f'actor {actor}: each segment needs "action", "start_frame" and "end_frame"')
            name, start, end = seg["action"], seg["start_frame"], seg["end_frame"]
            _require(isinstance(name, str) and name in ids, path,
                     f"actor {actor}: action {_short(name)} is not in actions.vocabulary")
            _require(_is_int(start) and _is_int(end) and start == frame and start < end <= num_frames, path,
                     f"actor {actor}: segments must be contiguous, non-empty and end by frame {num_frames} "
                     f"(expected start_frame {frame}, got {_short(start)}..{_short(end)})")
            actions[start:end, actor] = ids[name]
            frame = end
        _require(frame == num_frames, path,
                 f"actor {actor}: segments end at frame {frame}, not at num_frames {num_frames}")
    return actions


def _short(value: Any, limit: int = 40) -> str:
    """``repr`` of a value from a file, cut to ``limit`` characters (a file may hold a 1 MB string)."""
    text = repr(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(value: Any, path: Path, key: str, limit: int, optional: bool = True) -> Optional[str]:
    """A string field of a ``.motion`` file (or None when ``optional``), checked for type and length."""
    if value is None and optional:
        return None
    _require(isinstance(value, str), path, f"{key} must be text{' or null' if optional else ''}, got {_short(value)}")
    _require(len(value) <= limit, path, f"{key} is {len(value):,} characters long (at most {limit:,})")
    return value


def _read_motion_document(source: Path) -> Any:
    """The parsed JSON of a ``.motion`` file, with one :class:`GenerationError` per way reading can fail."""
    try:
        size = source.stat().st_size
        if size > MAX_MOTION_BYTES:
            raise GenerationError(f"{source} is {size:,} bytes, more than a .motion file may be "
                                  f"({MAX_MOTION_BYTES:,}); it is not a stick-gen .motion file")
        data = source.read_bytes()
    except OSError as err:
        raise GenerationError(f"cannot read {source}: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise GenerationError(f"{source} is not UTF-8 text (byte {err.start}); it is not a .motion file "
                              f"or it is damaged") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise GenerationError(f"{source} is not a valid stick-gen .motion file: JSON nested too deeply") from None
    except ValueError as err:  # JSONDecodeError, and numbers longer than Python reads
        raise GenerationError(f"{source} is not valid JSON ({_short(str(err), 160)}); it is not a .motion file "
                              f"or it is damaged") from None


def load_motion(path: PathLike) -> Animation:
    """Read a ``.motion`` file back into an :class:`Animation` (frames equal up to the 4-decimal rounding).

    Every field is checked, against :data:`MOTION_LIMITS` and the other bounds above too, before
    anything is allocated from it; a bad file gives one :class:`GenerationError` that names it.

    >>> path = save_motion(anim, "walk.motion")
    >>> load_motion(path).num_frames
    250
    """
    source = Path(path)
    doc = _read_motion_document(source)
    found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
    _require(found == MOTION_FORMAT, source, f'"format" must be {MOTION_FORMAT!r}, got {_short(found)}')
    version = doc.get("version")
    if version != MOTION_VERSION or isinstance(version, bool):
        raise GenerationError(
            f"{source} is a .motion file of version {_short(version)}; this stick-gen reads version "
            f"{MOTION_VERSION}: upgrade stick-gen or re-export the file"
        )
    for key in ("meta", "fps", "num_frames", "num_actors", "pose_layout", "frames", "actions"):
        _require(key in doc, source, f"missing key {key!r}")
    layout = doc["pose_layout"]
    layout_version = layout.get("version") if isinstance(layout, dict) else layout
    _require(isinstance(layout, dict) and layout_version == POSE_LAYOUT_VERSION, source,
             f"pose_layout.version must be {POSE_LAYOUT_VERSION} (this stick-gen's pose layout); "
             f"got {_short(layout_version)}")
    fps, num_frames, num_actors = doc["fps"], doc["num_frames"], doc["num_actors"]
    for key, value in (("fps", fps), ("num_frames", num_frames), ("num_actors", num_actors)):
        _require(_is_int(value) and 1 <= value <= MOTION_LIMITS[key], source,
                 f"{key!r} must be a whole number from 1 to {MOTION_LIMITS[key]}, got {_short(value)}")
    _require(isinstance(doc["frames"], list) and len(doc["frames"]) == num_frames, source,
             f'"frames" must have the shape [num_frames, num_actors, {POSE_DIM}]: num_frames is {num_frames}, '
             f'"frames" holds {len(doc["frames"]) if isinstance(doc["frames"], list) else _short(doc["frames"])}')
    try:
        frames = np.asarray(doc["frames"], dtype=np.float64)
    except (TypeError, ValueError, RecursionError) as err:
        raise GenerationError(
            f'{source} is not a valid stick-gen .motion file: "frames" must be numbers [T][A][{POSE_DIM}] '
            f"({_short(str(err), 120)})"
        ) from None
    _require(frames.shape == (num_frames, num_actors, POSE_DIM), source,
             f'"frames" has shape {tuple(frames.shape)[:4]}, expected [num_frames, num_actors, {POSE_DIM}] = '
             f"{(num_frames, num_actors, POSE_DIM)}")
    _require(bool(np.all(np.abs(frames) <= MAX_COORDINATE_M)), source,
             f'"frames" holds values that are not numbers within +-{MAX_COORDINATE_M:g} m (NaN, Infinity or huge)')
    actions_block = doc["actions"]
    _require(isinstance(actions_block, dict), source, '"actions" must be an object')
    vocabulary = actions_block.get("vocabulary")
    _require(isinstance(vocabulary, list) and 0 < len(vocabulary) <= MAX_VOCABULARY, source,
             f'"actions.vocabulary" must be a list of 1 to {MAX_VOCABULARY} names')
    for name in vocabulary:
        _require(isinstance(name, str) and 0 < len(name) <= MAX_NAME_CHARS, source,
                 f'"actions.vocabulary" holds {_short(name)}: names are text of 1 to {MAX_NAME_CHARS} characters')
    actions = _actions_from_segments(actions_block.get("per_actor"), vocabulary, num_frames, num_actors, source)
    meta = doc["meta"]
    _require(isinstance(meta, dict), source, f'"meta" must be an object, got {_short(meta)}')
    prompt = _text(meta.get("prompt"), source, "meta.prompt", MAX_TEXT_CHARS) or ""
    model_id = _text(meta.get("model"), source, "meta.model", MAX_SOURCE_CHARS)
    revision = _text(meta.get("revision"), source, "meta.revision", MAX_SOURCE_CHARS)
    _text(meta.get("created"), source, "meta.created", MAX_NAME_CHARS)
    seed = meta.get("seed")
    _require(seed is None or _is_int(seed), source, f"meta.seed must be a whole number or null, got {_short(seed)}")
    actor_prompts = meta.get("actor_prompts")
    if actor_prompts is not None:
        _require(isinstance(actor_prompts, list) and len(actor_prompts) == num_actors, source,
                 f"meta.actor_prompts must be null or a list of one text per actor ({num_actors})")
        actor_prompts = tuple(_text(p, source, "meta.actor_prompts[]", MAX_TEXT_CHARS, optional=False)
                              for p in actor_prompts)
    timeline = meta.get("timeline")
    if timeline is not None:
        _require(isinstance(timeline, list) and 0 < len(timeline) <= MAX_TIMELINE_ENTRIES
                 and all(isinstance(e, dict) and set(e) == {"start_s", "prompt"} for e in timeline), source,
                 f'meta.timeline must be null or a list of 1 to {MAX_TIMELINE_ENTRIES} {{"start_s", "prompt"}} objects')
        for entry in timeline:
            value = entry["start_s"]
            _require(isinstance(value, (int, float)) and not isinstance(value, bool)
                     and 0 <= value <= num_frames / fps, source,
                     f"meta.timeline start_s {_short(value)} is not a second of the animation (0..{num_frames / fps:g})")
        timeline = tuple((float(e["start_s"]), _text(e["prompt"], source, "meta.timeline[].prompt", MAX_TEXT_CHARS,
                                                     optional=False)) for e in timeline)
    start = doc.get("start_positions")
    if start is not None:
        _require(isinstance(start, list) and len(start) == num_actors
                 and all(isinstance(x, (int, float)) and not isinstance(x, bool) and abs(x) <= MAX_COORDINATE_M
                         for x in start), source,
                 f'"start_positions" must be null or {num_actors} numbers within +-{MAX_COORDINATE_M:g} m')
    try:
        return Animation(
            frames=frames.astype(np.float32),
            actions=actions,
            action_vocabulary=tuple(vocabulary),
            fps=fps,
            prompt=prompt,
            start_positions=np.asarray(start, dtype=np.float32) if start is not None else None,
            model_id=model_id,
            revision=revision,
            seed=seed,
            actor_prompts=actor_prompts,
            timeline=timeline,
        )
    except (GenerationError, TypeError, ValueError) as err:
        raise GenerationError(f"{source} is not a valid stick-gen .motion file: {err}") from None
