"""Snippets: the best fragment of a hit's text with the matched words in ``[[ ]]``.

The fragment is the one Whoosh's ``highlight`` picks (``ContextFragmenter``, the basic
fragment scorer, one fragment), and ``snippet`` still uses Whoosh's fragmenter and scorer for
it. Only the token stream is ours (``_tokens``): the same tokens, character offsets and term
forms as ``highlight_analyzer`` gives, without its chain of filters and a Whoosh ``Token`` per
word, and with each word's form decided once per process (a page of 20 hits tokenises
~2,000 words; the filter chain was about two thirds of the time a search spent on snippets).
``tests/indexing/test_search_snippet.py`` checks both give the same snippets.

Imports nothing of ours but ``indexing.analysis``; emits no events.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Formatter,
    get_text,
    top_fragments,
)

from indexing.analysis import TOKEN, acronym_form, porter_stem, word_parts

__all__ = ["SNIPPET_CHARS", "quick_regex", "snippet"]

SNIPPET_CHARS = 200
_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_CHARS // 3)
_SCORER = BasicFragmentScorer()


class _BracketFormatter(Formatter):
    """Wraps matched terms in ``[[`` and ``]]``; fragments are joined by an ellipsis."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"[[{get_text(text, token, replace)}]]"


_FORMATTER = _BracketFormatter()


class _Tok:
    """What Whoosh's fragmenter and scorer read of a token."""

    __slots__ = ("text", "startchar", "endchar", "matched")
    boost = 1.0

    def __init__(self, text: str, startchar: int, endchar: int, matched: bool) -> None:
        self.text = text
        self.startchar = startchar
        self.endchar = endchar
        self.matched = matched

    def copy(self) -> _Tok:
        return self  # never changed after it is made


@lru_cache(maxsize=50_000)
def _form(word: str) -> str:
    """The form ``HighlightFormFilter`` gives a word: the acronym verbatim, else its stem."""
    return acronym_form(word) or porter_stem(word.lower())


@lru_cache(maxsize=50_000)
def _parts(token: str) -> tuple[tuple[str, int, int], ...]:
    """(form, start, end) of one ``TOKEN`` match, as ``TokenFormsFilter(merge="always")``
    splits it (hyphenated words also joined, numbers normalised)."""
    return tuple((_form(f), s, e) for f, _, s, e in word_parts(token, merge=True))


@lru_cache(maxsize=50_000)
def _word_terms(token: str) -> tuple[tuple[str, str], ...]:
    """(lower-case form, term form) of each part of one ``TOKEN`` match that is no stop word
    (hyphenated words also joined), as ``search_hits.holds_term`` decides a match."""
    return tuple((f.lower(), acronym_form(f) or porter_stem(f.lower()))
                 for f, _, _, _ in word_parts(token, merge=True) if f.lower() not in STOP_WORDS)


def _tokens(text: str, terms: frozenset[str]):
    """``highlight_analyzer()(text, chars=True)`` marked by ``set_matched_filter``, cheaply."""
    for m in TOKEN.finditer(text):
        start = m.start()
        for form, s, e in _parts(m.group(0)):
            yield _Tok(form, start + s, start + e, form in terms)


def _highlight(text: str, terms: frozenset[str]) -> str:
    """``whoosh.highlight.highlight(text, terms, highlight_analyzer(), _FRAGMENTER,
    _FORMATTER, top=1)`` with ``_tokens`` as the analyzer."""
    fragments = _FRAGMENTER.fragment_tokens(text, _tokens(text, terms))
    return _FORMATTER(text, top_fragments(fragments, 1, _SCORER, FIRST))


def snippet(text: str, terms: frozenset[str]) -> str:
    """The best fragment of ``text`` with matched terms in ``[[ ]]``, else its start.

    A long text with several paragraphs is first narrowed to the paragraph where most of the
    terms can occur (a regex count, see ``search_hits._Matcher``), so highlighting does not
    tokenise a whole section.
    """
    out = ""
    if terms and text:
        if len(text) > 4 * SNIPPET_CHARS and "\n" in text:
            quick = quick_regex(terms)
            if quick is not None:
                text = max(
                    text.split("\n"),
                    key=lambda p: len({m.group(0).lower() for m in quick.finditer(p)}),
                )
        text = _window(text, terms)
        out = _highlight(text, terms)
    if not out:
        out = text[:SNIPPET_CHARS].rstrip() + ("…" if len(text) > SNIPPET_CHARS else "")
    return out


def _window(text: str, terms: frozenset[str]) -> str:
    """The stretch of a long ``text`` around its densest matches, for the highlighter to
    tokenise (it tokenises everything it is given: ~1 ms a long paragraph, 20 times a page).

    Matches are found as ``search_hits._Matcher`` finds them; the window holds the
    ``SNIPPET_CHARS`` run with the most distinct matched words plus a fragment's width on each
    side, so the fragment picked is the one it would pick in the whole text.
    """
    if len(text) <= 3 * SNIPPET_CHARS:
        return text
    quick = quick_regex(terms)
    if quick is None:
        return text
    hits: list[tuple[int, str]] = []
    for q in quick.finditer(text):
        token = TOKEN.match(text, q.start())
        if token is None:
            continue
        for lower, term in _word_terms(token.group(0)):
            if term in terms:
                hits.append((token.start(), lower))
                break
    if not hits:
        return text
    best, best_n = hits[0][0], 0
    for i, (start, _) in enumerate(hits):
        n = len({w for s, w in hits[i:] if s - start < SNIPPET_CHARS})
        if n > best_n:
            best, best_n = start, n
    a = max(0, best - SNIPPET_CHARS)
    b = min(len(text), best + 2 * SNIPPET_CHARS)
    if a:
        a = text.find(" ", a) + 1 or a  # start and end on a word boundary
    if b < len(text):
        b = text.rfind(" ", a, b) if text.rfind(" ", a, b) > best else b
    return text[a:b]


@lru_cache(maxsize=256)
def quick_regex(starts: frozenset[str]) -> re.Pattern | None:
    """A case-blind regex for word starts that a Porter stem (or its word) begins with."""
    cut = {t[:-1] if len(t) > 3 else t for t in starts}
    if not cut:
        return None
    return re.compile("(?<!\\w)(?:" + "|".join(map(re.escape, sorted(cut))) + ")", re.I)
