"""Hand corrections: of the segmentation (un-mark, mark, split, merge, heading levels) and of
anchors (re-attach an orphaned record to a passage chosen by hand).

A split is "unmark + two marks" and a merge "two unmarks + one mark", sharing one ``group``
uuid so they show, go to the trash and undo as one. Retiring the commitments a split or merge
replaces is one step (``_retire``): a user mark goes to the trash, an extracted commitment gets
an "unmark". Qt-free; writes go through ``workbench.actions.Actions``; the effect on the list
of commitments is ``workbench.effective``'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from workbench.actions import RecordService
from workbench.anchoring import Anchor, anchor_for_text, make_anchor
from workbench.effective import marked_commitment
from workbench.errors import InvalidInput
from workbench.files import utc_now
from workbench.matching.passages import parse_passage_key
from workbench.model import SectionId
from workbench.records import (
    Annotation,
    Change,
    Correction,
    CorrectionKind,
    EffectiveCommitment,
    Link,
    Record,
    Ref,
    StatusAssessment,
    new_uuid,
    with_deleted,
)

__all__ = ["Corrections"]

Pair = tuple[Record | None, Record | None]


class Corrections(RecordService):
    """Segmentation corrections and hand re-attachment of one library."""

    def _correction(self, plan: str, kind: str, anchor: Anchor, *, group: str = "",
                    level: int | None = None, note: str = "") -> Correction:
        stamp = utc_now()
        return Correction(uuid=new_uuid(), plan=plan, kind=kind, anchor=anchor, level=level,
                          group=group, note=note, created_at=stamp,
                          created_by=self.session.actor, updated_at=stamp)

    def _anchor(self, plan: str, page_index: int, start: int, end: int, what: str) -> Anchor:
        try:
            return make_anchor(self.plans.pages(plan), page_index, start, end)
        except ValueError as exc:
            raise InvalidInput(f"Cannot {what} there: {exc}.") from exc

    def _retire(self, c: EffectiveCommitment, group: str, note: str) -> Pair:
        """The change that takes ``c`` out of the list: its user mark to the trash, or an
        "unmark" of the extracted commitment (part of ``group``)."""
        if c.mark_uuid:
            old = self.actions.live(c.mark_uuid)
            return (old, with_deleted(old, utc_now()))
        anchor = make_anchor(self.plans.pages(c.plan), c.page_index, c.start, c.end)
        return (None, self._correction(c.plan, CorrectionKind.UNMARK, anchor, group=group,
                                       note=note))

    def unmark(self, key: str | int, *, note: str = "") -> Change:
        """"This is not a commitment": suppress an extracted one, or trash a user mark."""
        c = self.effective.commitment(key)
        if c.mark_uuid:
            return self.actions.delete(c.mark_uuid)
        return self.actions.commit("unmark", "Un-mark commitment", [self._retire(c, "", note)],
                                   {"key": c.key})

    def _new_mark(self, plan: str, page_index: int, start: int, end: int, *,
                  note: str = "") -> Correction:
        anchor = self._anchor(plan, page_index, start, end, "mark")
        return self._correction(plan, CorrectionKind.MARK, anchor, note=note)

    def mark(self, plan: str, page_index: int, start: int, end: int, *, note: str = "") -> Change:
        """"This passage is a commitment": a user commitment anchored to the passage."""
        corr = self._new_mark(plan, page_index, start, end, note=note)
        return self.actions.commit("mark", "Mark as commitment", [(None, corr)],
                                   value=marked_commitment(corr))

    def marks_for(self, targets: Sequence[str | int]) -> list[Pair]:
        """The uncommitted marks that make each ``p:`` target (a sentence the matching engine
        proposed, not a commitment) a user commitment. A verdict on such a sentence commits
        them with its link (``Links.link(also=...)``), so the verdict is one undo step: the
        link's target is the same passage, so it binds to the mark once both are written."""
        return [(None, self._new_mark(*span)) for t in targets
                if (span := parse_passage_key(str(t))) is not None]

    def split(self, key: str | int, at: int, *, note: str = "") -> Change:
        """Split a compound commitment at character ``at`` of its text into two. The value is
        the pair of new user commitments."""
        c = self.effective.commitment(key)
        if not 0 < at < c.end - c.start:
            raise InvalidInput("Split inside the commitment's text.")
        pages = self.plans.pages(c.plan)
        text = pages.texts[c.page_index]
        left_end = right_start = c.start + at
        while left_end > c.start and text[left_end - 1].isspace():
            left_end -= 1
        while right_start < c.end and text[right_start].isspace():
            right_start += 1
        if left_end <= c.start or right_start >= c.end:
            raise InvalidInput("Both parts of a split need some text.")
        group = new_uuid()
        parts = [
            self._correction(c.plan, CorrectionKind.MARK,
                             make_anchor(pages, c.page_index, s, e), group=group, note=note)
            for s, e in ((c.start, left_end), (right_start, c.end))
        ]
        changes: list[Pair] = [self._retire(c, group, note), *((None, p) for p in parts)]
        return self.actions.commit("split", "Split commitment", changes,
                                   {"key": c.key, "at": at},
                                   value=tuple(marked_commitment(p) for p in parts))

    def merge(self, first: str | int, second: str | int, *, note: str = "") -> Change:
        """Merge two commitments on one page into one user commitment spanning both."""
        a, b = self.effective.commitment(first), self.effective.commitment(second)
        if a.key == b.key:
            raise InvalidInput("Choose two different commitments to merge.")
        if a.plan != b.plan or a.page_index != b.page_index:
            raise InvalidInput("Only commitments on the same page can be merged.")
        group = new_uuid()
        changes: list[Pair] = [self._retire(c, group, note) for c in (a, b)]
        merged = self._correction(
            a.plan, CorrectionKind.MARK,
            make_anchor(self.plans.pages(a.plan), a.page_index, min(a.start, b.start),
                        max(a.end, b.end)),
            group=group, note=note)
        changes.append((None, merged))
        return self.actions.commit("merge", "Merge commitments", changes,
                                   {"keys": [a.key, b.key]}, value=marked_commitment(merged))

    def set_heading_level(self, section_id: int, level: int, *, note: str = "") -> Change:
        """Fix a heading's level (1 = top). Anchored by the heading's text on its first page."""
        if not 1 <= level <= 9:
            raise InvalidInput("A heading level is between 1 and 9.")
        section = self.session.store.section(SectionId(section_id))
        slug = self.plans.slug_of_document(section.document_id)
        anchor = anchor_for_text(self.plans.doc_pages(section.document_id), section.heading,
                                 page_index=section.page_start, anywhere=False)
        if anchor is None:
            raise InvalidInput("The heading's text is not on its page.")
        anchor = self.effective.current_ref(slug, section.document_id, anchor).anchor
        before = next((r for r in self.corrections(slug)
                       if r.kind == CorrectionKind.HEADING_LEVEL
                       and r.anchor.selector() == anchor.selector()), None)
        detail = {"section_id": section_id, "level": level}
        if before is not None:
            after = replace(before, level=level, note=note or before.note, updated_at=utc_now())
            return self.actions.commit("heading_level", "Fix heading level", [(before, after)],
                                       detail)
        corr = self._correction(slug, CorrectionKind.HEADING_LEVEL, anchor, level=level,
                                note=note)
        return self.actions.commit("heading_level", "Fix heading level", [(None, corr)], detail)

    def corrections(self, plan: str, *, include_deleted: bool = False) -> list[Correction]:
        return [c for c in self.actions.anchoring.records("correction", plan=plan,
                                                          include_deleted=include_deleted)
                if isinstance(c, Correction)]

    def reattach(self, uuid: str, page_index: int, start: int, end: int) -> Change:
        """Re-attach an orphaned annotation or correction (or a link's source / a status's
        subject) to a passage chosen by hand."""
        record = self.actions.live(uuid)
        plan = getattr(record, "plan", "")  # a tag has none: refused below
        anchor = make_anchor(self.plans.pages(plan), page_index, start, end)
        stamp = utc_now()
        if isinstance(record, Annotation | Correction):
            new: Record = replace(record, anchor=anchor, updated_at=stamp)
        elif isinstance(record, Link):
            new = replace(record, source=Ref(plan, anchor), updated_at=stamp)
        elif isinstance(record, StatusAssessment):
            new = replace(record, subject=Ref(plan, anchor), updated_at=stamp)
        else:
            raise InvalidInput("Only anchored records can be re-attached.")
        return self.actions.commit("reattach", "Re-attach passage", [(record, new)],
                                   {"page_index": page_index, "start": start, "end": end})
