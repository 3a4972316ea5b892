"""Whoosh's BM25F with each field's lengths read once per segment (speed only, same scores).

Whoosh's scorer asks ``searcher.doc_field_length`` for every (term, matching passage): four
calls deep, the last reading one byte of the lengths column through the file object. About a
tenth of a two-word search's Whoosh time at the 20x tier went there. ``FastBM25F`` is Whoosh's
own ``BM25F`` (same ``bm25`` function, same arguments); only the length comes from the column's
bytes read once per segment and field, mapped by Whoosh's own ``byte_to_length``. Anything it
does not recognise (another codec, a column not one byte wide) keeps Whoosh's lookup.
Imports nothing of ours.
"""

from __future__ import annotations

import weakref

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import byte_to_length

__all__ = ["FastBM25F"]

# Whoosh's doc_field_length: byte_to_length(b) when b, else None (its ``if lbyte`` falls through)
_LENGTH = tuple(byte_to_length(b) if b else None for b in range(256))


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
    return tuple(_LENGTH[b] for b in raw) + (default,) * (perdoc._doccount + 1 - count)
