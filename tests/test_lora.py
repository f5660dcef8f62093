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


@pytest.mark.slow
def test_a_lora_repo_on_the_hub_loads_by_repo_id_with_its_base(hub, checkout, capsys):
    """`stick-gen push` a base and its LoRA adapters; the LoRA repo id alone then generates, merged."""
    import numpy as np

    from stick_gen.cli import main
    from stick_gen.inference import StickGenPipeline
    from stick_gen.inference.animation import load_motion

    from .push_support import push_args, write_lora, write_pretrained

    write_pretrained(checkout / "checkpoints/best_model.pt", "small", seed=2)
    adapted = write_lora(checkout / "checkpoints/lora/lora_adapters.pth", "small", seed=2)
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    assert main(push_args("checkpoints/lora/lora_adapters.pth", "--version", "1.0.0", variant="small")) == 0
    pipe = StickGenPipeline.from_pretrained("GesturaAI/stick-gen-small-lora", revision="v1.0.0")
    assert type(pipe.model) is StickFigureTransformer
    assert torch.allclose(_out(pipe.model), _out(adapted), atol=1e-5)
    assert pipe.commit == hub.head("GesturaAI/stick-gen-small-lora")
    take = pipe("a person waves", seed=1, num_actors=1)
    assert main(["generate", "a person waves", "--seed", "1", "--actors", "1", "-o", "wave.motion",
                 "--model", "GesturaAI/stick-gen-small-lora@v1.0.0"]) == 0
    assert np.allclose(load_motion(checkout / "wave.motion").frames, take.frames, atol=1e-4)


def test_a_lora_repo_whose_base_repo_is_missing_names_it(hub, checkout, capsys):
    from stick_gen.cli import main

    from .push_support import push_args, write_lora

    write_lora(checkout / "checkpoints/lora/lora_adapters.pth", "small")
    assert main(push_args("checkpoints/lora/lora_adapters.pth", variant="small")) == 0
    capsys.readouterr()
    assert main(["generate", "a person waves", "-o", "w.gif", "--model", "GesturaAI/stick-gen-small-lora"]) == 1
    err = capsys.readouterr().err
    assert "the base model of the LoRA adapters GesturaAI/stick-gen-small-lora" in err
    assert "GesturaAI/stick-gen-small: no such model repository" in err


def test_an_adapter_folder_on_another_base_is_refused_in_one_line(tiny_model, tmp_path):
    from stick_gen.inference.loading import load_pretrained_model
    from stick_gen.model.errors import CheckpointError

    tiny_model.save_pretrained(tmp_path / "base")
    path = save_lora_checkpoint(tmp_path / "lora_adapters.pth", _trained_adapter(tiny_model), base={})
    folder = export_peft_adapter(path, tmp_path / "adapter", base_model=str(tmp_path / "base"))
    model, commit = load_pretrained_model(folder)
    assert type(model) is StickFigureTransformer and commit is None
    tiny_transformer(num_layers=3).save_pretrained(tmp_path / "deeper")
    with pytest.raises(CheckpointError, match="do not fit the base model .*deeper"):
        load_pretrained_model(folder, base_model=str(tmp_path / "deeper"))
