"""Text analysis shared by the index and the query parser: tokens, acronyms, stems, synonyms.

One tokenizer for both sides, so a query word splits exactly as indexed text does:

* a token is a run of word characters, dots and commas inside it (``1.4``, ``2,900``,
  ``www.example.gov.uk``), hyphenated runs kept together (``re-offending``, ``2025-2028``) and an
  optional leading currency sign (``£1.47bn``);
* ``TokenFormsFilter`` then splits a hyphenated run into its parts (``re``, ``offending``) and,
  at index time, adds the joined word (``reoffending``) at the last part's position, so
  ``reoffending`` finds "re-offending" and ``re-offending`` finds "reoffending"; thousands
  separators are dropped (``2,900`` = ``2900``); money written with a scale suffix is split into
  number and word (``£1.47bn`` = "1.47 billion", ``£5m`` = "5 million");
* ALL-CAPS tokens (acronyms) leave the stemmed ``body``/``heading`` fields and are indexed
  verbatim in ``acronyms``; the ``exact`` field keeps every token, lower-cased and unstemmed,
  with positions, for quoted phrases.

Whoosh's ``IntraWordFilter`` does part of this, but it also splits decimals ("1.4" -> "1", "4",
merged "14") and money, so the small filter below is ours.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain

import Stemmer  # PyStemmer (pinned already, workbench/text.py): Snowball's Porter stemmer in C
from whoosh.analysis import (
    BiWordFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)

__all__ = [
    "TOKEN",
    "DropAcronymsFilter",
    "HighlightFormFilter",
    "SynonymTable",
    "TokenFormsFilter",
    "acronym_form",
    "acronym_tokens",
    "body_analyzer",
    "pairs_analyzer",
    "exact_analyzer",
    "exact_text",
    "exact_words",
    "highlight_analyzer",
    "load_default_synonyms",
    "load_synonyms",
    "phrase_key",
    "clean_query_text",
    "MAX_QUERY_CHARS",
    "NOTICE_SHORTENED",
    "porter_stem",
    "stems",
    "word_parts",
]

MAX_QUERY_CHARS = 512
NOTICE_SHORTENED = f"Query shortened to {MAX_QUERY_CHARS} characters"

# Why not Whoosh's own ``whoosh.lang.porter``: its step-1b and step-4 rules test their
# patterns with ``re.match`` (anchored at the word's start), so they almost never fire:
# "planning" -> "plann" but "plan" -> "plan", "retrofitting" -> "retrofitt", "employment" is
# left whole. Snowball's "porter" is the same algorithm implemented as published.
_STEMMERS = threading.local()


def _uncached_stem(word: str) -> str:
    """The Porter stem of a lower-case word; words under three letters are kept as they are
    (Whoosh did the same; Snowball would turn "us" into "u" and "s" into nothing)."""
    if len(word) < 3:
        return word
    stemmer = getattr(_STEMMERS, "porter", None)
    if stemmer is None:  # a PyStemmer object must not be shared between threads
        stemmer = _STEMMERS.porter = Stemmer.Stemmer("porter")
    return stemmer.stemWord(word)


# Highlighting re-stems every word of each shown passage; StemFilter caches, so do we.
porter_stem = lru_cache(maxsize=50_000)(_uncached_stem)

_PART = r"\w+(?:[.,]\w+)*"
#: One token as the tokenizer sees it (before ``TokenFormsFilter`` splits it into parts).
TOKEN = re.compile(rf"[£$€]?{_PART}(?:[-\u2010\u2011]{_PART})*", re.UNICODE)
_HYPHENS = re.compile(r"[-\u2010\u2011]")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?\Z")
_SCALED = re.compile(r"(\d+(?:\.\d+)?)(bn|mn|m|k)\Z", re.IGNORECASE)
_SCALE_WORDS = {"bn": "billion", "mn": "million", "m": "million", "k": "thousand"}
# Two or more capital letters (digits allowed), optionally a plural "s": KCC, SEND, HGVs, M25 no.
_ACRONYM = re.compile(r"(?=(?:[A-Z0-9]*[A-Z]){2})[A-Z0-9]+s?\Z")


def _split_part(text: str, money: bool) -> list[tuple[str, int, int]]:
    """(form, start, end) of one hyphen-free piece: numbers normalised, commas split."""
    if "," in text:
        if _THOUSANDS.match(text):
            return _split_part(text.replace(",", ""), money) if money else [
                (text.replace(",", ""), 0, len(text))
            ]
        out: list[tuple[str, int, int]] = []
        start = 0
        for piece in text.split(","):
            if piece:
                out += [(f, start + s, start + e) for f, s, e in _split_part(piece, money)]
            start += len(piece) + 1
        return out
    m = _SCALED.match(text)
    if m and (money or m.group(2).lower() in ("bn", "mn")):
        n = len(m.group(1))
        return [(m.group(1), 0, n), (_SCALE_WORDS[m.group(2).lower()], n, len(text))]
    return [(text, 0, len(text))]


def word_parts(token: str, *, merge: bool = False) -> list[tuple[str, int, int, int]]:
    """Split one ``TOKEN`` match into (form, position offset, start, end) parts.

    With ``merge``, a hyphenated run of letters also yields the joined word at the position of
    its last part ("re-offending" -> re 0, offending 1, reoffending 1).
    """
    if token.isalnum():
        return [(token, 0, 0, len(token))]
    money = token[:1] in "£$€"
    body_start = 1 if money else 0
    out: list[tuple[str, int, int]] = []
    start = body_start
    for piece in _HYPHENS.split(token[body_start:]):
        if piece:
            out += [(f, start + s, start + e) for f, s, e in _split_part(piece, money)]
        start += len(piece) + 1
    parts = [(f, i, s, e) for i, (f, s, e) in enumerate(out)]
    if merge and len(out) > 1 and all(f.isalpha() for f, _, _ in out):
        parts.append(("".join(f for f, _, _ in out), len(out) - 1, out[0][1], out[-1][2]))
    return parts


class TokenFormsFilter(Filter):
    """Splits tokens into the forms described in the module docstring, renumbering positions.

    Args:
        merge: "index" (join hyphenated words only when indexing), "always" or "never".
    """

    def __init__(self, merge: str = "index") -> None:
        self.merge = merge

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __call__(self, tokens):
        shift = 0
        for t in tokens:
            merge = self.merge == "always" or (self.merge == "index" and t.mode == "index")
            text = t.text
            if text.isalnum():
                if t.positions:
                    t.pos += shift
                yield t
                continue
            parts = word_parts(text, merge=merge)
            if not parts:
                shift -= 1
                continue
            pos0 = t.pos + shift if t.positions else 0
            char0 = t.startchar if t.chars else 0
            for form, offset, start, end in parts:
                t.text = form
                if t.positions:
                    t.pos = pos0 + offset
                if t.chars:
                    t.startchar, t.endchar = char0 + start, char0 + end
                yield t
            shift += max(offset for _, offset, _, _ in parts)


def acronym_form(token: str) -> str | None:
    """The acronym a token spells ("HGVs" -> "HGV"), or None if it is not ALL CAPS."""
    if not _ACRONYM.match(token):
        return None
    return token[:-1] if token.endswith("s") else token


def acronym_tokens(text: str) -> list[str]:
    """Every ALL-CAPS word of ``text``, verbatim (plural "s" removed), in order."""
    out = []
    for m in TOKEN.finditer(text):
        for form, _, _, _ in word_parts(m.group(0)):
            acr = acronym_form(form)
            if acr:
                out.append(acr)
    return out


class DropAcronymsFilter(Filter):
    """Drops ALL-CAPS tokens: they are indexed verbatim in the ``acronyms`` field instead.

    This is what keeps the acronym SEND from matching the word "send" (and vice versa).
    """

    def __call__(self, tokens):
        for t in tokens:
            if acronym_form(t.text) is None:
                yield t


class HighlightFormFilter(Filter):
    """Gives each token the form a query term would have: acronym verbatim, else stemmed."""

    def __call__(self, tokens):
        for t in tokens:
            acr = acronym_form(t.text)
            t.text = acr if acr is not None else porter_stem(t.text.lower())
            yield t


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(TOKEN)


def body_analyzer():
    """The analyzer of the ``body`` and ``heading`` fields: stemmed words, no acronyms.

    ``minsize=1`` keeps one-digit numbers ("£4 billion"); one-letter words are stop words.
    """
    return (
        _tokenizer()
        | TokenFormsFilter()
        | DropAcronymsFilter()
        | LowercaseFilter()
        | StopFilter(minsize=1)
        | StemFilter(stemfn=_uncached_stem)
    )


class _PairsFilter(BiWordFilter):
    """Whoosh's ``BiWordFilter``, which fails on a text with no words (UnboundLocalError in
    whoosh-reloaded 2.7.5): such a text has no pairs."""

    def __call__(self, tokens):
        it = iter(tokens)
        first = next(it, None)
        if first is not None:
            yield from super().__call__(chain([first], it))


def pairs_analyzer(sep: str = "_"):
    """The ``pairs`` field: each two neighbouring stems of the body as one term ("social_care",
    stop words left out first), so "the words side by side" is one term lookup. Whoosh's
    ``BiWordFilter`` is made for this ("pseudo-phrase searching")."""
    return body_analyzer() | _PairsFilter(sep=sep)


#: Where a sentence or clause ends: . ! ? ; or : (and any closing quote or bracket) after a word
#: of two or more letters or after a closing bracket or quote, before white space. Not "U.K.
#: Government" or "e.g. the" (the letter before the stop follows another stop), not "1.5" or
#: "£1.47bn" (no space after).
_SENTENCE_STOP = (r"(?:(?<=\w\w)(?<![.,]\w\w)|(?<=\w[)\]\"'\u2019\u201d]))"
                  r"[.!?;:][\"'\u2019\u201d)\]]*(?=\s)")
_SENTENCE_STOP_CHARS = frozenset(".!?;:")


class SentenceGapFilter(Filter):
    """Drops the sentence stops ``exact_analyzer``'s tokenizer yields, leaving a gap in the
    positions: a quoted phrase then never runs across the end of a sentence ("… in the county.
    Together we …" does not hold "county together")."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            if t.text[:1] not in _SENTENCE_STOP_CHARS:
                yield t


def exact_analyzer():
    """The analyzer of the ``exact`` field (quoted phrases): every word, lower case, unstemmed,
    with a gap in the positions where a sentence ends."""
    tokenizer = RegexTokenizer(re.compile(f"{TOKEN.pattern}|{_SENTENCE_STOP}", re.UNICODE))
    return tokenizer | SentenceGapFilter() | TokenFormsFilter() | LowercaseFilter()


def highlight_analyzer():
    """Tokenises stored text for snippets, keeping acronyms distinct from words."""
    return _tokenizer() | TokenFormsFilter(merge="always") | HighlightFormFilter()


_ANALYZER = body_analyzer()
_EXACT = exact_analyzer()


def stems(text: str) -> list[str]:
    """The indexed terms of ``text`` in order (stemmed, no stop words, no acronyms)."""
    return [t.text for t in _ANALYZER(text)]


def exact_words(text: str) -> list[str]:
    """The ``exact`` field's terms of ``text``, as a quoted phrase is searched."""
    return [t.text for t in _EXACT(text)]


def exact_text(text: str) -> str:
    """``exact_words`` joined by spaces, with " | " where a sentence ends: a phrase (its words
    joined by spaces) is in this string when the index would find it in ``text``."""
    out: list[str] = []
    last = None
    for tok in _EXACT(text, positions=True):
        if last is not None and tok.pos > last + 1:
            out.append("|")
        out.append(tok.text)
        last = tok.pos
    return " ".join(out)


# --- input hygiene ----------------------------------------------------------------------------

_SPACE_LIKE = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]")
# Double quotation marks a word processor or another language's keyboard types ("smart"
# quotes, German low-high, the double prime, the full-width mark) are phrase marks as much as
# the plain one: a phrase pasted from a briefing note as “net zero” is searched as a phrase.
_QUOTE_MARKS = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'))
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def clean_query_text(text: str) -> tuple[str, list[str]]:
    """NFC, no control/zero-width/bidi-override characters, one kind of double quotation mark,
    at most 512 characters."""
    notices: list[str] = []
    if not isinstance(text, str):
        text = ""
    # Cut a huge paste cheaply before the regexes see it; the exact cap comes after cleaning.
    if len(text) > MAX_QUERY_CHARS * 8:
        text = text[: MAX_QUERY_CHARS * 8]
        notices.append(NOTICE_SHORTENED)
    text = _INVISIBLE.sub("", _SPACE_LIKE.sub(" ", text)).translate(_QUOTE_MARKS)
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rstrip()
        if NOTICE_SHORTENED not in notices:
            notices.append(NOTICE_SHORTENED)
    return text, notices


# --- synonyms ---------------------------------------------------------------------------------


def phrase_key(text: str) -> tuple[str, ...]:
    """Lookup key of a phrase: its stems, with ALL-CAPS words counted as words."""
    return tuple(stems(text.lower()))


@dataclass(frozen=True)
class SynonymTable:
    """Acronym expansions and two-way phrase synonyms, read from editable data.

    Attributes:
        acronyms: ``{"SEND": ("special educational needs and disabilities",)}``.
        exact: acronyms that only match when typed in capitals (SEND, which is also a verb).
        phrases: ``(("net zero", "carbon neutral"), ...)``, each pair works both ways.
    """

    acronyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exact: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, str], ...] = ()
    _alternatives: Mapping[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # {stems of an expansion of two or more words: acronyms}; the index adds those acronyms to
    # the ``acronyms`` field of a passage holding the expansion (see ``tags``)
    _tagged: Mapping[tuple[str, ...], tuple[str, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        acronyms: Mapping[str, Iterable[str]],
        exact: Iterable[str] = (),
        phrases: Iterable[tuple[str, str]] = (),
    ) -> SynonymTable:
        acr = {a: tuple(dict.fromkeys(v)) for a, v in acronyms.items()}
        pairs = tuple(phrases)
        alt: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
        for a, expansions in acr.items():
            for e in expansions:
                k = phrase_key(e)
                if k:
                    alt.setdefault(k, ([], []))[0].append(a)
        for left, right in pairs:
            for src, dst in ((left, right), (right, left)):
                k = phrase_key(src)
                if k:
                    alt.setdefault(k, ([], []))[1].append(dst)
        frozen = {
            k: (tuple(dict.fromkeys(a)), tuple(dict.fromkeys(p))) for k, (a, p) in alt.items()
        }
        tagged: dict[tuple[str, ...], list[str]] = {}
        for a, expansions in acr.items():
            for e in expansions:
                k = phrase_key(e)
                if len(k) >= 2 and not acronym_tokens(e):
                    tagged.setdefault(k, []).append(a)
        return cls(
            acr, frozenset(exact) & frozenset(acr), pairs, frozen,
            {k: tuple(dict.fromkeys(v)) for k, v in tagged.items()},
        )

    @classmethod
    def empty(cls) -> SynonymTable:
        return cls()

    def with_definitions(self, pairs: Iterable[tuple[str, str]]) -> SynonymTable:
        """This table plus (short form, long form) pairs the library's own text defines
        (``indexing.search_terms``). Only this table's expansions are tagged in the index, so
        the learned ones are searched as phrases and the fingerprint does not change."""
        acr = {a: list(v) for a, v in self.acronyms.items()}
        added = False
        for short, long in pairs:
            have = acr.setdefault(short, [])
            if phrase_key(long) not in {phrase_key(x) for x in have}:
                have.append(long)
                added = True
        if not added:
            return self
        table = SynonymTable.build(acr, self.exact, self.phrases)
        return replace(table, _tagged=self._tagged)

    def expansions(self, acronym: str) -> tuple[str, ...]:
        return self.acronyms.get(acronym, ())

    def alternatives(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(acronyms, phrases) that mean the same as a phrase with these stems."""
        return self._alternatives.get(key, ((), ()))

    def is_tagged(self, expansion: str) -> bool:
        """True when the index marks passages holding ``expansion`` with its acronym, so a
        search for the acronym needs no phrase query (see ``tags``)."""
        return phrase_key(expansion) in self._tagged

    def tags(self, text: str) -> list[str]:
        """The acronyms whose expansion (of two or more words) ``text`` holds, once per
        occurrence: indexed in the ``acronyms`` field, so ``SEN`` finds "special educational needs"
        with one term lookup instead of a phrase query over three common words (measured:
        about 100 ms a search at the 20x tier)."""
        if not self._tagged or not text:
            return []
        lower = text.lower()
        keys = [k for k, cut in self._tag_cuts if all(c in lower for c in cut)]
        if not keys:
            return []
        at: dict[int, list[str]] = {}
        for t in _ANALYZER(text, positions=True):
            at.setdefault(t.pos, []).append(t.text)
        out: list[str] = []
        for k in keys:
            for pos, forms in at.items():
                if k[0] in forms and all(
                    k[i] in at.get(pos + i, ()) for i in range(1, len(k))
                ):
                    out += self._tagged[k]
        return out

    @property
    def _tag_cuts(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        # a Porter stem less its last letter begins the word it came from ("counti" -> "count"
        # in "county"): a cheap substring test before any text is tokenised
        cuts = self.__dict__.get("_cuts")
        if cuts is None:
            cuts = [(k, tuple(w[:-1] if len(w) > 3 else w for w in k)) for k in self._tagged]
            object.__setattr__(self, "_cuts", cuts)
        return cuts

    @property
    def fingerprint(self) -> str:
        """Changes whenever the tags the index holds would change (the index is rebuilt)."""
        raw = repr(sorted(self._tagged.items()))
        return hashlib.blake2b(raw.encode("utf-8"), digest_size=8).hexdigest()

    @property
    def max_key_len(self) -> int:
        return max((len(k) for k in self._alternatives), default=0)


def load_synonyms(text: str) -> SynonymTable:
    """Parse the TSV: ``ACRONYM<TAB>expansion[<TAB>case]`` or ``phrase<TAB>phrase``.

    ``#`` starts a comment line; blank and malformed lines are skipped. The left side is an
    acronym when it is one ALL-CAPS token; otherwise the line is a two-way phrase synonym.
    A third column ``case`` makes the acronym match only when typed in capitals.
    """
    acronyms: dict[str, list[str]] = {}
    exact: set[str] = set()
    phrases: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 2 or not cols[0] or not cols[1]:
            continue
        left, right = cols[0], cols[1]
        flags = {c.casefold() for c in cols[2:]}
        acr = acronym_form(left) if TOKEN.fullmatch(left) else None
        if acr == left:
            acronyms.setdefault(acr, []).append(right)
            if "case" in flags:
                exact.add(acr)
        else:
            phrases.append((left, right))
    return SynonymTable.build(acronyms, exact, phrases)


def load_default_synonyms() -> SynonymTable:
    """The table shipped in ``resources/synonyms.tsv`` (empty if it cannot be read)."""
    from importlib.resources import files

    try:
        return load_synonyms(files("resources").joinpath("synonyms.tsv").read_text("utf-8"))
    except (OSError, ModuleNotFoundError, UnicodeDecodeError):
        return SynonymTable.empty()
