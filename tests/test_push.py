"""Publishing to a (local) Hub: every push command of the spec as written, loading back, the Hub's answers.

The local Hub (stick_gen.testing.local_hub) is a real HTTP server; the real huggingface_hub client
talks to it. Checkpoints are untrained models of the exact variant shapes.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import torch
import yaml
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import RepositoryNotFoundError

from stick_gen.cli import main
from stick_gen.hub.bundle import BUNDLE_MARKER, LORA_FILES, MANIFEST
from stick_gen.model.transformer import StickFigureTransformer
from stick_gen.training.lora import lora_parameter_count

from .spec_snippets import SPEC_MISSING, bash_commands, python_block_after, requires_spec
from .push_support import (
    BOT_TOKEN,
    OTHER_TOKEN,
    SPEC_TOKEN,
    all_text_of,
    commits_on,
    lfs_puts,
    make_checkpoint_for,
    push_args,
    run_command,
    write_lora,
    write_pretrained,
    write_sft,
)


SPEC_COMMANDS = bash_commands()
"""The spec's push commands; none in a plain clone (the spec is not beside it)."""
SPEC_PARAMS = [
    pytest.param(c, marks=[pytest.mark.slow] if "lora" in c else [], id=f"{i:02d}") for i, c in enumerate(SPEC_COMMANDS)
] or [pytest.param("", marks=pytest.mark.skip(reason=SPEC_MISSING), id="no-spec")]


def _outputs(model):
    torch.manual_seed(5)
    return model(torch.randn(2, 1024), torch.rand(2, 16)).motion


@requires_spec
def test_the_spec_has_the_commands_we_test():
    assert len(SPEC_COMMANDS) == 14
    assert sum(c.startswith("python scripts/push_to_huggingface.py") for c in SPEC_COMMANDS) == 11
    assert sum(c.startswith("python push_to_huggingface.py") for c in SPEC_COMMANDS) == 3


@pytest.mark.parametrize("command", SPEC_PARAMS)
def test_spec_push_command_runs_as_written(command, hub, checkout):
    """Each `python ... push_to_huggingface.py ...` line of the spec, verbatim, against the local Hub."""
    words = shlex.split(command)
    make_checkpoint_for(command, checkout)
    token = None if "--token" in words else BOT_TOKEN  # the spec's own token is the only credential
    done = run_command(command, checkout, token=token)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    flag = {w: words[i + 1] for i, w in enumerate(words[:-1]) if w.startswith("--")}
    variant = flag.get("--variant", "medium")
    method = "lora" if "lora" in flag["--checkpoint"] else "sft" if "sft" in flag["--checkpoint"] else None
    repo = flag.get("--repo-name") or f"GesturaAI/stick-gen-{variant}" + (f"-{method}" if method else "")
    output_dir = checkout / flag.get("--output-dir", "hf_upload")
    assert (output_dir / MANIFEST).is_file()
    if "--no-upload" in words:
        assert hub.head(repo) is None and "ready for manual upload" in done.stdout
        return
    files = hub.files(repo)
    local = {p.relative_to(output_dir).as_posix() for p in output_dir.rglob("*") if p.is_file()}
    assert set(files) - {".gitattributes"} == local - {BUNDLE_MARKER}  # the whole bundle, as one commit
    assert BUNDLE_MARKER in local and BUNDLE_MARKER not in files  # what stick-gen wrote, never published
    assert commits_on(hub, repo) == 2
    assert yaml.safe_load(hub.read_file(repo, "README.md").decode().split("---")[1])["license"] == "mit"
    api = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)
    tags = [t.name for t in api.list_repo_refs(repo).tags]
    assert tags == (["v1.0.0"] if "--version" in words else [])
    if "--version" in words:
        assert hub.read_file(repo, "VERSION", "v1.0.0") == b"1.0.0\n"
        assert 'Upload stick-gen model v1.0.0' in done.stdout
    if method == "lora":
        assert set(files) - {".gitattributes", "VERSION"} == set(LORA_FILES)
        assert "adapter parameters: 307,200" in done.stdout
    else:
        assert {"pytorch_model.bin", "model.safetensors", "config.json", "config.yaml", "src/model/transformer.py",
                "src/inference/__init__.py", "src/data_gen/__init__.py", "requirements.txt", "LICENSE",
                "CITATIONS.md"} <= set(files)
        if "--skip-validation" not in words:
            assert f"actual {StickFigureTransformer(**_config(variant)).num_parameters():,}" in done.stdout
    if method == "sft":
        card = hub.read_file(repo, "README.md").decode()
        assert "\nbase_model: GesturaAI/stick-gen-medium\n" in card
        config = yaml.safe_load(hub.read_file(repo, "config.yaml"))
        assert config["finetune"]["domain"] == "sports-and-play"
        assert config["finetune"]["base_model"] == {"repo_id": "GesturaAI/stick-gen-medium", "variant": "medium"}
    if "--private" in words:
        with pytest.raises(RepositoryNotFoundError):
            hf_hub_download(repo, "config.json", token=False, cache_dir=checkout / "anon-cache")
        assert HfApi(endpoint=hub.endpoint, token=BOT_TOKEN).model_info(repo).private
    if "--skip-validation" in words:
        assert "--skip-validation" in done.stderr and "NOT checked" in done.stderr
    if "--token" in words:
        assert "other users of this machine can read it" in done.stderr
        assert SPEC_TOKEN not in done.stdout + done.stderr


def _config(variant):
    from stick_gen.hub.validate import variant_model_config
    from stick_gen.model.variants import get_variant

    return variant_model_config(get_variant(variant))


@pytest.mark.slow
@requires_spec
def test_best_practices_two_uploads_make_two_commits(hub, checkout):
    """The spec's "Use Semantic Versioning" pair: the later, improved checkpoint replaces the weights."""
    commands = [c for c in SPEC_COMMANDS if "epoch_" in c]
    assert len(commands) == 2
    write_pretrained(checkout / "checkpoints/epoch_50.pt", "medium", seed=50)
    later = write_pretrained(checkout / "checkpoints/epoch_100.pt", "medium", seed=100)
    for command in commands:
        done = run_command(command, checkout)
        assert done.returncode == 0, done.stderr[-2000:]
    assert commits_on(hub, "your-username/stick-gen") == 3
    loaded = StickFigureTransformer.from_pretrained("your-username/stick-gen")
    assert torch.equal(_outputs(loaded), _outputs(later))


@requires_spec
def test_edited_model_card_md_is_what_gets_published(hub, checkout):
    """The spec's "Updating Model Card": edit model_card.md, re-run the upload script."""
    from stick_gen.hub.cards import render_card

    command = next(c for c in SPEC_COMMANDS if c.startswith("python push_to_huggingface.py") and "best_model" in c)
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    card = render_card("medium").replace("- **Pose MSE**: TBD", "- **Pose MSE**: 0.0234")
    (checkout / "model_card.md").write_text(card)
    done = run_command(command, checkout)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "model_card.md in the current directory" in done.stdout
    assert hub.read_file("your-username/stick-gen", "README.md").decode() == card


@pytest.mark.parametrize("variant", ["small", "medium", "large"])
def test_loading_back_by_tag_and_the_spec_snippets_verbatim(variant, hub, checkout, monkeypatch):
    """from_pretrained(repo, revision="v1.0.0") and the spec's "Load <Variant>" block, unchanged."""
    heading = {"small": "Load Small Variant", "medium": "Load Medium Variant", "large": "Load Large Variant"}[variant]
    snippet = python_block_after(heading)
    # The spec's small and large snippets download from "gestura-ai/..."; publish where they look.
    repo = re.search(r'repo_id="([^"]+)"', snippet).group(1)
    model = write_pretrained(checkout / "checkpoints/model.pt", variant)
    assert main(push_args("checkpoints/model.pt", "--version", "1.0.0", "--repo-name", repo, variant=variant)) == 0

    loaded = StickFigureTransformer.from_pretrained(repo, revision="v1.0.0")
    assert torch.equal(_outputs(loaded), _outputs(model))
    assert loaded.text_encoder == "minilm-l6-v2/lift1024-v1"

    monkeypatch.syspath_prepend(snapshot_download(repo, revision="v1.0.0"))
    namespace: dict = {}
    prelude = "from huggingface_hub import hf_hub_download\nimport torch\nfrom src.model.transformer import StickFigureTransformer\n"
    exec(compile(prelude + snippet, f"<spec: {heading}>", "exec"), namespace)
    assert torch.equal(_outputs(namespace["model"]), _outputs(model))

    config_snippet = python_block_after("Load with Configuration File")
    if repo in config_snippet:
        namespace = {"StickFigureTransformer": StickFigureTransformer}
        exec(config_snippet, namespace)
        built = namespace["model"]
        assert {k: v.shape for k, v in built.state_dict().items()} == {k: v.shape for k, v in model.state_dict().items()}


def test_pipeline_from_the_uploaded_repo(hub, checkout):
    from stick_gen.inference import StickGenPipeline

    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    pipeline = StickGenPipeline.from_pretrained("GesturaAI/stick-gen-small", revision="v1.0.0")
    animation = pipeline("A person walks forward and waves", seed=0, num_actors=1)  # untrained count head
    assert animation.frames.shape == (250, 1, 20) and animation.prompt == "A person walks forward and waves"


def test_rerun_of_an_unchanged_bundle_sends_no_large_file(hub, checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0")) == 0
    assert len(lfs_puts(hub)) == 2  # pytorch_model.bin and model.safetensors
    first = hub.head("GesturaAI/stick-gen-medium")
    hub.clear_requests()
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.1")) == 0
    assert lfs_puts(hub) == []
    changed = set(hub.files("GesturaAI/stick-gen-medium").items()) ^ set(
        hub.files("GesturaAI/stick-gen-medium", first).items())
    assert {path for path, _ in changed} == {"VERSION", MANIFEST, "README.md"}  # the card loads v1.0.1 now
    hub.clear_requests()
    out = capsys.readouterr()
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.1", "--force-tag")) == 0
    assert lfs_puts(hub) == [] and "already holds this bundle: no new commit" in capsys.readouterr().out
    assert out  # the first runs printed their progress


def test_dry_run_lists_changes_and_sends_nothing(hub, checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "does not exist yet; would be created public" in out and "+ pytorch_model.bin" in out
    assert hub.head("GesturaAI/stick-gen-medium") is None and not (checkout / "hf_upload").exists()
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0")) == 0
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium", seed=9)
    head = hub.head("GesturaAI/stick-gen-medium")
    capsys.readouterr()
    hub.clear_requests()
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "~ pytorch_model.bin" in out and "~ model.safetensors" in out and "= " in out
    assert "tag v1.0.0 exists" in out and "refused without --force-tag" in out
    assert hub.head("GesturaAI/stick-gen-medium") == head
    assert all(r.method in ("GET", "HEAD") for r in hub.requests)


def test_tag_collision_is_refused_unless_forced(hub, checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0")) == 0
    first = hub.head("GesturaAI/stick-gen-medium")
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium", seed=7)
    capsys.readouterr()
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0")) == 1
    err = capsys.readouterr().err
    assert "tag v1.0.0 already exists" in err and "--force-tag" in err
    assert hub.head("GesturaAI/stick-gen-medium") == first  # nothing was committed
    assert main(push_args("checkpoints/best_model.pt", "--version", "v1.0.0", "--force-tag")) == 0
    api = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)
    tag = next(t for t in api.list_repo_refs("GesturaAI/stick-gen-medium").tags if t.name == "v1.0.0")
    assert tag.target_commit == hub.head("GesturaAI/stick-gen-medium") != first


def test_bad_version_is_refused_before_anything_happens(hub, checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0")) == 1
    assert "not a semantic version" in capsys.readouterr().err
    assert hub.requests == [] and not (checkout / "hf_upload").exists()


def test_private_repo_is_refused_to_other_readers(hub, checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--private", "--version", "1.0.0", variant="small")) == 0
    repo = "GesturaAI/stick-gen-small"
    for token in (False, OTHER_TOKEN):
        with pytest.raises(RepositoryNotFoundError):
            hf_hub_download(repo, "pytorch_model.bin", token=token, cache_dir=checkout / f"cache-{bool(token)}")
        with pytest.raises(RepositoryNotFoundError):
            StickFigureTransformer.from_pretrained(repo, token=token, cache_dir=checkout / "c2")
    assert Path(hf_hub_download(repo, "VERSION", token=BOT_TOKEN)).read_text() == "1.0.0\n"


def test_invalid_token_says_so_and_never_shows_it(hub, checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    wrong = "hf_thisTokenIsWrong0123456789abcdefghij"
    for token_flag, env_token in ((["--token", wrong], None), ([], wrong)):
        command = "python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt " + " ".join(token_flag)
        done = run_command(command, checkout, token=env_token)
        assert done.returncode == 1
        assert "refused the token (401 Unauthorized)" in done.stderr and "hf auth login" in done.stderr
        assert wrong not in done.stdout + done.stderr
        assert wrong.encode() not in all_text_of([checkout / "hf_upload"])
    assert hub.head("GesturaAI/stick-gen-medium") is None


def test_writing_to_someone_elses_namespace_is_403_with_a_fix(hub, checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    done = run_command("python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --variant small",
                       checkout, token=OTHER_TOKEN)
    assert done.returncode == 1
    assert "403 Forbidden" in done.stderr and "--repo-name your-username/stick-gen-small" in done.stderr
    assert OTHER_TOKEN not in done.stdout + done.stderr


def test_no_token_at_all_points_to_login(hub, checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    done = run_command("python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --variant small",
                       checkout, token=None)
    assert done.returncode == 1 and "no Hugging Face token" in done.stderr and "--no-upload" in done.stderr


def test_huggingface_cli_login_then_push_uses_the_cached_token(hub, checkout):
    """The spec's prerequisite `huggingface-cli login` (`stick-gen login` here: huggingface_hub >= 1.0 has no
    `huggingface-cli`), then an upload with no token in the environment."""
    login = run_command(f"python -m stick_gen.cli login --token {BOT_TOKEN}", checkout, token=None)
    assert login.returncode == 0, login.stderr
    assert BOT_TOKEN not in login.stdout + login.stderr
    assert run_command("python -m stick_gen.cli login --whoami", checkout, token=None).stdout.strip() == "your-username"
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    done = run_command("python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --variant small",
                       checkout, token=None)
    assert done.returncode == 0, done.stderr[-2000:]
    assert hub.head("GesturaAI/stick-gen-small") is not None


def test_sft_and_lora_names_come_from_the_checkpoint(hub, checkout, capsys):
    write_sft(checkout / "checkpoints/sft/best.pth", "small")
    write_lora(checkout / "checkpoints/lora/lora_adapters.pth", "small")
    assert main(push_args("checkpoints/sft/best.pth", variant="small")) == 0
    assert main(push_args("checkpoints/lora/lora_adapters.pth", variant="small")) == 0
    assert hub.head("GesturaAI/stick-gen-small-sft") and hub.head("GesturaAI/stick-gen-small-lora")
    out = capsys.readouterr().out
    assert "model_cards/stick-gen-small-sft.md" in out and "model_cards/stick-gen-small-lora.md" in out
    assert f"adapter parameters: {lora_parameter_count(_config('small'), r=6):,}" in out
    assert main(push_args("checkpoints/sft/best.pth", "--method", "custom", "--yes", variant="small")) == 0
    card = hub.read_file("GesturaAI/stick-gen-small-custom", "README.md").decode()
    assert "# stick-gen-small-custom" in card and "base_model: GesturaAI/stick-gen-small" in card


@pytest.mark.slow
def test_lora_repo_merges_with_plain_peft_and_the_card_commands(hub, checkout):
    """The LoRA card's own merge instructions, run as written against the uploaded repos."""
    import subprocess
    import sys

    from stick_gen.hub.cards import parse_card
    from stick_gen.hub.naming import card_name

    base = write_pretrained(checkout / "checkpoints/best_model.pt", "small", seed=2)
    adapted = write_lora(checkout / "checkpoints/lora/lora_adapters.pth", "small", seed=2)
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    assert main(push_args("checkpoints/lora/lora_adapters.pth", "--version", "1.0.0", variant="small")) == 0
    files = set(hub.files("GesturaAI/stick-gen-small-lora"))
    assert "pytorch_model.bin" not in files and not any(f.startswith("src/") for f in files)
    card = parse_card((checkout / card_name("small", "lora")).read_text())
    python_blocks = [b for b in card.body.split("```python\n")[1:]]
    namespace: dict = {}
    exec(python_blocks[0].split("```")[0], namespace)
    assert torch.allclose(_outputs(namespace["model"]), _outputs(adapted), atol=1e-5)
    assert not torch.allclose(_outputs(namespace["model"]), _outputs(base), atol=1e-4)

    bash = card.body.split("```bash\n")[1].split("```")[0]
    env_bin = str(Path(sys.executable).parent)
    for line in bash.strip().splitlines():
        words = shlex.split(line)
        words[0] = str(Path(env_bin) / words[0])
        done = subprocess.run(words, cwd=checkout, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, line + done.stdout[-1000:] + done.stderr[-2000:]
    merged = StickFigureTransformer.from_pretrained(checkout / "stick-gen-small-lora-merged")
    assert torch.allclose(_outputs(merged), _outputs(adapted), atol=1e-5)


def test_rerunning_a_completed_upload_is_a_success_with_nothing_to_do(hub, checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    head = hub.head("GesturaAI/stick-gen-small")
    capsys.readouterr()
    hub.clear_requests()
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    assert "already holds this bundle, tagged v1.0.0: nothing to upload" in capsys.readouterr().out
    assert hub.head("GesturaAI/stick-gen-small") == head and lfs_puts(hub) == []


def test_branch_endpoint_and_commit_message_flags(hub, checkout):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    command = (f"python scripts/push_to_huggingface.py --checkpoint checkpoints/best_model.pt --variant small "
               f"--endpoint {hub.endpoint} --revision dev --commit-message 'Try the demo weights' --version 0.1.0-rc.1")
    done = run_command(command, checkout, extra_env={"HF_ENDPOINT": "http://127.0.0.1:9"})  # --endpoint wins
    assert done.returncode == 0, done.stderr[-2000:]
    api = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)
    assert hub.head("GesturaAI/stick-gen-small", "dev") != hub.head("GesturaAI/stick-gen-small", "main")
    assert set(hub.files("GesturaAI/stick-gen-small", "main")) == {".gitattributes"}
    assert api.list_repo_commits("GesturaAI/stick-gen-small", revision="dev")[0].title == "Try the demo weights"
    tag = next(t for t in api.list_repo_refs("GesturaAI/stick-gen-small").tags if t.name == "v0.1.0-rc.1")
    assert tag.target_commit == hub.head("GesturaAI/stick-gen-small", "dev")


def test_files_of_an_earlier_bundle_are_removed_and_others_kept(hub, checkout):
    from stick_gen.hub.cards import render_card, update_card

    card = checkout / "card" / "small.md"
    card.parent.mkdir()
    card.write_text(render_card("small"))
    gifs = checkout / "gifs"
    gifs.mkdir()
    (gifs / "walk_wave.gif").write_bytes(b"GIF89a-1")
    update_card(card, examples=gifs)
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--model-card", str(card), variant="small")) == 0
    api = HfApi(endpoint=hub.endpoint, token=BOT_TOKEN)
    api.upload_file(path_or_fileobj=b"by hand", path_in_repo="notes.txt", repo_id="GesturaAI/stick-gen-small")
    card.write_text(render_card("small"))  # no examples any more
    assert main(push_args("checkpoints/best_model.pt", "--model-card", str(card), variant="small")) == 0
    files = set(hub.files("GesturaAI/stick-gen-small"))
    assert "examples/walk_wave.gif" not in files and "notes.txt" in files


def test_private_flag_on_an_existing_public_repo_warns(hub, checkout, capsys):
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", variant="small")) == 0
    capsys.readouterr()
    assert main(push_args("checkpoints/best_model.pt", "--private", "--version", "1.0.0", variant="small")) == 0
    assert "already exists and is public; --private only applies to new repositories" in capsys.readouterr().out
    assert not HfApi(endpoint=hub.endpoint, token=BOT_TOKEN).model_info("GesturaAI/stick-gen-small").private


def test_the_published_card_loads_the_version_being_published(hub, checkout):
    """Publishing 1.1.0 ships a card whose How to Use loads v1.1.0, not the template's v1.0.0."""
    from stick_gen.hub.cards import parse_card

    write_pretrained(checkout / "checkpoints/best_model.pt", "small", seed=1)
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0", variant="small")) == 0
    newer = write_pretrained(checkout / "checkpoints/best_model.pt", "small", seed=2)
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.1.0", variant="small")) == 0
    card = hub.read_file("GesturaAI/stick-gen-small", "README.md", "v1.1.0").decode()
    shipped = (checkout / "model_cards/small.md").read_text()
    assert 'revision="v1.0.0"' in shipped and 'revision="v1.0.0"' not in card
    assert card == shipped.replace('revision="v1.0.0"', 'revision="v1.1.0"')
    block = re.findall(r"```python\n(.*?)```", parse_card(card).body, flags=re.S)[0]
    namespace: dict = {}
    exec(compile(block, "<card v1.1.0: How to Use>", "exec"), namespace)
    assert torch.equal(_outputs(namespace["model"]), _outputs(newer))
    # without --version the card loads the branch it was committed to
    assert main(push_args("checkpoints/best_model.pt", "--revision", "dev", variant="small")) == 0
    assert 'from_pretrained("GesturaAI/stick-gen-small", revision="dev")' in hub.read_file(
        "GesturaAI/stick-gen-small", "README.md", "dev").decode()


def test_a_lora_card_pins_its_own_revision_and_keeps_the_base_models(tmp_path):
    from stick_gen.hub.cards import pin_revision, render_card

    card = render_card("small", "lora")
    pinned = pin_revision(card, "GesturaAI/stick-gen-small-lora", "v2.0.0")
    assert "hf download GesturaAI/stick-gen-small-lora lora_adapters.pth --revision v2.0.0 " in pinned
    assert 'PeftModel.from_pretrained(base, "GesturaAI/stick-gen-small-lora", revision="v2.0.0")' in pinned
    assert 'StickFigureTransformer.from_pretrained("GesturaAI/stick-gen-small", revision="v1.0.0")' in pinned
    assert "--base GesturaAI/stick-gen-small --revision v1.0.0" in pinned
    assert pin_revision(card, "someone/else", "v2.0.0") == card
    crlf = card.replace("\n", "\r\n")
    assert pin_revision(crlf, "GesturaAI/stick-gen-small-lora", "v2.0.0") == pinned.replace("\n", "\r\n")
