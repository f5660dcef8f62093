"""Training tensors: dataset rows -> text embeddings, latents and motion features, all in memory.

The procedural dataset is small enough (a few hundred MB at most) to hold in memory, so batches are
plain tensor indexing: no worker processes, and the order of rows is a pure function of the seed and
the step, which makes ``--resume`` exact.

>>> rows = load_rows("data/stick-gen", "train", encoder)     # doctest: +SKIP
>>> rows.features.shape                                       # doctest: +SKIP
torch.Size([14012, 250, 20])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Dict, List, Optional, Sequence, Tuple

import torch

from ..errors import DataError
from ..inference.clauses import clause_layout, gather_clauses
from ..model.clock import clock_features, event_features, key_moments, motion_clock, runs
from ..model.pose import HIP_X, JOINT_SLOTS, JOINTS, POSE_DIM, joints_to_pose, pose_to_features


@dataclass
class MotionRows:
    """Per-actor training rows of one split. R = rows, T = frames, E = embedding size."""

    texts: List[str]
    text_embeddings: torch.Tensor  # (R, E)
    latents: torch.Tensor  # (R, L)
    slot: torch.Tensor  # (R,)
    num_actors: torch.Tensor  # (R,)
    features: torch.Tensor  # (R, T, 20) physical motion features
    actions: torch.Tensor  # (R, T)
    poses: torch.Tensor  # (R, T, 20) world poses
    clause_index: Optional[torch.Tensor] = None  # (R, K) rows of clause_table, -1 past a prompt's clauses
    clause_table: Optional[torch.Tensor] = None  # (U, E) vectors of the distinct clauses
    cadence: Optional[torch.Tensor] = None  # (R, T) Hz, the motion clock measured from the motion
    clock_phase: Optional[torch.Tensor] = None  # (R, T) cycles
    wordings: Optional["Wordings"] = None  # every row's sentences (its text, then its paraphrases)
    events: Optional[torch.Tensor] = None  # (R, T) bool, the key moments measured from the motion
    fps: int = 25
    clause_labels: Optional[torch.Tensor] = None  # (U,) the action each distinct clause names, -1 unknown
    clause_starts: Optional[torch.Tensor] = None  # (U,) 1: a clause where the next actor starts, 0: not, -1 unknown
    clause_fillers: Optional[torch.Tensor] = None  # (U,) 1: a clause that names no action, 0: one that does, -1 unknown

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def num_wordings(self) -> int:
        """Sentences each row can be shown with: 1 + the dataset's paraphrases per scene."""
        return 1 if self.wordings is None else self.wordings.index.shape[1]

    def batch(self, index: torch.Tensor, wording: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """The tensors of rows ``index`` (a 1-D long tensor); clause vectors when the rows have them.

        ``wording`` ``(B,)`` picks each row's sentence (0: its text, ``k``: its ``k``-th paraphrase, see
        :attr:`num_wordings`); default: the text.
        """
        batch = {
            "latents": self.latents[index],
            "slot": self.slot[index],
            "num_actors": self.num_actors[index],
            "features": self.features[index],
            "actions": self.actions[index],
        }
        if wording is not None and self.wordings is not None:
            batch.update(self.wordings.batch(index, wording))
        else:
            batch["text_embedding"] = self.text_embeddings[index]
            if self.clause_index is not None:
                batch["clause_embeddings"], batch["clause_mask"] = gather_clauses(self.clause_table,
                                                                                  self.clause_index[index])
                batch.update(clause_targets(self.clause_index[index], self.clause_labels, self.clause_starts,
                                            self.clause_fillers))
        if self.cadence is not None:
            batch["cadence"] = self.cadence[index]
            batch["clock"] = clock_features(self.cadence[index], self.clock_phase[index])
        if self.events is not None:
            batch["events"] = self.events[index]
            batch["clock"] = torch.cat([batch["clock"], event_features(self.events[index], self.fps)], dim=-1)
        return batch

    def select(self, keep: torch.Tensor) -> "MotionRows":
        """Only the rows where the boolean mask ``keep`` is true."""
        idx = torch.nonzero(keep).flatten()
        return MotionRows([self.texts[i] for i in idx.tolist()], self.text_embeddings[idx], self.latents[idx],
                          self.slot[idx], self.num_actors[idx], self.features[idx], self.actions[idx],
                          self.poses[idx], None if self.clause_index is None else self.clause_index[idx],
                          self.clause_table, None if self.cadence is None else self.cadence[idx],
                          None if self.clock_phase is None else self.clock_phase[idx],
                          None if self.wordings is None else self.wordings.select(idx),
                          None if self.events is None else self.events[idx], self.fps,
                          clause_labels=self.clause_labels, clause_starts=self.clause_starts,
                          clause_fillers=self.clause_fillers)


@dataclass
class Wordings:
    """Every row's sentences as vectors: its text first, then its scene's paraphrases (a short list repeats
    the text). W = sentences per row, U / V = distinct sentences / clauses."""

    table: torch.Tensor  # (U, E) sentence vectors
    index: torch.Tensor  # (R, W) rows of ``table``
    clause_table: Optional[torch.Tensor] = None  # (V, E)
    clause_index: Optional[torch.Tensor] = None  # (R, W, K) rows of ``clause_table``, -1 past a sentence's clauses
    clause_labels: Optional[torch.Tensor] = None  # (V,) the action each distinct clause names, -1 unknown
    clause_starts: Optional[torch.Tensor] = None  # (V,) where the next actor starts (:attr:`MotionRows.clause_starts`)
    clause_fillers: Optional[torch.Tensor] = None  # (V,) which clauses name no action (:attr:`MotionRows.clause_fillers`)

    def batch(self, index: torch.Tensor, wording: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Sentence (and clause) vectors of rows ``index`` in wordings ``wording`` (both ``(B,)``)."""
        out = {"text_embedding": self.table[self.index[index, wording]].float()}
        if self.clause_index is not None:
            chosen = self.clause_index[index, wording]
            out["clause_embeddings"], out["clause_mask"] = gather_clauses(self.clause_table, chosen)
            out.update(clause_targets(chosen, self.clause_labels, self.clause_starts, self.clause_fillers))
        return out

    def select(self, idx: torch.Tensor) -> "Wordings":
        return Wordings(self.table, self.index[idx], self.clause_table,
                        None if self.clause_index is None else self.clause_index[idx], self.clause_labels,
                        self.clause_starts, self.clause_fillers)


def embed_wordings(root, texts: Sequence[str], paraphrases: Sequence[Sequence[str]], encoder,
                   max_clauses: int, named: Optional[Dict[str, str]] = None,
                   starts: Optional[Dict[str, bool]] = None, fillers: Optional[Dict[str, bool]] = None) -> Wordings:
    """:class:`Wordings` of rows with ``texts`` and their ``paraphrases``, each distinct sentence encoded once;
    ``named`` (:func:`clause_action_labels`), ``starts`` (:func:`clause_start_labels`) and ``fillers``
    (:func:`clause_filler_labels`) also label their clauses."""
    width = 1 + max(len(p) for p in paraphrases)
    per_row = [[t, *p, *([t] * (width - 1 - len(p)))] for t, p in zip(texts, paraphrases)]
    distinct, table, index = embed_table(root, [sentence for row in per_row for sentence in row], encoder)
    index = index.reshape(len(texts), width)
    if max_clauses <= 0:
        return Wordings(table, index)
    clause_index, clause_table, clauses = embed_clauses(root, distinct, encoder, max_clauses)
    labels = None if named is None else label_clauses(clauses, named)
    return Wordings(table, index, clause_table, clause_index[index], labels,
                    None if starts is None else label_flags(clauses, starts),
                    None if fillers is None else label_flags(clauses, fillers))


def embedding_cache_path(root: Path, identity: str) -> Path:
    """Where a dataset caches its text embeddings for one encoder."""
    return Path(root) / f"embeddings-{re.sub(r'[^A-Za-z0-9.-]+', '_', identity)}.safetensors"


def embed_table(root, texts: Sequence[str], encoder) -> Tuple[List[str], torch.Tensor, torch.Tensor]:
    """``(distinct (U,), table (U, E), index (N,))``: each distinct text of ``texts`` encoded once (cached
    beside the dataset); ``table[i]`` is ``distinct[i]``'s vector and ``texts[n]`` is ``distinct[index[n]]``."""
    from ..inference.text_encoder import encode_cached

    distinct = sorted(set(texts))
    table = encode_cached(encoder, distinct, embedding_cache_path(Path(root), encoder.identity))
    position = {text: i for i, text in enumerate(distinct)}
    return distinct, table, torch.tensor([position[t] for t in texts], dtype=torch.long)


def embed_texts(root, texts: Sequence[str], encoder) -> torch.Tensor:
    """Embeddings ``(N, E)`` of ``texts``, each distinct text encoded once and cached beside the dataset."""
    _, table, index = embed_table(root, texts, encoder)
    return table[index].float()


def embed_clauses(root, texts: Sequence[str], encoder,
                  max_clauses: int) -> Tuple[torch.Tensor, torch.Tensor, List[str]]:
    """``(index (N, max_clauses), table (U, E), distinct (U,))``: the clauses of ``texts``, each encoded once
    (same cache); ``table[i]`` is clause ``distinct[i]``'s vector."""
    distinct, index = clause_layout(texts, max_clauses)
    return index, embed_texts(root, distinct, encoder), distinct


def clause_action_labels(scenes: Sequence[Dict], max_clauses: int,
                         fillers: Collection[str] = ()) -> Dict[str, str]:
    """The action each clause of the scenes' sentences names, where a sentence lines up with its plan.

    A scene's clauses (:func:`..inference.clauses.split_clauses`) line up with what its text says (``words``:
    each actor's segments, in order) when there are as many clauses as the segments of one actor whom every
    actor copies ("Two friends wave, then sit down") or as all the actors' segments together, in order ("A
    man waves, a woman claps"). Other sentences teach nothing here (one clause for two parts: "Two people
    playing catch"), and a clause left in a scene whose text does not say its action (a filler cut off at a
    comma, "In this clip"; "A guy" of "A guy and a lady jump", cut at its "and") is left out. A scene's
    ``paraphrases`` (``stick-gen data --paraphrases``) say what its text says and are read alike. Clauses in
    ``fillers`` (:func:`clause_filler_labels`) are passed over when lining a sentence up ("In this clip, a
    man waves, then sits down" then lines up with its two actions).

    >>> wave_sit = {"text": "A man waves, then sits down", "words": [{"segments": [{"action": "wave"},
    ...                                                                           {"action": "sit_down"}]}]}
    >>> clause_action_labels([wave_sit], 8)
    {'A man waves': 'wave', 'then sits down': 'sit_down'}
    """
    labels: Dict[str, str] = {}
    clashing = set()
    said = _sentences(scenes, max_clauses, fillers)
    for clauses, parts, owners in said:
        if owners is None:
            continue
        named = parts[0] if all(p == parts[0] for p in parts) else [action for p in parts for action in p]
        for clause, action in zip(clauses, named):
            if labels.setdefault(clause, action) != action:
                clashing.add(clause)
    for clauses, parts, _ in said:  # "A man" of "A man and a woman jump" also stands in scenes without a jump
        actions = {action for p in parts for action in p}
        clashing.update(c for c in clauses if c in labels and labels[c] not in actions)
    return {clause: action for clause, action in labels.items() if clause not in clashing}


def _sentences(scenes: Sequence[Dict], max_clauses: int,
               fillers: Collection[str] = ()) -> List[Tuple[List[str], List[List[str]], Optional[List[int]]]]:
    """Every sentence of ``scenes`` (texts and paraphrases, which say what the text says) as ``(clauses, each
    actor's actions, owners)``, the clauses in ``fillers`` left out; ``owners`` gives each clause's actor where
    the clauses line up with the plan (-1: every actor's, when all actors do the same) and is None where they
    do not."""
    from ..inference.clauses import split_clauses

    said = []
    for scene in scenes:
        parts = [[segment["action"] for segment in actor["segments"]] for actor in scene.get("words") or ()]
        for text in (scene["text"], *scene.get("paraphrases", ())):
            clauses = [c for c in split_clauses(text, max_clauses) if c not in fillers]
            owners = None
            if parts and all(p == parts[0] for p in parts):  # every actor does the same: one clause per action
                owners = [-1] * len(parts[0]) if len(parts[0]) == len(clauses) else None
            elif parts:  # the actors in order, each with their own actions
                owners = [a for a, p in enumerate(parts) for _ in p]
                owners = owners if len(owners) == len(clauses) else None
            said.append((clauses, parts, owners))
    return said


def clause_start_labels(scenes: Sequence[Dict], max_clauses: int, fillers: Collection[str] = ()) -> Dict[str, bool]:
    """Whether each clause of the scenes' sentences (after the first) is where the next actor starts.

    Read from the sentences whose clauses line up with their plan (:func:`clause_action_labels`): in "A man
    waves, then sits, while a woman claps" the third clause starts the second actor and the second does not;
    in "Two friends wave, then sit down" (every actor does the same) no clause starts another. A clause
    that is a start in one sentence and not in another is left out, as is every sentence's first clause.
    Clauses in ``fillers`` are passed over (the first clause is then the first one that names an action).

    >>> two = {"text": "A man waves, then sits, while a woman claps",
    ...        "words": [{"segments": [{"action": "wave"}, {"action": "sit_down"}]},
    ...                  {"segments": [{"action": "clap"}]}]}
    >>> clause_start_labels([two], 8)
    {'then sits': False, 'while a woman claps': True}
    """
    starts: Dict[str, bool] = {}
    clashing = set()
    for clauses, _, owners in _sentences(scenes, max_clauses, fillers):
        if owners is None:
            continue
        for k in range(1, len(clauses)):
            new = owners[k] >= 0 and owners[k] != owners[k - 1]
            if starts.setdefault(clauses[k], new) != new:
                clashing.add(clauses[k])
    return {clause: new for clause, new in starts.items() if clause not in clashing}


def clause_filler_labels(scenes: Sequence[Dict], max_clauses: int, min_sentences: int = 3) -> Dict[str, bool]:
    """Whether each clause of the scenes' sentences names no action (a filler).

    A clause that stands in at least ``min_sentences`` sentences whose scenes have no action in common is a
    filler ("In this clip", "A guy" of "A guy and a lady jump", "and down" of "jumps up and down"); one whose
    scenes all share an action, or that a sentence lined up with its plan names (:func:`clause_action_labels`),
    is not. Rarer clauses are left out.

    >>> scene = lambda text, action: {"text": text, "words": [{"segments": [{"action": action}]}]}
    >>> scenes = [scene("In this clip, a man waves", "wave"), scene("In this clip, a man claps", "clap"),
    ...           scene("In this clip, someone bows", "bow")]
    >>> clause_filler_labels(scenes, 8)  # once "In this clip" is passed over, the rest line up with the plans
    {'In this clip': True, 'a man waves': False, 'a man claps': False, 'someone bows': False}
    """
    shared: Dict[str, set] = {}
    seen: Dict[str, int] = {}
    for clauses, parts, _ in _sentences(scenes, max_clauses):
        actions = {action for p in parts for action in p}
        for clause in clauses:
            seen[clause] = seen.get(clause, 0) + 1
            shared[clause] = actions if clause not in shared else shared[clause] & actions
    flags = {clause: not shared[clause] for clause, count in seen.items() if count >= min_sentences}
    fillers = {clause for clause, filler in flags.items() if filler}
    for clause in clause_action_labels(scenes, max_clauses, fillers):
        flags.setdefault(clause, False)
    return flags


def label_flags(clauses: Sequence[str], flags: Dict[str, bool]) -> torch.Tensor:
    """``(len(clauses),)`` 1 where ``flags`` (:func:`clause_start_labels`, :func:`clause_filler_labels`) says
    yes of a clause, 0 where it says no, -1 where it says nothing.

    >>> label_flags(["while a woman claps", "then sits", "In this clip"],
    ...             {"while a woman claps": True, "then sits": False}).tolist()
    [1, 0, -1]
    """
    return torch.tensor([int(flags[c]) if c in flags else -1 for c in clauses], dtype=torch.long)


def clause_targets(index: torch.Tensor, labels: Optional[torch.Tensor], starts: Optional[torch.Tensor],
                   fillers: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
    """The batch's per-clause targets of prompts ``index`` (P, K): ``clause_labels`` (:func:`label_clauses`),
    ``clause_starts`` and ``clause_fillers`` (:func:`label_flags`), each where known (-1 elsewhere and past a
    prompt's clauses)."""
    out = {}
    for key, values in (("clause_labels", labels), ("clause_starts", starts), ("clause_fillers", fillers)):
        if values is not None:
            out[key] = clause_label_rows(values, index)
    return out


def label_clauses(clauses: Sequence[str], named: Dict[str, str]) -> torch.Tensor:
    """Action ids ``(len(clauses),)`` of ``clauses`` by :func:`clause_action_labels`' answer ``named``, -1 where unknown.

    >>> label_clauses(["A man waves", "In this clip"], {"A man waves": "wave"}).tolist()
    [40, -1]
    """
    from ..data_gen.actions import ACTIONS

    return torch.tensor([ACTIONS.index(named[c]) if c in named else -1 for c in clauses], dtype=torch.long)


def clause_label_rows(labels: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Per prompt and clause, the action class its clause names: ``labels`` (U,) gathered by a
    :func:`..inference.clauses.clause_layout` index (P, K); -1 past a prompt's clauses and where unknown.

    >>> clause_label_rows(torch.tensor([3, -1, 7]), torch.tensor([[0, 2, -1], [1, -1, -1]]))
    tensor([[ 3,  7, -1],
            [-1, -1, -1]])
    """
    return torch.where(index >= 0, labels[index.clamp_min(0)], torch.full_like(index, -1))


def load_rows(root, split: str, encoder, fps: int = 25, actions: Optional[Sequence[str]] = None,
              max_clauses: int = 0, clock: bool = False, wordings: bool = False, layout: str = "hip",
              events: bool = False, clause_labels: bool = False, clause_starts: bool = False,
              clause_fillers: bool = False) -> MotionRows:
    """Load ``split`` of the dataset at ``root`` with its texts encoded (cached beside the data).

    ``max_clauses`` > 0 also encodes each text's clauses (the model's ``max_clauses``); ``clock``
    measures every frame's motion clock (:func:`..model.clock.motion_clock`; a few seconds); ``wordings``
    on a dataset made with paraphrases also fills :attr:`MotionRows.wordings` (every sentence of every
    row, encoded: what training varies; validation and evaluation read the text only). ``layout`` is the
    model's feature layout (:func:`..model.pose.pose_to_features`). ``events`` (with ``clock``) also finds
    every row's key moments (:func:`..model.clock.key_moments`). ``clause_labels`` (with ``max_clauses``)
    also gives every distinct clause the action it names (:func:`clause_action_labels`), which a
    ``clause_actions`` model's clause classifier learns from; ``clause_starts`` whether the next actor starts
    there (:func:`clause_start_labels`), which a ``clause_starts`` model learns from; ``clause_fillers`` which
    clauses name no action (:func:`clause_filler_labels`), which a ``clause_fillers`` model learns from and
    the other labels then pass over.
    """
    from ..data_gen.actions import ACTIONS
    from ..data_gen.dataset import MotionDataset

    dataset = MotionDataset(root, split)
    if len(dataset) == 0:
        raise DataError(f"{root}: the {split!r} split is empty; make a bigger dataset with `stick-gen data`")
    tensors = dataset.tensors
    poses = tensors["poses"].float()
    rows = MotionRows(
        texts=list(dataset.texts),
        text_embeddings=embed_texts(root, dataset.texts, encoder),
        latents=tensors["latents"].float(),
        slot=tensors["slot"].long(),
        num_actors=tensors["num_actors"].long(),
        features=pose_to_features(poses, fps=fps, layout=layout),
        actions=tensors["actions"].long(),
        poses=poses,
        fps=fps,
    )
    scenes = dataset.scenes()
    flags = clause_filler_labels(scenes, max_clauses) if clause_fillers and max_clauses > 0 else None
    passed = {clause for clause, filler in (flags or {}).items() if filler}
    named = clause_action_labels(scenes, max_clauses, passed) if clause_labels and max_clauses > 0 else None
    starts = clause_start_labels(scenes, max_clauses, passed) if clause_starts and max_clauses > 0 else None
    if max_clauses > 0:
        rows.clause_index, rows.clause_table, clauses = embed_clauses(root, rows.texts, encoder, max_clauses)
        if named is not None:
            rows.clause_labels = label_clauses(clauses, named)
        if starts is not None:
            rows.clause_starts = label_flags(clauses, starts)
        if flags is not None:
            rows.clause_fillers = label_flags(clauses, flags)
    if wordings and any(dataset.paraphrases):
        rows.wordings = embed_wordings(root, rows.texts, dataset.paraphrases, encoder, max_clauses, named, starts,
                                       flags)
    if clock:
        cadence, phase = motion_clock(rows.features, rows.actions, fps)
        rows.cadence, rows.clock_phase = torch.from_numpy(cadence), torch.from_numpy(phase)
        if events:
            rows.events = torch.from_numpy(key_moments(poses.numpy(), cadence, fps))
    if actions:
        unknown = sorted(set(actions) - set(ACTIONS))
        if unknown:
            raise DataError(f"unknown action name(s) {unknown} in the config's action list")
        allowed = torch.zeros(len(ACTIONS), dtype=torch.bool)
        allowed[[ACTIONS.index(a) for a in actions]] = True
        rows = rows.select(allowed[rows.actions].all(dim=1))
        if len(rows) == 0:
            raise DataError(f"{root}: no {split!r} rows use only the actions {list(actions)}")
    return rows


def feature_statistics(features: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per-value mean and standard deviation of motion features ``(R, T, 20)`` (std floored at 1e-3)."""
    flat = features.reshape(-1, features.shape[-1]).double()
    return flat.mean(0).float(), flat.std(0).clamp_min(1e-3).float()


BALANCE_CAP = 25.0
"""Largest weight :func:`value_weights` gives one value (the hip's speed barely changes within an action)."""


def value_weights(features: torch.Tensor, actions: torch.Tensor, cap: float = BALANCE_CAP,
                  min_run: int = 25) -> torch.Tensor:
    """Per-value weights ``(20,)`` of the motion loss that make each joint's movement count alike.

    ``features`` are normalised ``(R, T, 20)`` (unit spread over the whole dataset). Within one action a
    value moves much less than across actions, and by different shares: the feet's height moves a fifth
    of its dataset spread (walking lifts a foot 5-15 cm; lying and cartwheels set the spread), the hands
    a third. With uniform weights the loss barely notices a foot that never lifts. Each joint coordinate
    is weighted by ``1 / (mean within-action spread)^2`` (capped at ``cap``), shared among the copies of that
    joint the pose stores (the hip and the neck are stored three times, only one copy is read back),
    and the weights are scaled to average 1.

    >>> feats = torch.randn(8, 100, 20)
    >>> w = value_weights(feats, torch.zeros(8, 100, dtype=torch.long))
    >>> tuple(w.shape), round(float(w.mean()), 3)
    ((20,), 1.0)
    """
    total, count = torch.zeros(POSE_DIM, dtype=torch.float64), 0
    for row, labels in zip(features, actions):
        for start, end, _ in runs(labels.numpy()):
            if end - start >= min_run:
                total += row[start:end].double().std(dim=0)
                count += 1
    # the mean of the spread, not of its square: a few cartwheels would set the variance for all runs
    within = (total / max(count, 1)).pow(2)
    balance = 1.0 / within.clamp_min(1.0 / cap)  # (20,)
    # which joint coordinate each stored value holds, read off the pose layout itself
    coordinate = joints_to_pose(torch.arange(2 * len(JOINTS), dtype=torch.float64).reshape(len(JOINTS), 2)).long()
    owner = torch.tensor([slot for joint in JOINTS for slot in JOINT_SLOTS[joint]])[coordinate]  # (20,)
    copies = torch.bincount(coordinate)[coordinate].double()
    # the hip's x slot holds its speed, a rate whose wiggle within an action is not the motion we want
    # to see, and the other copies of the hip's x are always 0: all of them count like a typical value
    typical = balance[[s for pair in JOINT_SLOTS.values() for s in pair if s != HIP_X]].median()
    hip_x_copies = owner == HIP_X
    balance[hip_x_copies] = typical
    owner[hip_x_copies] = torch.nonzero(hip_x_copies).flatten()
    copies[HIP_X] = 1.0
    weights = balance[owner] / copies
    return (weights / weights.mean()).float()
