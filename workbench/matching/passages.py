"""The passages of a plan the matching engine can pair: commitments first, then every sentence.

A successor is often not marked as a commitment (a narrative sentence that restates or reverses a
policy), so the candidates of a later plan are its effective commitments plus every sentence and
list item of its pages that no commitment already covers. Each passage keeps its page, character
offsets (so a person can accept it: it is marked as a commitment first) and its section.

Sentence keys are ``"p:<plan>:<page index>:<start>:<end>"`` (a passage of the plan's current
version, addressable like a commitment); commitment keys are the usual ``c:``/``m:``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.model import Section
from workbench.records import EffectiveCommitment
from workbench.text import fold, sentences

PASSAGE_PREFIX = "p:"


@dataclass(frozen=True, slots=True)
class Passage:
    """One unit a source can be matched to."""

    key: str
    plan: str
    kind: str  # "commitment" | "sentence"
    text: str
    heading: str
    path: tuple[str, ...]
    page_index: int
    page_label: str
    start: int
    end: int
    section_id: int | None
    commitment: EffectiveCommitment | None = None

    def as_commitment(self) -> EffectiveCommitment:
        """The passage in the shape the review queue and the CLI show (a sentence keeps its
        ``p:`` key until someone accepts it)."""
        if self.commitment is not None:
            return self.commitment
        return EffectiveCommitment(
            key=self.key, plan=self.plan, text=self.text, page_index=self.page_index,
            page_label=self.page_label, start=self.start, end=self.end,
            section_id=self.section_id, heading=self.heading, path=self.path,
        )


PLEDGE_NEUTRAL = 0.5
"""The ``pledge`` signal of a passage the commitment model's confidence is not known for: a
sentence no unit covers, or a unit stored before the confidence was (migration m006; a plan
with no stored confidence is ranked with the weights fitted without the signal until its PDF
is imported again: ``engine.WEIGHTS_PARAPHRASE_UNSCORED``). 0.5 is the model's own threshold
(log-odds 0): a kept unit is never below it."""
PLEDGE_CLIP = 4.0


def pledge_signal(p: Passage) -> float:
    """How pledge-like ``p`` reads, 0-1: the commitment model's log-odds that it is a unit,
    clipped to ±``PLEDGE_CLIP`` and scaled to 0-1 (the raw probability bunches most units near
    1; the log-odds spread them: cross-validated 0.367 / 0.539 against 0.354 / 0.530,
    docs/bench/pledge10-r10.md). The engine's ``pledge`` signal. A unit a person marked carries
    its plan's median confidence (``workbench.effective.median_pledge``), as nothing measured it."""
    c = p.commitment
    if p.kind != "commitment" or c is None:
        return PLEDGE_NEUTRAL
    if c.pledge is None:
        return PLEDGE_NEUTRAL
    q = min(max(float(c.pledge), 1e-6), 1.0 - 1e-6)
    odds = min(PLEDGE_CLIP, max(-PLEDGE_CLIP, math.log(q / (1.0 - q))))
    return (odds + PLEDGE_CLIP) / (2.0 * PLEDGE_CLIP)


def passage_key(plan: str, page_index: int, start: int, end: int) -> str:
    return f"{PASSAGE_PREFIX}{plan}:{page_index}:{start}:{end}"


def parse_passage_key(key: str) -> tuple[str, int, int, int] | None:
    """(plan, page index, start, end) of a ``p:`` key, or None for any other key."""
    if not key.startswith(PASSAGE_PREFIX):
        return None
    plan, _, rest = key[len(PASSAGE_PREFIX):].partition(":")
    try:
        page, start, end = (int(x) for x in rest.split(":"))
    except ValueError:
        return None
    if not plan or page < 0 or not 0 <= start < end:
        return None
    return plan, page, start, end


def from_commitment(c: EffectiveCommitment) -> Passage:
    return Passage(c.key, c.plan, "commitment", c.text, c.heading, c.path, c.page_index,
                   c.page_label, c.start, c.end, c.section_id, c)


def _squash(text: str) -> str:
    return " ".join(fold(text).split())


def _section_finder(sections: Sequence[Section]):
    """A function giving the section a sentence of a page belongs to: among the sections that
    cover the page, the one whose text holds the sentence; else the last one starting on or
    before the page."""
    ordered = sorted(sections, key=lambda s: s.ordinal)
    squashed = {s.id: _squash(s.text) for s in ordered}

    def find(page_index: int, text: str) -> Section | None:
        covering = [s for s in ordered if s.page_start <= page_index <= s.page_end]
        probe = _squash(text)[:80]
        for s in covering:
            if probe and probe in squashed[s.id]:
                return s
        started = [s for s in ordered if s.page_start <= page_index]
        return (covering or started or ordered or [None])[-1]

    return find


def plan_passages(
    plan: str,
    commitments: Sequence[EffectiveCommitment],
    sections: Sequence[Section] = (),
    pages: Sequence[tuple[int, str, str]] = (),
    *,
    min_words: int = 5,
) -> list[Passage]:
    """Every passage of a plan: its commitments, then the sentences no commitment covers.

    Args:
        plan: the plan's slug.
        commitments: its effective commitments (the user's corrections applied).
        sections: its sections (for the heading and path of a sentence).
        pages: ``(page index, label, text)`` of its current document version.
        min_words: sentences shorter than this are page furniture, not passages.
    """
    out = [from_commitment(c) for c in commitments]
    covered: dict[int, list[tuple[int, int]]] = {}
    for c in commitments:
        covered.setdefault(c.page_index, []).append((c.start, c.end))
    find = _section_finder(sections)
    for page_index, label, text in pages:
        spans = covered.get(page_index, [])
        for start, end in sentences(text, min_words=min_words):
            length = end - start
            if any(min(end, b) - max(start, a) > length // 2 for a, b in spans):
                continue
            body = text[start:end]
            section = find(page_index, body)
            out.append(Passage(
                passage_key(plan, page_index, start, end), plan, "sentence", body,
                section.heading if section else "", section.path if section else (),
                page_index, label, start, end, int(section.id) if section else None,
            ))
    return out
