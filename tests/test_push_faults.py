"""Uploads through every fault the local Hub can inject: the commit lands whole after retries, or
nothing lands and a rerun completes without re-sending large files the Hub already stores."""

from __future__ import annotations

import time

import pytest
from huggingface_hub import HfApi

from stick_gen.hub.push import PushOptions, push
from stick_gen.model.errors import HubError
from stick_gen.testing.local_hub import COMMIT_PATH, LFS_UPLOAD_PATH

from .push_support import BOT_TOKEN, commits_on, lfs_puts, write_pretrained


REPO = "GesturaAI/stick-gen-small"


def _options(**changes) -> PushOptions:
    settings = dict(checkpoint="checkpoints/best_model.pt", variant="small", version="1.0.0", attempts=3,
                    backoff=0.05)
    settings.update(changes)
    return PushOptions(**settings)


@pytest.fixture
def lines():
    return []


def _push(lines, **changes):
    return push(_options(**changes), out=lines.append, warn=lines.append)


def _tag_target(hub, tag="v1.0.0"):
    refs = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN).list_repo_refs(REPO)
    return next((t.target_commit for t in refs.tags if t.name == tag), None)


def _assert_landed_once(hub):
    """One commit on top of the initial one, holding the whole bundle, tagged."""
    assert commits_on(hub, REPO) == 2
    assert {"pytorch_model.bin", "model.safetensors", "README.md", "SHA256SUMS", "VERSION"} <= set(hub.files(REPO))
    assert _tag_target(hub) == hub.head(REPO)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_a_transient_error_on_the_commit_is_retried(hub, checkout, lines, status):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    fault = hub.faults.add("error", count=1, path_contains=COMMIT_PATH, status=status)
    result = _push(lines)
    assert fault.fired == 1 and result.upload.committed
    assert any(f"the commit failed (HTTP {status}); attempt 2 of 3" in line for line in lines)
    _assert_landed_once(hub)


def test_429_waits_as_long_as_retry_after_says(hub, checkout, lines):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    hub.faults.add("rate_limit", count=1, path_contains=COMMIT_PATH, retry_after=2)
    started = time.monotonic()
    _push(lines)
    assert time.monotonic() - started >= 2
    assert any("HTTP 429" in line and "in 2 s (the server asked for this wait)" in line for line in lines)
    _assert_landed_once(hub)


def test_a_slow_answer_times_out_and_is_retried(hub, checkout, lines):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    hub.faults.add("slow", count=1, path_contains=COMMIT_PATH, seconds=4)
    _push(lines, timeout=1.0)
    assert any("the commit failed (timeout)" in line for line in lines)
    time.sleep(3.5)  # let the slow commit finish on the server: it must be refused (its parent moved) or be ours
    _assert_landed_once(hub)


def test_an_answer_lost_after_the_commit_landed_makes_no_second_commit(hub, checkout, lines):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    fault = hub.faults.add("drop_response", count=1, path_contains=COMMIT_PATH)
    result = _push(lines)
    assert fault.fired == 1
    assert result.upload.commit_oid == hub.head(REPO)
    _assert_landed_once(hub)


def test_a_connection_dropped_mid_upload_is_resent(hub, checkout, lines):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    fault = hub.faults.add("drop_request", count=1, path_contains=LFS_UPLOAD_PATH, after_bytes=1 << 20)
    _push(lines)
    assert fault.fired == 1
    puts = lfs_puts(hub)
    assert len(puts) == 3 and min(puts) <= 1 << 21  # one cut short, then both files whole
    _assert_landed_once(hub)


def test_a_failure_that_persists_leaves_nothing_and_the_rerun_sends_no_large_file_twice(hub, checkout, lines):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    fault = hub.faults.add("error", count=None, path_contains=COMMIT_PATH, status=503)
    with pytest.raises(HubError) as caught:
        _push(lines)
    message = str(caught.value)
    assert "HTTP 503" in message and "gave up after 3 attempts" in message and "Run the same command again" in message
    assert fault.fired == 3
    assert commits_on(hub, REPO) == 1 and set(hub.files(REPO)) == {".gitattributes"}  # nothing of it landed
    assert _tag_target(hub) is None
    hub.faults.clear()
    hub.clear_requests()
    _push(lines)
    assert lfs_puts(hub) == []  # both weight files were stored by the failed run
    _assert_landed_once(hub)


def test_a_server_that_stalls_every_time_ends_with_an_upload_timeout_message(hub, checkout, lines):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    hub.faults.add("slow", count=None, path_contains=COMMIT_PATH, seconds=3)
    started = time.monotonic()
    with pytest.raises(HubError) as caught:
        _push(lines, timeout=0.5, attempts=2)
    assert time.monotonic() - started < 30
    assert "upload timeout" in str(caught.value) and "--timeout" in str(caught.value)


@pytest.mark.parametrize("kind", ["error", "drop_response"])
def test_tagging_survives_a_transient_failure(hub, checkout, lines, kind):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    fault = hub.faults.add(kind, count=1, path_contains="/tag/", method="POST")
    _push(lines)
    assert fault.fired == 1
    _assert_landed_once(hub)


@pytest.mark.slow
def test_lfs_uploads_that_keep_failing_end_cleanly_and_the_rerun_completes(hub, checkout, lines):
    """huggingface_hub retries each LFS PUT five times by itself (about 23 s) before giving up."""
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    hub.faults.add("drop_request", count=None, path_contains=LFS_UPLOAD_PATH)
    with pytest.raises(HubError) as caught:
        _push(lines, attempts=1)
    message = str(caught.value)
    assert "failed while uploading the large files (" in message and "Run the same command again to resume" in message
    assert "Check the network" not in message and len(message.splitlines()) == 1
    assert commits_on(hub, REPO) == 1 and set(hub.files(REPO)) == {".gitattributes"}
    hub.faults.clear()
    _push(lines)
    _assert_landed_once(hub)
