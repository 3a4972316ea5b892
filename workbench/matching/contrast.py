"""Contrast retrieval: bring the later plan's reversals of a commitment into its first three.

Similarity finds the successor; the cues label it. But a reversal often shares little wording
with what it reverses ("We will scrap the … target" against a paragraph about that target), so
the passage that reverses a commitment can rank far below passages that merely continue its
topic. This module looks, among the later plan's passages that carry a cessation cue
(``relation.CESSATION``: rescind, scrap, withdraw, refocus, resist, instead of, …), for those whose
cue is *about* the source: the cue's scope (the few words after it in its clause) shares the
source's rarer words, weighted by their rarity in the later plan (IDF). The best of them, when
close enough (``SCOPE_BAR`` of the source's word weight, ``SCORE_RATIO`` of the best candidate's
fused score), are placed in the first three so that the three hold up to ``CUE_SLOTS`` distinct
reversal candidates. The first candidate is never displaced: a strong continuation stays first,
the reversal is offered beside it, and an officer chooses.

The bars were calibrated on the tuning links (``bench/eval_relations.py``, docs/bench/
reversal-r3.md): the highest reversal recall at which at most 1 in 25 continued or modified
successors already in the first three is pushed out. Nothing here names a plan or a place.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rapidfuzz import fuzz

from workbench.matching.relation import cue_scopes, new_cues, subject_words
from workbench.text import fold, tokens

CUE_SLOTS = 3
"""How many distinct reversal candidates the first three should hold (when there are any)."""
SCOPE_BAR = 0.05
"""Share of the source's IDF weight that a cue's scope must hold (tuned: 0.05)."""
SCORE_RATIO = 0.5
"""A promoted candidate's fused score must be at least this share of the best one's."""
FIRST = 3
"""The places an officer reads: the first three candidates."""


class _Ranked(Protocol):  # the engine's Match, as far as this module reads it
    passage: Any


class _Index(Protocol):  # the engine's PlanIndex, as far as this module reads it
    passages: list[Any]


@dataclass(frozen=True, slots=True)
class _Pool:
    """Per later plan: the passages carrying a cue, and the IDF of the plan's words."""

    cue_rows: tuple[int, ...]
    idf: dict[str, float]
    default_idf: float


_POOLS: weakref.WeakKeyDictionary[Any, _Pool] = weakref.WeakKeyDictionary()


def _pool(index: _Index) -> _Pool:
    found = _POOLS.get(index)
    if found is None:
        texts = [p.text for p in index.passages]
        n = max(1, len(texts))
        df = Counter(t for text in texts for t in set(tokens(text)))
        idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        rows = tuple(i for i, text in enumerate(texts) if cue_scopes(text))
        found = _Pool(rows, idf, math.log(1 + (n + 0.5) / 0.5))
        _POOLS[index] = found
    return found


TOPIC_IDF = 0.4
"""A word is part of a topic only when it is rarer than this share of the rarest word's IDF in
the later plan: "services", "county", "people" appear everywhere and say nothing of a topic."""


def topic_words(source: str, idf: dict[str, float], default: float) -> frozenset[str]:
    """The words that say what ``source`` is about: its content words, without the verb that
    opens a list item or an imperative ("Develop …", "Promote …": the action, not the topic)
    and without the later plan's commonest words."""
    words = subject_words(source)
    floor = TOPIC_IDF * default
    return frozenset(t for t in words if idf.get(t, default) >= floor)


def scope_score(source: str, target: str, idf: dict[str, float], default: float,
                words: frozenset[str] | None = None) -> float:
    """The share of ``source``'s topic weight (IDF) held by the scope of the best cue of
    ``target`` that is new to the source; 0 when ``target`` adds no cue on that topic.
    ``words``: the source's ``topic_words``, when the caller already has them."""
    words = topic_words(source, idf, default) if words is None else words
    total = sum(idf.get(t, default) for t in words)
    if not total:
        return 0.0
    best = 0.0
    for cue, _, scope in cue_scopes(target):
        if new_cues(source, [cue]) and words & scope:
            best = max(best, sum(idf.get(t, default) for t in words & scope) / total)
    return best


def _same(a: str, b: str) -> bool:
    """Two passages saying the same thing (a list item and the heading that repeats it)."""
    fa, fb = fold(a), fold(b)
    return fa in fb or fb in fa or fuzz.token_set_ratio(fa, fb) >= 90


def promote(
    index: _Index,
    source: str,
    ranked: Sequence[_Ranked],
    scores: Any,
    make: Callable[[int], _Ranked],
    *,
    exclude: frozenset[str] = frozenset(),
) -> list[_Ranked]:
    """``ranked`` (best first) with the later plan's best reversals of ``source`` placed at
    ranks 2–3 (never 1), so that the first three hold up to ``CUE_SLOTS`` reversal candidates.

    Args:
        index: the later plan's index (its ``passages``).
        source: the source passage's text.
        ranked: the engine's candidates, best first, already labelled.
        scores: the fused score of every passage of ``index`` (same order).
        make: builds the labelled candidate for passage row ``i`` (the engine's own Match).
        exclude: passage keys never to return (the source itself).
    """
    if len(ranked) < FIRST or not source.strip():  # compare asks for two: left alone
        return list(ranked)
    pool = _pool(index)
    if not pool.cue_rows:
        return list(ranked)
    topic = topic_words(source, pool.idf, pool.default_idf)
    if not topic:
        return list(ranked)
    best_score = (float(scores.max()) if hasattr(scores, "max")
                  else float(max(scores, default=0.0)))
    scored: list[tuple[float, int]] = []
    for i in pool.cue_rows:
        s = scope_score(source, index.passages[i].text, pool.idf, pool.default_idf, topic)
        if s >= SCOPE_BAR and float(scores[i]) >= SCORE_RATIO * best_score:
            scored.append((s + float(scores[i]) / best_score if best_score > 0 else s, i))
    if not scored:
        return list(ranked)
    scored.sort(reverse=True)
    out = list(ranked)
    head = min(FIRST, len(out))
    keys = {m.passage.key for m in out[:head]}
    is_cue = [scope_score(source, m.passage.text, pool.idf, pool.default_idf, topic) > 0
              for m in out[:head]]
    promoted: list[int] = []  # ranks taken, strongest reversal first
    for _, i in scored:
        if sum(is_cue) >= CUE_SLOTS:
            break
        p = index.passages[i]
        if p.key in keys or p.key in exclude:
            continue
        if any(c and _same(p.text, m.passage.text) for c, m in zip(is_cue, out, strict=False)):
            continue
        # the lowest of ranks 2–3 that is not a reversal candidate itself gives way
        at = next((k for k in range(head - 1, 0, -1) if not is_cue[k]), None)
        if at is None:
            break
        out = [m for m in out if m.passage.key != p.key]
        # the candidate takes the place of the one giving way, which moves to just below the
        # first three: a reversal candidate already below ``at`` keeps its place (inserting
        # would have pushed it out of the three)
        out.insert(at, make(i))
        out.insert(head, out.pop(at + 1))
        is_cue[at] = True
        keys = {m.passage.key for m in out[:head]}
        promoted.append(at)
    if len(promoted) > 1:  # each took the lowest free rank: the stronger one above, as scored
        ranks = sorted(promoted)
        moved = [out[r] for r in promoted]
        for r, m in zip(ranks, moved, strict=True):
            out[r] = m
    return out[:len(ranked)]
