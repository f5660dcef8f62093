"""``push``: checkpoint -> validation -> bundle -> Hub, the one implementation behind
``stick-gen push`` and ``python scripts/push_to_huggingface.py``.

>>> result = push(PushOptions(checkpoint="checkpoints/best_model.pt", variant="medium", version="1.0.0"))  # doctest: +SKIP
>>> result.upload.tag                                                                                     # doctest: +SKIP
'v1.0.0'
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple, Union

from ..errors import CheckpointError, ConfigError, StickGenError, ValidationError
from ..model.variants import get_variant
from ..resources import resource_path
from .bundle import BUNDLE_MARKER, Bundle, build_bundle, check_output_dir
from .cards import read_card, render_card
from .naming import PRETRAIN, card_name, check_method, check_repo_id, check_revision, commit_message, \
    has_shipped_card, parse_version, repo_id_for, version_tag
from .upload import DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT, HubTarget, UploadPlan, UploadResult, describe_plan, \
    plan_upload, redact, upload_bundle, with_retries
from .validate import Finding, FindingLevel, check_card, check_shipped_files, inspect_checkpoint

logger = logging.getLogger(__name__)

PathLike = Union[str, os.PathLike]
Confirm = Callable[[str], bool]

TOKEN_FLAG_WARNING = (
    "warning: --token puts the token on the command line, where other users of this machine can read it (ps, "
    "shell history); prefer `export HF_TOKEN=...` or `hf auth login`"
)


@dataclass
class PushOptions:
    """Everything ``push`` needs; the fields mirror the command's flags. Paths are relative to the cwd."""

    checkpoint: PathLike
    variant: str = "medium"
    version: Optional[str] = None
    model_card: Optional[PathLike] = None
    repo_name: Optional[str] = None
    private: bool = False
    no_upload: bool = False
    skip_validation: bool = False
    output_dir: PathLike = "hf_upload"
    token: Optional[str] = None
    """Given on the command line (a warning says so); otherwise HF_TOKEN or the cached login is used."""
    yes: bool = False
    dry_run: bool = False
    endpoint: Optional[str] = None
    timeout: float = DEFAULT_TIMEOUT
    commit_message: Optional[str] = None
    revision: str = "main"
    force_tag: bool = False
    method: Optional[str] = None
    examples: Optional[PathLike] = None
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = 1.0


@dataclass
class PushResult:
    """What ``push`` did: the repository, the bundle, the validation findings, the upload (if any)."""

    repo_id: str
    method: str
    findings: List[Finding] = field(default_factory=list)
    bundle: Optional[Bundle] = None
    upload: Optional[UploadResult] = None
    plan: Optional[UploadPlan] = None


def terminal_confirm(question: str) -> bool:
    """Ask on the terminal; only ``y``/``yes`` continues. Used only when stdin is a TTY."""
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def default_confirm() -> Optional[Confirm]:
    """:func:`terminal_confirm` when stdin is a terminal, else None (never wait for input that cannot come)."""
    try:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return terminal_confirm if interactive else None


def resolve_token(options: PushOptions) -> Optional[str]:
    """``--token``, else ``HF_TOKEN``, else the token cached by ``hf auth login``."""
    if options.token:
        return options.token
    from huggingface_hub import get_token

    return get_token()


def resolve_card(options: PushOptions, variant: str, method: str) -> Tuple[Path, str]:
    """The card to publish and where it came from.

    ``--model-card``, else (for a pretrained model) ``model_card.md`` in the current directory
    (the upload guide tells users to "edit model_card.md, re-run"), else ``model_cards/<name>.md`` in the current
    directory, else the card shipped with stick-gen.
    """
    if options.model_card:
        return Path(options.model_card), "--model-card"
    if method == PRETRAIN and Path("model_card.md").is_file():
        return Path("model_card.md"), "model_card.md in the current directory"
    name = card_name(variant, method)
    if Path(name).is_file():
        return Path(name), "the current directory"
    if not has_shipped_card(method):
        raise ConfigError(f"no model card for the custom method '{method}': write one with `stick-gen card new "
                          f"--variant {variant} --method {method} -o {name}` and pass --model-card {name}")
    return resource_path(*name.split("/")), "shipped with stick-gen"


def push(
    options: PushOptions,
    *,
    out: Callable[[str], None] = print,
    warn: Callable[[str], None] = lambda line: logger.warning(line),
    confirm: Optional[Confirm] = None,
) -> PushResult:
    """Validate, bundle and (unless ``no_upload``/``dry_run``) upload one checkpoint.

    ``confirm`` answers "continue?" when validation finds problems; None means no terminal:
    problems then raise :class:`ValidationError` (exit code 3) listing them. Every flag value
    (version, repository id, branch, ``--output-dir``) is checked before any file is read.
    """
    version = parse_version(options.version) if options.version else None
    tag = version_tag(version) if version else None
    variant = get_variant(options.variant).name
    method_override = check_method(options.method.strip().lower()) if options.method else None
    if options.repo_name:
        check_repo_id(options.repo_name)
    check_revision(options.revision)
    if not options.dry_run:
        check_output_dir(Path(options.output_dir),
                         [Path(options.checkpoint)] + ([Path(options.examples)] if options.examples else []))
    if options.token:
        warn(TOKEN_FLAG_WARNING)
    uploading = not (options.no_upload or options.dry_run)
    token = resolve_token(options)
    secrets = [token] if token else []
    if options.skip_validation:
        warn("WARNING: --skip-validation: the parameter count, model card and files are NOT checked. Only use this "
             "if you know the checkpoint is correct.")

    checkpoint = Path(options.checkpoint)
    out(f"checking {checkpoint} against the {variant} variant")
    try:
        inspected = inspect_checkpoint(checkpoint, variant, method_override)
    except CheckpointError as err:
        raise ValidationError(f"validation failed, nothing was written or sent:\n  - fatal: {err}") from None
    method = inspected.method
    repo_id = options.repo_name or repo_id_for(variant, method)
    result = PushResult(repo_id, method)

    card_path, card_origin = _card_file(options, variant, method, repo_id, result)
    out(f"model card: {card_path} ({card_origin})")
    card = read_card(card_path)
    example_dirs = [card_path.parent] + ([Path(options.examples)] if options.examples else [])
    if not options.skip_validation:
        result.findings += inspected.findings
        result.findings += check_card(card, str(card_path), variant, method, inspected.base_repo_id, example_dirs)
        result.findings += check_shipped_files(variant)
        _settle(result.findings, options, confirm, out, warn)
    elif any(f.level == FindingLevel.FATAL for f in inspected.findings):
        _settle([f for f in inspected.findings if f.level == FindingLevel.FATAL], options, confirm, out, warn)

    out(f"repository: {repo_id} ({method}, {'private' if options.private else 'public'})")
    images = [image for image in card.images()
              if any((d / image).is_file() or (d / Path(image).name).is_file() for d in example_dirs)]
    # Only a dry run needs a scratch folder (one that a killed run would leave in the temporary directory).
    scratching = tempfile.TemporaryDirectory(prefix="stick-gen-push-") if options.dry_run else contextlib.nullcontext("")
    with scratching as scratch:
        output_dir = Path(scratch) / "bundle" if options.dry_run else Path(options.output_dir)
        out(f"building the bundle in {output_dir if not options.dry_run else 'a temporary directory (dry run)'}")
        bundle = build_bundle(inspected, card_path, output_dir, version=version, example_dirs=example_dirs,
                              card_images=images, secrets=secrets, repo_id=repo_id, revision=tag or options.revision,
                              progress=lambda line: out(f"  {line}"))
        result.bundle = bundle if not options.dry_run else None
        out(f"bundle: {len(bundle.files)} files, {bundle.size / 1e6:.1f} MB")
        if not uploading and not options.dry_run:
            out(f"--no-upload: {output_dir}/ holds every file, ready for manual upload "
                f"(e.g. `hf upload {repo_id} {output_dir} . --exclude {BUNDLE_MARKER}`)")
            return result
        target = HubTarget(token=token, endpoint=options.endpoint or None, timeout=options.timeout,
                           attempts=options.attempts, backoff=options.backoff)
        if options.dry_run:
            plan = with_retries(lambda: plan_upload(bundle, repo_id, target, options.revision, tag), target,
                                "reading the repository", out, repo_id, "reading")
            for line in describe_plan(plan, tag, options.private):
                out(line)
            result.plan = plan
            return result
        message = options.commit_message or commit_message(version)
        description = (f"stick-gen {variant} variant ({method}), {inspected.parameters:,} "
                       f"{'adapter ' if inspected.is_lora else ''}parameters, from {checkpoint.name}.")
        try:
            upload = upload_bundle(bundle, repo_id, target, private=options.private, revision=options.revision,
                                   commit_message=message, commit_description=description, tag=tag,
                                   force_tag=options.force_tag, progress=lambda line: out(f"  {line}"))
        except StickGenError as err:
            raise type(err)(redact(str(err), secrets)) from None
    result.upload, result.plan = upload, upload.plan
    _report(upload, bundle, message, inspected.is_lora, out)
    return result


def _card_file(options: PushOptions, variant: str, method: str, repo_id: str, result: PushResult) -> Tuple[Path, str]:
    """The card's path; for a custom method without a card, a generated one (with a warning)."""
    try:
        return resolve_card(options, variant, method)
    except ConfigError as err:
        if options.model_card or has_shipped_card(method):
            raise
        generated = Path(tempfile.mkdtemp(prefix="stick-gen-card-")) / f"stick-gen-{variant}-{method}.md"
        generated.write_text(render_card(variant, method, repo_id), encoding="utf-8")
        result.findings.append(Finding(FindingLevel.PROBLEM, f"{err}; using a generated card with TBDs instead"))
        return generated, "generated for this upload"


def _settle(findings: List[Finding], options: PushOptions, confirm: Optional[Confirm],
            out: Callable[[str], None], warn: Callable[[str], None]) -> None:
    """Print the findings, then decide: a fatal finding stops; problems stop unless ``--yes`` or the user,
    asked in a terminal, says to continue; warnings only print."""
    for finding in findings:
        if finding.level == FindingLevel.INFO:
            out(f"  ok: {finding.message}")
    for finding in findings:
        if finding.level == FindingLevel.WARNING:
            warn(f"warning: {finding.message}")
    fatal = [f for f in findings if f.level == FindingLevel.FATAL]
    problems = [f for f in findings if f.level == FindingLevel.PROBLEM]
    listing = "\n".join(f"  - {f.level}: {f.message}" for f in fatal + problems)
    if fatal:
        raise ValidationError(f"validation failed, nothing was written or sent:\n{listing}")
    if not problems:
        out("validation passed")
        return
    for finding in problems:
        warn(f"problem: {finding.message}")
    if options.yes:
        warn(f"--yes: continuing past {len(problems)} validation problem(s)")
        return
    if confirm is None:
        raise ValidationError(
            f"validation found {len(problems)} problem(s), nothing was written or sent:\n{listing}\n"
            f"Fix them, or pass --yes to publish anyway (in a terminal you would be asked)."
        )
    if not confirm(f"validation found {len(problems)} problem(s); continue?"):
        raise ValidationError(f"cancelled: validation found {len(problems)} problem(s), nothing was written or sent")


def _report(upload: UploadResult, bundle: Bundle, message: str, lora: bool, out: Callable[[str], None]) -> None:
    if upload.committed:
        out(f"uploaded {upload.repo_id}: commit {upload.commit_oid[:7]} \"{message}\"")
    else:
        out(f"{upload.repo_id} already holds this bundle: no new commit (head {upload.commit_oid[:7]})")
    out(f"  url:    {upload.repo_url}")
    out(f"  commit: {upload.commit_url}")
    if upload.tag:
        out(f"  tag:    {upload.tag}")
    out(f"  bundle: {bundle.directory}/ ({len(bundle.files)} files)")
    revision = f', revision="{upload.tag}"' if upload.tag else ""
    if lora:
        out(f"merge it with: stick-gen lora merge --adapter lora_adapters.pth --base <base repo> --output merged/ "
            f"(see the card at {upload.repo_url})")
    else:
        out(f"load it with: StickFigureTransformer.from_pretrained(\"{upload.repo_id}\"{revision})")
