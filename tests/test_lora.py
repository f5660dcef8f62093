"""LoRA adapters: size, file formats, and a merge that reproduces the adapted model."""

from __future__ import annotations

import pytest
import torch

from stick_gen.model.checkpoint import load_checkpoint
from stick_gen.model.transformer import StickFigureTransformer
from stick_gen.model.variants import get_variant
from stick_gen.training.lora import (
    apply_lora,
    export_peft_adapter,
    lora_parameter_count,
    merge_lora,
    save_lora_checkpoint,
)

from .support import tiny_transformer


def _trained_adapter(base: StickFigureTransformer):
    torch.manual_seed(3)
    peft_model = apply_lora(base)
    for name, p in peft_model.named_parameters():
        if "lora_B" in name:  # peft starts B at zero; give the adapters some effect
            p.data.normal_(0, 0.05)
    return peft_model.eval()


def _out(model):
    torch.manual_seed(0)
    return model(torch.randn(2, 1024), torch.rand(2, 16)).motion


def test_medium_adapter_is_about_300k():
    medium = get_variant("medium")
    base = StickFigureTransformer(d_model=medium.d_model, nhead=medium.nhead, num_layers=medium.num_layers)
    peft_model = apply_lora(base)
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    assert trainable == lora_parameter_count(base.config) == 307_200


def test_merge_equals_adapted_model(tiny_model, tmp_path):
    reference = StickFigureTransformer(**tiny_model.config)
    reference.load_state_dict(tiny_model.state_dict())
    peft_model = _trained_adapter(tiny_model)
    adapted = _out(peft_model)
    assert not torch.allclose(adapted, _out(reference.eval()))  # the adapters do something
    path = save_lora_checkpoint(tmp_path / "lora_adapters.pth", peft_model, base={"repo_id": "x/base"})
    ckpt = load_checkpoint(path)
    assert ckpt.kind == "lora" and ckpt.metadata["lora_config"]["r"] == 6
    merged = merge_lora(ckpt, reference)
    assert type(merged) is StickFigureTransformer
    assert torch.allclose(_out(merged), adapted, atol=1e-5)


def test_peft_export_loads_with_plain_peft(tiny_model, tmp_path):
    from peft import PeftModel

    reference = StickFigureTransformer(**tiny_model.config)
    reference.load_state_dict(tiny_model.state_dict())
    reference.save_pretrained(tmp_path / "base")
    peft_model = _trained_adapter(tiny_model)
    adapted = _out(peft_model)
    path = save_lora_checkpoint(tmp_path / "lora_adapters.pth", peft_model, base={"repo_id": "x/base"})
    out = export_peft_adapter(path, tmp_path / "peft")
    assert {p.name for p in out.iterdir()} >= {"adapter_config.json", "adapter_model.safetensors"}
    base = StickFigureTransformer.from_pretrained(tmp_path / "base")
    model = PeftModel.from_pretrained(base, str(out)).merge_and_unload().eval()
    assert torch.allclose(_out(model), adapted, atol=1e-5)


def test_adapter_on_wrong_base_is_refused(tiny_model, tmp_path):
    path = save_lora_checkpoint(tmp_path / "a.pth", _trained_adapter(tiny_model), base={"repo_id": "x/base"})
    other = tiny_transformer(num_layers=3)
    with pytest.raises(Exception, match="num_layers=2"):
        merge_lora(path, other)
