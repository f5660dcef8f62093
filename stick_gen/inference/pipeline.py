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

Clips are 10 s (the model's length); a shorter ``duration_s`` keeps the first part.

>>> pipe = StickGenPipeline.from_pretrained("GesturaAI/stick-gen-small")     # doctest: +SKIP
>>> anim = pipe("A person walks forward and waves", seed=0)                    # doctest: +SKIP
>>> anim.save("walk_wave.gif")                                                 # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
import torch

from ..model.checkpoint import CONFIG_JSON, load_model, read_config_json
from ..model.errors import GenerationError
from ..model.transformer import StickFigureTransformer
from .animation import Animation
from .clauses import encode_prompts
from .sampler import sample_scenes


def _check_config(folder: Path) -> None:
    """Check a model folder's config.json (types, keys, sizes) before anything is built from it."""
    if (folder / CONFIG_JSON).is_file():
        read_config_json(folder / CONFIG_JSON)


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
                        *, token: Optional[str] = None, device: str = "cpu") -> "StickGenPipeline":
        """Load from a ``save_pretrained`` directory, a training checkpoint file, or a Hub repo id.

        >>> pipe = StickGenPipeline.from_pretrained("checkpoints/best_model.pt")   # doctest: +SKIP
        """
        source = str(path_or_repo_id)
        if os.path.isfile(source):
            model, _ = load_model(source)
            resolved = None
        elif os.path.isdir(source):
            _check_config(Path(source))
            model = StickFigureTransformer.from_pretrained(source)
            resolved = None
        else:
            if os.path.sep in source and not source.count("/") == 1:
                raise GenerationError(f"{source}: no such file or directory, and not a Hub repo id (owner/name)")
            from .hub_download import download_model_files

            local = download_model_files(source, revision=revision, token=token)  # one-line errors
            _check_config(local)
            model = StickFigureTransformer.from_pretrained(local)
            resolved = local.name  # the snapshot folder is named by its commit
        pipe = cls(model, model_id=source, revision=revision or resolved)
        pipe.commit = resolved
        return pipe.to(device)

    def to(self, device: Union[str, torch.device]) -> "StickGenPipeline":
        self.model.to(device)
        return self

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @torch.inference_mode()
    def __call__(self, prompt: Union[str, Sequence[str]], seed: int = 0, num_actors: Optional[int] = None,
                 duration_s: float = 10.0, steps: Optional[int] = None,
                 guidance: Optional[float] = None) -> Union[Animation, List[Animation]]:
        """Generate one animation per prompt (a list for a list of prompts), all actors batched.

        ``steps`` and ``guidance`` override a flow model's sampler settings (its config's
        ``sample_steps`` and ``guidance_scale``); a regression model ignores them.
        """

        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        if not prompts:
            raise GenerationError("no prompt given")
        for i, text in enumerate(prompts):
            if not isinstance(text, str) or not text.strip():
                raise GenerationError(f"prompt {i + 1} is empty; describe a motion, e.g. 'a person waves'")
        max_s = self.model.config["max_frames"] / self.fps
        if not 0 < duration_s <= max_s:
            raise GenerationError(f"duration_s={duration_s} is outside (0, {max_s:g}] seconds, the model's clip length")
        max_actors = self.model.config["max_actors"]
        if num_actors is not None and not 1 <= num_actors <= max_actors:
            raise GenerationError(f"num_actors={num_actors}: this model places 1 to {max_actors} actors")

        device = self.device
        vectors = encode_prompts(self.encoder, [p.strip() for p in prompts], self.model.config.get("max_clauses", 0))
        embeddings = vectors.sentence.to(device)  # (P, E)
        if num_actors is None:
            probe = self.model(embeddings, torch.full((len(prompts), self.model.config["latent_dim"]), 0.5,
                                                      device=device))
            counts = (probe.count_logits.argmax(-1) + 1).tolist()
        else:
            counts = [num_actors] * len(prompts)

        scenes = sample_scenes(self.model, vectors, counts, [seed] * len(prompts), fps=self.fps,
                               steps=steps, guidance=guidance)
        frames = int(round(duration_s * self.fps))
        results = []
        for p, (poses, actions, starts) in enumerate(scenes):
            results.append(Animation(
                frames=np.transpose(poses[:, :frames], (1, 0, 2)),  # (T, A, 20)
                actions=np.transpose(actions[:, :frames], (1, 0)),
                action_vocabulary=self.model.action_vocabulary,
                fps=self.fps,
                prompt=prompts[p].strip(),
                start_positions=starts,
                model_id=self.model_id,
                revision=self.revision,
                seed=seed,
            ))
        return results[0] if isinstance(prompt, str) else results
