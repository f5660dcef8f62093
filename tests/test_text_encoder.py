"""The text encoder: identities, the real MiniLM, the 1024 lift, the hashing test encoder, the cache."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest
import torch
import torch.nn.functional as F

from stick_gen.inference.clauses import encode_prompts, split_clauses
from stick_gen.inference.text_encoder import (
    BGE_IDENTITY,
    DEFAULT_ENCODER,
    EMBEDDING_DIM,
    ENCODERS,
    HASHING_IDENTITY,
    MINILM_IDENTITY,
    MiniLMEncoder,
    PromptTruncatedWarning,
    check_encoder_identity,
    encode_cached,
    lift_matrix,
    load_text_encoder,
    minilm_model_dir,
    resolve_encoder_identity,
)
from stick_gen.model.errors import CheckpointError, ConfigError, EncoderMismatchError, GenerationError, StickGenError

WALK = "a person walks forward"
STROLL = "someone strolls ahead"
CATCH = "two people playing catch"


@pytest.fixture(scope="module")
def minilm():
    return load_text_encoder("minilm")


@pytest.fixture()
def hashing():
    return load_text_encoder("hashing")


def test_default_is_minilm_and_identities_are_the_documented_ones():
    assert DEFAULT_ENCODER == MINILM_IDENTITY == "minilm-l6-v2/lift1024-v1"
    assert set(ENCODERS) == {"minilm-l6-v2/lift1024-v1", "bge-large-en-v1.5", "hashing-1024-v1"}
    assert resolve_encoder_identity("bge") == BGE_IDENTITY
    assert resolve_encoder_identity("sentence-transformers/all-MiniLM-L6-v2") == MINILM_IDENTITY
    assert "test" in ENCODERS[HASHING_IDENTITY].summary


def test_minilm_gives_unit_float32_vectors_of_1024(minilm):
    vectors = minilm.encode([WALK, STROLL, CATCH])
    assert minilm.identity == MINILM_IDENTITY
    assert minilm.max_tokens == 256
    assert vectors.shape == (3, EMBEDDING_DIM)
    assert vectors.dtype == torch.float32
    assert torch.allclose(vectors.norm(dim=1), torch.ones(3), atol=1e-5)


def test_minilm_matches_transformers_bert_with_mean_pooling(minilm):
    # The reference is the sentence-transformers recipe built from transformers itself.
    from transformers import AutoTokenizer, BertModel

    model_dir = str(minilm_model_dir())
    bert = BertModel.from_pretrained(model_dir, local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    texts = [WALK, "someone strolls ahead, stops, turns around and waves at a friend", "jump"]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = bert(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    reference = F.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)  # (3, 384)
    native = minilm.encode_native(texts)
    assert native.shape == (3, 384)
    assert torch.allclose(native, reference, atol=1e-5)


def test_lift_keeps_cosine_similarity_of_the_384_numbers(minilm):
    native = minilm.encode_native([WALK, STROLL])
    lifted = minilm.encode([WALK, STROLL])
    assert abs(float(native[0] @ native[1]) - float(lifted[0] @ lifted[1])) < 1e-5
    assert torch.allclose(lifted, native @ lift_matrix().T, atol=1e-6)


def test_lift_is_the_documented_fixed_matrix():
    lift = lift_matrix()
    assert lift.shape == (1024, 384) and lift.dtype == torch.float32
    assert torch.allclose(lift.T @ lift, torch.eye(384), atol=1e-5)
    # Pinned: if these move, every MiniLM checkpoint silently breaks; make a new identity instead.
    assert torch.allclose(lift[0, :3], torch.tensor([0.0134, 0.0263, -0.0241]), atol=1e-4)
    assert torch.allclose(lift[1, :3], torch.tensor([-0.0160, 0.0036, -0.0161]), atol=1e-4)


def test_paraphrases_are_closer_than_unrelated_prompts(minilm):
    walk, stroll, catch = minilm.encode([WALK, STROLL, CATCH])
    assert float(walk @ stroll) > float(walk @ catch) + 0.2
    assert float(walk @ stroll) > float(stroll @ catch) + 0.2


def test_minilm_is_deterministic_across_loads(minilm):
    again = MiniLMEncoder(minilm_model_dir())  # a second, independent load of the files
    assert torch.equal(minilm.encode([WALK, CATCH]), again.encode([WALK, CATCH]))
    assert torch.allclose(minilm.encode([WALK]), minilm.encode([WALK, CATCH, STROLL])[:1], atol=1e-6)


def test_loaded_once_per_process():
    assert load_text_encoder("minilm") is load_text_encoder(MINILM_IDENTITY)
    assert load_text_encoder("hashing") is not load_text_encoder("minilm")


def test_long_prompt_is_truncated_with_a_warning(minilm):
    long_prompt = " ".join(["a person walks forward and waves"] * 60)  # about 360 word pieces
    with pytest.warns(PromptTruncatedWarning, match=r"prompt 0 .* has 362 tokens .* at most 256"):
        cut = minilm.encode([long_prompt])
    with pytest.warns(PromptTruncatedWarning):
        longer = minilm.encode([long_prompt + " then sits down on a chair"])
    assert torch.allclose(cut, longer, atol=1e-6)  # the extra words were past the limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minilm.encode([WALK])  # short prompts warn nothing


def test_empty_or_malformed_prompts_are_refused(minilm, hashing):
    for encoder in (minilm, hashing):
        with pytest.raises(GenerationError, match="prompt 1 is empty"):
            encoder.encode([WALK, "   "])
        with pytest.raises(GenerationError, match="wrap it in a list"):
            encoder.encode(WALK)
    assert hashing.encode([]).shape == (0, EMBEDDING_DIM)


def test_unknown_identity_names_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        load_text_encoder("clip-vit")
    message = str(caught.value)
    assert "clip-vit" in message
    for spec in ENCODERS.values():
        assert spec.identity in message and f"'{spec.alias}'" in message


def test_identity_check_names_both_and_the_fix():
    check_encoder_identity("minilm", MINILM_IDENTITY, "checkpoints/small.pt")
    with pytest.raises(EncoderMismatchError) as caught:
        check_encoder_identity(MINILM_IDENTITY, HASHING_IDENTITY, "checkpoints/small.pt")
    message = str(caught.value)
    assert "checkpoints/small.pt" in message and MINILM_IDENTITY in message and HASHING_IDENTITY in message
    assert "load_text_encoder('minilm-l6-v2/lift1024-v1')" in message and "retrain" in message
    assert isinstance(caught.value, StickGenError)


def test_bge_from_a_folder_without_it_says_how_to_get_it(tmp_path):
    with pytest.raises(CheckpointError, match=r"hf download BAAI/bge-large-en-v1\.5.*'minilm'"):
        load_text_encoder("bge", model_path=tmp_path / "no-such-folder")


def test_bge_missing_from_the_hub_cache_says_how_to_get_it(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(CheckpointError, match=r"not in the Hugging Face cache .*empty-cache.*hf download"):
        load_text_encoder("bge")


def test_hashing_encoder_is_deterministic_normalised_and_word_sensitive(hashing):
    vectors = hashing.encode([WALK, "a person walks forward quickly", CATCH, WALK])
    assert vectors.shape == (4, EMBEDDING_DIM) and vectors.dtype == torch.float32
    assert torch.allclose(vectors.norm(dim=1), torch.ones(4), atol=1e-6)
    assert torch.equal(vectors[0], vectors[3])
    assert float(vectors[0] @ vectors[1]) > 0.6 > float(vectors[0] @ vectors[2])
    assert hashing.identity == "hashing-1024-v1"


def test_hashing_encoder_agrees_across_processes(hashing):
    # Python's own hash() is salted per process; the encoder must not depend on it.
    code = ("from stick_gen.inference.text_encoder import load_text_encoder as l; "
            "print(l('hashing').encode(['a person walks forward'])[0].nonzero().flatten().tolist())")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(hashing.encode([WALK])[0].nonzero().flatten().tolist())


def test_hashing_encoder_warns_on_very_long_prompts(hashing):
    with pytest.warns(PromptTruncatedWarning, match="has 300 words"):
        hashing.encode([" ".join(["jump"] * 300)])


def test_cache_encodes_only_misses(tmp_path, hashing):
    cache = tmp_path / "prompts.safetensors"
    first = hashing.encoded_count
    vectors = encode_cached(hashing, [WALK, CATCH, WALK], cache)
    assert hashing.encoded_count - first == 2  # the repeated prompt was encoded once
    assert torch.equal(vectors, hashing.encode([WALK, CATCH, WALK]).cpu())

    before = hashing.encoded_count
    again = encode_cached(hashing, [CATCH, WALK], cache)
    assert hashing.encoded_count == before  # all hits: nothing encoded
    assert torch.equal(again, vectors[[1, 0]])

    encode_cached(hashing, [WALK, STROLL], cache)
    assert hashing.encoded_count == before + 1  # only the new prompt

    from safetensors import safe_open

    with safe_open(str(cache), framework="pt") as stored:
        assert stored.metadata()["encoder_identity"] == HASHING_IDENTITY
        assert stored.get_tensor("vectors").shape == (3, EMBEDDING_DIM)
        assert stored.get_tensor("digests").shape == (3, 20)


def test_cache_rewrite_is_atomic(tmp_path, hashing):
    cache = tmp_path / "prompts.safetensors"
    encode_cached(hashing, [WALK], cache)
    first_inode = cache.stat().st_ino
    old_bytes = cache.read_bytes()

    with pytest.raises(GenerationError):
        encode_cached(hashing, [CATCH, ""], cache)
    assert cache.read_bytes() == old_bytes  # a failed call leaves the old cache as it was

    encode_cached(hashing, [CATCH], cache)
    assert cache.stat().st_ino != first_inode  # a new file was renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prompts.safetensors"]  # no temporary left


def test_cache_of_another_encoder_is_rebuilt_with_a_warning(tmp_path, hashing, minilm):
    cache = tmp_path / "prompts.safetensors"
    encode_cached(minilm, [WALK], cache)
    before = hashing.encoded_count
    with pytest.warns(UserWarning, match=r"made by text encoder 'minilm-l6-v2/lift1024-v1'.*rebuilding"):
        vectors = encode_cached(hashing, [WALK], cache)
    assert hashing.encoded_count == before + 1
    assert torch.equal(vectors, hashing.encode([WALK]).cpu())
    assert torch.equal(encode_cached(hashing, [WALK], cache), vectors)  # now a hashing cache

    cache.write_bytes(b"not a safetensors file")
    with pytest.warns(UserWarning, match="cannot be read"):
        assert torch.equal(encode_cached(hashing, [WALK], cache), vectors)


@pytest.mark.parametrize("text, clauses", [
    ("A person walks forward and waves", ["A person walks forward", "and waves"]),
    ("a tall man jogs to the left, then sits down.", ["a tall man jogs to the left", "then sits down"]),
    ("Two people playing catch", ["Two people playing catch"]),
    ("A woman waves; meanwhile, a man claps.", ["A woman waves", "meanwhile a man claps"]),
    ("First she bows and then she claps", ["First she bows", "and then she claps"]),
])
def test_prompts_are_cut_into_clauses_in_order(text, clauses):
    assert split_clauses(text) == clauses


def test_clauses_beyond_the_limit_join_the_last_one():
    text = "a waves, b claps, c bows, d sits"
    assert split_clauses(text, max_clauses=2) == ["a waves", "b claps c bows d sits"]
    with pytest.raises(ValueError, match="max_clauses=0"):
        split_clauses(text, max_clauses=0)


def test_prompt_vectors_hold_each_clause_encoded_alone(hashing):
    vectors = encode_prompts(hashing, ["a man waves, then sits", "a man waves"], max_clauses=4)
    assert vectors.sentence.shape == (2, 1024) and vectors.clauses.shape == (2, 4, 1024)
    assert vectors.clause_mask.tolist() == [[True, True, False, False], [True, False, False, False]]
    assert torch.allclose(vectors.clauses[0, 1], hashing.encode(["then sits"])[0])
    assert torch.allclose(vectors.clauses[1, 0], vectors.sentence[1])  # one clause: the prompt itself
    assert vectors.clauses[:, 2:].abs().max() == 0
    assert encode_prompts(hashing, ["a man waves"], max_clauses=0).clauses is None


@pytest.mark.parametrize("prompt, has_words", [
    ("a person waves", True), ("Two people playing catch!", True), ("走る人", True), ("3 jumps", True),
    ("!!! ?? ...", False), ("\U0001F389\U0001F57A", False), ("-- :) --", False), ("\u200b\u200d", False),
])
def test_prompts_without_any_word_are_told_apart(prompt, has_words):
    from stick_gen.inference.text_encoder import prompt_has_words

    assert prompt_has_words(prompt) is has_words
