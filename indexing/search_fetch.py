"""Fetching a page of hits from Whoosh: a candidate pool, collapsing, the soft AND fill.

``collect`` fetches more candidates than asked (the proximity re-rank and collapsing need a
pool), collapses nested hits (``indexing.search_hits.collapse``), fetches deeper while
collapsing left the page short and more matches exist, and, when every full match is in and
the page is still short, fills it with the soft AND (``ParsedQuery.relaxed``): passages
holding all the plain words but one, then all but two, each tier strictly below the one
before. Emits no events; imports nothing of ours but ``indexing``.
"""

from __future__ import annotations

from whoosh.sorting import FieldFacet, ScoreFacet

from indexing.analysis import stems
from indexing.query import DATE_START, ParsedQuery
from indexing.search_hits import Candidate, collapse
from indexing.search_scoring import top_docs

__all__ = ["FETCH_EXTRA", "FILL_MAX_LIMIT", "MAX_LIMIT", "NOTICE_SOME_WORDS", "collect"]

MAX_LIMIT = 1000
# candidates fetched beyond the limit (2 x limit + this when re-ranking by proximity; 1.5 x limit
# + 10 there was measured too: tuning recall 0.964 -> 0.955), for the hits collapsing removes
FETCH_EXTRA = 10
POOL = 1.5  # the pool is POOL x limit + FETCH_EXTRA when re-ranking by nearness (2.0: same dev recall)
FILL_MAX_LIMIT = 100  # the soft AND fills pages of at most this many hits (see _fills)
# the soft AND filled the page (``_fill``): say how many hits hold every word (they come first)
NOTICE_SOME_WORDS = "{} passage(s) hold all the words; the hits after them hold most of them"


def collect(searcher, parsed: ParsedQuery, fq, terms: frozenset[str], limit: int, sort: str):
    """(the hits to show, the total): fetch more than asked, collapse nested hits, and fetch
    again with a deeper pool while collapsing left the page short and more matches exist."""
    kwargs: dict[str, object] = {}
    if sort == "date":
        kwargs["sortedby"] = [FieldFacet(DATE_START, reverse=True), ScoreFacet()]
    near = parsed.near if sort == "relevance" else ()
    # the proximity re-rank needs a pool to choose from; collapsing only a margin
    fetch = min(MAX_LIMIT, (int(limit * POOL) if near else limit) + FETCH_EXTRA)
    if not near and parsed.phrases and sort == "relevance":
        # a quoted phrase's hits are re-ranked too: a heading that holds it ranks them first
        near = tuple(dict.fromkeys(st for p in parsed.phrases for st in stems(" ".join(p))))
    # Whoosh ranks every match whatever the limit (a deeper limit costs ~2 % more), so one
    # search fetches twice the pool and collapsing reads further into it when the pool left the
    # page short (repeated passages), instead of searching again; its order is a prefix of any
    # deeper search's, so the hits are those of searching ``fetch`` deep each time.
    deep = read = 0
    pool: list[Candidate] = []
    while True:
        if fetch > deep:
            deep = min(MAX_LIMIT, 2 * fetch)
            results = top_docs(searcher, parsed.query, deep, filter=fq, **kwargs)
            pool, read = [], 0
        # An exact count walks every match again (a third of a common query's time);
        # past one page of hits Whoosh's estimate is what a person needs.
        scored = min(results.scored_length(), fetch)
        for c in pool:  # collapse() cuts sections afresh from their stored text
            c.text = c.source or c.text
        for i in range(read, scored):
            hit = results[i]
            if (f := hit.fields()) is not None:
                pool.append(Candidate(f, _score(hit), f.get("body", "") or "", docnum=hit.docnum))
        read = scored
        cands = list(pool)
        if scored < fetch:  # every match is here: count the collapsed list exactly
            shown = collapse(cands, terms, parsed.phrases, MAX_LIMIT, near)
            if len(shown) < limit and _fills(parsed, limit, sort):
                return _fill(searcher, parsed, fq, terms, limit, limit - len(shown), cands, near)
            return shown[:limit], len(shown)
        shown = collapse(cands, terms, parsed.phrases, limit, near)
        if len(shown) >= limit or fetch >= MAX_LIMIT:
            return shown, max(scored, results.estimated_length())
        fetch = min(MAX_LIMIT, fetch * 2)


def _score(hit) -> float:
    """A hit's relevance. Sorted by date, Whoosh gives the sort key instead, here
    (-date, -score): ``float()`` of it raised, and every date-sorted search failed and wiped
    the index."""
    score = hit.score
    if isinstance(score, tuple):
        score = -score[-1] if score and isinstance(score[-1], (int, float)) else 0.0
    return float(score or 0.0)


def _fills(parsed: ParsedQuery, limit: int, sort: str) -> bool:
    """The soft AND fills a page a person reads, ranked by relevance; never a bulk selection
    (``workbench pack --search`` asks for ``MAX_LIMIT`` hits and must get only full matches)."""
    return bool(parsed.relaxed) and sort == "relevance" and limit <= FILL_MAX_LIMIT


def _fill(searcher, parsed: ParsedQuery, fq, terms: frozenset[str], limit: int, missing: int,
          full: list[Candidate], near) -> tuple[list[Candidate], int]:
    """The full matches, then passages holding all the words but one, then all but two, …
    (``ParsedQuery.relaxed``), each tier ranked strictly below the one before and collapsed
    with them (a finer unit is still shown once), until the page is full. Each tier fetches a
    pool for the ``missing`` places only, masking the passages already fetched."""
    cands = list(full)
    shown: list[Candidate] = []
    for tier, relaxed in enumerate(parsed.relaxed, 1):
        fetch = min(MAX_LIMIT, missing * 2 + FETCH_EXTRA)
        have = {c.docnum for c in cands}
        if tier == 1 and parsed.relaxed_parts:  # disjoint here: see ``relaxed_parts``
            found = sorted((hit for part in parsed.relaxed_parts
                            for hit in top_docs(searcher, part, fetch, filter=fq, mask=have)),
                           key=lambda hit: (-hit.score, hit.docnum))[:fetch]
        else:
            found = list(top_docs(searcher, relaxed, fetch, filter=fq, mask=have))
        cands += [
            Candidate(r.fields(), _score(r), r.fields().get("body", "") or "", tier=tier,
                      docnum=r.docnum)
            for r in found
        ]
        for c in cands:  # collapse() cuts sections afresh from their stored text
            c.text = c.source or c.text
        shown = collapse(cands, terms, parsed.phrases, limit, near)
        if len(shown) >= limit:
            break
    return shown[:limit], len(shown)
