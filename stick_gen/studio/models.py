"""Which model the studio runs, loading it, and the facts its model panel shows.

A model is named as on the command line: a local checkpoint file or folder (``--checkpoint``), or
a Hub repository ``owner/name[@revision]`` (``--model``). The panel reads what the model itself
records (config: size, text encoder, frame rate) and, when the model comes with one, its card
(``README.md``: the metrics ``stick-gen card update`` wrote) and ``VERSION`` file.

>>> parse_hub_model("GesturaAI/stick-gen-small@v1.0.0")
('GesturaAI/stick-gen-small', 'v1.0.0')
>>> facts = model_facts(load_pipeline(ModelSource.local("checkpoints/best_model.pt")))  # doctest: +SKIP
>>> facts.variant, facts.parameters                                                     # doctest: +SKIP
('small', 5551270)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from ..errors import GenerationError, StickGenError

DEFAULT_CHECKPOINTS = ("checkpoints/best_model.pt", "demo_out/checkpoints/best_model.pt")
"""The same default as ``stick-gen generate`` (commands/generate.py), tried in this order."""

_REPO_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}"
_HUB_MODEL = re.compile(rf"^({_REPO_PART}/{_REPO_PART})(?:@([A-Za-z0-9][A-Za-z0-9._/-]{{0,199}}))?$")


@dataclass(frozen=True)
class ModelSource:
    """A local checkpoint (``path``) or a Hub repository (``repo_id`` at ``revision``)."""

    path: Optional[str] = None
    repo_id: Optional[str] = None
    revision: Optional[str] = None

    @classmethod
    def local(cls, path: str) -> "ModelSource":
        return cls(path=str(path))

    @classmethod
    def hub(cls, spec: str) -> "ModelSource":
        """``ModelSource.hub("owner/name@v1.0.0")``; a clear error for anything else."""
        repo_id, revision = parse_hub_model(spec)
        return cls(repo_id=repo_id, revision=revision)

    @property
    def label(self) -> str:
        """How the page names the model: ``owner/name@revision`` or the local path."""
        if self.repo_id:
            return self.repo_id + (f"@{self.revision}" if self.revision else "")
        return str(self.path)


def parse_hub_model(spec: str) -> Tuple[str, Optional[str]]:
    """``"owner/name@rev"`` -> ``("owner/name", "rev")``; revision None when absent."""
    text = (spec or "").strip()
    match = _HUB_MODEL.match(text)
    if not match:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise GenerationError(f"{shown!r} is not a Hub model: write owner/name or owner/name@revision "
                              f"(e.g. GesturaAI/stick-gen-small@v1.0.0)")
    return match.group(1), match.group(2)


def resolve_source(checkpoint: Optional[str] = None, model: Optional[str] = None) -> ModelSource:
    """The model the command line names; with neither, the first of :data:`DEFAULT_CHECKPOINTS` that exists.

    >>> resolve_source(model="GesturaAI/stick-gen-small").repo_id
    'GesturaAI/stick-gen-small'
    """
    if checkpoint is not None and model is not None:
        raise GenerationError("give --checkpoint PATH or --model REPO_ID, not both")
    if model is not None:
        return ModelSource.hub(model)
    if checkpoint is not None:
        if not checkpoint.strip() or not Path(checkpoint).exists():
            raise GenerationError(f"{checkpoint}: no such file or folder (relative to {Path.cwd()}); "
                                  f"--checkpoint is a local path, for a Hub repository use --model OWNER/NAME")
        return ModelSource.local(checkpoint)
    for candidate in DEFAULT_CHECKPOINTS:
        if Path(candidate).is_file():
            return ModelSource.local(candidate)
    raise GenerationError("no model given and none trained here: pass --checkpoint PATH or --model REPO_ID "
                          "(e.g. GesturaAI/stick-gen-small), or run `make demo` to train one")


def load_pipeline(source: ModelSource):
    """The :class:`~stick_gen.inference.StickGenPipeline` of ``source``; one-line errors of the StickGenError family."""
    from ..inference.pipeline import StickGenPipeline

    try:
        if source.repo_id:
            return StickGenPipeline.from_pretrained(source.repo_id, revision=source.revision)
        return StickGenPipeline.from_pretrained(source.path)
    except StickGenError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError) as err:  # a file torch or safetensors cannot read
        raise GenerationError(f"{source.label}: the model could not be loaded ({type(err).__name__}: "
                              f"{' '.join(str(err).split())[:200]})") from None


@dataclass
class ModelFacts:
    """What the model panel shows; every field comes from the model, its card or its files."""

    source: str
    variant: str
    parameters: int
    text_encoder: str
    fps: int
    clip_seconds: float
    max_actors: int
    objective: str
    version: Optional[str] = None
    revision: Optional[str] = None
    commit: Optional[str] = None
    metrics: List[Tuple[str, str]] = field(default_factory=list)
    """``(metric name, value as the card shows it)``, in the card's order."""
    metrics_from: Optional[str] = None

    def markdown(self) -> str:
        """The panel as Markdown: a table of facts, then the card's metrics (or why there are none)."""
        rows = [("Model", f"`{self.source}`"), ("Variant", self.variant),
                ("Parameters", f"{self.parameters:,} ({self.parameters / 1e6:.1f}M)")]
        if self.version:
            rows.append(("Version", self.version))
        if self.revision:
            rows.append(("Revision", f"`{self.revision}`"))
        if self.commit and self.commit != self.revision:
            rows.append(("Commit", f"`{self.commit}`"))
        rows += [("Text encoder", f"`{self.text_encoder}`"), ("Objective", self.objective),
                 ("Clip", f"{self.clip_seconds:g} s at {self.fps} fps, up to {self.max_actors} actors")]
        lines = ["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows), ""]
        if self.metrics:
            lines += [f"**Metrics** (from {self.metrics_from})", "", "| Metric | Value |", "|---|---:|",
                      *(f"| {name} | {value} |" for name, value in self.metrics)]
        else:
            lines.append(f"**Metrics**: {self.metrics_from or 'none: this model has no card with measured metrics'}")
        return "\n".join(lines)


def model_facts(pipe, source: Optional[ModelSource] = None) -> ModelFacts:
    """Facts of a loaded pipeline; the card and ``VERSION`` are read when the model has them (best effort).

    >>> model_facts(pipe).markdown().startswith("| |")  # doctest: +SKIP
    True
    """
    model, config = pipe.model, pipe.model.config
    named = config.variant
    variant = named.name if named else f"custom (d_model {config.d_model}, {config.num_layers} layers)"
    if source is None:  # a pipeline loaded elsewhere: a Hub download records its commit
        source = (ModelSource(repo_id=pipe.model_id, revision=pipe.revision) if pipe.commit
                  else ModelSource.local(pipe.model_id or "(in memory)"))
    facts = ModelFacts(
        source=source.label, variant=variant, parameters=sum(p.numel() for p in model.parameters()),
        text_encoder=pipe.encoder.identity, fps=pipe.fps, clip_seconds=config.max_frames / pipe.fps,
        max_actors=config.max_actors, objective=config.objective,
        revision=pipe.revision if source.repo_id else None, commit=pipe.commit,
    )
    card, version = _card_and_version(source)
    if version:
        facts.version = version
    if card is not None:
        facts.metrics, facts.metrics_from = _card_metrics(card)
    else:
        facts.metrics_from = _checkpoint_metrics_note(source)
    return facts


def _card_and_version(source: ModelSource) -> Tuple[Optional[str], Optional[str]]:
    """Text of the model's ``README.md`` and ``VERSION`` (None where absent or unreadable)."""
    if source.repo_id:
        from ..inference.hub_download import download_model_files

        try:
            folder = download_model_files(source.repo_id, revision=source.revision, files=("README.md", "VERSION"))
        except StickGenError:
            return None, None
    else:
        path = Path(source.path or "")
        folder = path if path.is_dir() else path.parent
    return _read_small(folder / "README.md"), (_read_small(folder / "VERSION") or "").strip() or None


def _read_small(path: Path, limit: int = 1_000_000) -> Optional[str]:
    try:
        if path.is_file() and path.stat().st_size <= limit:
            return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    return None


def _card_metrics(card_text: str) -> Tuple[List[Tuple[str, str]], str]:
    """``(name, formatted value)`` of the card's ``model-index`` metrics, formatted as the card table formats them."""
    from ..hub.cards import METRICS, format_metric, parse_card

    kinds = {key: kind for key, _, kind in METRICS}
    card = parse_card(card_text)
    found: List[Tuple[str, str]] = []
    split = "test"
    for entry in (card.front_matter or {}).get("model-index") or []:
        for result in (entry.get("results") or []) if isinstance(entry, dict) else []:
            if not isinstance(result, dict):
                continue
            split = str((result.get("dataset") or {}).get("split") or split)
            for metric in result.get("metrics") or []:
                if not isinstance(metric, dict):
                    continue
                value = metric.get("value")
                name = str(metric.get("name") or metric.get("type") or "?")[:80]
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    found.append((name, format_metric(value, kinds.get(str(metric.get("type")), "float"))))
                else:
                    found.append((name, str(value)[:40]))
    if not found:
        return [], "its model card, which records no metrics yet"
    return found, f"the model card, {split} split"


def _checkpoint_metrics_note(source: ModelSource) -> str:
    if source.repo_id:
        return "none: the repository has no model card"
    return ("none: a checkpoint file carries no card; open the published bundle folder "
            "(e.g. `--checkpoint demo_out/hf_upload`) to see its card's metrics")
