"""Annotation, correction, lineage and status operations (issue 5), on the DB executor.

Every write is one ``workbench.review.Records`` action, i.e. one committed transaction with its
audit row and persisted undo entry (RELIABILITY rule 4). The op returns only after the commit
(and a search-index sync, so notes are searchable at once); callers show "Saved" in
``on_done``; a non-empty ``Change.warning`` means the action *was* saved but its sidecar (the
backup copy) could not be written: show it as a note, never as "Not saved" (a retry would
duplicate the record). Success re-emits ``Changes.of_action`` on ``OpContext.changes_applied``;
it carries ``plans`` only when the plan's outline changed (corrections), so the reader reloads
then and only then.

One ``Records`` service is kept per open ``Workbench`` (it caches page texts and effective
commitments); it is only ever touched on the DB thread. The acting user's name is passed with
every write (the window keeps it in QSettings).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ui.compose import records_for
from ui.executor import Job
from ui.ops import Changes, OpContext
from workbench.anchoring import make_anchor
from workbench.errors import InvalidInput
from workbench.model import Commitment, CommitmentId, DocumentId, Section, SectionId
from workbench.records import (
    Annotation,
    AuditEntry,
    Change,
    NoteTarget,
    Ref,
    Tag,
)
from workbench.review import Records, Thread
from workbench.review_queue import LinkChoices, PlanChoice, ReviewState
from workbench.services import Workbench

log = logging.getLogger(__name__)
T = TypeVar("T")
ErrorCb = Callable[[BaseException], None] | None
STRUCTURAL = frozenset({"correction"})  # record kinds that change a plan's outline


# -- the per-library Records service (DB thread only) -----------------------------------------

_LOCK = threading.Lock()
_RECORDS: weakref.WeakKeyDictionary[Workbench, Records] = weakref.WeakKeyDictionary()


def records(wb: Workbench, actor: str = "") -> Records:
    """The library's ``Records`` service, acting as ``actor`` (DB thread only)."""
    with _LOCK:
        if wb not in _RECORDS:
            _RECORDS[wb] = records_for(wb, actor or "unknown")
        recs = _RECORDS[wb]
    if actor:
        recs.actor = actor
    return recs


def _kinds_of_undo(recs: Records, redo: bool) -> set[str]:
    entry = recs.rs.redo_candidate() if redo else recs.rs.undo_candidate()
    return {s["kind"] for s in entry.steps} if entry else set()


def read(ctx: OpContext, fn: Callable[[Records], T], *, on_done: Callable[[T], None],
         on_error: ErrorCb = None) -> Job:
    """A short read through ``Records`` on the DB thread."""
    return ctx.executor.submit(lambda wb: fn(records(wb)), on_done=on_done, on_error=on_error)


def write(
    ctx: OpContext,
    actor: str,
    fn: Callable[[Records], Change],
    *,
    on_done: Callable[[Change], None] | None = None,
    on_error: ErrorCb = None,
    initiator: object | None = None,
    kinds: Callable[[Records], set[str]] | None = None,
) -> Job:
    """Run one user action; ``on_done`` gets the ``Change`` after the commit has returned."""

    def work(wb: Workbench) -> tuple[Change, bool]:
        recs = records(wb, actor)
        touched = kinds(recs) if kinds is not None else set()
        change = fn(recs)
        touched |= {r.KIND for r in change.records if r is not None}
        try:
            wb.sync_index()  # notes and rationales are searchable (the index is only a cache)
        except Exception:  # the commit stands; a later sync or rebuild catches up
            log.exception("search index sync after %s failed", change.action)
        return change, bool(touched & STRUCTURAL)

    def done(result: tuple[Change, bool]) -> None:
        change, structural = result
        ctx.emit_changes(Changes.of_action(change, structural=structural), initiator)
        if on_done is not None:
            on_done(change)

    return ctx.executor.submit(work, on_done=done, on_error=on_error)


# -- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnotationItem:
    annotation: Annotation
    tags: tuple[str, ...]  # tag paths ("Climate / Net Zero")
    colour: str  # the annotation's colour, else its first tag's


@dataclass(frozen=True, slots=True)
class AnnotationList:
    plan: str
    items: tuple[AnnotationItem, ...]  # anchored ones
    orphans: tuple[AnnotationItem, ...]  # kept after a re-import could not place them


@dataclass(frozen=True, slots=True)
class TagItem:
    tag: Tag
    path: str


def tag_items(recs: Records) -> list[TagItem]:
    return sorted((TagItem(t, recs.tag_path(t)) for t in recs.tags()),
                  key=lambda t: t.path.casefold())


def annotation_list(recs: Records, plan: str) -> AnnotationList:
    tags = {t.uuid: t for t in recs.tags(include_deleted=True)}
    items = []
    for a in recs.annotations(plan):
        first = tags.get(a.tags[0]) if a.tags else None
        items.append(AnnotationItem(a, tuple(recs.tag_path(tags[t]) for t in a.tags if t in tags),
                                    a.colour or (first.colour if first else "")))
    return AnnotationList(plan, tuple(i for i in items if not i.annotation.anchor.orphaned),
                          tuple(i for i in items if i.annotation.anchor.orphaned))


def load_annotations(ctx: OpContext, plan: str, *, on_done: Callable[[AnnotationList], None],
                     on_error: ErrorCb = None) -> Job:
    return read(ctx, lambda r: annotation_list(r, plan), on_done=on_done, on_error=on_error)


def load_tags(ctx: OpContext, *, on_done: Callable[[list[TagItem]], None]) -> Job:
    return read(ctx, tag_items, on_done=on_done)


def load_trash(ctx: OpContext, *, on_done: Callable[[list[Any]], None]) -> Job:
    return read(ctx, lambda r: r.trash(), on_done=on_done)


def load_audit(ctx: OpContext, *, limit: int = 500,
               on_done: Callable[[list[AuditEntry]], None]) -> Job:
    return read(ctx, lambda r: r.audit_log(limit=limit), on_done=on_done)


def load_undo_labels(ctx: OpContext, *,
                     on_done: Callable[[tuple[str | None, str | None]], None]) -> Job:
    return read(ctx, lambda r: (r.undo_label(), r.redo_label()), on_done=on_done)


def plan_choices(recs: Records) -> list[PlanChoice]:
    return recs.queue.plan_choices()


def load_plan_choices(ctx: OpContext, *, on_done: Callable[[list[PlanChoice]], None]) -> Job:
    return read(ctx, plan_choices, on_done=on_done)


def review_state(wb: Workbench, from_plan: str, to_plan: str, key: str | None = None,
                 move: str = "here") -> ReviewState:
    """``ReviewQueue.review_state`` of the library's ``Records``."""
    return records(wb).queue.review_state(from_plan, to_plan, key, move)


def load_review(ctx: OpContext, from_plan: str, to_plan: str, key: str | None = None,
                move: str = "here", *, on_done: Callable[[ReviewState], None],
                on_error: ErrorCb = None) -> Job:
    return ctx.executor.submit(lambda wb: review_state(wb, from_plan, to_plan, key, move),
                               on_done=on_done, on_error=on_error)


def link_choices(wb: Workbench, source_key: str, to_plan: str | None) -> LinkChoices:
    return records(wb).queue.link_choices(source_key, to_plan)


def load_link_choices(ctx: OpContext, source_key: str, to_plan: str | None = None, *,
                      on_done: Callable[[LinkChoices], None], on_error: ErrorCb = None) -> Job:
    return ctx.executor.submit(lambda wb: link_choices(wb, source_key, to_plan),
                               on_done=on_done, on_error=on_error)


def load_thread(ctx: OpContext, key: str, *,
                on_done: Callable[[tuple[Thread, list[PlanChoice], dict[str, str]]], None],
                on_error: ErrorCb = None) -> Job:
    def work(recs: Records) -> tuple[Thread, list[PlanChoice], dict[str, str]]:
        return recs.thread(key), plan_choices(recs), dict(recs.relation_labels)

    return read(ctx, work, on_done=on_done, on_error=on_error)


def load_status_history(ctx: OpContext, key: str, *, on_done: Callable[[list[Any]], None],
                        on_error: ErrorCb = None) -> Job:
    return read(ctx, lambda r: r.status_history(key), on_done=on_done, on_error=on_error)


def load_note_target(ctx: OpContext, item_id: int, *,
                     on_done: Callable[[NoteTarget | None], None]) -> Job:
    """The record behind a search hit of kind "note" (``Records.note_target``)."""
    return read(ctx, lambda r: r.note_target(item_id), on_done=on_done)


def key_at(recs: Records, plan: str, page_index: int, start: int, end: int) -> str | None:
    """The effective commitment overlapping most of a span of a page, if any."""
    best, overlap = None, 0
    for c in recs.effective_commitments(plan):
        if c.page_index == page_index:
            o = min(c.end, end) - max(c.start, start)
            if o > overlap:
                best, overlap = c.key, o
    return best


def corrected_outline(wb: Workbench, slug: str) -> tuple[list[Section], list[Commitment]]:
    """A plan's sections and commitments with the user's corrections applied, as the reader's
    outline shows them. Hand-marked commitments get negative ids (they have no row); the
    reader finds their key again by position (``key_at``)."""
    recs = records(wb)
    plan = recs.store.plan(slug)
    doc = DocumentId(plan.document_id or 0)
    sections = recs.effective_sections(slug)
    first = sections[0].id if sections else SectionId(0)
    out = []
    for i, e in enumerate(recs.effective_commitments(slug)):
        cid = e.commitment_id if e.commitment_id is not None else -(i + 1)
        out.append(Commitment(CommitmentId(cid), doc, SectionId(e.section_id or first), i,
                              e.text, e.page_index, e.page_label, e.start, e.end, e.lead_in,
                              kind=e.kind))
    return sections, out


def load_outline(ctx: OpContext, slug: str, *,
                 on_done: Callable[[tuple[list[Section], list[Commitment]]], None]) -> Job:
    return ctx.executor.submit(lambda wb: corrected_outline(wb, slug), on_done=on_done)


# -- writes (thin wrappers, so panels never build Records calls themselves) --------------------


def annotate(ctx: OpContext, actor: str, plan: str, page_index: int, start: int, end: int, *,
             note: str = "", colour: str = "", tag_paths: Sequence[str] = (),
             on_done: Callable[[Change], None] | None = None, on_error: ErrorCb = None,
             initiator: object | None = None) -> Job:
    """Highlight ``[start, end)`` (code points; convert Qt offsets with ``utf16_to_cp``)."""

    def fn(recs: Records) -> Change:  # missing tags are created by the same action
        return recs.annotate(plan, page_index, start, end, note=note, colour=colour,
                             tags=[p for p in tag_paths if p.strip()])

    return write(ctx, actor, fn, on_done=on_done, on_error=on_error, initiator=initiator)


def edit_annotation(ctx: OpContext, actor: str, uuid: str, *, note: str | None = None,
                    colour: str | None = None, tag_paths: Sequence[str] | None = None,
                    on_done: Callable[[Change], None] | None = None,
                    on_error: ErrorCb = None) -> Job:
    def fn(recs: Records) -> Change:  # missing tags are created by the same action
        tags = None if tag_paths is None else [p for p in tag_paths if p.strip()]
        return recs.edit_annotation(uuid, note=note, colour=colour, tags=tags)

    return write(ctx, actor, fn, on_done=on_done, on_error=on_error)


def undo(ctx: OpContext, actor: str, *, redo: bool = False,
         on_done: Callable[[Change], None] | None = None, on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.redo() if redo else r.undo(), on_done=on_done,
                 on_error=on_error, kinds=lambda r: _kinds_of_undo(r, redo))


def accept(ctx: OpContext, actor: str, from_plan: str, to_plan: str, key: str,
           candidate: int | None, *, on_done: Callable[[Change], None] | None = None,
           on_error: ErrorCb = None) -> Job:
    """Accept the top suggestion with its proposed relation (``candidate=None``), or candidate
    ``candidate`` with that candidate's relation."""

    def fn(recs: Records) -> Change:
        sugg = recs.queue.suggestion_for(recs.commitment(key), to_plan)
        if candidate is None:
            return recs.accept(sugg)
        if not 0 <= candidate < len(sugg.candidates):
            raise InvalidInput(f"There is no candidate {candidate + 1}.")
        return recs.accept(sugg, candidate=candidate,
                           relation=sugg.candidates[candidate].relation)

    return write(ctx, actor, fn, on_done=on_done, on_error=on_error)


def reject(ctx: OpContext, actor: str, to_plan: str, key: str, candidate: int = 0, *,
           on_done: Callable[[Change], None] | None = None, on_error: ErrorCb = None) -> Job:
    def fn(recs: Records) -> Change:
        sugg = recs.queue.suggestion_for(recs.commitment(key), to_plan)
        return recs.reject(sugg, candidate=candidate)

    return write(ctx, actor, fn, on_done=on_done, on_error=on_error)


Done = Callable[[Change], None] | None
Span = tuple[str, int, int, int]  # (plan, page_index, start, end) in code points


def _evidence(recs: Records, spans: Sequence[Span]) -> tuple[Ref, ...]:
    return tuple(Ref(p, make_anchor(recs.pages(p), page, s, e)) for p, page, s, e in spans)


def link(ctx: OpContext, actor: str, source_key: str, target_keys: Sequence[str], *,
         relation: str, to_plan: str, rationale: str = "", evidence: Sequence[Span] = (),
         confirm: bool = True, on_done: Done = None, on_error: ErrorCb = None) -> Job:
    """Record (or revise) the source's one verdict about ``to_plan``."""
    return write(ctx, actor, lambda r: r.link(
        source_key, tuple(target_keys), relation=relation, to_plan=to_plan,
        rationale=rationale, evidence=_evidence(r, evidence), confirm=confirm),
        on_done=on_done, on_error=on_error)


def assess(ctx: OpContext, actor: str, key: str, status: str, as_at: str, *,
           rationale: str = "", evidence: Sequence[Span] = (), on_done: Done = None,
           on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.assess(key, status, as_at, rationale=rationale,
                                                evidence=_evidence(r, evidence)),
                 on_done=on_done, on_error=on_error)


def mark(ctx: OpContext, actor: str, span: Span, *, on_done: Done = None,
         on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.mark(*span), on_done=on_done, on_error=on_error)


def unmark(ctx: OpContext, actor: str, key: str, *, on_done: Done = None,
           on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.unmark(key), on_done=on_done, on_error=on_error,
                 kinds=lambda r: {"correction"})


def split(ctx: OpContext, actor: str, key: str, at: int, *, on_done: Done = None,
          on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.split(key, at), on_done=on_done, on_error=on_error)


def merge_with_next(ctx: OpContext, actor: str, key: str, *, on_done: Done = None,
                    on_error: ErrorCb = None) -> Job:
    """Merge a commitment with the one after it in reading order."""

    def fn(recs: Records) -> Change:
        here = recs.commitment(key)
        keys = [c.key for c in recs.effective_commitments(here.plan)]
        at = keys.index(here.key)
        if at + 1 >= len(keys):
            raise InvalidInput("This is the plan's last commitment; there is none to merge with.")
        return recs.merge(here.key, keys[at + 1])

    return write(ctx, actor, fn, on_done=on_done, on_error=on_error)


def heading_level(ctx: OpContext, actor: str, section_id: int, level: int, *,
                  on_done: Done = None, on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.set_heading_level(section_id, level),
                 on_done=on_done, on_error=on_error)


def dropped(ctx: OpContext, actor: str, key: str, to_plan: str, rationale: str, *,
            on_done: Done = None, on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.link(key, (), relation="dropped", to_plan=to_plan,
                                              rationale=rationale, confirm=True),
                 on_done=on_done, on_error=on_error)


def delete(ctx: OpContext, actor: str, uuid: str, *, on_done: Done = None,
           on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.delete(uuid), on_done=on_done, on_error=on_error)


def restore(ctx: OpContext, actor: str, uuid: str, *, on_done: Done = None,
            on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.restore(uuid), on_done=on_done, on_error=on_error)


def reattach(ctx: OpContext, actor: str, uuid: str, page_index: int, start: int, end: int, *,
             on_done: Done = None, on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.reattach(uuid, page_index, start, end),
                 on_done=on_done, on_error=on_error)


def create_tag(ctx: OpContext, actor: str, name: str, *, parent: str | None = None,
               colour: str = "", on_done: Done = None, on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.create_tag(name, parent=parent, colour=colour),
                 on_done=on_done, on_error=on_error)


def edit_tag(ctx: OpContext, actor: str, uuid: str, *, name: str | None = None,
             colour: str | None = None, on_done: Done = None, on_error: ErrorCb = None) -> Job:
    return write(ctx, actor, lambda r: r.edit_tag(uuid, name=name, colour=colour),
                 on_done=on_done, on_error=on_error)
