"""StickFigureTransformer: text (+ the generator's random draws) -> one actor's motion.

The whole network in one file. One actor's 10-second clip (250 frames at 25 fps) is cut into
50 *frame tokens* of 5 frames each. Every token starts as a learned position embedding plus a
conditioning vector built from

* the text embedding (``embedding_dim`` = 1024, from :mod:`..inference.text_encoder`),
* the embeddings of the prompt's clauses (:func:`..inference.clauses.split_clauses`, up to
  ``max_clauses``), laid out along the clip in the order they are said: frame token ``n`` of ``N``
  gets a soft mix of the clause vectors centred on clause ``floor(K n / N)`` of the ``K`` clauses
  (:func:`clause_weights`), blended by a learnt gate (``clause_gate``, from the conditioning) with
  the same layout over the actor's own clauses (:func:`actor_clause_mask`, an equal share: the
  prompt names actor 0 first; with ``clause_starts``, :func:`owned_clause_mask`, from where the text
  starts each actor). One pooled sentence vector hardly keeps the order of actions or who
  does what; this gives both to every frame token,
* a latent vector ``z`` in ``[0, 1]^latent_dim``: the uniform draws the data generator made for
  everything the text leaves open (gait phase, tempo inside the range a word allows, when each
  action starts...). Training feeds the clip's own draws; generation samples them, so the same
  prompt with another seed gives another take, and regression does not average rhythm away,
* the actor's slot (0, 1, 2 = order the text mentions the actors in) and the number of actors,
  which is how two actors of "Two people playing catch" get complementary parts,
* for a ``flow`` model with ``clock`` (the default), the *motion clock* of every frame
  (:mod:`..model.clock`: sin/cos of where the frame is in the cycle of a repeated movement and how fast
  it repeats), so that strides, hops and waves cycle at their cadence instead of drifting. Training
  reads the clock measured from the real motion (and hides it from some rows); generation predicts
  each frame's cadence (``cadence_head``, from a first pass without the clock) and integrates it,
* optionally, known frames of motion (``context``, ``input_dim`` = 20 values per frame, with a
  mask) for continuing or in-betweening a motion. Generation never needs them.

A stack of pre-norm transformer blocks (bidirectional attention) mixes the tokens; a linear head turns each token back into 5
frames of *motion features* (see :func:`..model.pose.pose_to_features`), and a second head gives
per-frame action logits. The action head only reads the hidden states: labels are never fed in.
A third head predicts the number of actors from the text alone, so a pipeline can ask the model
how many people a prompt describes.

>>> import torch
>>> model = StickFigureTransformer(input_dim=20, d_model=256, nhead=8, num_layers=6,
...                                output_dim=20, embedding_dim=1024, num_actions=64)
>>> out = model(torch.zeros(2, 1024), torch.rand(2, 16))
>>> tuple(out.motion.shape), tuple(out.action_logits.shape)
((2, 250, 20), (2, 250, 64))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin

from .clock import CLOCK_DIM, EVENT_DIM
from .config import (LEGACY_MODEL_DEFAULTS, MAX_ACTORS, MAX_CLAUSES, OBJECTIVES,  # noqa: F401 (re-exported)
                     OUTPUT_FILTERS, ModelConfig, default_action_vocabulary)
from .errors import CheckpointError, ConfigError
from .pose import DEFAULT_FPS, DEFAULT_FRAMES, POSE_DIM, POSE_LAYOUT_VERSION

CLAUSE_SHARPNESS = 2.0
"""How peaked :func:`clause_weights` is: weight ``exp(-s d^2)`` at ``d`` clause-lengths from a clause's centre."""


LATENT_FEATURES = 6
SMOOTH_TAPS = 5
"""Frames the flow model's output filter spans (``motion_smooth``)."""
CONDITION_RANK = 64
"""Width of the code every block's shift, scale and gate are read from (``block_conditioning``)."""
TIME_FEATURES = 16
"""Sin/cos pairs describing the flow time ``t`` in [0, 1] (``time_features``)."""


def overlap_window(frames_per_token: int, crossfade: float = 1.0) -> torch.Tensor:
    """The weight ``(2 * frames_per_token,)`` a token gives each frame it writes (:func:`overlap_add`).

    A token writes the ``2F`` frames centred on its own ``F``. At each border with a neighbour the
    weight rises (sin^2) over ``crossfade * F`` frames centred on the border, so the weights of two
    neighbours sum to one; between the ramps it is 1 and beyond them 0. ``crossfade = 1`` is a Hann
    window over all ``2F`` frames (every frame a blend of two tokens); a smaller one lets a token
    write the middle of its own frames alone.

    >>> [round(w, 2) for w in overlap_window(4, 0.5).tolist()]
    [0.0, 0.15, 0.85, 1.0, 1.0, 0.85, 0.15, 0.0]
    >>> bool(torch.allclose(overlap_window(5)[:5] + overlap_window(5)[5:], torch.ones(5)))
    True
    """
    if not 0.0 < crossfade <= 1.0:
        raise ValueError(f"crossfade={crossfade}: a fraction of a token in (0, 1]")
    f = float(frames_per_token)
    half = crossfade * f / 2  # the ramp spans [border - half, border + half]
    u = torch.arange(2 * frames_per_token, dtype=torch.float32) + 0.5
    rise = ((u - (f / 2 - half)) / (2 * half)).clamp(0.0, 1.0)
    fall = (((3 * f / 2 + half) - u) / (2 * half)).clamp(0.0, 1.0)
    return torch.sin(torch.pi / 2 * rise) ** 2 * torch.sin(torch.pi / 2 * fall) ** 2


def overlap_add(windows: torch.Tensor, weight: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Join per-token frame windows ``(B, N, 2F, D)`` into a clip ``(B, N * F, D)``, overlap-added.

    Token ``n`` writes the ``2F`` frames centred on its own ``F`` (half a token into each neighbour),
    weighted by ``weight`` (default: :func:`overlap_window` with ``crossfade = 1``, a Hann window);
    with a hop of ``F`` the windows of neighbours sum to one, so a frame near a border is a smooth
    blend of the two tokens around it and a clip has no step at token borders (a token that writes
    only its own frames leaves one: 3x the frame-to-frame change inside a token). The first and last
    half-tokens, read by one token only, are divided by its window.

    >>> overlap_add(torch.ones(2, 3, 10, 4)).shape
    torch.Size([2, 15, 4])
    >>> bool(torch.allclose(overlap_add(torch.ones(1, 3, 10, 1), overlap_window(5, 0.4)), torch.ones(1, 15, 1)))
    True
    """
    batch, tokens, span, dim = windows.shape
    hop = span // 2
    if span != 2 * hop:
        raise ValueError(f"a window spans 2 * frames_per_token frames, got {span}")
    weight = (overlap_window(hop) if weight is None else weight).to(windows.device, windows.dtype)
    length = (tokens + 1) * hop
    columns = (windows * weight[:, None]).permute(0, 3, 2, 1).reshape(batch, dim * span, tokens)
    joined = F.fold(columns, output_size=(1, length), kernel_size=(1, span), stride=(1, hop)).reshape(batch, dim, length)
    cover = F.fold(weight[None, :, None].expand(1, span, tokens).contiguous(), output_size=(1, length),
                   kernel_size=(1, span), stride=(1, hop)).reshape(1, 1, length)
    keep = slice(hop // 2, hop // 2 + tokens * hop)  # cut first: a narrow window leaves the outer frames uncovered
    return (joined[:, :, keep] / cover[:, :, keep]).transpose(1, 2)


def time_features(time: torch.Tensor) -> torch.Tensor:
    """(B,) flow times in [0, 1] -> (B, 2 * TIME_FEATURES) sin/cos features at geometric frequencies.

    >>> time_features(torch.tensor([0.0, 1.0])).shape
    torch.Size([2, 32])
    """
    freqs = torch.pi * torch.exp(torch.linspace(0.0, 6.0, TIME_FEATURES, device=time.device))  # pi .. ~1267
    angle = time.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=-1)


def latent_features(latents: torch.Tensor) -> torch.Tensor:
    """(B, L) draws in [0, 1] -> (B, 6 L) features the network reads easily.

    Many draws are cyclic (a gait's phase) or pick one of two ways at 0.5 (facing left or right), which
    a linear layer on the raw value represents badly; sin/cos at two frequencies and a soft step give
    those shapes directly.
    """
    angle = 2 * torch.pi * latents
    return torch.cat([latents * 2 - 1, torch.sin(angle), torch.cos(angle), torch.sin(2 * angle),
                      torch.cos(2 * angle), torch.tanh(8 * (latents - 0.5))], dim=-1)


def clause_weights(clause_mask: torch.Tensor, num_tokens: int) -> torch.Tensor:
    """How much of each clause every frame token reads: ``(B, K)`` mask -> ``(B, N, K)``, rows summing to 1.

    A prompt's ``K`` clauses (the present ones, in order) are laid over the clip, the ``k``-th centred at
    ``(k + 0.5) / K`` of it; token ``n`` (centre ``(n + 0.5) / N``) weights clause ``k`` by
    ``exp(-CLAUSE_SHARPNESS * (K * distance)^2)``, so it mostly reads the clause said for its part of
    the clip and a little of its neighbours (transitions). Masked (absent) clauses get weight 0.

    >>> w = clause_weights(torch.tensor([[True, True, False]]), 4)
    >>> w.shape, w[0, 0].argmax().item(), w[0, 3].argmax().item(), w[0, :, 2].abs().sum().item()
    (torch.Size([1, 4, 3]), 0, 1, 0.0)
    """
    mask = clause_mask.bool()
    count = mask.sum(dim=1, keepdim=True).clamp_min(1).to(torch.float32)  # (B, 1)
    token = (torch.arange(num_tokens, device=mask.device, dtype=torch.float32) + 0.5) / num_tokens  # (N,)
    order = mask.to(torch.float32).cumsum(dim=1) - 1  # (B, K): k-th present clause -> k
    centre = (order + 0.5) / count  # (B, K)
    distance = (token[None, :, None] - centre[:, None, :]) * count[:, :, None]  # (B, N, K) in clause lengths
    weights = torch.exp(-CLAUSE_SHARPNESS * distance.pow(2)) * mask[:, None, :]
    return weights / weights.sum(dim=-1, keepdim=True).clamp_min(1e-12)


def actor_clause_mask(clause_mask: torch.Tensor, slot: torch.Tensor, num_actors: torch.Tensor) -> torch.Tensor:
    """The clauses a prompt most likely says about one actor: ``(B, K)`` mask -> ``(B, K)`` mask.

    Prompts name their actors in order ("A man waves, a woman claps and a child bows"), so actor
    ``s`` of ``n`` gets the ``s``-th of ``n`` equal, contiguous shares of the ``K`` clauses (at
    least one clause; with fewer clauses than actors, actors share them).

    >>> mask = torch.ones(3, 3, dtype=torch.bool)
    >>> actor_clause_mask(mask, torch.tensor([0, 1, 2]), torch.tensor([3, 3, 3])).int().tolist()
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    >>> actor_clause_mask(mask[:, :1], torch.tensor([0, 1, 0]), torch.tensor([2, 2, 1])).int().tolist()
    [[1], [1], [1]]
    """
    count = clause_mask.bool().sum(dim=1)  # (B,)
    actors = num_actors.clamp_min(1)
    first = torch.minimum(torch.div(slot * count, actors, rounding_mode="floor"), (count - 1).clamp_min(0))
    last = torch.maximum(torch.div((slot + 1) * count, actors, rounding_mode="floor"), first + 1)
    index = torch.arange(clause_mask.shape[1], device=clause_mask.device)[None, :]
    return (index >= first[:, None]) & (index < last[:, None]) & clause_mask.bool()


def owned_clause_mask(clause_mask: torch.Tensor, start_scores: torch.Tensor, slot: torch.Tensor,
                      num_actors: torch.Tensor) -> torch.Tensor:
    """The clauses that a prompt says about one actor, found where each actor starts: ``(B, K)`` -> ``(B, K)``.

    ``start_scores`` (B, K) in [0, 1] says how likely each clause is the first of the next actor ("while a
    woman claps" of "A man waves, then sits, while a woman claps"). Where no clause after the first scores
    above 0.5, every actor reads every clause (they all do what the sentence says: "Two friends wave, then
    sit down"); where at least ``n - 1`` of ``n`` actors' starts do, the ``n - 1`` best cut the clauses into
    the actors' runs, in order; otherwise each actor takes an equal share (:func:`actor_clause_mask`).

    >>> mask = torch.ones(2, 4, dtype=torch.bool)
    >>> scores = torch.tensor([[0.0, 0.1, 0.9, 0.2], [0.0, 0.1, 0.2, 0.3]])
    >>> owned_clause_mask(mask, scores, torch.tensor([1, 1]), torch.tensor([2, 2])).int().tolist()
    [[0, 0, 1, 1], [1, 1, 1, 1]]
    """
    mask = clause_mask.bool()
    order = mask.to(torch.long).cumsum(dim=1) - 1  # (B, K): k-th present clause -> k
    candidate = mask & (order >= 1)
    likely = candidate & (start_scores > 0.5)
    needed = (num_actors.clamp_min(1) - 1)[:, None]  # (B, 1) cuts between n actors
    score = torch.where(candidate, start_scores.float(), torch.full_like(start_scores, -1.0, dtype=torch.float32))
    rank = torch.argsort(torch.argsort(score, dim=1, descending=True, stable=True), dim=1)  # 0 = most likely
    cut = candidate & (rank < needed)
    runs = cut.to(torch.long).cumsum(dim=1)  # (B, K): which actor's run each clause is in
    own = (runs == slot[:, None]) & mask
    together = ~likely.any(dim=1, keepdim=True) | (needed == 0)
    enough = likely.sum(dim=1, keepdim=True) >= needed
    return torch.where(together, mask, torch.where(enough, own, actor_clause_mask(mask, slot, num_actors)))


def said_clause_mask(clause_mask: torch.Tensor, filler_scores: torch.Tensor) -> torch.Tensor:
    """The clauses that name an action: ``(B, K)`` mask -> ``(B, K)`` mask without the ones whose ``filler_scores``
    (in [0, 1]) are above 0.5, unless that leaves a prompt none ("In this clip, a man waves" -> "a man waves").

    >>> said_clause_mask(torch.tensor([[True, True, False], [True, False, False]]),
    ...                  torch.tensor([[0.9, 0.1, 0.0], [0.9, 0.0, 0.0]])).int().tolist()
    [[0, 1, 0], [1, 0, 0]]
    """
    said = clause_mask.bool() & (filler_scores <= 0.5)
    return torch.where(said.any(dim=1, keepdim=True), said, clause_mask.bool())


@dataclass
class MotionOutput:
    """What one forward pass returns. Shapes use B = batch, T = frames, A = action classes."""

    motion: torch.Tensor  # (B, T, output_dim), normalised motion features
    action_logits: torch.Tensor  # (B, T, num_actions)
    count_logits: torch.Tensor  # (B, max_actors): logits for 1..max_actors people in the text
    cadence: Optional[torch.Tensor] = None  # (B, T) predicted cadence in Hz (models with a clock)
    clause_action_logits: Optional[torch.Tensor] = None  # (B, N, A) per token, read from the clauses alone
    event_logits: Optional[torch.Tensor] = None  # (B, T) a key moment at this frame (models with events)
    clause_logits: Optional[torch.Tensor] = None  # (B, K, A) per clause: which action each clause names
    start_logits: Optional[torch.Tensor] = None  # (B, K) per clause: the next actor starts here (models with clause_starts)
    filler_logits: Optional[torch.Tensor] = None  # (B, K) per clause: it names no action (models with clause_fillers)


class Block(nn.Module):
    """Pre-norm transformer block. Plain ``nn.Linear`` layers called through ``forward`` (no fused
    fast path reading weights directly), so LoRA adapters on ``qkv``/``attn_out``/``ffn_in``/``ffn_out``
    always take effect.

    With ``condition_rank`` > 0 the block also reads a per-token conditioning code: a linear layer turns
    it into a shift, scale and gate for each sub-layer (``modulation``, initialised to zero, so the block
    starts as the identity and learns how much the text should steer it).
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float,
                 condition_rank: int = 0) -> None:
        super().__init__()
        self.nhead, self.dropout = nhead, dropout
        self.norm1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.attn_out = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.ffn_in = nn.Linear(d_model, dim_feedforward)
        self.ffn_out = nn.Linear(dim_feedforward, d_model)
        self.drop = nn.Dropout(dropout)
        self.modulation = nn.Linear(condition_rank, 6 * d_model) if condition_rank > 0 else None
        if self.modulation is not None:
            nn.init.zeros_(self.modulation.weight)
            nn.init.zeros_(self.modulation.bias)

    def forward(self, x: torch.Tensor, code: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.modulation is None or code is None:
            x = x + self._attend(self.norm1(x))
            return x + self._feed(self.norm2(x))
        shift1, scale1, gate1, shift2, scale2, gate2 = self.modulation(code).chunk(6, dim=-1)  # (B, N, C) each
        x = x + gate1 * self._attend(self.norm1(x) * (1 + scale1) + shift1)
        return x + gate2 * self._feed(self.norm2(x) * (1 + scale2) + shift2)

    def _attend(self, y: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = y.shape  # (B, N, C)
        q, k, v = self.qkv(y).view(batch, tokens, 3, self.nhead, -1).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0)
        return self.drop(self.attn_out(attended.transpose(1, 2).reshape(batch, tokens, width)))

    def _feed(self, y: torch.Tensor) -> torch.Tensor:
        return self.drop(self.ffn_out(self.drop(F.gelu(self.ffn_in(y)))))


class StickFigureTransformer(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="stick-gen",
    tags=["stick-gen", "text-to-motion", "animation"],
    repo_url="https://huggingface.co/GesturaAI",
    license="mit",
):
    """Text-conditioned generator of one actor's motion; see the module docstring."""

    def __init__(
        self,
        input_dim: int = POSE_DIM,
        d_model: int = 256,
        nhead: int = 8,
        num_layers: int = 6,
        output_dim: int = POSE_DIM,
        embedding_dim: int = 1024,
        num_actions: int = 64,
        dim_feedforward: Optional[int] = None,
        max_frames: int = DEFAULT_FRAMES,
        frames_per_token: int = 5,
        latent_dim: int = 16,
        max_actors: int = MAX_ACTORS,
        dropout: float = 0.1,
        text_encoder: Optional[str] = None,
        max_clauses: int = MAX_CLAUSES,
        objective: str = "flow",
        sample_steps: int = 4,
        guidance_scale: float = 2.0,
        sample_first_time: Optional[float] = 0.2,
        fps: int = DEFAULT_FPS,
        action_vocabulary: Optional[List[str]] = None,
        clock: Optional[bool] = None,
        overlap_decoder: bool = True,
        overlap_crossfade: float = 1.0,
        block_conditioning: bool = False,
        feature_layout: str = "hip",
        clause_actions: bool = False,
        events: bool = False,
        output_filter: str = "binomial",
        clause_starts: bool = False,
        clause_fillers: bool = False,
    ) -> None:
        super().__init__()
        # The keyword signature is what the Hub mixin records in config.json; the config checks it and
        # derives what was left to derive (the FFN width, the action names, the clock).
        self.config = ModelConfig(
            input_dim=input_dim, d_model=d_model, nhead=nhead, num_layers=num_layers, output_dim=output_dim,
            embedding_dim=embedding_dim, num_actions=num_actions, dim_feedforward=dim_feedforward,
            max_frames=max_frames, frames_per_token=frames_per_token, latent_dim=latent_dim,
            max_actors=max_actors, dropout=dropout, text_encoder=text_encoder, max_clauses=max_clauses,
            objective=objective, sample_steps=sample_steps, guidance_scale=guidance_scale,
            sample_first_time=sample_first_time, fps=fps,
            action_vocabulary=action_vocabulary, clock=clock, overlap_decoder=overlap_decoder,
            overlap_crossfade=overlap_crossfade, block_conditioning=block_conditioning,
            feature_layout=feature_layout, clause_actions=clause_actions, events=events,
            output_filter=output_filter, clause_starts=clause_starts, clause_fillers=clause_fillers,
        )
        dim_feedforward = self.config.dim_feedforward
        self.clock = self.config.clock
        """Whether the network reads the motion clock (:mod:`..model.clock`) and predicts cadence."""
        self.fps, self.action_vocabulary = fps, tuple(self.config.action_vocabulary)
        """The model's contract: frames per second of its clips and the names of its action ids, in order."""
        self.text_encoder = text_encoder
        """Identity of the text encoder the weights were trained with (None: not recorded)."""
        self.frames_per_token = frames_per_token
        self.num_tokens = max_frames // frames_per_token
        self.output_dim, self.num_actions, self.max_actors = output_dim, num_actions, max_actors
        self.max_clauses = max_clauses
        self.objective, self.sample_steps, self.guidance_scale = objective, sample_steps, guidance_scale
        self.sample_first_time = sample_first_time
        """Where the sampler's first step lands (:func:`..inference.sampler.flow_times`; None: the older grid)."""

        # sentence embeddings are unit vectors (about 0.03 per value): normalise before projecting
        self.text_proj = nn.Sequential(
            nn.LayerNorm(embedding_dim), nn.Linear(embedding_dim, d_model), nn.GELU(), nn.Linear(d_model, d_model)
        )
        self.latent_proj = nn.Sequential(
            nn.Linear(latent_dim * LATENT_FEATURES, d_model), nn.GELU(), nn.Linear(d_model, d_model)
        )
        self.slot_embedding = nn.Embedding(max_actors, d_model)
        self.count_embedding = nn.Embedding(max_actors, d_model)
        self.token_position = nn.Parameter(torch.randn(self.num_tokens, d_model) * 0.02)
        # known frames + their mask, 5 frames per token
        self.context_in = nn.Linear(frames_per_token * (input_dim + 1), d_model)
        # how much each frame reads of the prompt's clauses laid over the whole clip vs the actor's share
        self.clause_gate = nn.Linear(d_model, 2) if max_clauses > 0 else None
        if objective == "flow":
            # the motion being denoised (5 frames per token) and how noisy it is
            self.noisy_in = nn.Linear(frames_per_token * output_dim, d_model)
            self.time_proj = nn.Linear(2 * TIME_FEATURES, d_model)
            # Each token writes its 5 frames on its own, so a denoised clip steps at token borders (3x the
            # frame-to-frame change inside a token, measured); a learnt per-value filter across frames,
            # starting as a binomial (1 4 6 4 1) / 16, joins the tokens' frames smoothly. The overlap-add
            # decoder (overlap_add) removes the step itself; the filter stays, starting where output_filter says.
            self.motion_smooth = nn.Conv1d(output_dim, output_dim, SMOOTH_TAPS, groups=output_dim)
            with torch.no_grad():
                taps = torch.tensor(OUTPUT_FILTERS[self.config.output_filter])
                self.motion_smooth.weight.copy_((taps / taps.sum()).expand(output_dim, 1, SMOOTH_TAPS))
                self.motion_smooth.bias.zero_()
        if self.clock:
            self.clock_in = nn.Linear(frames_per_token * CLOCK_DIM, d_model)
            self.cadence_head = nn.Linear(d_model, frames_per_token)
        self.events = self.config.events
        """Whether the network reads the key moments (:func:`..model.clock.event_features`, after the clock's
        values in ``clock``) and predicts where they fall (``event_head``, per-frame logits)."""
        self.clock_dim = (CLOCK_DIM + EVENT_DIM * self.events) if self.clock else 0
        """Values per frame of the ``clock`` the network reads (0: none)."""
        if self.events:
            self.event_in = nn.Linear(frames_per_token * EVENT_DIM, d_model)
            self.event_head = nn.Linear(d_model, frames_per_token)
        self.feature_layout = feature_layout
        """How the network's motion features measure the joints (:func:`..model.pose.pose_to_features`)."""
        self.block_conditioning = block_conditioning
        """Whether every block reads the conditioning through its own shift, scale and gate (:class:`Block`)."""
        rank = CONDITION_RANK if block_conditioning else 0
        self.condition_code = nn.Sequential(nn.Linear(d_model, rank), nn.SiLU()) if block_conditioning else None
        self.clause_actions = clause_actions
        """Whether every token reads the action its clauses name, from a classifier of the clause vectors alone."""
        if clause_actions:
            self.clause_action_head = nn.Sequential(nn.LayerNorm(embedding_dim), nn.Linear(embedding_dim, num_actions))
            self.action_in = nn.Linear(num_actions, d_model)
        self.clause_starts = clause_starts
        """Whether each actor's clauses are found where the text starts the next actor (:func:`owned_clause_mask`,
        from a classifier of the clause vectors alone) rather than as equal shares (:func:`actor_clause_mask`)."""
        if clause_starts:
            self.clause_start_head = nn.Sequential(nn.LayerNorm(embedding_dim), nn.Linear(embedding_dim, 1))
        self.clause_fillers = clause_fillers
        """Whether clauses that name no action ("In this clip", "A guy" of "A guy and a lady jump") are left out
        of the layout (:func:`said_clause_mask`, from a classifier of the clause vectors alone)."""
        if clause_fillers:
            self.clause_filler_head = nn.Sequential(nn.LayerNorm(embedding_dim), nn.Linear(embedding_dim, 1))
        self.blocks = nn.ModuleList(Block(d_model, nhead, dim_feedforward, dropout, rank) for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(d_model)
        self.overlap_decoder = overlap_decoder
        """Whether tokens write overlapping, cross-faded frames (:func:`overlap_add`)."""
        if overlap_decoder:  # derived from the config, so not saved with the weights; moves with .to()
            self.register_buffer("overlap_weight", overlap_window(frames_per_token, overlap_crossfade),
                                 persistent=False)
        span = 2 * frames_per_token if overlap_decoder else frames_per_token
        self.motion_head = nn.Linear(d_model, span * output_dim)
        self.action_head = nn.Linear(d_model, frames_per_token * num_actions)
        self.count_head = nn.Linear(d_model, max_actors)
        # Motion-feature statistics of the training set; buffers, so they travel with the weights.
        self.register_buffer("feature_mean", torch.zeros(output_dim))
        self.register_buffer("feature_std", torch.ones(output_dim))

    def forward(
        self,
        text_embedding: torch.Tensor,
        latents: torch.Tensor,
        slot: Optional[torch.Tensor] = None,
        num_actors: Optional[torch.Tensor] = None,
        context: Optional[torch.Tensor] = None,
        context_mask: Optional[torch.Tensor] = None,
        clause_embeddings: Optional[torch.Tensor] = None,
        clause_mask: Optional[torch.Tensor] = None,
        noisy_motion: Optional[torch.Tensor] = None,
        time: Optional[torch.Tensor] = None,
        clock: Optional[torch.Tensor] = None,
    ) -> MotionOutput:
        """Predict normalised motion features and per-frame action logits.

        ``text_embedding`` (B, E); ``latents`` (B, L) in [0, 1]; ``slot`` and ``num_actors`` (B,)
        long (default: actor 0 of 1); ``context`` (B, T, input_dim) with ``context_mask`` (B, T)
        in the same normalised feature space as the output; ``clause_embeddings`` (B, K, E) with
        ``clause_mask`` (B, K) bool, K <= ``max_clauses`` (see
        :func:`..inference.clauses.encode_prompts`; a model with ``max_clauses`` > 0 was trained with
        them and should be given them). A ``flow`` model also reads ``noisy_motion`` (B, T, output_dim),
        the normalised motion at flow time ``time`` (B,) in [0, 1] (0: pure noise, 1: clean), and
        predicts the clean motion; without them it reads pure noise at ``t = 0`` (the count head, which
        reads the text only, needs neither). A model with ``clock`` reads ``clock`` (B, T, CLOCK_DIM)
        (:func:`..model.clock.clock_features`; None or rows of zeros: unknown) and returns ``cadence``; one
        with ``events`` reads ``clock`` (B, T, :attr:`clock_dim`), the clock's values then the key moments'
        (:func:`..model.clock.event_features`), and also returns ``event_logits``.
        """
        batch = text_embedding.shape[0]
        device = text_embedding.device
        if slot is None:
            slot = torch.zeros(batch, dtype=torch.long, device=device)
        if num_actors is None:
            num_actors = torch.ones(batch, dtype=torch.long, device=device)
        text = self.text_proj(text_embedding)  # (B, C)
        cond = text + self.latent_proj(latent_features(latents)) + self.slot_embedding(slot)
        cond = cond + self.count_embedding(num_actors.clamp(1, self.max_actors) - 1)
        if self.objective == "flow":
            if time is None:
                time = torch.zeros(batch, device=device)
            cond = cond + self.time_proj(time_features(time).to(text.dtype))
        h = self.token_position.unsqueeze(0) + cond.unsqueeze(1)  # (B, N, C)
        steered = self.condition_code is not None
        steer = cond.unsqueeze(1).expand(-1, self.num_tokens, -1) if steered else None  # what the blocks read, per token
        if self.objective == "flow" and noisy_motion is not None:
            h = h + self.noisy_in(noisy_motion.reshape(batch, self.num_tokens, -1).to(text.dtype))
        clause_action_logits = named = start_logits = filler_logits = None
        if clause_embeddings is not None and self.max_clauses > 0:
            if clause_mask is None:
                clause_mask = torch.ones(clause_embeddings.shape[:2], dtype=torch.bool, device=device)
            if clause_embeddings.shape[1] > self.max_clauses:
                raise ConfigError(f"{clause_embeddings.shape[1]} clauses given; this model reads at most "
                                  f"{self.max_clauses} (split prompts with max_clauses={self.max_clauses})")
            clauses = self.text_proj(clause_embeddings) * clause_mask.unsqueeze(-1).to(text.dtype)  # (B, K, C)
            gate = torch.softmax(self.clause_gate(cond).float(), dim=-1)  # (B, 2)
            if self.clause_fillers:  # trained on the clauses that name no action (compute_losses)
                filler_logits = self.clause_filler_head(clause_embeddings.to(text.dtype)).squeeze(-1)  # (B, K)
                clause_mask = said_clause_mask(clause_mask, torch.sigmoid(filler_logits.detach().float()))
            if self.clause_starts:  # trained on where each training sentence starts its next actor (compute_losses)
                start_logits = self.clause_start_head(clause_embeddings.to(text.dtype)).squeeze(-1)  # (B, K)
                own = owned_clause_mask(clause_mask, torch.sigmoid(start_logits.detach().float()), slot, num_actors)
            else:
                own = actor_clause_mask(clause_mask, slot, num_actors)
            weights = (gate[:, 0, None, None] * clause_weights(clause_mask, self.num_tokens)
                       + gate[:, 1, None, None] * clause_weights(own, self.num_tokens))  # (B, N, K)
            laid = torch.einsum("bnk,bkc->bnc", weights.to(clauses.dtype), clauses)
            h = h + laid
            if steered:
                steer = steer + laid
            if self.clause_actions:
                # which action each clause names, laid along the clip as the clauses are; the layout's weights
                # are detached so that only the action labels train this classifier (compute_losses)
                named = self.clause_action_head(clause_embeddings.to(text.dtype))  # (B, K, A)
                clause_action_logits = torch.einsum("bnk,bka->bna", weights.detach().to(named.dtype), named)
        if self.clause_actions:
            if clause_action_logits is None:  # no clauses: every action alike, as for a row without text
                clause_action_logits = torch.zeros(batch, self.num_tokens, self.num_actions, device=device,
                                                   dtype=text.dtype)
            told = self.action_in(torch.softmax(clause_action_logits.detach().float(), dim=-1).to(h.dtype))
            h = h + told
            if steered:
                steer = steer + told
        if context is None:
            h = h + self.context_in.bias
        else:
            mask = context_mask.to(context.dtype).unsqueeze(-1)  # (B, T, 1)
            known = torch.cat([context * mask, mask], dim=-1)  # (B, T, input_dim + 1)
            h = h + self.context_in(known.reshape(batch, self.num_tokens, -1))
        if self.clock:
            if clock is None:
                h = h + self.clock_in.bias + (self.event_in.bias if self.events else 0)
            else:
                cycle = clock[..., :CLOCK_DIM].reshape(batch, self.num_tokens, -1).to(h.dtype)
                h = h + self.clock_in(cycle)
                if self.events:
                    moments = clock[..., CLOCK_DIM:].reshape(batch, self.num_tokens, -1).to(h.dtype)
                    h = h + self.event_in(moments)
        code = self.condition_code(steer) if steered else None  # (B, N, rank)
        for block in self.blocks:
            h = block(h, code)
        h = self.final_norm(h)  # (B, N, C)
        if self.overlap_decoder:
            motion = overlap_add(self.motion_head(h).reshape(batch, self.num_tokens, -1, self.output_dim),
                                 self.overlap_weight)
        else:
            motion = self.motion_head(h).reshape(batch, -1, self.output_dim)  # (B, T, output_dim)
        if self.objective == "flow":
            edge = SMOOTH_TAPS // 2
            padded = F.pad(motion.transpose(1, 2), (edge, edge), mode="replicate")  # (B, output_dim, T + 4)
            motion = self.motion_smooth(padded).transpose(1, 2)
        actions = self.action_head(h).reshape(batch, -1, self.num_actions)  # (B, T, num_actions)
        cadence = self.cadence_head(h).reshape(batch, -1) if self.clock else None  # (B, T) Hz
        event_logits = self.event_head(h).reshape(batch, -1) if self.events else None  # (B, T)
        return MotionOutput(motion, actions, self.count_head(text), cadence, clause_action_logits, event_logits,
                            clause_logits=named, start_logits=start_logits, filler_logits=filler_logits)

    @torch.no_grad()
    def generate(
        self,
        text_embedding: torch.Tensor,
        latents: torch.Tensor,
        slot: Optional[torch.Tensor] = None,
        num_actors: Optional[torch.Tensor] = None,
        clause_embeddings: Optional[torch.Tensor] = None,
        clause_mask: Optional[torch.Tensor] = None,
        noise: Optional[torch.Tensor] = None,
        steps: Optional[int] = None,
        guidance: Optional[float] = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Motion features in physical units (B, T, output_dim) and action ids (B, T), text only.

        A ``flow`` model runs its sampler (:func:`..inference.sampler.sample_features`) from ``noise``.

        >>> model = StickFigureTransformer(d_model=64, nhead=4, num_layers=1)
        >>> feats, actions = model.generate(torch.zeros(1, 1024), torch.rand(1, 16))
        >>> tuple(feats.shape), tuple(actions.shape)
        ((1, 250, 20), (1, 250))
        """
        from ..inference.sampler import sample_features

        batch, device = text_embedding.shape[0], text_embedding.device
        if slot is None:
            slot = torch.zeros(batch, dtype=torch.long, device=device)
        if num_actors is None:
            num_actors = torch.ones(batch, dtype=torch.long, device=device)
        return sample_features(self, text_embedding, latents, slot, num_actors, clause_embeddings, clause_mask,
                               noise=noise, steps=steps, guidance=guidance)

    def normalize(self, features: torch.Tensor) -> torch.Tensor:
        """Physical motion features -> the network's normalised space."""
        return (features - self.feature_mean) / self.feature_std

    def denormalize(self, motion: torch.Tensor) -> torch.Tensor:
        """The network's normalised space -> physical motion features."""
        return motion * self.feature_std + self.feature_mean

    def _save_pretrained(self, save_directory: Path) -> None:
        """``save_pretrained`` writes model.safetensors, pytorch_model.bin and a full config.json."""
        from .checkpoint import save_weights

        save_weights(save_directory, self)

    @classmethod
    def _from_pretrained(
        cls,
        *,
        model_id: str,
        revision: Optional[str],
        cache_dir: Optional[Union[str, Path]],
        force_download: bool,
        local_files_only: bool,
        token: Optional[Union[str, bool]],
        map_location: str = "cpu",
        strict: bool = True,
        **model_kwargs: Any,
    ) -> "StickFigureTransformer":
        """Safetensors first, then pytorch_model.bin (``weights_only=True``); strict key matching.

        >>> model = StickFigureTransformer.from_pretrained("GesturaAI/stick-gen-medium", revision="v1.0.0")  # doctest: +SKIP
        """
        from .checkpoint import (WEIGHTS_BIN, WEIGHTS_SAFETENSORS, check_model_config, load_checkpoint,
                                 load_state_dict_strict)

        weights = _resolve_weights(model_id, (WEIGHTS_SAFETENSORS, WEIGHTS_BIN), revision=revision,
                                   cache_dir=cache_dir, force_download=force_download,
                                   local_files_only=local_files_only, token=token)
        config = {**LEGACY_MODEL_DEFAULTS, **model_kwargs}
        check_model_config(config, source=model_id)  # types, bounds and size before anything is allocated
        model = cls(**config)
        load_state_dict_strict(model, load_checkpoint(weights).state_dict, weights)
        model.to(map_location)
        model.eval()
        return model

    @classmethod
    def from_config(cls, config: ModelConfig) -> "StickFigureTransformer":
        """A fresh model with the settings ``config`` holds.

        >>> StickFigureTransformer.from_config(ModelConfig(d_model=64, nhead=4, num_layers=1)).config.d_model
        64
        """
        return cls(**config.to_dict())

    @classmethod
    def from_variant(cls, name: str, **overrides: Any) -> "StickFigureTransformer":
        """A fresh model of the published variant ``name`` (``small``, ``medium``, ``large``), by name.

        ``overrides`` change settings the variant table leaves open (``objective``, ``text_encoder``...).

        >>> StickFigureTransformer.from_variant("medium").config == StickFigureTransformer(
        ...     input_dim=20, d_model=384, nhead=12, num_layers=8, output_dim=20, embedding_dim=1024,
        ...     num_actions=64).config
        True
        """
        return cls.from_config(ModelConfig.from_variant(name, **overrides))

    def num_parameters(self) -> int:
        """Parameters only (buffers such as ``feature_mean`` are not counted)."""
        return sum(p.numel() for p in self.parameters())

    @property
    def pose_layout_version(self) -> int:
        return POSE_LAYOUT_VERSION


def _resolve_weights(model_id: str, names: Sequence[str], **download_kwargs: Any) -> Path:
    """The first of ``names`` found in a local directory or a Hub repo (downloaded to the cache)."""
    if os.path.isdir(model_id):
        for name in names:
            if os.path.isfile(os.path.join(model_id, name)):
                return Path(model_id) / name
        raise CheckpointError(f"{model_id}: holds none of {', '.join(names)}; is it a save_pretrained directory?")
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    for name in names:
        try:
            return Path(hf_hub_download(repo_id=model_id, filename=name, **download_kwargs))
        except EntryNotFoundError:
            continue
    raise CheckpointError(f"{model_id}: the repository holds none of {', '.join(names)}")
