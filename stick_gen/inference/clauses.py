"""Cut a prompt into clauses, so that the model sees each action phrase on its own.

A sentence encoder pools a whole prompt into one vector, and that vector hardly keeps the order of
what it says: "walks forward, then sits down" and "sits down, then walks forward" are at cosine
0.993 under MiniLM. Encoded one by one, the parts keep both their meaning and (through their
index) their order, so the model reads the sentence vector *and* up to ``max_clauses`` clause
vectors, laid along the clip in the order they are said (see
:func:`..model.transformer.clause_weights` and ``docs/design.md``, "The text side").

The rule is plain English punctuation and connectives, nothing learnt: cut at ``, ; :`` and
before a connective (:data:`CONNECTIVES`: "then", "and then", "while", "before", "and", ...);
a piece that is only connectives ("and", "then") is joined to the next one; pieces beyond
``max_clauses`` are joined into the last clause. An empty result falls back to the whole prompt.

>>> split_clauses("A person walks forward and waves")
['A person walks forward', 'and waves']
>>> split_clauses("a tall man jogs to the left, then sits down.")
['a tall man jogs to the left', 'then sits down']
>>> split_clauses("Two people playing catch")
['Two people playing catch']
>>> split_clauses("A man waves; once done, he sits down, and after that stands up.")
['A man waves', 'once done he sits down', 'and after that stands up']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch

from ..model.transformer import MAX_CLAUSES

CONNECTIVES = (
    "and then", "then", "and finally", "finally", "and afterwards", "afterwards", "and lastly", "lastly",
    "and at last", "at last", "next", "before", "after which", "while", "meanwhile", "whereas", "until",
    "followed by", "and after that", "after that", "once done", "once finished", "and subsequently", "subsequently",
    "and",
)
"""Words a clause may start with; a cut is made before each (longest alternatives first)."""

_CONNECTIVE = "(?:" + "|".join(re.escape(c) for c in sorted(CONNECTIVES, key=len, reverse=True)) + ")"
_CUT = re.compile(r"\s*[,;:]\s*|\s+(?=" + _CONNECTIVE + r"\b)", re.IGNORECASE)
_ONLY_CONNECTIVES = re.compile(r"^(?:" + _CONNECTIVE + r"\s*)+$", re.IGNORECASE)


def split_clauses(text: str, max_clauses: int = MAX_CLAUSES) -> List[str]:
    """The clauses of ``text``, in order: at least one, at most ``max_clauses``.

    >>> split_clauses("First a woman waves, then she claps and then she bows.", max_clauses=2)
    ['First a woman waves', 'then she claps and then she bows']
    """
    if max_clauses < 1:
        raise ValueError(f"max_clauses={max_clauses}: a prompt has at least one clause")
    pieces = [p.strip(" .!?\t\n") for p in _CUT.split(text.strip())]
    clauses: List[str] = []
    pending = ""
    for piece in pieces:
        if not piece:
            continue
        if _ONLY_CONNECTIVES.match(piece):
            pending = f"{pending} {piece}".strip()
            continue
        clauses.append(f"{pending} {piece}".strip())
        pending = ""
    if pending:
        clauses.append(pending)
    if len(clauses) > max_clauses:
        clauses = clauses[:max_clauses - 1] + [" ".join(clauses[max_clauses - 1:])]
    return clauses or [text.strip()]


@dataclass
class PromptVectors:
    """What a model reads of ``P`` prompts: sentence vectors and clause vectors with their mask."""

    sentence: torch.Tensor  # (P, E)
    clauses: Optional[torch.Tensor]  # (P, K, E), None for a model without clause input
    clause_mask: Optional[torch.Tensor]  # (P, K) bool

    def rows(self, index: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor], Optional[torch.Tensor]]:
        """``(sentence, clauses, clause_mask)`` of prompts ``index`` (one per generated actor)."""
        if self.clauses is None:
            return self.sentence[index], None, None
        return self.sentence[index], self.clauses[index], self.clause_mask[index]


def clause_layout(texts: Sequence[str], max_clauses: int) -> Tuple[List[str], torch.Tensor]:
    """Distinct clauses of ``texts`` and an index ``(P, max_clauses)`` into them, -1 where a prompt has fewer.

    >>> clause_layout(["a man waves, then sits", "a man waves"], 3)
    (['a man waves', 'then sits'], tensor([[ 0,  1, -1],
            [ 0, -1, -1]]))
    """
    split = [split_clauses(text, max_clauses) for text in texts]
    distinct = list(dict.fromkeys(c for clauses in split for c in clauses))
    position = {c: i for i, c in enumerate(distinct)}
    index = torch.full((len(texts), max_clauses), -1, dtype=torch.long)
    for row, clauses in enumerate(split):
        index[row, :len(clauses)] = torch.tensor([position[c] for c in clauses], dtype=torch.long)
    return distinct, index


def gather_clauses(table: torch.Tensor, index: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Clause vectors ``(P, K, E)`` and mask ``(P, K)`` from a table ``(U, E)`` and a :func:`clause_layout` index."""
    mask = index >= 0
    return table[index.clamp_min(0)] * mask.unsqueeze(-1).to(table.dtype), mask


def encode_prompts(encoder, prompts: Sequence[str], max_clauses: int) -> PromptVectors:
    """Sentence and clause vectors of ``prompts`` with ``encoder`` (a :class:`..text_encoder.TextEncoder`).

    ``max_clauses`` is the model's (``model.config["max_clauses"]``); 0 gives sentence vectors only.

    >>> from .text_encoder import load_text_encoder
    >>> vectors = encode_prompts(load_text_encoder("hashing"), ["a man waves, then sits"], 8)
    >>> vectors.clauses.shape, vectors.clause_mask.sum().item()
    (torch.Size([1, 8, 1024]), 2)
    """
    sentence = encoder.encode(list(prompts))
    if max_clauses <= 0:
        return PromptVectors(sentence, None, None)
    distinct, index = clause_layout(prompts, max_clauses)
    clauses, mask = gather_clauses(encoder.encode(distinct).to(sentence.device), index.to(sentence.device))
    return PromptVectors(sentence, clauses, mask)
