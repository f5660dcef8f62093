"""The variant table: the single source of truth for stick-gen's three model sizes.

Configs, validation, model cards, docs and tests read these rows; nothing else restates them.

A plain ``4 x d_model`` feed-forward block cannot hit all three published sizes (with this
model's embedding and head layers it gives 5.3M / 15.1M / 32.9M), so each row carries its own ``dim_feedforward``; the
constructor looks it up from ``(d_model, nhead, num_layers)`` so that the plain call users copy from the
upload guide, ``StickFigureTransformer(input_dim=20, d_model=384, nhead=12, num_layers=8, output_dim=20,
embedding_dim=1024, num_actions=64)``, builds exactly the published medium model and its weights load.

>>> VARIANTS["medium"].repo_id
'GesturaAI/stick-gen-medium'
>>> variant_for_shape(512, 16, 10).name
'large'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from .enums import ValueEnum
from .errors import ConfigError

HUB_ORG = "GesturaAI"
"""The spec spells the organisation both ``GesturaAI`` and ``gestura-ai``; we publish under ``GesturaAI``."""

PARAM_TOLERANCE = 0.05
"""A checkpoint's parameter count must lie within +-5% of its variant's published figure."""


@dataclass(frozen=True)
class Variant:
    """One published model size and everything that is decided per size."""

    name: str
    d_model: int
    nhead: int
    num_layers: int
    dim_feedforward: int
    params: int
    """Published parameter count (parameters only, not buffers)."""
    hardware: str
    use_case: str

    @property
    def params_label(self) -> str:
        """``"5.6M"``-style figure used in cards and messages."""
        return f"{self.params / 1e6:.1f}M".replace(".0M", "M")

    @property
    def config_path(self) -> str:
        return f"configs/{self.name}.yaml"

    @property
    def model_card(self) -> str:
        return f"model_cards/{self.name}.md"

    @property
    def repo_id(self) -> str:
        return repo_id_for(self.name)

    def param_bounds(self) -> tuple[int, int]:
        """Smallest and largest accepted parameter count (+-:data:`PARAM_TOLERANCE`)."""
        slack = round(self.params * PARAM_TOLERANCE)
        return self.params - slack, self.params + slack


VARIANTS: Dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            name="small", d_model=256, nhead=8, num_layers=6, dim_feedforward=1088, params=5_600_000,
            hardware="CPU (4+ cores, 8-16GB RAM)", use_case="Budget deployment, edge devices, testing",
        ),
        Variant(
            name="medium", d_model=384, nhead=12, num_layers=8, dim_feedforward=1664, params=15_800_000,
            hardware="CPU (8+ cores, 16-32GB RAM) or GPU (8GB+)",
            use_case="Standard deployment, balanced quality/performance",
        ),
        Variant(
            name="large", d_model=512, nhead=16, num_layers=10, dim_feedforward=1536, params=28_000_000,
            hardware="GPU (8GB+ VRAM)", use_case="High-quality production, maximum animation quality",
        ),
    )
}

class TrainingMethod(ValueEnum):
    """The training methods stick-gen knows. A ``str``: ``method == "lora"`` holds for ``TrainingMethod.LORA``.

    A method is any ``str`` (a custom fine-tune gets its own name, see ``hub.naming.check_method``); these are
    the ones code branches on. Checkpoints, configs and cards store the plain value (``.value``), never the enum:
    ``torch.load(weights_only=True)`` and ``yaml.safe_dump`` take only plain types.

    >>> repo_id_for("small", TrainingMethod.SFT), f"{TrainingMethod.PRETRAIN}"
    ('GesturaAI/stick-gen-small-sft', 'pretrain')
    """

    PRETRAIN = "pretrain"
    """Trained from scratch; its repository has no suffix."""
    SFT = "sft"
    """A full fine-tune of a pretrained model."""
    LORA = "lora"
    """LoRA adapters on a pretrained model (peft)."""


FINETUNE_SUFFIXES = (TrainingMethod.SFT.value, TrainingMethod.LORA.value)
"""Method suffixes with their own model cards; any other ``--method`` gives ``stick-gen-{variant}-{method}``."""


def get_variant(name: str) -> Variant:
    """The row for ``name`` (``small``, ``medium`` or ``large``); a clear error otherwise."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise ConfigError(f"unknown variant {name!r}: choose one of {', '.join(VARIANTS)}") from None


def variant_for_shape(d_model: int, nhead: int, num_layers: int) -> Optional[Variant]:
    """The published variant with this width, head count and depth, or ``None`` for a custom shape."""
    for variant in VARIANTS.values():
        if (variant.d_model, variant.nhead, variant.num_layers) == (d_model, nhead, num_layers):
            return variant
    return None


def repo_id_for(variant: str, method: Optional[str] = None, org: str = HUB_ORG) -> str:
    """Default Hub repository: ``GesturaAI/stick-gen-{variant}`` or ``...-{variant}-{method}``.

    >>> repo_id_for("medium", "lora")
    'GesturaAI/stick-gen-medium-lora'
    """
    suffix = f"-{method}" if method and method != TrainingMethod.PRETRAIN else ""
    return f"{org}/stick-gen-{variant}{suffix}"
