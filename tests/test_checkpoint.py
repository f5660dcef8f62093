"""Every checkpoint format loads back exactly, and every bad file is refused with a clear error."""

from __future__ import annotations

import os
import pickle

import pytest
import torch

from stick_gen.model.checkpoint import (
    WEIGHTS_BIN,
    WEIGHTS_SAFETENSORS,
    load_checkpoint,
    load_model,
    read_torch_file,
    save_training_checkpoint,
    save_weights,
)
from stick_gen.model.errors import CheckpointError, UnsafeCheckpointError
from stick_gen.model.transformer import StickFigureTransformer

from .support import tiny_transformer


def _outputs(model):
    torch.manual_seed(1)
    text, z = torch.randn(2, 1024), torch.rand(2, 16)
    return model(text, z, slot=torch.tensor([0, 1]), num_actors=torch.tensor([2, 2])).motion


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_training_checkpoint_round_trip_is_bit_identical(tiny_model, tmp_path):
    tiny_model.text_encoder = "hashing-1024-v1"
    optimizer = torch.optim.AdamW(tiny_model.parameters(), lr=1e-3)
    path = save_training_checkpoint(tmp_path / "best_model.pt", tiny_model, optimizer=optimizer, step=7,
                                    metrics={"val_loss": 0.5})
    raw = torch.load(path, weights_only=True)  # plain tensors and values only
    assert raw["step"] == 7 and raw["format_version"] == 1 and "optimizer_state_dict" in raw
    model, ckpt = load_model(path)
    assert ckpt.kind == "training" and ckpt.text_encoder == "hashing-1024-v1"
    assert ckpt.metadata["metrics"] == {"val_loss": 0.5}
    assert torch.equal(_outputs(model), _outputs(tiny_model))


def test_checkpoint_from_before_clause_input_loads_without_it(tiny_model, tmp_path):
    raw = torch.load(save_training_checkpoint(tmp_path / "new.pt", tiny_model), weights_only=True)
    assert raw["model_config"]["max_clauses"] == 8  # recorded since clause input exists
    # what an older checkpoint looked like: no clause gate, no max_clauses in its config
    old = tiny_transformer(max_clauses=0)
    raw = torch.load(save_training_checkpoint(tmp_path / "old.pt", old), weights_only=True)
    del raw["model_config"]["max_clauses"]
    torch.save(raw, tmp_path / "old.pt")
    model, _ = load_model(tmp_path / "old.pt")
    assert model.config["max_clauses"] == 0  # it was trained on the sentence vector alone
    # a file without any config (the spec's pytorch_model.bin): read off its tensors
    torch.save(tiny_model.state_dict(), tmp_path / "plain.bin")
    assert load_model(tmp_path / "plain.bin")[0].config["max_clauses"] == 8
    without = tiny_transformer(max_clauses=0)
    torch.save(without.state_dict(), tmp_path / "plain_old.bin")
    assert load_model(tmp_path / "plain_old.bin")[0].config["max_clauses"] == 0
    # the decoder is read off its tensors too, at either token width
    for frames_per_token in (5, 10):
        for overlap in (True, False):
            made = tiny_transformer(frames_per_token=frames_per_token, overlap_decoder=overlap)
            torch.save(made.state_dict(), tmp_path / "plain_new.bin")
            read = load_model(tmp_path / "plain_new.bin")[0].config
            assert (read["frames_per_token"], read["overlap_decoder"]) == (frames_per_token, overlap)


def test_published_files_round_trip(tiny_model, tmp_path):
    written = save_weights(tmp_path, tiny_model)
    assert {p.name for p in written.values()} == {WEIGHTS_BIN, WEIGHTS_SAFETENSORS, "config.json"}
    plain = torch.load(tmp_path / WEIGHTS_BIN, weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in plain.values())  # a plain state dict
    for name in (WEIGHTS_BIN, WEIGHTS_SAFETENSORS):
        model, ckpt = load_model(tmp_path / name)
        assert ckpt.model_config["d_model"] == 64  # config.json beside the weights was read
        assert torch.equal(_outputs(model), _outputs(tiny_model))


def test_save_pretrained_from_pretrained(tiny_model, tmp_path):
    tiny_model.save_pretrained(tmp_path / "saved")
    loaded = StickFigureTransformer.from_pretrained(tmp_path / "saved")
    assert loaded.config == tiny_model.config
    assert torch.equal(_outputs(loaded), _outputs(tiny_model))
    # safetensors is preferred; without it the .bin is used
    (tmp_path / "saved" / WEIGHTS_SAFETENSORS).unlink()
    assert torch.equal(_outputs(StickFigureTransformer.from_pretrained(tmp_path / "saved")), _outputs(tiny_model))


# the legacy file is a plain pickle.dumps (protocol 4), which torch's weights-only unpickler warns about
@pytest.mark.filterwarnings("ignore:Detected pickle protocol 4:UserWarning")
def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    for name, write in {
        "evil.pt": lambda p: torch.save({"model_state_dict": _RunsCode(marker)}, p),
        "evil_legacy.pth": lambda p: p.write_bytes(pickle.dumps({"model_state_dict": _RunsCode(marker)})),
    }.items():
        path = tmp_path / name
        write(path)
        for mmap in (False, True):
            with pytest.raises(UnsafeCheckpointError, match=name):
                load_checkpoint(path, mmap=mmap)
        assert not marker.exists()


def test_mapped_loading_gives_the_same_checkpoint(tiny_model, tmp_path):
    optimizer = torch.optim.AdamW(tiny_model.parameters(), lr=1e-3)
    _outputs(tiny_model).sum().backward()
    optimizer.step()
    path = save_training_checkpoint(tmp_path / "best_model.pt", tiny_model, optimizer=optimizer, step=3)
    read, mapped = load_checkpoint(path), load_checkpoint(path, mmap=True)
    assert mapped.kind == "training" and mapped.model_config == read.model_config
    optimizer_state = [c.metadata["optimizer_state_dict"]["state"] for c in (read, mapped)]
    assert optimizer_state[0].keys() == optimizer_state[1].keys()
    assert read.state_dict.keys() == mapped.state_dict.keys()
    assert all(torch.equal(read.state_dict[k], mapped.state_dict[k]) for k in read.state_dict)
    torch.save(tiny_model.state_dict(), tmp_path / "plain.bin")
    assert load_checkpoint(tmp_path / "plain.bin", mmap=True).saved_on == {"cpu"}  # devices still recorded
    # a legacy (pre-zip) file cannot be mapped: it is read as usual
    legacy = tmp_path / "legacy.pt"
    torch.save(tiny_model.state_dict(), legacy, _use_new_zipfile_serialization=False)
    old = load_checkpoint(legacy, mmap=True)
    assert old.kind == "state_dict" and torch.equal(old.state_dict["token_position"], tiny_model.token_position)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"this is not a checkpoint", "not a readable PyTorch checkpoint"),
])
def test_foreign_files_give_one_clear_error(tmp_path, content, message):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        read_torch_file(path)


def test_truncated_and_missing_files(tiny_model, tmp_path):
    path = save_training_checkpoint(tmp_path / "best.pt", tiny_model)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="best.pt"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "missing.pt")
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(CheckpointError, match="model.safetensors"):
        load_checkpoint(bad)


def test_wrong_variant_weights_name_the_variant(tmp_path):
    small = StickFigureTransformer(d_model=256, nhead=8, num_layers=6)
    torch.save(small.state_dict(), tmp_path / "small.bin")
    with pytest.raises(CheckpointError, match="small variant.*--variant small"):
        load_model(tmp_path / "small.bin", expected_variant="medium")
    medium = StickFigureTransformer(d_model=384, nhead=12, num_layers=8)
    with pytest.raises(CheckpointError, match="shape mismatches"):
        from stick_gen.model.checkpoint import load_state_dict_strict

        load_state_dict_strict(medium, small.state_dict(), tmp_path / "small.bin")


def test_missing_and_unexpected_keys_are_listed(tiny_model, tmp_path):
    state = tiny_model.state_dict()
    state.pop("motion_head.weight")
    state["extra.weight"] = torch.zeros(1)
    torch.save(state, tmp_path / "partial.bin")
    from stick_gen.model.checkpoint import load_state_dict_strict

    with pytest.raises(CheckpointError, match=r"missing keys \(1\): motion_head.weight.*unexpected keys \(1\): extra"):
        load_state_dict_strict(tiny_model, state, tmp_path / "partial.bin")
