"""The matching engine: rank a later plan's passages as counterparts of a source passage.

One ``PlanIndex`` per plan version holds what every query against that plan reuses: the passages
(commitments, then sentences; see ``passages``), a BM25 index over their stemmed words
(``bm25s``: a maintained sparse-matrix BM25; the hand-written one it replaces had no tests of its
own), the IDF of named things, and (when the optional model is installed) one embedding per
passage. ``index_for`` caches it by the passages' fingerprint, so a plan is re-indexed only when
its text or the user's corrections change.

The meaning model is ``meaning_model()`` (``embedding.choice``): by default the paraphrase-trained
all-MiniLM-L6-v2 (Apache-2.0; the Universal Sentence Encoder when its wheel is missing, or with
``WORKBENCH_EMBEDDINGS=use``), its vectors looked up by text in the library's ``cache/vectors``
folder (``vectors.cache_for``; the service layer passes the folder), so a plan is embedded once,
not in every process; ``WORKBENCH_EMBEDDINGS=off`` runs without a model and ``wordllama`` selects
the optional extra. Each has its own learned weights (``PlanIndex.defaults``).

``PlanIndex.rank`` fuses, for each candidate, explainable signals into one score:

* ``lexical``: BM25 of the source's words in the candidate, relative to the best candidate and
  to the source's own weight (both kept: one ranks, the other says how close in absolute terms);
* ``meaning``: cosine of the two embeddings (sentence vectors centred on the plan's mean);
* ``wording``: rapidfuzz token-set / token-sort similarity;
* ``names``: shared names, programmes, years, numbers and amounts, weighted by their rarity in
  the later plan;
* ``heading``: similarity of the section headings;
* ``kind``: a commitment is preferred to a narrative sentence;
* ``pledge``: how pledge-like the candidate reads, by the commitment model's own confidence in
  the unit (stored at import; ``pledge_signal``): officers link pledge to pledge, while the
  context and narrative units around a pledge often share more of its words.

The weights are a linear combination learned on the tuning half of the labelled links
(``bench/eval_matching.py``); the relation is proposed by ``relation.propose`` from cues on the
pair, never from the score.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s  # why: maintained BM25 over sparse matrices, numpy only
import numpy as np
from rapidfuzz import fuzz, process

from workbench.matching.contrast import promote
from workbench.matching.embedding import Embedder, SifSpace, load_embedder
from workbench.matching.passages import Passage, pledge_signal
from workbench.matching.relation import propose
from workbench.matching.vectors import cache_for
from workbench.text import entities, fold, tokens

WEIGHTS: dict[str, float] = {
    "lexical": 0.25, "lexical_abs": 0.30, "meaning": 0.35, "wording": 0.10, "names": 0.20,
    "heading": 0.30, "kind": 0.20, "section": 0.20,
}
"""Learned by coordinate ascent on every tuning link (dev, extra and training links), with the
meaning signal pooled by smooth inverse frequency (``SifSpace``); the fitting was 5-fold
cross-validated (docs/bench/engine-r3.md)."""
WEIGHTS_WITHOUT_MODEL: dict[str, float] = {
    "lexical": 0.45, "lexical_abs": 0.15, "meaning": 0.0, "wording": 0.0, "names": 0.20,
    "heading": 0.25, "kind": 0.10, "section": 0.20,
}
"""The same, learned without the optional embedding model."""
NO_SUCCESSOR_BELOW = 0.005
"""Closeness (see ``ABSOLUTE``) at or under which "no successor" is proposed. Calibrated on the
tuning half as the bar with the best recall of "dropped" links at a precision of at least 0.6;
without the model no bar reached that precision (a dropped pledge's topic usually lives on in
the later plan), so that bar is 0: "no successor" only when no passage shares a word or a name
with the source; with the model, 0.005 (4 of 6 proposals right on the tuning links, 4 of 39
dropped links found). Any verdict of "dropped" stays a proposal an officer confirms."""
NO_SUCCESSOR_BELOW_WITHOUT_MODEL = 0.0
CLOSE = 0.195
"""Closeness of a pair that is plainly related (tuned on the tuning half): cessation cues count
from half of it, "continued" (rather than "modified") from 0.55 of twice it."""
CLOSE_WITHOUT_MODEL = 0.015
WEIGHTS_SENTENCE: dict[str, float] = {
    "lexical": 0.25, "lexical_abs": 0.10, "meaning": 0.35, "wording": 0.20, "names": 0.20,
    "heading": 0.25, "kind": 0.20, "section": 0.20,
}
"""With the Universal Sentence Encoder (``embedding.sentence_model``, vectors centred): learned by
the same coordinate ascent from equal weights on the 342 tuning links with a successor; 5-fold
cross-validated 0.307 / 0.488 top-1 / top-3 against 0.287 / 0.450 without a model (leave one
plan pair out: 0.310 / 0.485 against 0.292 / 0.447; docs/bench/meaning-r6.md)."""
NO_SUCCESSOR_BELOW_SENTENCE = 0.0
"""As without the model: no bar reached a precision of 0.6 on the tuning links' dropped ones, so
the verdict is taken on the closeness of the lexical and named signals alone (``_finish``)."""
CLOSE_SENTENCE = 0.3
"""``CLOSE`` with the sentence encoder, whose weights make every pair closer (wording and
meaning are never 0): chosen on the tuning links so that compare still leaves passages unpaired
(at 0.195 nearly every passage was paired: "only in" lists of 1-5) while holding as many links
as without a model (0.678 against 0.675; 0.25: 0.687 with almost no unpaired passages; 0.35:
0.675; 0.4: 0.664); relation figures barely move between 0.15 and 0.3 (docs/bench/meaning-r6.md)."""
WEIGHTS_PARAPHRASE: dict[str, float] = {
    "lexical": 0.25, "lexical_abs": 0.20, "meaning": 0.65, "wording": 0.0, "names": 0.05,
    "heading": 0.05, "kind": 0.05, "pledge": 0.45, "section": 0.20,
}
"""With the paraphrase-trained encoder (all-MiniLM-L6-v2, ``minilm``; vectors centred), the
default: learned by the same coordinate ascent on the 338 tuning links (the older signals from
equal weights, ``pledge`` from 0). Cross-validated (mean of 3 visiting orders) 0.349 / 0.533
top-1 / top-3 in 5 folds and 0.367 / 0.526 leaving one plan pair out, against 0.329 / 0.510
and 0.329 / 0.512 without the ``pledge`` signal on the same library (docs/bench/pledge10-r10.md;
before it: docs/bench/meaning7-r7.md)."""
WEIGHTS_PARAPHRASE_UNSCORED: dict[str, float] = {
    "lexical": 0.20, "lexical_abs": 0.10, "meaning": 0.40, "wording": 0.10, "names": 0.20,
    "heading": 0.15, "kind": 0.15, "section": 0.20,
}
"""``WEIGHTS_PARAPHRASE`` before the ``pledge`` signal (round 9's, docs/bench/meaning7-r7.md), for
a later plan whose units were stored before their confidence was (migration m006): there the
signal is the same for every passage, and these weights rank better than the refit ones less
the signal (tuning links, in-sample: 0.349 / 0.509 against 0.343 / 0.491)."""
NO_SUCCESSOR_BELOW_PARAPHRASE = 0.0
"""As with the sentence encoder: no bar reached a precision of 0.6 on the tuning links' dropped
ones, so the verdict is taken on the lexical and named signals alone."""
CLOSE_PARAPHRASE = 0.25
"""``CLOSE`` with the paraphrase encoder, chosen on the tuning links as ``CLOSE_SENTENCE`` was:
compare holds as many links as without a model (0.675; 0.3: 0.673, 0.4: 0.664) while passages
are still left unpaired ("only in" lists of 480 / 1,346 passages over the ten pairs; 0.2: 227 /
1,245); below 0.25 false reversals rise from 5 to 7 of 139 (docs/bench/meaning7-r7.md)."""
PARAPHRASE_MODELS = ("all-minilm-",)
"""Model ids (prefixes) that get the paraphrase encoder's weights rather than the sentence
encoder's: their cosines are spread differently, so each has its own."""
CENTRE = True
"""Sentence vectors are centred on the later plan's mean before the cosine (the plan's common
direction removed; ``SifSpace`` does the same for pooled token vectors). Cross-validated on the
tuning links: 0.307 / 0.488 centred against 0.304 / 0.477 plain (docs/bench/meaning-r6.md)."""
ABSOLUTE = ("lexical_abs", "meaning", "wording", "names")
"""Signals that say how close a pair is in absolute terms (the others rank: relative BM25,
heading, section, kind). "No successor" and the gate on cessation cues use only these, so a
plan with one passage does not make that passage "close" by being the best there is."""
SHORTLIST = 60
DENSE_LIMIT = 8_000_000
"""Up to this many (token, passage) cells, BM25 is kept as a dense array (fast batches)."""
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


@dataclass(frozen=True, slots=True)
class Query:
    """One source to rank: its text, heading, section affinities and keys to leave out."""

    text: str
    heading: str = ""
    sections: dict[int, float] | None = None
    exclude: frozenset[str] = frozenset()


def _dense_scores(scores: dict[str, Any], vocab: int, docs: int) -> Any:
    """bm25s's per-token document scores (CSC arrays) as a dense (tokens × docs) array."""
    dense = np.zeros((vocab, docs), dtype=np.float32)
    data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
    for t in range(min(vocab, len(indptr) - 1)):
        a, b = indptr[t], indptr[t + 1]
        dense[t, indices[a:b]] = data[a:b]
    return dense


def closeness(signals: dict[str, float], weights: dict[str, float]) -> float:
    """The absolute part of a pair's score (see ``ABSOLUTE``)."""
    return sum(weights.get(k, 0.0) * signals.get(k, 0.0) for k in ABSOLUTE)


def fingerprint(passages: Sequence[Passage]) -> str:
    """What an index of ``passages`` depends on: keys, texts, headings and the ``pledge``
    signal (a unit's stored confidence)."""
    joined = "\x1e".join(f"{p.key}\x1f{p.text}\x1f{p.heading}\x1f{pledge_signal(p)}"
                          for p in passages)
    return hashlib.blake2b(joined.encode("utf-8", "replace"), digest_size=16).hexdigest()


_NUMBERING = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|[•●▪■◦\-–—*])\s+")


def _said(folded: str) -> str:
    """What a passage says, for spotting the same words twice in a plan (a pledge listed in a
    summary and again as its section's lead): folded text without list numbering and
    punctuation."""
    return " ".join(re.sub(r"[^\w ]", " ", _NUMBERING.sub("", folded)).split())


def _unit(x: Any) -> Any:
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)


def _display(item: str, text: str) -> str:
    """The original casing of a casefolded named thing, for reasons shown to people."""
    at = fold(text).find(item)
    return text[at: at + len(item)] if at >= 0 and len(fold(text)) == len(text) else item


class PlanIndex:
    """What queries against one plan version reuse. Build once; read from many threads."""

    def __init__(self, passages: Sequence[Passage], embedder: Embedder | None = None,
                 *, centre: bool | None = None) -> None:
        self.passages = list(passages)
        self.embedder = embedder
        self._tokens = [tokens(p.text) or ["\x00"] for p in self.passages]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if self.passages:
            self._bm25.index(self._tokens, show_progress=False)
        self._dense: Any = None
        if self.passages and len(self._bm25.vocab_dict) * len(self.passages) <= DENSE_LIMIT:
            self._dense = _dense_scores(self._bm25.scores, len(self._bm25.vocab_dict),
                                        len(self.passages))
        n = max(1, len(self.passages))
        df = Counter(t for toks in self._tokens for t in set(toks))
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._pos = {p.key: i for i, p in enumerate(self.passages)}
        self._entities = [entities(p.text) for p in self.passages]
        edf = Counter(x for e in self._entities for x in e.all)
        self._entity_idf = {x: math.log(1 + n / c) / math.log(1 + n) for x, c in edf.items()}
        self._by_entity: dict[str, list[int]] = {}
        for i, e in enumerate(self._entities):
            for x in e.all:
                self._by_entity.setdefault(x, []).append(i)
        self._folded = [fold(p.text) for p in self.passages]
        self._said = [_said(f) for f in self._folded]
        headings = [fold(" ".join(p.path) or p.heading) for p in self.passages]
        self._heading_list = list(dict.fromkeys(headings))
        where = {h: k for k, h in enumerate(self._heading_list)}
        self._heading_of = np.array([where[h] for h in headings], dtype=int)
        self._section_ids = {sid: k for k, sid in enumerate(
            dict.fromkeys(p.section_id for p in self.passages if p.section_id is not None))}
        self._section_col = np.array(
            [self._section_ids.get(p.section_id, len(self._section_ids)) if p.section_id
             is not None else len(self._section_ids) for p in self.passages], dtype=int)
        self._kind = np.array([1.0 if p.kind == "commitment" else 0.0 for p in self.passages])
        self._pledge = np.array([pledge_signal(p) for p in self.passages])
        # the units' confidence was stored (a plan imported before migration m006 has none)
        self.scored = any(p.commitment is not None and p.commitment.pledge is not None
                          for p in self.passages)
        self._vectors: Any = None
        self._sif: SifSpace | None = None
        self._mean: Any = None
        self.kind = "off" if embedder is None else (
            "sif" if hasattr(embedder, "token_ids") else "sentence")
        self.paraphrase = self.kind == "sentence" and str(
            getattr(embedder, "model_id", "")).startswith(PARAPHRASE_MODELS)
        if embedder is not None and self.passages:
            if self.kind == "sif":  # smooth-inverse-frequency pooling (SifSpace)
                self._sif = SifSpace(embedder, [p.text for p in self.passages])  # type: ignore[arg-type]
                self._vectors = self._sif.vectors
            else:
                self._vectors = np.asarray(embedder.embed([p.text for p in self.passages]),
                                           dtype=np.float32)
                if CENTRE if centre is None else centre:
                    self._mean = self._vectors.mean(axis=0)
                    self._vectors = _unit(self._vectors - self._mean)

    def __len__(self) -> int:
        return len(self.passages)

    # -- signals over every passage (vectorised) -------------------------------------------

    def _names(self, items: frozenset[str]) -> Any:
        out = np.zeros(len(self.passages))
        for x in items:
            for i in self._by_entity.get(x, ()):
                out[i] += self._entity_idf.get(x, 1.0)
        return np.minimum(1.0, out / 2.0)

    def _heading(self, heading: str) -> Any:
        if not heading:
            return np.zeros(len(self.passages))
        sims = np.array([fuzz.token_set_ratio(heading, h) / 100.0 if h else 0.0
                         for h in self._heading_list])
        return sims[self._heading_of]

    def _section(self, sections: dict[int, float] | None) -> Any:
        if not sections:
            return np.zeros(len(self.passages))
        values = np.zeros(len(self._section_ids) + 1)  # the last cell: passages without one
        for sid, v in sections.items():
            at = self._section_ids.get(sid)
            if at is not None:
                values[at] = v
        return values[self._section_col]

    def embed_sources(self, texts: Sequence[str]) -> Any:
        """Vectors for many sources at once (one model call), for ``rank(vector=...)``."""
        if self.embedder is None or self._vectors is None or not texts:
            return None
        if self._sif is not None:
            return self._sif.encode(list(texts))
        vectors = np.asarray(self.embedder.embed(list(texts)), dtype=np.float32)
        return vectors if self._mean is None else _unit(vectors - self._mean)

    # -- ranking ---------------------------------------------------------------------------

    def close(self) -> float:
        if self._vectors is None:
            return CLOSE_WITHOUT_MODEL
        if self.kind == "sentence":
            return CLOSE_PARAPHRASE if self.paraphrase else CLOSE_SENTENCE
        return CLOSE

    def defaults(self) -> tuple[dict[str, float], float]:
        """The learned weights and no-successor bar for this index (by its meaning model)."""
        if self._vectors is None:
            return WEIGHTS_WITHOUT_MODEL, NO_SUCCESSOR_BELOW_WITHOUT_MODEL
        if self.kind == "sentence" and self.paraphrase:
            return (WEIGHTS_PARAPHRASE if self.scored else WEIGHTS_PARAPHRASE_UNSCORED,
                    NO_SUCCESSOR_BELOW_PARAPHRASE)
        if self.kind == "sentence":
            return WEIGHTS_SENTENCE, NO_SUCCESSOR_BELOW_SENTENCE
        return WEIGHTS, NO_SUCCESSOR_BELOW

    def closeness_weights(self) -> dict[str, float]:
        """The weights a pair's closeness (``closeness``: relation cues, compare's bar) is read
        with: the weights ``close()`` was calibrated on. With the paraphrase encoder these stay
        round 9's, so the ``pledge`` signal changes the order of the candidates, not how close
        a pair counts (its refit weights weigh meaning more and would pair more passages in
        compare and pass more cessation cues)."""
        if self._vectors is not None and self.kind == "sentence" and self.paraphrase:
            return WEIGHTS_PARAPHRASE_UNSCORED
        return self.defaults()[0]

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
        return self.rank_many([Query(text, heading, sections, exclude)], limit=limit,
                              weights=weights, no_successor_below=no_successor_below)[0]

    def rank_many(
        self,
        queries: Sequence[Query],
        *,
        limit: int = 5,
        shortlist: int = SHORTLIST,
        weights: dict[str, float] | None = None,
        no_successor_below: float | None = None,
    ) -> list[Ranking]:
        """``rank`` for many sources at once: BM25 and meaning as two matrix products, so a
        whole plan is ranked in one pass (compare and ``suggest_all`` use it)."""
        w, cut = self.defaults()
        w = weights or w
        near = w if weights else self.closeness_weights()
        cut = cut if no_successor_below is None else no_successor_below
        if not self.passages:
            return [Ranking((), "dropped", ("nothing to compare",), True) for _ in queries]
        query_tokens = [tokens(q.text) for q in queries]
        lexical = self._lexical_many(query_tokens)
        vectors = self.embed_sources([q.text for q in queries])
        # every source against every passage in one matrix product (a matrix-vector product per
        # source is many times slower under BLAS threads on a busy machine)
        cosines = vectors @ self._vectors.T if vectors is not None else None
        heading_cache: dict[str, Any] = {}
        out = []
        for n, q in enumerate(queries):
            if not q.text.strip():
                out.append(Ranking((), "dropped", ("nothing to compare",), True))
                continue
            bm = lexical[n]
            self_weight = sum(self._idf.get(t, self._max_idf) for t in set(query_tokens[n])) * 1.1
            top_bm = float(bm.max())
            head = fold(q.heading)
            if head not in heading_cache:
                heading_cache[head] = self._heading(head)
            columns = {
                "lexical": bm / top_bm if top_bm > 0 else bm,
                "lexical_abs": np.minimum(1.0, bm / self_weight) if self_weight > 0 else bm,
                "names": self._names(entities(q.text).all),
                "heading": heading_cache[head],
                "kind": self._kind,
                "pledge": self._pledge,
                "section": self._section(q.sections),
            }
            if vectors is not None:
                columns["meaning"] = np.clip(cosines[n], 0.0, 1.0)
            out.append(self._finish(q, columns, w, cut, limit, shortlist, near))
        return out

    def _lexical_many(self, queries: Sequence[list[str]]) -> Any:
        """BM25 of every query in every passage: a (queries × passages) array. The per-token
        scores are bm25s's own (``BM25.scores``), summed for each query's tokens."""
        ids = self._bm25.vocab_dict
        out = np.zeros((len(queries), len(self.passages)))
        if self._dense is not None:
            for n, q in enumerate(queries):
                rows = [ids[t] for t in q if t in ids]
                if rows:
                    out[n] = self._dense[rows].sum(axis=0)
            return out
        for n, q in enumerate(queries):
            known = [t for t in q if t in ids]
            if known:
                out[n] = np.asarray(self._bm25.get_scores(known), dtype=float)
        return out

    def _finish(self, q: Query, columns: dict[str, Any], w: dict[str, float], cut: float,
                limit: int, shortlist: int, near: dict[str, float] | None = None) -> Ranking:
        near = near or w  # the weights closeness is read with (``closeness_weights``)
        pre = sum(w.get(k, 0.0) * v for k, v in columns.items())
        k = min(len(pre), shortlist + len(q.exclude))
        order = np.argpartition(-pre, k - 1)[:k] if k < len(pre) else np.arange(len(pre))
        folded_src = fold(q.text)
        w_wording = w.get("wording", 0.0)

        def wording_of(i: int) -> float:
            return max(fuzz.token_sort_ratio(folded_src, self._folded[i]),
                       0.9 * fuzz.token_set_ratio(folded_src, self._folded[i])) / 100.0

        # the wording signal is costly: computed for the whole shortlist only when it weighs in
        # the ranking (in one batch: rapidfuzz's cdist), else only for the candidates returned
        batch: dict[int, float] = {}
        if w_wording and len(order):
            hay = [self._folded[int(i)] for i in order]
            sort = process.cdist([folded_src], hay, scorer=fuzz.token_sort_ratio)[0]
            tset = process.cdist([folded_src], hay, scorer=fuzz.token_set_ratio)[0]
            batch = {int(i): max(float(a), 0.9 * float(b)) / 100.0
                     for i, a, b in zip(order, sort, tset, strict=True)}
        scored: list[tuple[float, int, int, float | None]] = []
        for i in (int(x) for x in order):
            p = self.passages[i]
            if p.key in q.exclude:
                continue
            wording = batch.get(i) if w_wording else None
            scored.append((-(float(pre[i]) + w_wording * (wording or 0.0)), p.page_index, i,
                           wording))
        scored.sort(key=lambda x: (x[0], x[1], self.passages[x[2]].start))
        matches: list[Match] = []
        seen_text: set[str] = set()
        unique = []
        for row in scored:
            said = self._said[row[2]]
            if said in seen_text:
                continue
            seen_text.add(said)
            unique.append(row)
            if len(unique) >= limit:
                break
        for neg, _, i, wording in unique:
            signals = {k: round(float(v[i]), 3) for k, v in columns.items()}
            signals.setdefault("meaning", 0.0)
            signals["wording"] = round(wording if wording is not None else wording_of(i), 3)
            matches.append(Match(self.passages[i], round(-neg, 4), "", (), signals))
        top = [self._label(q.text, m, near) for m in matches]

        def make(i: int) -> Match:  # contrast retrieval: a reversal far down the ranking
            signals = {k: round(float(v[i]), 3) for k, v in columns.items()}
            signals.setdefault("meaning", 0.0)
            signals["wording"] = round(wording_of(i), 3)
            return self._label(q.text, Match(self.passages[i], round(float(pre[i]), 4), "", (),
                                             signals), near)

        top = promote(self, q.text, top, pre, make, exclude=q.exclude)
        # with the sentence encoder every pair has some closeness (meaning, wording), and no bar
        # on it reached a precision of 0.6 on the tuning links' dropped ones: "no successor"
        # stays as without a model, only when no passage shares a word or a name
        verdict = WEIGHTS_WITHOUT_MODEL if self.kind == "sentence" else near
        best = max((closeness(m.signals, verdict) for m in top[:5]), default=0.0)
        if best <= cut:  # nothing is close: no candidates to wade through, only the verdict
            return Ranking((), "dropped",
                           ("no passage of the later plan is close (closest "
                            f"{best:.2f}, bar {cut:.2f})" if top else "no candidate",),
                           True)
        return Ranking(tuple(top), top[0].relation, top[0].reasons, False)

    def _label(self, text: str, m: Match, w: dict[str, float]) -> Match:
        p = m.passage
        shared = sorted(entities(text).all & self._entities[self._pos[p.key]].all) \
            if m.signals.get("names") else []
        # 0.5 = just close enough to be a successor; cessation cues count from there on
        close = self.close()
        ratio = min(1.0, closeness(m.signals, w) / (2 * close)) if close > 0 else 1.0
        proposal = propose(text, p.text, similarity=ratio, wording=m.signals["wording"],
                           shared=[_display(s, text) for s in shared], reversal_min=0.5)
        reasons = list(proposal.reasons)
        s = m.signals
        if s.get("lexical_abs", 0) >= 0.3:
            reasons.append(f"shares rare words (BM25 {s['lexical_abs']:.2f})")
        if s.get("meaning", 0) >= 0.4:
            reasons.append(f"similar meaning ({s['meaning']:.2f})")
        if s.get("heading", 0) >= 0.8:
            reasons.append("similar section heading")
        if p.kind == "sentence":
            reasons.append("a sentence of the later plan not marked as a commitment")
        return Match(p, m.score, proposal.relation, tuple(reasons), s)


# -- the per-process cache -----------------------------------------------------------------

class Remembered:
    """A sentence model whose vectors are looked up by text in a ``vectors.VectorCache`` (in
    memory, and on disk when given the library's cache folder), so a plan is embedded once, not
    in every process. The cache rounds vectors to float16 as it stores them, so a ranking is
    the same whether its vectors were just computed or read back from disk."""

    def __init__(self, model: Embedder, folder: Path | None) -> None:
        self.model = model
        self.cache = cache_for(model, folder)
        self.model_id = self.cache.model_id

    def embed(self, texts: Sequence[str]) -> Any:
        return self.cache.vectors(list(texts))


def meaning_model(folder: Path | None = None) -> Embedder | None:
    """The engine's meaning model (``embedding.choice``): a sentence encoder (MiniLM by
    default, or USE), its vectors remembered in ``folder`` (a library's ``cache/vectors``;
    None: this process only); WordLlama (token vectors pooled per plan by ``SifSpace``); or
    None."""
    model = load_embedder()
    if model is None or hasattr(model, "token_ids"):
        return model
    return Remembered(model, folder)


_CACHE: OrderedDict[tuple[str, str, str], PlanIndex] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def index_for(passages: Sequence[Passage], *, plan: str = "",
              folder: Path | None = None) -> PlanIndex:
    """The (cached) index of one plan's passages; rebuilt only when they change.

    Args:
        passages: the plan's passages (``passages.plan_passages``).
        plan: its slug (part of the cache key).
        folder: where sentence vectors are remembered across processes (the library's
            ``cache/vectors``, see ``service.vector_folder``); None keeps them in memory.
    """
    embedder = meaning_model(folder)
    key = (plan, fingerprint(passages),
           "" if embedder is None else str(getattr(embedder, "model_id", type(embedder))))
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
