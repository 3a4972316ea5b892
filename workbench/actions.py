"""Actions: every user-record write as one audited, undoable transaction; undo, redo, trash.

Rules it keeps (RELIABILITY rule 4): every action is **one committed transaction** that writes
the records, one audit row (who, when, what), one undo-log entry and bumps the library
revision; it returns a ``Change`` (``workbench.records``) the UI can show and undo. Undo and
redo are transactions of their own and are audited too. Deleting moves a record to the trash
(``deleted_at``); ``restore`` brings it back. Undo never deletes a row: undoing a creation
moves the record to the trash (redo brings it back), so discarding redo history can never lose
work. After each commit the caches are dropped and the touched plans' sidecars rewritten
(``Sidecars.write``); a sidecar that cannot be written does not undo the commit, its problem is
the ``Change.warning``. Qt-free; each committed ``Change`` is passed to ``Session.on_change``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workbench.effective import EffectiveCommitments
from workbench.errors import InvalidInput, NotFound
from workbench.files import utc_now
from workbench.lineage import STATUSES
from workbench.plan_index import PlanIndex, Session
from workbench.reanchoring import Reanchoring
from workbench.records import (
    KINDS,
    Annotation,
    AuditEntry,
    Change,
    Correction,
    Link,
    Record,
    StatusAssessment,
    Tag,
    UndoEntry,
    anchors_of,
    record_from_json,
    with_deleted,
)
from workbench.sidecars import Sidecars

__all__ = ["KINDS", "MERGE_CHANGED", "Actions", "Pairs", "RecordService"]

MERGE_CHANGED = "The library changed while you reviewed the merge; review it again."
Pairs = Sequence[tuple[Record | None, Record | None]]  # (before, after) of each record


class Actions:
    """Commits, undo/redo and the trash of one library's user records."""

    def __init__(self, session: Session, anchoring: Reanchoring, sidecars: Sidecars,
                 invalidate: Callable[[], None]) -> None:
        self.session = session
        self.anchoring = anchoring
        self.sidecars = sidecars
        self._invalidate = invalidate
        anchoring.on_written = self.after_commit

    # -- the commit ------------------------------------------------------------------------

    def commit(
        self,
        action: str,
        label: str,
        changes: Pairs,
        detail: dict[str, Any] | None = None,
        value: Any = None,
        *,
        target: str | None = None,
        step_meta: dict[str, dict[str, Any]] | None = None,
        expected_revision: int | None = None,
    ) -> Change:
        """Write ``changes`` (before, after) as one transaction with audit and undo entries.

        ``target`` overrides the audit target (default: the first record); ``step_meta`` adds
        keys to the undo step of a uuid (``workbench.merge`` keeps version history there);
        ``expected_revision`` refuses the write if the library changed since it was read.
        An ``after`` of None moves ``before`` to the trash: rows are never deleted. The same
        transaction persists the re-anchoring of the touched plans that reads only did in
        memory (audited "reanchor", not part of the undo entry)."""
        session, rs = self.session, self.session.rs
        steps = []
        for before, after in changes:
            some = after or before
            assert some is not None
            steps.append({"kind": some.KIND, "uuid": some.uuid,
                          "before": before.to_json() if before else None,
                          "after": after.to_json() if after else None,
                          **(step_meta or {}).get(some.uuid, {})})
        main = changes[0][1] or changes[0][0]
        assert main is not None
        uuids = tuple(s["uuid"] for s in steps)
        stamp = utc_now()
        with rs.atomic():
            if expected_revision is not None and session.store.revision() != expected_revision:
                raise InvalidInput(MERGE_CHANGED)
            reanchored, touched = self.anchoring.in_transaction(_anchor_plans(changes))
            for before, after in changes:
                if after is not None:
                    rs.put(after)
                elif before is not None and not before.deleted_at:
                    rs.put(with_deleted(before, stamp))
            undo_id = rs.push_undo(action, label, session.actor, steps)
            rs.audit(action, target or f"{main.KIND}:{main.uuid}",
                     {"label": label, "uuids": list(uuids), **(detail or {})},
                     actor=session.actor)
            rs.bump_revision()
        self.anchoring.mark_checked(reanchored)
        plans = _plans_of(changes)
        warning = self.after_commit(_sidecar_plans(changes, plans | touched))
        change = Change(action=action, label=label, uuids=uuids, plans=tuple(sorted(plans)),
                        value=value if value is not None else changes[0][1], undo_id=undo_id,
                        records=tuple(a for _, a in changes), warning=warning,
                        description=self._describe(action, label, steps))
        if session.on_change:
            session.on_change(change)
        return change

    def after_commit(self, plans: set[str] | None) -> str:
        """After a commit: drop caches, write sidecars (``None``: every plan's). Returns the
        warning to show if a sidecar could not be written ("" if all were)."""
        self._invalidate()
        return self.sidecars.write(plans)

    # -- reading records by uuid -------------------------------------------------------------

    def get(self, uuid: str) -> Record:
        """Any record by uuid (including ones in the trash)."""
        for kind in KINDS:
            record = self.session.rs.get(kind, uuid)
            if record is not None:
                return self.anchoring.view(record)
        raise NotFound(f"No record {uuid}.")

    def live(self, uuid: str) -> Record:
        """A record not in the trash.

        Raises:
            NotFound: no such record.
            InvalidInput: it is in the trash.
        """
        record = self.get(uuid)
        if record.deleted_at:
            raise InvalidInput(f"{record.KIND.capitalize()} {uuid} is in the trash; restore it "
                               "first.")
        return record

    def audit_log(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        return self.session.rs.audit_log(target=target, limit=limit)

    # -- undo / redo -------------------------------------------------------------------------

    def can_undo(self) -> bool:
        return self.session.rs.undo_candidate() is not None

    def can_redo(self) -> bool:
        return self.session.rs.redo_candidate() is not None

    def undo_label(self) -> str | None:
        """The short name of the action ``undo`` would undo ("Add annotation"), for a menu;
        ``undo_description`` says exactly which record."""
        entry = self.session.rs.undo_candidate()
        return entry.label if entry else None

    def redo_label(self) -> str | None:
        entry = self.session.rs.redo_candidate()
        return entry.label if entry else None

    def undo_description(self) -> str | None:
        """Exactly what ``undo`` would undo: "Add annotation on p. 6 of city-plan-2019"."""
        entry = self.session.rs.undo_candidate()
        return self.describe_entry(entry) if entry else None

    def redo_description(self) -> str | None:
        entry = self.session.rs.redo_candidate()
        return self.describe_entry(entry) if entry else None

    def describe_entry(self, entry: UndoEntry) -> str:
        """An undo-log entry in words: its label and where its (first) record is."""
        return self._describe(entry.action, entry.label, entry.steps)

    def _describe(self, action: str, label: str, steps: Sequence[dict[str, Any]]) -> str:
        if action == "merge_package":
            return f"{label} ({len(steps)} record{'s' if len(steps) != 1 else ''})"
        step = steps[0] if steps else {}
        snap = step.get("after") or step.get("before")
        where = ""
        if snap:
            try:
                where = where_is(record_from_json(snap))
            except (KeyError, TypeError, ValueError):  # an entry written by another version
                where = ""
        new_tags = sum(1 for s in steps[1:] if s.get("kind") == "tag" and not s.get("before"))
        extra = f" (and {new_tags} new tag{'s' if new_tags > 1 else ''})" \
            if new_tags and action != "create_tag" else ""
        return f"{label} {where}".strip() + extra

    def undo(self) -> Change:
        """Undo the newest done action of the undo log (persisted: works across sessions and
        from the CLI). Plan edits, imports and removals are not in the undo log; the returned
        ``Change.description`` says exactly what was undone. Undoing a creation moves the
        record to the trash (redo brings it back)."""
        entry = self.session.rs.undo_candidate()
        if entry is None:
            raise InvalidInput("Nothing to undo.")
        return self._replay(entry, "undo")

    def redo(self) -> Change:
        entry = self.session.rs.redo_candidate()
        if entry is None:
            raise InvalidInput("Nothing to redo.")
        return self._replay(entry, "redo")

    def _replay(self, entry: UndoEntry, direction: str) -> Change:
        session, rs = self.session, self.session.rs
        steps = list(reversed(entry.steps)) if direction == "undo" else list(entry.steps)
        side = "before" if direction == "undo" else "after"
        plans: set[str] = set()
        anchored: set[str] = set()
        tags = False
        for step in steps:
            for s in (step["before"], step["after"]):
                if s:
                    record = record_from_json(s)
                    plans.update(record.plans)
                    anchored.update(ref.plan for _, ref in anchors_of(record))
                    tags = tags or isinstance(record, Tag)
        written: list[Any] = []
        stamp = utc_now()
        with rs.atomic():
            reanchored, touched = self.anchoring.in_transaction(anchored)
            for step in steps:
                snap = step[side]
                if snap is None:  # undo a creation (redo a removal): to the trash, never purged
                    current = rs.get(step["kind"], step["uuid"])
                    if current is not None and not current.deleted_at:
                        current = with_deleted(current, stamp)
                        rs.put(current)
                    written.append(current)
                else:
                    record = self.anchoring.refreshed(record_from_json(snap))
                    rs.put(record)
                    written.append(record)
            rs.set_undo_state(entry.id, "undone" if direction == "undo" else "done")
            first = entry.steps[0]
            rs.audit(direction, f"{first['kind']}:{first['uuid']}",
                     {"entry": entry.id, "label": entry.label, "action": entry.action},
                     actor=session.actor)
            rs.bump_revision()
        self.anchoring.mark_checked(reanchored)
        warning = self.after_commit(None if tags else plans | touched)
        change = Change(action=direction, label=f"{direction.capitalize()} {entry.label.lower()}",
                        uuids=tuple(s["uuid"] for s in entry.steps), plans=tuple(sorted(plans)),
                        value=written[-1] if written else None, undo_id=None,
                        records=tuple(written), warning=warning,
                        description=self.describe_entry(entry))
        if session.on_change:
            session.on_change(change)
        return change

    # -- trash -------------------------------------------------------------------------------

    def _group(self, record: Record, *, include_deleted: bool) -> list[Correction]:
        """The other parts of a split or merge (they go to and come back from the trash as
        one)."""
        if not isinstance(record, Correction) or not record.group:
            return []
        return [o for o in self.anchoring.records("correction", plan=record.plan,
                                                   include_deleted=include_deleted)
                if isinstance(o, Correction) and o.group == record.group
                and o.uuid != record.uuid]

    def delete(self, uuid: str) -> Change:
        """Move any record to the trash (undoable; ``restore`` brings it back)."""
        record = self.live(uuid)
        stamp = utc_now()
        changes: list[tuple[Record | None, Record | None]] = [
            (record, with_deleted(record, stamp))]
        changes += [(o, with_deleted(o, stamp))
                    for o in self._group(record, include_deleted=False)]
        return self.commit(f"delete_{record.KIND}", f"Delete {record.KIND}", changes)

    def restore(self, uuid: str) -> Change:
        """Bring a record (and the other parts of its split or merge) back from the trash."""
        record = self.get(uuid)
        if not record.deleted_at:
            raise InvalidInput(f"{record.KIND.capitalize()} {uuid} is not in the trash.")
        refreshed = self.anchoring.refreshed
        changes: list[tuple[Record | None, Record | None]] = [
            (record, refreshed(with_deleted(record, None)))]
        changes += [(o, refreshed(with_deleted(o, None)))
                    for o in self._group(record, include_deleted=True)
                    if o.deleted_at == record.deleted_at]
        return self.commit(f"restore_{record.KIND}", f"Restore {record.KIND}", changes)

    def trash(self) -> list[Record]:
        shas = self.anchoring.plans.current_shas()
        return [self.anchoring.view(r, shas) for r in self.session.rs.trashed()]


def where_is(record: Record) -> str:
    """Where a record is, for messages: "on p. 6 of city-plan-2019"."""
    if isinstance(record, Annotation | Correction):
        return f"on p. {record.anchor.page_label} of {record.plan}"
    if isinstance(record, Link):
        return (f"from p. {record.source.anchor.page_label} of {record.source.plan} "
                f"to {record.to_plan}")
    if isinstance(record, StatusAssessment):
        status = STATUSES.get(record.status, record.status)
        return (f"“{status}” as at {record.as_at} on p. {record.subject.anchor.page_label} "
                f"of {record.subject.plan}")
    if isinstance(record, Tag):
        return f"“{record.name}”"
    return ""


def _anchor_plans(changes: Pairs) -> set[str]:
    """Every plan in which the records of ``changes`` have an anchor."""
    return {ref.plan for pair in changes for r in pair if r is not None
            for _, ref in anchors_of(r)}


def _plans_of(changes: Pairs) -> set[str]:
    return {p for pair in changes for r in pair if r is not None for p in r.plans}


def _sidecar_plans(changes: Pairs, plans: set[str]) -> set[str] | None:
    """The plans whose sidecars a change rewrites; ``None`` (every plan) when a tag changed,
    because every sidecar carries the whole tag list."""
    if not plans or any(isinstance(r, Tag) for pair in changes for r in pair):
        return None
    return plans


class RecordService:
    """What each record-kind service (annotations, corrections, links) works with: the
    session, the plans, the effective commitments and the actions that write."""

    def __init__(self, session: Session, plans: PlanIndex, effective: EffectiveCommitments,
                 actions: Actions) -> None:
        self.session = session
        self.plans = plans
        self.effective = effective
        self.actions = actions
