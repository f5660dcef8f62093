"""A local Hugging Face Hub server on loopback, for tests and the offline demo.

This is TEST INFRASTRUCTURE, not a product registry: it speaks just the part of the Hub HTTP API
that the ``huggingface_hub`` client (2.4.0) uses to create repos, upload (regular files and Git LFS
objects), tag, list and download, so that stick-gen's publishing code can be exercised for real,
over HTTP, without the network. It keeps no secrets worth the name, has no rate limits, no pull
requests, no Xet storage and no web pages. Never expose it beyond 127.0.0.1.

What it keeps, on disk under ``root`` (a restart on the same root keeps every repo):

- ``blobs/<sha256[:2]>/<sha256>``: file contents, by sha256;
- ``repos/<models|datasets|spaces>/<namespace>/<name>/repo.json``: visibility, branches and tags;
- ``.../commits/<oid>.json``: one snapshot per commit (path -> sha256, size, lfs flag, git oid);
- ``.../lfs/<sha256>``: markers of the LFS objects uploaded to that repo.

A commit is atomic: it is checked whole, then written, and the branch moves by one rename of
``repo.json``; a refused or interrupted commit changes nothing.

Users are tokens mapped to a name and its organisations; writes need the namespace to be the user
or one of its orgs (403 otherwise); a private repo answers exactly like a missing one (401
anonymous, 404 signed in) to anyone else; a wrong token gets 401. ``hub.faults`` injects 5xx, 429,
slow answers and dropped connections; ``hub.requests`` records every request.

>>> from stick_gen.testing.local_hub import LocalHub, hub_environment
>>> with LocalHub("/tmp/hub", users={"hf_bot": ("gestura-bot", ["GesturaAI"])}) as hub:  # doctest: +SKIP
...     with hub_environment(hub, home="/tmp/hf-home", token="hf_bot"):
...         HfApi(endpoint=hub.endpoint).create_repo("GesturaAI/stick-gen-small")
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fnmatch import fnmatch
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from ..model.atomic import atomic_output, atomic_write

LFS_UPLOAD_PATH = "/_lfs/upload/"
"""Path prefix of LFS PUT hrefs; use it in ``hub.faults.add(..., path_contains=LFS_UPLOAD_PATH)``."""

COMMIT_PATH = "/commit/"
"""Substring of every commit endpoint path, for faults that target commits."""

LFS_SIZE_THRESHOLD = 10 * 1024 * 1024
"""Files above this size always go to LFS, as on the real Hub."""

_REPO_TYPES = ("model", "dataset", "space")
"""Spaces are stored like any repo (no app runs here): enough to publish one and download it back."""

FAULT_KINDS = ("error", "rate_limit", "slow", "drop_request", "drop_response")

_UPLOAD_TICKET_SECONDS = 3600
_CHUNK = 1024 * 1024
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_COMMIT_OID_RE = re.compile(r"^[0-9a-f]{40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_INVALID_TOKEN = "Invalid credentials in Authorization header"
_GITATTRIBUTES = "".join(
    f"{pattern} filter=lfs diff=lfs merge=lfs -text\n"
    for pattern in (
        "*.7z", "*.bin", "*.bz2", "*.ckpt", "*.gz", "*.h5", "*.joblib", "*.mp4", "*.msgpack", "*.npy",
        "*.npz", "*.onnx", "*.parquet", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.safetensors", "*.tar",
        "*.tflite", "*.zip", "*.zst", "*tfevents*",
    )
)


@dataclass(frozen=True)
class HubUser:
    """The owner of a token: a user name and the organisations it may write to."""

    name: str
    orgs: Tuple[str, ...] = ()

    def can_write(self, namespace: str) -> bool:
        """``HubUser("bot", ("GesturaAI",)).can_write("GesturaAI")`` -> True."""
        return namespace == self.name or namespace in self.orgs


@dataclass(frozen=True)
class FileEntry:
    """One file of a commit snapshot: content sha256, size, LFS or not, and its git blob id."""

    sha256: str
    size: int
    lfs: bool
    blob_id: str


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it. ``status`` 0 means no answer was sent (connection dropped)."""

    method: str
    path: str
    status: int
    bytes_received: int
    bytes_sent: int
    fault: Optional[str] = None


@dataclass
class Fault:
    """A planned misbehaviour; see :meth:`FaultPlan.add`. ``fired`` counts the requests it hit."""

    kind: str
    count: Optional[int] = 1
    path_contains: Optional[str] = None
    method: Optional[str] = None
    status: int = 500
    retry_after: int = 1
    seconds: float = 1.0
    after_bytes: Optional[int] = None
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to ``method path`` and has shots left."""
        if self.count is not None and self.fired >= self.count:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in path


class FaultPlan:
    """The faults a :class:`LocalHub` will inject, first match wins, each for ``count`` requests.

    >>> plan = FaultPlan()
    >>> plan.add("error", status=503, path_contains="/commit/").kind
    'error'
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: List[Fault] = []

    def add(
        self,
        kind: str,
        count: Optional[int] = 1,
        path_contains: Optional[str] = None,
        *,
        method: Optional[str] = None,
        status: int = 500,
        retry_after: int = 1,
        seconds: float = 1.0,
        after_bytes: Optional[int] = None,
    ) -> Fault:
        """Plan a fault for the next ``count`` matching requests (``count=None``: all of them).

        Kinds: ``"error"`` answers ``status`` (default 500) without doing anything; ``"rate_limit"``
        answers 429 with ``Retry-After: retry_after``; ``"slow"`` waits ``seconds`` then answers
        normally; ``"drop_request"`` reads ``after_bytes`` (default half) of the request body, then
        closes the socket without answering; ``"drop_response"`` does the work, sends the headers and
        half the body, then closes the socket. ``path_contains`` matches the decoded URL path
        (e.g. :data:`LFS_UPLOAD_PATH`, :data:`COMMIT_PATH`), ``method`` the HTTP verb.

        >>> FaultPlan().add("rate_limit", retry_after=0, path_contains=LFS_UPLOAD_PATH).status
        500
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}: use one of {', '.join(FAULT_KINDS)}")
        if kind == "error" and not 400 <= status <= 599:
            raise ValueError(f"fault status {status} is not an HTTP error: use 400-599, e.g. 500, 502, 503")
        fault = Fault(kind, count, path_contains, method, status, retry_after, seconds, after_bytes)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every planned fault."""
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Optional[Fault]:
        """The fault that hits this request (its shot is used up), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.fired += 1
                    return fault
        return None

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))


class _Refusal(Exception):
    """An HTTP error answer: status, message, and the Hub's ``X-Error-Code`` when it has one."""

    def __init__(self, status: int, message: str, code: Optional[str] = None, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers


@dataclass
class _Reply:
    """What a route answers: JSON/bytes ``body`` or a slice of a blob ``file``."""

    status: int = 200
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    file: Optional[Path] = None
    offset: int = 0
    length: int = 0

    @property
    def size(self) -> int:
        return self.length if self.file is not None else len(self.body)


def _json_reply(payload: Any, status: int = 200, content_type: str = "application/json") -> _Reply:
    body = json.dumps(payload, default=str).encode()
    return _Reply(status, body, {"Content-Type": content_type})


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _git_blob_id(data: bytes) -> str:
    """The git object id of a blob: sha1 over ``blob <size>\\0<data>``."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


def _write_json(path: Path, payload: Any) -> None:
    """Write JSON atomically, so readers never see half a file."""
    text = json.dumps(payload, indent=1, sort_keys=True, default=str)
    atomic_write(path, lambda tmp: tmp.write_text(text))


def front_matter(text: str) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """The YAML metadata block of a model card and an error message, either may be None.

    >>> front_matter("---\\nlicense: mit\\n---\\n# Card")
    ({'license': 'mit'}, None)
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, None
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        return None, "the metadata block opened by '---' is never closed"
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as err:
        return None, f"invalid YAML in the metadata block: {err}"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return None, "the metadata block must be a YAML mapping"
    return data, None


def _looks_binary(sample: bytes) -> bool:
    """True for a NUL byte or bytes that are not UTF-8 (a cut multi-byte char at the end is fine)."""
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start < len(sample) - 3
    return False


class _Store:
    """Repos, commits and blobs on disk; every mutation goes through one lock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        for sub in ("blobs", "repos", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def repo_dir(self, key: Tuple[str, str, str]) -> Path:
        return self.root.joinpath("repos", *key)

    def load_repo(self, key: Tuple[str, str, str]) -> Optional[Dict[str, Any]]:
        path = self.repo_dir(key) / "repo.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def save_repo(self, key: Tuple[str, str, str], meta: Dict[str, Any]) -> None:
        _write_json(self.repo_dir(key) / "repo.json", meta)

    def blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` as a blob; returns its sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.blob_path(sha256)
        if not path.is_file():
            atomic_write(path, lambda tmp: tmp.write_bytes(data))
        return sha256

    def has_lfs(self, key: Tuple[str, str, str], sha256: str) -> bool:
        return (self.repo_dir(key) / "lfs" / sha256).is_file() and self.blob_path(sha256).is_file()

    def add_lfs(self, key: Tuple[str, str, str], sha256: str) -> None:
        marker = self.repo_dir(key) / "lfs" / sha256
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()

    def load_commit(self, key: Tuple[str, str, str], oid: str) -> Dict[str, Any]:
        return json.loads((self.repo_dir(key) / "commits" / f"{oid}.json").read_text())

    def files_at(self, key: Tuple[str, str, str], oid: str) -> Dict[str, FileEntry]:
        return {path: FileEntry(**entry) for path, entry in self.load_commit(key, oid)["files"].items()}

    def resolve(self, key: Tuple[str, str, str], meta: Mapping[str, Any], revision: str) -> Optional[str]:
        """Commit oid of a branch, tag (also as ``refs/heads/x``, ``refs/tags/x``) or commit oid."""
        for prefix, refs in (("refs/heads/", meta["branches"]), ("refs/tags/", meta["tags"])):
            name = revision[len(prefix):] if revision.startswith(prefix) else revision
            if name in refs:
                return refs[name]
        if _COMMIT_OID_RE.match(revision) and (self.repo_dir(key) / "commits" / f"{revision}.json").is_file():
            return revision
        return None

    def write_commit(
        self,
        key: Tuple[str, str, str],
        meta: Dict[str, Any],
        branch: str,
        files: Mapping[str, FileEntry],
        title: str,
        message: str = "",
        author: str = "system",
    ) -> str:
        """Write a commit on top of ``branch`` (which may be new) and move the branch to it."""
        parent = meta["branches"].get(branch)
        record = {
            "parent": parent,
            "title": title,
            "message": message,
            "author": author,
            "date": _now(),
            "files": {path: entry.__dict__ for path, entry in sorted(files.items())},
        }
        seed = json.dumps({**record, "nonce": uuid.uuid4().hex}, sort_keys=True).encode()
        oid = hashlib.sha1(seed).hexdigest()
        _write_json(self.repo_dir(key) / "commits" / f"{oid}.json", record)
        meta["branches"][branch] = oid
        meta["lastModified"] = record["date"]
        self.save_repo(key, meta)
        return oid


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, applies faults, asks the hub for a reply and sends it."""

    protocol_version = "HTTP/1.1"
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        self.server.hub._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.hub._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Silence the stdlib's per-request stderr lines; the hub has its own log hook."""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        self._received = self._sent = self._status = 0
        self._record_index: Optional[int] = None
        self._chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        self._remaining = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        hub = self.server.hub
        fault = hub.faults.take(self.command, path)
        kind = fault.kind if fault else None
        try:
            if fault and fault.kind == "slow":
                hub._stopping.wait(fault.seconds)
            if fault and fault.kind == "drop_request":
                limit = fault.after_bytes if fault.after_bytes is not None else max(1, self._remaining // 2)
                self._read_some(limit)
                return self._drop(path, 0, kind)
            if fault and fault.kind in ("error", "rate_limit"):
                self.read_body()
                status = 429 if fault.kind == "rate_limit" else fault.status
                reply = _json_reply({"error": f"injected fault: HTTP {status}"}, status)
                if status == 429:
                    reply.headers["Retry-After"] = str(fault.retry_after)
            else:
                reply = hub._dispatch(self, parts.path, parse_qs(parts.query))
            if self._chunked or self._remaining:
                self.close_connection = True  # unread body bytes would poison the next request
            self._send(reply, path, kind, cut=bool(fault and fault.kind == "drop_response"))
        except (ConnectionError, socket.timeout):
            self.close_connection = True
            self._note(path, self._status, kind)

    def read_body(self) -> bytes:
        """The whole request body (Content-Length or chunked)."""
        return b"".join(self.body_chunks())

    def body_chunks(self) -> Iterator[bytes]:
        """The request body in pieces of at most 1 MiB, counted in ``bytes_received``."""
        while True:
            piece = self._read_some(_CHUNK)
            if not piece:
                return
            yield piece

    def _read_some(self, limit: int) -> bytes:
        if self._chunked and self._remaining == 0:
            size_line = self.rfile.readline(65537).split(b";")[0].strip()
            size = int(size_line or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                self._chunked = False
                return b""
            self._remaining = size
        piece = self.rfile.read(min(limit, self._remaining)) if self._remaining else b""
        self._remaining -= len(piece)
        self._received += len(piece)
        if self._chunked and self._remaining == 0:
            self.rfile.readline(3)  # CRLF after each chunk
        return piece

    def _note(self, path: str, status: int, kind: Optional[str]) -> None:
        """Record this request (or correct its record); done before the client can see the end of the answer."""
        record = RequestRecord(self.command, path, status, self._received, self._sent, kind)
        hub = self.server.hub
        if self._record_index is None:
            self._record_index = hub._record(record)
        else:
            hub._amend(self._record_index, record)

    def _drop(self, path: str, status: int, kind: Optional[str]) -> None:
        self.close_connection = True
        self._note(path, status, kind)
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: _Reply, path: str, kind: Optional[str], cut: bool = False) -> None:
        """Send ``reply``; with ``cut``, only the headers and half the body, then drop the connection."""
        size = reply.size
        if cut and size == 0:
            return self._drop(path, 0, kind)
        budget = 0 if self.command == "HEAD" else (size // 2 if cut else size)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(size))
        if self.close_connection:
            self.send_header("Connection", "close")
        self._sent = budget
        self._note(path, reply.status, kind)
        self._sent, self._status = 0, reply.status
        self.end_headers()
        for piece in self._reply_pieces(reply) if budget else ():
            piece = piece[: budget - self._sent]
            self.wfile.write(piece)
            self._sent += len(piece)
            if self._sent >= budget:
                break
        if cut:
            self._drop(path, reply.status, kind)

    @staticmethod
    def _reply_pieces(reply: _Reply) -> Iterator[bytes]:
        if reply.file is None:
            yield reply.body
            return
        with reply.file.open("rb") as blob:
            blob.seek(reply.offset)
            left = reply.length
            while left > 0:
                piece = blob.read(min(_CHUNK, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    hub: "LocalHub"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up between requests is normal; anything else is printed."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            super().handle_error(request, client_address)


_REPO = r"/api/(?P<kind>models|datasets|spaces)/(?P<ns>[^/]+)/(?P<name>[^/]+)"
_GIT_REPO = r"/(?:(?P<kind>datasets|spaces)/)?(?P<ns>[^/]+)/(?P<name>[^/]+?)"
_ROUTES: List[Tuple[str, "re.Pattern[str]", str]] = [
    (methods, re.compile(f"^{pattern}$"), name)
    for methods, pattern, name in (
        ("GET", r"/api/whoami-v2", "_whoami"),
        ("POST", r"/api/repos/create", "_create_repo"),
        ("DELETE", r"/api/repos/delete", "_delete_repo"),
        ("POST", r"/api/validate-yaml", "_validate_yaml"),
        ("GET POST", _REPO + r"/xet-(?:read|write)-token(?:/.*)?", "_no_xet"),
        ("GET", _REPO + r"(?:/revision/(?P<rev>[^/]+))?", "_repo_info"),
        ("POST", _REPO + r"/preupload/(?P<rev>[^/]+)", "_preupload"),
        ("POST", _REPO + r"/commit/(?P<rev>[^/]+)", "_commit"),
        ("POST", _REPO + r"/tag/(?P<rev>[^/]+)", "_create_tag"),
        ("DELETE", _REPO + r"/tag/(?P<rev>[^/]+)", "_delete_tag"),
        ("POST", _REPO + r"/branch/(?P<rev>[^/]+)", "_create_branch"),
        ("DELETE", _REPO + r"/branch/(?P<rev>[^/]+)", "_delete_branch"),
        ("GET", _REPO + r"/refs", "_refs"),
        ("GET", _REPO + r"/tree/(?P<rev>[^/]+)(?:/(?P<path>.+))?", "_tree"),
        ("POST", _REPO + r"/paths-info/(?P<rev>[^/]+)", "_paths_info"),
        ("GET", _REPO + r"/commits/(?P<rev>[^/]+)", "_commits"),
        ("POST", _GIT_REPO + r"\.git/info/lfs/objects/batch", "_lfs_batch"),
        ("GET HEAD", _GIT_REPO + r"/resolve/(?P<rev>[^/]+)/(?P<path>.+)", "_resolve"),
        ("PUT", LFS_UPLOAD_PATH + r"(?P<oid>[0-9a-f]{64})", "_lfs_put"),
    )
]


@dataclass
class _Call:
    """One routed request: the handler, the repo it names (if any), its revision/path, its query."""

    handler: _Handler
    query: Dict[str, List[str]]
    key: Optional[Tuple[str, str, str]] = None
    rev: Optional[str] = None
    path: Optional[str] = None
    oid: Optional[str] = None

    @property
    def repo_id(self) -> str:
        assert self.key is not None
        return f"{self.key[1]}/{self.key[2]}"

    def json(self) -> Dict[str, Any]:
        body = self.handler.read_body()
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            raise _Refusal(400, "request body is not JSON") from None
        if not isinstance(payload, dict):
            raise _Refusal(400, "request body must be a JSON object")
        return payload


UsersArg = Optional[Mapping[str, Union[str, Tuple[str, Sequence[str]]]]]


class LocalHub:
    """A loopback Hub server over a directory; see the module docstring.

    ``users`` maps tokens to ``"name"`` or ``("name", ["Org", ...])``. ``port=0`` picks a free port.

    >>> with LocalHub(tmp_path, users={"hf_bot": ("gestura-bot", ["GesturaAI"])}) as hub:  # doctest: +SKIP
    ...     hub.endpoint
    'http://127.0.0.1:40123'
    """

    def __init__(
        self,
        root: Union[str, Path],
        users: UsersArg = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.faults = FaultPlan()
        self.log = log
        self._store = _Store(self.root)
        self._users: Dict[str, HubUser] = {}
        self._tickets: Dict[str, Tuple[Tuple[str, str, str], str, int, float]] = {}
        self._requests: List[RequestRecord] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set = set()
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None
        for token, owner in (users or {}).items():
            name, orgs = (owner, ()) if isinstance(owner, str) else owner
            self.add_user(name, orgs, token=token)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "LocalHub":
        """Bind and serve in a background thread; ``hub.endpoint`` is valid afterwards."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self.port), _Handler)
        server.hub = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-hub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut open keep-alive connections; the data on disk stays."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> "LocalHub":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._server is None:
            raise RuntimeError("the local hub is not running: call hub.start() or use `with LocalHub(...)`")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- users, records, inspection ----------------------------------------------------------------

    def add_user(self, name: str, orgs: Sequence[str] = (), token: Optional[str] = None) -> str:
        """Register a user (and its orgs) under ``token`` (a fresh one if None); returns the token.

        >>> LocalHub("/tmp/hub").add_user("someone", token="hf_someone")  # doctest: +SKIP
        'hf_someone'
        """
        for value in (name, *orgs):
            if not _NAME_RE.match(value):
                raise ValueError(f"{value!r} is not a valid Hub user or org name (letters, digits, . _ -)")
        token = token or "hf_" + secrets.token_urlsafe(24)
        with self._lock:
            self._users[token] = HubUser(name, tuple(orgs))
        return token

    def user_for(self, token: str) -> Optional[HubUser]:
        """The user a token belongs to, or None."""
        with self._lock:
            return self._users.get(token)

    @property
    def requests(self) -> List[RequestRecord]:
        """Every request served so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests, e.g. before the part of a test that asserts on them."""
        with self._lock:
            self._requests.clear()

    def head(self, repo_id: str, revision: str = "main", repo_type: str = "model") -> Optional[str]:
        """Commit oid that ``revision`` points to, or None (repo or revision missing)."""
        key = self._key(repo_type, repo_id)
        meta = self._store.load_repo(key)
        return self._store.resolve(key, meta, revision) if meta else None

    def files(self, repo_id: str, revision: str = "main", repo_type: str = "model") -> Dict[str, FileEntry]:
        """The snapshot at ``revision``: path -> :class:`FileEntry` (empty if missing)."""
        oid = self.head(repo_id, revision, repo_type)
        return self._store.files_at(self._key(repo_type, repo_id), oid) if oid else {}

    def read_file(self, repo_id: str, path: str, revision: str = "main", repo_type: str = "model") -> bytes:
        """Content of one file at ``revision``; KeyError if absent."""
        return self._store.blob_path(self.files(repo_id, revision, repo_type)[path].sha256).read_bytes()

    @staticmethod
    def _key(repo_type: str, repo_id: str) -> Tuple[str, str, str]:
        namespace, _, name = repo_id.partition("/")
        if repo_type not in _REPO_TYPES or not (_NAME_RE.match(namespace) and _NAME_RE.match(name)):
            raise ValueError(f"{repo_type} repo id {repo_id!r} is not 'namespace/name' of a model, dataset or space")
        return (f"{repo_type}s", namespace, name)

    def _track(self, connection: socket.socket, alive: bool) -> None:
        with self._lock:
            (self._connections.add if alive else self._connections.discard)(connection)

    def _record(self, record: RequestRecord) -> int:
        with self._lock:
            self._requests.append(record)
            index = len(self._requests) - 1
        if self.log is not None:
            fault = f" [fault: {record.fault}]" if record.fault else ""
            self.log(f"{record.method} {record.path} -> {record.status or 'dropped'}{fault}")
        return index

    def _amend(self, index: int, record: RequestRecord) -> None:
        with self._lock:
            if index < len(self._requests):  # clear_requests() may have run meanwhile
                self._requests[index] = record

    # -- dispatch and auth -------------------------------------------------------------------------

    def _dispatch(self, handler: _Handler, raw_path: str, query: Dict[str, List[str]]) -> _Reply:
        """Route a request to its ``_name`` method; refusals become JSON errors with Hub headers."""
        try:
            for methods, pattern, name in _ROUTES:
                match = pattern.match(raw_path)
                if match and handler.command in methods.split():
                    groups = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                    call = _Call(handler, query, rev=groups.get("rev"), path=groups.get("path"))
                    call.oid = groups.get("oid")
                    if "ns" in groups:
                        call.key = (groups.get("kind", "models"), groups["ns"], groups["name"])
                    return getattr(self, name)(call)
            raise _Refusal(404, f"the local hub has no endpoint {handler.command} {unquote(raw_path)}")
        except (ValueError, KeyError, TypeError) as err:
            # A malformed body (bad JSON line, bad base64, wrong field type) is the client's fault.
            refusal = _Refusal(400, f"malformed request: {err}")
        except _Refusal as caught:
            refusal = caught
        except Exception as err:  # a bug here must reach the test as an answer, not a hung socket
            traceback.print_exc()
            refusal = _Refusal(500, f"local hub error: {err!r}")
        handler.read_body()
        reply = _json_reply({"error": refusal.message}, refusal.status)
        reply.headers["X-Error-Message"] = refusal.message
        if refusal.code:
            reply.headers["X-Error-Code"] = refusal.code
        reply.headers.update(refusal.headers)
        return reply

    def _caller(self, call: _Call, repo_read: bool = False) -> Optional[HubUser]:
        """The user behind the Bearer token; None when anonymous; 401 for an unknown token."""
        auth = call.handler.headers.get("Authorization", "")
        if not auth:
            return None
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        user = self.user_for(token)
        if user is None:
            # The real Hub tags reads of repo URLs RepoNotFound, so clients raise RepositoryNotFoundError.
            raise _Refusal(401, _INVALID_TOKEN, "RepoNotFound" if repo_read else None)
        return user

    def _repo(self, call: _Call, write: bool = False) -> Tuple[Dict[str, Any], Optional[HubUser]]:
        """Load the repo of ``call`` as its caller may see it; private-and-foreign looks missing."""
        assert call.key is not None
        user = self._caller(call, repo_read=not write)
        named_well = all(_NAME_RE.match(part) for part in call.key[1:])  # also keeps paths inside root
        meta = self._store.load_repo(call.key) if named_well else None
        visible = meta is not None and (not meta["private"] or (user is not None and user.can_write(call.key[1])))
        if not visible:
            raise _Refusal(401 if user is None else 404, f"Repository {call.repo_id} not found", "RepoNotFound")
        assert meta is not None
        if write and user is None:
            raise _Refusal(401, "You must be authenticated to write to a repository")
        if write and not user.can_write(call.key[1]):  # type: ignore[union-attr]
            raise _Refusal(403, f"You don't have the rights to write to {call.repo_id}")
        return meta, user

    def _commit_of(self, call: _Call, meta: Mapping[str, Any], revision: Optional[str] = None) -> str:
        assert call.key is not None
        revision = revision if revision is not None else (call.rev or "main")
        oid = self._store.resolve(call.key, meta, revision)
        if oid is None:
            raise _Refusal(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return oid

    def _url(self, call: _Call) -> str:
        assert call.key is not None
        prefix = "" if call.key[0] == "models" else f"{call.key[0]}/"
        return f"{self.endpoint}/{prefix}{call.repo_id}"

    # -- account and repo endpoints ----------------------------------------------------------------

    def _whoami(self, call: _Call) -> _Reply:
        user = self._caller(call)
        if user is None:
            raise _Refusal(401, "You must be authenticated: send Authorization: Bearer <token>")
        orgs = [{"type": "org", "name": org, "fullname": org, "roleInOrg": "write"} for org in user.orgs]
        return _json_reply({
            "type": "user", "id": hashlib.sha1(user.name.encode()).hexdigest()[:24], "name": user.name,
            "fullname": user.name, "email": None, "emailVerified": False, "isPro": False, "orgs": orgs,
            "auth": {"type": "access_token", "accessToken": {"displayName": "local-hub", "role": "write"}},
        })

    def _repo_target(self, call: _Call) -> Tuple[Dict[str, Any], HubUser]:
        """Body and caller of create/delete: fills ``call.key`` from name/organization/type."""
        payload = call.json()
        user = self._caller(call)
        if user is None:
            raise _Refusal(401, "You must be authenticated to create or delete a repository")
        name, namespace = payload.get("name"), payload.get("organization") or user.name
        repo_type = payload.get("type") or "model"
        if repo_type not in _REPO_TYPES:
            raise _Refusal(400, f"repo type {repo_type!r} is not supported by the local hub ({', '.join(_REPO_TYPES)})")
        if not isinstance(name, str) or not _NAME_RE.match(name) or not _NAME_RE.match(namespace):
            raise _Refusal(400, f"invalid repo name {namespace}/{name}: use letters, digits, '.', '_', '-'")
        call.key = (f"{repo_type}s", namespace, name)
        if not user.can_write(namespace):
            raise _Refusal(403, f"You don't have the rights to create or delete repos under {namespace}")
        return payload, user

    def _create_repo(self, call: _Call) -> _Reply:
        payload, user = self._repo_target(call)
        assert call.key is not None
        private = payload.get("visibility") == "private" or bool(payload.get("private"))
        with self._store.lock:
            if self._store.load_repo(call.key) is not None:
                reply = _json_reply({"error": "You already created this repo", "url": self._url(call)}, 409)
                reply.headers["X-Error-Message"] = "You already created this repo"
                return reply
            meta: Dict[str, Any] = {"private": private, "createdAt": _now(), "branches": {}, "tags": {}}
            sha256 = self._store.put_bytes(_GITATTRIBUTES.encode())
            entry = FileEntry(sha256, len(_GITATTRIBUTES), False, _git_blob_id(_GITATTRIBUTES.encode()))
            self._store.write_commit(call.key, meta, "main", {".gitattributes": entry}, "initial commit")
        return _json_reply({"url": self._url(call), "name": call.repo_id, "id": call.repo_id})

    def _delete_repo(self, call: _Call) -> _Reply:
        self._repo_target(call)
        assert call.key is not None
        with self._store.lock:
            if self._store.load_repo(call.key) is None:
                raise _Refusal(404, f"Repository {call.repo_id} not found", "RepoNotFound")
            trash = self.root / "tmp" / f"deleted-{uuid.uuid4().hex}"
            os.replace(self._store.repo_dir(call.key), trash)
        shutil.rmtree(trash, ignore_errors=True)
        return _json_reply({})

    def _validate_yaml(self, call: _Call) -> _Reply:
        self._caller(call)
        _, error = front_matter(str(call.json().get("content", "")))
        if error:
            return _json_reply({"errors": [{"message": error}], "warnings": []}, 400)
        return _json_reply({"errors": [], "warnings": []})

    def _no_xet(self, call: _Call) -> _Reply:
        raise _Refusal(501, "the local hub does not speak Xet: set HF_HUB_DISABLE_XET=1 (see hub_environment)")

    def _repo_info(self, call: _Call) -> _Reply:
        assert call.key is not None
        meta, _ = self._repo(call)
        oid = self._commit_of(call, meta)
        commit = self._store.load_commit(call.key, oid)
        files = self._store.files_at(call.key, oid)
        blobs = call.query.get("blobs", ["false"])[0].lower() in ("1", "true")
        siblings = []
        for path, entry in sorted(files.items()):
            sibling: Dict[str, Any] = {"rfilename": path}
            if blobs:
                sibling.update(size=entry.size, blobId=entry.blob_id)
                if entry.lfs:
                    pointer = len(_lfs_pointer(entry.sha256, entry.size))
                    sibling["lfs"] = {"size": entry.size, "sha256": entry.sha256, "pointerSize": pointer}
            siblings.append(sibling)
        card: Optional[Dict[str, Any]] = None
        if "README.md" in files:
            text = self._store.blob_path(files["README.md"].sha256).read_text(errors="replace")
            card, _ = front_matter(text)
        info: Dict[str, Any] = {
            "_id": hashlib.sha1(call.repo_id.encode()).hexdigest()[:24], "id": call.repo_id,
            "author": call.key[1], "sha": oid, "lastModified": commit["date"], "createdAt": meta["createdAt"],
            "private": meta["private"], "gated": False, "disabled": False, "downloads": 0, "likes": 0,
            "tags": _card_tags(card or {}), "siblings": siblings,
            "usedStorage": sum(entry.size for entry in files.values()),
        }
        if call.key[0] == "models":
            info["modelId"] = call.repo_id
        if card is not None:
            info["cardData"] = card
            for field_name in ("library_name", "pipeline_tag"):
                if isinstance(card.get(field_name), str):
                    info[field_name] = card[field_name]
        return _json_reply(info)

    # -- refs ------------------------------------------------------------------------------------

    def _refs(self, call: _Call) -> _Reply:
        meta, _ = self._repo(call)
        listing = {
            kind: [{"name": name, "ref": f"refs/{git}/{name}", "targetCommit": oid} for name, oid in sorted(meta[kind].items())]
            for kind, git in (("branches", "heads"), ("tags", "tags"))
        }
        return _json_reply({**listing, "converts": [], "pullRequests": []})

    def _create_ref(self, call: _Call, kind: str, name: str, revision: str) -> _Reply:
        """Shared by tag and branch creation: 409 if ``name`` exists."""
        assert call.key is not None
        label = "tag" if kind == "tags" else "branch"
        if not name or name.startswith(("-", "/", ".")) or ".." in name or any(c in name for c in " ~^:?*[\\"):
            raise _Refusal(400, f"invalid {label} name {name!r}")
        with self._store.lock:
            meta, _ = self._repo(call, write=True)
            oid = self._commit_of(call, meta, revision)
            if name in meta[kind]:
                raise _Refusal(409, f"{label.capitalize()} {name} already exists")
            meta[kind][name] = oid
            self._store.save_repo(call.key, meta)
        git_ref = f"refs/{'tags' if kind == 'tags' else 'heads'}/{name}"
        return _json_reply({"name": name, "ref": git_ref, "targetCommit": oid})

    def _delete_ref(self, call: _Call, kind: str) -> _Reply:
        assert call.key is not None and call.rev is not None
        with self._store.lock:
            meta, _ = self._repo(call, write=True)
            if call.rev not in meta[kind]:
                raise _Refusal(404, f"Invalid rev id: {call.rev}", "RevisionNotFound")
            if kind == "branches" and call.rev == "main":
                raise _Refusal(403, "the main branch cannot be deleted")
            del meta[kind][call.rev]
            self._store.save_repo(call.key, meta)
        return _json_reply({})

    def _create_tag(self, call: _Call) -> _Reply:
        return self._create_ref(call, "tags", str(call.json().get("tag", "")), call.rev or "main")

    def _delete_tag(self, call: _Call) -> _Reply:
        return self._delete_ref(call, "tags")

    def _create_branch(self, call: _Call) -> _Reply:
        starting_point = call.json().get("startingPoint") or "main"
        return self._create_ref(call, "branches", call.rev or "", starting_point)

    def _delete_branch(self, call: _Call) -> _Reply:
        return self._delete_ref(call, "branches")

    # -- listings ----------------------------------------------------------------------------------

    def _tree(self, call: _Call) -> _Reply:
        assert call.key is not None
        meta, _ = self._repo(call)
        oid = self._commit_of(call, meta)
        files = self._store.files_at(call.key, oid)
        prefix = (call.path or "").strip("/")
        recursive = call.query.get("recursive", ["false"])[0].lower() in ("1", "true")
        under = {p: e for p, e in files.items() if not prefix or p.startswith(prefix + "/")}
        if prefix and not under:
            raise _Refusal(404, f"{prefix} does not exist on {call.rev}", "EntryNotFound", **{"X-Repo-Commit": oid})
        entries: Dict[str, Dict[str, Any]] = {}
        for path, entry in under.items():
            rest = path[len(prefix) + 1:] if prefix else path
            parts = rest.split("/")
            depth = len(parts) if recursive else 1
            for i in range(1, min(depth, len(parts) - 1) + 1):
                folder = "/".join(filter(None, [prefix, *parts[:i]]))
                entries[folder] = {"type": "directory", "path": folder, "size": 0, "oid": _folder_oid(files, folder)}
            if recursive or len(parts) == 1:
                entries[path] = _file_json(path, entry)
        return _json_reply([entries[path] for path in sorted(entries)])

    def _paths_info(self, call: _Call) -> _Reply:
        assert call.key is not None
        meta, _ = self._repo(call)
        files = self._store.files_at(call.key, self._commit_of(call, meta))
        form = parse_qs(call.handler.read_body().decode())
        found = []
        for path in form.get("paths", []):
            path = path.strip("/")
            if path in files:
                found.append(_file_json(path, files[path]))
            elif any(p.startswith(path + "/") for p in files):
                found.append({"type": "directory", "path": path, "size": 0, "oid": _folder_oid(files, path)})
        return _json_reply(found)

    def _commits(self, call: _Call) -> _Reply:
        assert call.key is not None
        meta, _ = self._repo(call)
        oid: Optional[str] = self._commit_of(call, meta)
        history = []
        while oid:
            commit = self._store.load_commit(call.key, oid)
            history.append({
                "id": oid, "title": commit["title"], "message": commit["message"],
                "authors": [{"user": commit["author"]}], "date": commit["date"],
            })
            oid = commit["parent"]
        return _json_reply(history)

    # -- downloads -------------------------------------------------------------------------------

    def _resolve(self, call: _Call) -> _Reply:
        assert call.key is not None and call.path is not None
        meta, _ = self._repo(call)
        oid = self._commit_of(call, meta)
        entry = self._store.files_at(call.key, oid).get(call.path)
        if entry is None:
            raise _Refusal(404, f"Entry not found: {call.path}", "EntryNotFound", **{"X-Repo-Commit": oid})
        headers = {
            "X-Repo-Commit": oid,
            "ETag": f'"{entry.sha256 if entry.lfs else entry.blob_id}"',
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f'inline; filename="{call.path.rsplit("/", 1)[-1]}"',
        }
        if entry.lfs:
            headers.update({"X-Linked-Etag": f'"{entry.sha256}"', "X-Linked-Size": str(entry.size)})
        start, end = 0, entry.size - 1
        status = 200
        wanted = call.handler.headers.get("Range")
        if wanted and call.handler.command == "GET":
            match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", wanted)
            if match and (match.group(1) or match.group(2)):
                if match.group(1):
                    start, end = int(match.group(1)), int(match.group(2) or end)
                else:
                    start = max(0, entry.size - int(match.group(2)))
                if start > end or start >= entry.size:
                    raise _Refusal(416, f"range {wanted} is outside a file of {entry.size} bytes",
                                   **{"Content-Range": f"bytes */{entry.size}"})
                end = min(end, entry.size - 1)
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end}/{entry.size}"
        blob = self._store.blob_path(entry.sha256)
        return _Reply(status, headers=headers, file=blob, offset=start, length=max(0, end - start + 1))

    # -- uploads ---------------------------------------------------------------------------------

    def _preupload(self, call: _Call) -> _Reply:
        assert call.key is not None
        if call.query.get("create_pr"):
            raise _Refusal(400, "the local hub does not support pull requests (create_pr)")
        meta, _ = self._repo(call, write=True)
        head = self._commit_of(call, meta)
        files = self._store.files_at(call.key, head)
        patterns = []
        if ".gitattributes" in files:
            text = self._store.blob_path(files[".gitattributes"].sha256).read_text(errors="replace")
            patterns = [line.split()[0] for line in text.splitlines() if "filter=lfs" in line and line.split()]
        answers = []
        for item in call.json().get("files", []):
            path, size = str(item.get("path", "")), int(item.get("size", 0))
            sample = base64.b64decode(item.get("sample", "") or b"")
            name = path.rsplit("/", 1)[-1]
            lfs = size > LFS_SIZE_THRESHOLD or _looks_binary(sample) or any(
                fnmatch(path if "/" in pattern else name, pattern) for pattern in patterns
            )
            answer: Dict[str, Any] = {"path": path, "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False}
            if path in files:
                answer["oid"] = files[path].sha256 if files[path].lfs else files[path].blob_id
            answers.append(answer)
        return _json_reply({"files": answers, "commitOid": head})

    def _lfs_batch(self, call: _Call) -> _Reply:
        assert call.key is not None
        meta, _ = self._repo(call, write=True)
        payload = call.json()
        if payload.get("operation") != "upload":
            raise _Refusal(400, "the local hub's LFS batch endpoint only handles operation=upload")
        objects = []
        for item in payload.get("objects", []):
            oid, size = item.get("oid"), item.get("size")
            if not isinstance(oid, str) or not _SHA256_RE.match(oid) or not isinstance(size, int) or size < 0:
                raise _Refusal(422, f"invalid LFS object {item!r}: need a sha256 'oid' and an int 'size'")
            answer: Dict[str, Any] = {"oid": oid, "size": size}
            if not self._store.has_lfs(call.key, oid):
                ticket = secrets.token_urlsafe(24)
                with self._lock:
                    self._tickets[ticket] = (call.key, oid, size, time.time() + _UPLOAD_TICKET_SECONDS)
                href = f"{self.endpoint}{LFS_UPLOAD_PATH}{oid}?ticket={ticket}"
                answer["authenticated"] = True
                answer["actions"] = {"upload": {"href": href, "expires_in": _UPLOAD_TICKET_SECONDS}}
            objects.append(answer)
        return _json_reply({"transfer": "basic", "objects": objects}, content_type="application/vnd.git-lfs+json")

    def _lfs_put(self, call: _Call) -> _Reply:
        """Receive one LFS object; the href's ticket is its only authorization.

        Like a presigned storage URL, a ticket is bound to one object and valid until it expires,
        not single-use: the client re-PUTs the same href when a response is lost.
        """
        ticket_id = call.query.get("ticket", [""])[0]
        with self._lock:
            ticket = self._tickets.get(ticket_id)
        if ticket is None or ticket[1] != call.oid or ticket[3] < time.time():
            raise _Refusal(403, "this LFS upload link is unknown, for another object or expired: ask the batch endpoint again")
        key, oid, size, _ = ticket
        digest = hashlib.sha256()
        received = 0
        with atomic_output(self._store.blob_path(oid)) as tmp:  # a refused upload leaves no blob
            with tmp.open("wb") as out:
                for piece in call.handler.body_chunks():
                    digest.update(piece)
                    received += len(piece)
                    out.write(piece)
            if received != size or digest.hexdigest() != oid:
                raise _Refusal(400, f"uploaded {received} bytes with sha256 {digest.hexdigest()}, expected {size} bytes {oid}")
        with self._store.lock:
            self._store.add_lfs(key, oid)
        return _Reply(200, headers={"ETag": f'"{oid}"'})

    def _commit(self, call: _Call) -> _Reply:
        """Apply an ndjson commit whole, or refuse it and change nothing."""
        assert call.key is not None and call.rev is not None
        if call.query.get("create_pr"):
            raise _Refusal(400, "the local hub does not support pull requests (create_pr)")
        lines = [json.loads(line) for line in call.handler.read_body().splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise _Refusal(400, "a commit body must start with a 'header' line")
        header = lines[0].get("value", {})
        with self._store.lock:
            meta, user = self._repo(call, write=True)
            assert user is not None
            if call.rev not in meta["branches"]:
                if self._store.resolve(call.key, meta, call.rev) is None:
                    raise _Refusal(404, f"Invalid rev id: {call.rev}", "RevisionNotFound")
                raise _Refusal(400, f"{call.rev} is not a branch: commits go to a branch")
            head = meta["branches"][call.rev]
            parent = header.get("parentCommit")
            if parent and parent != head:
                raise _Refusal(412, f"parentCommit {parent} is not the head of {call.rev} ({head}): pull and retry")
            files = self._store.files_at(call.key, head)
            for line in lines[1:]:
                self._apply(call, files, str(line.get("key")), line.get("value") or {})
            oid = self._store.write_commit(
                call.key, meta, call.rev, files, str(header.get("summary") or "update"),
                str(header.get("description") or ""), user.name,
            )
        return _json_reply({"commitOid": oid, "commitUrl": f"{self._url(call)}/commit/{oid}",
                            "pullRequestUrl": None, "success": True})

    def _apply(self, call: _Call, files: Dict[str, FileEntry], kind: str, value: Mapping[str, Any]) -> None:
        """Apply one commit operation to the ``files`` snapshot (in memory); refuse bad ones."""
        assert call.key is not None
        path = str(value.get("path", "")).strip()
        if not path or path.startswith("/") or any(p in ("", ".", "..", ".git") for p in path.rstrip("/").split("/")):
            raise _Refusal(400, f"invalid path in repo: {path!r}")
        if kind == "file":
            content = value.get("content", "")
            encoding = value.get("encoding", "base64")
            data = base64.b64decode(content) if encoding == "base64" else str(content).encode()
            files[path] = FileEntry(self._store.put_bytes(data), len(data), False, _git_blob_id(data))
        elif kind == "lfsFile":
            oid = str(value.get("oid", ""))
            if not self._store.has_lfs(call.key, oid):
                raise _Refusal(422, f"LFS object {oid} for {path} was never uploaded to {call.repo_id}")
            size = self._store.blob_path(oid).stat().st_size
            if value.get("size") not in (None, size):
                raise _Refusal(422, f"LFS object {oid} has {size} bytes, the commit says {value.get('size')}")
            files[path] = FileEntry(oid, size, True, _git_blob_id(_lfs_pointer(oid, size)))
        elif kind == "deletedFile":
            if files.pop(path, None) is None:
                raise _Refusal(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
        elif kind == "deletedFolder":
            folder = path.rstrip("/") + "/"
            doomed = [p for p in files if p.startswith(folder)]
            if not doomed:
                raise _Refusal(404, f"A folder with this name doesn't exist: {path}", "EntryNotFound")
            for doomed_path in doomed:
                del files[doomed_path]
        else:
            raise _Refusal(400, f"unknown commit operation {kind!r}")


def _file_json(path: str, entry: FileEntry) -> Dict[str, Any]:
    """A tree/paths-info entry for one file, with ``lfs`` info for LFS files."""
    item: Dict[str, Any] = {"type": "file", "path": path, "size": entry.size, "oid": entry.blob_id}
    if entry.lfs:
        item["lfs"] = {"oid": entry.sha256, "size": entry.size, "pointerSize": len(_lfs_pointer(entry.sha256, entry.size))}
    return item


def _folder_oid(files: Mapping[str, FileEntry], folder: str) -> str:
    """A stable id for a folder's content (not git's tree hash, which no client checks)."""
    listing = "".join(f"{p}:{e.blob_id}\n" for p, e in sorted(files.items()) if p.startswith(folder + "/"))
    return hashlib.sha1(listing.encode()).hexdigest()


def _card_tags(card: Mapping[str, Any]) -> List[str]:
    """The Hub-style tag list of a card: its tags, library, pipeline, license, datasets, base model."""
    tags: List[str] = []

    def add(values: Any, prefix: str = "") -> None:
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, (str, int, float)) and f"{prefix}{value}" not in tags:
                tags.append(f"{prefix}{value}")

    add(card.get("tags", []))
    for name, prefix in (("library_name", ""), ("pipeline_tag", ""), ("license", "license:"),
                         ("datasets", "dataset:"), ("base_model", "base_model:")):
        if card.get(name) is not None:
            add(card[name], prefix)
    return tags


_CLIENT_CONSTANTS = {
    "ENDPOINT": "endpoint",
    "HUGGINGFACE_CO_URL_TEMPLATE": "url_template",
    "HF_HUB_DISABLE_XET": True,
    "HF_HUB_DISABLE_TELEMETRY": True,
    "HF_HUB_OFFLINE": False,
    "HF_HOME": "home",
    "HF_HUB_CACHE": "cache",
    "HUGGINGFACE_HUB_CACHE": "cache",
    "HF_ASSETS_CACHE": "assets",
    "HUGGINGFACE_ASSETS_CACHE": "assets",
    "HF_TOKEN_PATH": "token_path",
    "HF_STORED_TOKENS_PATH": "stored_tokens",
}


@contextlib.contextmanager
def hub_environment(
    hub: Union[LocalHub, str], home: Union[str, Path], token: Optional[str] = None
) -> Iterator[Dict[str, str]]:
    """Point ``huggingface_hub`` at ``hub`` for the duration of the block, then restore everything.

    Sets ``HF_ENDPOINT``, ``HF_HUB_DISABLE_XET=1``, ``HF_HUB_DISABLE_TELEMETRY=1``, ``HF_HOME`` and
    ``HF_HUB_CACHE`` under ``home``, unsets ``HF_HUB_OFFLINE``, and sets ``HF_TOKEN`` to ``token``
    (or unsets it, so no real token ever reaches the local hub). Because ``huggingface_hub`` reads
    these once at import, it also patches the same values in ``huggingface_hub.constants`` (and the
    endpoint of the module-level ``HfApi`` behind ``huggingface_hub.create_repo`` & co.). Passing
    ``endpoint=hub.endpoint`` to ``HfApi`` and downloads stays the most explicit way. Yields the env.

    >>> with hub_environment(hub, tmp_path / "hf", token="hf_bot"):  # doctest: +SKIP
    ...     hf_hub_download("GesturaAI/stick-gen-small", "config.json")
    """
    endpoint = hub.endpoint if isinstance(hub, LocalHub) else hub.rstrip("/")
    home = Path(home)
    paths = {
        "endpoint": endpoint,
        "url_template": endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "home": str(home),
        "cache": str(home / "hub"),
        "assets": str(home / "assets"),
        "token_path": str(home / "token"),
        "stored_tokens": str(home / "stored_tokens"),
    }
    env = {
        "HF_ENDPOINT": endpoint, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HOME": paths["home"], "HF_HUB_CACHE": paths["cache"], "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    }
    unset = ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN"]
    if token is not None:
        env["HF_TOKEN"] = token
    saved_env = {name: os.environ.get(name) for name in [*env, *unset]}
    saved_attrs: List[Tuple[Any, str, Any]] = []

    def patch(obj: Any, name: str, value: Any) -> None:
        if obj is not None and hasattr(obj, name):
            saved_attrs.append((obj, name, getattr(obj, name)))
            setattr(obj, name, value)

    try:
        for name in unset:
            os.environ.pop(name, None)
        os.environ.update(env)
        from huggingface_hub import constants, hf_api

        for name, value in _CLIENT_CONSTANTS.items():
            patch(constants, name, paths[value] if isinstance(value, str) else value)
        patch(hf_api.api, "endpoint", endpoint)
        patch(sys.modules.get("huggingface_hub.utils._cache_manager"), "HF_HUB_CACHE", paths["cache"])
        yield env
    finally:
        for obj, name, value in reversed(saved_attrs):
            setattr(obj, name, value)
        for name, old in saved_env.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
