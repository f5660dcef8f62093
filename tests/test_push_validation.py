"""Validation before publishing: every failure, the prompt in a terminal, exit code 3 without one."""

from __future__ import annotations

import os
import pickle
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from stick_gen.cli import main
from stick_gen.hub.cards import render_card
from stick_gen.hub.bundle import MANIFEST
from stick_gen.training.lora import lora_parameter_count

from .push_support import (
    REPO_ROOT,
    make_model,
    push_args,
    run_command,
    write_lora,
    write_pretrained,
    write_sft,
)



class _RunsCode:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _push(capsys, *args, checkpoint="checkpoints/best_model.pt", variant="medium"):
    """Run `stick-gen push ... --no-upload` in-process; returns (exit code, stdout, stderr)."""
    code = main(push_args(checkpoint, "--no-upload", *args, variant=variant))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _card(tmp: Path, text: str, name: str = "card.md") -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)


def test_wrong_variant_prints_expected_actual_difference(checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    code, out, err = _push(capsys)
    assert code == 3
    actual = make_model("small").num_parameters()  # the small variant's count, whatever the model is today
    difference = actual - 15_800_000
    assert (f"expected 15.8M +- 790K (15,010,000 to 16,590,000), actual {actual:,}, difference {difference:+,} "
            f"({difference / 15_800_000:+.1%})") in err
    assert "pass --variant small" in err and "nothing was written or sent" in err
    assert not (checkout / "hf_upload").exists()


def test_parameter_count_outside_tolerance_with_a_matching_shape(checkout, capsys):
    """A medium-shaped model with a much wider action head: keys fit no variant row, count is off."""
    model = make_model("medium")
    state = model.state_dict()
    state.pop("motion_head.bias")
    torch.save(state, checkout / "pytorch_model.bin")
    code, _, err = _push(capsys, checkpoint="pytorch_model.bin")
    assert code == 3 and "missing keys (1): motion_head.bias" in err


def test_plain_state_dict_is_accepted_with_warnings(checkout, capsys):
    """The spec's own pytorch_model.bin (no config, no encoder identity): variant defaults, with warnings."""
    torch.save(make_model("medium").state_dict(), checkout / "pytorch_model.bin")
    code, out, err = _push(capsys, checkpoint="pytorch_model.bin")
    assert code == 0, err
    assert "records no model config; using the medium variant's defaults" in err
    assert "records no text encoder; assuming the medium variant's default 'minilm-l6-v2/lift1024-v1'" in err
    assert (checkout / "hf_upload" / MANIFEST).is_file()


@pytest.mark.parametrize("extra", [[], ["--yes"], ["--skip-validation"], ["--yes", "--skip-validation"]])
def test_malicious_pickle_runs_nothing_and_fails(checkout, capsys, extra):
    marker = checkout / "pwned"
    torch.save({"model_state_dict": _RunsCode(marker)}, checkout / "evil.pt")
    code, out, err = _push(capsys, *extra, checkpoint="evil.pt")
    assert code == 3 and "refused to load" in err and "Nothing from it was executed" in err
    assert not marker.exists() and not (checkout / "hf_upload").exists()


def test_malicious_pickle_through_the_script_never_executes(checkout):
    marker = checkout / "pwned"
    (checkout / "checkpoints").mkdir()
    (checkout / "checkpoints/best_model.pt").write_bytes(pickle.dumps({"model_state_dict": _RunsCode(marker)}))
    done = run_command("python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --yes", checkout)
    assert done.returncode != 0 and not marker.exists()


@pytest.mark.parametrize("damage, message", [
    ("truncate", "not a readable PyTorch checkpoint"),
    ("empty", "the file is empty"),
    ("missing", "no such file"),
])
def test_unreadable_checkpoints_are_fatal_even_with_yes(checkout, capsys, damage, message):
    path = checkout / "checkpoints/best_model.pt"
    write_pretrained(path, "small")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:5000])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    code, _, err = _push(capsys, "--yes", variant="small")
    assert code == 3 and message in err


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("## Citation", "## References"), "missing the required section '## Citation'"),
    (lambda t: t.replace("## Intended Uses", "## Uses"), "missing the required section '## Intended Uses'"),
    (lambda t: t.replace("library_name: stick-gen\n", ""), "front matter lacks 'library_name'"),
    (lambda t: t.replace("pipeline_tag: text-to-video\n", ""), "front matter lacks 'pipeline_tag'"),
    (lambda t: t.replace("license: mit", "license: apache-2.0"), "the bundle's LICENSE is MIT"),
    (lambda t: t.replace("tags:\n", "tags: [unclosed\n", 1), "the front matter is not valid YAML"),
    (lambda t: t.split("---\n", 2)[2], "no YAML front matter"),
    (lambda t: t.replace("      value: TBD\n", "", 1), "model-index: huggingface_hub cannot read it (KeyError: 'value')"),
    (lambda t: t.replace("language: en", "language: [en, 7]"), "'language' must be a string or a list of strings"),
    (lambda t: t.replace("tags:\n", "tags: stick-gen\nx:\n", 1), "'tags' must be a list of strings"),
    (lambda t: t.replace("stick-gen-medium", "stick-gen-small"), "describes the small variant but --variant is medium"),
    (lambda t: t + "\n![Animation](examples/catch.gif)\n", "shows examples/catch.gif but no such file"),
])
def test_card_problems_stop_a_non_interactive_push(checkout, capsys, tmp_path, edit, message):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    code, _, err = _push(capsys, "--model-card", _card(tmp_path, edit(render_card("medium"))))
    assert code == 3, err
    assert message in err and "pass --yes to publish anyway" in err
    assert not (checkout / "hf_upload").exists()


def test_yes_continues_past_problems_but_not_past_a_token_in_the_card(checkout, capsys, tmp_path):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    card = render_card("medium").replace("## Citation", "## References")
    code, _, err = _push(capsys, "--yes", "--model-card", _card(tmp_path, card))
    assert code == 0 and "--yes: continuing past 1 validation problem" in err
    leaked = render_card("medium") + "\nlogin: hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n"
    code, _, err = _push(capsys, "--yes", "--model-card", _card(tmp_path, leaked, "leaky.md"))
    assert code == 3 and "looks like a Hugging Face token" in err
    assert "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" not in err


def test_tbd_lines_are_warnings_with_line_numbers(checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    code, out, err = _push(capsys)
    assert code == 0 and "validation passed" in out
    lines = [line for line in err.splitlines() if "TBD to update" in line]
    card = (checkout / "model_cards/medium.md").read_text().splitlines()
    assert len(lines) == sum("TBD" in line for line in card) > 0
    first = int(lines[0].split(" line ")[1].split(":")[0])
    assert "TBD" in card[first - 1]


def test_finetune_card_must_name_the_checkpoints_base(checkout, capsys, tmp_path):
    write_sft(checkout / "checkpoints/sft/best.pth", "medium")
    no_base = render_card("medium", "sft").replace("base_model: GesturaAI/stick-gen-medium\n", "")
    code, _, err = _push(capsys, "--model-card", _card(tmp_path, no_base), checkpoint="checkpoints/sft/best.pth")
    assert code == 3 and "needs 'base_model' in its front matter (e.g. base_model: GesturaAI/stick-gen-medium)" in err
    other = render_card("medium", "sft").replace("base_model: GesturaAI/stick-gen-medium", "base_model: x/other")
    code, _, err = _push(capsys, "--model-card", _card(tmp_path, other, "o.md"), checkpoint="checkpoints/sft/best.pth")
    assert code == 3 and "fine-tuned from 'GesturaAI/stick-gen-medium'" in err


def test_text_encoder_and_training_config_must_agree(checkout, capsys):
    from stick_gen.model.checkpoint import save_training_checkpoint

    model = make_model("medium")
    model.config.text_encoder = "hashing-1024-v1"  # the weights' config names another encoder
    save_training_checkpoint(checkout / "a.pt", model, extra={"config": {"variant": "small", "model": {"d_model": 384},
                                                                         "text_encoder": "bge"}})
    code, _, err = _push(capsys, checkpoint="a.pt")
    assert code == 3
    assert "names two text encoders" in err
    assert "trained with text encoder 'bge'" in err
    assert "trained as the small variant but --variant is medium" in err


def test_lora_adapters_are_checked_against_the_base_variant(checkout, capsys):
    write_lora(checkout / "small_adapters.pth", "small")
    code, _, err = _push(capsys, checkpoint="small_adapters.pth", variant="medium")
    assert code == 3 and "adapters for the small variant but --variant is medium" in err
    assert "do not fit the medium variant" in err

    path = checkout / "lora_adapters.pth"
    write_lora(path, "medium")
    raw = torch.load(path, weights_only=True)
    dropped = next(k for k in raw["adapter_state_dict"] if "ffn_in.lora_A" in k)
    del raw["adapter_state_dict"][dropped]
    torch.save(raw, path)
    code, _, err = _push(capsys, checkpoint="lora_adapters.pth")
    expected = lora_parameter_count(raw["base_model"]["model_config"], r=6)
    assert code == 3 and f"expected {expected:,} for r=6" in err and "some adapters are missing or extra" in err


def test_an_output_dir_that_is_not_a_bundle_is_never_replaced(checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    (checkout / "hf_upload").mkdir()
    (checkout / "hf_upload" / "notes.txt").write_text("mine")
    code, _, err = _push(capsys, variant="small")
    assert code == 1 and "is not a stick-gen bundle" in err
    assert (checkout / "hf_upload" / "notes.txt").read_text() == "mine"
    assert [p.name for p in checkout.iterdir() if p.name.startswith(".")] == []


def _run_in_terminal(words, cwd: Path, answer: bytes):
    """Run ``words`` with a pseudo-terminal as stdin, typing ``answer``; returns (code, stdout, stderr)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(words, cwd=cwd, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    os.write(master, answer)
    try:
        out, err = proc.communicate(timeout=180)
    finally:
        os.close(master)
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("answer, code", [(b"n\n", 3), (b"\n", 3), (b"y\n", 0)])
def test_a_terminal_is_asked_continue_y_n(checkout, answer, code):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    words = [sys.executable, "scripts/push_to_huggingface.py", "--checkpoint", "checkpoints/best_model.pt",
             "--no-upload"]  # small weights, medium variant: a problem
    returncode, out, err = _run_in_terminal(words, checkout, answer)
    assert "continue? [y/N]" in out
    assert returncode == code, err[-2000:]
    assert (checkout / "hf_upload" / MANIFEST).is_file() == (code == 0)
    if code:
        assert "cancelled" in err


def test_piped_input_is_not_a_terminal_and_never_waits(checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    done = run_command("python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --no-upload",
                       checkout, stdin="y\n", timeout=120)
    assert done.returncode == 3
    assert "continue?" not in done.stdout and "validation found 2 problem(s)" in done.stderr


@pytest.mark.parametrize("flags, message", [
    (["--repo-name", "GesturaAI/x.git"], "--repo-name 'GesturaAI/x.git' is not a Hub repository id: the Hub refuses "
                                         "names ending in '.git'"),
    (["--repo-name", "GesturaAI/a--b"], "--repo-name 'GesturaAI/a--b' is not a Hub repository id"),
    (["--repo-name", "GesturaAI/a..b"], "--repo-name 'GesturaAI/a..b' is not a Hub repository id"),
    (["--repo-name", "GesturaAI/-x"], "--repo-name 'GesturaAI/-x' is not a Hub repository id"),
    (["--repo-name", "GesturaAI/x y"], "--repo-name 'GesturaAI/x y' is not a Hub repository id"),
    (["--repo-name", "a/b/c"], "--repo-name 'a/b/c' is not a Hub repository id"),
    (["--repo-name", "stick-gen"], "--repo-name 'stick-gen' is not a Hub repository id: it needs a namespace"),
    (["--method", "a--b"], "fine-tune method 'a--b' cannot be part of a repository name"),
    (["--method", "custom-"], "fine-tune method 'custom-' cannot be part of a repository name"),
    (["--revision", "../x"], "--revision '../x' is not a branch name"),
    (["--revision", "a:b"], "--revision 'a:b' is not a branch name"),
    (["--revision", "a b"], "--revision 'a b' is not a branch name"),
    (["--revision=-x"], "--revision '-x' is not a branch name"),
    (["--revision", "a..b"], "--revision 'a..b' is not a branch name"),
    (["--revision", "x.lock"], "--revision 'x.lock' is not a branch name"),
    (["--revision", "a~1"], "--revision 'a~1' is not a branch name"),
    (["--revision", "a@{1}"], "--revision 'a@{1}' is not a branch name"),
    (["--revision", ".hidden"], "--revision '.hidden' is not a branch name"),
    (["--revision", "refs/heads/main"], "--revision 'refs/heads/main' is not a branch name"),
    (["--revision", "dev/"], "--revision 'dev/' is not a branch name"),
])
def test_names_the_hub_refuses_are_refused_before_any_work(hub, checkout, capsys, flags, message):
    """The checkpoint does not even exist: the flag is refused before anything is read, built or sent."""
    code = main(push_args("checkpoints/missing.pt", "--version", "1.0.0", *flags))
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(f"error: {message}") and len(err.strip().splitlines()) == 1, err
    assert hub.requests == [] and sorted(p.name for p in checkout.iterdir()) == sorted(
        ["scripts", "push_to_huggingface.py", "model_cards", "configs"])


@pytest.mark.parametrize("repo, revision", [("your-username/stick-gen.v2", "release/1.0"), ("a/b_c", "dev")])
def test_names_the_hub_takes_are_accepted(checkout, capsys, repo, revision):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--repo-name", repo, "--revision", revision, "--no-upload",
                          variant="small")) == 0


def test_exit_codes_are_distinct_and_documented(checkout, capsys):
    """2 is argparse's (a command line it cannot parse), 3 a failed validation; --help and the docs list both."""
    from stick_gen.cli import build_parser
    from stick_gen.model.errors import StickGenError, ValidationError

    with pytest.raises(SystemExit) as usage:
        main(["push", "--checkpoint", "x.pt", "--no-such-flag"])
    assert usage.value.code == 2
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    code, _, err = _push(capsys)  # small weights, medium variant: validation fails
    assert code == 3 == ValidationError.exit_code and "validation found" in err
    help_text = build_parser().format_help()
    documented = {int(code): line for code, line in
                  (line.split(None, 1) for line in help_text.split("exit codes:\n")[1].splitlines() if line.strip())}
    assert set(documented) == {0, StickGenError.exit_code, 2, ValidationError.exit_code, 130}
    assert "validation" in documented[3] and "parsed" in documented[2]
    docs = (REPO_ROOT / "docs" / "publishing.md").read_text().split("## Exit codes\n")[1].split("\n## ")[0]
    rows = {int(row.split("|")[1].strip(" `")) for row in docs.splitlines() if row.startswith("| `")}
    assert rows == set(documented)
