"""The meaning signal in search: a page of lexical hits re-ordered by how close each is in meaning.

Strategy (measured in docs/bench/search7-r7.md, after docs/bench/hybrid-r6.md). The encoder is
all-MiniLM-L6-v2 (``workbench.matching.embedding.paraphrase_model``), trained on question →
passage pairs, so a short query and a plan passage can be compared. Measured as a retriever of
its own over every commitment and section paragraph of the sample library, it ranks few of the
passages the lexical search misses in its top 10, and adding its hits (reciprocal rank fusion,
or in the slots the soft AND fills) pushed good lexical hits off the page on every tuning set.
Used to re-order the lexical hits it helps on broad topics, where a dozen passages hold the
words equally well: the lexical search fetches ``DENSE_POOL`` hits (the page as it would be
without the signal, then the deeper hits not on it), each keeps the reciprocal of its lexical
rank (``RRF_K``) and gains ``DENSE_WEIGHT`` times its cosine with the query, and the best
``limit`` are shown. A hit's cosine is that of its closest *chunk* (a paragraph, long ones cut
at sentence ends into about ``CHUNK_WORDS`` words): the model reads at most 128 tokens, and a
quarter of the hits are sections longer than that, whose opening says little about the rest.

What it never does: add a hit (only hits the lexical search found are shown); run for a query
with a quote mark (a quoted phrase's hits and their order are exactly the lexical ones, and the
model is not asked), a date sort or a bulk page (more than ``DENSE_MAX_LIMIT`` hits); move a
soft-AND hit (tier 1+) above a full match.

Vectors: each chunk through ``workbench.matching.vectors.cache_for`` (remembered by text for
the process and on disk in the library's ``cache/vectors`` folder, derived data that may be
deleted at any time; shared with the matching engine when it runs the same model). Only the
chunks of the hits being re-ordered that the cache lacks are computed, when a search first shows
them; nothing is computed ahead. In the window searches run on the database thread, so the window
never waits on it. A library of more than ``DENSE_MAX_PASSAGES`` passages gets no meaning signal:
there almost every search meets passages never seen before, and encoding them would break
search's speed target (issue 13: p95 within raw Whoosh's at the 20× tier, 150 ms at 200×).

The model is loaded at the first search that uses the signal (about 0.75 s; once per process,
so the window pays it once and each ``workbench search`` command pays it).
``WORKBENCH_EMBEDDINGS=off`` (every meaning model off) or ``WORKBENCH_SEARCH_MEANING=off``
(search only) keeps the lexical ranking and never loads the model.

Imports ``workbench`` (the model and the vector cache) and nothing else of ours; emits nothing.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexing.search_hits import _inside, _paragraphs
from workbench.matching.embedding import ENV_SWITCH as MODELS_SWITCH
from workbench.matching.embedding import paraphrase_model
from workbench.matching.vectors import cache_for

__all__ = ["CHUNK_WORDS", "DENSE_MAX_LIMIT", "DENSE_MAX_PASSAGES", "DENSE_POOL", "DENSE_WEIGHT",
           "ENV_SWITCH", "DenseRanker", "chunks"]

log = logging.getLogger(__name__)

DENSE_POOL = 30  # lexical hits re-ordered (pools of 20, 50 and 100 gave the same recall)
RRF_K = 60  # a hit's lexical part is 1 / (RRF_K + rank), rank from 1 (Cormack et al. 2009)
# cosine weight, chosen on the five tuning files (recall@10 passages found of 225/152/251/108/64;
# lexical alone 220/149/244/74/46 = 733): 0.002 740, 0.003 740, 0.004 740, 0.005 739,
# 0.006 740, 0.008 740, 0.01 736; the middle of the plateau (docs/bench/search7-r7.md)
DENSE_WEIGHT = 0.004
CHUNK_WORDS = 60  # a longer paragraph is cut at sentence ends into pieces of about this many
DENSE_MAX_PASSAGES = 20_000  # above this many indexed passages: lexical ranking only
DENSE_MAX_LIMIT = 100  # pages a person reads; bulk selections keep the lexical order
ENV_SWITCH = "WORKBENCH_SEARCH_MEANING"  # "off": search keeps the lexical ranking
_OFF = ("off", "0", "no", "false", "none")
_OPERATOR = re.compile(r"^-|^\w+:")  # exclusions and field filters are not what it is about
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def switched_off() -> bool:
    """Whether the environment turns the search meaning signal off (either switch)."""
    return any(os.environ.get(name, "").strip().casefold() in _OFF
               for name in (ENV_SWITCH, MODELS_SWITCH))


class DenseRanker:
    """Re-orders a page of lexical hits by meaning; inert when no model is available.

    Args:
        folder: where vectors are kept on disk (the library's ``cache/vectors``); None keeps
            them in memory only.
        model: an ``Embedder``; by default all-MiniLM-L6-v2, loaded at the first search that
            uses it. ``False`` switches the signal off (tests, comparisons).
    """

    def __init__(self, folder: Path | None = None, model: Any = None) -> None:
        self.folder = folder
        if model is None and switched_off():
            model = False
        self._model = model

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = paraphrase_model() or False  # a missing wheel: lexical only
        return self._model or None

    def applies(self, query: str, passages: int, limit: int, sort: str) -> bool:
        """Whether a search of ``query`` over ``passages`` indexed passages is re-ordered."""
        return (self._model is not False and sort == "relevance" and '"' not in query
                and limit <= DENSE_MAX_LIMIT and 0 < passages <= DENSE_MAX_PASSAGES
                and bool(meaning_text(query)) and self.model is not None)

    def rerank(self, query: str, page: Sequence[Any], limit: int,
               more: Sequence[Any] = ()) -> list[Any]:
        """The best ``limit`` of the lexical ``page`` and, after it, the hits of the deeper
        lexical page ``more`` that are not on it (``Candidate``s: ``text``, ``tier``, ``norm``).

        ``more`` comes from a search of its own: a deeper pool re-ranks and collapses
        differently, so its first hits are not always ``page``'s; ``page`` keeps its order and
        a hit of ``more`` that stands in one of its hits (or holds one) is left out, so the
        result never shows a passage twice or nested.
        """
        cands = list(page)
        for c in more:
            if len(cands) >= DENSE_POOL:
                break
            key = c.fields.get("key")
            if not any(k.fields.get("key") == key or _inside(c.norm, k.norm)
                       or _inside(k.norm, c.norm) for k in cands):
                cands.append(c)
        model = self.model
        if model is None or len(cands) <= 1:
            return list(cands)[:limit]
        try:
            cos = self.closeness(meaning_text(query), [c.text for c in cands])
        except Exception:  # the signal is optional: a broken model must not break search
            log.warning("meaning signal failed; lexical order kept", exc_info=True)
            return list(cands)[:limit]
        keyed = sorted(
            (c.tier, -(1.0 / (RRF_K + n + 1) + DENSE_WEIGHT * float(cos[n])), n)
            for n, c in enumerate(cands)
        )
        return [cands[n] for _, _, n in keyed[:limit]]

    def closeness(self, query: str, texts: Sequence[str]) -> Any:
        """Each text's cosine with ``query``: that of its closest chunk (``chunks``)."""
        pieces = [chunks(t) for t in texts]
        flat = [p for ps in pieces for p in ps]
        qv = np.asarray(self.model.embed([query]), dtype=np.float32)[0]
        sims = cache_for(self.model, self.folder).vectors(flat) @ qv
        out, start = np.zeros(len(texts), dtype=np.float32), 0
        for n, ps in enumerate(pieces):
            out[n] = sims[start:start + len(ps)].max()
            start += len(ps)
        return out


def chunks(text: str) -> list[str]:
    """The pieces of a hit's text the model reads one at a time: its paragraphs, a paragraph
    of more than ``CHUNK_WORDS`` words cut at sentence ends (a sentence longer than that stays
    whole: the model reads its first 128 tokens)."""
    out: list[str] = []
    for para in _paragraphs(text):
        if len(para.split()) <= CHUNK_WORDS:
            out.append(para)
            continue
        piece: list[str] = []
        size = 0
        for sentence in _SENTENCE_END.split(para):
            words = len(sentence.split())
            if piece and size + words > CHUNK_WORDS:
                out.append(" ".join(piece))
                piece, size = [], 0
            piece.append(sentence)
            size += words
        if piece:
            out.append(" ".join(piece))
    return out or [text]


def meaning_text(query: str) -> str:
    """The words of a query that say what it is about (no ``-exclusions`` or ``field:`` filters)."""
    return " ".join(w for w in query.split() if not _OPERATOR.match(w)).strip()
