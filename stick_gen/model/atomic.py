"""Atomic writes: a file or folder appears whole under its name, or not at all.

Every writer in stick-gen goes through :func:`atomic_output` (or :func:`atomic_write`, its one-call form):
checkpoints, published weights, rendered clips, the text-encoder cache, datasets, evaluation reports and
the local hub's store. The content is written under a temporary name in the target's own folder (so the
final rename never crosses file systems) and renamed onto the target only when writing succeeded; a
failure leaves the previous file, if any, untouched and no temporary behind.

It lives in ``model/`` because the bundled packages (``model/``, ``inference/``, ``data_gen/``) may import
only each other; the rest of stick-gen imports it from here too.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(folder / "out.json", lambda tmp: tmp.write_text("{}")).read_text()
'{}'
>>> sorted(p.name for p in folder.iterdir())
['out.json']
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Set, Type, Union

PathLike = Union[str, "os.PathLike[str]"]

TEMP_NAME = re.compile(r"^\.(?P<stem>.*)\.(?:(?P<pid>\d+)-)?[0-9a-f]{8}\.tmp(?:\.[A-Za-z0-9]+)?$")
"""Names of :func:`atomic_output`'s temporary files: ``.clip.<pid>-<8 hex>.tmp.gif`` (older versions: no pid)."""
STALE_AFTER_S = 3600.0
"""A temporary file whose writer cannot be shown alive is stale after this long (a writer that died, kill -9)."""
_swept: Set[Path] = set()


@contextmanager
def atomic_output(path: PathLike, *, folder: bool = False, error: Optional[Type[Exception]] = None,
                  sweep: bool = False) -> Iterator[Path]:
    """Yield a new temporary file (or, with ``folder``, an empty folder) next to ``path``; rename it onto
    ``path`` only if the block succeeds.

    Missing parent folders are created. A file keeps ``path``'s suffix in its temporary name (tools that
    guess the format from it, such as ffmpeg, agree) and the writer's pid (so :func:`remove_stale_temporaries`
    can tell a dead writer's leftover). A folder replaces whatever folder is at ``path``: callers that must
    not replace one (it could hold the user's files) check first.

    ``error``, a :class:`~.errors.StickGenError` class, turns an ``OSError`` (an unwritable folder, a full
    disk) into that error with a message that names the target and the fix; without it the ``OSError`` is
    raised as is. ``sweep`` removes dead writers' leftovers from the folder on its first write in this process.

    >>> with atomic_output("out/clip.gif") as tmp:  # doctest: +SKIP
    ...     image.save(tmp, format="GIF")
    """
    target = Path(path)
    if not folder and target.is_dir():
        raise (error or IsADirectoryError)(f"cannot write {target}: it is a folder; give the name of a file in it")
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = target.with_name(f".{target.name}.{token}.tmp" if folder else f".{target.stem}.{token}.tmp{target.suffix}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if sweep and target.parent.resolve() not in _swept:
            _swept.add(target.parent.resolve())
            remove_stale_temporaries(target.parent)
        if folder:
            tmp.mkdir()
        else:
            tmp.open("xb").close()  # created with the usual permissions (umask), unlike mkstemp's 0600
    except OSError as err:
        if error is None:
            raise
        raise error(
            f"cannot write {target}: {err.strerror or err} in {target.parent}; choose a folder you can write to"
        ) from err
    try:
        yield tmp
        if folder:
            _replace_folder(tmp, target)
        else:
            os.replace(tmp, target)
    except BaseException as err:
        if folder:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        if error is not None and isinstance(err, OSError):
            raise error(f"writing {target} failed: {err}") from err
        raise


def atomic_write(path: PathLike, write: Callable[[Path], object], *, error: Optional[Type[Exception]] = None) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place; returns ``path``.

    The one-call form of :func:`atomic_output`: a failure leaves the previous file (if any) untouched
    and no partial file behind.

    >>> atomic_write("out.json", lambda p: p.write_text("{}"))   # doctest: +SKIP
    PosixPath('out.json')
    """
    with atomic_output(path, error=error) as tmp:
        write(tmp)
    return Path(path)


def _replace_folder(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``; an existing ``target`` is moved aside first and removed after."""
    try:
        os.replace(new, target)  # onto a missing or empty folder: atomic on POSIX
        return
    except OSError:
        if not target.is_dir():
            raise
    old = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.old")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def remove_stale_temporaries(folder: PathLike, now: Optional[float] = None) -> List[Path]:
    """Delete the leftovers of :func:`atomic_output` writers that died (a kill -9) in ``folder``; returns them.

    Only regular files named like its temporaries (:data:`TEMP_NAME`) are candidates, never anything else.
    One is stale when its writer's process no longer runs (POSIX, same machine), or when it is older than
    :data:`STALE_AFTER_S` (names without a pid, other systems). Writers that pass ``sweep=True`` call it once
    per folder and process, on the first write there.

    >>> remove_stale_temporaries("out/")   # doctest: +SKIP
    [PosixPath('out/.walk.4242-0a1b2c3d.tmp.gif')]
    """
    now = time.time() if now is None else now
    removed: List[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = TEMP_NAME.match(entry.name)
        if not found:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            pid = int(found.group("pid")) if found.group("pid") else None
            if pid == os.getpid():
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            if old or (pid is not None and not _process_alive(pid)):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone meanwhile, or not ours to remove: leave it
            continue
    return removed


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine; True when that cannot be told (not POSIX)."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True
