"""Compare units: a plan's sections, long ones cut into parts an officer can read side by side.

A section of two thousand words paired with another of two thousand words tells an officer
little; compare aligns **units** instead: a section as it is when it is short, else its
consecutive parts of at most ``UNIT_WORDS`` words, cut between paragraphs or sentences
(``workbench.text.sentences``). A unit looks like a ``Section`` to its readers (``id``,
``heading``, ``path``, ``text``, ``page_start``, ``label_start``) and says which part it is.

Units are compared on their words (``tfidf_cosine`` over the one tokenizer's stems); see
``align.compare_plans`` for how they are paired.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from workbench.matching.passages import Passage
from workbench.model import Section
from workbench.text import fold, sentences, tokens

UNIT_WORDS = 250
"""A section longer than this (heading included) is cut into parts of at most this many words,
so a pair stays readable side by side (and under 300 words with room to spare)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A section, or one part of a long section, as a compare unit."""

    section: Section
    part: int  # 1-based
    parts: int
    start: int  # offsets in the section's text
    end: int
    page_start: int
    label_start: str

    @property
    def id(self) -> int:
        return int(self.section.id)

    @property
    def heading(self) -> str:
        return self.section.heading

    @property
    def path(self) -> tuple[str, ...]:
        return self.section.path

    @property
    def text(self) -> str:
        return self.section.text[self.start:self.end]

    @property
    def label(self) -> str:
        """"Heading" or "Heading (part 2 of 5)"."""
        if self.parts == 1:
            return self.heading
        return f"{self.heading} (part {self.part} of {self.parts})"


def _squash(text: str) -> str:
    return " ".join(fold(text).split())


def _cuts(section: Section, limit: int) -> list[tuple[int, int]]:
    """Consecutive spans of the section's text of at most ``limit`` words (a single longer
    sentence stays whole), covering the whole text."""
    text = section.text
    budget = limit - len(section.heading.split())
    if len(text.split()) <= budget:
        return [(0, len(text))]
    spans = sentences(text, min_words=1)
    if not spans:
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    start, words = 0, 0
    for a, b in spans:
        n = len(text[a:b].split())
        if words and words + n > budget:
            out.append((start, a))
            start, words = a, 0
        words += n
    out.append((start, len(text)))
    # fold a short tail into the part before it when the two still fit
    if len(out) >= 2 and len(text[out[-2][0]:out[-1][1]].split()) <= budget:
        out[-2:] = [(out[-2][0], out[-1][1])]
    return out


def units_of(sections: Sequence[Section], passages: Sequence[Passage] = (),
             limit: int = UNIT_WORDS) -> list[Unit]:
    """The plan's compare units in reading order. ``passages`` (of the same plan) give each
    part its first page."""
    by_section: dict[int, list[Passage]] = {}
    for p in passages:
        if p.section_id is not None:
            by_section.setdefault(int(p.section_id), []).append(p)
    out: list[Unit] = []
    for s in sorted(sections, key=lambda s: s.ordinal):
        cuts = _cuts(s, limit)
        pages: list[tuple[int, str]] = [(s.page_start, s.label_start)] * len(cuts)
        if len(cuts) > 1:
            probes = [(p.page_index, p.page_label, _squash(p.text)[:60]) for p in
                      sorted(by_section.get(int(s.id), []), key=lambda p: (p.page_index, p.start))]
            for k, (a, b) in enumerate(cuts):
                sq = _squash(s.text[a:b])
                pages[k] = next(((pi, pl) for pi, pl, probe in probes if probe and probe in sq),
                                pages[k - 1] if k else pages[k])
        for k, (a, b) in enumerate(cuts):
            out.append(Unit(s, k + 1, len(cuts), a, b, pages[k][0], pages[k][1]))
    return out


def unit_of(units: Sequence[Unit], passages: Sequence[Passage]) -> dict[str, int]:
    """{passage key: index of the unit holding it}, for passages inside some unit (a passage
    found in no part of its section goes to the section's first part)."""
    squashed = [_squash(u.text) for u in units]
    by_section: dict[int, list[int]] = {}
    for k, u in enumerate(units):
        by_section.setdefault(u.id, []).append(k)
    out: dict[str, int] = {}
    for p in passages:
        if p.section_id is None or int(p.section_id) not in by_section:
            continue
        ks = by_section[int(p.section_id)]
        probe = _squash(p.text)[:80]
        out[p.key] = next((k for k in ks if probe and probe in squashed[k]), ks[0])
    return out


_VOCAB: dict[str, int] = {}
_VOCAB_LOCK = threading.Lock()


@lru_cache(maxsize=16384)
def _bag(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(stem ids, counts) of a text's stems: tokenised once per text, so a plan's sections and
    units are not tokenised again for every plan they are compared with (a changed section is a
    new text, so an edited plan is re-read)."""
    counts = Counter(tokens(text))
    with _VOCAB_LOCK:
        ids = [_VOCAB.setdefault(t, len(_VOCAB)) for t in counts]
    return np.array(ids, dtype=np.int64), np.array(list(counts.values()), dtype=np.float64)


def bag_cache_clear() -> None:
    """Forget the stems counted so far (to time a compare from cold)."""
    _bag.cache_clear()


def tfidf_cosine(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """len(left) × len(right) cosine of TF-IDF vectors over the one tokenizer's stems
    (weight (1 + log tf) · log(1 + N / df) over the two lists' N texts)."""
    if not left or not right:
        return np.zeros((len(left), len(right)))
    bags = [_bag(t) for t in (*left, *right)]
    n = len(bags)
    rows = np.repeat(np.arange(n), [len(ids) for ids, _ in bags])
    ids = np.concatenate([ids for ids, _ in bags])
    tf = np.concatenate([c for _, c in bags])
    stems, cols = np.unique(ids, return_inverse=True)
    df = np.bincount(cols, minlength=len(stems))
    weight = (1 + np.log(tf)) * np.log(1 + n / df[cols])
    norms = np.sqrt(np.bincount(rows, weights=weight * weight, minlength=n))
    weight = weight / np.where(norms == 0, 1, norms)[rows]
    # only stems found on both sides add to a cosine: the matrix product runs over those
    is_left = rows < len(left)
    both = np.zeros(len(stems), dtype=bool)
    both[np.intersect1d(cols[is_left], cols[~is_left])] = True
    keep = both[cols]
    shared = np.cumsum(both) - 1
    mat = np.zeros((n, int(both.sum())))
    mat[rows[keep], shared[cols[keep]]] = weight[keep]
    # einsum, not BLAS: for matrices this small OpenBLAS's thread wake-ups cost more than the
    # product (10 ms against 1 ms measured on a busy 2-core machine)
    return np.einsum("ik,jk->ij", mat[: len(left)], mat[len(left):])
