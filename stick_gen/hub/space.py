"""Publish the studio as a Hugging Face Space that runs a published model (``stick-gen space``).

A Space is a repository the Hub runs. Ours holds four things:

- ``README.md``: the Space's front matter (``sdk: gradio``, ``sdk_version``, ``app_file: app.py``,
  ``models: [the model repo]``) and a line on what it is;
- ``app.py``: ``open_studio(model="owner/name@revision")``, the same page as ``stick-gen studio``;
- ``requirements.txt``: one line, the stick-gen wheel below with its ``studio`` extra (Gradio);
  stick-gen is not on PyPI, so the Space carries its own copy of the package;
- ``wheels/stick_gen-<version>-py3-none-any.whl``: that wheel, built from the installed package
  (its files, its metadata and dependencies as pip recorded them), byte for byte the same for the
  same sources, so republishing an unchanged studio uploads nothing new.

The model is checked on the Hub first (it must exist at that revision); without a revision the
Space is pinned to the commit the model's ``main`` points at now.

>>> space_repo_for("GesturaAI/stick-gen-small")
'GesturaAI/stick-gen-small-studio'
>>> result = push_space(SpaceOptions(model="GesturaAI/stick-gen-small@v1.0.0"))  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Tuple

from ..errors import ConfigError, HubError, StickGenError
from .naming import check_repo_id
from .upload import HubTarget, check_token, with_retries

DISTRIBUTION = "stick-gen"
WHEEL_DIR = "wheels"
SPACE_SUFFIX = "-studio"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every wheel entry gets this timestamp, so the same sources give the same bytes."""

APP_TEMPLATE = '''"""stick-gen studio on {model}: type a sentence, watch the stick figures move.

Written by `stick-gen space`. On a Hugging Face Space the Hub runs `python app.py`; anywhere else:
pip install -r requirements.txt && python app.py   (then open http://127.0.0.1:7860)
"""

from stick_gen.studio import open_studio

MODEL = {model!r}
"""The published model this Space runs: repository id and revision (a tag or a commit)."""

if __name__ == "__main__":
    # host and port None: Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, which a Space sets.
    open_studio(model=MODEL, host=None, port=None, allow_hub_models=False, title={title!r})
'''


@dataclass
class SpaceOptions:
    """What ``stick-gen space`` was asked to do (its flags)."""

    model: str
    """``owner/name[@revision]`` of a published model."""
    space: Optional[str] = None
    """The Space's repo id (default: the model's, with ``-studio``)."""
    token: Optional[str] = None
    endpoint: Optional[str] = None
    private: bool = False
    output_dir: Optional[str] = None
    """Also keep the Space's files here (a new or empty folder)."""
    no_upload: bool = False
    timeout: float = 60.0


@dataclass
class SpaceResult:
    space: str
    model: str
    """``owner/name@revision`` as ``app.py`` names it."""
    folder: Path
    url: Optional[str] = None
    commit: Optional[str] = None


def space_repo_for(model_repo: str) -> str:
    """The default Space of a model: same owner, the model's name plus ``-studio``."""
    return model_repo + SPACE_SUFFIX


def _split_model(spec: str) -> Tuple[str, Optional[str]]:
    from ..studio.models import parse_hub_model

    return parse_hub_model(spec)


def _check_space(space: str) -> str:
    try:
        return check_repo_id(space)
    except ConfigError as err:
        raise ConfigError(str(err).replace("--repo-name", "--space", 1)) from None


def resolve_model(target: HubTarget, spec: str) -> Tuple[str, str, str]:
    """``(repo id, revision for app.py, commit)``: the model must exist on the Hub at that revision.

    No revision pins the commit ``main`` points at now.
    """
    repo, revision = _split_model(spec)
    api = target.api()
    info = with_retries(lambda: api.model_info(repo, revision=revision), target, "reading the model",
                        lambda line: None, repo, "reading the model")
    files = {s.rfilename for s in (info.siblings or [])}
    if not {"config.json", "model.safetensors"} <= files:
        raise HubError(f"{repo}@{revision or 'main'} has no config.json and model.safetensors: it is not a "
                       f"published stick-gen model (publish one with `stick-gen push`)")
    return repo, revision or str(info.sha), str(info.sha)


def build_wheel(folder: Path) -> Path:
    """A wheel of the installed stick-gen (its package files and pip's record of its metadata) in ``folder``.

    >>> build_wheel(Path("space/wheels")).name  # doctest: +SKIP
    'stick_gen-0.1.0-py3-none-any.whl'
    """
    import stick_gen
    from ..resources import resource_path

    dist = importlib.metadata.distribution(DISTRIBUTION)
    version = dist.version
    package = Path(stick_gen.__file__).resolve().parent
    entries: List[Tuple[str, bytes]] = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc" \
                and not any(part.startswith(".") for part in relative.parts):
            entries.append((f"stick_gen/{relative.as_posix()}", path.read_bytes()))
    if not (package / "_resources").is_dir():  # a source checkout: the shipped files live at the root
        for name in ("configs", "model_cards", "LICENSE", "CITATIONS.md"):
            source = resource_path(name)
            files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
            for path in files:
                inside = path.relative_to(source.parent).as_posix()
                entries.append((f"stick_gen/_resources/{inside}", path.read_bytes()))
    info = f"stick_gen-{version}.dist-info"
    metadata = dist.read_text("METADATA") or f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {version}\n"
    entries.append((f"{info}/METADATA", metadata.encode()))
    entries.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: stick-gen space\nRoot-Is-Purelib: true\n"
                                     b"Tag: py3-none-any\n"))
    entry_points = dist.read_text("entry_points.txt")
    if entry_points:
        entries.append((f"{info}/entry_points.txt", entry_points.encode()))
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"stick_gen-{version}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            item = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            item.external_attr = 0o644 << 16
            item.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(item, data)
    return target


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def space_card(space: str, model_repo: str, model: str, sdk_version: str) -> str:
    """The Space's README.md: the front matter the Hub reads, then what the Space is."""
    import yaml

    front = {
        "title": "stick-gen studio", "emoji": "🕺", "colorFrom": "blue", "colorTo": "gray",
        "sdk": "gradio", "sdk_version": sdk_version, "python_version": "3.11", "app_file": "app.py",
        "models": [model_repo], "license": "mit", "pinned": False,
        "short_description": "Type a sentence, watch stick figures move",
    }
    return ("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n"
            f"# stick-gen studio\n\nType what the stick figures do and watch them move: the studio of "
            f"[{model_repo}](https://huggingface.co/{model_repo}) at `{model.partition('@')[2]}`. "
            f"Download the animation as GIF, MP4 or `.motion`, or play a `.motion` file.\n\n"
            f"Made with `stick-gen space --model {model}`; the same page runs locally with "
            f"`stick-gen studio --model {model}`.\n")


def build_space(folder: Path, space: str, model_repo: str, revision: str) -> List[Path]:
    """Write the Space's files into ``folder``; their paths."""
    from .. import __version__

    try:
        sdk_version = importlib.metadata.version("gradio")
    except importlib.metadata.PackageNotFoundError:
        raise StickGenError('building a Space needs Gradio installed (its version goes in the Space\'s front '
                            'matter): pip install "stick-gen[studio]"') from None
    model = f"{model_repo}@{revision}"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(folder / WHEEL_DIR)
    files = {
        "README.md": space_card(space, model_repo, model, sdk_version),
        "app.py": APP_TEMPLATE.format(model=model, title=f"stick-gen studio: {model_repo.split('/')[-1]}"),
        "requirements.txt": (f"# stick-gen {__version__} is not on PyPI: this Space carries its wheel; [studio] adds Gradio\n"
                             f"./{WHEEL_DIR}/{wheel.name}[studio]\n"),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files] + [wheel]


def push_space(options: SpaceOptions, progress: Callable[[str], None] = print) -> SpaceResult:
    """Check the model on the Hub, build the Space and upload it as one commit.

    Errors are one :class:`HubError` line (refused token, missing model or revision, unreachable Hub).
    """
    import tempfile

    target = HubTarget(token=options.token or _stored_token(), endpoint=options.endpoint, timeout=options.timeout)
    model_repo, _ = _split_model(options.model)
    space = _check_space(options.space or space_repo_for(model_repo))
    repo, revision, commit = resolve_model(target, options.model)
    progress(f"model {repo}@{revision} (commit {commit[:12]}) found on {target.url}")
    if options.output_dir:
        folder = Path(options.output_dir)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise StickGenError(f"{folder} is not an empty folder: give --output-dir a new or empty one "
                                f"(nothing there is replaced)")
    else:
        folder = Path(tempfile.mkdtemp(prefix="stick-gen-space-"))
    files = build_space(folder, space, repo, revision)
    progress(f"built the Space in {folder}: " + ", ".join(p.relative_to(folder).as_posix() for p in files))
    result = SpaceResult(space=space, model=f"{repo}@{revision}", folder=folder)
    if options.no_upload:
        return result
    user = check_token(target, space)
    api = target.api()
    with_retries(lambda: api.create_repo(space, repo_type="space", space_sdk="gradio", private=options.private,
                                         exist_ok=True), target, "creating the Space", progress, space, "creating")
    info = with_retries(lambda: api.upload_folder(folder_path=str(folder), repo_id=space, repo_type="space",
                                                  commit_message=f"stick-gen studio for {repo}@{revision}"),
                        target, "uploading the Space", progress, space, "uploading to")
    result.commit = getattr(info, "oid", None)
    result.url = f"{target.url}/spaces/{space}"
    progress(f"uploaded as {user}: {result.url} (commit {(result.commit or '?')[:12]})")
    return result


def _stored_token() -> Optional[str]:
    """``HF_TOKEN``, else the token ``hf auth login`` stored (as ``stick-gen push``)."""
    from huggingface_hub import get_token

    return get_token()
