"""The one generation path: text vectors + a seed -> every actor's world poses and action labels.

Both :class:`~.pipeline.StickGenPipeline` and ``stick-gen evaluate`` generate through this module, so
what the evaluator scores is what users get.

* :func:`sample_features` runs the model on a batch of actor rows. A ``regression`` model is one
  forward pass. A ``flow`` model starts from Gaussian noise at flow time ``t = 0`` and takes
  ``steps`` Euler steps of the flow to ``t = 1``: at each step the network predicts the clean motion
  ``x1``, which (for the straight paths of rectified flow) fixes the velocity ``(x1 - x_t) / (1 - t)``.
  Classifier-free guidance mixes the prediction with the text and without it:
  ``x1 = x1_uncond + w (x1_text - x1_uncond)`` (``w`` = ``guidance``; 1 = no guidance), both halves
  in one batched pass.
* :func:`sample_scenes` makes whole scenes: per scene, the latent draws (scene slots shared by its
  actors, as the data generator draws them), the start positions they imply, the noise (from the
  scene's seed, so a scene does not depend on the batch it is in), one row per actor, and the
  integration of motion features to world poses.

>>> vectors = encode_prompts(encoder, ["Two people playing catch"], model.config["max_clauses"])  # doctest: +SKIP
>>> poses, actions, starts = sample_scenes(model, vectors, counts=[2], seeds=[0])[0]   # doctest: +SKIP
>>> poses.shape                                                                       # doctest: +SKIP
(2, 250, 20)
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..model.pose import features_to_pose
from .clauses import PromptVectors


def flow_times(steps: int) -> torch.Tensor:
    """The ``steps + 1`` flow times the sampler visits, from 0 (noise) to 1 (clean), denser near 1.

    Detail (the last few centimetres of a hand) is decided late in the flow, so the grid is
    ``1 - (1 - u)^2`` for evenly spaced ``u``.

    >>> [round(t, 3) for t in flow_times(4).tolist()]
    [0.0, 0.438, 0.75, 0.938, 1.0]
    """
    u = torch.linspace(0.0, 1.0, steps + 1)
    return 1 - (1 - u) ** 2


@torch.no_grad()
def sample_features(
    model,
    text_embedding: torch.Tensor,
    latents: torch.Tensor,
    slot: torch.Tensor,
    num_actors: torch.Tensor,
    clause_embeddings: Optional[torch.Tensor] = None,
    clause_mask: Optional[torch.Tensor] = None,
    noise: Optional[torch.Tensor] = None,
    steps: Optional[int] = None,
    guidance: Optional[float] = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Motion features in physical units ``(B, T, D)`` and action ids ``(B, T)`` for a batch of actor rows.

    ``noise`` ``(B, T, D)`` is the flow's starting point (default: ``torch.randn``); ``steps`` and
    ``guidance`` default to the model's ``sample_steps`` and ``guidance_scale``. A regression model
    ignores all three.

    >>> feats, actions = sample_features(model, emb, z, slot, actors)   # doctest: +SKIP
    """
    if getattr(model, "objective", "regression") != "flow":
        out = model(text_embedding, latents, slot, num_actors, clause_embeddings=clause_embeddings,
                    clause_mask=clause_mask)
        return model.denormalize(out.motion), out.action_logits.argmax(-1)
    steps = int(model.sample_steps if steps is None else steps)
    guidance = float(model.guidance_scale if guidance is None else guidance)
    batch, frames, width = text_embedding.shape[0], model.num_tokens * model.frames_per_token, model.output_dim
    x = noise if noise is not None else torch.randn(batch, frames, width, device=text_embedding.device)
    x = x.to(text_embedding.device, torch.float32)
    guided = guidance != 1.0
    if guided:  # one batch: the rows with their text, then the same rows without it
        text_in = torch.cat([text_embedding, torch.zeros_like(text_embedding)])
        latents_in, slot_in, count_in = (torch.cat([v, v]) for v in (latents, slot, num_actors))
        clauses_in = None if clause_embeddings is None else torch.cat([clause_embeddings, clause_embeddings])
        mask_in = None if clause_mask is None else torch.cat([clause_mask, torch.zeros_like(clause_mask)])
    else:
        text_in, latents_in, slot_in, count_in = text_embedding, latents, slot, num_actors
        clauses_in, mask_in = clause_embeddings, clause_mask
    times = flow_times(steps).tolist()
    logits = None
    for t, t_next in zip(times[:-1], times[1:]):
        x_in = torch.cat([x, x]) if guided else x
        time = torch.full((x_in.shape[0],), t, device=x.device)
        out = model(text_in, latents_in, slot_in, count_in, clause_embeddings=clauses_in, clause_mask=mask_in,
                    noisy_motion=x_in, time=time)
        clean = out.motion.float()
        if guided:
            clean = clean[batch:] + guidance * (clean[:batch] - clean[batch:])
        logits = out.action_logits[:batch]
        x = x + (t_next - t) / (1.0 - t) * (clean - x)  # the last step (t_next = 1) lands on `clean`
    return model.denormalize(x), logits.argmax(-1)


def scene_noise(seed: int, num_actors: int, frames: int, width: int) -> torch.Tensor:
    """The flow's starting noise for one scene ``(num_actors, frames, width)``, a pure function of ``seed``."""
    generator = torch.Generator().manual_seed(int(seed) % (2**63))
    return torch.randn(num_actors, frames, width, generator=generator)


@torch.no_grad()
def sample_scenes(
    model,
    vectors: PromptVectors,
    counts: Sequence[int],
    seeds: Sequence[int],
    fps: int = 25,
    latents: Optional[Sequence[np.ndarray]] = None,
    steps: Optional[int] = None,
    guidance: Optional[float] = None,
    batch_rows: int = 256,
) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One scene per prompt: ``[(poses (n, T, 20), actions (n, T), start_x (n,))]`` with ``n = counts[p]``.

    Scene ``p`` draws its latents (unless ``latents[p]`` gives them) and its noise from ``seeds[p]``.
    Rows of all scenes run in batches of ``batch_rows``.

    >>> scenes = sample_scenes(model, PromptVectors(emb, None, None), counts=[1, 2], seeds=[0, 0])   # doctest: +SKIP
    """
    from ..data_gen.latents import sample_scene_latents, start_positions

    if not (len(counts) == len(seeds) == len(vectors.sentence)):
        raise ValueError("one count and one seed per prompt vector")
    device = next(model.parameters()).device
    frames, width = model.num_tokens * model.frames_per_token, model.output_dim
    rows_prompt, rows_latent, rows_slot, rows_count, rows_noise, starts = [], [], [], [], [], []
    for p, (count, seed) in enumerate(zip(counts, seeds)):
        z = latents[p] if latents is not None else sample_scene_latents(count, np.random.default_rng(seed))
        starts.append(start_positions(z, count).astype(np.float32))
        rows_noise.append(scene_noise(seed, count, frames, width))
        for actor in range(count):
            rows_prompt.append(p)
            rows_latent.append(z[actor])
            rows_slot.append(actor)
            rows_count.append(count)
    prompt_index = torch.tensor(rows_prompt)
    latent_all = torch.as_tensor(np.stack(rows_latent), dtype=torch.float32)
    slot_all, count_all = torch.tensor(rows_slot), torch.tensor(rows_count)
    noise_all, start_all = torch.cat(rows_noise), torch.as_tensor(np.concatenate(starts))
    poses, actions = [], []
    for first in range(0, len(rows_prompt), batch_rows):
        part = slice(first, first + batch_rows)
        index = prompt_index[part]
        clauses = None if vectors.clauses is None else vectors.clauses[index].to(device)
        mask = None if vectors.clause_mask is None else vectors.clause_mask[index].to(device)
        features, action_ids = sample_features(
            model, vectors.sentence[index].to(device), latent_all[part].to(device), slot_all[part].to(device),
            count_all[part].to(device), clauses, mask, noise=noise_all[part].to(device), steps=steps,
            guidance=guidance)
        poses.append(features_to_pose(features.float(), fps=fps, start_x=start_all[part].to(device)).cpu())
        actions.append(action_ids.cpu())
    pose_all, action_all = torch.cat(poses).numpy(), torch.cat(actions).numpy()
    scenes, row = [], 0
    for count, start in zip(counts, starts):
        scenes.append((pose_all[row:row + count], action_all[row:row + count], start))
        row += count
    return scenes
