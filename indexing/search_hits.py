"""From Whoosh results to the hits a person reads: finer units, own passages, citations, snippets.

* **One hit per passage, the finer unit.** A section's text holds its commitments, so a query
  that finds a commitment also finds the section around it. ``collapse`` cuts every commitment
  hit out of the section hits, shows a section hit as the paragraphs of its own text that match
  (not the whole section), drops a hit whose text is inside another hit's and keeps the finer
  one in the better rank.
* **Citations that name one section.** Headings repeat ("Our objectives" under each aim), so a
  hit's ``path`` gets "(2 of 4)" on its last heading when the whole path repeats in the plan,
  and ``citation`` is the shortest tail of that path no other section of the plan has. Counts
  come from the ``tails`` field: one hashed term per (plan, path tail) of every section.

Imports nothing of ours but ``workbench.model`` and ``indexing.analysis``; emits no events.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

from indexing.analysis import (
    TOKEN,
    acronym_form,
    exact_text,
    porter_stem,
    stems,
    word_parts,
)
from indexing.search_snippet import SNIPPET_CHARS, snippet
from indexing.search_snippet import quick_regex as _quick_regex
from workbench.model import SearchHit
from workbench.section_names import section_label  # the one rule; re-exported for the reader

__all__ = [
    "SNIPPET_CHARS",
    "TAILS",
    "Candidate",
    "Citations",
    "collapse",
    "norm_text",
    "section_label",
    "snippet",
    "tail_terms",
    "to_hit",
]

TAILS = "tails"
PROXIMITY_WEIGHT = 0.5  # the bonus when the words stand side by side, vs 1.0 for the best BM25
# the bonus when the passage's heading holds every query word (part of them: that share); the
# heading is not searched (issue 13: "headings give context and ranking, not matches")
HEADING_WEIGHT = 0.25
PHRASE_REACH = 100  # characters either side of a phrase word tokenised to check the phrase
# str.translate with a dict is a per-character Python lookup (a third of a millisecond on a
# long section); a few str.replace calls on the characters present do the same fold in C
_FOLD = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
         ("\u2013", "-"), ("\u2014", "-"), ("\u00a0", " "))
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_LINE_HYPHEN = re.compile(r"-\s+")
_NORM_WORD = re.compile(r"[\w']+")


def norm_text(text: str) -> str:
    """Text folded for containment tests: case, quotes, dashes, a hyphen at a line end."""
    s = text
    if not text.isascii():
        s = unicodedata.normalize("NFKC", text)
        for a, b in _FOLD:
            if a in s:
                s = s.replace(a, b)
    s = s.lower()
    if "-" in s:
        s = _LINE_HYPHEN.sub("", s)
    return " ".join(_NORM_WORD.findall(s))  # the runs of word characters and apostrophes


def _inside(small: str, big: str) -> bool:
    """``f" {small} " in f" {big} "`` (whole words), without copying ``big`` for each test:
    collapsing asks it hundreds of times a search of sections several thousand letters long."""
    if not small:
        return False
    i, n, end = big.find(small), len(small), len(big) - len(small)
    while i >= 0:
        if (i == 0 or big[i - 1] == " ") and (i == end or big[i + n] == " "):
            return True
        i = big.find(small, i + 1)
    return False


# --- finer units ------------------------------------------------------------------------------


@dataclass
class Candidate:
    """One Whoosh hit being turned into a ``SearchHit``: stored fields, score, shown text."""

    fields: dict
    score: float
    text: str
    _norm: str | None = field(default=None, repr=False)  # ``norm``, once asked for,
    _normed: str | None = field(default=None, repr=False)  # of this text
    source: str = ""  # the stored text, before a section is cut to its own passages
    cut: list[str] = field(default_factory=list)  # finer hits cut out of a section
    tier: int = 0  # 0: holds every word; 1: most of them (the soft AND), ranked after all of 0
    docnum: int = -1  # Whoosh's document number, while the searcher lasts
    trimmed: tuple[list[str], str] | None = None  # (cut, text) of the last cut

    @property
    def norm(self) -> str:
        """``norm_text`` of the shown text, folded when first asked for: collapsing stops at
        the page's last hit, so the pool's tail is never folded."""
        if self._norm is None or self._normed is not self.text:
            self._norm, self._normed = norm_text(self.text), self.text
        return self._norm

    @norm.setter
    def norm(self, value: str | None) -> None:
        self._norm, self._normed = value, self.text

    @property
    def kind(self) -> str:
        return self.fields.get("kind", "")

    @property
    def plan(self) -> str:
        return self.fields.get("plan", "")


class _Matcher:
    """Does a piece of text hold a query term (as ``HighlightFormFilter`` forms it) or phrase?

    Tokenising every paragraph of every candidate section costs more than the search itself, so
    a regex first rejects text in which no term can occur: a Porter stem minus its last letter
    ("polici" -> "polic") starts the word it came from, and joined hyphenated words and
    thousands are looked for with the hyphens and commas taken out.
    """

    def __init__(self, terms: frozenset[str], phrases: Sequence[tuple[str, ...]]) -> None:
        self.terms = terms
        self.phrases = [f" {' '.join(p)} " for p in phrases]
        # words that appear verbatim in any text holding the phrase (not numbers, which may be
        # written 2,900, nor the scale words of "£1.47bn"), for a cheap substring pre-check
        self.phrase_words = [
            [w for w in p if w.isalpha() and w not in ("billion", "million", "thousand")]
            for p in phrases
        ]
        self.quick = _quick_regex(terms | {p[0] for p in phrases if p})
        self._known: dict[str, bool] = {}

    def __call__(self, text: str) -> bool:
        if self.quick is None:
            return False
        found = False
        for q in self.quick.finditer(text):  # only the words a term could have come from
            found = True
            token = TOKEN.match(text, q.start())
            if token and self._holds(token.group(0)):
                return True
        if not found:
            if "-" not in text and "," not in text:
                return False  # nothing to join: no term can be there
            joined = text.replace("-", "").replace(",", "")
            if not self.quick.search(joined):
                return False
            if any(self._holds(m.group(0)) for m in TOKEN.finditer(text)):
                return True
        if self.phrases:
            lower = text.lower()
            return any(self._holds_phrase(text, lower, p, words)
                       for p, words in zip(self.phrases, self.phrase_words, strict=True))
        return False

    @staticmethod
    def _holds_phrase(text: str, lower: str, phrase: str, words: list[str]) -> bool:
        """Does ``text`` hold ``phrase`` (its ``exact_words``, space-padded), within one sentence
        (``exact_text``)? A long section
        is tokenised only in windows around its rarest word of the phrase: tokens never span
        whitespace, so a window cut at whitespace tokenises as the whole text does there."""
        if not all(w in lower for w in words):
            return False  # a word of the phrase is missing: no need to tokenise
        reach = PHRASE_REACH + 2 * len(phrase)
        if not words or len(lower) != len(text) or len(text) < 3 * reach:
            return phrase in f" {exact_text(text)} "
        anchor = min(words, key=lower.count)
        i = lower.find(anchor)
        while i >= 0:
            lo, hi = max(0, i - reach), min(len(text), i + len(anchor) + reach)
            while lo > 0 and not text[lo - 1].isspace():
                lo -= 1
            while hi < len(text) and not text[hi].isspace():
                hi += 1
            if phrase in f" {exact_text(text[lo:hi])} ":
                return True
            i = lower.find(anchor, i + 1)
        return False


    def _holds(self, token: str) -> bool:
        # the same few words recur in every paragraph of every candidate: decide each once
        known = self._known.get(token)
        if known is None:
            known = self._known[token] = holds_term(token, self.terms)
        return known


def holds_term(token: str, terms: frozenset[str]) -> bool:
    """Does one ``TOKEN`` match hold a query term, as ``HighlightFormFilter`` forms it?"""
    return any(t in terms for t in token_terms(token))


@lru_cache(maxsize=50_000)
def token_terms(token: str) -> tuple[str, ...]:
    """The query-term forms one ``TOKEN`` match holds, as ``HighlightFormFilter`` forms its
    parts (hyphenated words also joined), stop words left out ("on" is not a match for "one",
    stemmed "on"). Decided once per word: the same words recur in every candidate."""
    return tuple(acronym_form(f) or porter_stem(f.lower())
                 for f, _, _, _ in word_parts(token, merge=True) if f.lower() not in STOP_WORDS)


@lru_cache(maxsize=50_000)
def token_stems(token: str) -> tuple[str, ...]:
    """The acronym or stem of each part of one ``TOKEN`` match (not joined, stop words kept)."""
    return tuple(acronym_form(f) or porter_stem(f.lower()) for f, _, _, _ in word_parts(token))


def _cut(para: str, cut: list[str]) -> str:
    """``para`` without the commitments in ``cut``: "" if it lies inside one; else without the
    sentences that make up a commitment inside it."""
    if not cut:
        return para
    n = norm_text(para)
    if not n or any(_inside(n, c) for c in cut):
        return ""
    inner = [c for c in cut if _inside(c, n)]
    if not inner:
        return para
    return " ".join(
        s for s in _SENTENCE.split(para)
        if (ns := norm_text(s)) and not any(_inside(ns, c) or _inside(c, ns) for c in inner)
    )


def _paragraphs(text: str) -> list[str]:
    """The paragraphs of a stored text: its lines, with a line that starts in lower case joined
    to the one before (a sentence wrapped by the PDF's layout: "…children in the county are" /
    "obese or overweight, …" is one sentence, and showing only its second line loses it)."""
    out: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if out and line.lstrip()[:1].islower():
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def _own_passages(text: str, cut: list[str], matches: _Matcher) -> str:
    """The paragraphs of a section's text that match, with the commitments in ``cut`` removed.

    A paragraph inside a commitment hit goes; a paragraph holding one loses the sentences that
    make up that commitment. If what matched was all cut out, nothing is left (the section is
    not a hit of its own); if nothing in the text matched (the section was found through its
    heading or a synonym), the remaining text is kept whole.
    """
    paras = _paragraphs(text)
    matching = [p for p in paras if matches(p)]
    if matching:
        # a paragraph nothing was cut from is known to match
        kept = [x for p in matching if (x := _cut(p, cut)) and (x is p or matches(x))]
        return "\n".join(kept)
    return "\n".join(x for x in (_cut(p, cut) for p in paras) if x)


def collapse(
    cands: list[Candidate],
    terms: frozenset[str],
    phrases: Sequence[tuple[str, ...]],
    limit: int,
    near: Sequence[str] = (),
) -> list[Candidate]:
    """Show each passage once, as the finer unit (see the module docstring). Rank order kept.

    A section is cut around every commitment hit of its plan and every finer hit already
    shown. A commitment inside another commitment of the same section takes its place (the
    finer unit, in the better rank); any other hit whose words already stand in a shown hit is
    not shown again. Stops once ``limit`` hits are kept: a finer unit further down would not
    be shown anyway.
    """
    commitments: dict[str, list[Candidate]] = {}
    for c in cands:
        c.source = c.text  # folded when needed (``norm``; a section's text is cut first)
        if c.kind == "commitment":
            commitments.setdefault(c.plan, []).append(c)
    if phrases:  # a word of a quoted phrase is no match on its own, only the whole phrase
        terms = terms - {st for p in phrases for st in stems(" ".join(p))}
    matches = _Matcher(terms, phrases)

    def trim(c: Candidate, extra: list[str]) -> None:
        # a soft-AND commitment is never cut out of a passage that holds every word
        c.cut = [*(k.norm for k in commitments.get(c.plan, []) if k.tier <= c.tier), *extra]
        if c.trimmed is not None and c.trimmed[0] == c.cut:  # the soft AND collapses again
            c.text = c.trimmed[1]
            return
        c.text = _own_passages(c.source, c.cut, matches)
        c.trimmed = (c.cut, c.text)

    if near:
        for c in cands:
            if c.kind == "section":
                trim(c, [])
        cands = rerank(cands, near)
    kept: list[Candidate] = []
    replaced = False
    for c in cands:
        if c.kind == "section":
            if not near:
                trim(c, [])
            # a finer section or note already shown inside this one is cut out as well
            extra = [k.norm for k in kept if k.plan == c.plan and k.kind != "commitment"
                     and _inside(k.norm, c.norm)]
            if extra:
                trim(c, extra)
        if c.norm:
            added = _keep(kept, c)
            replaced = replaced or added is None
            if added and len(kept) >= limit:
                break
    # without a replacement no kept hit holds another (``_keep`` appends only then)
    return _dedupe_after_replace(kept) if replaced else kept


def _keep(kept: list[Candidate], c: Candidate) -> bool | None:
    """Add ``c`` to ``kept`` unless its words are shown already; True when it was appended,
    None when it replaced a hit it lies inside."""
    outer = next((i for i, k in enumerate(kept) if _inside(c.norm, k.norm)), None)
    if outer is not None:
        if (_same_place(c, kept[outer]) and kept[outer].norm != c.norm
                and c.tier <= kept[outer].tier):
            kept[outer] = c  # a commitment inside another: the finer one, better rank
            return None
        # otherwise the same words stand elsewhere in a hit already shown (a glossary line
        # inside a paragraph, a pledge repeated): they are shown once, there
        return False
    inner = next((i for i, k in enumerate(kept) if _inside(k.norm, c.norm)), None)
    if inner is not None:
        k = kept[inner]
        if (c.kind == k.kind == "commitment" and not _same_place(c, k)
                and c.tier <= k.tier):
            # a short line elsewhere (a table row, a title) whose words this commitment repeats
            # and extends: shown once, as the commitment that says more, in the better rank
            kept[inner] = c
            return None
        return False  # a finer hit is already shown
    kept.append(c)
    return True


def _span(text: str, words: Sequence[str]) -> int:
    """About how many words of ``text`` the shortest stretch holding every stem in ``words``
    covers (0: not all there). Only the words a stem could come from are tokenised (see
    ``_Matcher``); the stretch is measured in characters and counted in spaces."""
    want = set(words)
    quick = _quick_regex(frozenset(want))
    if quick is None:
        return 0
    last: dict[str, int] = {}  # each stem's latest start, in one pass over the text
    n = len(want)
    best = 0
    for q in quick.finditer(text):
        token = TOKEN.match(text, q.start())
        if token is None:
            continue
        for st in token_stems(token.group(0)):
            if st in want:
                last[st] = token.start()
                if len(last) == n:
                    # at least one word per stem: words joined without spaces (a web address,
                    # "education-and-skills") are not closer than words side by side
                    span = max(text.count(" ", min(last.values()), token.end()) + 1, n)
                    best = span if not best else min(best, span)
                    if best == n:
                        return best  # no stretch is shorter
    return best


def rerank(cands: list[Candidate], near: Sequence[str]) -> list[Candidate]:
    """Order by BM25 (scaled to the best hit) plus a bonus for the query words standing close.

    Whoosh scores a whole section; the bonus looks at the passage actually shown, so a section
    whose own passage says "social value" outranks one that scatters the two words.
    """
    top: dict[int, float] = {}
    want = frozenset(near)
    for c in cands:
        top[c.tier] = max(top.get(c.tier, 0.0), c.score)
    keyed = []
    for n, c in enumerate(cands):
        span = _span(c.text, near)
        bonus = PROXIMITY_WEIGHT * len(near) / span if span else 0.0
        if HEADING_WEIGHT:
            bonus += HEADING_WEIGHT * _heading_share(c.fields.get("heading") or "", want)
        keyed.append((c.tier, -(c.score / (top[c.tier] or 1.0) + bonus), n, c))
    return [c for _, _, _, c in sorted(keyed)]


def _heading_share(heading: str, want: frozenset[str]) -> float:
    """The share of the query's words (stems, acronyms) that ``heading`` holds."""
    if not heading:
        return 0.0
    have = {st for m in TOKEN.finditer(heading) for st in token_stems(m.group(0))}
    return len(want & have) / len(want)


def _same_place(a: Candidate, b: Candidate) -> bool:
    """Two passages of the same section (a sub-item and the item around it)."""
    return a.plan == b.plan and a.fields.get("path") == b.fields.get("path")


def _dedupe_after_replace(kept: list[Candidate]) -> list[Candidate]:
    """Replacing a hit by a finer one can leave two equal or nested hits: keep the first."""
    out: list[Candidate] = []
    for c in kept:
        if not any(_inside(c.norm, o.norm) or _inside(o.norm, c.norm) for o in out):
            out.append(c)
    return out


# --- citations --------------------------------------------------------------------------------


def _tail_term(plan: str, tail: Sequence[str]) -> str:
    raw = json.dumps([plan, *tail], ensure_ascii=False)
    return hashlib.blake2b(raw.encode("utf-8"), digest_size=10).hexdigest()


def tail_terms(kind: str, plan: str, path: Sequence[str]) -> str:
    """The ``tails`` field of a passage: a term per tail of a section's path (others: none)."""
    if kind != "section" or not path:
        return ""
    return " ".join(_tail_term(plan, path[-k:]) for k in range(1, len(path) + 1))


class Citations:
    """Citations against one searcher; the sections sharing a path are read once per searcher.

    ``cite(plan, path, page_index, section_id)`` returns (the path made unambiguous, the
    shortest unique tail joined by " › "). ``section_id`` is the passage's own id when it is a
    section; a commitment is placed in the last section of that path that starts on or before
    its page.
    """

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self._same: dict[str, list[tuple[int, int]]] = {}

    def _sections(self, term: str) -> list[tuple[int, int]]:
        if term not in self._same:
            s = self.searcher
            self._same[term] = sorted(
                (int(f.get("page_index") or 0), int(f.get("item_id") or 0))
                for f in (s.stored_fields(d) for d in s.docs_for_query(wq.Term(TAILS, term)))
            )
        return self._same[term]

    def __call__(
        self, plan: str, path: Sequence[str], page_index: int, section_id: int | None = None
    ) -> tuple[tuple[str, ...], str]:
        path = tuple(path)
        if not path:
            return path, ""
        for k in range(1, len(path) + 1):
            if self.searcher.doc_frequency(TAILS, _tail_term(plan, path[-k:])) <= 1:
                return path, " › ".join(path[-k:])
        same = self._sections(_tail_term(plan, path))
        if section_id is not None and (page_index, section_id) in same:
            nth = same.index((page_index, section_id)) + 1
        else:
            nth = sum(1 for start, _ in same if start <= page_index) or 1
        marked = (*path[:-1], f"{path[-1]} ({nth} of {len(same)})")
        return marked, " › ".join(marked[-2:])


def to_hit(
    c: Candidate, terms: frozenset[str], cite: Citations
) -> SearchHit:
    stored = c.fields
    try:
        raw_path = tuple(json.loads(stored.get("path") or "[]"))
    except ValueError:
        raw_path = ()
    page_index = int(stored.get("page_index") or 0)
    item_id = int(stored.get("item_id") or 0)
    own = item_id if stored.get("kind") == "section" else None
    path, where = cite(stored.get("plan", ""), raw_path, page_index, own)
    return SearchHit(
        key=stored.get("key", ""),
        kind=stored.get("kind", ""),
        item_id=item_id,
        plan=stored.get("plan", ""),
        plan_title=stored.get("plan_title", ""),
        plan_date=stored.get("plan_date", ""),
        path=path,
        page_label=str(stored.get("page_label", "")),
        page_index=page_index,
        score=c.score,
        snippet=snippet(c.text, terms),
        text=c.text,
        relation=stored.get("relation", "") or "",
        status=stored.get("status", "") or "",
        citation=where,
    )
