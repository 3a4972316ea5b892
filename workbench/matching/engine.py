"""The matching engine: rank a later plan's passages as counterparts of a source passage.

One ``PlanIndex`` per plan version holds what every query against that plan reuses: the passages
(commitments, then sentences; see ``passages``), a BM25 index over their stemmed words
(``bm25s``: a maintained sparse-matrix BM25; the hand-written one it replaces had no tests of its
own), the IDF of named things, and (when the optional model is installed) one embedding per
passage. ``index_for`` caches it by the passages' fingerprint, so a plan is re-indexed only when
its text or the user's corrections change.

``PlanIndex.rank`` fuses, for each candidate, explainable signals into one score:

* ``lexical``: BM25 of the source's words in the candidate, relative to the best candidate and
  to the source's own weight (both kept: one ranks, the other says how close in absolute terms);
* ``meaning``: cosine of the two embeddings (optional model);
* ``wording``: rapidfuzz token-set / token-sort similarity;
* ``names``: shared names, programmes, years, numbers and amounts, weighted by their rarity in
  the later plan;
* ``heading``: similarity of the section headings;
* ``kind``: a commitment is preferred to a narrative sentence.

The weights are a linear combination learned on the tuning half of the labelled links
(``bench/eval_matching.py``); the relation is proposed by ``relation.propose`` from cues on the
pair, never from the score.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import bm25s  # why: maintained BM25 over sparse matrices, numpy only
import numpy as np
from rapidfuzz import fuzz

from workbench.matching.embedding import Embedder, load_embedder
from workbench.matching.passages import Passage
from workbench.matching.relation import propose
from workbench.text import entities, fold, tokens

WEIGHTS: dict[str, float] = {
    "lexical": 0.15, "lexical_abs": 0.15, "meaning": 0.30, "wording": 0.15, "names": 0.15,
    "heading": 0.30, "kind": 0.10, "section": 0.20,
}
"""Learned on the tuning half of the links (see bench/eval_matching.py and docs/bench)."""
WEIGHTS_WITHOUT_MODEL: dict[str, float] = {
    "lexical": 0.45, "lexical_abs": 0.15, "meaning": 0.0, "wording": 0.0, "names": 0.20,
    "heading": 0.25, "kind": 0.10, "section": 0.20,
}
"""The same, learned without the optional embedding model."""
NO_SUCCESSOR_BELOW = 0.195
"""Best fused score under this: propose "no successor" (calibrated on the tuning half)."""
NO_SUCCESSOR_BELOW_WITHOUT_MODEL = 0.015
ABSOLUTE = ("lexical_abs", "meaning", "wording", "names")
"""Signals that say how close a pair is in absolute terms (the others rank: relative BM25,
heading, section, kind). "No successor" and the gate on cessation cues use only these, so a
plan with one passage does not make that passage "close" by being the best there is."""
SHORTLIST = 40
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate counterpart, with its fused score, signals and proposed relation."""

    passage: Passage
    score: float
    relation: str
    reasons: tuple[str, ...]
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ranking:
    """The candidates for one source, best first, and the verdict on the best."""

    matches: tuple[Match, ...]
    relation: str  # of the best match, or "dropped" when nothing is close
    reasons: tuple[str, ...]
    no_successor: bool


def closeness(signals: dict[str, float], weights: dict[str, float]) -> float:
    """The absolute part of a pair's score (see ``ABSOLUTE``)."""
    return sum(weights.get(k, 0.0) * signals.get(k, 0.0) for k in ABSOLUTE)


def fingerprint(passages: Sequence[Passage]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in passages:
        h.update(f"{p.key}\x1f{p.text}\x1f{p.heading}\x1e".encode("utf-8", "replace"))
    return h.hexdigest()


def _display(item: str, text: str) -> str:
    """The original casing of a casefolded named thing, for reasons shown to people."""
    at = fold(text).find(item)
    return text[at: at + len(item)] if at >= 0 and len(fold(text)) == len(text) else item


class PlanIndex:
    """What queries against one plan version reuse. Build once; read from many threads."""

    def __init__(self, passages: Sequence[Passage], embedder: Embedder | None = None) -> None:
        self.passages = list(passages)
        self.embedder = embedder
        self._tokens = [tokens(p.text) or ["\x00"] for p in self.passages]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if self.passages:
            self._bm25.index(self._tokens, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict) if self.passages else set()
        n = max(1, len(self.passages))
        df = Counter(t for toks in self._tokens for t in set(toks))
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._pos = {p.key: i for i, p in enumerate(self.passages)}
        self._entities = [entities(p.text) for p in self.passages]
        edf = Counter(x for e in self._entities for x in e.all)
        self._entity_idf = {x: math.log(1 + n / c) / math.log(1 + n) for x, c in edf.items()}
        self._folded = [fold(p.text) for p in self.passages]
        self._headings = [fold(" ".join(p.path) or p.heading) for p in self.passages]
        self._kind = np.array([1.0 if p.kind == "commitment" else 0.0 for p in self.passages])
        self._vectors: Any = None
        if embedder is not None and self.passages:
            self._vectors = embedder.embed([p.text for p in self.passages])

    def __len__(self) -> int:
        return len(self.passages)

    # -- signals over every passage (vectorised) -------------------------------------------

    def _lexical(self, query: list[str]) -> tuple[Any, float]:
        known = [t for t in query if t in self._vocab]
        scores = (np.asarray(self._bm25.get_scores(known), dtype=float) if known
                  else np.zeros(len(self.passages)))
        self_weight = sum(self._idf.get(t, self._max_idf) for t in set(query)) * 2.2 / 2.0
        return scores, self_weight

    def _meaning(self, text: str) -> Any:
        if self._vectors is None or self.embedder is None:
            return None
        vec = self.embedder.embed([text])[0]
        return self._vectors @ vec

    # -- ranking ---------------------------------------------------------------------------

    def defaults(self) -> tuple[dict[str, float], float]:
        """The learned weights and no-successor bar for this index (with or without model)."""
        if self._vectors is None:
            return WEIGHTS_WITHOUT_MODEL, NO_SUCCESSOR_BELOW_WITHOUT_MODEL
        return WEIGHTS, NO_SUCCESSOR_BELOW

    def rank(
        self,
        text: str,
        heading: str = "",
        *,
        limit: int = 5,
        exclude: frozenset[str] = frozenset(),
        sections: dict[int, float] | None = None,
        weights: dict[str, float] | None = None,
        no_successor_below: float | None = None,
    ) -> Ranking:
        """The passages most likely to be ``text``'s counterpart, best first.

        Args:
            text: the source passage (a commitment, or any passage a person selected).
            heading: the source's section heading (or path), a weak signal.
            limit: how many candidates to return.
            exclude: keys never to return (e.g. the source itself).
            sections: ``{section id: 0–1}``: how well each section of this plan corresponds to
                the source's own section (from the section alignment); the ``section`` signal.
            weights, no_successor_below: overrides for tuning.
        """
        w, cut = self.defaults()
        w = weights or w
        cut = cut if no_successor_below is None else no_successor_below
        if not self.passages or not text.strip():
            return Ranking((), "dropped", ("nothing to compare",), True)
        query = tokens(text)
        bm, self_weight = self._lexical(query)
        top_bm = float(bm.max()) if len(bm) else 0.0
        lex_rel = bm / top_bm if top_bm > 0 else bm
        lex_abs = np.minimum(1.0, bm / self_weight) if self_weight > 0 else bm
        meaning = self._meaning(text)
        src_ent = entities(text)
        src_items = src_ent.all
        pre = w["lexical"] * lex_rel + w["lexical_abs"] * lex_abs + w["kind"] * self._kind
        if meaning is not None:
            pre = pre + w["meaning"] * np.clip(meaning, 0.0, 1.0)
        order = np.argsort(-pre)[: SHORTLIST * 2]
        shortlist = [int(i) for i in order if self.passages[int(i)].key not in exclude]
        if src_items:
            extra = [i for i, e in enumerate(self._entities) if e.all & src_items]
            shortlist += [i for i in extra if i not in set(shortlist)][:SHORTLIST]
        if sections:
            near = {sid for sid, v in sections.items() if v >= 0.5}
            shortlist += [i for i, p in enumerate(self.passages)
                          if p.section_id in near and i not in set(shortlist)]
        folded_src = fold(text)
        head_src = fold(heading)
        matches: list[Match] = []
        for i in dict.fromkeys(shortlist):
            p = self.passages[i]
            if p.key in exclude:
                continue
            wording = max(fuzz.token_sort_ratio(folded_src, self._folded[i]),
                          0.9 * fuzz.token_set_ratio(folded_src, self._folded[i])) / 100.0
            shared = sorted(src_items & self._entities[i].all)
            names = min(1.0, sum(self._entity_idf.get(x, 1.0) for x in shared) / 2.0)
            head = (fuzz.token_set_ratio(head_src, self._headings[i]) / 100.0
                    if head_src and self._headings[i] else 0.0)
            signals = {
                "lexical": round(float(lex_rel[i]), 3), "lexical_abs": round(float(lex_abs[i]), 3),
                "meaning": round(float(meaning[i]), 3) if meaning is not None else 0.0,
                "wording": round(wording, 3), "names": round(names, 3),
                "heading": round(head, 3), "kind": float(self._kind[i]),
                "section": round(sections.get(p.section_id, 0.0), 3)
                if sections and p.section_id is not None else 0.0,
            }
            score = sum(w.get(k, 0.0) * v for k, v in signals.items())
            matches.append(Match(p, round(score, 4), "", (), signals))
        matches.sort(key=lambda m: (-m.score, m.passage.page_index, m.passage.start))
        top = [self._label(text, m, w, cut) for m in matches[:limit]]
        best = max((closeness(m.signals, w) for m in top[:5]), default=0.0)
        if best < cut:
            return Ranking(tuple(top), "dropped",
                           ("no passage of the later plan is close (closest "
                            f"{best:.2f} < {cut:.2f})" if top else "no candidate",),
                           True)
        return Ranking(tuple(top), top[0].relation, top[0].reasons, False)

    def _label(self, text: str, m: Match, w: dict[str, float], cut: float) -> Match:
        p = m.passage
        shared = sorted(entities(text).all & self._entities[self._pos[p.key]].all) \
            if m.signals.get("names") else []
        # 0.5 = just close enough to be a successor; cessation cues count from there on
        ratio = min(1.0, closeness(m.signals, w) / (2 * cut)) if cut > 0 else 1.0
        proposal = propose(text, p.text, similarity=ratio, wording=m.signals["wording"],
                           shared=[_display(s, text) for s in shared], reversal_min=0.5)
        reasons = list(proposal.reasons)
        s = m.signals
        if s.get("lexical_abs", 0) >= 0.3:
            reasons.append(f"shares rare words (BM25 {s['lexical_abs']:.2f})")
        if s.get("meaning", 0) >= 0.5:
            reasons.append(f"similar meaning ({s['meaning']:.2f})")
        if s.get("heading", 0) >= 0.8:
            reasons.append("similar section heading")
        if p.kind == "sentence":
            reasons.append("a sentence of the later plan not marked as a commitment")
        return Match(p, m.score, proposal.relation, tuple(reasons), s)


# -- the per-process cache -----------------------------------------------------------------

_CACHE: OrderedDict[tuple[str, str, bool], PlanIndex] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def index_for(passages: Sequence[Passage], *, plan: str = "") -> PlanIndex:
    """The (cached) index of one plan's passages; rebuilt only when they change."""
    embedder = load_embedder()
    key = (plan, fingerprint(passages), embedder is not None)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    built = PlanIndex(passages, embedder)
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built
