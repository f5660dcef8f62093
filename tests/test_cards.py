"""Model cards: the shipped ones are complete and true to the variant table; `card update` fills them;
their How to Use code runs as written against an uploaded repo."""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest
import torch
import yaml
from huggingface_hub import ModelCard as HubModelCard
from huggingface_hub import ModelCardData

from stick_gen.cli import main
from stick_gen.hub.cards import METRICS, REQUIRED_SECTIONS, parse_card, read_card, render_card, update_card
from stick_gen.hub.naming import card_name
from stick_gen.hub.validate import check_card
from stick_gen.model.variants import VARIANTS, get_variant

from .push_support import (
    REPO_ROOT,
    push_args,
    write_lora,
    write_pretrained,
    write_sft,
)


SHIPPED = [(v, m) for v in VARIANTS for m in ("pretrain", "sft", "lora")]

METRICS_JSON = {
    "split": "test", "checkpoint": "checkpoints/best_model.pt", "num_samples": 512,
    "model": {"pose_mse": 0.0234, "temporal_consistency": 0.0156, "action_accuracy": 87.3, "physics_mse": 0.0189,
              "r_precision_top1": 0.412, "r_precision_top3": 0.701, "fid": 1.234, "diversity": 5.67,
              "foot_skating": 0.031, "jitter": 0.0042, "action_accuracy_clip": 85.0, "amplitude_hands": 0.91,
              "amplitude_feet": 0.88, "amplitude_hip_height": 0.95, "seed_variety": 0.8,
              "action_head_agreement": 93.1},
    "real": {"r_precision_top1": 0.52, "r_precision_top3": 0.81, "fid": 0.0, "diversity": 6.01,
             "foot_skating": 0.012, "jitter": 0.0011},
    "ci95": {"pose_mse": [0.0221, 0.0247], "action_accuracy": [86.1, 88.5]},
}


def _python_blocks(markdown: str):
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


@pytest.mark.parametrize("variant, method", SHIPPED)
def test_shipped_cards_are_complete_and_name_their_variant(variant, method):
    path = REPO_ROOT / card_name(variant, method)
    card = read_card(path)
    v = get_variant(variant)
    for section in REQUIRED_SECTIONS:
        assert card.has_section(section), f"{path} lacks {section}"
    front = card.front_matter
    assert front["license"] == "mit" and front["pipeline_tag"] and "stick-gen" in front["tags"]
    assert front["language"] == "en"
    # the front matter is what huggingface_hub's ModelCardData writes: reading it back and writing it again is a no-op
    assert ModelCardData(**front).to_dict() == front
    assert front["library_name"] == ("peft" if method == "lora" else "stick-gen")
    assert card.variants_named() == [variant]
    assert [m["type"] for m in front["model-index"][0]["results"][0]["metrics"]] == [k for k, _, _ in METRICS[:4]]
    if method == "pretrain":
        assert "base_model" not in front
    else:
        assert front["base_model"] == v.repo_id
    text = card.text
    assert f"**Variant**: {variant}" in text and f"{v.params_label} (d_model {v.d_model}, {v.nhead} attention heads, " \
                                                 f"{v.num_layers} transformer blocks" in text
    assert f"**Hardware**: {v.hardware}" in text and "docs/PERFORMANCE.md" in text
    problems = [f for f in check_card(card, str(path), variant, method, v.repo_id if method != "pretrain" else None,
                                      [path.parent]) if f.level != "warning"]
    assert problems == []


@pytest.mark.parametrize("variant, method", SHIPPED)
def test_shipped_cards_how_to_use_is_what_the_template_writes(variant, method):
    """The code in a shipped card is the template's (tested below); `card update` never touches it."""
    def how_to_use(text: str) -> str:
        return text.split("## How to Use", 1)[1].split("\n## ", 1)[0]

    shipped = (REPO_ROOT / card_name(variant, method)).read_text()
    assert how_to_use(shipped) == how_to_use(render_card(variant, method))


def test_how_to_use_snippets_build_the_variant_in_the_card(tmp_path):
    for variant in VARIANTS:
        blocks = _python_blocks(render_card(variant))
        v = get_variant(variant)
        assert f"d_model={v.d_model},\n    nhead={v.nhead},\n    num_layers={v.num_layers}," in blocks[2]
        assert f'StickFigureTransformer.from_pretrained("{v.repo_id}", revision="v1.0.0")' in blocks[0]
        assert "from stick_gen.inference import StickGenPipeline" in blocks[1]


def test_card_update_writes_metrics_examples_and_checkpoint_facts(tmp_path, capsys):
    card = tmp_path / "cards" / "medium.md"
    card.parent.mkdir()
    shutil.copyfile(REPO_ROOT / "model_cards/medium.md", card)
    (tmp_path / "metrics.json").write_text(json.dumps(METRICS_JSON))
    gifs = tmp_path / "gifs"
    gifs.mkdir()
    for name in ("catch.gif", "walk_wave.gif", "jump_rope.gif"):
        (gifs / name).write_bytes(b"GIF89a" + name.encode())
    (gifs / "examples.json").write_text(json.dumps({"walk_wave.gif": "A person walks forward and waves"}))
    write_pretrained(tmp_path / "best_model.pt", "medium")
    before = len(read_card(card).tbd_lines())
    assert main(["card", "update", str(card), "--metrics", str(tmp_path / "metrics.json"), "--examples", str(gifs),
                 "--checkpoint", str(tmp_path / "best_model.pt")]) == 0
    out = capsys.readouterr().out
    assert "metrics: Pose MSE, Temporal Consistency, Action Accuracy, Physics MSE" in out
    updated = read_card(card)
    text = updated.text
    for line in ("- **Pose MSE**: 0.0234", "- **Temporal Consistency**: 0.0156", "- **Action Accuracy**: 87.3%",
                 "- **Physics MSE**: 0.0189", "| Pose MSE | 0.0234 | 0.0221 to 0.0247 | n/a |",
                 "| R-precision (top-1) | 41.2% | n/a | 52.0% |", "on 512 samples of the test split",
                 "- **Training steps**: 1,200", "- **Text encoder**: `minilm-l6-v2/lift1024-v1`"):
        assert line in text, line
    metrics = {m["type"]: m["value"] for m in updated.front_matter["model-index"][0]["results"][0]["metrics"]}
    assert metrics["pose_mse"] == 0.0234 and metrics["action_accuracy"] == 87.3 and len(metrics) == 16
    assert updated.tbd_lines() == [] and before == 10
    # the spec's example form, walk_wave first (examples.json order), others from the spec or their names
    assert ('## Example Outputs\n\n<!-- examples:start -->\n### "A person walks forward and waves"\n'
            '![Animation](examples/walk_wave.gif)\n\n### "Two people playing catch"\n![Animation](examples/catch.gif)'
            '\n\n### "Jump rope"\n![Animation](examples/jump_rope.gif)\n<!-- examples:end -->') in text
    assert (card.parent / "examples" / "catch.gif").read_bytes() == b"GIF89acatch.gif"
    assert [f for f in check_card(updated, str(card), "medium", "pretrain", None, [card.parent])] == []
    # a second update replaces, never duplicates
    assert main(["card", "update", str(card), "--metrics", str(tmp_path / "metrics.json")]) == 0
    assert card.read_text().count("### Metrics (Test Set)") == 1 and card.read_text().count("model-index") == 1


def test_a_new_card_loads_the_version_given_and_reads_back_through_huggingface_hub():
    text = render_card("small", "lora", revision="v1.2.0")
    assert 'PeftModel.from_pretrained(base, "GesturaAI/stick-gen-small-lora", revision="v1.2.0")' in text
    assert 'StickFigureTransformer.from_pretrained("GesturaAI/stick-gen-small", revision="v1.0.0")' in text  # base's own
    hub_card = HubModelCard(text)
    assert hub_card.data.base_model == "GesturaAI/stick-gen-small" and hub_card.data.language == "en"
    assert [r.metric_name for r in hub_card.data.eval_results][:1] == ["Pose MSE"]
    assert str(hub_card) == text  # huggingface_hub writes the card back byte for byte


def test_card_update_fills_finetune_and_lora_settings(tmp_path):
    sft, lora = tmp_path / "sft.md", tmp_path / "lora.md"
    sft.write_text(render_card("small", "sft"))
    lora.write_text(render_card("small", "lora"))
    write_sft(tmp_path / "best.pth", "small")
    write_lora(tmp_path / "lora_adapters.pth", "small")
    facts = update_card(sft, checkpoint=tmp_path / "best.pth").facts
    assert facts == {"Training steps": "2,000", "Text encoder": "`minilm-l6-v2/lift1024-v1`",
                     "Fine-tuning domain": "sports-and-play", "Fine-tuning steps": "2,000", "Learning rate": "5e-05"}
    assert "- **Fine-tuning domain**: sports-and-play" in sft.read_text()
    update_card(lora, checkpoint=tmp_path / "lora_adapters.pth")
    text = lora.read_text()
    assert "- **LoRA rank**: 6" in text and "- **Adapter parameters**: 152,064" in text
    assert "- **LoRA target modules**: `attn_out`, `ffn_in`, `ffn_out`, `qkv`" in text


def test_card_update_errors_are_clear(tmp_path, capsys):
    card = tmp_path / "card.md"
    card.write_text(render_card("small"))
    (tmp_path / "bad.json").write_text('{"split": "test"}')
    assert main(["card", "update", str(card), "--metrics", str(tmp_path / "bad.json")]) == 1
    assert "expected the output of `stick-gen evaluate`" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["card", "update", str(card), "--examples", str(tmp_path / "empty")]) == 1
    assert "holds no .gif files" in capsys.readouterr().err
    assert main(["card", "update", str(card)]) == 1
    assert card.read_text() == render_card("small")  # nothing half-written


def test_card_new_writes_a_custom_card_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "stick-gen-medium-custom.md"
    assert main(["card", "new", "--variant", "medium", "--method", "custom", "--version", "1.1.0", "-o", str(path)]) == 0
    assert 'from_pretrained("GesturaAI/stick-gen-medium-custom", revision="v1.1.0")' in path.read_text()
    card = read_card(path)
    assert card.front_matter["base_model"] == "GesturaAI/stick-gen-medium"
    assert card.front_matter["model-index"][0]["name"] == "stick-gen-medium-custom"
    path.write_text("mine")
    assert main(["card", "new", "--variant", "medium", "-o", str(path)]) == 1 and path.read_text() == "mine"


def test_an_updated_card_and_its_examples_are_published(hub, checkout, tmp_path):
    card_dir = checkout / "my_cards"
    card_dir.mkdir()
    card = card_dir / "small.md"
    card.write_text(render_card("small"))
    gifs = tmp_path / "gifs"
    gifs.mkdir()
    (gifs / "walk_wave.gif").write_bytes(b"GIF89a-walk")
    (tmp_path / "metrics.json").write_text(json.dumps(METRICS_JSON))
    update_card(card, metrics=tmp_path / "metrics.json", examples=gifs)
    write_pretrained(checkout / "checkpoints/best_model.pt", "small")
    assert main(push_args("checkpoints/best_model.pt", "--model-card", str(card), "--version", "1.0.0",
                          variant="small")) == 0
    assert hub.read_file("GesturaAI/stick-gen-small", "examples/walk_wave.gif") == b"GIF89a-walk"
    readme = hub.read_file("GesturaAI/stick-gen-small", "README.md").decode()
    assert readme == card.read_text() and "- **Pose MSE**: 0.0234" in readme


@pytest.mark.slow
def test_medium_card_how_to_use_runs_against_the_uploaded_repo(hub, checkout, monkeypatch):
    """Every python block of the card's How to Use, verbatim, in the order a reader runs them."""
    model = write_pretrained(checkout / "checkpoints/best_model.pt", "medium")
    assert main(push_args("checkpoints/best_model.pt", "--version", "1.0.0")) == 0
    blocks = _python_blocks(parse_card((checkout / "model_cards/medium.md").read_text()).body)
    assert len(blocks) == 3
    torch.manual_seed(3)
    text, latents = torch.randn(1, 1024), torch.rand(1, 16)
    expected = model(text, latents).motion
    monkeypatch.setattr(sys, "path", list(sys.path))  # the card's own sys.path.insert stays in this test
    for block in (blocks[0], blocks[2]):
        namespace: dict = {}
        exec(compile(block, "<card>", "exec"), namespace)
        assert torch.equal(namespace["model"](text, latents).motion, expected)
    for name in [m for m in list(sys.modules) if m == "src" or m.startswith("src.")]:
        monkeypatch.delitem(sys.modules, name)
    namespace = {}
    exec(compile(blocks[1], "<card: pipeline>", "exec"), namespace)
    assert (checkout / "walk_wave.gif").is_file() and (checkout / "catch.mp4").is_file()


def test_sft_card_how_to_use_loads_the_sft_repo(hub, checkout):
    model = write_sft(checkout / "checkpoints/sft/best.pth", "small")
    assert main(push_args("checkpoints/sft/best.pth", "--version", "1.0.0", variant="small")) == 0
    block = _python_blocks((checkout / "model_cards/stick-gen-small-sft.md").read_text())[0]
    namespace: dict = {}
    exec(block, namespace)
    assert torch.equal(namespace["model"].motion_head.weight, model.motion_head.weight)
    assert yaml.safe_load(hub.read_file("GesturaAI/stick-gen-small-sft", "config.yaml"))["finetune"]["method"] == "sft"
