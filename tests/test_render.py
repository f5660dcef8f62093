"""Animation, the .motion file and rendering: real files written, then opened with Pillow, imageio and jsonschema."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from stick_gen.inference.animation import MOTION_SCHEMA_PATH, Animation, atomic_output, load_motion, save_motion
from stick_gen.inference.render import (
    BALL,
    FORMATS,
    INK_COLOURS,
    FrameDrawer,
    actor_colour,
    ball_tracks,
    draw_frame,
    gif_delays_ms,
    render_contact_sheet,
    render_gif,
    render_mp4,
    render_png,
    save_animation,
)
from stick_gen.model.errors import GenerationError
from stick_gen.model.pose import HEAD_RADIUS, JOINT_SLOTS, joints_to_pose

VOCAB = ("idle", "walk", "throw", "catch", "kick")


def standing(x: float, hands=((-0.25, 1.0), (0.25, 1.0))) -> np.ndarray:
    """Joints ``[6, 2]`` (neck, hip, feet, hands) of a 1.76 m person standing at ``x``; hands relative to x."""
    (lx, ly), (rx, ry) = hands
    return np.array([[x, 1.5], [x, 0.95], [x - 0.15, 0.0], [x + 0.15, 0.0], [x + lx, ly], [x + rx, ry]], np.float32)


def walker(num_frames: int, speed: float = 1.4, fps: int = 25, start: float = 0.0) -> np.ndarray:
    """Frames ``[T, 1, 20]`` of someone walking right at ``speed`` m/s, legs and arms swinging."""
    t = np.arange(num_frames) / fps
    joints = np.stack([standing(start + speed * s) for s in t])
    swing = 0.3 * np.sin(2 * np.pi * 0.9 * t)
    joints[:, 2, 0] += swing
    joints[:, 3, 0] -= swing
    joints[:, 4, 0] -= swing
    joints[:, 5, 0] += swing
    return joints_to_pose(joints)[:, None, :]


def make_anim(frames: np.ndarray, actions=None, fps: int = 25, prompt: str = "a person walks") -> Animation:
    """An Animation over :data:`VOCAB`, everyone walking unless ``actions`` says otherwise."""
    actions = np.ones(frames.shape[:2], np.int64) if actions is None else actions
    return Animation(frames, actions, VOCAB, fps, prompt, model_id="stick-gen/tiny", revision="abc123", seed=7)


def pass_scene(num_frames: int = 60) -> Animation:
    """Actor 0 at x=0 throws (frames 5..25, right hand swings forward fastest at frame 15); actor 1 at x=4 catches."""
    thrower, catcher = [], []
    for t in range(num_frames):
        u = np.clip((t - 10) / 10, 0, 1)  # the throwing hand goes from behind the head to out in front
        hand = (-0.35 + 0.9 * (3 * u**2 - 2 * u**3), 1.7 - 0.2 * u)
        thrower.append(standing(0.0, hands=((-0.25, 1.0), hand)))
        catcher.append(standing(4.0, hands=((-0.35, 1.3), (-0.3, 1.35))))
    frames = np.stack([joints_to_pose(np.stack(thrower)), joints_to_pose(np.stack(catcher))], axis=1)
    actions = np.zeros((num_frames, 2), np.int64)
    actions[5:25, 0] = VOCAB.index("throw")
    actions[12:50, 1] = VOCAB.index("catch")
    return make_anim(frames, actions, prompt="one person throws a ball to another")


def rgb_mask(image: Image.Image, colour, tolerance: int = 40) -> np.ndarray:
    """Pixels within ``tolerance`` of ``colour`` (per channel)."""
    pixels = np.asarray(image.convert("RGB")).astype(int)
    return np.all(np.abs(pixels - np.array(colour)) <= tolerance, axis=-1)


# --- Animation ---------------------------------------------------------------------------------


def test_animation_properties_and_segments():
    actions = np.array([[1], [1], [2], [2], [2], [0]])
    anim = make_anim(walker(6), actions)
    assert (anim.num_frames, anim.num_actors, anim.fps) == (6, 1, 25)
    assert anim.duration_s == pytest.approx(0.24)
    assert anim.action_names[2] == ["throw"]
    assert anim.action_segments(0) == [("walk", 0, 2), ("throw", 2, 5), ("idle", 5, 6)]
    assert anim.frames.dtype == np.float32 and anim.actions.dtype == np.int64
    assert anim.start_positions.tolist() == pytest.approx([0.0])  # read from the hip when not given


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(frames=np.zeros((10, 1, 19))), "shape"),
        (dict(frames=np.full((10, 1, 20), np.nan)), "non-finite"),
        (dict(actions=np.zeros((9, 1), np.int64)), "actions must have shape"),
        (dict(actions=np.full((10, 1), 5, np.int64)), "not an id"),
        (dict(fps=0), "fps"),
        (dict(fps=2.5), "fps"),
        (dict(action_vocabulary=()), "action_vocabulary"),
        (dict(start_positions=np.zeros(3)), "start_positions"),
        (dict(actor_prompts=("a", "b")), "actor_prompts"),
    ],
)
def test_animation_rejects_bad_input(change, message):
    fields = dict(frames=walker(10), actions=np.zeros((10, 1), np.int64), action_vocabulary=VOCAB, fps=25, prompt="x")
    fields.update(change)
    with pytest.raises(GenerationError, match=message):
        Animation(**fields)


# --- .motion -----------------------------------------------------------------------------------


def test_motion_file_validates_against_schema_and_round_trips(tmp_path):
    import jsonschema

    anim = pass_scene(40)
    path = save_motion(anim, tmp_path / "pass.motion")
    doc = json.loads(path.read_text())
    jsonschema.validate(doc, json.loads(MOTION_SCHEMA_PATH.read_text()))
    assert doc["format"] == "stick-gen.motion" and doc["version"] == 1
    assert (doc["num_frames"], doc["num_actors"], doc["fps"]) == (40, 2, 25)
    assert doc["meta"]["model"] == "stick-gen/tiny" and doc["meta"]["seed"] == 7
    assert doc["actions"]["per_actor"][1][1] == {"action": "catch", "start_frame": 12, "end_frame": 40}
    assert [s["name"] for s in doc["pose_layout"]["segments"]][0] == "torso"

    back = load_motion(path)
    assert np.abs(back.frames - anim.frames).max() <= 0.5e-4 + 1e-6  # rounded to 4 decimals
    assert np.array_equal(back.actions, anim.actions)
    assert back.action_vocabulary == VOCAB
    assert (back.fps, back.prompt, back.seed) == (25, anim.prompt, 7)
    assert (back.model_id, back.revision) == ("stick-gen/tiny", "abc123")
    assert back.start_positions == pytest.approx(anim.start_positions, abs=1e-4)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda text: text[:-20], "not valid JSON"),
        (lambda text: text.replace('"stick-gen.motion"', '"other"'), "format"),
        (lambda text: text.replace('"version": 1', '"version": 2', 1), "version 2"),
        (lambda text: text.replace('"num_frames": 8', '"num_frames": 9'), "shape"),
        (lambda text: text.replace('"end_frame": 8', '"end_frame": 7'), "end at frame 7"),
    ],
)
def test_load_motion_names_the_file_and_the_problem(tmp_path, edit, message):
    path = save_motion(make_anim(walker(8)), tmp_path / "walk.motion")
    path.write_text(edit(path.read_text()))
    with pytest.raises(GenerationError, match=message) as err:
        load_motion(path)
    assert "walk.motion" in str(err.value)


def _motion_doc(tmp_path) -> dict:
    return json.loads(save_motion(make_anim(walker(8)), tmp_path / "base.motion").read_text())


def _set(path: str, value):
    """An edit of the .motion document that sets the dotted ``path`` (list indices as numbers)."""
    def edit(doc):
        *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
        node = doc
        for key in parents:
            node = node[key]
        node[last] = value
        return doc
    return edit


HOSTILE_MOTION = [
    (_set("fps", 1_000_000_000), "'fps' must be a whole number from 1 to 240"),
    (_set("fps", 1e9), "'fps' must be a whole number"),
    (_set("fps", True), "'fps' must be a whole number"),
    (_set("num_frames", 10**7), "'num_frames' must be a whole number from 1 to 3000"),
    (_set("num_actors", 10**6), "'num_actors' must be a whole number from 1 to 16"),
    (_set("num_frames", "8"), "'num_frames' must be a whole number"),
    (_set("frames", "lots"), '"frames" must have the shape'),
    (_set("frames.0.0.3", "x"), '"frames" must be numbers'),
    (_set("frames.0.0.3", [1, 2]), '"frames" must be numbers'),
    (_set("frames.0.0.3", 1e300), "within +-10000 m"),
    (_set("frames.0.0.3", float("nan")), "NaN, Infinity or huge"),
    (_set("actions.vocabulary", ["w" * 1_000_000]), "names are text of 1 to 200 characters"),
    (_set("actions.vocabulary", list(range(5))), "actions.vocabulary"),
    (_set("actions.vocabulary", ["a"] * 5000), "list of 1 to 4096 names"),
    (_set("actions.per_actor.0.0.action", ["walk"]), "is not in actions.vocabulary"),
    (_set("actions.per_actor.0.0.action", "w" * 1_000_000), "is not in actions.vocabulary"),
    (_set("actions.per_actor.0.0.end_frame", 10**30), "end by frame 8"),
    (_set("actions.per_actor.0", [{"action": "walk", "start_frame": 0, "end_frame": 1}] * 9), "contiguous"),
    (_set("meta", [1, 2]), '"meta" must be an object'),
    (_set("meta.prompt", {"text": "hi"}), "meta.prompt must be text"),
    (_set("meta.prompt", "p" * 100_001), "meta.prompt is 100,001 characters long"),
    (_set("meta.model", "m" * 4097), "meta.model is 4,097 characters long"),
    (_set("meta.seed", "7"), "meta.seed must be a whole number"),
    (_set("meta.actor_prompts", [5]), "meta.actor_prompts[] must be text"),
    (_set("start_positions", [1e9]), '"start_positions" must be null or 1 numbers'),
    (_set("pose_layout", [[[[]]]]), "pose_layout.version"),
    (_set("version", [1]), "of version list"),
]


@pytest.mark.parametrize("edit, message", HOSTILE_MOTION)
def test_hostile_motion_fields_are_one_line_errors(tmp_path, edit, message):
    path = tmp_path / "walk.motion"
    path.write_text(json.dumps(edit(_motion_doc(tmp_path))))
    with pytest.raises(GenerationError) as err:
        load_motion(path)
    text = str(err.value)
    assert message in text and "walk.motion" in text
    assert "\n" not in text and len(text) < 400  # one line, however large the bad value


@pytest.mark.parametrize("content, message", [
    (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    (b'{"format": "stick-gen.motion", "version": 1, "fps": \xff}', "not UTF-8"),
    (b'{"format": "stick-gen.motion", "version": 1' + b"0" * 5000 + b"}", "not valid JSON"),
    (b"", "not valid JSON"),
    (b'"just a string"', "'format' must be 'stick-gen.motion', got 'str'"),
])
def test_unreadable_motion_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.motion"
    path.write_bytes(content)
    with pytest.raises(GenerationError, match=message.replace("'", ".").replace("(", ".")) as err:
        load_motion(path)
    assert "bad.motion" in str(err.value) and "\n" not in str(err.value)


def test_a_huge_motion_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.motion"
    with path.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: no time or disk spent
    with pytest.raises(GenerationError, match="more than a .motion file may be"):
        load_motion(path)


def test_the_largest_allowed_motion_file_loads(tmp_path):
    frames = np.repeat(walker(1), 3000, axis=0)
    anim = Animation(np.repeat(frames, 16, axis=1), np.zeros((3000, 16), np.int64), VOCAB, fps=240,
                     prompt="p" * 100_000)
    back = load_motion(save_motion(anim, tmp_path / "big.motion"))
    assert (back.num_frames, back.num_actors, back.fps, len(back.prompt)) == (3000, 16, 240, 100_000)


def test_a_huge_fps_renders_in_bounded_memory(tmp_path):
    anim = make_anim(walker(20))
    anim.fps = 1_000_000_000  # an Animation made in code; the camera window must not grow with the fps
    drawer = FrameDrawer(anim, size=64)
    assert drawer.x0.shape == (20,) and np.all(np.isfinite(drawer.mpp))


def test_a_very_long_caption_is_fitted_in_few_measurements(monkeypatch):
    from stick_gen.inference.render import raster as render

    measured = []

    class CountingFont:
        def __init__(self, font):
            self.font = font

        def getlength(self, text):
            measured.append(len(text))
            return self.font.getlength(text)

        def __getattr__(self, name):
            return getattr(self.font, name)

    font = render._font(12)
    monkeypatch.setattr(render, "_font", lambda px: CountingFont(font))
    render._text_patch.cache_clear()
    text = "a person walks forward and waves " * 300  # 9,900 characters
    patch = render._text_patch(text, 1, 12, 300)
    assert len(measured) <= 20 and sum(measured) <= 20 * 301  # linear in the width, not in the prompt
    assert patch.shape[1] <= 300
    # the same text as shortening one character at a time gave (from 301 characters: no more fit in 300 px)
    shown = text[:301]
    while font.getlength(shown + "...") > 300:
        shown = shown[:-1]
    measured.clear()
    render._text_patch.cache_clear()
    assert np.array_equal(patch, render._text_patch(shown.rstrip() + "...", 1, 12, 300))
    render._text_patch.cache_clear()


# --- files: gif, mp4, png, formats, atomic writes ----------------------------------------------


def test_gif_has_every_frame_the_size_the_delay_and_loops(tmp_path):
    anim = make_anim(walker(30))
    path = render_gif(anim, tmp_path / "walk.gif", size=96)
    with Image.open(path) as gif:
        assert gif.size == (96, 96)
        assert gif.n_frames == 30
        assert gif.info["loop"] == 0
        delays = []
        for k in range(gif.n_frames):
            gif.seek(k)
            delays.append(gif.info["duration"])
    assert delays == [40] * 30  # 25 fps is exactly 4/100 s


def test_gif_delays_add_up_for_rates_gif_cannot_hold_exactly():
    assert sum(gif_delays_ms(30, 30)) == 1000
    assert set(gif_delays_ms(30, 30)) == {30, 40}


def test_mp4_has_every_frame_the_size_and_the_fps(tmp_path):
    anim = make_anim(walker(30))
    path = render_mp4(anim, tmp_path / "walk.mp4", size=97, fps=20)
    reader = imageio.get_reader(path, format="FFMPEG")
    try:
        meta = reader.get_meta_data()
        assert meta["size"] == (98, 98)  # yuv420p needs even sizes
        assert meta["fps"] == pytest.approx(20)
        assert meta["codec"] == "h264"
        assert reader.count_frames() == 30
        first = reader.get_data(0)
    finally:
        reader.close()
    assert rgb_mask(Image.fromarray(first), actor_colour(0), tolerance=60).sum() > 20


def test_png_filmstrip_opens_with_panels(tmp_path):
    path = render_png(make_anim(walker(40)), tmp_path / "walk.png", size=64, panels=4, columns=2)
    with Image.open(path) as png:
        png.load()
        assert png.format == "PNG"
        assert png.width > 2 * 64 and png.height > 2 * 64
        assert rgb_mask(png, actor_colour(0), tolerance=10).sum() > 4 * 10


@pytest.mark.parametrize(
    "name, fmt",
    [("clip.gif", None), ("clip.MP4", None), ("clip.png", None), ("clip.motion", None), ("clip.bin", "gif")],
)
def test_save_picks_the_format_from_the_extension(tmp_path, name, fmt):
    path = make_anim(walker(6)).save(tmp_path / name, format=fmt, size=48)
    magic = path.read_bytes()[:16]
    expected = {"gif": b"GIF89a", "mp4": b"ftyp", "png": b"\x89PNG", "motion": b"{"}[fmt or name.rsplit(".")[1].lower()]
    assert expected in magic
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary file left behind


def test_unknown_format_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(GenerationError, match="gif, mp4, png, motion") as err:
        save_animation(make_anim(walker(4)), tmp_path / "clip.avi")
    assert "clip.avi" in str(err.value)
    assert os.listdir(tmp_path) == []
    assert FORMATS[:4] == ("gif", "mp4", "png", "motion")


def test_unwritable_place_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(GenerationError, match="cannot write"):
        save_animation(make_anim(walker(4)), blocker / "clip.gif", size=48)
    assert sorted(os.listdir(tmp_path)) == ["not_a_folder"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write into read-only folders")
def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(GenerationError, match="choose a folder you can write to"):
            save_animation(make_anim(walker(4)), folder / "clip.gif", size=48)
    finally:
        folder.chmod(0o700)
    assert os.listdir(folder) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "clip.gif"
    target.write_bytes(b"old animation")
    with pytest.raises(GenerationError, match="size must be"):
        render_gif(make_anim(walker(4)), target, size=8)
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"half a GIF")
            raise RuntimeError("encoder crashed")
    assert target.read_bytes() == b"old animation"
    assert os.listdir(tmp_path) == ["clip.gif"]


WRITER = """
import sys, time
from stick_gen.inference.animation import atomic_output
with atomic_output(sys.argv[1]) as tmp:
    print(tmp, flush=True)
    time.sleep(300)
"""


def start_writer(target):
    """A real process inside atomic_output(target); returns it and its temporary file."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    return writer, Path(writer.stdout.readline().strip())


@pytest.mark.skipif(os.name != "posix", reason="kill -9")
def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    killed, leftover = start_writer(tmp_path / "keep.gif")
    live, in_progress = start_writer(tmp_path / "other.gif")
    try:
        assert leftover.is_file() and leftover.stat().st_size == 0 and leftover.name.startswith(".keep.")
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        assert leftover.is_file()  # what a kill -9 leaves behind
        legacy_old, legacy_new = tmp_path / ".walk.0a1b2c3d.tmp.gif", tmp_path / ".run.0a1b2c3e.tmp.mp4"
        for path in (legacy_old, legacy_new):
            path.write_bytes(b"")
        os.utime(legacy_old, (time.time() - 2 * 3600,) * 2)  # older stick-gen names: stale after an hour
        users = [tmp_path / ".keep.tmp.gif", tmp_path / "keep.123-0a1b2c3d.tmp.gif", tmp_path / ".notes.txt"]
        for path in users:
            path.write_text("the user's")
        os.utime(users[0], (time.time() - 2 * 3600,) * 2)
        (tmp_path / ".dir.1-0a1b2c3d.tmp.gif").mkdir()

        save_animation(make_anim(walker(4)), tmp_path / "keep.gif", size=48)
        assert not leftover.exists() and not legacy_old.exists()
        assert in_progress.is_file() and legacy_new.is_file()  # a live writer's file, a recent old-style one
        assert all(path.read_text() == "the user's" for path in users)
        assert (tmp_path / ".dir.1-0a1b2c3d.tmp.gif").is_dir()
        assert (tmp_path / "keep.gif").read_bytes()[:6] == b"GIF89a"
    finally:
        for writer in (killed, live):
            writer.kill()
            writer.wait()
            writer.stdout.close()


def test_motion_refuses_a_different_fps(tmp_path):
    with pytest.raises(GenerationError, match="own 25 fps"):
        save_animation(make_anim(walker(4)), tmp_path / "clip.motion", fps=30)


# --- looks: camera, head, ball, contact sheet --------------------------------------------------


def test_camera_keeps_a_walker_in_frame_over_20_metres():
    anim = make_anim(walker(100, speed=5.0))  # 20 m in 4 s
    assert anim.frames[-1, 0, 2] - anim.frames[0, 0, 2] == pytest.approx(19.8, abs=0.01)
    for frame in (0, 99):
        mask = rgb_mask(draw_frame(anim, frame, size=128, caption=False), actor_colour(0), tolerance=10)
        rows, cols = np.nonzero(mask)
        assert mask.sum() > 30, f"actor missing from frame {frame}"
        assert cols.min() > 0 and cols.max() < 127 and rows.min() > 0, f"actor touches the edge in frame {frame}"


def test_head_is_drawn_above_the_neck():
    anim = make_anim(np.repeat(joints_to_pose(standing(0.0))[None, None], 3, axis=0))
    drawer = FrameDrawer(anim, size=200, caption=False)
    image = draw_frame(anim, 1, size=200, caption=False)
    to_px = lambda x, y: (round((x - drawer.x0[1]) / drawer.mpp[1]), round(200 - (y - drawer.y0[1]) / drawer.mpp[1]))
    neck_x, neck_y = anim.frames[1, 0, list(JOINT_SLOTS["neck"])]
    radius = HEAD_RADIUS * drawer.heights[0]
    assert drawer.heights[0] == pytest.approx((0.55 + np.hypot(0.15, 0.95)) / (1 - 2 * HEAD_RADIUS))
    ink = rgb_mask(image, actor_colour(0), tolerance=60)
    top_x, top_y = to_px(neck_x, neck_y + 2 * radius)  # the top of the head ring
    centre_x, centre_y = to_px(neck_x, neck_y + radius)
    assert ink[top_y - 1 : top_y + 2, top_x].any()
    assert not ink[centre_y, centre_x]  # a hollow head, not a blob
    assert not ink[: top_y - 4].any()  # nothing above the head


def test_ball_flies_from_thrower_to_catcher():
    anim = pass_scene()
    tracks = ball_tracks(anim)
    assert len(tracks) == 1
    track = tracks[0]
    held = np.flatnonzero(~np.isnan(track[:, 0]))
    assert held.min() == 0 and held.max() == 59  # the thrower has it from the start; the catcher keeps it
    right_hand = list(JOINT_SLOTS["right_hand"])
    assert np.linalg.norm(track[5] - anim.frames[5, 0, right_hand]) < 0.2
    assert np.linalg.norm(track[49] - anim.frames[49, 1, right_hand]) < 0.3
    assert np.linalg.norm(track[59] - anim.frames[59, 1, right_hand]) < 0.3
    flight = track[17:22]
    assert np.all(np.diff(flight[:, 0]) > 0) and 0.5 < flight[:, 0].mean() < 3.5  # on its way, in between
    ball_colour = INK_COLOURS[BALL]
    mid_air = int(np.argmax(np.where(np.isnan(track[:, 1]), -1, track[:, 1])))
    assert rgb_mask(draw_frame(anim, mid_air, size=160), ball_colour, tolerance=10).sum() > 10
    assert np.linalg.norm(track[2] - anim.frames[2, 0, right_hand]) < 0.2  # in the thrower's hand before the throw


def test_two_catchers_without_a_thrower_share_one_ball():
    # both actors labelled "catch" at once (a model's action head may say so for "playing catch"):
    # one ball, in the hand of whoever started catching first, tossed to the other when the first stops
    anim = pass_scene()
    anim.actions[:, 0] = VOCAB.index("idle")
    anim.actions[8:30, 0] = VOCAB.index("catch")
    tracks = ball_tracks(anim)
    assert len(tracks) == 1
    held = ~np.isnan(tracks[0][:, 0])
    assert held.all()  # the first catcher has it from the start
    right_hand = list(JOINT_SLOTS["right_hand"])
    near = lambda frame, actor: np.linalg.norm(tracks[0][frame] - anim.frames[frame, actor, right_hand]) < 0.3
    assert near(20, 0) and not near(20, 1) and near(45, 1)  # actor 0's until frame 29, then on to actor 1
    flight = tracks[0][30:40]
    assert np.all(np.diff(flight[:, 0]) > 0)  # thrown across, not jumping between hands


def test_one_ball_passes_back_and_forth():
    # a game of catch as a model labels it: both actors "catch" most of the clip, short throws between
    anim = pass_scene(100)
    anim.actions[:, :] = VOCAB.index("catch")
    anim.actions[10:20, 0] = VOCAB.index("throw")
    anim.actions[50:60, 1] = VOCAB.index("throw")
    tracks = ball_tracks(anim)
    assert len(tracks) == 1
    track = tracks[0]
    assert (~np.isnan(track[10:, 0])).all()
    hip_x = anim.frames[:, :, 2]
    side = lambda frame: int(np.argmin(np.abs(hip_x[frame] - track[frame, 0])))  # whose side the ball is on
    assert side(12) == 0 and side(45) == 1 and side(95) == 0  # thrown over, kept, thrown back
    assert np.all(np.diff(track[16:24, 0]) > 0)  # flying from actor 0 (x=0) towards actor 1 (x=4)


def test_no_ball_without_ball_actions():
    assert ball_tracks(make_anim(walker(20))) == []


def test_kick_sends_the_ball_along_the_ground():
    frames = walker(40, speed=0.0)
    # The right foot swings forward fast, then comes back slowly.
    frames[15:35, 0, 10] += np.concatenate([np.linspace(0.1, 0.6, 5), np.linspace(0.6, 0.0, 15)])
    actions = np.full((40, 1), VOCAB.index("kick"))
    track = ball_tracks(make_anim(frames, actions))[0]
    assert np.all(track[:10, 1] == pytest.approx(0.11))  # waiting on the ground
    assert track[-1, 0] > track[0, 0] + 1.0  # kicked away to the right


def test_contact_sheet_has_a_titled_cell_per_clip(tmp_path):
    still = np.repeat(joints_to_pose(standing(0.0))[None, None], 10, axis=0)
    clips = [("walk", walker(30)), ("stand", still), ("walk fast", walker(30, 3.0))]
    path = render_contact_sheet(clips, tmp_path / "sheet.png", columns=2, frames_per_clip=4, cell=96)
    with Image.open(path) as sheet:
        sheet.load()
        assert sheet.width == 2 * 96 + 3
        assert sheet.height > 2 * 96
        colour = rgb_mask(sheet, actor_colour(0), tolerance=10)
        text = rgb_mask(sheet, INK_COLOURS[1], tolerance=100)
    assert colour[:, :96].sum() > 30 and colour[:, 97:].sum() > 30
    assert text.sum() > 20
    with pytest.raises(GenerationError, match="clip 0"):
        render_contact_sheet([("bad", np.zeros((5, 7)))], tmp_path / "bad.png")


def test_renderer_runs_from_a_bundle_src_tree(src_tree, tmp_path):
    """Published bundles ship inference/ as src/inference: relative imports and the schema file travel with it."""
    from src.inference.animation import MOTION_SCHEMA_PATH as bundled_schema
    from src.inference.animation import Animation as BundledAnimation
    from src.inference.render import save_animation as bundled_save

    anim = BundledAnimation(walker(8), np.ones((8, 1), np.int64), VOCAB, fps=25, prompt="a person walks")
    path = bundled_save(anim, tmp_path / "bundle.gif", size=48)
    with Image.open(path) as gif:
        assert gif.n_frames == 8
    assert bundled_schema.is_file() and str(src_tree) in str(bundled_schema)
