"""The exports (SVG, Lottie, OpenPose, BVH) and `stick-gen render`: each file read back by an independent reader.

SVG by the standard library's XML parser (and headless Chromium where /usr/bin/chromium exists), Lottie by
the `lottie` package, BVH by `bvhio`, OpenPose JSON by `json` and its PNGs by Pillow.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stick_gen.cli import main
from stick_gen.commands.render import parse_size, render_motion_file
from stick_gen.inference.animation import load_motion, save_motion
from stick_gen.inference.render import FORMATS, REGISTRY, FrameDrawer, format_for, save_animation
from stick_gen.inference.render.writers.openpose import BODY_18, COLOURS, LIMBS
from stick_gen.model.errors import GenerationError
from stick_gen.model.pose import JOINT_SLOTS, joints_to_pose

from .test_render import make_anim, pass_scene, standing, walker

SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM = Path("/usr/bin/chromium")


def wobbly_walker(num_frames: int = 250, seed: int = 0) -> np.ndarray:
    """A walker ``[T, 1, 20]`` whose limbs change length and direction every frame, as generated motion does."""
    rng = np.random.default_rng(seed)
    t = np.arange(num_frames) / 25
    joints = np.stack([standing(1.4 * s) for s in t]).astype(np.float64)
    joints[:, 2:, :] += rng.normal(0, 0.08, size=(num_frames, 4, 2))  # feet and hands anywhere near their place
    joints[:, 0, 0] += 0.2 * np.sin(3 * t)  # the torso leans
    joints[:, 4, 1] += 1.2 * np.clip(np.sin(t), 0, None)  # the left hand goes over the head and back
    return joints_to_pose(joints.astype(np.float32))[:, None, :]


@pytest.fixture(scope="module")
def walk():
    return make_anim(wobbly_walker(), prompt="a person walks & waves <fast>")


def joint_xy(anim, t: int, actor: int, joint: str) -> np.ndarray:
    return anim.frames[t, actor, list(JOINT_SLOTS[joint])].astype(np.float64)


# --- the registry ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt, expected",
    [("a.gif", None, "gif"), ("a.MP4", None, "mp4"), ("a.svg", None, "svg"), ("a.json", None, "lottie"),
     ("a.lottie.json", None, "lottie"), ("a.bvh", None, "bvh"), ("a.openpose", None, "openpose"),
     ("a.motion", None, "motion"), ("poses", "openpose", "openpose"), ("a.txt", "BVH", "bvh")],
)  # fmt: skip
def test_the_registry_picks_the_format_from_the_extension_or_the_name(name, fmt, expected):
    assert format_for(name, fmt).name == expected


@pytest.mark.parametrize("name, fmt", [("a.avi", None), ("noextension", None), ("a.gif", "webm"), (".gif", None)])
def test_the_registry_refuses_what_it_does_not_know(name, fmt):
    with pytest.raises(GenerationError, match="unknown output format.*gif, mp4, png, motion, svg, lottie"):
        format_for(name, fmt)


def test_every_registered_format_has_a_writer_and_generate_offers_it():
    import importlib

    from stick_gen.commands.generate import FORMAT_CHOICES

    assert FORMAT_CHOICES == FORMATS == tuple(f.name for f in REGISTRY)
    for spec in REGISTRY:
        module = importlib.import_module(f"stick_gen.inference.render.writers.{spec.name}")
        assert callable(module.write) and spec.extension.startswith(".")


def test_an_option_a_format_does_not_take_is_refused(tmp_path, walk):
    with pytest.raises(GenerationError, match="format gif has no option images"):
        save_animation(walk, tmp_path / "x.gif", images=True)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["w.svg", "w.json", "w.bvh", "w.openpose", "w.motion", "w.gif"])
def test_animation_save_writes_every_format(tmp_path, name):
    path = make_anim(walker(10)).save(tmp_path / name, size=64)
    assert path.exists() and sorted(os.listdir(tmp_path)) == [name]  # nothing else left behind


# --- SVG ---------------------------------------------------------------------------------------


def _numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)])


def _animations(element) -> dict:
    return {a.get("attributeName"): a for a in element if a.tag in (SVG + "animate", SVG + "animateTransform")}


def test_svg_keyframes_reproduce_every_joint_and_the_camera(tmp_path, walk):
    path = save_animation(walk, tmp_path / "walk.svg", size=(320, 240), fps=20)
    root = ET.parse(path).getroot()  # an independent XML reader: the file is well-formed XML
    assert root.tag == SVG + "svg" and (root.get("width"), root.get("height")) == ("320", "240")
    assert root.find(SVG + "title").text == walk.prompt
    body = root.find(f".//{SVG}path[@id='actor-1-body']")
    frames = _animations(body)["d"].get("values").split(";")
    assert len(frames) == walk.num_frames
    assert _animations(body)["d"].get("dur") == f"{walk.num_frames / 20:g}s"  # the playback rate
    assert _animations(body)["d"].get("calcMode") == "discrete"
    poses = np.stack([_numbers(d) for d in frames])  # (T, 20): the five segments, storage order
    assert np.abs(poses - walk.frames[:, 0]).max() <= 0.5e-4 + 1e-6  # the .motion file's 0.1 mm
    head = root.find(f".//{SVG}circle[@id='actor-1-head']")
    head_y = _numbers(";".join(_animations(head)["cy"].get("values").split(";")))
    assert np.all(head_y > walk.frames[:, 0, JOINT_SLOTS["neck"][1]])  # the head sits above the neck

    # The camera: scale then translate, inside a y flip; the hip lands where the GIF draws it.
    scale = _numbers(_animations(root.find(f".//{SVG}g[@id='camera-scale']"))["transform"].get("values"))
    shift = _numbers(_animations(root.find(f".//{SVG}g[@id='world']"))["transform"].get("values")).reshape(-1, 2)
    drawer = FrameDrawer(walk, (320, 240))
    for t in (0, 100, 249):
        hip = joint_xy(walk, t, 0, "hip")
        screen = np.array([scale[t] * (hip[0] + shift[t, 0]), 240 - scale[t] * (hip[1] + shift[t, 1])])
        expected = np.array([(hip[0] - drawer.x0[t]) / drawer.mpp[t], 240 - (hip[1] - drawer.y0[t]) / drawer.mpp[t]])
        assert np.abs(screen - expected).max() < 0.01


def test_svg_of_a_pass_has_one_ball_that_crosses_and_hides_where_a_track_has_none(tmp_path):
    root = ET.parse(save_animation(pass_scene(), tmp_path / "pass.svg")).getroot()
    assert root.find(f".//{SVG}g[@id='actor-2']") is not None
    assert root.find(f".//{SVG}circle[@id='ball-2']") is None  # one ball per scene
    ball = root.find(f".//{SVG}circle[@id='ball-1']")
    assert set(_animations(ball)["visibility"].get("values").split(";")) == {"visible"}  # in a hand from frame 0
    xs = [float(v) for v in _animations(ball)["cx"].get("values").split(";")]
    assert xs[0] < 0.5 and xs[-1] > 3.5  # from the thrower (x = 0) to the catcher (x = 4)
    # frames without a ball (NaN in a track) are hidden, and the circle waits where it first shows
    from stick_gen.inference.render.writers.svg import _ball

    track = np.full((6, 2), np.nan)
    track[2:] = [[1.0, 1.5]] * 4
    element = ET.fromstring("\n".join(_ball(track, 0, "1s")).replace("<circle", f'<circle xmlns="{SVG[1:-1]}"'))
    assert _animations(element)["visibility"].get("values").split(";") == ["hidden"] * 2 + ["visible"] * 4
    assert element.get("cx") == "1"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI adds it)")
def test_svg_plays_in_headless_chromium(tmp_path, walk):
    """Chromium runs the SMIL animation: at a given time the body path's box is where that frame puts it."""
    save_animation(walk, tmp_path / "walk.svg", size=256)
    page = tmp_path / "page.html"
    page.write_text(
        '<html><body><object id="o" data="walk.svg" type="image/svg+xml"></object><pre id="out"></pre><script>'
        'const frame = () => new Promise(r => setTimeout(r, 50));'
        'document.getElementById("o").addEventListener("load", async () => {'
        ' const svg = document.getElementById("o").contentDocument.documentElement; svg.pauseAnimations();'
        ' const out = [];'
        ' for (const t of [0, 100, 200]) { svg.setCurrentTime((t + 0.5) / 25); await frame();'
        '  const b = svg.getElementById("actor-1-body").getBBox(); out.push([t, b.x, b.y, b.width, b.height]); }'
        ' document.getElementById("out").textContent = JSON.stringify(out); });'
        "</script></body></html>"
    )
    result = subprocess.run(
        [str(CHROMIUM), "--headless", "--disable-gpu", "--no-sandbox", "--allow-file-access-from-files",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    boxes = json.loads(re.search(r'<pre id="out">(.*?)</pre>', result.stdout).group(1))
    for t, x, y, width, height in boxes:
        xs = walk.frames[t, 0, 0::2]
        ys = walk.frames[t, 0, 1::2]
        assert x == pytest.approx(xs.min(), abs=1e-3) and width == pytest.approx(np.ptp(xs), abs=1e-3)
        assert y == pytest.approx(ys.min(), abs=1e-3) and height == pytest.approx(np.ptp(ys), abs=1e-3)


# --- Lottie ------------------------------------------------------------------------------------


def test_lottie_loads_with_the_lottie_package_and_reproduces_the_joints(tmp_path, walk):
    from lottie import NVector
    from lottie.objects import Animation as LottieAnimation

    path = save_animation(walk, tmp_path / "walk.json", size=(400, 300), fps=30)
    lottie = LottieAnimation.load(json.loads(path.read_text(encoding="utf-8")))
    assert lottie.frame_rate == 30 and (lottie.in_point, lottie.out_point) == (0, walk.num_frames)
    assert (lottie.width, lottie.height) == (400, 300)
    assert (lottie.out_point - lottie.in_point) / lottie.frame_rate == pytest.approx(walk.num_frames / 30)  # duration
    assert [layer.name for layer in lottie.layers] == ["camera", "actor 1", "ground", "background"]
    camera, actor = lottie.layers[0], lottie.layers[1]
    assert actor.parent_index == camera.index
    paths = {shape.name: shape for shape in actor.shapes[0].shapes}
    drawer = FrameDrawer(walk, (400, 300), caption=False)
    for t in (0, 1, 124, 249):
        # read mid-frame: this reader gives a hold keyframe's value only after its exact time
        start = paths["left_arm"].shape.get_value(t + 0.5).vertices
        end = paths["left_leg"].shape.get_value(t + 0.5).vertices[1]
        assert [start[0].x, start[0].y] == pytest.approx(joint_xy(walk, t, 0, "neck"), abs=1e-4)
        assert [start[1].x, start[1].y] == pytest.approx(joint_xy(walk, t, 0, "left_hand"), abs=1e-4)
        assert [end.x, end.y] == pytest.approx(joint_xy(walk, t, 0, "left_foot"), abs=1e-4)
        matrix = camera.transform.to_matrix(t + 0.5)  # the camera maps metres to the GIF's pixels
        hip = joint_xy(walk, t, 0, "hip")
        screen = matrix.apply(NVector(*hip))
        expected = [(hip[0] - drawer.x0[t]) / drawer.mpp[t], 300 - (hip[1] - drawer.y0[t]) / drawer.mpp[t]]
        assert [screen.x, screen.y] == pytest.approx(expected, abs=0.01)


def test_lottie_of_two_actors_and_a_ball(tmp_path):
    from lottie.objects import Animation as LottieAnimation

    anim = pass_scene()
    lottie = LottieAnimation.load(json.loads(save_animation(anim, tmp_path / "pass.lottie.json").read_text()))
    assert [layer.name for layer in lottie.layers] == ["camera", "ball 1", "actor 1", "actor 2", "ground",
                                                       "background"]
    assert all(layer.parent_index == 1 for layer in lottie.layers[1:5])


# --- OpenPose ----------------------------------------------------------------------------------


def test_openpose_writes_one_body18_json_per_frame_and_skeleton_pngs(tmp_path, walk):
    out = save_animation(walk, tmp_path / "walk.openpose", size=512, images=True)
    names = sorted(os.listdir(out))
    assert len(names) == 2 * walk.num_frames and names[0] == "walk_000000000000_keypoints.json"
    drawer = FrameDrawer(walk, 512, caption=False)
    for t in (0, 77, 249):
        frame = json.loads((out / f"walk_{t:012d}_keypoints.json").read_text())
        assert (frame["canvas_width"], frame["canvas_height"]) == (512, 512) and len(frame["people"]) == 1
        points = np.array(frame["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
        for body18, joint in (("neck", "neck"), ("right_wrist", "right_hand"), ("left_wrist", "left_hand"),
                              ("right_ankle", "right_foot"), ("left_ankle", "left_foot")):
            x, y = joint_xy(walk, t, 0, joint)
            expected = [(x - drawer.x0[t]) / drawer.mpp[t], 512 - (y - drawer.y0[t]) / drawer.mpp[t], 1.0]
            assert points[BODY_18.index(body18)].tolist() == pytest.approx(expected, abs=2e-3)
        assert points[14:, 2].tolist() == [0.0] * 4  # eyes and ears: not known
        assert np.all(points[:14, 2] > 0.05)  # every body point drawn by OpenPose's threshold
        assert points[BODY_18.index("nose"), 1] < points[BODY_18.index("neck"), 1]  # the nose above the neck
        knee = points[BODY_18.index("left_knee"), :2]
        assert np.allclose(knee, (points[BODY_18.index("left_hip"), :2] + points[BODY_18.index("left_ankle"), :2]) / 2,
                           atol=2e-3)
        with Image.open(out / f"walk_{t:012d}_rendered.png") as png:
            pixels = np.asarray(png.convert("RGB")).astype(int)
        assert png.size == (512, 512) and (pixels[0, 0] == 0).all()  # black background
        neck = points[BODY_18.index("neck")]
        assert pixels[round(neck[1]), round(neck[0])].tolist() == list(COLOURS[1])  # keypoint 1 in its colour
        # the torso limb (neck -> right hip, OpenPose limb 6) at 60% of its colour, halfway along
        a, b = LIMBS[6]
        mid = (points[a, :2] + points[b, :2]) / 2
        assert pixels[round(mid[1]), round(mid[0])].tolist() == [int(c * 0.6) for c in COLOURS[6]]


def test_openpose_two_people_and_no_images_by_default(tmp_path):
    out = save_animation(pass_scene(), tmp_path / "pass.openpose")
    assert len(os.listdir(out)) == 60 and all(n.endswith("_keypoints.json") for n in os.listdir(out))
    assert len(json.loads((out / "pass_000000000030_keypoints.json").read_text())["people"]) == 2


def test_openpose_never_replaces_a_folder_that_holds_files(tmp_path, walk):
    folder = tmp_path / "mine.openpose"
    folder.mkdir()
    (folder / "notes.txt").write_text("the user's")
    with pytest.raises(GenerationError, match="already exists and holds files"):
        save_animation(walk, folder)
    assert os.listdir(folder) == ["notes.txt"] and sorted(os.listdir(tmp_path)) == ["mine.openpose"]


def test_a_failed_openpose_write_leaves_nothing(tmp_path, walk, monkeypatch):
    from stick_gen.inference.render.writers import openpose

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(openpose, "draw_skeletons", broken)
    with pytest.raises(RuntimeError):
        save_animation(walk, tmp_path / "x.openpose", images=True)
    assert os.listdir(tmp_path) == []


# --- BVH ---------------------------------------------------------------------------------------


def _bvh_world_positions(path: Path, frames, prefix: str = "") -> dict:
    import bvhio

    root = bvhio.readAsHierarchy(str(path))
    joints = {joint.Name: joint for joint, _, _ in root.layout()}
    bones = {"Hips": "hip", "Neck": "neck", "LeftHand": "left_hand", "RightHand": "right_hand",
             "LeftFoot": "left_foot", "RightFoot": "right_foot"}
    found = {}
    for t in frames:
        root.loadPose(t)
        for bone, joint in bones.items():
            p = joints[prefix + bone].PositionWorld
            found[t, joint] = (p.x, p.y, p.z)
    return found


def test_bvh_joints_reproduce_the_motion_within_a_millimetre(tmp_path, walk):
    path = save_animation(walk, tmp_path / "walk.bvh", fps=30)
    text = path.read_text()
    assert text.startswith("HIERARCHY\nROOT Hips\n") and f"Frames: {walk.num_frames}\n" in text
    assert "Frame Time: 0.03333333" in text
    for name in ("Spine", "Neck", "Head", "LeftShoulder", "RightShoulder", "LeftUpLeg", "RightUpLeg"):
        assert f"JOINT {name}\n" in text
    found = _bvh_world_positions(path, range(walk.num_frames))
    worst = max(max(abs(x - joint_xy(walk, t, 0, j)[0]), abs(y - joint_xy(walk, t, 0, j)[1]), abs(z))
                for (t, j), (x, y, z) in found.items())
    assert worst < 1e-3


def test_bvh_of_two_actors_has_one_root_and_both_figures(tmp_path):
    anim = pass_scene()
    path = save_animation(anim, tmp_path / "pass.bvh")
    assert path.read_text().startswith("HIERARCHY\nROOT Scene\n")
    for actor, prefix in ((0, "A1_"), (1, "A2_")):
        found = _bvh_world_positions(path, (0, 15, 59), prefix)
        for (t, joint), (x, y, z) in found.items():
            assert [x, y, z] == pytest.approx([*joint_xy(anim, t, actor, joint), 0.0], abs=1e-3)


# --- stick-gen render --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["w.mp4", "w.gif", "w.png", "w.svg", "w.json", "w.bvh", "w.motion"])
def test_render_converts_a_motion_file(tmp_path, capsys, name):
    source = save_motion(make_anim(walker(20)), tmp_path / "walk.motion")
    assert main(["render", str(source), "-o", str(tmp_path / name), "--size", "96x64"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == sorted(["walk.motion", name])
    if name == "w.motion":
        assert np.allclose(load_motion(tmp_path / name).frames, load_motion(source).frames)


def test_render_openpose_with_images_by_format(tmp_path):
    source = save_motion(make_anim(walker(5)), tmp_path / "walk.motion")
    assert main(["render", str(source), "-o", str(tmp_path / "poses"), "--format", "openpose",
                 "--openpose-images", "--no-caption"]) == 0
    assert len(os.listdir(tmp_path / "poses")) == 10


def test_render_to_mp4_keeps_the_frames_and_the_rate(tmp_path):
    import imageio.v2 as imageio

    source = save_motion(make_anim(walker(30)), tmp_path / "walk.motion")
    render_motion_file(source, tmp_path / "walk.mp4", size=64, fps=15)
    reader = imageio.get_reader(tmp_path / "walk.mp4")
    assert reader.get_meta_data()["fps"] == 15 and reader.count_frames() == 30


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "x.avi")], "x.avi: unknown output format '.avi'"),
        (lambda d: [str(d / "missing.motion"), "-o", str(d / "x.gif")], "missing.motion: no such .motion file"),
        (lambda d: [str(d / "bad.motion"), "-o", str(d / "x.gif")], "bad.motion is not a valid stick-gen .motion"),
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "nope" / "x.gif")], "the folder .*nope does not exist"),
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "x.gif"), "--size", "huge"], "--size 'huge'"),
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "x.gif"), "--size", "9000"], "32 to 4096"),
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "x.gif"), "--fps", "0"], "fps must be an integer"),
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "x.gif"), "--openpose-images"], "applies to the openpose"),
        (lambda d: [str(d / "walk.motion"), "-o", str(d / "x.motion"), "--fps", "50"], "drop fps=50"),
    ],
)
def test_render_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, make_args, message):
    save_motion(make_anim(walker(5)), tmp_path / "walk.motion")
    (tmp_path / "bad.motion").write_text('{"format": "stick-gen.motion", "version": 1, "fps": 25}')
    before = sorted(os.listdir(tmp_path))
    assert main(["render", *make_args(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert re.search(message, err) and err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err and sorted(os.listdir(tmp_path)) == before


def test_parse_size():
    assert parse_size("512") == 512 and parse_size(" 640 x 360 ") == (640, 360)
    with pytest.raises(GenerationError):
        parse_size("640x")


def test_render_help_lists_every_format(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in FORMATS)
