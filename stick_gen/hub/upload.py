"""Upload a bundle to the Hub as one commit, tag it, and say plainly what went wrong when it fails.

Everything goes through ``huggingface_hub``'s :class:`~huggingface_hub.HfApi`:
``create_repo(exist_ok=True)``, one ``create_commit`` holding every file of the bundle (and the
removal of files an earlier bundle published that this one no longer has), then ``create_tag``.

Transient failures (connection errors, timeouts, 408/429/5xx) are retried with exponential
backoff, honouring ``Retry-After``. A Hub commit is atomic, so the remote holds either the whole
new commit or nothing of it; a retry or a later rerun re-sends no large file the Hub already
stores (the LFS batch call answers "already have it"), and an unchanged bundle makes no commit.

The token is passed to ``HfApi`` and nowhere else: it is never printed, logged or put into a
message (:func:`redact` scrubs every message that quotes the server or the client).

>>> result = upload_bundle(bundle, "GesturaAI/stick-gen-medium", HubTarget(token=token), tag="v1.0.0")  # doctest: +SKIP
>>> result.commit_oid[:7]                                                                              # doctest: +SKIP
'3f2c1ab'
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence

from ..errors import HubError
from .bundle import LARGE_SUFFIXES, MANIFEST, Bundle, BundleFile

TRANSIENT_STATUS = frozenset({408, 412, 429, 500, 502, 503, 504})
"""Worth another attempt; 412 is a commit whose parent moved meanwhile (re-read and commit again)."""
DEFAULT_TIMEOUT = 60.0
"""Seconds an HTTP request may stall (connect, or between bytes) before it counts as timed out."""
DEFAULT_ATTEMPTS = 5
MAX_WAIT = 60.0
"""Longest backoff between attempts, and the cap on a server's ``Retry-After``."""

Progress = Callable[[str], None]


@dataclass
class HubTarget:
    """Where and as whom to upload: endpoint (None: ``HF_ENDPOINT`` or huggingface.co) and token."""

    token: Optional[str] = None
    endpoint: Optional[str] = None
    timeout: float = DEFAULT_TIMEOUT
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = 1.0
    """First wait between attempts, in seconds; doubled after each failure."""
    sleep: Callable[[float], None] = time.sleep

    def api(self):
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.endpoint, token=self.token or False)

    @property
    def url(self) -> str:
        from huggingface_hub import constants

        return (self.endpoint or constants.ENDPOINT).rstrip("/")


@dataclass(frozen=True)
class RemoteChange:
    """One file's fate in an upload: ``add``, ``change``, ``remove``, ``same`` or ``keep`` (not ours)."""

    action: str
    path: str
    size: int


@dataclass
class UploadPlan:
    """What an upload would do to the remote (``--dry-run`` prints it)."""

    repo_id: str
    revision: str
    repo_exists: bool
    head: Optional[str]
    changes: List[RemoteChange] = field(default_factory=list)
    existing_tag: Optional[str] = None
    """Commit the requested tag already points to, if the tag exists."""

    def by_action(self, action: str) -> List[RemoteChange]:
        return [c for c in self.changes if c.action == action]

    @property
    def bytes_to_send(self) -> int:
        return sum(c.size for c in self.changes if c.action in ("add", "change"))


@dataclass
class UploadResult:
    """What an upload did."""

    repo_id: str
    repo_url: str
    commit_oid: str
    commit_url: str
    committed: bool
    """False when the remote already held exactly this bundle (no new commit was made)."""
    tag: Optional[str] = None
    plan: Optional[UploadPlan] = None


def redact(text: str, secrets: Sequence[Optional[str]]) -> str:
    """``text`` with every secret replaced by ``***``.

    >>> redact("401 for token hf_abc", ["hf_abc"])
    '401 for token ***'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@contextlib.contextmanager
def http_timeout(seconds: Optional[float]) -> Iterator[None]:
    """Give every request huggingface_hub makes inside the block a ``seconds`` timeout.

    huggingface_hub's shared HTTP client has no timeout at all, so a stalled server would hang
    an upload forever; the default client is restored afterwards.
    """
    if not seconds:
        yield
        return
    import httpx2
    from huggingface_hub.utils import set_client_factory
    from huggingface_hub.utils._http import default_client_factory

    def factory():
        client = default_client_factory()
        client.timeout = httpx2.Timeout(seconds)
        return client

    set_client_factory(factory)
    try:
        yield
    finally:
        set_client_factory(default_client_factory)


def _causes(err: BaseException) -> Iterator[BaseException]:
    """``err`` and the exceptions it was raised from (huggingface_hub wraps LFS upload errors)."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__ or err.__context__  # type: ignore[assignment]


def http_status(err: BaseException) -> Optional[int]:
    """The HTTP status behind an error, if any."""
    for cause in _causes(err):
        response = getattr(cause, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            return status
    return None


def _is_timeout(err: BaseException) -> bool:
    import httpx2

    return any(isinstance(c, (httpx2.TimeoutException, TimeoutError)) for c in _causes(err))


def is_transient(err: BaseException) -> bool:
    """Connection errors, timeouts and 408/429/5xx answers: worth another attempt."""
    import httpx2

    status = http_status(err)
    if status is not None:
        return status in TRANSIENT_STATUS
    return any(isinstance(c, (httpx2.TransportError, ConnectionError, TimeoutError)) for c in _causes(err))


def retry_after(err: BaseException) -> Optional[float]:
    """Seconds the server asked us to wait (``Retry-After``), if it said."""
    for cause in _causes(err):
        response = getattr(cause, "response", None)
        value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
        if value is not None:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


_LFS_FAILURE = re.compile(r"^Error while uploading '(.+)' to the Hub\.")
"""How huggingface_hub wraps the failure of one large-file (LFS) upload."""


def failed_step(err: BaseException) -> Optional[str]:
    """Which step of a commit failed, when it was not the commit call itself: ``"uploading the large
    files (pytorch_model.bin)"`` for an LFS upload, else None."""
    for cause in _causes(err):
        match = _LFS_FAILURE.match(str(cause)) if isinstance(cause, RuntimeError) else None
        if match:
            return f"uploading the large files ({match.group(1)})"
    return None


def explain(err: BaseException, repo_id: str, target: HubTarget, action: str) -> HubError:
    """One clear :class:`HubError` for a failure that is not (or no longer) worth retrying.

    The message names the step that failed (the commit, or the large-file uploads before it).
    """
    from huggingface_hub.errors import RepositoryNotFoundError

    step = failed_step(err)
    failed = f"{action} {repo_id} failed" + (f" while {step}" if step else "")
    status = http_status(err)
    server = ""
    for cause in _causes(err):
        server = getattr(cause, "server_message", None) or ""
        if server:
            break
    detail = f" (server said: {server.strip()[:200]})" if server else ""
    if status == 401:
        message = (f"{failed}: the Hub at {target.url} refused the token (401 Unauthorized): it is "
                   f"invalid, expired or revoked. Log in again with `stick-gen login` (or `hf auth login`), "
                   f"or set HF_TOKEN to a token with write access")
    elif status == 403:
        namespace = repo_id.split("/")[0]
        message = (f"{failed}: 403 Forbidden: this token may not write to '{namespace}' (the "
                   f"repository or organisation belongs to someone else, or the token is read-only). Use "
                   f"--repo-name your-username/{repo_id.split('/')[-1]}, or a write token of a member of "
                   f"'{namespace}'{detail}")
    elif status == 404 or any(isinstance(c, RepositoryNotFoundError) for c in _causes(err)):
        message = (f"{failed}: the repository was not found at {target.url}, or it is private and "
                   f"this token cannot see it{detail}")
    elif _is_timeout(err):
        message = (f"{failed}: upload timeout: {target.url} did not answer within "
                   f"{target.timeout:g} s after {_attempts(target.attempts)}. Check the connection, or allow more "
                   f"time with --timeout {max(600, int(target.timeout) * 4)}")
    elif status is not None:
        message = f"{failed}: the Hub answered HTTP {status}{detail}"
    elif step:
        root = list(_causes(err))[-1]
        reason = f"{type(root).__name__}: {root}".replace("\n", " ")[:200]
        message = f"{failed}: the connection to {target.url} broke off ({reason})"
    else:
        reason = f"{type(err).__name__}: {err}".replace("\n", " ")[:200]
        message = (f"{failed}: cannot reach {target.url} ({reason}). Check the network, "
                   f"HF_ENDPOINT or --endpoint")
    if status in TRANSIENT_STATUS or (status is None and is_transient(err)):
        message += f"; gave up after {_attempts(target.attempts)}"
    if step or status in TRANSIENT_STATUS or (status is None and is_transient(err)):
        message += ". Run the same command again to resume: files the Hub already stores are not sent twice"
    return HubError(redact(message, [target.token]))


def _attempts(count: int) -> str:
    return f"{count} attempt{'s' if count != 1 else ''}"


def with_retries(call: Callable[[], object], target: HubTarget, what: str, progress: Progress,
                 repo_id: str, action: str):
    """``call()``, retried on transient failures with exponential backoff and ``Retry-After``."""
    wait = target.backoff
    for attempt in range(1, max(1, target.attempts) + 1):
        try:
            return call()
        except Exception as err:  # classified below; anything not transient is re-raised as HubError
            if not is_transient(err) or attempt >= target.attempts:
                raise explain(err, repo_id, target, action) from None
            asked = retry_after(err)
            delay = min(MAX_WAIT, asked if asked is not None else wait)
            status = http_status(err)
            reason = f"HTTP {status}" if status else ("timeout" if _is_timeout(err) else type(err).__name__)
            progress(f"{what} failed ({reason}); attempt {attempt + 1} of {target.attempts} in {delay:g} s"
                     + (" (the server asked for this wait)" if asked is not None else ""))
            target.sleep(delay)
            wait = min(MAX_WAIT, wait * 2)
    raise AssertionError("unreachable")


def _git_blob_id(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _remote_files(api, repo_id: str, revision: str) -> Dict[str, object]:
    from huggingface_hub.hf_api import RepoFile

    entries = api.list_repo_tree(repo_id, recursive=True, revision=revision)
    return {e.path: e for e in entries if isinstance(e, RepoFile)}


def _published_before(api, repo_id: str, revision: str, remote: Dict[str, object]) -> List[str]:
    """Files an earlier stick-gen bundle put in the repo (listed in its SHA256SUMS)."""
    if MANIFEST not in remote:
        return []
    from huggingface_hub import hf_hub_download

    local = hf_hub_download(repo_id, MANIFEST, revision=revision, endpoint=api.endpoint, token=api.token)
    names = [line.partition("  ")[2] for line in Path(local).read_text(encoding="utf-8").splitlines()]
    return [n for n in names if n] + [MANIFEST]


def _same_content(local: Path, entry: BundleFile, remote) -> bool:
    if remote.lfs is not None:
        return remote.lfs.sha256 == entry.sha256
    return remote.blob_id == _git_blob_id(local)


def plan_upload(bundle: Bundle, repo_id: str, target: HubTarget, revision: str = "main",
                tag: Optional[str] = None) -> UploadPlan:
    """Compare the bundle with the remote: files added, changed, removed, unchanged; reads only.

    >>> plan = plan_upload(bundle, "GesturaAI/stick-gen-medium", HubTarget())   # doctest: +SKIP
    >>> plan.bytes_to_send                                                       # doctest: +SKIP
    0
    """
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    api = target.api()
    refs = None
    try:
        refs = api.list_repo_refs(repo_id)
    except RepositoryNotFoundError:
        pass
    if refs is None:
        plan = UploadPlan(repo_id, revision, False, None)
        plan.changes = [RemoteChange("add", f.path, f.size) for f in bundle.files]
        return plan
    branches = {b.name: b.target_commit for b in refs.branches}
    base = revision if revision in branches else "main"
    plan = UploadPlan(repo_id, revision, True, branches.get(base))
    if tag:
        plan.existing_tag = next((t.target_commit for t in refs.tags if t.name == tag), None)
    try:
        remote = _remote_files(api, repo_id, base)
    except RevisionNotFoundError:
        remote = {}
    ours = set()
    for entry in bundle.files:
        ours.add(entry.path)
        if entry.path not in remote:
            plan.changes.append(RemoteChange("add", entry.path, entry.size))
        elif _same_content(bundle.directory / entry.path, entry, remote[entry.path]):
            plan.changes.append(RemoteChange("same", entry.path, entry.size))
        else:
            plan.changes.append(RemoteChange("change", entry.path, entry.size))
    earlier = set(_published_before(api, repo_id, base, remote))
    for path in sorted(set(remote) - ours - {".gitattributes"}):
        action = "remove" if path in earlier else "keep"
        plan.changes.append(RemoteChange(action, path, getattr(remote[path], "size", 0)))
    return plan


def check_token(target: HubTarget, repo_id: str) -> str:
    """The user name the token belongs to; a clear error when there is no token or it is refused."""
    if not target.token:
        raise HubError(
            "no Hugging Face token: log in with `stick-gen login` (or `hf auth login`), set HF_TOKEN, or pass "
            "--token. Use --no-upload to only build the bundle"
        )
    api = target.api()
    info = with_retries(lambda: api.whoami(), target, "checking the token", lambda line: None, repo_id, "uploading to")
    return str(info.get("name", "?")) if isinstance(info, dict) else "?"


def upload_bundle(
    bundle: Bundle,
    repo_id: str,
    target: HubTarget,
    *,
    private: bool = False,
    revision: str = "main",
    commit_message: str = "Upload stick-gen model",
    commit_description: Optional[str] = None,
    tag: Optional[str] = None,
    force_tag: bool = False,
    progress: Progress = lambda line: None,
) -> UploadResult:
    """Create the repo if needed, upload the bundle as one commit on ``revision``, then tag it.

    An existing ``tag`` is refused before anything is sent, unless ``force_tag`` moves it.
    """
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    api = target.api()
    with http_timeout(target.timeout):
        check_token(target, repo_id)
        plan = with_retries(lambda: plan_upload(bundle, repo_id, target, revision, tag), target,
                            "reading the repository", progress, repo_id, "reading")
        unchanged = not (plan.by_action("add") or plan.by_action("change") or plan.by_action("remove"))
        if tag and plan.existing_tag and plan.existing_tag == plan.head and unchanged and revision == "main":
            # A rerun of an upload that completed (perhaps its answer was lost): nothing left to do.
            progress(f"{repo_id} already holds this bundle, tagged {tag}: nothing to upload")
            url = f"{target.url}/{repo_id}"
            return UploadResult(repo_id, url, plan.head, f"{url}/commit/{plan.head}", False, tag, plan)
        if tag and plan.existing_tag and not force_tag:
            raise HubError(
                f"tag {tag} already exists on {repo_id} (commit {plan.existing_tag[:7]}); nothing was uploaded. "
                f"Publish a new version (--version with a higher number), or move the tag with --force-tag"
            )
        if not plan.repo_exists:
            progress(f"creating {'private ' if private else ''}repository {repo_id}")
        elif private and not with_retries(lambda: api.model_info(repo_id).private, target, "reading the repository",
                                          progress, repo_id, "reading"):
            progress(f"warning: {repo_id} already exists and is public; --private only applies to new repositories "
                     f"(change the visibility in the repository's settings)")
        repo_url = with_retries(lambda: api.create_repo(repo_id, private=private, exist_ok=True), target,
                                "creating the repository", progress, repo_id, "creating")
        if revision != "main":
            with_retries(lambda: api.create_branch(repo_id, branch=revision, exist_ok=True), target,
                         f"creating branch {revision}", progress, repo_id, "creating a branch on")
        head_before = _branch_head(api, repo_id, revision)
        sending = plan.by_action("add") + plan.by_action("change")
        large = [c for c in sending if c.path.endswith(LARGE_SUFFIXES)]
        progress(f"uploading {len(sending)} of {len(bundle.files)} files ({_mb(plan.bytes_to_send)}, "
                 f"{len(large)} large) to {repo_id}@{revision} as one commit"
                 + (f"; removing {len(plan.by_action('remove'))} files of the previous bundle"
                    if plan.by_action("remove") else ""))

        def commit():
            parent = _branch_head(api, repo_id, revision)
            operations = [CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=str(bundle.directory / f.path))
                          for f in bundle.files]
            # Only what is still there: an earlier attempt may have landed before its answer was lost.
            present = set(_remote_files(api, repo_id, revision)) if plan.by_action("remove") else set()
            operations += [CommitOperationDelete(path_in_repo=c.path) for c in plan.by_action("remove")
                           if c.path in present]
            return api.create_commit(repo_id, operations, commit_message=commit_message,
                                     commit_description=commit_description, revision=revision,
                                     parent_commit=parent)

        info = with_retries(commit, target, "the commit", progress, repo_id, "uploading to")
        oid = info.oid
        committed = oid != head_before
        if tag:
            _tag(api, repo_id, tag, oid, commit_message, force_tag, target, progress)
    return UploadResult(repo_id, str(getattr(repo_url, "url", repo_url)), oid, info.commit_url, committed, tag, plan)


def _branch_head(api, repo_id: str, revision: str) -> Optional[str]:
    refs = api.list_repo_refs(repo_id)
    return next((b.target_commit for b in refs.branches if b.name == revision), None)


def _tag(api, repo_id: str, tag: str, oid: str, message: str, force: bool, target: HubTarget,
         progress: Progress) -> None:
    """Point ``tag`` at ``oid``; an existing tag elsewhere is moved only with ``force``."""

    def current() -> Optional[str]:
        return next((t.target_commit for t in api.list_repo_refs(repo_id).tags if t.name == tag), None)

    def create() -> None:
        where = with_retries(current, target, "reading tags", progress, repo_id, "tagging")
        if where == oid:
            return  # an earlier attempt landed, or the tag already marks this very commit
        if where is not None:
            if not force:
                raise HubError(f"tag {tag} appeared on {repo_id} (commit {where[:7]}) during the upload; the commit "
                               f"{oid[:7]} is uploaded but untagged. Re-run with --force-tag to move the tag")
            progress(f"moving tag {tag} from {where[:7]} to {oid[:7]} (--force-tag)")
            api.delete_tag(repo_id, tag=tag)
        api.create_tag(repo_id, tag=tag, tag_message=message, revision=oid)

    with_retries(create, target, f"tagging {tag}", progress, repo_id, "tagging")


def _mb(size: int) -> str:
    """``63.6 MB``, ``2.3 kB``, ``6 B``."""
    if size >= 100_000:
        return f"{size / 1e6:.1f} MB"
    return f"{size / 1e3:.1f} kB" if size >= 1000 else f"{size} B"


def describe_plan(plan: UploadPlan, tag: Optional[str], private: bool) -> List[str]:
    """Lines ``--dry-run`` prints: one per changed file, then totals."""
    visibility = "private" if private else "public"
    lines = [f"dry run: {plan.repo_id}@{plan.revision}"
             + ("" if plan.repo_exists else f" (does not exist yet; would be created {visibility})")]
    marks = {"add": "+", "change": "~", "remove": "-", "keep": "="}
    for change in plan.changes:
        if change.action in marks and change.action != "keep":
            lines.append(f"  {marks[change.action]} {change.path:<44} {_mb(change.size):>10}")
    same, kept = plan.by_action("same"), plan.by_action("keep")
    if same:
        lines.append(f"  = {len(same)} files unchanged")
    if kept:
        lines.append(f"  = {len(kept)} files not from a stick-gen bundle kept: {', '.join(c.path for c in kept[:5])}")
    sending = plan.by_action("add") + plan.by_action("change")
    large = [c for c in sending if c.path.endswith(LARGE_SUFFIXES)]
    summary = (f"would send {len(sending)} files, {_mb(plan.bytes_to_send)} ({len(large)} large), remove "
               f"{len(plan.by_action('remove'))}")
    if not sending and not plan.by_action("remove"):
        summary = "the remote already holds this bundle: no commit would be made"
    if tag:
        if plan.existing_tag:
            summary += f"; tag {tag} exists (commit {plan.existing_tag[:7]}): refused without --force-tag"
        else:
            summary += f"; would tag {tag}"
    lines.append(summary)
    lines.append("nothing was sent to the Hub")
    return lines

