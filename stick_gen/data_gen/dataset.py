"""The dataset on disk: write it (:func:`write_dataset`) and read it (:class:`MotionDataset`).

Layout (see ``docs/data.md``)::

    DIR/meta.json                       format version, seed, fps, frames, latent size, actions, counts
    DIR/{split}/shard_00000.safetensors per-actor rows of up to SHARD_SCENES scenes
    DIR/{split}/metadata.jsonl          one JSON line per scene: text, plan, interaction, row indices
                                        (and ``paraphrases``, more sentences for the same scene, if asked)

Scene ``i`` of a split is drawn from ``np.random.default_rng([seed, split_index, i])``, so the same
seed writes byte-identical files, and the splits are the same for training and evaluation.

>>> root = write_dataset("stick-gen-doc", 20, seed=0, progress=False)
>>> MotionDataset(root, "train")[0]["poses"].shape
torch.Size([250, 20])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from ..model.atomic import atomic_output
from ..model.errors import ConfigError, DataError
from ..model.pose import POSE_DIM, POSE_LAYOUT_VERSION
from .actions import ACTIONS
from .latents import LATENT_DIM, SCENE, SLOTS
from .plans import SPLITS
from .scenes import PHYSICS_QUANTITIES, Scene, generate_scene

FORMAT_VERSION = 1
SHARD_SCENES = 2000
ROW_KEYS: Tuple[str, ...] = ("poses", "actions", "latents", "physics", "slot", "num_actors", "scene", "start_x")

PathLike = Union[str, os.PathLike]


def split_counts(num_samples: int, splits: Sequence[float]) -> Dict[str, int]:
    """Scenes per split: rounded shares of ``num_samples``, the test split taking the remainder.

    >>> split_counts(10, (0.8, 0.1, 0.1))
    {'train': 8, 'val': 1, 'test': 1}
    """
    if len(splits) != 3 or any(s < 0 for s in splits) or abs(sum(splits) - 1.0) > 1e-6:
        raise ConfigError(f"splits={tuple(splits)}: give three non-negative shares (train, val, test) summing to 1")
    train = int(round(num_samples * splits[0]))
    val = min(int(round(num_samples * splits[1])), num_samples - train)
    return {"train": train, "val": val, "test": num_samples - train - val}


def _scene_rows(scene: Scene, scene_id: int) -> Dict[str, np.ndarray]:
    a = scene.num_actors
    return {
        "poses": np.ascontiguousarray(scene.poses.transpose(1, 0, 2), np.float32),  # (A, T, 20)
        "actions": np.ascontiguousarray(scene.actions.T, np.int64),
        "latents": scene.latents.astype(np.float32),
        "physics": np.ascontiguousarray(scene.physics.transpose(1, 0, 2), np.float32),
        "slot": np.arange(a, dtype=np.int64),
        "num_actors": np.full(a, a, np.int64),
        "scene": np.full(a, scene_id, np.int64),
        "start_x": scene.start_x.astype(np.float32),
    }


def _scene_record(scene: Scene, scene_id: int, first_row: int, paraphrases: Sequence[str] = ()) -> Dict:
    extra = {"paraphrases": list(paraphrases)} if paraphrases else {}
    return {
        **extra,
        "scene": scene_id,
        "text": scene.text,
        "num_actors": scene.num_actors,
        "rows": list(range(first_row, first_row + scene.num_actors)),
        "plan": [[list(seg) for seg in actor] for actor in scene.plan],
        "interaction": scene.interaction,
        "events": scene.events,
        "actor_texts": scene.actor_texts,
        "heights": [round(float(h), 4) for h in scene.heights],
        "masses": [round(float(m), 3) for m in scene.masses],
        "words": [
            {"noun": actor.noun, "height": actor.height_word,
             "segments": [{"action": s.action, "direction": s.direction, "pace": s.pace} for s in actor.segments]}
            for actor in scene.scene_plan.actors
        ],
    }


MAX_PARAPHRASES = 16
"""Most extra descriptions a dataset holds per scene."""


def paraphrases_of(scene: Scene, count: int, rng: np.random.Generator) -> List[str]:
    """Up to ``count`` more sentences for ``scene``'s plan in the train split's wording, none equal to its text.

    Drawn from their own ``rng`` (not the scene's), so a dataset with paraphrases holds the same scenes.

    >>> s = generate_scene(np.random.default_rng(1), num_actors=1, actions=["wave"])
    >>> others = paraphrases_of(s, 3, np.random.default_rng(2))
    >>> 1 <= len(others) <= 3 and s.text not in others
    True
    """
    from .text import describe

    seen, out = {scene.text}, []
    for _ in range(3 * count):  # a plan with few wordings may not have `count` distinct ones
        if len(out) == count:
            break
        text = describe(scene.scene_plan, rng, held_out=False)[0]
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def _write_shard(path: Path, rows: List[Dict[str, np.ndarray]], meta: Dict[str, str]) -> None:
    from safetensors.numpy import save_file

    tensors = {key: np.ascontiguousarray(np.concatenate([r[key] for r in rows])) for key in ROW_KEYS}
    save_file(tensors, str(path), metadata=meta)


def _meta(seed: int, frames: int, fps: int, splits: Sequence[float], counts: Dict[str, Dict[str, int]],
          paraphrases: int = 0) -> Dict:
    extra = {"paraphrases": int(paraphrases)} if paraphrases else {}  # a dataset without them stays byte-identical
    return {
        **extra,
        "format_version": FORMAT_VERSION,
        "generator": "stick_gen.data_gen",
        "seed": int(seed),
        "fps": int(fps),
        "frames": int(frames),
        "latent_dim": LATENT_DIM,
        "latent_slots": SLOTS,
        "scene_slots": list(SCENE),
        "pose_dim": POSE_DIM,
        "pose_layout_version": POSE_LAYOUT_VERSION,
        "physics": list(PHYSICS_QUANTITIES),
        "actions": list(ACTIONS),
        "split_shares": [float(s) for s in splits],
        "splits": counts,
        "shard_scenes": SHARD_SCENES,
    }


def write_dataset(output_dir: PathLike, num_samples: int, seed: int = 0, frames: int = 250, fps: int = 25,
                  splits: Sequence[float] = (0.8, 0.1, 0.1), progress: bool = True, overwrite: bool = False,
                  single_actions: Optional[Sequence[str]] = None, paraphrases: int = 0) -> Path:
    """Generate ``num_samples`` scenes into ``output_dir`` (split by ``splits``); returns the directory.

    ``paraphrases`` > 0 also describes every train and val scene that many more times in the train
    split's wording (:func:`paraphrases_of`), so that training can show a clip under several sentences;
    the test split keeps its one held-out description. The scenes themselves do not change.

    ``single_actions`` makes a focused dataset instead: one actor per scene doing one action drawn
    from that list (for quick experiments and tests).

    Everything is written into a temporary directory beside ``output_dir`` and renamed at the end, so
    a failure leaves nothing half-written. A non-empty ``output_dir`` is refused unless ``overwrite``.

    >>> write_dataset("data/stick-gen", 10000, seed=0)   # doctest: +SKIP
    PosixPath('data/stick-gen')
    """
    output = Path(output_dir)
    if isinstance(num_samples, bool) or int(num_samples) != num_samples or num_samples < 1:
        raise ConfigError(f"num_samples={num_samples!r}: give the number of scenes, a positive integer")
    if int(frames) < 2 or int(fps) < 1:
        raise ConfigError(f"frames={frames}, fps={fps}: a clip needs at least 2 frames and 1 frame per second")
    if isinstance(paraphrases, bool) or int(paraphrases) != paraphrases or not 0 <= paraphrases <= MAX_PARAPHRASES:
        raise ConfigError(f"paraphrases={paraphrases!r}: give a whole number from 0 to {MAX_PARAPHRASES}")
    counts = split_counts(int(num_samples), splits)
    if output.exists() and not output.is_dir():
        raise DataError(f"{output} is a file, not a directory: choose another --output")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise DataError(f"{output} already exists and is not empty: choose another --output or pass --overwrite")
    from tqdm.auto import tqdm

    with atomic_output(output, folder=True) as tmp:
        written: Dict[str, Dict[str, int]] = {}
        with tqdm(total=int(num_samples), desc="scenes", unit="scene", disable=not progress) as bar:
            for split_index, split in enumerate(SPLITS):
                written[split] = _write_split(tmp / split, split, split_index, counts[split], seed, frames, fps, bar,
                                              single_actions, 0 if split == "test" else int(paraphrases))
        meta = _meta(seed, frames, fps, splits, written, int(paraphrases))
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return output


def _write_split(folder: Path, split: str, split_index: int, count: int, seed: int, frames: int, fps: int,
                 bar, single_actions: Optional[Sequence[str]] = None, paraphrases: int = 0) -> Dict[str, int]:
    folder.mkdir()
    rows: List[Dict[str, np.ndarray]] = []
    row_count, shard = 0, 0
    # one metadata key only: safetensors writes several keys in no fixed order, breaking byte-identity
    meta = {"stick_gen": json.dumps({"format_version": FORMAT_VERSION, "split": split}, sort_keys=True)}
    with open(folder / "metadata.jsonl", "w", encoding="utf-8") as lines:
        for i in range(count):
            rng = np.random.default_rng([int(seed), split_index, i])
            if single_actions:
                action = str(single_actions[int(rng.integers(len(single_actions)))])
                scene = generate_scene(rng, split, num_actors=1, actions=[action], frames=frames, fps=fps)
            else:
                scene = generate_scene(rng, split, frames=frames, fps=fps)
            others = paraphrases_of(scene, paraphrases, np.random.default_rng([int(seed), split_index, i, 1]))
            lines.write(json.dumps(_scene_record(scene, i, row_count, others), sort_keys=True) + "\n")
            rows.append(_scene_rows(scene, i))
            row_count += scene.num_actors
            bar.update(1)
            if len(rows) == SHARD_SCENES:
                _write_shard(folder / f"shard_{shard:05d}.safetensors", rows, meta)
                rows, shard = [], shard + 1
    if rows:
        _write_shard(folder / f"shard_{shard:05d}.safetensors", rows, meta)
        shard += 1
    return {"scenes": count, "rows": row_count, "shards": shard}


def read_meta(root: PathLike) -> Dict:
    """``meta.json`` of a dataset, checked against this code's format and pose layout."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such dataset directory; make one with `stick-gen data --output {root}`")
    path = root / "meta.json"
    if not path.is_file():
        raise DataError(f"{path} is missing, so {root} is not a finished dataset; regenerate it with "
                        f"`stick-gen data --output {root} --overwrite`")
    try:
        meta = json.loads(path.read_text())
    except ValueError as err:
        raise DataError(f"{path} is not valid JSON ({err}); regenerate the dataset with `stick-gen data`") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise DataError(f"{path}: dataset format version {meta.get('format_version')!r}, this code reads "
                        f"{FORMAT_VERSION}; regenerate it with `stick-gen data --output {root} --overwrite`")
    if meta.get("pose_layout_version") != POSE_LAYOUT_VERSION or meta.get("latent_dim") != LATENT_DIM:
        raise DataError(f"{path}: pose layout {meta.get('pose_layout_version')!r} / latent size "
                        f"{meta.get('latent_dim')!r}, this code uses {POSE_LAYOUT_VERSION} / {LATENT_DIM}; "
                        f"regenerate it with `stick-gen data --output {root} --overwrite`")
    if list(meta.get("actions", [])) != list(ACTIONS):
        raise DataError(f"{path}: the dataset's action vocabulary differs from this code's; regenerate it")
    return meta


class MotionDataset(torch.utils.data.Dataset):
    """Per-actor rows of one split.

    ``dataset[i]`` is a dict: ``poses`` (T, 20) float, ``actions`` (T,) long, ``latents`` (L,) float,
    ``physics`` (T, 6) float, ``slot``, ``num_actors``, ``scene`` (ints), ``start_x`` (float) and the
    scene's ``text``. ``texts`` lists the text of every row; :meth:`scenes` gives the metadata lines.

    >>> ds = MotionDataset("data/stick-gen", "train")   # doctest: +SKIP
    """

    def __init__(self, root: PathLike, split: str) -> None:
        from safetensors.torch import load_file

        self.root = Path(root)
        self.split = split
        self.meta = read_meta(self.root)
        if split not in SPLITS:
            raise DataError(f"split {split!r} does not exist; use one of {list(SPLITS)}")
        folder = self.root / split
        counts = self.meta["splits"].get(split, {})
        if not counts.get("scenes"):
            raise DataError(f"{folder}: the {split!r} split holds no scenes; make a bigger dataset with "
                            f"`stick-gen data --num-samples N --output {self.root} --overwrite`")
        shards = [folder / f"shard_{k:05d}.safetensors" for k in range(counts["shards"])]
        missing = [str(p) for p in shards if not p.is_file()] + ([] if (folder / "metadata.jsonl").is_file()
                                                                 else [str(folder / "metadata.jsonl")])
        if missing:
            raise DataError(f"{missing[0]} is missing; regenerate the dataset with `stick-gen data --overwrite`")
        parts = [load_file(str(p)) for p in shards]
        self.tensors: Dict[str, torch.Tensor] = {k: torch.cat([p[k] for p in parts]) for k in ROW_KEYS}
        with open(folder / "metadata.jsonl", encoding="utf-8") as lines:
            self._scenes = [json.loads(line) for line in lines if line.strip()]
        rows = len(self.tensors["slot"])
        if rows != counts["rows"] or len(self._scenes) != counts["scenes"]:
            raise DataError(f"{folder}: holds {rows} rows and {len(self._scenes)} scenes, meta.json says "
                            f"{counts['rows']} and {counts['scenes']}; regenerate the dataset")
        self.texts: List[str] = [self._scenes[s]["text"] for s in self.tensors["scene"].tolist()]
        self.paraphrases: List[List[str]] = [list(self._scenes[s].get("paraphrases", ()))
                                             for s in self.tensors["scene"].tolist()]
        """Per row, the scene's extra descriptions (empty for a dataset made without ``paraphrases``)."""

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> Dict:
        t = self.tensors
        return {
            "poses": t["poses"][index],
            "actions": t["actions"][index],
            "latents": t["latents"][index],
            "physics": t["physics"][index],
            "slot": int(t["slot"][index]),
            "num_actors": int(t["num_actors"][index]),
            "scene": int(t["scene"][index]),
            "start_x": float(t["start_x"][index]),
            "text": self.texts[index],
        }

    def scenes(self) -> List[Dict]:
        """Metadata of every scene of the split (the lines of ``metadata.jsonl``)."""
        return self._scenes

    def scene(self, scene_id: int) -> Dict:
        """Metadata of one scene."""
        return self._scenes[scene_id]
