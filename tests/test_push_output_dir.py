"""--output-dir: only a bundle stick-gen provably wrote is ever replaced; everything else is refused in one
line, untouched; staging folders an interrupted run left behind are removed by the next run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict

import pytest

from stick_gen.cli import main
from stick_gen.hub.bundle import BUNDLE_MARKER, MANIFEST, read_manifest, remove_stale_staging

from .push_support import push_args, run_command, write_pretrained

NO_UPLOAD = "python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --variant small --no-upload"


def _tree(root: Path) -> Dict[str, bytes]:
    """Every entry under ``root``: file bytes, or b"<dir>" / b"<link>"; for "nothing was touched" checks."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        found[key] = (b"<link>" + os.readlink(path).encode() if path.is_symlink() else
                      b"<dir>" if path.is_dir() else path.read_bytes())
    return found


def _bundle(checkout: Path, output_dir: str = "hf_upload") -> Path:
    assert main(push_args("checkpoints/best_model.pt", "--no-upload", "--output-dir", output_dir,
                          variant="small")) == 0
    return checkout / output_dir


def _issue_dir(checkout: Path) -> str:
    """The issue's reproduction: a folder holding a SHA256SUMS of its own and the user's files."""
    (checkout / "d" / "sub").mkdir(parents=True)
    (checkout / "d" / "precious.txt").write_text("precious\n")
    (checkout / "d" / MANIFEST).write_text("x  y\n")
    return "d"


def _bundle_copy_with_git_and_notes(checkout: Path) -> str:
    shutil.copytree(_bundle(checkout), checkout / "mine")
    (checkout / "mine" / ".git").mkdir()
    (checkout / "mine" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (checkout / "mine" / "NOTES.md").write_text("what I changed\n")
    return "mine"


def _bundle_with(change: Callable[[Path], None]) -> Callable[[Path], str]:
    def make(checkout: Path) -> str:
        change(_bundle(checkout))
        return "hf_upload"
    return make


def _plain_copy(checkout: Path) -> str:
    shutil.copytree(_bundle(checkout), checkout / "backup", symlinks=True)  # marker and all
    return "backup"


def _link_to_bundle(checkout: Path) -> str:
    _bundle(checkout)
    (checkout / "link").symlink_to(checkout / "hf_upload")
    return "link"


def _holding_the_checkpoint(checkout: Path) -> str:
    return "checkpoints"


REFUSED = {
    "the issue's folder with SHA256SUMS": (_issue_dir, "d is not a stick-gen bundle"),
    "a bundle copy with .git and NOTES.md": (_bundle_copy_with_git_and_notes, "mine is not the folder stick-gen"),
    "a bundle with a note added": (_bundle_with(lambda d: (d / "NOTES.md").write_text("mine")),
                                   "holds files stick-gen did not write (NOTES.md)"),
    "a bundle with an empty folder added": (_bundle_with(lambda d: (d / "sub").mkdir()),
                                            "holds files stick-gen did not write (sub/)"),
    "a bundle with its card edited": (_bundle_with(lambda d: (d / "README.md").write_text("my edit")),
                                      "holds files changed since stick-gen wrote them (README.md)"),
    "a bundle with a file turned into a link": (
        _bundle_with(lambda d: ((d / "LICENSE").unlink(), (d / "LICENSE").symlink_to(d / "README.md"))),
        "holds files stick-gen did not write (LICENSE)"),
    "a copy of a bundle (cp -r)": (_plain_copy, "backup is not the folder stick-gen wrote (a copy of a bundle?"),
    "a link to a bundle": (_link_to_bundle, "link is a symbolic link"),
    "the current directory": (lambda c: ".", ". is the current directory or holds it"),
    "the current directory as $PWD": (lambda c: str(c), "{} is the current directory or holds it"),
    "the parent of the current directory": (lambda c: "..", ".. is the current directory or holds it"),
    "the folder holding the checkpoint": (_holding_the_checkpoint, "holds checkpoints/best_model.pt, which this"),
}


@pytest.mark.parametrize("make, expected", REFUSED.values(), ids=list(REFUSED))
def test_a_directory_stick_gen_cannot_prove_it_wrote_is_refused_untouched(checkout, make, expected):
    """The issue's command line, as a user runs it (a real process, stdin from /dev/null)."""
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    output_dir = make(checkout)
    expected = expected.replace("{}", str(checkout))
    before = _tree(checkout.parent)
    done = run_command(f"{NO_UPLOAD} --output-dir '{output_dir}'", checkout, stdin="")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.startswith("error: --output-dir ") and expected in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr  # one line, no traceback
    assert "--output-dir" in done.stderr.split("; ", 1)[1]  # ... and the fix
    assert _tree(checkout.parent) == before  # nothing touched, nothing added


def test_a_bundle_stick_gen_wrote_is_replaced_even_after_touch_or_a_deleted_file(checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    bundle = _bundle(checkout)
    first = read_manifest(bundle)
    (bundle / "README.md").touch()  # a new modification time, the same bytes: still what stick-gen wrote
    (bundle / "LICENSE").unlink()  # a file taken away loses nothing
    os.replace(bundle, checkout / "renamed")  # a rename keeps the folder itself
    assert _bundle(checkout, "renamed") == checkout / "renamed"
    assert read_manifest(checkout / "renamed") == first and (checkout / "renamed" / "LICENSE").is_file()
    assert [p.name for p in checkout.iterdir() if p.name.startswith(".")] == []
    (checkout / "empty").mkdir()
    assert read_manifest(_bundle(checkout, "empty")) == first  # an empty folder may be used too


def test_a_staging_folder_left_by_kill_9_is_removed_by_the_next_run(checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    words = [sys.executable, "scripts/push_to_huggingface.py", "--checkpoint", "checkpoints/best_model.pt",
             "--variant", "small", "--no-upload"]
    proc = subprocess.Popen(words, cwd=checkout, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            staging = list(checkout.glob(".hf_upload.*.partial"))
            if staging and (staging[0] / "config.yaml").is_file():
                break
            time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # the process this test started, by its id
        proc.wait()
    left = list(checkout.glob(".hf_upload.*.partial"))
    assert len(left) == 1 and any(left[0].iterdir()), "the build finished before it could be killed"
    mine = checkout / ".hf_upload.mine.partial"  # a user's folder of that shape: not provably ours
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    done = run_command(NO_UPLOAD, checkout, stdin="")
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"removed {left[0].name}, left beside hf_upload by an interrupted run" in done.stdout
    assert not left[0].exists() and (mine / "keep.txt").read_text() == "mine"
    assert (checkout / "hf_upload" / BUNDLE_MARKER).is_file()


def test_a_running_build_and_another_machines_staging_folder_are_left_alone(tmp_path):
    """Only a folder whose building process is gone (on this machine) is stale."""
    import json
    import socket

    def staging(name: str, pid: int, host: str) -> Path:
        folder = tmp_path / f".hf_upload.{name}.partial"
        folder.mkdir()
        (folder / "pytorch_model.bin").write_bytes(b"partial")
        (folder / BUNDLE_MARKER).write_text(json.dumps({"written_by": "stick-gen", "state": "building",
                                                         "pid": pid, "host": host}))
        return folder

    running = staging("running", os.getpid(), socket.gethostname())
    elsewhere = staging("elsewhere", 2 ** 22 + 1, "another-machine")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = staging("gone", dead.pid, socket.gethostname())
    assert remove_stale_staging(tmp_path / "hf_upload") == [gone]
    assert running.is_dir() and elsewhere.is_dir() and not gone.exists()
