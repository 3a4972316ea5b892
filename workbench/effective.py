"""Effective commitments: the extractor's list with the user's corrections applied, and keys.

Commitments are named by *keys* (see ``workbench.records``): ``"c:<id>"`` for one the
extractor found, ``"m:<uuid>"`` for one a person marked. ``EffectiveCommitments`` applies the
corrections ("unmark", "mark", heading levels) to the extractor's output, and is what the
suggester, coverage, lineage and packs use; it turns keys into anchored references
(``ref_for``) and references back into the commitment they bind to (``bind``). Reads only
(cached per library revision); Qt-free; emits nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace

from workbench.anchoring import Anchor, anchor_for_text, make_anchor, place
from workbench.errors import InvalidInput, NotFound
from workbench.matching.passages import parse_passage_key
from workbench.model import Commitment, CommitmentId, Section
from workbench.plan_index import PlanIndex, Session
from workbench.reanchoring import Reanchoring
from workbench.records import Correction, CorrectionKind, EffectiveCommitment, Ref

__all__ = ["MAX_ID", "EffectiveCommitments", "marked_commitment", "median_pledge"]

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER


def marked_commitment(corr: Correction) -> EffectiveCommitment:
    """The user commitment a "mark" correction makes (before sections are known)."""
    return EffectiveCommitment(
        key=f"m:{corr.uuid}", plan=corr.plan, text=corr.anchor.exact,
        page_index=corr.anchor.page_index, page_label=corr.anchor.page_label,
        start=corr.anchor.start, end=corr.anchor.end, section_id=None, heading="",
        mark_uuid=corr.uuid,
    )


class EffectiveCommitments:
    """Commitments as the user sees them, and the keys that name them."""

    def __init__(self, session: Session, plans: PlanIndex, anchoring: Reanchoring) -> None:
        self.session = session
        self.plans = plans
        self.anchoring = anchoring
        self._effective: dict[tuple[str, int], list[EffectiveCommitment]] = {}

    def invalidate(self) -> None:
        """Forget cached lists (after a commit: the revision alone may not have moved yet)."""
        self._effective.clear()

    def _corrections(self, slug: str) -> list[Correction]:
        return [r for r in self.anchoring.records("correction", plan=slug)
                if isinstance(r, Correction) and not r.anchor.orphaned]

    def effective_commitments(self, slug: str) -> list[EffectiveCommitment]:
        """The plan's commitments after the user's corrections, in reading order."""
        store = self.session.store
        cache_key = (slug, store.revision())
        if cache_key in self._effective:
            return self._effective[cache_key]
        auto = store.commitments(slug)
        sections = {s.id: s for s in self.effective_sections(slug)}  # paths as fixed
        corrections = self._corrections(slug)
        suppressed: set[int] = set()
        for c in corrections:
            if c.kind == CorrectionKind.UNMARK:
                hit = _best_overlap(c.anchor, auto)
                if hit is not None:
                    suppressed.add(hit.id)
        out = [_from_auto(slug, c, sections) for c in auto if c.id not in suppressed]
        ordered = sorted(auto, key=lambda c: (c.page_index, c.char_start))
        fallback = sorted(sections.values(), key=lambda s: s.ordinal)
        neutral = median_pledge([c for c in auto if c.id not in suppressed])
        for c in corrections:
            if c.kind != CorrectionKind.MARK:
                continue
            a = c.anchor
            section = None
            before = [x for x in ordered if (x.page_index, x.char_start) <= (a.page_index, a.start)]
            if before:
                section = sections.get(before[-1].section_id)
            if section is None:
                started = [s for s in fallback if s.page_start <= a.page_index]
                section = started[-1] if started else (fallback[0] if fallback else None)
            # a split half or a merge keeps the confidence the model gave the unit it was
            # cut from (review, round 11); a fresh mark is the plan's typical unit
            source = _best_overlap(a, auto)
            out.append(replace(marked_commitment(c),
                               section_id=section.id if section else None,
                               heading=section.heading if section else "",
                               path=section.path if section else (),
                               pledge=source.pledge if source is not None
                               and source.pledge is not None else neutral))
        out.sort(key=lambda e: (e.page_index, e.start, e.end))
        self._effective = {cache_key: out} | {
            k: v for k, v in self._effective.items() if k[1] == cache_key[1]
        }
        return out

    def effective_sections(self, slug: str) -> list[Section]:
        """The plan's sections with hand-fixed heading levels applied, and the paths those
        levels give: a heading promoted to level 1 is no longer under its old parent, and the
        headings after it nest under it as their levels say (qa10 L4). A section whose path
        the fixes do not change keeps its stored one."""
        fixes = [r for r in self._corrections(slug)
                 if r.kind == CorrectionKind.HEADING_LEVEL and r.level]
        stored = self.session.store.sections(slug)  # in reading order (ordinal)
        levels = []
        for s in stored:
            level = s.level
            for f in fixes:
                if f.anchor.page_index == s.page_start and " ".join(f.anchor.exact.split()) == \
                        " ".join(s.heading.split()):
                    level = int(f.level or level)
            levels.append(level)
        if all(level == s.level for s, level in zip(stored, levels, strict=True)):
            return stored
        was = _paths(stored, [s.level for s in stored])
        now = _paths(stored, levels)
        return [replace(s, level=level, path=new if new != old else s.path)
                if level != s.level or new != old else s
                for s, level, old, new in zip(stored, levels, was, now, strict=True)]

    def commitment(self, key: str | int) -> EffectiveCommitment:
        """An effective commitment by key ("c:12", "m:<uuid>", or a bare id or uuid)."""
        ref = self.ref_for(key)
        found = self.bind(ref)
        if found is None:
            raise NotFound(f"Commitment {key} is no longer in plan {ref.plan} "
                           "(it was unmarked, or its passage could not be re-anchored).")
        return found

    @staticmethod
    def parse_key(key: str | int) -> str:
        """A commitment key in its canonical form ("c:12" or "m:<uuid>").

        Raises:
            InvalidInput: not a number, ``c:<number>``, ``m:<uuid>`` or a uuid.
        """
        text = str(key).strip()
        if text.startswith("c:"):
            text = text[2:]
        elif text.startswith("m:"):
            return text
        elif parse_passage_key(text) is not None:  # a sentence the matching engine proposed
            return text
        elif len(text) == 36 and text.count("-") == 4:
            return f"m:{text}"
        if text.isascii() and text.isdigit():
            if not 1 <= int(text) <= MAX_ID:
                raise InvalidInput(f"No commitment {text}.")
            return f"c:{int(text)}"
        raise InvalidInput(f"{key!r} is not a commitment id (a number, or m:<uuid>).")

    def ref_for(self, key: str | int) -> Ref:
        """An anchored reference to a commitment (extracted, of any version, or user-marked)."""
        key = self.parse_key(key)
        kind, _, ident = key.partition(":")
        if (span := parse_passage_key(key)) is not None:
            plan, page, start, end = span
            try:
                return Ref(plan, make_anchor(self.plans.pages(plan), page, start, end))
            except (ValueError, IndexError) as exc:
                raise NotFound(f"No passage {key} in {plan}.") from exc
        if kind == "m":
            mark = self.session.rs.get("correction", ident)
            if not isinstance(mark, Correction) or mark.kind != CorrectionKind.MARK \
                    or mark.deleted_at:
                raise NotFound(f"No user-marked commitment {ident}.")
            mark = self.anchoring.view(mark)
            assert isinstance(mark, Correction)
            return Ref(mark.plan, mark.anchor)
        c = self.session.store.commitment(CommitmentId(int(ident)))
        slug = self.plans.slug_of_document(c.document_id)
        anchor = anchor_for_text(self.plans.doc_pages(c.document_id), c.text,
                                 page_index=c.page_index, start=c.char_start, end=c.char_end)
        if anchor is None:
            raise InvalidInput("The commitment's text is not on its page; run `workbench check`.")
        return self.current_ref(slug, c.document_id, anchor)

    def current_ref(self, slug: str, document_id: int, anchor: Anchor) -> Ref:
        """An anchor made on some document version of ``slug``, carried to its current one."""
        if self.plans.plan(slug).document_id != document_id:
            anchor = place(anchor, self.plans.pages(slug)).anchor
        return Ref(slug, anchor)

    def bind(self, ref: Ref) -> EffectiveCommitment | None:
        """The current effective commitment an anchored reference points at, if any."""
        if ref.anchor.orphaned:
            return None
        best, best_overlap = None, 0
        for e in self.effective_commitments(ref.plan):
            if e.page_index != ref.anchor.page_index:
                continue
            overlap = min(e.end, ref.anchor.end) - max(e.start, ref.anchor.start)
            if overlap > best_overlap:
                best, best_overlap = e, overlap
        if best is None:
            return None
        shorter = min(best.end - best.start, ref.anchor.end - ref.anchor.start)
        return best if best_overlap * 2 >= shorter else None

    def key_of(self, ref: Ref) -> str | None:
        found = self.bind(ref)
        return found.key if found else None


def _from_auto(slug: str, c: Commitment, sections: dict[int, Section]) -> EffectiveCommitment:
    s = sections.get(c.section_id)
    return EffectiveCommitment(
        key=f"c:{c.id}", plan=slug, text=c.text, page_index=c.page_index,
        page_label=c.page_label, start=c.char_start, end=c.char_end,
        section_id=c.section_id, heading=s.heading if s else "", path=s.path if s else (),
        lead_in=c.lead_in, commitment_id=c.id, kind=c.kind, pledge=c.pledge,
    )


def median_pledge(units: Sequence[Commitment]) -> float | None:
    """The ``pledge`` a hand-marked unit of a plan gets: the median of the commitment model's
    confidence over the plan's units that have one (None when none has: imported before it was
    stored). Nothing measured a mark, so it is ranked as the plan's typical unit, neither
    promoted above the units the model was surest of (as 1.0 did) nor demoted below them."""
    known = [c.pledge for c in units if c.pledge is not None]
    return statistics.median(known) if known else None


def _paths(sections: Sequence[Section], levels: Sequence[int]) -> list[tuple[str, ...]]:
    """The path (ancestor headings, itself last) each section has when its heading is at
    ``levels``, nested as the segmenter nests them (``indexing.segment``): a heading closes
    the open ones at its level or deeper."""
    stack: list[tuple[int, str]] = []
    out = []
    for s, level in zip(sections, levels, strict=True):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, s.heading))
        out.append(tuple(h for _, h in stack))
    return out


def _best_overlap(anchor: Anchor, commitments: Sequence[Commitment]) -> Commitment | None:
    best, best_overlap = None, 0
    for c in commitments:
        if c.page_index != anchor.page_index:
            continue
        overlap = min(c.char_end, anchor.end) - max(c.char_start, anchor.start)
        if overlap > best_overlap:
            best, best_overlap = c, overlap
    if best is None:
        return None
    shorter = min(best.char_end - best.char_start, anchor.end - anchor.start)
    return best if best_overlap * 2 >= shorter else None
