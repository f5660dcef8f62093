"""The model in its three published sizes, built and loaded exactly as the spec does."""

from __future__ import annotations


import pytest
import torch
import yaml

from stick_gen.model.pose import POSE_DIM, canonicalize, features_to_pose, pose_to_features
from stick_gen.model.errors import ConfigError
from stick_gen.model.transformer import (StickFigureTransformer, actor_clause_mask, clause_weights, overlap_add,
                                        owned_clause_mask, said_clause_mask,
                                        overlap_window)
from stick_gen.model.variants import VARIANTS, get_variant, variant_for_shape

from .spec_snippets import python_block_after, replace_download
from .support import reloaded_without, tiny_transformer

SPEC_CALLS = {
    "small": dict(input_dim=20, d_model=256, nhead=8, num_layers=6, output_dim=20, embedding_dim=1024, num_actions=64),
    "medium": dict(input_dim=20, d_model=384, nhead=12, num_layers=8, output_dim=20, embedding_dim=1024, num_actions=64),
    "large": dict(input_dim=20, d_model=512, nhead=16, num_layers=10, output_dim=20, embedding_dim=1024, num_actions=64),
}


@pytest.mark.parametrize("name", ["small", "medium", "large"])
def test_parameter_count_matches_published_figure(name):
    model = StickFigureTransformer(**SPEC_CALLS[name])
    low, high = get_variant(name).param_bounds()
    assert low <= model.num_parameters() <= high
    # buffers (feature statistics) are not parameters
    assert model.num_parameters() < sum(t.numel() for t in model.state_dict().values())


def test_variant_table_is_what_the_spec_publishes():
    assert {n: v.params_label for n, v in VARIANTS.items()} == {"small": "5.6M", "medium": "15.8M", "large": "28M"}
    assert VARIANTS["small"].repo_id == "GesturaAI/stick-gen-small"
    assert VARIANTS["large"].config_path == "configs/large.yaml"
    assert VARIANTS["medium"].model_card == "model_cards/medium.md"
    assert variant_for_shape(384, 12, 8).name == "medium" and variant_for_shape(100, 4, 2) is None


@pytest.mark.parametrize("name", ["small", "medium", "large"])
def test_config_files_agree_with_variant_table(name):
    from stick_gen.resources import resource_path

    config = yaml.safe_load(resource_path("configs", f"{name}.yaml").read_text())
    variant = get_variant(name)
    assert config["variant"] == name
    for key in ("d_model", "nhead", "num_layers", "dim_feedforward"):
        assert config["model"][key] == getattr(variant, key)
    assert config["model"]["embedding_dim"] == 1024 and config["model"]["num_actions"] == 64
    model = StickFigureTransformer(**config["model"])
    assert model.config == StickFigureTransformer(**SPEC_CALLS[name]).config


def test_generation_needs_only_text_and_latents(tiny_model):
    feats, actions = tiny_model.generate(torch.randn(3, 1024), torch.rand(3, 16))
    assert feats.shape == (3, 250, POSE_DIM) and actions.shape == (3, 250)
    assert actions.dtype == torch.long


def test_context_frames_change_the_output(tiny_model):
    text, z = torch.randn(1, 1024), torch.rand(1, 16)
    context = torch.randn(1, 250, POSE_DIM)
    mask = torch.zeros(1, 250, dtype=torch.bool)
    free = tiny_model(text, z).motion
    # an all-false mask is the same as no context at all
    assert torch.allclose(tiny_model(text, z, context=context, context_mask=mask).motion, free, atol=1e-6)
    mask[:, :50] = True
    assert not torch.allclose(tiny_model(text, z, context=context, context_mask=mask).motion, free)


def test_latents_and_slot_change_the_output(tiny_model):
    text = torch.randn(1, 1024)
    a = tiny_model(text, torch.zeros(1, 16)).motion
    b = tiny_model(text, torch.ones(1, 16)).motion
    c = tiny_model(text, torch.zeros(1, 16), slot=torch.tensor([1]), num_actors=torch.tensor([2])).motion
    assert not torch.allclose(a, b) and not torch.allclose(a, c)


@pytest.mark.parametrize("frames_per_token", [5, 10])
def test_overlap_add_rebuilds_a_signal_the_tokens_agree_on(frames_per_token):
    # every token writes its own window of one smooth clip: the Hann weights of neighbours sum to one,
    # so the joined clip is that clip exactly, edges included
    tokens, hop = 6, frames_per_token
    clip = torch.sin(torch.linspace(0, 6, (tokens + 2) * hop))[:, None] * torch.arange(1.0, 4.0)  # (T + 2F, 3)
    start = hop - hop // 2  # token n's window starts half a token before its own frames
    windows = torch.stack([clip[start + n * hop:start + n * hop + 2 * hop] for n in range(tokens)])[None]
    joined = overlap_add(windows)
    assert joined.shape == (1, tokens * hop, 3)
    assert torch.allclose(joined[0], clip[hop:hop + tokens * hop], atol=1e-5)


def test_overlap_add_blends_tokens_instead_of_stepping_between_them():
    # tokens that disagree (each a constant) meet in a ramp, not a jump
    windows = torch.tensor([0.0, 1.0, 2.0, 3.0])[None, :, None, None].expand(1, 4, 20, 1)
    joined = overlap_add(windows)[0, :, 0]
    steps = joined.diff()
    assert float(steps.min()) > -1e-6 and float(steps.max()) < 0.2  # a token's 1.0 is spread over ten frames
    assert abs(float(joined[0])) < 1e-6 and abs(float(joined[-1]) - 3) < 1e-6


@pytest.mark.parametrize("crossfade", [0.2, 0.5, 1.0])
def test_a_narrower_crossfade_still_sums_to_one_and_lets_a_token_write_its_middle_alone(crossfade):
    window = overlap_window(10, crossfade)
    assert torch.allclose(window[:10] + window[10:], torch.ones(10), atol=1e-6)  # neighbours sum to one
    windows = torch.tensor([0.0, 1.0, 2.0, 3.0])[None, :, None, None].expand(1, 4, 20, 1)
    joined = overlap_add(windows, window)[0, :, 0]
    inside = joined[12:18]  # the middle of token 1's own frames 10..19
    assert torch.allclose(inside, torch.ones(6), atol=1e-6) == (crossfade <= 0.5)
    ramp = int((joined.diff().abs() > 1e-6).sum())  # frames a border's change is spread over
    assert ramp == pytest.approx(3 * 10 * crossfade, abs=3)


def test_a_narrow_crossfade_trains_with_finite_gradients():
    # frames no token covers must not turn into 0/0 in the backward pass
    model = tiny_transformer(overlap_crossfade=0.2)
    assert model.config["overlap_crossfade"] == 0.2
    assert "overlap_weight" not in model.state_dict()  # derived from the config, not stored
    out = model(torch.randn(2, 1024), torch.rand(2, 16), noisy_motion=torch.randn(2, 250, POSE_DIM),
                time=torch.rand(2))
    out.motion.pow(2).mean().backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(bool(torch.isfinite(g).all()) for g in grads)


@pytest.mark.parametrize("start, passed", [("binomial", 0.375), ("narrow", 0.5), ("identity", 1.0)])
def test_the_output_filter_starts_from_the_named_taps_and_keeps_a_still_value(start, passed, tmp_path):
    # an impulse through the filter is its taps: the binomial start keeps 6/16 of a one-frame spike, the
    # identity start all of it; a constant passes unchanged whatever the start (the taps sum to one)
    model = tiny_transformer(output_filter=start)
    impulse = torch.zeros(1, POSE_DIM, 9)
    impulse[:, :, 4] = 1.0
    with torch.no_grad():
        response = model.motion_smooth(impulse)[0, 0]  # 5 frames out of 9 (no padding)
        still = model.motion_smooth(torch.ones(1, POSE_DIM, 9))
    assert float(response.max()) == pytest.approx(passed)
    assert torch.allclose(still, torch.ones_like(still))
    # the start is a setting of training only: a config saved without the key loads, and its taps are the weights'
    loaded = reloaded_without(model, "output_filter", tmp_path)
    assert loaded.config["output_filter"] == "binomial"
    assert torch.equal(loaded.motion_smooth.weight, model.motion_smooth.weight)
    with pytest.raises(ConfigError, match="output_filter='box': choose one of binomial, narrow, identity"):
        tiny_transformer(output_filter="box")


def test_overlap_decoder_is_recorded_and_older_configs_load_without_it(tmp_path):
    model = tiny_transformer(overlap_decoder=True)
    assert model.config["overlap_decoder"] is True
    assert model.motion_head.out_features == 2 * model.frames_per_token * POSE_DIM
    assert model(torch.randn(2, 1024), torch.rand(2, 16)).motion.shape == (2, 250, POSE_DIM)
    # a folder saved before the key existed loads with the decoder it was trained with
    older = tiny_transformer(overlap_decoder=False)
    loaded = reloaded_without(older, "overlap_decoder", tmp_path)
    assert loaded.overlap_decoder is False
    text, z = torch.randn(1, 1024), torch.rand(1, 16)
    assert torch.equal(loaded(text, z).motion, older(text, z).motion)


def test_block_conditioning_starts_as_the_plain_stack_then_learns_to_steer_every_block(tmp_path):
    plain = tiny_transformer(block_conditioning=False)
    steered = tiny_transformer(block_conditioning=True)
    assert steered.config["block_conditioning"] is True and plain.condition_code is None
    assert all(block.modulation is not None for block in steered.blocks)
    text, z = torch.randn(2, 1024), torch.rand(2, 16)
    noisy, time = torch.randn(2, 250, POSE_DIM), torch.rand(2)
    # zero-initialised gates: every block is the identity until training moves them
    h = torch.randn(2, steered.num_tokens, steered.config["d_model"])
    code = torch.randn(2, steered.num_tokens, steered.condition_code[0].out_features)
    assert torch.equal(steered.blocks[0](h, code), h)
    steered.train()
    out = steered(text, z, noisy_motion=noisy, time=time)
    out.motion.pow(2).mean().backward()
    grads = [block.modulation.weight.grad for block in steered.blocks]
    assert all(g is not None and float(g.abs().sum()) > 0 for g in grads)  # the text reaches every block
    # a folder saved before the key existed loads as the plain stack it was trained as
    loaded = reloaded_without(plain, "block_conditioning", tmp_path)
    assert loaded.block_conditioning is False and loaded.condition_code is None
    assert torch.equal(loaded(text, z).motion, plain(text, z).motion)


def _needs_clauses_and_loads_without(option: str, head: str, output: str, tmp_path) -> None:
    """A clause classifier ``option`` needs clause input, and a model saved before the key existed loads
    without it (no ``head``, ``output`` None)."""
    with pytest.raises(ConfigError, match="max_clauses > 0"):
        tiny_transformer(**{option: True, "max_clauses": 0})
    loaded = reloaded_without(tiny_transformer(), option, tmp_path)  # saved before the key existed
    assert getattr(loaded, option) is False and not hasattr(loaded, head)
    assert getattr(loaded(torch.randn(1, 1024), torch.rand(1, 16)), output) is None


def test_clause_actions_classify_each_clause_from_its_vector_alone_and_tell_every_token(tmp_path):
    model = tiny_transformer(clause_actions=True).train()
    assert model.config["clause_actions"] is True
    text, z = torch.randn(3, 1024), torch.rand(3, 16)
    clauses = torch.randn(3, 2, 1024)
    mask = torch.tensor([[True, True], [True, False], [False, False]])  # two clauses, one, none (text dropped)
    noisy, time = torch.randn(3, 250, POSE_DIM), torch.rand(3)
    out = model(text, z, clause_embeddings=clauses, clause_mask=mask, noisy_motion=noisy, time=time)
    logits = out.clause_action_logits
    assert logits.shape == (3, model.num_tokens, model.num_actions)
    named = model.clause_action_head(clauses)  # (3, 2, A)
    assert torch.allclose(out.clause_logits, named)  # what the clause labels train (training.compute_losses)
    assert torch.allclose(logits[1], named[1, 0].expand_as(logits[1]), atol=1e-5)  # one clause: every token
    assert torch.allclose(logits[0, 0], named[0, 0], atol=0.2) and torch.allclose(logits[0, -1], named[0, 1], atol=0.2)
    assert torch.equal(logits[2], torch.zeros_like(logits[2]))  # no clause: every action alike
    # the action labels train the classifier alone; the motion loss reads its answer but does not move it
    torch.nn.functional.cross_entropy(logits.flatten(0, 1), torch.zeros(3 * model.num_tokens, dtype=torch.long)
                                      ).backward(retain_graph=True)
    assert float(model.clause_action_head[1].weight.grad.abs().sum()) > 0
    assert all(p.grad is None for p in model.text_proj.parameters()) and model.action_in.weight.grad is None
    model.zero_grad()
    out.motion.pow(2).mean().backward()
    assert float(model.action_in.weight.grad.abs().sum()) > 0
    assert model.clause_action_head[1].weight.grad is None
    _needs_clauses_and_loads_without("clause_actions", "clause_action_head", "clause_action_logits", tmp_path)


def test_clause_weights_lay_clauses_along_the_clip_in_order():
    mask = torch.tensor([[True, True, True, False], [True, False, False, False]])
    w = clause_weights(mask, 50)
    assert w.shape == (2, 50, 4)
    assert torch.allclose(w.sum(-1), torch.ones(2, 50))
    assert w[:, :, 3].abs().max() == 0  # an absent clause is never read
    assert torch.equal(w[1, :, 0], torch.ones(50))  # one clause: every token reads it
    first = w[0].argmax(-1)
    assert first[0] == 0 and first[25] == 1 and first[-1] == 2
    assert bool((first[1:] >= first[:-1]).all())  # the reading order follows the clip


def test_each_actor_gets_its_share_of_the_clauses_in_order():
    mask = torch.tensor([[True] * 4 + [False] * 4] * 3)
    shares = actor_clause_mask(mask, torch.tensor([0, 1, 0]), torch.tensor([2, 2, 1])).int().tolist()
    assert shares == [[1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0]]
    # fewer clauses than actors ("Two people playing catch"): they share the one there is
    one = actor_clause_mask(mask[:, :1], torch.tensor([0, 1, 2]), torch.tensor([3, 3, 3]))
    assert one.all()
    # a share is laid along the actor's whole clip: the second of two actors with three clauses
    # reads clauses 1 and 2, one after the other
    three = torch.ones(1, 3, dtype=torch.bool)
    share = clause_weights(actor_clause_mask(three, torch.tensor([1]), torch.tensor([2])), 10)
    assert share[0].argmax(-1).tolist() == [1] * 5 + [2] * 5 and share[0, :, 0].abs().max() == 0


def test_each_actor_reads_the_clauses_from_where_the_text_starts_it():
    # "A guy bows, then weaves, and finally squats; meanwhile, a woman balances": three clauses, then one
    mask = torch.tensor([[True] * 4 + [False] * 4] * 2)
    scores = torch.tensor([[0.0, 0.1, 0.2, 0.9] + [0.99] * 4] * 2)  # absent clauses never start anyone
    owned = owned_clause_mask(mask, scores, torch.tensor([0, 1]), torch.tensor([2, 2])).int().tolist()
    assert owned == [[1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]]
    assert actor_clause_mask(mask, torch.tensor([0]), torch.tensor([2])).int()[0, :4].tolist() == [1, 1, 0, 0]
    # more likely starts than actors need ("In this clip, a man waves, while a woman claps"): the best cut wins
    three = torch.tensor([[True, True, True]] * 2)
    likely = torch.tensor([[0.0, 0.6, 0.95]] * 2)
    assert owned_clause_mask(three, likely, torch.tensor([0, 1]), torch.tensor([2, 2])).int().tolist() == [
        [1, 1, 0], [0, 0, 1]]
    # no start after the first clause ("Two friends wave, then sit down"): every actor reads every clause
    none = torch.tensor([[0.9, 0.1, 0.2]] * 2)  # the first clause's score is never read
    assert owned_clause_mask(three, none, torch.tensor([0, 2]), torch.tensor([3, 3])).all()
    # fewer likely starts than the actors need: equal shares, as a model without starts lays them
    one_cut = torch.tensor([[0.0, 0.9, 0.1]] * 2)
    assert torch.equal(owned_clause_mask(three, one_cut, torch.tensor([0, 2]), torch.tensor([3, 3])),
                       actor_clause_mask(three, torch.tensor([0, 2]), torch.tensor([3, 3])))
    # one actor reads everything, whatever the scores
    assert owned_clause_mask(three[:1], likely[:1], torch.tensor([0]), torch.tensor([1])).all()


def test_clause_starts_classify_each_clause_from_its_vector_alone_and_place_each_actors_clauses(tmp_path):
    torch.manual_seed(0)
    model = tiny_transformer(clause_starts=True).eval()
    assert model.config["clause_starts"] is True
    text, z = torch.randn(2, 1024), torch.rand(2, 16)
    clauses, mask = torch.randn(2, 3, 1024), torch.ones(2, 3, dtype=torch.bool)
    slot, count = torch.tensor([0, 1]), torch.tensor([2, 2])
    with torch.no_grad():
        model.clause_gate.weight.zero_()
        model.clause_gate.bias.copy_(torch.tensor([-30.0, 30.0]))  # read the actor's own clauses only
        head = model.clause_start_head[1]
        head.weight.zero_()
        head.bias.fill_(-5.0)  # no clause starts another actor: both actors read all three clauses
        together = model(text, z, slot, count, clause_embeddings=clauses, clause_mask=mask)
        assert together.start_logits.shape == (2, 3)
        assert torch.allclose(together.start_logits, model.clause_start_head(clauses).squeeze(-1))
        head.weight.copy_(clauses[0, 2] * 50 / clauses[0, 2].pow(2).sum())  # the third clause starts actor 2
        head.bias.fill_(-25.0)
        apart = model(text, z, slot, count, clause_embeddings=clauses, clause_mask=mask)
    assert apart.start_logits[0, 2] > 0 and apart.start_logits[0, 1] < 0
    assert not torch.allclose(apart.motion, together.motion)  # where an actor's clauses are changes its motion
    assert torch.allclose(apart.start_logits, model.clause_start_head(clauses).squeeze(-1))
    # the start labels train the classifier alone; the motion loss reads its answer but does not move it
    model.train()
    out = model(text, z, slot, count, clause_embeddings=clauses, clause_mask=mask)
    out.motion.pow(2).mean().backward()
    assert model.clause_start_head[1].weight.grad is None
    out = model(text, z, slot, count, clause_embeddings=clauses, clause_mask=mask)
    out.start_logits.sum().backward()
    assert float(model.clause_start_head[1].weight.grad.abs().sum()) > 0
    _needs_clauses_and_loads_without("clause_starts", "clause_start_head", "start_logits", tmp_path)


def test_clauses_that_name_no_action_are_left_out_of_the_layout(tmp_path):
    # "In this clip, a man waves, then sits down": the filler would take the first third of the clip
    mask = torch.tensor([[True, True, True, False], [True, False, False, False]])
    scores = torch.tensor([[0.9, 0.2, 0.1, 0.9], [0.9, 0.0, 0.0, 0.0]])
    said = said_clause_mask(mask, scores)
    assert said.int().tolist() == [[0, 1, 1, 0], [1, 0, 0, 0]]  # a prompt of fillers only keeps them
    weights = clause_weights(said, 10)
    assert weights[0, :, 0].abs().max() == 0 and weights[0].argmax(-1).tolist() == [1] * 5 + [2] * 5
    torch.manual_seed(0)
    model = tiny_transformer(clause_fillers=True, clause_starts=True).eval()
    text, z = torch.randn(1, 1024), torch.rand(1, 16)
    clauses, three = torch.randn(1, 3, 1024), torch.ones(1, 3, dtype=torch.bool)
    with torch.no_grad():
        head = model.clause_filler_head[1]
        head.weight.zero_()
        head.bias.fill_(-5.0)  # every clause names an action
        kept = model(text, z, clause_embeddings=clauses, clause_mask=three)
        head.weight.copy_(clauses[0, 0] * 50 / clauses[0, 0].pow(2).sum())  # the first clause is a filler
        head.bias.fill_(-25.0)
        passed = model(text, z, clause_embeddings=clauses, clause_mask=three)
    assert passed.filler_logits.shape == (1, 3) and passed.filler_logits[0, 0] > 0 > passed.filler_logits[0, 1]
    assert not torch.allclose(passed.motion, kept.motion)
    expected = model(text, z, clause_embeddings=clauses[:, 1:], clause_mask=three[:, 1:]).motion
    assert torch.allclose(passed.motion, expected, atol=1e-5)  # as if the filler had not been said
    model.train()
    out = model(text, z, clause_embeddings=clauses, clause_mask=three)
    out.motion.pow(2).mean().backward()
    assert model.clause_filler_head[1].weight.grad is None  # only the filler labels train it
    _needs_clauses_and_loads_without("clause_fillers", "clause_filler_head", "filler_logits", tmp_path)


def test_clauses_in_another_order_give_another_motion(tiny_model):
    torch.manual_seed(0)
    text, z = torch.randn(1, 1024), torch.rand(1, 16)
    walk, sit = torch.randn(1, 1, 1024), torch.randn(1, 1, 1024)
    mask = torch.ones(1, 2, dtype=torch.bool)
    forward = tiny_model(text, z, clause_embeddings=torch.cat([walk, sit], 1), clause_mask=mask).motion
    backward = tiny_model(text, z, clause_embeddings=torch.cat([sit, walk], 1), clause_mask=mask).motion
    sentence_only = tiny_model(text, z).motion
    assert not torch.allclose(forward, backward) and not torch.allclose(forward, sentence_only)
    # padding past a prompt's clauses changes nothing
    padded = torch.cat([walk, sit, torch.randn(1, 3, 1024)], 1)
    pad_mask = torch.tensor([[True, True, False, False, False]])
    assert torch.allclose(tiny_model(text, z, clause_embeddings=padded, clause_mask=pad_mask).motion, forward,
                          atol=1e-6)
    # a model without clause input ignores them; too many clauses is a clear error
    plain = tiny_transformer(max_clauses=0)
    assert torch.equal(plain(text, z, clause_embeddings=padded, clause_mask=pad_mask).motion, plain(text, z).motion)
    with pytest.raises(ConfigError, match="at most 8"):
        tiny_model(text, z, clause_embeddings=torch.randn(1, 9, 1024))


@pytest.mark.parametrize("layout", ["hip", "chain", "rest"])
def test_pose_features_round_trip(layout):
    torch.manual_seed(0)
    poses = canonicalize(torch.randn(4, 250, POSE_DIM))
    feats = pose_to_features(poses, fps=25, layout=layout)
    back = features_to_pose(feats, fps=25, start_x=poses[:, 0, 2], layout=layout)
    assert torch.allclose(back, poses, atol=1e-4)


def test_the_chain_layout_measures_the_neck_from_the_hip_and_the_hands_from_the_neck():
    from stick_gen.model.pose import JOINT_SLOTS

    torch.manual_seed(1)
    poses = canonicalize(torch.randn(2, 30, POSE_DIM))
    lowered = poses.clone()
    lowered[..., 1::2] -= 0.2  # the whole body 20 cm lower
    hip, chain = pose_to_features(poses), pose_to_features(poses, layout="chain")
    moved = pose_to_features(lowered, layout="chain")
    neck_y, hand_x, hand_y = JOINT_SLOTS["neck"][1], JOINT_SLOTS["left_hand"][0], JOINT_SLOTS["left_hand"][1]
    assert torch.allclose(chain[..., neck_y], poses[..., neck_y] - poses[..., 3])
    assert torch.allclose(chain[..., hand_x], poses[..., hand_x] - poses[..., 0])
    assert torch.allclose(chain[..., hand_y], poses[..., hand_y] - poses[..., neck_y])
    # a body moved as a whole changes only the heights measured from the ground: the hip's and the feet's
    changed = (moved - chain).abs().amax(dim=(0, 1)) > 1e-5
    assert changed.nonzero().flatten().tolist() == [3, 5, 7, 9, 11]
    assert torch.equal(chain[..., JOINT_SLOTS["left_foot"][1]], hip[..., JOINT_SLOTS["left_foot"][1]])
    # the rest layout keeps a foot's last centimetres nearly as they are and squeezes a jump's height
    from stick_gen.model.pose import REST_SCALES

    foot_y = JOINT_SLOTS["left_foot"][1]
    heights = torch.zeros(1, 3, POSE_DIM)
    heights[0, :, foot_y] = torch.tensor([0.01, 0.05, 0.8])
    rest = pose_to_features(heights, layout="rest")[0, :, foot_y]
    assert REST_SCALES[foot_y] == 0.05
    assert abs(float(rest[0]) - 0.01) < 1e-4 and 0.04 < float(rest[1]) < 0.05 and float(rest[2]) < 0.2
    with pytest.raises(ValueError, match="choose one of hip, chain"):
        pose_to_features(poses, layout="joints")
    with pytest.raises(ConfigError, match="feature_layout='joints'"):
        tiny_transformer(feature_layout="joints")


@pytest.mark.parametrize("name", ["small", "medium", "large"])
def test_spec_loading_snippet_runs_as_written(name, src_tree, tmp_path):
    """The spec's 'Load ... Variant' block, verbatim except that the download becomes a local file."""
    heading = {"small": "Load Small Variant", "medium": "Load Medium Variant", "large": "Load Large Variant"}[name]
    saved = StickFigureTransformer(**SPEC_CALLS[name]).eval()
    weights = tmp_path / "pytorch_model.bin"
    torch.save(saved.state_dict(), weights)
    snippet = replace_download(python_block_after(heading), str(weights))
    assert "hf_hub_download(" not in snippet
    namespace: dict = {}
    prelude = "from huggingface_hub import hf_hub_download\nimport torch\nfrom src.model.transformer import StickFigureTransformer\n"
    exec(compile(prelude + snippet, f"<spec: {heading}>", "exec"), namespace)
    model = namespace["model"]
    assert type(model).__module__ == "src.model.transformer"
    assert not model.training
    text, z = torch.randn(1, 1024), torch.rand(1, 16)
    assert torch.equal(model(text, z).motion, saved(text, z).motion)


def test_spec_config_snippet_runs_as_written(src_tree, tmp_path):
    from stick_gen.resources import resource_path

    snippet = replace_download(python_block_after("Load with Configuration File"),
                               str(resource_path("configs", "medium.yaml")))
    namespace: dict = {}
    exec("from src.model.transformer import StickFigureTransformer\n" + snippet, namespace)
    low, high = get_variant("medium").param_bounds()
    assert low <= namespace["model"].num_parameters() <= high


def test_from_pretrained_checks_config_json_before_building(tmp_path):
    """A hostile config.json (a huge d_model) is one CheckpointError, refused before any weight is allocated."""
    import json

    from stick_gen.model.errors import CheckpointError
    from stick_gen.model.transformer import StickFigureTransformer

    tiny_transformer().save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "d_model": 16384, "num_layers": 48}))
    with pytest.raises(CheckpointError, match="d_model=16384 is out of range"):
        StickFigureTransformer.from_pretrained(tmp_path)
