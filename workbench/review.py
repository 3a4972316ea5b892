"""``Records``: the user-record services of one library, behind one object the UI and CLI hold.

A thin facade over collaborators that each own one responsibility (read their docstrings for
the rules they keep):

* ``workbench.plan_index``: the shared ``Session`` (ports, acting user, change callback) and the
  ``PlanIndex`` of plans, document versions and page texts;
* ``workbench.reanchoring``: records placed in their plans' newest document versions (reads
  never write; writes persist the placement);
* ``workbench.effective``: the commitments with the user's corrections applied, and keys;
* ``workbench.actions``: every write as one audited, undoable transaction; undo, redo, trash;
* ``workbench.sidecars``: the per-plan JSON backup copies written after each commit;
* ``workbench.tags``, ``workbench.annotations``, ``workbench.corrections``, ``workbench.links``
  (links and statuses): the record kinds;
* ``workbench.review_queue``: suggestions, accept/reject, coverage, the review screen's state;
* ``workbench.threads``: lineage threads across editions.

The collaborators are public attributes (``records.queue.review_state(...)``); the methods
below keep the long-standing API. Qt-free; each committed ``Change`` goes to ``on_change``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workbench.actions import KINDS, MERGE_CHANGED, Actions
from workbench.anchoring import DocumentText, ReanchorReport
from workbench.annotations import Annotations
from workbench.corrections import Corrections
from workbench.effective import EffectiveCommitments
from workbench.lineage import RELATIONS, STATUSES, Suggester, Suggestion
from workbench.links import Links
from workbench.model import Plan, Section
from workbench.plan_index import PlanIndex, Session
from workbench.ports import RecordStore, Store
from workbench.reanchoring import Reanchoring
from workbench.records import (
    Annotation,
    AuditEntry,
    Change,
    Correction,
    EffectiveCommitment,
    Link,
    NoteTarget,
    Record,
    Ref,
    StatusAssessment,
    Tag,
    UndoEntry,
)
from workbench.review_queue import Coverage, ReviewQueue
from workbench.sidecars import SIDECAR_FORMAT, Sidecars
from workbench.tags import Tags
from workbench.threads import Thread, ThreadEdge, ThreadNode, Threads

__all__ = ["KINDS", "MERGE_CHANGED", "SIDECAR_FORMAT", "Coverage", "Records", "Thread",
           "ThreadEdge", "ThreadNode"]


class Records:
    """Annotations, corrections, lineage and statuses of one library (one per thread)."""

    def __init__(self, store: Store, records: RecordStore, *, actor: str,
                 sidecar_dir: Path | None = None,
                 on_change: Callable[[Change], None] | None = None) -> None:
        self.session = Session(store, records, actor or "unknown", on_change)
        self.plans = PlanIndex(store)
        self.anchoring = Reanchoring(self.session, self.plans)
        self.effective = EffectiveCommitments(self.session, self.plans, self.anchoring)
        self.sidecars = Sidecars(self.session, self.plans, sidecar_dir,
                                 on_rebuilt=self.effective.invalidate)
        self.actions = Actions(self.session, self.anchoring, self.sidecars,
                               self.effective.invalidate)
        self.tagging = Tags(self.session, self.actions)
        self.annotating = Annotations(self.session, self.plans, self.effective, self.actions,
                                      self.tagging)
        self.correcting = Corrections(self.session, self.plans, self.effective, self.actions)
        self.linking = Links(self.session, self.plans, self.effective, self.actions)
        self.queue = ReviewQueue(self.plans, self.effective, self.linking, self.correcting)
        self.threads = Threads(self.plans, self.effective, self.linking)
        self.relation_labels = dict(RELATIONS)
        self.status_labels = dict(STATUSES)

    # -- the session ---------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def rs(self) -> RecordStore:
        return self.session.rs

    @property
    def actor(self) -> str:
        return self.session.actor

    @actor.setter
    def actor(self, value: str) -> None:
        self.session.actor = value or "unknown"

    @property
    def on_change(self) -> Callable[[Change], None] | None:
        return self.session.on_change

    @on_change.setter
    def on_change(self, value: Callable[[Change], None] | None) -> None:
        self.session.on_change = value

    @property
    def sidecar_dir(self) -> Path | None:
        return self.sidecars.sidecar_dir

    @property
    def sidecar_warning(self) -> str:
        """The last sidecar write's problem ("" if it worked): also in ``Change.warning``;
        read it after ``reanchor_plan``, whose report has no room for it."""
        return self.sidecars.warning

    # -- plans, commitments, re-anchoring ------------------------------------------------------

    def pages(self, slug: str) -> DocumentText:
        return self.plans.pages(slug)

    def later_plans(self, slug: str) -> list[str]:
        return self.plans.later_plans(slug)

    def next_plan(self, slug: str) -> str | None:
        return self.plans.next_plan(slug)

    @staticmethod
    def not_adopted(plan: Plan) -> bool:
        return PlanIndex.not_adopted(plan)

    def effective_commitments(self, slug: str) -> list[EffectiveCommitment]:
        return self.effective.effective_commitments(slug)

    def effective_sections(self, slug: str) -> list[Section]:
        return self.effective.effective_sections(slug)

    def commitment(self, key: str | int) -> EffectiveCommitment:
        return self.effective.commitment(key)

    @staticmethod
    def parse_key(key: str | int) -> str:
        return EffectiveCommitments.parse_key(key)

    def ref_for(self, key: str | int) -> Ref:
        return self.effective.ref_for(key)

    def bind(self, ref: Ref) -> EffectiveCommitment | None:
        return self.effective.bind(ref)

    def key_of(self, ref: Ref) -> str | None:
        return self.effective.key_of(ref)

    def ensure_anchored(self, slug: str) -> ReanchorReport | None:
        return self.anchoring.ensure_anchored(slug)

    def reanchor_plan(self, slug: str, *, force: bool = False) -> ReanchorReport:
        """``Reanchoring.reanchor_plan``; a sidecar problem afterwards is ``sidecar_warning``."""
        self.sidecars.warning = ""
        return self.anchoring.reanchor_plan(slug, force=force)

    def refreshed(self, record: Record) -> Record:
        return self.anchoring.refreshed(record)

    def orphans(self, slug: str | None = None) -> list[Record]:
        return self.anchoring.orphans(slug)

    # -- actions -------------------------------------------------------------------------------

    def commit_merge(self, changes: Sequence[tuple[Record | None, Record | None]], *,
                     target: str, detail: dict[str, Any],
                     step_meta: dict[str, dict[str, Any]],
                     expected_revision: int | None = None) -> Change:
        """Write a merge (``workbench.merge.apply_merge``) as one undoable, audited action;
        refused if the library moved past ``expected_revision`` (the reviewed one)."""
        return self.actions.commit("merge_package", "Merge package", changes, detail,
                                   target=target, step_meta=step_meta,
                                   expected_revision=expected_revision)

    def get(self, uuid: str) -> Record:
        return self.actions.get(uuid)

    def can_undo(self) -> bool:
        return self.actions.can_undo()

    def can_redo(self) -> bool:
        return self.actions.can_redo()

    def undo_label(self) -> str | None:
        return self.actions.undo_label()

    def redo_label(self) -> str | None:
        return self.actions.redo_label()

    def undo_description(self) -> str | None:
        return self.actions.undo_description()

    def redo_description(self) -> str | None:
        return self.actions.redo_description()

    def describe_entry(self, entry: UndoEntry) -> str:
        return self.actions.describe_entry(entry)

    def undo(self) -> Change:
        return self.actions.undo()

    def redo(self) -> Change:
        return self.actions.redo()

    def delete(self, uuid: str) -> Change:
        return self.actions.delete(uuid)

    def restore(self, uuid: str) -> Change:
        return self.actions.restore(uuid)

    def trash(self) -> list[Record]:
        return self.actions.trash()

    def audit_log(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        return self.actions.audit_log(target, limit)

    # -- tags and annotations ------------------------------------------------------------------

    def tags(self, *, include_deleted: bool = False) -> list[Tag]:
        return self.tagging.tags(include_deleted=include_deleted)

    def tag_path(self, tag: Tag) -> str:
        return self.tagging.tag_path(tag)

    def tag_named(self, name: str) -> Tag | None:
        return self.tagging.tag_named(name)

    def create_tag(self, name: str, *, parent: str | None = None, colour: str = "") -> Change:
        return self.tagging.create_tag(name, parent=parent, colour=colour)

    def ensure_tag(self, path: str) -> tuple[Tag, list[Change]]:
        return self.tagging.ensure_tag(path)

    def edit_tag(self, uuid: str, *, name: str | None = None, parent: str | None | bool = False,
                 colour: str | None = None) -> Change:
        return self.tagging.edit_tag(uuid, name=name, parent=parent, colour=colour)

    def annotate(self, plan: str, page_index: int, start: int, end: int, *, note: str = "",
                 colour: str = "", tags: Sequence[str] = ()) -> Change:
        return self.annotating.annotate(plan, page_index, start, end, note=note, colour=colour,
                                        tags=tags)

    def annotate_quote(self, plan: str, quote: str, *, page: str | int | None = None,
                       occurrence: int = 0, **kw: Any) -> Change:
        return self.annotating.annotate_quote(plan, quote, page=page, occurrence=occurrence,
                                              **kw)

    def annotate_commitment(self, key: str | int, *, plan: str | None = None,
                            **kw: Any) -> Change:
        return self.annotating.annotate_commitment(key, plan=plan, **kw)

    def page_index(self, plan: str, page: str | int) -> int:
        return self.annotating.page_index(plan, page)

    def edit_annotation(self, uuid: str, *, note: str | None = None, colour: str | None = None,
                        tags: Sequence[str] | None = None) -> Change:
        return self.annotating.edit_annotation(uuid, note=note, colour=colour, tags=tags)

    def annotations(self, plan: str | None = None, *, orphans: bool = False,
                    include_deleted: bool = False) -> list[Annotation]:
        return self.annotating.annotations(plan, orphans=orphans,
                                           include_deleted=include_deleted)

    # -- corrections ---------------------------------------------------------------------------

    def unmark(self, key: str | int, *, note: str = "") -> Change:
        return self.correcting.unmark(key, note=note)

    def mark(self, plan: str, page_index: int, start: int, end: int, *, note: str = "") -> Change:
        return self.correcting.mark(plan, page_index, start, end, note=note)

    def split(self, key: str | int, at: int, *, note: str = "") -> Change:
        return self.correcting.split(key, at, note=note)

    def merge(self, first: str | int, second: str | int, *, note: str = "") -> Change:
        return self.correcting.merge(first, second, note=note)

    def set_heading_level(self, section_id: int, level: int, *, note: str = "") -> Change:
        return self.correcting.set_heading_level(section_id, level, note=note)

    def corrections(self, plan: str, *, include_deleted: bool = False) -> list[Correction]:
        return self.correcting.corrections(plan, include_deleted=include_deleted)

    def reattach(self, uuid: str, page_index: int, start: int, end: int) -> Change:
        return self.correcting.reattach(uuid, page_index, start, end)

    # -- links and statuses --------------------------------------------------------------------

    def links(self, plan: str | None = None, *, include_rejected: bool = False,
              include_deleted: bool = False) -> list[Link]:
        return self.linking.links(plan, include_rejected=include_rejected,
                                  include_deleted=include_deleted)

    def links_from(self, key: str | int, to_plan: str | None = None) -> list[Link]:
        return self.linking.links_from(key, to_plan)

    def link(self, source: str | int, targets: Sequence[str | int] = (), *,
             relation: str = "unreviewed", to_plan: str | None = None, rationale: str = "",
             evidence: Sequence[Ref] = (), confirm: bool = False,
             confidence: float | None = None, reasons: Sequence[str] = (),
             state: str | None = None) -> Change:
        """Record a lineage verdict (``Links.link``). A target that is a passage the engine
        proposed (``p:`` key, a sentence the segmenter did not mark) is marked as a
        commitment in the same transaction and undo step, so the verdict binds to it and the
        lineage thread follows it; a rejected proposal stays anchored to the bare passage."""
        also = self.correcting.marks_for(targets) if state != "rejected" else []
        return self.linking.link(source, targets, relation=relation, to_plan=to_plan,
                                 rationale=rationale, evidence=evidence, confirm=confirm,
                                 confidence=confidence, reasons=reasons, state=state,
                                 also=also)

    def edit_link(self, uuid: str, *, relation: str | None = None,
                  targets: Sequence[str | int] | None = None, rationale: str | None = None,
                  evidence: Sequence[Ref] | None = None) -> Change:
        return self.linking.edit_link(uuid, relation=relation, targets=targets,
                                      rationale=rationale, evidence=evidence)

    def confirm_link(self, uuid: str, *, relation: str | None = None,
                     rationale: str | None = None) -> Change:
        return self.linking.confirm_link(uuid, relation=relation, rationale=rationale)

    def reject_link(self, uuid: str) -> Change:
        return self.linking.reject_link(uuid)

    def assess(self, key: str | int, status: str, as_at: str, *, rationale: str = "",
               evidence: Sequence[Ref] = ()) -> Change:
        return self.linking.assess(key, status, as_at, rationale=rationale, evidence=evidence)

    def status_history(self, key: str | int) -> list[StatusAssessment]:
        return self.linking.status_history(key)

    def current_status(self, key: str | int) -> StatusAssessment | None:
        return self.linking.current_status(key)

    # -- the review queue and threads ----------------------------------------------------------

    def suggester(self, to_plan: str) -> Suggester:
        return self.queue.suggester(to_plan)

    def suggest(self, from_plan: str, to_plan: str, *, limit: int = 5) -> list[Suggestion]:
        return self.queue.suggest(from_plan, to_plan, limit=limit)

    def accept(self, suggestion: Suggestion, *, candidate: int = 0, relation: str | None = None,
               rationale: str = "") -> Change:
        return self.queue.accept(suggestion, candidate=candidate, relation=relation,
                                 rationale=rationale)

    def reject(self, suggestion: Suggestion, *, candidate: int = 0) -> Change:
        return self.queue.reject(suggestion, candidate=candidate)

    def coverage(self, from_plan: str, to_plan: str | None = None) -> Coverage:
        return self.queue.coverage(from_plan, to_plan)

    def next_unreviewed(self, from_plan: str, after: str | None = None,
                        to_plan: str | None = None) -> EffectiveCommitment | None:
        return self.queue.next_unreviewed(from_plan, after, to_plan)

    def note_target(self, item_id: int) -> NoteTarget | None:
        """The record behind a search hit of kind "note" (by its index id), and its passage
        (a link's source, a status's subject); ``None`` if it is gone."""
        found = self.store.note_record(item_id)
        if found is None:
            return None
        record = self.rs.get(*found)
        if record is None or record.deleted_at:
            return None
        record = self.anchoring.view(record)
        if isinstance(record, Annotation):
            ref = Ref(record.plan, record.anchor)
        elif isinstance(record, Link):
            ref = record.source
        elif isinstance(record, StatusAssessment):
            ref = record.subject
        else:
            return None
        a = ref.anchor
        return NoteTarget(ref.plan, a.page_index, a.start, a.end, record.uuid, record.KIND)

    def thread(self, key: str | int, *, lineal: bool = False) -> Thread:
        return self.threads.thread(key, lineal=lineal)

    # -- sidecars ------------------------------------------------------------------------------

    def sidecar(self, slug: str) -> dict[str, Any]:
        return self.sidecars.sidecar(slug)

    def stale_sidecars(self) -> list[str]:
        return self.sidecars.stale_sidecars()

    def write_all_sidecars(self) -> int:
        return self.sidecars.write_all_sidecars()

    def check_sidecars(self) -> list[str]:
        return self.sidecars.check_sidecars()

    def rebuild_from_sidecars(self, folder: Path | None = None) -> dict[str, int]:
        return self.sidecars.rebuild_from_sidecars(folder)
