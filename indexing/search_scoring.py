"""Scoring and the top hits of a search, faster than Whoosh's own and with the same results.

``FastBM25F``: Whoosh's BM25F with each field's lengths read once per segment.
``top_docs``: ``Searcher.search`` computed over whole posting lists with numpy (below).

Whoosh's scorer asks ``searcher.doc_field_length`` for every (term, matching passage): four
calls deep, the last reading one byte of the lengths column through the file object. About a
tenth of a two-word search's Whoosh time at the 20x tier went there. ``FastBM25F`` is Whoosh's
own ``BM25F`` (same ``bm25`` function, same arguments); only the length comes from the column's
bytes read once per segment and field, mapped by Whoosh's own ``byte_to_length``. Anything it
does not recognise (another codec, a column not one byte wide) keeps Whoosh's lookup.
Both read Whoosh internals (whoosh-reloaded 2.7.5: the W3 codec's blocks and columns, the
collector's matcher tree); ``tests/indexing/test_search_scoring.py`` compares them with
Whoosh's own search, so an upgrade that changes those internals fails there. Imports
nothing of ours.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.collectors import TopCollector
from whoosh.compat import loads
from whoosh.matching import (
    AndMaybeMatcher,
    AndNotMatcher,
    FilterMatcher,
    IntersectionMatcher,
    InverseMatcher,
    ListMatcher,
    NullMatcherClass,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Results
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

__all__ = ["FastBM25F", "top_docs"]

# Whoosh's doc_field_length: byte_to_length(b) when b, else None (its ``if lbyte`` falls through)
_LENGTH = tuple(byte_to_length(b) if b else None for b in range(256))
_LENGTH_F = np.array([np.nan if v is None else v for v in _LENGTH], np.float64)


class FastBM25F(BM25F):
    """``whoosh.scoring.BM25F`` whose scorers look field lengths up in a per-segment table."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # per segment reader: {field: lengths}; dropped with the reader
        self._tables: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if type(scorer) is BM25FScorer:
            lengths = self._lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer

    def _lengths(self, reader, fieldname: str) -> tuple | None:
        try:
            per_field = self._tables.setdefault(reader, {})
        except TypeError:  # not weak-referenceable: keep Whoosh's lookup
            return None
        if fieldname not in per_field:
            per_field[fieldname] = _read_lengths(reader, fieldname)
        return per_field[fieldname]


def _read_lengths(reader, fieldname: str) -> tuple | None:
    """Every passage's length in ``fieldname`` as Whoosh's ``doc_field_length`` gives it, or
    None to keep that lookup (an unknown reader or column layout)."""
    perdoc = getattr(reader, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader:
        return None
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if (column is None or getattr(column, "_typecode", None) != "B"
            or getattr(column, "_fixedlen", None) != 1):
        return None
    count = min(column._count, perdoc._doccount)
    raw = column._dbfile.get(column._basepos, count) if count else b""
    default = _LENGTH[column._defaultbytes[0]]
    # the column stops at its last non-default entry; passages after it read the default
    extra = perdoc._doccount + 1 - count
    table = tuple(map(_LENGTH.__getitem__, raw)) + (default,) * extra
    # the same lengths as float64 for ``top_docs`` (None as NaN), from the same bytes
    array = np.concatenate((_LENGTH_F[np.frombuffer(raw, np.uint8)],
                            np.full(extra, np.nan if default is None else float(default))))
    _remember_array(table, array)
    return table


# -- the top hits of a query over whole posting lists ------------------------------------------
#
# Whoosh walks a query's matcher tree one passage at a time in Python (``is_active``, ``id``,
# ``skip_to``, ``score`` per node per posting), and its top-N collector's block-quality
# skipping almost never skips on this corpus (common words' blocks all hold a high-scoring
# passage). At the 200x tier that walk is most of a search. ``top_docs`` builds Whoosh's own
# matcher tree (``TopCollector.set_subsearcher``: same query, same per-segment matchers, same
# scorers), reads each term's postings block by block and combines the nodes with numpy:
# same documents, same scores (each node's arithmetic in Whoosh's order: a float64 sum of the
# same two float64 terms, BM25 with the same operands in the same order), and the same top N
# (score descending, then document number ascending: what Whoosh's heap keeps). A node it does
# not know (a phrase, a prefix expansion over many terms, ...) is walked through Whoosh's own
# matcher API, so its documents and scores are Whoosh's by construction.

_LEAF_TYPES = (W3LeafMatcher,)


def top_docs(searcher, q, limit: int, *, filter=None, mask=None, sortedby=None):
    """``searcher.search(q, limit=limit, filter=filter, mask=mask, sortedby=sortedby)``, with
    the matching done over whole posting lists. A filter, a sort, a limit as large as the index
    (Whoosh then counts every match) or another weighting use Whoosh's search itself."""
    if (filter is not None or sortedby is not None or not limit
            or limit >= searcher.doc_count() or searcher.weighting.use_final):
        return searcher.search(q, limit=limit, filter=filter, mask=mask, sortedby=sortedby)
    collector = TopCollector(limit)
    collector.prepare(searcher, q, searcher.context())
    all_ids, all_scores = [], []
    cache = _cache_of(searcher)
    for subsearcher, offset in searcher.leaf_searchers():
        collector.set_subsearcher(subsearcher, offset)
        _state.cache, _state.offset = cache, offset
        try:
            ids, scores = _evaluate(collector.matcher)
        finally:
            _state.cache = None
        if len(ids):
            all_ids.append(ids + offset)
            all_scores.append(scores)
    ids = np.concatenate(all_ids) if all_ids else np.zeros(0, np.int64)
    scores = np.concatenate(all_scores) if all_scores else np.zeros(0)
    if mask is not None and len(ids):
        restrict = searcher._filter_to_comb(mask)  # Whoosh's own conversion to docnums
        if restrict:
            keep = ~np.isin(ids, np.fromiter(restrict, np.int64, len(restrict)))
            ids, scores = ids[keep], scores[keep]
    collector.total = len(ids)  # the exact count, when Whoosh's collector would have one
    n = len(ids)
    if n > limit:
        kth = np.partition(scores, n - limit)[n - limit]  # the limit-th highest score
        near = scores >= kth
        ids, scores = ids[near], scores[near]
    order = np.lexsort((ids, -scores))[:limit]
    items = [(float(s), int(d)) for s, d in zip(scores[order], ids[order], strict=True)]
    results = Results(searcher, q, items)
    results.collector = collector  # exact length, or Whoosh's estimate: as its own search
    return results


def _evaluate(m, scored: bool = True, within: np.ndarray | None = None,
              ) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers ascending, scores) of every match of the fresh matcher ``m``; with
    ``scored`` false (a boolean context: AndNot's excluded side) the scores are not computed.
    ``within``: only these documents can matter to the caller (the other side of an AND):
    a long posting list may then be read only where they are (the answer may hold other
    documents too, each with its own score; the caller's set operation drops them)."""
    kind = type(m)
    if kind is UnionMatcher:
        (ia, sa), (ib, sb) = _evaluate(m.a, scored, within), _evaluate(m.b, scored, within)
        ids = _union(ia, ib)
        scores = np.zeros(len(ids))
        scores[np.searchsorted(ids, ia)] = sa
        scores[np.searchsorted(ids, ib)] += sb  # 0.0 + b is b; a + b where both match
        return ids, scores
    if kind is IntersectionMatcher:
        # the shorter side first; the other is then read where it can match only
        if _size(m.b) < _size(m.a):
            (ib, sb) = _evaluate(m.b, scored, within)
            (ia, sa) = _evaluate(m.a, scored, ib)
        else:
            (ia, sa) = _evaluate(m.a, scored, within)
            (ib, sb) = _evaluate(m.b, scored, ia)
        ids, pa, pb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
        return ids, sa[pa] + sb[pb]
    if kind is AndMaybeMatcher:
        ia, sa = _evaluate(m.a, scored, within)
        ib, sb = _evaluate(m.b, scored, ia)
        scores = sa.copy()
        if len(ib) and len(ia):
            pos = np.minimum(np.searchsorted(ib, ia), len(ib) - 1)
            both = ib[pos] == ia
            scores[both] += sb[pos[both]]
        return ia, scores
    if kind is AndNotMatcher:
        ia, sa = _evaluate(m.a, scored, within)
        ib, _ = _evaluate(m.b, False, ia)
        keep = ~np.isin(ia, ib, assume_unique=True)
        return ia[keep], sa[keep]
    if kind is WrappingMatcher:
        ids, scores = _evaluate(m.child, scored, within)
        return ids, scores * m.boost
    if kind is FilterMatcher:
        ids, scores = _evaluate(m.child, scored, within)
        listed = np.isin(ids, np.fromiter(m._ids, np.int64, len(m._ids)))
        keep = ~listed if m._exclude else listed
        return ids[keep], scores[keep] * m.boost
    if (pre := getattr(_state, "pre", None)) is not None and id(m) in pre:
        return pre[id(m)]  # a phrase's word, read with its positions (``_phrase``)
    if kind is InverseMatcher and (found := _inverse(m)) is not None:
        return found
    if kind is SpanNear2.SpanNear2Matcher and (found := _phrase(m, scored, within)) is not None:
        return found
    if isinstance(m, NullMatcherClass):
        return np.zeros(0, np.int64), np.zeros(0)
    return _term(m, scored, within)


def _term(m, scored: bool, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings (where ``within`` is only, when that is much cheaper), scored with
    numpy; any other matcher walked."""
    kind = type(m)
    if kind is W3LeafMatcher and _sparse(m, within):
        ids, weights, _ = _read_where(m, within, values=False)
        found = _scored(m.scorer, ids, weights, scored)
        if found is not None:
            return found
    if kind in _LEAF_TYPES or kind is ListMatcher:
        found = _leaf(m, scored)
        if found is not None:
            return found
    return _walk(m, scored)


_BLOCK_BYTES = 1000  # a posting block's size on disk, roughly (more with positions)


def _size(m) -> float:
    """A rough cost of reading ``m``'s postings (bytes on disk), to read the short side first."""
    kind = type(m)
    if kind is W3LeafMatcher:
        length = m._length
        return float(length[0] if isinstance(length, tuple) else length)
    if kind is ListMatcher:
        return 10.0 * len(m._ids)
    if isinstance(m, NullMatcherClass):
        return 0.0
    if kind is UnionMatcher:
        return _size(m.a) + _size(m.b)
    if kind is IntersectionMatcher:
        return min(_size(m.a), _size(m.b))
    if kind in (AndMaybeMatcher, AndNotMatcher):
        return _size(m.a)
    if kind in (WrappingMatcher, FilterMatcher):
        return _size(m.child)
    if kind is SpanNear2.SpanNear2Matcher:
        return min((_size(leaf) for leaf in m.ms), default=0.0)
    return float("inf")


def _sparse(m, within: np.ndarray | None) -> bool:
    """Whether to read a leaf only where ``within`` says (fewer documents than its blocks: most
    blocks are then never decompressed) rather than whole."""
    return within is not None and len(within) * _BLOCK_BYTES < _size(m)


def _read_where(m, targets: np.ndarray, *, values: bool) -> tuple[np.ndarray, np.ndarray, list]:
    """A leaf's postings at ``targets`` only, through Whoosh's own ``skip_to`` (which skips
    whole blocks by their headers): document numbers, weights and (with ``values``) values."""
    ids, weights, raw = [], [], []
    m.reset()
    for target in targets.tolist():
        if not m.is_active():
            break
        m.skip_to(target)
        if m.is_active() and m.id() == target:
            ids.append(target)
            weights.append(m.weight())
            if values:
                raw.append(m.value())
    return np.asarray(ids, np.int64), np.asarray(weights, np.float64), raw


def _union(ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted arrays of distinct numbers (``np.union1d`` hashes: ten
    times slower on posting lists)."""
    if not len(ia) or not len(ib):
        return ia if len(ia) else ib
    ids = np.concatenate((ia, ib))
    ids.sort(kind="stable")
    first = np.empty(len(ids), bool)
    first[0] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    return ids[first]


def _inverse(m) -> tuple[np.ndarray, np.ndarray] | None:
    """A ``Not``: every document below the matcher's limit that its child does not match
    and that is not deleted, each scored the matcher's weight; None to walk it when the
    deleted documents are not known (a ``missing`` that is not a reader's ``is_deleted``)."""
    reader = getattr(m.missing, "__self__", None)
    if getattr(m.missing, "__name__", "") != "is_deleted" or reader is None:
        return None
    deleted = reader.deleted_docs_set if reader.has_deletions() else ()
    child, _ = _evaluate(m.child, scored=False)
    absent = np.ones(m.limit, bool)
    absent[child[child < m.limit]] = False
    if deleted:
        gone = np.fromiter(deleted, np.int64, len(deleted))
        absent[gone[gone < m.limit]] = False
    ids = np.flatnonzero(absent).astype(np.int64)
    return ids, np.full(len(ids), float(m._weight))


def _walk(m, scored: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every (document, score) of ``m`` through Whoosh's matcher API: its own answer."""
    ids, scores = [], []
    while m.is_active():
        ids.append(m.id())
        if scored:
            scores.append(m.score())
        m.next()
    ids_array = np.asarray(ids, np.int64)
    return ids_array, (np.asarray(scores, np.float64) if scored else np.zeros(len(ids_array)))


# Scored postings kept per searcher (so per index version: a commit makes a new searcher), at
# most this many postings in all, the least recently used dropped first; 0 keeps none.
POSTINGS_CACHE = 0
_state = threading.local()
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Cache:
    def __init__(self) -> None:
        self.items: OrderedDict = OrderedDict()
        self.size = 0

    def get(self, key):
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key, value) -> None:
        self.items[key] = value
        self.size += len(value[0])
        while self.size > POSTINGS_CACHE and len(self.items) > 1:
            self.size -= len(self.items.popitem(last=False)[1][0])


def _cache_of(searcher) -> _Cache | None:
    if POSTINGS_CACHE <= 0:
        return None
    try:
        return _CACHES.setdefault(searcher, _Cache())
    except TypeError:  # not weak-referenceable
        return None


def _leaf(m, scored: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's postings scored with numpy (kept per searcher with ``POSTINGS_CACHE``), or
    None to walk it (an unknown scorer)."""
    cache = getattr(_state, "cache", None)
    term = getattr(m, "_term", None)
    if cache is None or term is None:
        return _score_leaf(m, scored)
    key = (_state.offset, term, scored)
    found = cache.get(key)
    if found is None:
        found = _score_leaf(m, scored)
        if found is not None:
            cache.put(key, found)
    return found


def _score_leaf(m, scored: bool) -> tuple[np.ndarray, np.ndarray] | None:
    if type(m) is ListMatcher:
        scorer = m._scorer
        ids = np.asarray(m._ids, np.int64)
        if m._all_weights:
            weights = np.full(len(ids), float(m._all_weights))
        elif m._weights:
            weights = np.asarray(m._weights, np.float64)
        else:
            weights = np.ones(len(ids))
    else:
        scorer = m.scorer
        ids, weights, _ = _read_leaf(m, values=False)
    return _scored(scorer, ids, weights, scored)


def _read_leaf(m, *, values: bool) -> tuple[np.ndarray, np.ndarray, list]:
    """A ``W3LeafMatcher``'s document numbers, weights and (with ``values``) raw values, every
    block. The whole list: a matcher built inside an AND may have skipped ahead already (to
    passages its partner could match); the set operations give the same answer either way,
    and a whole list can be kept for other queries."""
    id_parts, weight_parts, raw = [], [], []
    m.reset()
    while m.is_active():  # a block at a time, as Whoosh reads them
        m._read_ids()
        m._read_weights()
        id_parts.append(np.asarray(m._ids, np.int64))
        weight_parts.append(np.asarray(m._weights, np.float64))
        if values:
            m._read_values()
            raw.extend(m._values)
        m._next_block()
    if not id_parts:
        return np.zeros(0, np.int64), np.zeros(0), raw
    return np.concatenate(id_parts), np.concatenate(weight_parts), raw


def _scored(scorer, ids: np.ndarray, weights: np.ndarray,
            scored: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The scores of a term's postings (Whoosh's BM25F or weight scorer), None for another."""
    if type(scorer) is WeightScorer or not scored:
        return ids, (weights if scored else np.zeros(len(ids)))
    if type(scorer) is not BM25FScorer:
        return None
    table = getattr(scorer.dfl, "__self__", None)
    if type(table) is tuple:
        fl = _array_of(table)[ids]
        if np.isnan(fl).any():  # a length Whoosh reads as None: let Whoosh fail as it does
            return None
    else:
        fl = np.asarray([scorer.dfl(int(i)) for i in ids], np.float64)
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    # whoosh.scoring.bm25, operation for operation
    return ids, idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))


def _phrase(m, scored: bool, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """A quoted phrase (Whoosh's ``SpanNear2`` matcher, ordered, slop 1): its score is its
    words' AND (``m.child``, summed in that tree's order) times its boost; it matches where
    the words stand at consecutive positions, which is what the span matcher's chain of
    adjacent spans finds. The words' postings are read once (positions kept raw) and only the
    passages holding every word have their positions decoded. None to walk it otherwise."""
    if (m.slop != 1 or not m.ordered or m.mindist != 1 or len(m.ms) < 2
            or any(type(leaf) is not W3LeafMatcher
                   or (leaf._fixedsize is not None and leaf._fixedsize >= 0)
                   or not leaf.format.supports("positions") or leaf.format.supports("characters")
                   for leaf in m.ms)):
        return None
    read = {}
    common = within
    for leaf in sorted(m.ms, key=_size):  # the rarest word first: the others read where it is
        if _sparse(leaf, common):
            ids, weights, raw = _read_where(leaf, common, values=True)
        else:
            ids, weights, raw = _read_leaf(leaf, values=True)
        found = _scored(leaf.scorer, ids, weights, scored)
        if found is None:
            return None
        read[id(leaf)] = (found, raw)
        common = ids if common is None else np.intersect1d(common, ids, assume_unique=True)
    outer = getattr(_state, "pre", None)
    _state.pre = {key: found for key, (found, _) in read.items()}
    try:
        ids, scores = _evaluate(m.child, scored)
    finally:
        _state.pre = outer
    columns = []
    for leaf in m.ms:
        (leaf_ids, _), raw = read[id(leaf)]
        columns.append([raw[i] for i in np.searchsorted(leaf_ids, ids).tolist()])
    keep = np.fromiter((_consecutive(values) for values in zip(*columns, strict=True)),
                       bool, len(ids))
    return ids[keep], scores[keep] * m.boost


def _consecutive(values: tuple[bytes, ...]) -> bool:
    """Whether some position p holds word 0, p + 1 word 1, and so on (``Positions``-encoded
    values, decoded as ``Positions.decode_positions`` does)."""
    starts = None
    for offset, value in enumerate(values):
        if not value.endswith(b"."):
            value += b"."
        here = {p - offset for p in accumulate(loads(value[_INT_SIZE:]))}
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True


_ARRAY_OF: dict[int, tuple[tuple, np.ndarray]] = {}


def _array_of(table: tuple) -> np.ndarray:
    """The float64 array of a lengths table (None as NaN), made once per table."""
    held = _ARRAY_OF.get(id(table))
    if held is None or held[0] is not table:
        return _remember_array(table, np.array([np.nan if v is None else v for v in table],
                                               np.float64))
    return held[1]


def _remember_array(table: tuple, array: np.ndarray) -> np.ndarray:
    if len(_ARRAY_OF) > 64:
        _ARRAY_OF.clear()
    _ARRAY_OF[id(table)] = (table, array)
    return array
