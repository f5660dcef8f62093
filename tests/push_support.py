"""Helpers shared by the publishing tests (no tests here; the ``hub`` and ``checkout`` fixtures are in
conftest.py).

A *checkout* is a temporary directory laid out like the repository root (``scripts/``,
``push_to_huggingface.py``, ``model_cards/`` and ``configs/`` linked from the real one) holding
the checkpoints the upload guide's commands name, so those commands run exactly as written.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import torch

from stick_gen.model.checkpoint import save_training_checkpoint
from stick_gen.model.transformer import StickFigureTransformer
from stick_gen.model.variants import get_variant, repo_id_for
from stick_gen.testing.local_hub import LFS_UPLOAD_PATH, LocalHub

REPO_ROOT = Path(__file__).resolve().parents[1]
ENCODER = "minilm-l6-v2/lift1024-v1"
BOT_TOKEN = "hf_pushtest0bot0token0abcdefghijklmnop"
"""Writes as user ``your-username``, member of ``GesturaAI`` and ``gestura-ai`` (both spellings the spec uses)."""
OTHER_TOKEN = "hf_pushtest0other0token0abcdefghijklmn"
SPEC_TOKEN = "hf_xxxxxxxxxxxxx"
"""The placeholder token the spec's "Use Specific Token" command passes; the local hub knows it."""



def users() -> Dict[str, object]:
    return {
        BOT_TOKEN: ("your-username", ["GesturaAI", "gestura-ai"]),
        SPEC_TOKEN: ("your-username", ["GesturaAI", "gestura-ai"]),
        OTHER_TOKEN: "someone-else",
    }


def make_model(variant: str, seed: int = 0) -> StickFigureTransformer:
    """An untrained model of a published variant's exact shape, with fixed weights."""
    v = get_variant(variant)
    torch.manual_seed(seed)
    model = StickFigureTransformer(d_model=v.d_model, nhead=v.nhead, num_layers=v.num_layers, text_encoder=ENCODER)
    model.feature_std.fill_(0.5)  # buffers travel with the weights; make them recognisable
    return model.eval()


def write_pretrained(path: Path, variant: str, seed: int = 0) -> StickFigureTransformer:
    """A training checkpoint as `stick-gen train` writes it (optimizer state included)."""
    model = make_model(variant, seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    save_training_checkpoint(path, model, optimizer=optimizer, step=1200, metrics={"val_loss": 0.42},
                             extra={"method": "pretrain"})
    return model


def write_sft(path: Path, variant: str = "medium", seed: int = 1) -> StickFigureTransformer:
    """A full fine-tune checkpoint recording its base model and fine-tune settings."""
    model = make_model(variant, seed)
    base = {"repo_id": repo_id_for(variant), "variant": variant, "checkpoint": "checkpoints/best_model.pt"}
    finetune = {"method": "sft", "domain": "sports-and-play", "actions": None, "max_steps": 2000,
                "learning_rate": 5e-5}
    save_training_checkpoint(path, model, step=2000, extra={"method": "sft", "base_model": base, "finetune": finetune})
    return model


def write_lora(path: Path, variant: str = "medium", seed: int = 2):
    """LoRA adapters (rank 6 on qkv/attn_out/ffn_in/ffn_out) on a variant, with non-zero B matrices."""
    from stick_gen.training.lora import apply_lora, save_lora_checkpoint

    base = make_model(variant, seed)
    peft_model = apply_lora(base, base_repo_id=repo_id_for(variant))
    torch.manual_seed(seed)
    for name, parameter in peft_model.named_parameters():
        if "lora_B" in name:
            parameter.data.normal_(0, 0.02)
    info = {"repo_id": repo_id_for(variant), "variant": variant, "checkpoint": "checkpoints/best_model.pt"}
    save_lora_checkpoint(path, peft_model, base=info, step=500,
                         extra={"finetune": {"method": "lora", "domain": "sports-and-play", "max_steps": 500,
                                             "learning_rate": 1e-4}})
    return peft_model.eval()


CHECKPOINT_MAKERS = {
    "checkpoints/sft/best.pth": lambda p, variant: write_sft(p, variant),
    "checkpoints/lora/lora_adapters.pth": lambda p, variant: write_lora(p, variant),
}


def make_checkpoint_for(command: str, root: Path) -> Path:
    """Write the checkpoint a spec command names (its --checkpoint), of the command's --variant."""
    words = shlex.split(command)
    checkpoint = words[words.index("--checkpoint") + 1]
    variant = words[words.index("--variant") + 1] if "--variant" in words else "medium"
    path = root / checkpoint
    path.parent.mkdir(parents=True, exist_ok=True)
    CHECKPOINT_MAKERS.get(checkpoint, lambda p, v: write_pretrained(p, v))(path, variant)
    return path


def run_command(command: str, cwd: Path, *, token: Optional[str] = BOT_TOKEN, stdin: Optional[str] = None,
                extra_env: Optional[Dict[str, str]] = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a spec-style command line (``python ...`` becomes this interpreter) in ``cwd``.

    The local hub's environment (HF_ENDPOINT, HF_HUB_DISABLE_XET, HF_HOME) is inherited from
    :func:`hub_environment`; ``HF_TOKEN`` is set to ``token`` (None: unset).
    """
    words = shlex.split(command)
    if words[0] == "python":
        words[0] = sys.executable
    env = dict(os.environ)
    env.pop("HF_TOKEN", None)
    if token is not None:
        env["HF_TOKEN"] = token
    env.update(extra_env or {})
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


def push_args(checkpoint: str, *extra: str, variant: str = "medium") -> List[str]:
    return ["push", "--checkpoint", checkpoint, "--variant", variant, *extra]


def lfs_puts(hub: LocalHub) -> List[int]:
    """Bytes received by each LFS upload PUT so far."""
    return [r.bytes_received for r in hub.requests if r.method == "PUT" and r.path.startswith(LFS_UPLOAD_PATH)]


def commits_on(hub: LocalHub, repo_id: str) -> int:
    """How many commits the main branch has (the initial one included)."""
    from huggingface_hub import HfApi

    return len(HfApi(endpoint=hub.endpoint, token=BOT_TOKEN).list_repo_commits(repo_id))


def all_text_of(paths: Sequence[Path]) -> bytes:
    """Every file under ``paths`` (recursively), concatenated, for "is the token anywhere?" checks."""
    data = b""
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        data += b"".join(p.read_bytes() for p in files)
    return data
