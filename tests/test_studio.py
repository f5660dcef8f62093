"""The studio without a browser: its request checks, takes, .motion player, model panel, the command,
and the server under load (10 requests at once) and after failures. The browser tests are in
test_studio_browser.py."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from stick_gen.cli import main
from stick_gen.model.errors import GenerationError
from stick_gen.studio.app import Studio, build_app, error_message, launch
from stick_gen.studio.models import ModelSource, load_pipeline, model_facts, parse_hub_model
from stick_gen.studio.takes import TakeRequest, generate_take, open_motion, write_downloads

from .studio_support import CARD, VERSION, free_port
from .support import tiny_transformer

gradio = pytest.importorskip("gradio", reason="the studio needs gradio: pip install '.[studio]'")


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory) -> Path:
    """An untrained tiny model (hashing encoder) saved like a published folder: card and VERSION included."""
    folder = tmp_path_factory.mktemp("studio") / "model"
    tiny_transformer(text_encoder="hashing-1024-v1").save_pretrained(folder)
    (folder / "README.md").write_text(CARD)
    (folder / "VERSION").write_text(VERSION)
    return folder


@pytest.fixture(scope="module")
def pipe(model_folder):
    return load_pipeline(ModelSource.local(str(model_folder)))


@pytest.fixture(scope="module")
def server(model_folder, pipe):
    """``(url, Studio)``: one studio on the tiny model for this module."""
    studio = Studio(ModelSource.local(str(model_folder)), pipe)
    app = build_app(studio)
    url = launch(app, "127.0.0.1", free_port(), block=False)
    yield url, studio
    app.close()
    studio.workspace.remove()


BAD_REQUESTS = [
    (dict(prompt=""), "the prompt is empty"),
    (dict(prompt=" \n\t "), "the prompt is empty"),
    (dict(prompt=None), "the prompt is empty"),
    (dict(prompt="x" * 100_001), "at most 100,000"),
    (dict(seed=-1), "a seed is a whole number from 0"),
    (dict(seed=2**63), "a seed is a whole number from 0"),
    (dict(seed=1.5), "not a whole number"),
    (dict(seed=float("nan")), "not a finite number"),
    (dict(seed=None), "is not a number"),
    (dict(seed="abc"), "is not a number"),
    (dict(actors="4"), "choose one of auto, 1, 2, 3"),
    (dict(actors=None), "choose one of auto, 1, 2, 3"),
    (dict(duration_s=0), "more than 0 and at most 10"),
    (dict(duration_s=10.5), "more than 0 and at most 10"),
    (dict(duration_s=float("inf")), "not a finite number"),
    (dict(size=100), "choose one of 128"),
    (dict(size=10**9), "choose one of 128"),
    (dict(size="big"), "is not a number"),
]


@pytest.mark.parametrize("change, message", BAD_REQUESTS)
def test_bad_requests_are_one_line(change, message):
    request = TakeRequest(**{**dict(prompt="a person waves"), **change})
    with pytest.raises(GenerationError) as caught:
        request.checked(10.0)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_generate_take_plays_from_poses_and_downloads_are_written(pipe, tmp_path):
    take = generate_take(pipe, TakeRequest("Two people playing catch", seed=3, actors="2", duration_s=4, size=256),
                         tmp_path)
    assert take.animation.num_actors == 2 and take.animation.num_frames == 100 and take.animation.seed == 3
    assert take.player["num_frames"] == 100 and take.player["fps"] == 25 and take.player["width"] == 256
    assert list(tmp_path.iterdir()) == []  # nothing encoded before the page plays the take
    assert "Actor 1" in take.labels and "Actor 2" in take.labels
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(write_downloads(take.animation, 256, tmp_path,
                                                                               "catch").mp4))
    assert frames == 100 and abs(seconds - 4.0) < 0.1  # the model's 25 fps
    files = write_downloads(take.animation, 256, tmp_path, "catch")
    assert [p.name for p in files.files()] == ["catch.gif", "catch.mp4", "catch.motion"]
    assert files.filmstrip.is_file()
    (tmp_path / "again").mkdir()
    again = open_motion(files.motion, 256, tmp_path / "again")
    assert again.animation.num_actors == 2 and again.animation.prompt == "Two people playing catch"


def test_the_player_document_is_the_animation_as_the_renderer_frames_it(pipe):
    """What the page's canvas receives: the poses to the millimetre, the renderer's camera and sizes, the labels."""
    from stick_gen.inference.render import BALL_RADIUS_M, FrameDrawer, actor_colour, hex_colour
    from stick_gen.model.pose import HEAD_RADIUS, JOINT_SLOTS, SEGMENTS, segment_slots
    from stick_gen.studio.player import player_document

    from .test_render import pass_scene

    for anim, size in ((pipe("a person walks forward and waves", seed=5, num_actors=1, duration_s=3), 384),
                       (pass_scene(), 256)):
        doc = json.loads(json.dumps(player_document(anim, size)))  # as the page receives it
        assert (doc["fps"], doc["num_frames"], doc["num_actors"]) == (anim.fps, anim.num_frames, anim.num_actors)
        assert (doc["width"], doc["height"], doc["prompt"]) == (size, size, anim.prompt)
        poses = np.array(doc["poses"], dtype=np.float64) * doc["unit"]
        assert poses.shape == anim.frames.shape == (anim.num_frames, anim.num_actors, 20)
        assert np.abs(poses - anim.frames).max() <= 0.0005 + 1e-6  # whole millimetres
        drawer = FrameDrawer(anim, size)
        camera = doc["camera"]
        assert len(camera["x0"]) == len(camera["y0"]) == len(camera["mpp"]) == anim.num_frames
        assert np.allclose(camera["x0"], drawer.x0, atol=1e-4) and np.allclose(camera["y0"], drawer.y0, atol=1e-4)
        assert np.allclose(camera["mpp"], drawer.mpp, rtol=1e-5)
        heights = np.array(doc["actors"]["head_radius_m"]) / HEAD_RADIUS
        assert np.allclose(heights, drawer.heights, atol=1e-3)
        assert doc["actors"]["colour"] == [hex_colour(actor_colour(a)) for a in range(anim.num_actors)]
        assert doc["layout"]["segments"] == [list(range(segment_slots(n).start, segment_slots(n).stop))
                                             for n, _, _ in SEGMENTS]
        assert doc["layout"]["neck"] == list(JOINT_SLOTS["neck"]) and doc["layout"]["hip"] == list(JOINT_SLOTS["hip"])
        per_frame = [[None] * anim.num_actors for _ in range(anim.num_frames)]
        for actor, runs in enumerate(doc["actions"]):
            for name, start, end in runs:
                for t in range(start, end):
                    per_frame[t][actor] = name
        assert per_frame == anim.action_names
        assert len(doc["balls"]) == len(drawer.balls) and doc["ball_radius_m"] == BALL_RADIUS_M
        for track, expected in zip(doc["balls"], drawer.balls):
            frames = range(track["start"], track["start"] + len(track["xy"]))
            shown = ~np.isnan(expected[:, 0])
            assert [t in frames and track["xy"][t - track["start"]] is not None
                    for t in range(anim.num_frames)] == shown.tolist()
            at = np.array([p for p in track["xy"] if p is not None], dtype=np.float64) * doc["unit"]
            assert np.abs(at - expected[shown]).max() <= 0.0005 + 1e-6
    assert len(doc["balls"]) == 1  # the pass scene throws one ball
    assert len(json.dumps(doc, separators=(",", ":"))) < 60_000  # small enough to arrive at once


def test_a_prompt_without_words_is_generated_with_a_note(pipe, tmp_path):
    take = generate_take(pipe, TakeRequest("?!?", seed=0, actors="1", duration_s=1), tmp_path)
    assert any("no words" in note for note in take.notes)


@pytest.mark.parametrize("content, message", [
    (b"", "is not valid JSON"),
    (b"\xff\xfe", "is not UTF-8"),
    (b"[" * 100_000, "nested too deeply"),
    (json.dumps({"format": "something-else"}).encode(), "format"),
    (json.dumps({"format": "stick-gen.motion", "version": 99}).encode(), "version 99"),
])
def test_motion_player_refuses_hostile_files_in_one_line(tmp_path, content, message):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "bad.motion"
    path.write_bytes(content)
    (tmp_path / "out").mkdir()
    with pytest.raises(GenerationError) as caught:
        open_motion(path, 256, tmp_path / "out")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_model_panel_facts(pipe, model_folder, tmp_path):
    facts = model_facts(pipe, ModelSource.local(str(model_folder)))
    assert facts.variant == "custom (d_model 64, 2 layers)" and facts.text_encoder == "hashing-1024-v1"
    assert facts.parameters == sum(p.numel() for p in pipe.model.parameters()) and facts.version == VERSION
    assert ("FID", "0.0530") in facts.metrics and ("Action Accuracy", "14.6%") in facts.metrics
    assert ("R-precision (top-3)", "56.5%") in facts.metrics
    text = facts.markdown()
    assert f"{facts.parameters:,}" in text and "25 fps" in text
    pipe.model.save_pretrained(tmp_path / "bare")  # a card without metrics, no VERSION: the panel says so
    bare = model_facts(pipe, ModelSource.local(str(tmp_path / "bare")))
    assert bare.metrics == [] and "no metrics" in bare.markdown() and bare.version is None
    checkpoint = model_facts(pipe, ModelSource.local(str(tmp_path / "bare" / "model.safetensors")))
    assert checkpoint.variant == facts.variant


@pytest.mark.parametrize("spec", ["", "owner", "a/b/c", "owner/name@", "owner/na me", "../x/y", "o/n@../../etc"])
def test_hub_model_names_are_checked(spec):
    with pytest.raises(GenerationError, match="is not a Hub model"):
        parse_hub_model(spec)


def test_error_messages_never_carry_html_or_tracebacks():
    assert "&lt;script&gt;" in error_message(GenerationError("<script>alert(1)</script>"))
    message = error_message(KeyError("boom"))
    assert "KeyError" in message and "server log" in message


@pytest.mark.parametrize("args, message", [
    (["--checkpoint", "no/such/model.pt"], "no such file or folder"),
    (["--model", "not a repo"], "is not a Hub model"),
    (["--port", "70000"], "is not a port number"),
])
def test_studio_command_errors_are_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no default checkpoint here
    assert main(["studio", *args]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": 600})  # a busy 2-core CI machine is slow


def test_ten_concurrent_requests_all_complete(server):
    url, _ = server
    client = _client(url)
    jobs = [client.submit(f"a person jumps {i}", i, "1", 2.0, 128, api_name="/generate") for i in range(10)]
    results = [job.result(timeout=900) for job in jobs]  # all ten sent before the first is answered
    for i, (player, labels, status) in enumerate(results):
        assert f"seed {i}: ready in" in status and "Actor 1" in labels and player["num_frames"] == 50


def test_a_failing_model_shows_one_line_and_the_server_keeps_serving(server):
    url, studio = server
    label = studio.default.label
    pipe, facts = studio._models[label]

    class Broken:
        model, fps, encoder = pipe.model, pipe.fps, pipe.encoder

        def __call__(self, *args, **kwargs):
            raise RuntimeError("weights on fire")

    client = _client(url)
    studio._models[label] = (Broken(), facts)
    try:
        player, _, status = client.predict("a person waves", 0, "1", 1.0, 128, api_name="/generate")
    finally:
        studio._models[label] = (pipe, facts)
    assert player is None and "RuntimeError: weights on fire" in status and "Traceback" not in status
    _, _, status = client.predict("a person waves", 0, "1", 1.0, 128, api_name="/generate")
    assert "ready in" in status
    _, _, status = client.predict("", 0, "1", 1.0, 128, api_name="/generate")
    assert "the prompt is empty" in status


def ctrl_c_as_in_a_terminal() -> None:
    """In the child: SIGINT as in a terminal, even under a background job of a non-interactive shell (which
    starts with SIGINT ignored, so Python would never raise KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_command_serves_until_interrupted(model_folder):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "stick_gen.cli", "studio", "--checkpoint", str(model_folder),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=ctrl_c_as_in_a_terminal)
    try:
        line = ""
        while "stick-gen studio:" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, "the studio exited before it was ready"
        assert f"http://127.0.0.1:{port}" in line and str(model_folder) in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200 and b"stick-gen studio" in page.read()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode in (0, 130)


def test_the_demo_ends_with_the_command_that_opens_the_studio_on_its_model():
    import shlex

    from stick_gen.cli import build_parser
    from stick_gen.demo import studio_command

    command = studio_command(Path("demo_out"))
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert args.command == "studio" and args.checkpoint == "demo_out/hf_upload"  # the bundle: weights, card, VERSION
