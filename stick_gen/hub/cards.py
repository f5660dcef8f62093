"""Model cards: read them, write new ones from the variant table, and fill them with measured facts.

A card is Markdown with YAML front matter (``language``, ``library_name``, ``license``, ``tags``,
``pipeline_tag``, ``model-index``; ``base_model`` for fine-tunes), written and read back through
huggingface_hub's ``ModelCardData`` with one ``EvalResult`` per metric (:func:`card_data`), and checked
offline the way huggingface_hub reads it before an upload (:func:`metadata_problems`). Two regions are kept between
HTML comment markers so that ``stick-gen card update`` can rewrite them in place:

* ``<!-- metrics:start -->`` ... ``<!-- metrics:end -->``: the four headline metrics as bullets (the
  form of the upload guide's card, so every card opens with the same four numbers) and a table of every
  metric ``stick-gen evaluate`` reports;
* ``<!-- examples:start -->`` ... ``<!-- examples:end -->``: one ``### "prompt"`` heading and
  ``![Animation](examples/name.gif)`` per example animation.

Facts a card states (sizes, shapes, hardware) come from :mod:`stick_gen.model.variants`; numbers
that must be measured (metrics, training steps) are ``TBD`` until ``card update`` fills them.

>>> card = parse_card(render_card("medium"))
>>> card.front_matter["model-index"][0]["name"], "Model Details" in card.headings
('stick-gen-medium', True)
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import yaml
from huggingface_hub import EvalResult, ModelCardData
from huggingface_hub import ModelCard as HubModelCard

from ..model.atomic import atomic_write
from ..errors import ConfigError, StickGenError
from ..model.pose import DEFAULT_FPS, DEFAULT_FRAMES, POSE_DIM
from ..model.transformer import MAX_ACTORS
from ..model.variants import VARIANTS, TrainingMethod, get_variant, repo_id_for
from ..resources import load_yaml
from .naming import PRETRAIN

PathLike = Union[str, Path]

REQUIRED_SECTIONS = (
    "Model Details", "Intended Uses", "Training Details", "Evaluation", "Limitations", "Citation", "How to Use",
)
"""Headings every published card must have (any level, case-insensitive, may carry more words)."""

REQUIRED_METADATA = ("library_name", "license", "tags", "pipeline_tag", "model-index")

PIPELINE_TAG = "text-to-video"
"""The Hub has no text-to-motion task; the model's product is an animation, so cards use text-to-video."""

METRICS: Tuple[Tuple[str, str, str], ...] = (
    ("pose_mse", "Pose MSE", "float"),
    ("temporal_consistency", "Temporal Consistency", "float"),
    ("action_accuracy", "Action Accuracy", "percent100"),
    ("physics_mse", "Physics MSE", "float"),
    ("r_precision_top1", "R-precision (top-1)", "percent"),
    ("r_precision_top3", "R-precision (top-3)", "percent"),
    ("fid", "FID", "float"),
    ("diversity", "Diversity", "float"),
    ("foot_skating", "Foot skating", "float"),
    ("jitter", "Jitter", "float"),
    ("action_accuracy_clip", "Action Accuracy (per clip)", "percent100"),
    ("amplitude_hands", "Limb amplitude, hands (generated/real)", "float"),
    ("amplitude_feet", "Limb amplitude, feet (generated/real)", "float"),
    ("amplitude_hip_height", "Limb amplitude, hip height (generated/real)", "float"),
    ("amplitude_foot_lift", "Limb amplitude, foot lift (generated/real)", "float"),
    ("seed_variety", "Seed variety (generated/real)", "float"),
    ("action_head_agreement", "Action-head agreement (the model's own labels)", "percent100"),
    ("cadence_agreement", "Cadence agreement (repeating actions at the real pace)", "percent100"),
)
"""``(key in metrics.json, name in the card, format)``; the first four are the headline metrics every card
lists first."""

HEADLINE_METRICS = 4
TEMPLATES = Path(__file__).with_name("card_templates")
"""One Jinja template per card kind: ``pretrain.md.j2``, ``finetune.md.j2`` (SFT and custom), ``lora.md.j2``."""
DEFAULT_REVISION = "v1.0.0"
"""The revision a new card's How to Use loads; publishing pins it to the version pushed (``pin_revision``)."""
EXAMPLE_PROMPTS = {"walk_wave.gif": "A person walks forward and waves", "catch.gif": "Two people playing catch"}
"""The two example animations the upload guide's card embeds, with their prompts; other GIFs get a prompt from
``examples.json`` or their file name."""

METRICS_START, METRICS_END = "<!-- metrics:start -->", "<!-- metrics:end -->"
EXAMPLES_START, EXAMPLES_END = "<!-- examples:start -->", "<!-- examples:end -->"

_TBD = re.compile(r"\bTBD\b")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class ModelCard:
    """A parsed card: its front matter (or None), the Markdown body and where each line came from."""

    text: str
    front_matter: Optional[Dict[str, Any]]
    front_matter_error: Optional[str]
    body: str
    body_first_line: int
    """1-based line number of the body's first line in ``text``."""
    headings: List[str] = field(default_factory=list)

    def has_section(self, name: str) -> bool:
        """Whether a heading starts with ``name`` (case and punctuation ignored)."""
        want = _normalise(name)
        return any(_normalise(h).startswith(want) for h in self.headings)

    def tbd_lines(self) -> List[Tuple[int, str]]:
        """``(line number, line)`` of every ``TBD`` in the card, front matter included."""
        return [(n, line.strip()) for n, line in enumerate(self.text.splitlines(), 1) if _TBD.search(line)]

    def images(self) -> List[str]:
        """Relative paths of the images the body shows (``![..](examples/x.gif)``), in order, no URLs."""
        found = []
        for path in _IMAGE.findall(_outside_code(self.body)):
            if "://" not in path and not path.startswith(("/", "data:")) and path not in found:
                found.append(path)
        return found

    def variants_named(self) -> List[str]:
        """Variants the card says it describes: from ``model-index`` names, else from its title."""
        names = []
        for entry in (self.front_matter or {}).get("model-index") or []:
            if isinstance(entry, Mapping):
                names.append(str(entry.get("name", "")))
        title = next((h for h in self.headings), "")
        found = [m.group(1) for n in (names or [title]) if (m := re.search(rf"stick-gen-({'|'.join(VARIANTS)})\b", n))]
        return sorted(set(found))


def _normalise(heading: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", heading.lower()).strip()


def _outside_code(markdown: str) -> str:
    """``markdown`` with fenced code blocks blanked, so code is not read as headings or images."""
    kept, in_code = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            kept.append("")
            continue
        kept.append("" if in_code else line)
    return "\n".join(kept)


def parse_card(text: str) -> ModelCard:
    """Split a card into front matter and body; a YAML error is recorded, not raised.

    >>> parse_card("---\\nlicense: mit\\n---\\n# Title\\n").front_matter
    {'license': 'mit'}
    """
    lines = text.splitlines()
    front: Optional[Dict[str, Any]] = None
    error: Optional[str] = None
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            error = "the front matter opened by '---' on line 1 is never closed by another '---'"
        else:
            start = end + 1
            try:
                loaded = load_yaml("\n".join(lines[1:end]))
            except yaml.YAMLError as err:
                error = f"the front matter is not valid YAML: {' '.join(str(err).split())}"
            else:
                if loaded is None or isinstance(loaded, dict):
                    front = loaded or {}
                else:
                    error = "the front matter must be a YAML mapping (key: value lines)"
    body = "\n".join(lines[start:])
    headings = [m.group(2) for line in _outside_code(body).splitlines() if (m := _HEADING.match(line))]
    return ModelCard(text, front, error, body, start + 1, headings)


def read_card(path: PathLike) -> ModelCard:
    """Read and parse the card at ``path`` (relative to the current directory)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"model card {path}: no such file (paths are relative to {Path.cwd()})")
    try:
        return parse_card(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError(f"model card {path}: not UTF-8 text ({err})") from None


def pin_revision(text: str, repo_id: str, revision: str) -> str:
    r"""``text`` with each revision its How to Use code loads ``repo_id`` at set to ``revision``.

    Only fenced code in the How to Use section changes, and only revisions given for ``repo_id``
    itself (``from_pretrained("repo", revision=...)``, ``hf_hub_download(repo_id="repo", ...,
    revision=...)``, ``hf download repo ... --revision ...``); a LoRA card's base model keeps its
    own. Everything else, line endings included, is left as it is.

    >>> pin_revision('## How to Use\n```python\nm = load("a/b", revision="v1.0.0")\n```\n', "a/b", "v1.1.0")
    '## How to Use\n```python\nm = load("a/b", revision="v1.1.0")\n```\n'
    """
    quoted = re.compile(rf"""(["']{re.escape(repo_id)}["'][^()]*?\brevision\s*=\s*)(["'])[^"'\n]*(["'])""")
    shell = re.compile(rf"((?<![\w./-]){re.escape(repo_id)}(?![\w./-])[^\n|;&#]*?--revision[= ])(\S+)")

    def pin(code: str) -> str:
        code = quoted.sub(lambda m: f"{m.group(1)}{m.group(2)}{revision}{m.group(3)}", code)
        return shell.sub(lambda m: f"{m.group(1)}{revision}", code)

    out: List[str] = []
    block: Optional[List[str]] = None
    section_level = 0  # the level of the How to Use heading while inside that section, else 0
    for line in text.splitlines(keepends=True):
        if block is not None:
            if _FENCE.match(line):
                out.append(pin("".join(block)) if section_level else "".join(block))
                out.append(line)
                block = None
            else:
                block.append(line)
            continue
        if _FENCE.match(line):
            block = []
        elif heading := _HEADING.match(line.rstrip("\r\n")):
            level = len(heading.group(1))
            if _normalise(heading.group(2)).startswith("how to use"):
                section_level = level
            elif section_level and level <= section_level:
                section_level = 0
        out.append(line)
    if block is not None:  # an unclosed fence: leave its text alone
        out.append("".join(block))
    return "".join(out)


def format_metric(value: Any, kind: str) -> str:
    """A metric as a card shows it: ``0.0234``, ``87.3%``, ``12.41``.

    ``percent`` is a fraction (R-precision), ``percent100`` already a percentage (Action Accuracy).

    >>> format_metric(0.873, "percent"), format_metric(87.3, "percent100"), format_metric(0.02341, "float")
    ('87.3%', '87.3%', '0.0234')
    """
    if value is None:
        return "n/a"
    value = float(value)
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "percent100":
        return f"{value:.1f}%"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"


def _metrics_block(metrics: Optional[Mapping[str, Any]] = None) -> str:
    """The Markdown between the metrics markers: the headline bullets, then (once measured) every metric."""
    if metrics is None:
        bullets = [f"- **{name}**: TBD" for _, name, _ in METRICS[:HEADLINE_METRICS]]
        return "\n".join(["### Metrics (Test Set)", "", *bullets])
    model, real, ci = metrics.get("model") or {}, metrics.get("real") or {}, metrics.get("ci95") or {}
    split = str(metrics.get("split") or "test")
    title = "Validation" if split.startswith("val") else split.capitalize()
    lines = [f"### Metrics ({title} Set)", ""]
    for key, name, kind in METRICS[:HEADLINE_METRICS]:
        lines.append(f"- **{name}**: {format_metric(model[key], kind) if key in model else 'n/a'}")
    lines += ["", "| Metric | This model | 95% CI | Real motion |", "|--------|-----------:|--------|------------:|"]
    for key, name, kind in METRICS:
        if key not in model:
            continue
        low_high = ci.get(key)
        interval = (f"{format_metric(low_high[0], kind)} to {format_metric(low_high[1], kind)}"
                    if isinstance(low_high, Sequence) and len(low_high) == 2 else "n/a")
        reference = format_metric(real[key], kind) if real.get(key) is not None else "n/a"
        lines.append(f"| {name} | {format_metric(model[key], kind)} | {interval} | {reference} |")
    lines += ["", f"Measured by `stick-gen evaluate` on {metrics.get('num_samples', 'n/a')} samples of the {split} "
                  "split, from generated motion (not teacher-forced); real motion is the same split's ground truth."]
    return "\n".join(lines)


def _examples_block(examples: Sequence[Tuple[str, str]]) -> str:
    """Each example as the upload guide's card shows one: ``### "prompt"``, then
    ``![Animation](examples/file.gif)``."""
    if not examples:
        return ("Not rendered yet: `stick-gen card update CARD --examples DIR` embeds the GIFs that "
                "`stick-gen generate` wrote for this checkpoint.")
    return "\n\n".join(f'### "{prompt}"\n![Animation](examples/{name})' for name, prompt in examples)


def _eval_results(metrics: Optional[Mapping[str, Any]] = None) -> List[EvalResult]:
    """The card's ``model-index`` entries: every measured metric, or the headline ones as ``TBD``."""
    model = (metrics or {}).get("model") or {}
    split = str((metrics or {}).get("split") or "test")
    results = []
    for key, label, _ in METRICS:
        if key in model or (metrics is None and len(results) < HEADLINE_METRICS):
            value = model.get(key, "TBD")
            results.append(EvalResult(
                task_type=PIPELINE_TAG, task_name="Text-to-motion generation",
                dataset_type="stick-gen-procedural", dataset_name="stick-gen procedural motion", dataset_split=split,
                metric_type=key, metric_name=label,
                metric_value=round(float(value), 6) if isinstance(value, (int, float)) else value))
    return results


FRONT_MATTER_ORDER = ["language", "library_name", "license", "pipeline_tag", "tags", "datasets", "base_model",
                      "base_model_relation"]
"""The order a new card's front matter is written in (``model-index`` last); a card's own order is kept."""


def card_data(variant: str, method: str = PRETRAIN, org_repo: Optional[str] = None,
              metrics: Optional[Mapping[str, Any]] = None) -> ModelCardData:
    """The front matter of a new card for ``variant`` trained by ``method``, as the Hub's ``ModelCardData``.

    >>> data = card_data("small", "lora")
    >>> data.base_model, data.library_name, data.language, data.eval_results[0].metric_type
    ('GesturaAI/stick-gen-small', 'peft', 'en', 'pose_mse')
    """
    repo = org_repo or repo_id_for(variant, method)
    is_lora, is_finetune = method == TrainingMethod.LORA, method != TrainingMethod.PRETRAIN
    tags = ["stick-gen", "text-to-motion", "animation", "stick-figure", "pytorch"]
    if is_finetune:
        tags += ["lora", "peft"] if is_lora else ["fine-tuned", method]
    extra: Dict[str, Any] = {}
    if is_finetune:
        extra["base_model_relation"] = "adapter" if is_lora else "finetune"
    data = ModelCardData(
        language="en", license="mit", library_name="peft" if is_lora else "stick-gen", pipeline_tag=PIPELINE_TAG,
        tags=tags, base_model=repo_id_for(variant) if is_finetune else None, model_name=repo.split("/", 1)[1],
        eval_results=_eval_results(metrics), **extra)
    return _in_order(data, FRONT_MATTER_ORDER)


def _in_order(data: ModelCardData, order: Sequence[str]) -> ModelCardData:
    """``data`` with ``order``'s keys re-set in that order, which its YAML follows (``model-index`` comes last)."""
    for key in order:
        if key in data:
            data[key] = data.pop(key)
    return data


def _front_matter_text(data: ModelCardData) -> str:
    return "---\n" + data.to_yaml() + "\n---\n"


def metadata_problems(front: Mapping[str, Any]) -> List[str]:
    """What is wrong with a card's front matter, read the way huggingface_hub reads it.

    The Hub checks metadata on its server (``RepoCard.validate`` posts the card to ``/api/validate-yaml``);
    this runs offline, so it checks what huggingface_hub itself can: ``ModelCardData`` must load the front
    matter (a ``model-index`` it cannot turn into ``EvalResult`` entries is refused) and write it back
    as YAML, and the fields the Hub indexes must have the Hub's types (strings, lists of strings,
    ``namespace/name`` ids for ``base_model``).

    >>> metadata_problems(card_data("small", "sft").to_dict())
    []
    >>> metadata_problems({"language": "en", "tags": "stick-gen", "base_model": "stick gen", "model-index": [{}]})
    ["'tags' must be a list of strings", "'base_model' 'stick gen' is not a Hub model id (namespace/name)", \
"model-index: huggingface_hub cannot read it (KeyError: 'name'); each entry needs name and results[] with \
task.type, dataset.type, dataset.name and metrics[] of type and value"]
    """
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    problems = []

    def strings(key: str, single: bool) -> None:
        value = front.get(key)
        if value is None:
            return
        if single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            problems.append(f"'{key}' must be {'a string or ' if single else ''}a list of strings")

    for key in ("library_name", "license", "pipeline_tag", "base_model_relation"):
        if front.get(key) is not None and not isinstance(front[key], str):
            problems.append(f"'{key}' must be a string, not {front[key]!r}")
    strings("language", True)
    strings("tags", False)
    strings("datasets", True)
    strings("base_model", True)
    bases = front.get("base_model")
    for base in ([bases] if isinstance(bases, str) else bases if isinstance(bases, list) else []):
        try:
            if not isinstance(base, str) or "/" not in base:
                raise HFValidationError(base)
            validate_repo_id(base)
        except HFValidationError:
            problems.append(f"'base_model' {base!r} is not a Hub model id (namespace/name)")
    try:
        ModelCardData(**dict(front)).to_yaml()
    except (ValueError, TypeError) as err:
        cause = err.__cause__ or err
        reason = str(cause).split(". Pass")[0]
        if "model_index" in reason or "eval_results" in reason:
            inner = re.search(r"<class '(\w+)'> (.*)", reason)
            reason = f"{inner.group(1)}: {inner.group(2)}" if inner else reason
            problems.append(f"model-index: huggingface_hub cannot read it ({reason}); each entry needs name and "
                            "results[] with task.type, dataset.type, dataset.name and metrics[] of type and value")
        else:
            problems.append(f"huggingface_hub cannot read the front matter ({reason})")
        return problems
    return problems


def render_card(variant: str, method: str = PRETRAIN, org_repo: Optional[str] = None,
                revision: str = DEFAULT_REVISION) -> str:
    """A new model card for ``variant`` trained by ``method`` (``pretrain``, ``sft``, ``lora`` or custom).

    The front matter is :func:`card_data`; the body is the card kind's Jinja template in
    ``hub/card_templates`` (``pretrain``, ``finetune`` or ``lora``) rendered by huggingface_hub's
    ``ModelCard.from_template``. Everything it states comes from the variant table and the pose
    layout; its How to Use code loads ``revision`` of the repository (the base model's stays at
    ``DEFAULT_REVISION``); measured numbers are ``TBD`` until ``stick-gen card update`` fills them.

    >>> "15.8M" in render_card("medium", "sft"), 'revision="v1.2.0"' in render_card("small", revision="v1.2.0")
    (True, True)
    """
    v = get_variant(variant)
    repo = org_repo or repo_id_for(variant, method)
    kind = "pretrain" if method == TrainingMethod.PRETRAIN else "lora" if method == TrainingMethod.LORA else "finetune"
    card = HubModelCard.from_template(
        card_data(variant, method, repo),
        template_path=str(TEMPLATES / f"{kind}.md.j2"),
        name=repo.split("/", 1)[1], repo=repo, variant=variant, method=method,
        method_label=method.upper() if method == "sft" else method, revision=revision,
        base_revision=DEFAULT_REVISION, params_label=v.params_label,
        shape=(f"d_model {v.d_model}, {v.nhead} attention heads, {v.num_layers} transformer blocks, "
               f"feed-forward width {v.dim_feedforward}"),
        d_model=v.d_model, nhead=v.nhead, num_layers=v.num_layers, hardware=v.hardware, use_case=v.use_case,
        frames=DEFAULT_FRAMES, seconds=DEFAULT_FRAMES // DEFAULT_FPS, fps=DEFAULT_FPS, pose_dim=POSE_DIM,
        max_actors=MAX_ACTORS, metrics_region=f"{METRICS_START}\n{_metrics_block()}\n{METRICS_END}",
        examples_region=f"{EXAMPLES_START}\n{_examples_block([])}\n{EXAMPLES_END}",
    )
    text = str(card)
    return text if text.endswith("\n") else text + "\n"


def render_card_to(path: PathLike, variant: str, method: str = PRETRAIN, repo_id: Optional[str] = None,
                   overwrite: bool = False, revision: str = DEFAULT_REVISION) -> Path:
    """Write :func:`render_card` to ``path`` (refuses to overwrite unless asked)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise StickGenError(f"{path} exists; pass --force to overwrite it or choose another path")
    text = render_card(variant, method, repo_id, revision)
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


@dataclass
class CardUpdate:
    """What ``update_card`` changed."""

    path: Path
    metrics_written: List[str] = field(default_factory=list)
    examples: List[Tuple[str, str]] = field(default_factory=list)
    facts: Dict[str, str] = field(default_factory=dict)
    tbd_left: List[Tuple[int, str]] = field(default_factory=list)


def read_metrics(path: PathLike) -> Dict[str, Any]:
    """The JSON that ``stick-gen evaluate --output`` writes, checked for a ``model`` section of numbers."""
    path = Path(path)
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--metrics {path}: no such file (write it with `stick-gen evaluate ... --output "
                          f"{path}`)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"--metrics {path}: not valid JSON ({err})") from None
    model = metrics.get("model") if isinstance(metrics, dict) else None
    known = {key for key, _, _ in METRICS}
    if not isinstance(model, dict) or not known & set(model):
        raise ConfigError(f"--metrics {path}: expected the output of `stick-gen evaluate` with a 'model' section "
                          f"holding some of {', '.join(sorted(known))}")
    for key in known & set(model):
        if model[key] is not None and not isinstance(model[key], (int, float)):
            raise ConfigError(f"--metrics {path}: model.{key} is {model[key]!r}, expected a number")
    return metrics


def find_examples(directory: PathLike) -> List[Tuple[str, str]]:
    """``(file name, prompt)`` of every GIF in ``directory``.

    Prompts come from ``examples.json`` (``{"walk_wave.gif": "A person walks forward and waves"}``)
    when present, else from :data:`EXAMPLE_PROMPTS`, else from the file name (``jump_rope.gif`` ->
    ``"Jump rope"``). Files named in ``examples.json`` keep its order; the rest follow by name.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(f"--examples {directory}: not a directory of GIFs")
    prompts: Dict[str, str] = {}
    listing = directory / "examples.json"
    if listing.is_file():
        try:
            prompts = {str(k): str(v) for k, v in json.loads(listing.read_text(encoding="utf-8")).items()}
        except (json.JSONDecodeError, AttributeError, UnicodeDecodeError) as err:
            raise ConfigError(f"{listing}: expected a JSON object {{\"file.gif\": \"prompt\"}} ({err})") from None
    gifs = sorted(p.name for p in directory.glob("*.gif") if p.is_file())
    if not gifs:
        raise ConfigError(f"--examples {directory}: holds no .gif files (render them with `stick-gen generate "
                          f"\"A person walks forward and waves\" -o {directory}/walk_wave.gif`)")
    ordered = [name for name in prompts if name in gifs] + [name for name in gifs if name not in prompts]
    return [(name, prompts.get(name) or EXAMPLE_PROMPTS.get(name) or _prompt_from_name(name)) for name in ordered]


def _prompt_from_name(name: str) -> str:
    words = re.sub(r"[_\-]+", " ", Path(name).stem).strip()
    return words[:1].upper() + words[1:] if words else name


def _replace_region(text: str, start: str, end: str, content: str, heading: str) -> str:
    """Put ``content`` between the markers; without markers, add a region under ``## heading``."""
    region = f"{start}\n{content}\n{end}"
    if start in text and end in text and text.index(start) < text.index(end):
        return text[: text.index(start)] + region + text[text.index(end) + len(end):]
    match = re.search(rf"^##\s+{re.escape(heading)}\b.*$", text, flags=re.M | re.I)
    if match:
        return text[: match.end()] + "\n\n" + region + "\n" + text[match.end():]
    return text.rstrip("\n") + f"\n\n## {heading}\n\n{region}\n"


def _fill_bullet(text: str, label: str, value: str) -> Tuple[str, bool]:
    """Replace ``- **label**: TBD`` by ``- **label**: value``; returns the text and whether it changed."""
    pattern = re.compile(rf"^(\s*[-*]\s+\*\*{re.escape(label)}\*\*:\s*)TBD\s*$", re.M)
    new, count = pattern.subn(lambda m: m.group(1) + value.replace("\\", "\\\\"), text)
    return new, bool(count)


def checkpoint_facts(checkpoint_path: PathLike) -> Dict[str, str]:
    """Card bullets a checkpoint can fill: training steps, text encoder, base model, fine-tune and LoRA settings."""
    from ..model.checkpoint import load_checkpoint

    ckpt = load_checkpoint(checkpoint_path)
    meta = ckpt.metadata
    facts: Dict[str, str] = {}
    if isinstance(meta.get("step"), int) and meta["step"] > 0:
        facts["Training steps"] = f"{meta['step']:,}"
    if ckpt.text_encoder:
        facts["Text encoder"] = f"`{ckpt.text_encoder}`"
    base = meta.get("base_model") or {}
    if base.get("repo_id"):
        facts["Base model"] = str(base["repo_id"])
    finetune = meta.get("finetune") or {}
    if finetune.get("domain"):
        facts["Fine-tuning domain"] = str(finetune["domain"])
    if finetune.get("max_steps"):
        facts["Fine-tuning steps"] = f"{int(finetune['max_steps']):,}"
    if finetune.get("learning_rate"):
        facts["Learning rate"] = f"{float(finetune['learning_rate']):g}"
    lora = meta.get("lora_config") or {}
    if lora:
        facts["LoRA rank"] = str(lora.get("r"))
        facts["LoRA alpha"] = str(lora.get("lora_alpha"))
        facts["LoRA target modules"] = ", ".join(f"`{m}`" for m in lora.get("target_modules", []))
        facts["Adapter parameters"] = f"{sum(t.numel() for t in ckpt.state_dict.values()):,}"
    return facts


def update_card(
    card_path: PathLike,
    *,
    metrics: Optional[PathLike] = None,
    examples: Optional[PathLike] = None,
    checkpoint: Optional[PathLike] = None,
) -> CardUpdate:
    """Fill a card with measured facts and write it back (atomically).

    ``metrics``: ``stick-gen evaluate --output`` JSON -> the metrics block and ``model-index``.
    ``examples``: a directory of GIFs -> the "Example Outputs" section; the GIFs are copied to
    ``examples/`` beside the card, where the bundle picks them up. ``checkpoint``: fills the
    ``TBD`` bullets it can (training steps, text encoder, fine-tune and LoRA settings).

    >>> update_card("model_cards/medium.md", metrics="metrics.json", examples="out/")   # doctest: +SKIP
    """
    path = Path(card_path)
    card = read_card(path)
    if card.front_matter_error:
        raise ConfigError(f"model card {path}: {card.front_matter_error}; fix it before updating")
    text = card.text
    result = CardUpdate(path)
    if metrics is not None:
        data = read_metrics(metrics)
        text = _replace_region(text, METRICS_START, METRICS_END, _metrics_block(data), "Evaluation")
        front = dict(card.front_matter or {})
        name = _model_index_name(front, path)
        kept = {key: value for key, value in front.items() if key != "model-index"}
        hub_data = ModelCardData(**{**kept, "model_name": name, "eval_results": _eval_results(data)})
        text = _front_matter_text(_in_order(hub_data, list(front))) + "\n" + parse_card(text).body.lstrip("\n")
        result.metrics_written = [label for key, label, _ in METRICS if key in data["model"]]
    if examples is not None:
        found = find_examples(examples)
        target = path.parent / "examples"
        source = Path(examples)
        try:
            target.mkdir(parents=True, exist_ok=True)
            if source.resolve() != target.resolve():
                for name, _ in found:
                    shutil.copyfile(source / name, target / name)
        except OSError as err:
            raise StickGenError(f"cannot copy the examples to {target} ({err.strerror}); copy the card somewhere "
                                f"writable first") from None
        text = _replace_region(text, EXAMPLES_START, EXAMPLES_END, _examples_block(found), "Example Outputs")
        result.examples = found
    if checkpoint is not None:
        for label, value in checkpoint_facts(checkpoint).items():
            text, changed = _fill_bullet(text, label, value)
            if changed:
                result.facts[label] = value
    try:
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as err:
        raise StickGenError(f"cannot write {path} ({err.strerror}); copy the card somewhere writable first") from None
    result.tbd_left = parse_card(text).tbd_lines()
    return result


def _model_index_name(front: Mapping[str, Any], path: Path) -> str:
    for entry in front.get("model-index") or []:
        if isinstance(entry, Mapping) and entry.get("name"):
            return str(entry["name"])
    return path.stem if path.stem.startswith("stick-gen") else f"stick-gen-{path.stem}"
