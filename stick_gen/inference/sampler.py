"""The one generation path: text vectors + a seed -> every actor's world poses and action labels.

Both :class:`~.pipeline.StickGenPipeline` and ``stick-gen evaluate`` generate through this module, so
what the evaluator scores is what users get.

* :func:`sample_features` runs the model on a batch of actor rows. A ``regression`` model is one
  forward pass. A ``flow`` model starts from Gaussian noise at flow time ``t = 0`` and takes
  ``steps`` Euler steps of the flow to ``t = 1``: at each step the network predicts the clean motion
  ``x1``, which (for the straight paths of rectified flow) fixes the velocity ``(x1 - x_t) / (1 - t)``.
  Classifier-free guidance mixes the prediction with the text and without it:
  ``x1 = x1_uncond + w (x1_text - x1_uncond)`` (``w`` = ``guidance``; 1 = no guidance), both halves
  in one batched pass. A model with a motion clock (:mod:`..model.clock`) takes its first step
  without one, reads every frame's cadence from that step's ``cadence`` output, integrates it from a
  starting phase drawn from the noise (:func:`clock_for`), and reads that clock in every later step.
* :func:`sample_scenes` makes whole scenes: per scene, the latent draws (scene slots shared by its
  actors, as the data generator draws them), the start positions they imply, the noise (from the
  scene's seed, so a scene does not depend on the batch it is in), one row per actor, the
  integration of motion features to world poses, planted feet (:mod:`.feet`), and the action labels
  decoded as runs (:func:`decode_actions`).

>>> from stick_gen.inference.clauses import encode_prompts
>>> vectors = encode_prompts(encoder, ["Two people playing catch"], model.config["max_clauses"])
>>> poses, actions, starts = sample_scenes(model, vectors, counts=[2], seeds=[0])[0]
>>> poses.shape
(2, 250, 20)
"""

from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..model.clock import clock_features, draw_events, event_features, integrate_clock, start_phase_from_noise
from ..model.pose import features_to_pose
from . import feet
from .clauses import PromptVectors


def flow_times(steps: int, first: Optional[float] = None) -> torch.Tensor:
    """The ``steps + 1`` flow times the sampler visits, from 0 (noise) to 1 (clean), denser near 1.

    Detail (the last few centimetres of a hand) is decided late in the flow, so the grid crowds toward
    1: ``1 - (1 - u)^2`` for evenly spaced ``u``. ``first`` (a model's ``sample_first_time``) makes the
    first step a short one, to ``t = first``, and lays the rest the same way over ``[first, 1]``: the
    first prediction, from pure noise, is the text's average motion, and a short step toward it keeps
    more of the noise that later steps turn into the motion's own detail (measured: ``docs/design.md``).

    >>> [round(t, 3) for t in flow_times(4).tolist()]
    [0.0, 0.438, 0.75, 0.938, 1.0]
    >>> [round(t, 3) for t in flow_times(4, first=0.2).tolist()]
    [0.0, 0.2, 0.644, 0.911, 1.0]
    """
    if first is None or steps < 2:
        u = torch.linspace(0.0, 1.0, steps + 1)
        return 1 - (1 - u) ** 2
    if not 0.0 < first < 1.0:
        raise ValueError(f"first={first}: the first step's flow time lies between 0 and 1")
    u = torch.linspace(0.0, 1.0, steps)
    return torch.cat([torch.zeros(1), first + (1 - first) * (1 - (1 - u) ** 2)])


ACTION_RUN_SECONDS = 5.0
"""How long one action label lasts on average in the procedural data (runs of one label on the demo's
training split: mean 5.4 s, shortest 1.7 s): the prior of :func:`decode_actions`."""


def decode_actions(scores: torch.Tensor, fps: int, run_seconds: float = ACTION_RUN_SECONDS) -> torch.Tensor:
    """The most probable run of action labels ``(B, T)`` for per-frame ``scores`` ``(B, T, A)`` (Viterbi).

    ``scores`` are logits or log-probabilities (each frame is normalised here). Frame by frame, the
    action head's answer can flicker between two near-equal actions ("throw" for one frame inside a
    "catch"), which no clip of the data does; the decoder reads the labels as a chain that changes
    action on average every ``run_seconds`` (the data's own rate), so each change costs
    ``log((1 - p) (A - 1) / p)`` with ``p = 1 / (run_seconds * fps)``, about 9 nats at 25 fps over 64
    actions: a change that the scores favour by less over its whole run is not made.

    >>> scores = torch.zeros(1, 50, 3); scores[0, :, 0] = 2.0; scores[0, 20:30, 1] = 2.5; scores[0, 40:, 2] = 9.0
    >>> decode_actions(scores, 25)[0].unique_consecutive().tolist()  # a weak 10-frame run is absorbed
    [0, 2]
    >>> scores.argmax(-1)[0].unique_consecutive().tolist()
    [0, 1, 0, 2]
    """
    logp = torch.log_softmax(scores.detach().float(), dim=-1).cpu().numpy().transpose(1, 0, 2)  # (T, B, A)
    frames, batch, actions = logp.shape
    if frames < 2 or actions < 2:
        return torch.as_tensor(logp.argmax(-1).T.copy(), device=scores.device)
    p = min(1.0 / max(run_seconds * fps, 1e-6), (actions - 1) / actions)  # at most: every action alike, the argmax
    change = math.log(p / (actions - 1)) - math.log1p(-p)  # a change against staying, both paid every frame
    best = np.empty_like(logp)  # best[t, b, a]: the best chain of labels ending in action a at frame t
    best[0] = logp[0]
    for t in range(1, frames):  # stay in a, or change into it from the best chain of the frame before
        prev = best[t - 1]
        np.maximum(prev, prev.max(1, keepdims=True) + change, out=best[t])
        best[t] += logp[t]
    changed = best[:-1].max(-1, keepdims=True) + change > best[:-1]  # (T-1, B, A): chain a changed into at t + 1
    leader = best[:-1].argmax(-1)  # (T-1, B): the action such a change came from
    labels = np.empty((frames, batch), dtype=np.int64)
    labels[-1] = best[-1].argmax(-1)
    rows = np.arange(batch)
    for t in range(frames - 1, 0, -1):  # back from the last frame
        here = labels[t]
        labels[t - 1] = np.where(changed[t - 1, rows, here], leader[t - 1], here)
    return torch.as_tensor(labels.T.copy(), device=scores.device)


def clock_for(cadence: torch.Tensor, fps: int, noise: torch.Tensor,
              event_probability: Optional[torch.Tensor] = None) -> torch.Tensor:
    """The clock features ``(B, T, CLOCK_DIM)`` of a predicted cadence ``(B, T)`` (Hz), phase 0 drawn from ``noise``.

    With ``event_probability`` ``(B, T)`` (an ``events`` model's per-frame key-moment probabilities) the
    key moments are drawn too (:func:`..model.clock.draw_events`, offset drawn from ``noise``) and their
    features follow the clock's: ``(B, T, CLOCK_DIM + EVENT_DIM)``.

    >>> clock_for(torch.full((2, 250), 2.0), 25, torch.zeros(2, 250, 20)).shape
    torch.Size([2, 250, 6])
    >>> clock_for(torch.full((2, 250), 2.0), 25, torch.zeros(2, 250, 20), torch.full((2, 250), 0.01)).shape
    torch.Size([2, 250, 9])
    """
    cadence = cadence.float().clamp_min(0.0)
    clock = clock_features(cadence, integrate_clock(cadence, fps, start_phase_from_noise(noise)))
    if event_probability is None:
        return clock
    offset = 0.5 * (1 + torch.erf(noise[:, 0, 1].float() / 2 ** 0.5))  # uniform, fixed by the seed
    events = draw_events(event_probability, offset)
    return torch.cat([clock, event_features(events, fps).to(clock.device)], dim=-1)


def _event_probability(out, rows: Optional[int] = None) -> Optional[torch.Tensor]:
    """An ``events`` model's key-moment probabilities ``(B, T)`` from its output (first ``rows``), else None."""
    if getattr(out, "event_logits", None) is None:
        return None
    return torch.sigmoid(out.event_logits[:rows].float())


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
    clock: Optional[torch.Tensor] = None,
    runs: bool = False,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Motion features in physical units ``(B, T, D)`` and action ids ``(B, T)`` for a batch of actor rows.

    ``noise`` ``(B, T, D)`` is the flow's starting point (default: ``torch.randn``); ``steps`` and
    ``guidance`` default to the model's ``sample_steps`` and ``guidance_scale``. A regression model
    ignores all three. ``clock`` ``(B, T, CLOCK_DIM)`` (:func:`..model.clock.clock_features`) gives a
    clock model its clock from the first step instead of the one it predicts. The action ids are the head's
    answer frame by frame; ``runs=True`` decodes them as runs (:func:`decode_actions`), as scenes do.

    >>> feats, actions = sample_features(model, emb, z, slot, actors)   # doctest: +SKIP
    """
    if getattr(model, "objective", "regression") != "flow":
        out = model(text_embedding, latents, slot, num_actors, clause_embeddings=clause_embeddings,
                    clause_mask=clause_mask)
        return model.denormalize(out.motion), _labels(out.action_logits, model.fps, runs)
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
    times = flow_times(steps, getattr(model, "sample_first_time", None)).tolist()
    logits = None
    start = x
    if clock is not None:
        clock = clock.to(x.device, torch.float32)
    for t, t_next in zip(times[:-1], times[1:]):
        x_in = torch.cat([x, x]) if guided else x
        time = torch.full((x_in.shape[0],), t, device=x.device)
        clock_in = None if clock is None else (torch.cat([clock, clock]) if guided else clock)
        out = model(text_in, latents_in, slot_in, count_in, clause_embeddings=clauses_in, clause_mask=mask_in,
                    noisy_motion=x_in, time=time, clock=clock_in)
        if getattr(model, "clock", False) and clock is None:
            clock = clock_for(out.cadence[:batch], model.fps, start, _event_probability(out, batch))
        clean = out.motion.float()
        if guided:
            clean = clean[batch:] + guidance * (clean[:batch] - clean[batch:])
        logits = out.action_logits[:batch]
        x = x + (t_next - t) / (1.0 - t) * (clean - x)  # the last step (t_next = 1) lands on `clean`
    return model.denormalize(x), _labels(logits, model.fps, runs)


def _labels(logits: torch.Tensor, fps: int, runs: bool) -> torch.Tensor:
    """Action ids ``(B, T)`` from the head's logits: decoded as runs, or the argmax of each frame."""
    return decode_actions(logits, fps) if runs else logits.argmax(-1)


def _runs_of(probabilities: torch.Tensor, fps: int) -> torch.Tensor:
    """Action ids ``(B, T)`` decoded as runs from per-frame probabilities (weighted sums over windows)."""
    return decode_actions(probabilities.clamp_min(1e-12).log(), fps)


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
    plant_feet: bool = True,
    runs: bool = True,
) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One scene per prompt: ``[(poses (n, T, 20), actions (n, T), start_x (n,))]`` with ``n = counts[p]``.

    Scene ``p`` draws its latents (unless ``latents[p]`` gives them) and its noise from ``seeds[p]``.
    Rows of all scenes run in batches of ``batch_rows``. ``plant_feet`` (default) ends with
    :func:`.feet.plant_feet`: no gliding on two planted feet, no sliding planted foot. The action labels
    are decoded as runs (:func:`decode_actions`); ``runs=False`` gives the head's per-frame answer, for a
    caller that reads only the poses.

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
            guidance=guidance, runs=runs)
        world = features_to_pose(features.float(), fps=fps, start_x=start_all[part].to(device),
                                 layout=model.feature_layout).cpu()
        poses.append(feet.plant_feet(world, fps=fps) if plant_feet else world)
        actions.append(action_ids.cpu())
    pose_all, action_all = torch.cat(poses).numpy(), torch.cat(actions).numpy()
    scenes, row = [], 0
    for count, start in zip(counts, starts):
        scenes.append((pose_all[row:row + count], action_all[row:row + count], start))
        row += count
    return scenes


EASE_FRAMES = 12
"""Frames over which generated motion takes over from known frames (a start or end pose) without a jump."""


def ease_from_known(motion: torch.Tensor, known_mask: torch.Tensor, frames: int = EASE_FRAMES) -> torch.Tensor:
    """``motion`` ``(A, T, D)`` with each join between known and generated frames made smooth.

    Where known frames end, the generated frames are offset by how far the first of them lies from
    the known motion carried on at its last velocity, the offset fading out (half a cosine) over
    ``frames`` frames; where known frames begin, the same backwards. Known frames are not changed.

    >>> m = torch.zeros(1, 40, 1); m[:, 10:] = 5.0
    >>> eased = ease_from_known(m, torch.arange(40) < 10)
    >>> eased[0, 10, 0].item() < 1.0 and eased[0, 30, 0].item() == 5.0
    True
    """
    out = motion.clone()
    mask = known_mask.bool().tolist()
    total = len(mask)
    fade = 0.5 + 0.5 * torch.cos(torch.pi * torch.arange(1, frames + 1, device=motion.device) / frames)  # 1 -> 0
    for b in range(1, total):
        if mask[b - 1] and not mask[b]:  # known run ends at b - 1
            slope = motion[:, b - 1] - motion[:, b - 2] if b >= 2 and mask[b - 2] else 0.0
            delta = motion[:, b - 1] + slope - motion[:, b]
            span = [f for f in range(b, min(total, b + frames)) if not mask[f]]
            for k, f in enumerate(span):
                out[:, f] += delta * fade[k]
        if not mask[b - 1] and mask[b]:  # known run starts at b
            slope = motion[:, b + 1] - motion[:, b] if b + 1 < total and mask[b + 1] else 0.0
            delta = motion[:, b] - slope - motion[:, b - 1]
            span = [f for f in range(b - 1, max(-1, b - 1 - frames), -1) if not mask[f]]
            for k, f in enumerate(span):
                out[:, f] += delta * fade[k]
    return out


@torch.no_grad()
def sample_windows(
    model,
    vectors: PromptVectors,
    windows: Sequence,
    total: int,
    count: int,
    seed: int,
    latents: Optional[np.ndarray] = None,
    known: Optional[torch.Tensor] = None,
    known_mask: Optional[torch.Tensor] = None,
    steps: Optional[int] = None,
    guidance: Optional[float] = None,
    batch_rows: int = 256,
) -> Tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """Features ``(count, total, D)`` (physical units) and action ids ``(count, total)`` of a long scene.

    ``windows`` (:class:`..inference.timeline.Window`) lie over the ``total`` frames, window ``k``
    reading prompt ``vectors[windows[k].entry]``. A flow model samples all windows together: at
    each step every window predicts its frames' clean motion, the predictions are averaged with the
    windows' weights, and the shared state moves toward that average, so overlapping windows agree.
    ``known`` ``(count, total, D)`` (normalised features) with ``known_mask`` ``(total,)`` pins frames
    (a start or end pose): their prediction is replaced by the known motion, and a window whose first
    frames are known reads them as context. The latents (and the start positions they imply) and the
    noise come from ``seed`` unless ``latents`` is given. A regression model averages one pass per window.

    >>> feats, actions, starts = sample_windows(model, vectors, plan_windows([(0, 500)], 500, 250), 500, 1, 0)  # doctest: +SKIP
    """
    from ..data_gen.latents import sample_scene_latents, start_positions

    device = next(model.parameters()).device
    length, width = model.num_tokens * model.frames_per_token, model.output_dim
    z = latents if latents is not None else sample_scene_latents(count, np.random.default_rng(seed))
    starts = start_positions(z, count).astype(np.float32)
    x = scene_noise(seed, count, total, width).to(device)
    weight = torch.zeros(total, device=device)
    for w in windows:
        weight[w.start:w.start + length] += torch.as_tensor(w.weight, device=device)
    if bool((weight <= 0).any()):
        raise ValueError("the windows leave frames uncovered")
    rows = [(k, a) for k in range(len(windows)) for a in range(count)]
    entry = torch.tensor([windows[k].entry for k, _ in rows])
    sentence, clauses, clause_mask = vectors.rows(entry)
    latent_rows = torch.as_tensor(np.stack([z[a] for _, a in rows]), dtype=torch.float32)
    slot = torch.tensor([a for _, a in rows])
    actors = torch.full((len(rows),), count, dtype=torch.long)
    if known is not None:
        known, known_mask = known.to(device, torch.float32), known_mask.to(device).bool()

    def combine(predict) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Weighted average over windows of ``predict(rows slice, frames) -> (motion, logits, timing)``.

        ``timing`` ``(B, length, 2)``: the cadence and the key-moment probability of every frame (None: no clock).
        """
        motion = torch.zeros(count, total, width, device=device)
        logits = torch.zeros(count, total, model.num_actions, device=device)
        timing = torch.zeros(count, total, 2, device=device)
        for first in range(0, len(rows), batch_rows):
            part = slice(first, first + batch_rows)
            frames = torch.stack([torch.arange(windows[k].start, windows[k].start + length) for k, _ in rows[part]])
            out_motion, out_logits, out_timing = predict(part, frames.to(device))
            for i, (k, a) in enumerate(rows[part]):
                w = torch.as_tensor(windows[k].weight, device=device)[:, None]
                span = slice(windows[k].start, windows[k].start + length)
                motion[a, span] += w * out_motion[i].float()
                logits[a, span] += w * out_logits[i].float().softmax(-1)
                if out_timing is not None:
                    timing[a, span] += w * out_timing[i].float()
        return motion / weight[None, :, None], logits, timing / weight[None, :, None]

    def inputs(part: slice, frames: torch.Tensor):
        actor = torch.tensor([a for _, a in rows[part]], device=device)
        context = mask = None
        if known is not None:
            prefix = torch.cumprod(known_mask[frames].long(), dim=1).bool()  # a known run from the window's start
            if bool(prefix.any()):
                context, mask = known[actor[:, None], frames], prefix
        return actor, sentence[part].to(device), context, mask

    def pin(clean: torch.Tensor) -> torch.Tensor:
        if known is None:
            return clean
        return ease_from_known(torch.where(known_mask[None, :, None], known, clean), known_mask)

    if getattr(model, "objective", "regression") != "flow":
        def predict_once(part, frames):
            actor, text, context, mask = inputs(part, frames)
            out = model(text, latent_rows[part].to(device), slot[part].to(device), actors[part].to(device),
                        context=context, context_mask=mask,
                        clause_embeddings=None if clauses is None else clauses[part].to(device),
                        clause_mask=None if clause_mask is None else clause_mask[part].to(device))
            return out.motion, out.action_logits, None
        motion, logits, _ = combine(predict_once)
        return model.denormalize(pin(motion)), _runs_of(logits, model.fps), starts

    steps = int(model.sample_steps if steps is None else steps)
    guidance = float(model.guidance_scale if guidance is None else guidance)
    times = flow_times(steps, getattr(model, "sample_first_time", None)).tolist()
    logits = clock = None
    start_noise = x

    def timing_of(out, n: int) -> Optional[torch.Tensor]:
        """``(n, length, 2)``: each frame's predicted cadence and key-moment probability (0 without events)."""
        if out.cadence is None:
            return None
        moments = _event_probability(out, n)
        cadence = out.cadence[:n].float()
        return torch.stack([cadence, torch.zeros_like(cadence) if moments is None else moments], dim=-1)

    for t, t_next in zip(times[:-1], times[1:]):
        def predict_step(part, frames, t=t):
            actor, text, context, mask = inputs(part, frames)
            x_rows = x[actor[:, None], frames]  # (B, length, D)
            n = x_rows.shape[0]
            args = dict(noisy_motion=x_rows, time=torch.full((n,), t, device=device), context=context,
                        clock=None if clock is None else clock[actor[:, None], frames],
                        context_mask=mask, clause_embeddings=None if clauses is None else clauses[part].to(device),
                        clause_mask=None if clause_mask is None else clause_mask[part].to(device))
            lat, sl, ac = latent_rows[part].to(device), slot[part].to(device), actors[part].to(device)
            if guidance == 1.0:
                out = model(text, lat, sl, ac, **args)
                return out.motion, out.action_logits, timing_of(out, n)
            two = {k: (None if v is None else torch.cat([v, v])) for k, v in args.items()}
            if two["clause_mask"] is not None:
                two["clause_mask"] = torch.cat([args["clause_mask"], torch.zeros_like(args["clause_mask"])])
            out = model(torch.cat([text, torch.zeros_like(text)]), torch.cat([lat, lat]), torch.cat([sl, sl]),
                        torch.cat([ac, ac]), **two)
            clean = out.motion[n:] + guidance * (out.motion[:n] - out.motion[n:])
            return clean, out.action_logits[:n], timing_of(out, n)
        clean, logits, timing = combine(predict_step)
        if getattr(model, "clock", False) and clock is None:  # one clock over the whole scene, from the first step
            clock = clock_for(timing[..., 0], model.fps, start_noise,
                              timing[..., 1] if getattr(model, "events", False) else None)
        clean = pin(clean)
        x = x + (t_next - t) / (1.0 - t) * (clean - x)
    return model.denormalize(x), _runs_of(logits, model.fps), starts
