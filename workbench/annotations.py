"""Annotations: highlighted passages with a colour, tags and an optional note.

Offsets are code points of the page's normalised text (convert Qt UTF-16 offsets with
``workbench.anchoring.utf16_to_cp`` first). Tags given by path are created in the annotation's
own action, after the passage is validated, so they are undone with it. Qt-free; writes go
through ``workbench.actions.Actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from workbench.actions import Actions, RecordService
from workbench.anchoring import find_quote, make_anchor, normalise
from workbench.effective import EffectiveCommitments
from workbench.errors import InvalidInput
from workbench.files import utc_now
from workbench.plan_index import PlanIndex, Session
from workbench.records import Annotation, Change, new_uuid
from workbench.tags import Tags

__all__ = ["Annotations"]


class Annotations(RecordService):
    """Highlights and notes of one library."""

    def __init__(self, session: Session, plans: PlanIndex, effective: EffectiveCommitments,
                 actions: Actions, tags: Tags) -> None:
        super().__init__(session, plans, effective, actions)
        self.tags = tags

    def annotate(self, plan: str, page_index: int, start: int, end: int, *, note: str = "",
                 colour: str = "", tags: Sequence[str] = ()) -> Change:
        """Highlight ``[start, end)`` of a page; ``tags`` are tag uuids or paths ("Climate /
        Net Zero"), missing ones created in the same action."""
        pages = self.plans.pages(plan)
        try:
            anchor = make_anchor(pages, page_index, start, end)
        except ValueError as exc:
            raise InvalidInput(f"Cannot annotate there: {exc}.") from exc
        tag_uuids, new_tags = self.tags.resolve(tags)
        stamp = utc_now()
        ann = Annotation(uuid=new_uuid(), plan=plan, anchor=anchor, note=normalise(note),
                         colour=colour, tags=tag_uuids, created_at=stamp,
                         created_by=self.session.actor, updated_at=stamp)
        detail: dict[str, Any] = {"plan": plan, "page": anchor.page_label}
        if new_tags:
            detail["new_tags"] = [t.name for t in new_tags]
        return self.actions.commit("create_annotation", "Add annotation",
                                   [(None, ann), *((None, t) for t in new_tags)], detail,
                                   value=ann)

    def annotate_quote(self, plan: str, quote: str, *, page: str | int | None = None,
                       occurrence: int = 0, **kw: Any) -> Change:
        """Annotate a quote (whitespace-tolerant) on a page given by printed label or index."""
        pages = self.plans.pages(plan)
        page_index = self.page_index(plan, page) if page is not None else None
        found = find_quote(pages, quote, page_index=page_index, occurrence=occurrence)
        if found is None:
            where = f" on page {page}" if page is not None else ""
            raise InvalidInput(f"The quote is not in {plan}{where}.")
        return self.annotate(plan, *found, **kw)

    def annotate_commitment(self, key: str | int, *, plan: str | None = None,
                            **kw: Any) -> Change:
        """Highlight a commitment's passage; with ``plan``, refuse a commitment of another
        plan (a mistyped id must not annotate someone else's plan)."""
        c = self.effective.commitment(key)
        if plan is not None and c.plan != plan:
            raise InvalidInput(f"Commitment {key} is in {c.plan}, not {plan}.")
        return self.annotate(c.plan, c.page_index, c.start, c.end, **kw)

    def page_index(self, plan: str, page: str | int) -> int:
        """A page index from a printed label ("12", "iv") or, failing that, a 1-based number."""
        pages = self.plans.pages(plan)
        text = str(page).strip()
        for i, label in enumerate(pages.labels):
            if label == text:
                return i
        if text.isdigit() and 1 <= int(text) <= len(pages.texts):
            return int(text) - 1
        raise InvalidInput(f"Plan {plan} has no page {page}.")

    def edit_annotation(self, uuid: str, *, note: str | None = None, colour: str | None = None,
                        tags: Sequence[str] | None = None) -> Change:
        """Change an annotation's note, colour or tags (uuids or paths; missing tags are
        created in the same action)."""
        ann = self.actions.live(uuid)
        if not isinstance(ann, Annotation):
            raise InvalidInput(f"{uuid} is not an annotation.")
        new = ann
        if note is not None:
            new = replace(new, note=normalise(note))
        if colour is not None:
            new = replace(new, colour=colour)
        new_tags = []
        if tags is not None:
            tag_uuids, new_tags = self.tags.resolve(tags)
            new = replace(new, tags=tag_uuids)
        if new == ann:
            raise InvalidInput("Nothing to change.")
        after = replace(new, updated_at=utc_now())
        return self.actions.commit("edit_annotation", "Edit annotation",
                                   [(ann, after), *((None, t) for t in new_tags)],
                                   {"new_tags": [t.name for t in new_tags]} if new_tags else None,
                                   value=after)

    def annotations(self, plan: str | None = None, *, orphans: bool = False,
                    include_deleted: bool = False) -> list[Annotation]:
        out = [a for a in self.actions.anchoring.records("annotation", plan=plan,
                                                         include_deleted=include_deleted)
               if isinstance(a, Annotation)]
        if orphans:
            out = [a for a in out if a.anchor.orphaned]
        return sorted(out, key=lambda a: (a.plan, a.anchor.page_index, a.anchor.start))
