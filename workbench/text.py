"""The one tokenizer of the product: words, stems, stop words, sentences and named things.

Everything that compares wording (the matching engine behind suggestions, compare and the
lineage thread) goes through this module, so a word is cut and stemmed the same way everywhere.
Stemming is the Snowball English stemmer from PyStemmer (a maintained C implementation of the
Porter2 algorithm) rather than a hand-written suffix stripper: "deliver/delivering/delivery"
and "community/communities" agree, and so do the stems every other Snowball user produces.

It owns no plan-specific vocabulary: stop words are general English function words plus the
verbs every plan uses to introduce a pledge; words that are common *in one plan* ("council",
a county's name) are down-weighted by that plan's own document frequencies (BM25's IDF), never by
a list naming them.

Emits nothing; pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer  # PyStemmer: Snowball stemmers in C (why: maintained, fast, standard stems)

_STEMMER = Stemmer.Stemmer("english")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my myself nor of off on once only or other ought our ours ourselves out over own same
    she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon us very was we were what when where which
    while who whom why will with within would you your yours yourself via per may might must
    shall etc eg ie""".split()
)
"""General English function words. Negations ("no", "not", "never") are deliberately kept:
they carry the meaning of a reversal."""

#: What ``fold`` unifies besides NFKC and case: typographic quotes and dashes, no-break spaces,
#: soft hyphens (a table for ``str.translate``).
FOLD_TABLE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u00ad": ""})
# the same table as (old, new) pairs: a few str.replace scans of a page's text are ~4x faster
# than str.translate's per-character look-ups (issue 12, Speed); same result
_FOLD_PAIRS = tuple((chr(k), v if isinstance(v, str) else chr(v)) for k, v in FOLD_TABLE.items())
_WORD = re.compile(r"[a-z][a-z']*[a-z]|[a-z]|\d[\d,.]*\d|\d")


def fold(text: str) -> str:
    """NFKC, typographic quotes and dashes folded, soft hyphens dropped, casefolded (an ASCII
    text only needs ``casefold``: NFKC and ``FOLD_TABLE`` leave it as it is)."""
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKC", text)
    for old, new in _FOLD_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return text.casefold()


def words(text: str) -> list[str]:
    """Casefolded words and numbers, in order (a line-end hyphen joins its word)."""
    return _WORD.findall(re.sub(r"(?<=[a-z])-\s*\n\s*(?=[a-z])", "", fold(text)))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word.strip("'"))


def tokens(text: str) -> list[str]:
    """Stemmed content words: the unit of every lexical comparison in the product."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


# -- sentences ------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[•●▪■◦○‣∙·✓✔➢►▶\-–—*]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)]|\([ivx]+\))\s+")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|no|nos|vs|approx|incl|cf|st|dr|mr|mrs|ms|para)\.$",
                     re.IGNORECASE)
_SENT_END = re.compile(r"[.!?;:][\"'’”)]*$")
_SPLIT = re.compile(r"(?<=[.!?])[\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9£])")


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs/list items: a line break ends a block when the line before ends a
    sentence (or a lead-in colon), the next line starts a bullet or number, or the line before
    is short (heading-like) and the next does not continue it in lower case. Otherwise wrapped
    lines are joined."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    prev, prev_end = "", 0
    for a, b in lines:
        line = text[a:b]
        if not line.strip():
            if start is not None:
                blocks.append((start, prev_end))
            start = None
            continue
        breaks = (
            start is None
            or _SENT_END.search(prev.rstrip()) is not None
            or _BULLET.match(line) is not None
            or (not line.lstrip()[:1].islower()
                and (len(prev.split()) <= 4 or len(prev.rstrip()) < 45))
        )
        if breaks:
            if start is not None:
                blocks.append((start, prev_end))
            start = a
        prev, prev_end = line, b
    if start is not None:
        blocks.append((start, prev_end))
    return blocks


def sentences(text: str, *, min_words: int = 4) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences and list items of ``text``, in order.

    Blocks come from line structure (see ``_blocks``); a block is split after ".", "!" or "?"
    followed by a capital or a number, except after common abbreviations. Spans shorter than
    ``min_words`` words are dropped (headings, page furniture). Leading bullets are skipped.
    """
    out: list[tuple[int, int]] = []
    for a, b in _blocks(text):
        block = text[a:b]
        m = _BULLET.match(block)
        offset = m.end() if m else len(block) - len(block.lstrip())
        cuts = [offset]
        for s in _SPLIT.finditer(block, offset):
            if _ABBREV.search(block[: s.start()].rstrip("\"'’”)")):
                continue
            cuts.append(s.end())
        cuts.append(len(block))
        for x, y in zip(cuts, cuts[1:], strict=False):
            piece = block[x:y].rstrip()
            if len(piece.split()) >= min_words:
                out.append((a + x, a + x + len(piece)))
    return out


# -- named things ---------------------------------------------------------------------------

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONEY = re.compile(r"£\s?\d[\d,.]*\s?(?:bn|billion|m|million|k)?\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w£.,])\d[\d,]*(?:\.\d+)?%?(?![\w])")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,6}s?\b")
_NAME = re.compile(
    r"\b[A-Z][a-z]+(?:[ -](?:(?:of|and|for|the)[ -])?(?:[A-Z][a-z]+|[A-Z]{2,}|\d{4}))+\b"
)


@dataclass(frozen=True, slots=True)
class Entities:
    """Names, programmes, years, numbers and amounts of a passage, casefolded."""

    years: frozenset[str]
    numbers: frozenset[str]  # not years, not money
    money: frozenset[str]
    names: frozenset[str]  # multiword capitalised names and acronyms

    @property
    def all(self) -> frozenset[str]:
        return self.years | self.numbers | self.money | self.names


def _money_value(text: str) -> str:
    t = text.replace(" ", "").replace(",", "").casefold()
    return t.replace("billion", "bn").replace("million", "m")


@lru_cache(maxsize=16384)
def entities(text: str) -> Entities:
    """Named things that identify a commitment across editions. Capitalised names that open a
    sentence with a common word ("We Will") are not names: a name needs two capitalised words
    that are not stop words, or an acronym."""
    years = frozenset(_YEAR.findall(text))
    money = frozenset(_money_value(m.group(0)) for m in _MONEY.finditer(text))
    rest = _MONEY.sub(" ", text)
    numbers = set()
    for n in _NUMBER.findall(rest):
        n = n.rstrip(".,")
        digits = n.rstrip("%").replace(",", "")
        if n in years or not digits:
            continue
        try:
            if not n.endswith("%") and float(digits) < 10:
                continue  # list numbers, "3 aims": too common to identify anything
        except ValueError:
            continue
        numbers.add(n.replace(",", ""))
    names: set[str] = set()
    for m in _NAME.finditer(text):
        parts = [w for w in re.split(r"[ -]", m.group(0)) if w.casefold() not in STOP_WORDS]
        if len(parts) >= 2:
            names.add(" ".join(parts).casefold())
    for m in _ACRONYM.finditer(text):
        a = m.group(0)
        if a.endswith("s") and a[:-1].isupper():
            a = a[:-1]
        if a.casefold() not in STOP_WORDS and not a.isdigit() and any(c.isalpha() for c in a):
            names.add(a.casefold())
    return Entities(years, frozenset(numbers), money, frozenset(names))


def number_value(text: str) -> float | None:
    t = text.casefold().lstrip("£").rstrip("%")
    scale = 1.0
    for suffix, factor in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if t.endswith(suffix):
            t, scale = t[: -len(suffix)], factor
            break
    try:
        return float(t.replace(",", "")) * scale
    except ValueError:
        return None
