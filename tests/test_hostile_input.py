"""`stick-gen generate` with a user's mistakes and hostile input (issue 10, items 3 and 4): every failure is
one line on stderr and exit 1, never a traceback; time and memory stay bounded. Tables of cases, run for real
through `stick_gen.cli.main`, the local Hub server and real model files."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from huggingface_hub import HfApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stick_gen.cli import main
from stick_gen.inference import StickGenPipeline
from stick_gen.model.checkpoint import (
    MAX_MODEL_PARAMETERS,
    check_model_config,
    estimated_parameters,
    load_checkpoint,
    load_model,
    read_config_json,
    save_training_checkpoint,
)
from stick_gen.model.config import model_config_keys
from stick_gen.model.errors import CheckpointError, GenerationError
from stick_gen.model.transformer import StickFigureTransformer
from stick_gen.model.variants import VARIANTS
from stick_gen.testing.local_hub import LocalHub, hub_environment

from .support import tiny_transformer

BOT_TOKEN = "hf_hostile0bot0token0abcdefghijklmnopq"
REPO = "GesturaAI/stick-gen-tiny"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("saved") / "model"
    tiny_transformer(text_encoder="hashing-1024-v1").save_pretrained(folder)
    return folder


def one_line_error(capsys, argv, code: int = 1) -> str:
    """Run the CLI; it must exit ``code`` with exactly one line on stderr (no traceback). Returns that line."""
    capsys.readouterr()  # drop what fixtures printed (upload progress)
    assert main(argv) == code
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- item 3: a user's mistakes ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["checkpoints/best_model.pt", "best_model.pt", "./nope/", ""])
def test_checkpoint_is_always_a_local_path(tmp_path, monkeypatch, capsys, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # a Hub lookup would fail loudly, not be quiet
    err = one_line_error(capsys, ["generate", "a person waves", "-o", "x.gif", "--checkpoint", value])
    assert "no such file" in err and "--model" in err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("argv_tail, message", [
    (["", "-o", "x.gif"], "the prompt is empty"),
    (["   ", "-o", "x.gif"], "the prompt is empty"),
    (["a person waves", "-o", "x.gif", "--seed", "-1"], "--seed -1"),
    (["a person waves", "-o", "x.gif", "--seed", str(2**64)], "--seed"),
    (["a person waves", "--prompts", "p.txt", "--output-dir", "out"], "not several"),
    (["a" * 100_001, "-o", "x.gif"], "100,001 characters"),
    (["--prompts", "p.txt", "--output-dir", "out", "-o", "x.gif"], "not -o"),
    (["--prompts", "p.txt", "--output-dir", "out", "--batch-size", "0"], "--batch-size 0"),
])
def test_bad_values_are_one_line(tmp_path, monkeypatch, capsys, untrained_checkpoint, argv_tail, message):
    monkeypatch.chdir(tmp_path)
    Path("p.txt").write_text("a person waves\n")
    err = one_line_error(capsys, ["generate", *argv_tail, "--checkpoint", str(untrained_checkpoint)])
    assert message in err
    assert sorted(os.listdir(tmp_path)) == ["p.txt"]


@pytest.mark.parametrize("content, message", [
    (b"a person waves\n\xff\xfe jumps\n", "line 2 is not UTF-8"),
    (b"\xef\xbb\xbfa person waves\n\xc3\x28\n", "line 2 is not UTF-8"),
    (b"\n\n   \n", "holds no prompts"),
    (b"a person waves\n" + b"x" * 100_001 + b"\n", "line 2 is 100,001 characters"),
])
def test_bad_prompts_files_are_one_line_naming_the_file(tmp_path, capsys, untrained_checkpoint, content, message):
    prompts = tmp_path / "prompts.txt"
    prompts.write_bytes(content)
    err = one_line_error(capsys, ["generate", "--prompts", str(prompts), "--output-dir", str(tmp_path / "out"),
                                  "--checkpoint", str(untrained_checkpoint)])
    assert message in err and "prompts.txt" in err
    assert not (tmp_path / "out").exists()


def test_debug_is_accepted_after_the_command(tmp_path, capsys, untrained_checkpoint):
    argv = ["generate", "", "-o", str(tmp_path / "x.gif"), "--checkpoint", str(untrained_checkpoint)]
    assert main(argv) == 1
    with pytest.raises(GenerationError, match="empty"):  # --debug: the traceback is wanted
        main([*argv, "--debug"])
    with pytest.raises(GenerationError):
        main(["--debug", *argv])
    with pytest.raises(SystemExit) as done:
        main(["lora", "merge", "--debug", "--help"])
    assert done.value.code == 0


@pytest.mark.parametrize("prompt", ["!!! ?? ...", "\U0001F389\U0001F57A", "-- :) --"])
def test_a_prompt_without_words_warns_that_nothing_was_understood(tmp_path, capsys, untrained_checkpoint, prompt):
    assert main(["generate", prompt, "-o", str(tmp_path / "x.motion"), "--checkpoint", str(untrained_checkpoint),
                 "--duration", "1"]) == 0
    err = capsys.readouterr().err
    assert "nothing in the prompt" in err and "was understood" in err
    assert (tmp_path / "x.motion").is_file()


def test_long_cjk_prompts_get_short_unique_names(tmp_path, capsys, untrained_checkpoint):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("走" * 100 + "\n" + "走" * 100 + "\na person waves\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["generate", "--prompts", str(prompts), "--output-dir", str(out),
                 "--checkpoint", str(untrained_checkpoint),
                 "--format", "motion", "--duration", "1"]) == 0
    names = sorted(os.listdir(out))
    assert len(names) == 3 and names[2] == "003_a_person_waves.motion"
    assert names[0].startswith("001_走") and names[1].startswith("002_走")
    assert all(len(name.encode("utf-8")) < 255 for name in names)


def test_batch_outputs_are_written_as_each_batch_is_made(tmp_path, monkeypatch, capsys, untrained_checkpoint):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"a person waves number {i}\n" for i in range(7)))
    out = tmp_path / "out"
    calls = []
    original = StickGenPipeline.__call__

    def spy(self, batch, *args, **kwargs):
        calls.append((len(batch), sorted(os.listdir(out)) if out.exists() else []))
        if len(calls) == 3:
            raise GenerationError("the model gave up on batch 3")  # a failure late in the run
        return original(self, batch, *args, **kwargs)

    monkeypatch.setattr(StickGenPipeline, "__call__", spy)
    assert main(["generate", "--prompts", str(prompts), "--output-dir", str(out),
                 "--checkpoint", str(untrained_checkpoint),
                 "--format", "motion", "--duration", "1", "--batch-size", "3"]) == 1
    assert [size for size, _ in calls] == [3, 3, 1]
    assert len(calls[1][1]) == 3 and len(calls[2][1]) == 6  # the first batches were on disk before the next
    assert len(os.listdir(out)) == 6  # and stay there when a later batch fails


def test_thousands_of_prompts_in_bounded_batches_with_a_progress_bar(tmp_path, monkeypatch, capsys,
                                                                     untrained_checkpoint):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"person {i} waves\n" for i in range(1000)))
    out = tmp_path / "out"
    sizes = []
    original = StickGenPipeline.__call__

    def spy(self, batch, *args, **kwargs):
        sizes.append(len(batch))
        return original(self, batch, *args, **kwargs)

    monkeypatch.setattr(StickGenPipeline, "__call__", spy)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    common = ["--checkpoint", str(untrained_checkpoint), "--format", "motion", "--duration", "0.2", "--actors", "1"]
    assert main(["generate", "--prompts", str(prompts), "--output-dir", str(out), *common, "--batch-size", "300"]) == 0
    assert sizes == [300, 300, 300, 100]
    names = sorted(os.listdir(out))
    assert len(names) == 1000 and names[0] == "0001_person_0_waves.motion"  # 4 digits: names sort in order
    captured = capsys.readouterr()
    assert "1000/1000" in captured.err  # the progress bar
    assert captured.out.count("\n") == 1000  # one line per file written
    (tmp_path / "few.txt").write_text("a person waves\na person jumps\n")
    assert main(["generate", "--prompts", str(tmp_path / "few.txt"), "--output-dir", str(tmp_path / "quiet"),
                 *common, "--no-progress"]) == 0
    assert "2/2" not in capsys.readouterr().err


def test_a_10000_character_prompt_is_read_to_the_encoder_limit_with_one_warning_line(tmp_path, capsys,
                                                                                    untrained_checkpoint):
    prompt = ("a person walks forward and waves " * 400)[:10_000]
    assert main(["generate", prompt, "-o", str(tmp_path / "long.gif"), "--checkpoint", str(untrained_checkpoint),
                 "--size", "64", "--duration", "1", "--actors", "1"]) == 0
    err = capsys.readouterr().err
    assert "reads at most 256" in err
    assert all(line.startswith("warning: ") for line in err.strip().splitlines())
    assert (tmp_path / "long.gif").stat().st_size > 0


# --- item 3: Hub failures, through the local Hub server ------------------------------------------------


@pytest.fixture
def hub(tmp_path, saved):
    with LocalHub(tmp_path / "hub", users={BOT_TOKEN: ("gestura-bot", ["GesturaAI"])}) as server, \
            hub_environment(server, tmp_path / "hf-home"):
        api = HfApi(endpoint=server.endpoint, token=BOT_TOKEN)
        api.create_repo(REPO)
        api.upload_folder(repo_id=REPO, folder_path=str(saved), allow_patterns=["config.json", "model.safetensors"])
        api.create_tag(REPO, tag="v1.0.0")
        yield server


@pytest.mark.parametrize("model, message", [
    ("not a repo", "'not a repo' is not a Hub repository id"),
    ("GesturaAI/does-not-exist", "no such model repository"),
    ("GesturaAI/does-not-exist", "needs a token"),
    (f"{REPO}@v9.9.9", "has no revision 'v9.9.9'"),
])
def test_hub_failures_are_one_line_that_says_what_to_do(tmp_path, capsys, hub, model, message):
    err = one_line_error(capsys, ["generate", "a person waves", "-o", str(tmp_path / "x.gif"), "--model", model])
    assert message in err
    assert not (tmp_path / "x.gif").exists()


def test_a_model_from_the_hub_still_generates(tmp_path, capsys, hub):
    assert main(["generate", "a person waves", "-o", str(tmp_path / "x.motion"), "--model", f"{REPO}@v1.0.0",
                 "--duration", "1"]) == 0
    assert (tmp_path / "x.motion").is_file()


def test_offline_with_an_uncached_repo_says_what_is_cached(tmp_path, hub):
    run = [sys.executable, "-m", "stick_gen.cli", "generate", "a person waves", "-o", str(tmp_path / "x.gif")]
    online = subprocess.run([*run[:-1], str(tmp_path / "ok.motion"), "--model", REPO, "--duration", "1"],
                            capture_output=True, text=True, timeout=300)
    assert online.returncode == 0, online.stderr
    offline = subprocess.run([*run, "--model", "GesturaAI/stick-gen-other"], capture_output=True, text=True,
                             timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert offline.returncode == 1
    lines = offline.stderr.strip().splitlines()
    assert len(lines) == 1, offline.stderr
    assert "not in the Hugging Face cache" in lines[0] and "HF_HUB_OFFLINE" in lines[0]
    assert f"cached: {REPO}" in lines[0]


# --- item 4: config.json is checked before anything is built -------------------------------------------


BAD_CONFIGS = [
    ({"d_model": 16384, "num_layers": 48, "nhead": 16, "dim_feedforward": 65536}, "d_model=16384 is out of range"),
    ({"d_model": 2048, "num_layers": 64, "nhead": 16, "dim_feedforward": 8192}, "parameters"),
    ({"d_model": "256"}, 'd_model="256" must be an integer'),
    ({"dropout": "0.1"}, 'dropout="0.1" must be a number'),
    ({"num_layers": True}, "num_layers=true must be an integer"),
    ({"num_layers": 2.0}, "num_layers=2.0 must be an integer"),
    ({"nhead": 0}, "nhead=0 is out of range"),
    ({"max_frames": -250}, "max_frames=-250 is out of range"),
    ({"dim_feedforward": [128]}, "dim_feedforward=list must be"),
    ({"text_encoder": 42}, "text_encoder=42 must be text or null"),
    ({"text_encoder": "x" * 500}, "500 characters long"),
    ({"variant": {"name": "small"}}, "variant=dict must be text or null"),
    ({"sneaky": 1}, "unknown key(s) 'sneaky'"),
]


def write_config(folder: Path, text: str = None, **changes) -> Path:
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(text if text is not None else json.dumps(config))
    return folder


@pytest.fixture
def model_dir(tmp_path, saved) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("config.json", "model.safetensors"):
        (folder / name).write_bytes((saved / name).read_bytes())
    return folder


@pytest.mark.parametrize("changes, message", BAD_CONFIGS)
def test_bad_config_json_is_one_line_before_any_model_is_built(tmp_path, capsys, monkeypatch, model_dir,
                                                               changes, message):
    write_config(model_dir, **changes)
    built = []

    @functools.wraps(StickFigureTransformer.__init__)
    def spy(self, *args, **kwargs):
        built.append(kwargs)
        pytest.fail("a model was built from a bad config")

    monkeypatch.setattr(StickFigureTransformer, "__init__", spy)
    err = one_line_error(capsys, ["generate", "a person waves", "-o", str(tmp_path / "x.gif"),
                                  "--checkpoint", str(model_dir)])
    assert message in err and "config.json" in err
    with pytest.raises(CheckpointError, match="config.json"):
        load_checkpoint(model_dir)
    assert built == []


@pytest.mark.parametrize("text, message", [
    ("[" * 20_000 + "]" * 20_000, "nested too deeply"),
    ("[1, 2]", "not an object"),
    ('{"d_model": NaN}', "d_model=NaN must be an integer"),
    ('{"dropout": NaN}', "dropout=NaN must be a number"),
    ('{"dropout": Infinity}', "out of range"),
    ("{" + '"d_model": 1' + "0" * 5000 + "}", "not valid JSON"),
    ('{"d_model": 256', "not valid JSON"),
    ('{"text_encoder": "' + "x" * 70_000 + '"}', "too large"),
])
def test_malformed_config_json_is_one_line(tmp_path, capsys, model_dir, text, message):
    write_config(model_dir, text=text)
    err = one_line_error(capsys, ["generate", "a person waves", "-o", str(tmp_path / "x.gif"),
                                  "--checkpoint", str(model_dir)])
    assert message in err and "config.json" in err


def test_non_utf8_config_json_is_one_line(tmp_path, capsys, model_dir):
    (model_dir / "config.json").write_bytes(b'{"d_model": "\xff"}')
    err = one_line_error(capsys, ["generate", "a person waves", "-o", str(tmp_path / "x.gif"),
                                  "--checkpoint", str(model_dir)])
    assert "not UTF-8" in err


@pytest.mark.parametrize("changes, message", BAD_CONFIGS[:3])
def test_a_training_checkpoint_with_a_bad_config_is_refused_unbuilt(tmp_path, capsys, changes, message):
    model = tiny_transformer(text_encoder="hashing-1024-v1")
    path = save_training_checkpoint(tmp_path / "best_model.pt", model,
                                    extra={"model_config": {**model.config, **changes}})
    with pytest.raises(CheckpointError, match="best_model.pt"):
        load_model(path)
    err = one_line_error(capsys, ["generate", "hi", "-o", str(tmp_path / "x.gif"), "--checkpoint", str(path)])
    assert message.split(" must")[0].split(" is")[0] in err


def test_weights_that_claim_thousands_of_layers_are_refused_unbuilt(tmp_path):
    state = tiny_transformer(text_encoder="hashing-1024-v1").state_dict()
    state["blocks.99999.attn_out.bias"] = torch.zeros(1)  # a tiny tensor with a huge layer number
    torch.save(state, tmp_path / "plain.bin")
    with pytest.raises(CheckpointError, match="num_layers=100000 is out of range"):
        load_model(tmp_path / "plain.bin")


def test_every_real_config_passes_the_check(tmp_path, saved):
    for variant in VARIANTS.values():
        config = {"d_model": variant.d_model, "nhead": variant.nhead, "num_layers": variant.num_layers}
        assert check_model_config(config) == config
        assert abs(estimated_parameters(config) / variant.params - 1) < 0.05
    model = tiny_transformer(text_encoder="hashing-1024-v1")
    assert check_model_config(model.config) == model.config
    assert abs(estimated_parameters(model.config) / model.num_parameters() - 1) < 0.05
    assert MAX_MODEL_PARAMETERS == 4 * VARIANTS["large"].params


# --- fuzzing: whatever the bytes, one StickGenError or a valid result, never another exception -------------


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(key=st.sampled_from(["d_model", "nhead", "num_layers", "dim_feedforward", "max_frames", "frames_per_token",
                            "latent_dim", "max_actors", "dropout", "text_encoder", "variant", "format_version",
                            "max_clauses", "embedding_dim", "unknown"]),
       value=JSON_VALUES)
def test_fuzzed_config_json_is_checked_or_refused(tmp_path, saved, key, value):
    path = tmp_path / "config.json"
    config = json.loads((saved / "config.json").read_text())
    config[key] = value
    path.write_text(json.dumps(config))
    try:
        checked = read_config_json(path)
    except CheckpointError as err:
        assert "config.json" in str(err) and "\n" not in str(err)
        return
    params = {k: v for k, v in checked.items() if k in model_config_keys()}
    assert estimated_parameters(params) <= MAX_MODEL_PARAMETERS  # whatever passes is small enough to build


@FUZZ
@given(path=st.sampled_from(["fps", "num_frames", "num_actors", "frames", "frames.0", "frames.0.0", "frames.0.0.3",
                             "actions", "actions.vocabulary", "actions.vocabulary.0", "actions.per_actor",
                             "actions.per_actor.0", "actions.per_actor.0.0", "actions.per_actor.0.0.end_frame",
                             "actions.per_actor.0.0.action", "meta.model", "meta.revision",
                             "meta", "meta.prompt", "meta.seed", "meta.actor_prompts", "start_positions",
                             "pose_layout", "version", "format"]),
       value=JSON_VALUES)
def test_fuzzed_motion_fields_load_or_give_one_line(tmp_path, path, value):
    from stick_gen.inference.animation import Animation, load_motion, save_motion

    anim = Animation(np.zeros((6, 1, 20), np.float32), np.zeros((6, 1), np.int64), ("walk",), 25, "a person walks")
    target = save_motion(anim, tmp_path / "fuzz.motion")
    doc = json.loads(target.read_text())
    *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = doc
    for part in parents:
        node = node[part]
    node[last] = value
    target.write_text(json.dumps(doc))
    try:
        back = load_motion(target)
    except GenerationError as err:
        assert "fuzz.motion" in str(err) and "\n" not in str(err) and len(str(err)) < 600
        return
    assert back.num_frames <= 3000 and back.fps <= 240 and np.all(np.abs(back.frames) <= 10_000)


@FUZZ
@given(content=st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_fuzzed_prompts_files_are_read_or_refused_in_one_line(tmp_path, content):
    from stick_gen.commands.generate import _count_prompts, _read_prompts

    path = tmp_path / "prompts.txt"
    path.write_bytes(content)
    try:
        count = _count_prompts(path)
    except GenerationError as err:
        assert "prompts.txt" in str(err) and "\n" not in str(err)
        return
    prompts = [p for _, p in _read_prompts(path)]
    assert len(prompts) == count >= 1 and all(p == p.strip() and p for p in prompts)
