"""The local Hub server, driven by the real huggingface_hub client over HTTP.

The fault tests pin down what huggingface_hub (2.4.0 when written) retries by itself: the upload
code that retries around it relies on these answers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import (
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from stick_gen.testing.local_hub import COMMIT_PATH, LFS_UPLOAD_PATH, LocalHub, hub_environment

# huggingface_hub's own LFS PUT passes a file as `data=`, which httpx2 deprecates; not ours to fix.

BOT_TOKEN = "hf_local_gestura_bot"
OTHER_TOKEN = "hf_local_someone"
REPO = "GesturaAI/stick-gen-small"
CARD = "---\nlicense: mit\nlibrary_name: stick-gen\ntags:\n- text-to-motion\n---\n# stick-gen small\n"


def make_users() -> Dict[str, object]:
    return {BOT_TOKEN: ("gestura-bot", ["GesturaAI"]), OTHER_TOKEN: "someone"}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[LocalHub]:
    with LocalHub(tmp_path / "hub", users=make_users()) as hub, hub_environment(hub, tmp_path / "hf-home"):
        yield hub


@pytest.fixture
def api(hub: LocalHub) -> HfApi:
    return HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A small model folder: a card, a text config and a binary blob in a subfolder."""
    folder = tmp_path / "bundle"
    (folder / "weights").mkdir(parents=True)
    (folder / "README.md").write_text(CARD)
    (folder / "config.json").write_text('{"d_model": 256}\n')
    (folder / "weights" / "blob.dat").write_bytes(b"\x00\x01" + os.urandom(300_000))
    return folder


def lfs_put_bytes(hub: LocalHub) -> int:
    return sum(r.bytes_received for r in hub.requests if r.method == "PUT" and r.path.startswith(LFS_UPLOAD_PATH))


def test_create_repo_twice_needs_exist_ok(api: HfApi, hub: LocalHub) -> None:
    url = api.create_repo(REPO)
    assert url.repo_id == REPO and url.startswith(hub.endpoint)
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.create_repo(REPO)
    assert excinfo.value.response.status_code == 409
    assert api.create_repo(REPO, exist_ok=True).repo_id == REPO
    assert api.repo_exists(REPO) and api.list_repo_files(REPO) == [".gitattributes"]


def test_upload_then_download_by_branch_tag_and_sha(api: HfApi, hub: LocalHub, bundle: Path, tmp_path: Path) -> None:
    api.create_repo(REPO)
    commit = api.upload_folder(repo_id=REPO, folder_path=bundle, commit_message="first bundle")
    api.create_tag(REPO, tag="v1.0.0")

    stored = hub.files(REPO)
    assert stored["weights/blob.dat"].lfs and not stored["config.json"].lfs and not stored["README.md"].lfs
    assert api.list_repo_files(REPO) == [".gitattributes", "README.md", "config.json", "weights/blob.dat"]
    for revision in ("main", "v1.0.0", commit.oid):
        for name in ("README.md", "config.json", "weights/blob.dat"):
            path = hf_hub_download(REPO, name, revision=revision, endpoint=hub.endpoint)
            assert Path(path).read_bytes() == (bundle / name).read_bytes()
        snapshot = Path(snapshot_download(REPO, revision=revision, endpoint=hub.endpoint,
                                          cache_dir=tmp_path / f"cache-{revision}"))
        assert (snapshot / "weights" / "blob.dat").read_bytes() == (bundle / "weights" / "blob.dat").read_bytes()
        assert (snapshot / "config.json").read_bytes() == (bundle / "config.json").read_bytes()


def test_model_info_reads_card_front_matter(api: HfApi, bundle: Path) -> None:
    api.create_repo(REPO)
    commit = api.upload_folder(repo_id=REPO, folder_path=bundle)
    info = api.model_info(REPO)
    assert info.sha == commit.oid and info.private is False
    assert info.card_data.license == "mit" and info.card_data.tags == ["text-to-motion"]
    assert {"text-to-motion", "stick-gen", "license:mit"} <= set(info.tags)
    assert {s.rfilename for s in info.siblings} == {".gitattributes", "README.md", "config.json", "weights/blob.dat"}
    first = api.list_repo_commits(REPO)[-1].commit_id
    assert api.model_info(REPO, revision=first).card_data is None


def test_tag_collision_is_refused(api: HfApi, bundle: Path) -> None:
    api.create_repo(REPO)
    first = api.upload_folder(repo_id=REPO, folder_path=bundle)
    api.create_tag(REPO, tag="v1.0.0")
    (bundle / "config.json").write_text('{"d_model": 384}\n')
    api.upload_folder(repo_id=REPO, folder_path=bundle)
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.create_tag(REPO, tag="v1.0.0")
    assert excinfo.value.response.status_code == 409
    tags = {ref.name: ref.target_commit for ref in api.list_repo_refs(REPO).tags}
    assert tags == {"v1.0.0": first.oid}
    api.delete_tag(REPO, tag="v1.0.0")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(REPO, "config.json", revision="v1.0.0", endpoint=api.endpoint)


def test_private_repo_looks_missing_to_anonymous_and_strangers(api: HfApi, hub: LocalHub) -> None:
    api.create_repo(REPO, private=True)
    assert api.model_info(REPO).private is True
    for token in (False, OTHER_TOKEN):
        stranger = HfApi(endpoint=hub.endpoint, token=token)
        assert not stranger.repo_exists(REPO)
        assert not stranger.file_exists(REPO, ".gitattributes")
        with pytest.raises(RepositoryNotFoundError):
            stranger.model_info(REPO)
        with pytest.raises(RepositoryNotFoundError):
            hf_hub_download(REPO, ".gitattributes", endpoint=hub.endpoint, token=token)
        with pytest.raises(RepositoryNotFoundError):
            stranger.model_info("GesturaAI/never-created")  # same answer as for the private repo


def test_wrong_token_is_401(hub: LocalHub, api: HfApi) -> None:
    api.create_repo(REPO)
    intruder = HfApi(endpoint=hub.endpoint, token="hf_not_a_token")
    with pytest.raises(HfHubHTTPError) as excinfo:
        intruder.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=REPO)
    assert excinfo.value.response.status_code == 401
    with pytest.raises(RepositoryNotFoundError) as read_error:
        intruder.model_info(REPO)
    assert read_error.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError, match="Invalid user token"):
        intruder.whoami()
    assert api.whoami()["name"] == "gestura-bot"
    assert [org["name"] for org in api.whoami()["orgs"]] == ["GesturaAI"]


def test_foreign_namespace_is_403(hub: LocalHub, api: HfApi) -> None:
    api.create_repo(REPO)
    stranger = HfApi(endpoint=hub.endpoint, token=OTHER_TOKEN)
    with pytest.raises(HfHubHTTPError) as excinfo:
        stranger.create_repo("GesturaAI/not-yours")
    assert excinfo.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as excinfo:
        stranger.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=REPO)
    assert excinfo.value.response.status_code == 403
    assert stranger.create_repo("tiny").repo_id == "someone/tiny"  # a bare name lands in the user's namespace
    assert list(hub.files(REPO)) == [".gitattributes"]


@pytest.mark.parametrize(
    "kind, options",
    [("error", {"status": 500}), ("error", {"status": 503}), ("rate_limit", {"retry_after": 0}),
     ("drop_request", {}), ("drop_response", {})],
)
def test_client_retries_a_faulty_lfs_put_and_the_commit_lands_whole(
    api: HfApi, hub: LocalHub, bundle: Path, kind: str, options: Dict[str, int]
) -> None:
    api.create_repo(REPO)
    fault = hub.faults.add(kind, path_contains=LFS_UPLOAD_PATH, **options)
    commit = api.upload_folder(repo_id=REPO, folder_path=bundle)
    assert fault.fired == 1
    puts = [r for r in hub.requests if r.method == "PUT"]
    assert [r.fault for r in puts] == [kind, None] and puts[-1].status == 200
    assert hub.head(REPO) == commit.oid
    assert hub.read_file(REPO, "weights/blob.dat") == (bundle / "weights" / "blob.dat").read_bytes()


@pytest.mark.parametrize(
    "kind, options, raised",
    [("error", {"status": 500}, HfHubHTTPError), ("error", {"status": 502}, HfHubHTTPError),
     ("rate_limit", {"retry_after": 0}, HfHubHTTPError), ("drop_request", {}, httpx2.TransportError)],
)
def test_a_faulty_commit_is_not_retried_and_changes_nothing(
    api: HfApi, hub: LocalHub, bundle: Path, kind: str, options: Dict[str, int], raised: type
) -> None:
    api.create_repo(REPO)
    before = hub.head(REPO)
    hub.faults.add(kind, path_contains=COMMIT_PATH, **options)
    with pytest.raises(raised):
        api.upload_folder(repo_id=REPO, folder_path=bundle)
    assert [r.fault for r in hub.requests if COMMIT_PATH in r.path] == [kind]  # tried once
    assert hub.head(REPO) == before and list(hub.files(REPO)) == [".gitattributes"]
    hub.clear_requests()
    commit = api.upload_folder(repo_id=REPO, folder_path=bundle)  # a plain rerun completes it
    assert hub.head(REPO) == commit.oid and lfs_put_bytes(hub) == 0  # the blob was already stored


def test_a_lost_commit_response_raises_although_the_commit_landed(api: HfApi, hub: LocalHub, bundle: Path) -> None:
    api.create_repo(REPO)
    before = hub.head(REPO)
    hub.faults.add("drop_response", path_contains=COMMIT_PATH)
    with pytest.raises(httpx2.RemoteProtocolError):
        api.upload_folder(repo_id=REPO, folder_path=bundle)
    assert hub.head(REPO) != before
    assert set(hub.files(REPO)) == {".gitattributes", "README.md", "config.json", "weights/blob.dat"}
    hub.clear_requests()
    api.upload_folder(repo_id=REPO, folder_path=bundle)  # a rerun finds nothing to change
    assert not [r for r in hub.requests if COMMIT_PATH in r.path]


def test_a_slow_answer_is_waited_for(api: HfApi, hub: LocalHub) -> None:
    api.create_repo(REPO)
    hub.faults.add("slow", path_contains=COMMIT_PATH, seconds=0.5)
    api.upload_file(path_or_fileobj=b"hello\n", path_in_repo="hello.txt", repo_id=REPO)
    assert hub.read_file(REPO, "hello.txt") == b"hello\n"


def test_a_dropped_download_is_resumed_by_the_client(api: HfApi, hub: LocalHub, bundle: Path) -> None:
    api.create_repo(REPO)
    api.upload_folder(repo_id=REPO, folder_path=bundle)
    hub.faults.add("drop_response", path_contains="/resolve/", method="GET")
    path = hf_hub_download(REPO, "weights/blob.dat", endpoint=hub.endpoint)
    assert Path(path).read_bytes() == (bundle / "weights" / "blob.dat").read_bytes()
    assert [r.fault for r in hub.requests if r.method == "GET"] == ["drop_response", None]


def test_reupload_of_an_unchanged_folder_sends_no_lfs_bytes(api: HfApi, hub: LocalHub, bundle: Path) -> None:
    api.create_repo(REPO)
    first = api.upload_folder(repo_id=REPO, folder_path=bundle)
    assert lfs_put_bytes(hub) == (bundle / "weights" / "blob.dat").stat().st_size
    hub.clear_requests()
    again = api.upload_folder(repo_id=REPO, folder_path=bundle)
    assert lfs_put_bytes(hub) == 0 and again.oid == first.oid and hub.head(REPO) == first.oid


def test_a_commit_is_all_or_nothing(api: HfApi, hub: LocalHub, bundle: Path) -> None:
    api.create_repo(REPO)
    before = hub.head(REPO)
    operations = [
        CommitOperationAdd("config.json", bundle / "config.json"),
        CommitOperationAdd("weights/blob.dat", bundle / "weights" / "blob.dat"),
        CommitOperationDelete("no-such-file.txt"),
    ]
    with pytest.raises(RemoteEntryNotFoundError):
        api.create_commit(REPO, operations=operations, commit_message="half good")
    assert hub.head(REPO) == before and list(hub.files(REPO)) == [".gitattributes"]
    with pytest.raises(HfHubHTTPError) as excinfo:
        api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=REPO, parent_commit="0" * 40)
    assert excinfo.value.response.status_code == 412
    assert hub.head(REPO) == before


def test_restart_on_the_same_root_keeps_the_repo(tmp_path: Path, bundle: Path) -> None:
    with LocalHub(tmp_path / "hub", users=make_users()) as hub, hub_environment(hub, tmp_path / "home-1"):
        api = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)
        api.create_repo(REPO, private=True)
        commit = api.upload_folder(repo_id=REPO, folder_path=bundle)
        api.create_tag(REPO, tag="v1.0.0")
    with LocalHub(tmp_path / "hub", users=make_users()) as hub, hub_environment(hub, tmp_path / "home-2"):
        api = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)
        assert api.model_info(REPO, revision="v1.0.0").sha == commit.oid
        path = hf_hub_download(REPO, "weights/blob.dat", endpoint=hub.endpoint, token=BOT_TOKEN)
        assert Path(path).read_bytes() == (bundle / "weights" / "blob.dat").read_bytes()
        assert not HfApi(endpoint=hub.endpoint, token=False).repo_exists(REPO)


def test_hub_environment_sets_and_restores_the_client(tmp_path: Path) -> None:
    from huggingface_hub import constants

    before = (os.environ.get("HF_ENDPOINT"), constants.ENDPOINT, constants.HF_HUB_DISABLE_XET)
    with LocalHub(tmp_path / "hub", users=make_users()) as hub:
        with hub_environment(hub, tmp_path / "home", token=BOT_TOKEN):
            assert os.environ["HF_ENDPOINT"] == constants.ENDPOINT == hub.endpoint
            assert constants.HF_HUB_DISABLE_XET and constants.HF_HUB_CACHE == str(tmp_path / "home" / "hub")
            assert HfApi().whoami()["name"] == "gestura-bot"  # endpoint and token from the environment
    assert (os.environ.get("HF_ENDPOINT"), constants.ENDPOINT, constants.HF_HUB_DISABLE_XET) == before


def ctrl_c_as_in_a_terminal() -> None:
    """In the child: Ctrl-C (SIGINT) does what it does in a terminal, even when this test run was started in
    the background of a non-interactive shell (which starts its jobs with SIGINT ignored)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_cli_serves_until_interrupted_and_never_prints_the_token(tmp_path: Path) -> None:
    token_file = tmp_path / "token.txt"
    token_file.write_text(BOT_TOKEN + "\n")
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    server = subprocess.Popen(
        [sys.executable, "-m", "stick_gen.cli", "local-hub", "--root", str(tmp_path / "hub"), "--port", "0",
         "--token-file", str(token_file)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    try:
        first_line = server.stdout.readline() if server.stdout else ""
        endpoint = first_line.rsplit(" at ", 1)[-1].strip()
        assert endpoint.startswith("http://127.0.0.1:"), first_line
        api = HfApi(endpoint=endpoint, token=BOT_TOKEN)
        assert api.whoami()["name"] == "gestura-bot"
        assert api.create_repo(REPO).repo_id == REPO
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0
    assert BOT_TOKEN not in first_line + output and "stopping local hub" in output
    assert (tmp_path / "hub" / "repos" / "models" / "GesturaAI" / "stick-gen-small" / "repo.json").is_file()


def test_cli_without_a_token_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "stick_gen.cli", "local-hub", "--root", str(tmp_path / "hub"), "--port", "0"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1 and "--token-file" in result.stderr and "HF_TOKEN" in result.stderr
