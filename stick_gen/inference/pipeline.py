"""StickGenPipeline: a prompt in, an :class:`~.animation.Animation` out, made by the model itself.

How a prompt becomes a scene:

1. The text encoder embeds the prompt (1024 values) and, for a model with clause input, each of its
   clauses (:func:`.clauses.encode_prompts`: "a man jogs to the left", "then sits down").
2. The model's count head reads how many people the prompt describes (1-3), unless
   ``num_actors`` is given.
3. One latent vector per actor is drawn from ``U(0, 1)`` with the seed, the scene-wide slots
   (when each action starts, when a ball is released, how far apart people stand) shared by all
   actors, exactly as the data generator draws them (:func:`..data_gen.latents.sample_scene_latents`).
4. Every actor is one row of a single batched forward pass: same text, its own slot (0 = first
   person the prompt mentions), the actor count, its latents. The model has learned the parts of
   each interaction per slot (slot 0 of "Two people playing catch" throws first, slot 1 catches),
   and shared timing latents keep them in step.
5. Motion features become world poses (:func:`..model.pose.features_to_pose`), each actor starting
   at the position the latents give (:func:`..data_gen.latents.start_positions`), and the action
   head labels every frame.
6. Feet that touch the ground are held there (:func:`.feet.plant_feet`), and a body standing on two
   planted feet does not glide; ``plant_feet=False`` returns the network's raw motion.

Clips are 10 s (the model's length); a shorter ``duration_s`` keeps the first part.

>>> pipe = StickGenPipeline.from_pretrained("GesturaAI/stick-gen-small")     # doctest: +SKIP
>>> anim = pipe("A person walks forward and waves", seed=0)                    # doctest: +SKIP
>>> anim.save("walk_wave.gif")                                                 # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence, Union

import numpy as np
import torch

from ..model.errors import GenerationError
from ..model.transformer import StickFigureTransformer
from . import feet
from .animation import Animation
from .clauses import encode_prompts
from .sampler import sample_scenes, sample_windows
from .timeline import (MAX_DURATION_S, TimelineEntry, TimelineLike, default_duration, entry_frames, parse_timeline,
                       plan_windows)


class StickGenPipeline:
    """Text encoder + StickFigureTransformer + scene planning; see the module docstring."""

    def __init__(self, model: StickFigureTransformer, encoder=None, *, model_id: Optional[str] = None,
                 revision: Optional[str] = None, fps: Optional[int] = None) -> None:
        from .text_encoder import DEFAULT_ENCODER, check_encoder_identity, load_text_encoder

        self.model = model.eval()
        wanted = model.text_encoder or DEFAULT_ENCODER
        self.encoder = encoder if encoder is not None else load_text_encoder(wanted)
        check_encoder_identity(wanted, self.encoder.identity, where=model_id or "the model")
        self.model_id, self.revision = model_id, revision
        self.fps = int(fps or model.fps)  # the model's contract: the frame rate it was trained at
        self.commit: Optional[str] = None
        """The Hub commit the weights came from (None for local files)."""

    @classmethod
    def from_pretrained(cls, path_or_repo_id: Union[str, os.PathLike], revision: Optional[str] = None,
                        *, token: Optional[str] = None, device: str = "cpu",
                        base_model: Optional[str] = None) -> "StickGenPipeline":
        """Load from a ``save_pretrained`` directory, a training checkpoint file, LoRA adapters, or a Hub repo id.

        A folder or repository of LoRA adapters (peft's ``adapter_config.json`` + ``adapter_model.safetensors``)
        loads its base model (the one ``base_model_name_or_path`` names, or ``base_model``) and merges the
        adapters in (see :mod:`.loading`).

        >>> pipe = StickGenPipeline.from_pretrained("checkpoints/best_model.pt")   # doctest: +SKIP
        >>> pipe = StickGenPipeline.from_pretrained("GesturaAI/stick-gen-small-lora")   # doctest: +SKIP
        """
        from .loading import load_pretrained_model

        source = str(path_or_repo_id)
        model, resolved = load_pretrained_model(source, revision, token=token, base_model=base_model)
        pipe = cls(model, model_id=source, revision=revision or resolved)
        pipe.commit = resolved
        return pipe.to(device)

    def to(self, device: Union[str, torch.device]) -> "StickGenPipeline":
        self.model.to(device)
        return self

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def clip_frames(self) -> int:
        """Frames of one model clip (250: 10 s at 25 fps); longer animations are made of several."""
        return int(self.model.config["max_frames"])

    @torch.inference_mode()
    def __call__(self, prompt: Union[str, Sequence[str]], seed: int = 0, num_actors: Optional[int] = None,
                 duration_s: float = 10.0, steps: Optional[int] = None, guidance: Optional[float] = None,
                 start: Optional[Animation] = None, end: Optional[Animation] = None,
                 frames: Optional[int] = None, plant_feet: bool = True) -> Union[Animation, List[Animation]]:
        """Generate one animation per prompt (a list for a list of prompts), all actors batched.

        ``duration_s`` may exceed the model's clip (up to 2 minutes): the animation is then made of
        overlapping clips sampled together (:mod:`.timeline`). ``start`` continues from the last pose
        of an animation and ``end`` finishes on the first pose of another (in-betweening; ``frames``
        sets the length, the joined poses included). ``steps`` and ``guidance`` override a flow
        model's sampler settings (its config's ``sample_steps`` and ``guidance_scale``).
        ``plant_feet=False`` skips the last step, which holds feet still while they touch the ground
        (:mod:`.feet`); the raw network output then slides its feet.

        >>> walk = pipe("a man walks to the right", duration_s=30)               # doctest: +SKIP
        >>> between = pipe("he sits down", start=walk, end=sitting, frames=100)  # doctest: +SKIP
        """

        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        if not prompts:
            raise GenerationError("no prompt given")
        for i, text in enumerate(prompts):
            if not isinstance(text, str) or not text.strip():
                raise GenerationError(f"prompt {i + 1} is empty; describe a motion, e.g. 'a person waves'")
        max_actors = self.model.config["max_actors"]
        if num_actors is not None and not 1 <= num_actors <= max_actors:
            raise GenerationError(f"num_actors={num_actors}: this model places 1 to {max_actors} actors")
        if frames is not None:
            if isinstance(frames, bool) or not isinstance(frames, int) or frames < 2:
                raise GenerationError(f"frames={frames!r}: give a whole number of frames, at least 2")
            duration_s = frames / self.fps
        if not 0 < duration_s <= MAX_DURATION_S:
            raise GenerationError(f"duration_s={duration_s} is outside (0, {MAX_DURATION_S:g}] seconds")
        if start is not None or end is not None or duration_s * self.fps > self.clip_frames + 1e-6:
            made = [self._long([TimelineEntry(0.0, p.strip())], duration_s, seed, num_actors, steps, guidance,
                               start, end, plant_feet) for p in prompts]
            return made[0] if isinstance(prompt, str) else made

        device = self.device
        vectors = encode_prompts(self.encoder, [p.strip() for p in prompts], self.model.config.get("max_clauses", 0))
        embeddings = vectors.sentence.to(device)  # (P, E)
        if num_actors is None:
            counts = self._counts(embeddings)
        else:
            counts = [num_actors] * len(prompts)

        scenes = sample_scenes(self.model, vectors, counts, [seed] * len(prompts), fps=self.fps,
                               steps=steps, guidance=guidance, plant_feet=plant_feet)
        keep = int(round(duration_s * self.fps))
        results = []
        for p, (poses, actions, starts) in enumerate(scenes):
            results.append(Animation(
                frames=np.transpose(poses[:, :keep], (1, 0, 2)),  # (T, A, 20)
                actions=np.transpose(actions[:, :keep], (1, 0)),
                action_vocabulary=self.model.action_vocabulary,
                fps=self.fps,
                prompt=prompts[p].strip(),
                start_positions=starts,
                model_id=self.model_id,
                revision=self.revision,
                seed=seed,
            ))
        return results[0] if isinstance(prompt, str) else results

    @torch.inference_mode()
    def timeline(self, timeline: TimelineLike, duration_s: Optional[float] = None, seed: int = 0,
                 num_actors: Optional[int] = None, steps: Optional[int] = None,
                 guidance: Optional[float] = None, plant_feet: bool = True) -> Animation:
        """One animation whose prompt changes at given seconds.

        ``timeline`` is ``"0: a man walks to the right; 6: he sits down; 12: he waves"`` or a list of
        ``(start_s, prompt)``; ``duration_s`` defaults to :func:`.timeline.default_duration`. The
        number of actors is ``num_actors`` or what the first prompt describes; every entry moves the
        same actors. The animation records its timeline (``Animation.timeline``, the ``.motion`` file).

        >>> anim = pipe.timeline("0: a man walks to the right; 6: he sits down; 12: he waves")  # doctest: +SKIP
        """
        entries = parse_timeline(timeline)
        if duration_s is None:
            duration_s = default_duration(entries, self.clip_frames / self.fps)
        if not 0 < duration_s <= MAX_DURATION_S:
            raise GenerationError(f"duration_s={duration_s} is outside (0, {MAX_DURATION_S:g}] seconds")
        max_actors = self.model.config["max_actors"]
        if num_actors is not None and not 1 <= num_actors <= max_actors:
            raise GenerationError(f"num_actors={num_actors}: this model places 1 to {max_actors} actors")
        return self._long(entries, duration_s, seed, num_actors, steps, guidance, None, None, plant_feet)

    def _counts(self, sentences: torch.Tensor) -> List[int]:
        """How many people each prompt describes ``(P, E) -> [P]``, read by the model's count head."""
        probe = self.model(sentences.to(self.device),
                           torch.full((len(sentences), self.model.config["latent_dim"]), 0.5, device=self.device))
        return (probe.count_logits.argmax(-1) + 1).tolist()

    def _long(self, entries: List[TimelineEntry], duration_s: float, seed: int, num_actors: Optional[int],
              steps: Optional[int], guidance: Optional[float], start: Optional[Animation],
              end: Optional[Animation], plant_feet: bool = True) -> Animation:
        """A timeline of any length, optionally joined to the last pose of ``start`` and the first of ``end``."""
        from ..model.pose import HIP_X, X_SLOTS, features_to_pose, pose_to_features

        model, fps, window = self.model, self.fps, self.clip_frames
        vectors = encode_prompts(self.encoder, [e.prompt for e in entries], model.config.get("max_clauses", 0))
        count = _joined_actors(start, end, num_actors) or self._counts(vectors.sentence[:1])[0]
        if count > model.config["max_actors"]:
            raise GenerationError(f"{count} actors: this model places 1 to {model.config['max_actors']} actors")
        for name, anim in (("start", start), ("end", end)):
            if anim is not None and anim.fps != fps:
                raise GenerationError(f"the {name} animation runs at {anim.fps} fps; this model makes {fps} fps")
        out_frames = max(2, int(round(duration_s * fps)))
        head = min(START_CONTEXT, start.num_frames) if start is not None else 1  # known frames before output frame 1
        tail = min(END_CONTEXT, end.num_frames) if end is not None else 0
        lead = head - 1  # internal frames before output frame 0
        used = lead + out_frames + max(0, tail - 1)
        total = max(used, window)
        known = torch.zeros(count, total, model.output_dim)
        mask = torch.zeros(total, dtype=torch.bool)
        if start is not None:
            feats = pose_to_features(torch.as_tensor(start.frames[-head:]).transpose(0, 1), fps=fps,
                                     layout=model.feature_layout)  # (A, head, D)
            known[:, :head], mask[:head] = model.normalize(feats), True
        if end is not None:
            at = lead + out_frames - 1
            feats = pose_to_features(torch.as_tensor(end.frames[:tail]).transpose(0, 1), fps=fps,
                                     layout=model.feature_layout)
            known[:, at:at + tail], mask[at:at + tail] = model.normalize(feats), True
        spans = entry_frames(entries, out_frames, fps)
        spans = [(a + lead, b + lead) for a, b in spans]
        spans[0] = (0, spans[0][1])
        spans[-1] = (spans[-1][0], total)
        windows = plan_windows(spans, total, window, fps)
        features, actions, starts = sample_windows(model, vectors, windows, total, count, seed,
                                                   known=known if mask.any() else None,
                                                   known_mask=mask if mask.any() else None,
                                                   steps=steps, guidance=guidance)
        start_x = torch.as_tensor(starts)
        if start is not None:
            start_x = torch.as_tensor(start.frames[-head, :, HIP_X])
        poses = features_to_pose(features.float().cpu(), fps=fps, start_x=start_x,
                                 layout=model.feature_layout)  # (A, total, 20)
        if plant_feet:  # the joined poses stay exactly as given
            poses = feet.plant_feet(poses, fps=fps, known=mask)
        if end is not None:  # spread what the integrated hip misses of the end pose over the in-between frames
            at = lead + out_frames - 1
            miss = torch.as_tensor(end.frames[0, :, HIP_X]) - poses[:, at, HIP_X]  # (A,)
            ramp = torch.clamp((torch.arange(total) - lead) / max(1, at - lead), 0.0, 1.0)
            poses[..., list(X_SLOTS)] += (miss[:, None] * ramp[None, :])[..., None]
        poses = poses[:, lead:lead + out_frames].numpy()
        ids = actions[:, lead:lead + out_frames].cpu().numpy()
        return Animation(
            frames=np.transpose(poses, (1, 0, 2)),
            actions=np.transpose(ids, (1, 0)),
            action_vocabulary=model.action_vocabulary,
            fps=fps,
            prompt=entries[0].prompt if len(entries) == 1 else "; ".join(f"{e.start_s:g}: {e.prompt}" for e in entries),
            start_positions=poses[:, 0, HIP_X],
            model_id=self.model_id,
            revision=self.revision,
            seed=seed,
            timeline=tuple((e.start_s, e.prompt) for e in entries) if len(entries) > 1 else None,
        )


START_CONTEXT = 25
"""Frames of a ``start`` animation's end that the continuation reads (1 s: its pose and its speed)."""
END_CONTEXT = 5
"""Frames of an ``end`` animation's beginning that are pinned (its first pose and how it moves on)."""


def _joined_actors(start: Optional[Animation], end: Optional[Animation], num_actors: Optional[int]) -> Optional[int]:
    """The actor count fixed by the animations joined to (None: not fixed); they and ``num_actors`` must agree."""
    counts = {name: anim.num_actors for name, anim in (("start", start), ("end", end)) if anim is not None}
    if num_actors is not None and counts:
        counts["num_actors"] = num_actors
    if len(set(counts.values())) > 1:
        said = ", ".join(f"{name} has {n}" for name, n in counts.items())
        raise GenerationError(f"the joined animations disagree on the number of actors ({said}); join animations "
                              f"of the same actors")
    return next(iter(counts.values()), num_actors)
