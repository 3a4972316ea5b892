"""User records: tags, annotations, segmentation corrections, lineage links, delivery statuses.

Every record has a UUID from the moment it is created (STYLE "Identity") and points at a
**plan** (slug) plus an ``Anchor``, never at the integer id of one document version's row, so it
survives a re-import. Records are frozen; ``to_json``/``from_json`` give the form used by the
sidecars and the undo log (the database's row form is ``db.records``' business).

Commitment *keys* name an effective commitment of the current document version:
``"c:<commitment id>"`` for one the extractor found, ``"m:<uuid>"`` for one a person marked.
"""

from __future__ import annotations

import uuid as _uuid
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

from workbench.anchoring import Anchor


def new_uuid() -> str:
    return str(_uuid.uuid4())


def _anchor_json(a: Anchor | None) -> dict[str, Any] | None:
    return a.to_json() if a is not None else None


@dataclass(frozen=True, slots=True)
class Ref:
    """An anchored passage of a plan: a link endpoint, a piece of evidence, a status subject."""

    plan: str
    anchor: Anchor

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "anchor": self.anchor.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ref:
        return cls(plan=data["plan"], anchor=Anchor.from_json(data["anchor"]))


class _Record:
    """Shared JSON conversion for the record dataclasses below."""

    KIND: ClassVar[str] = ""
    _ANCHORS: ClassVar[tuple[str, ...]] = ()
    _REFS: ClassVar[tuple[str, ...]] = ()
    _REF_LISTS: ClassVar[tuple[str, ...]] = ()
    _TUPLES: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record": self.KIND}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name in self._ANCHORS:
                value = _anchor_json(value)
            elif f.name in self._REFS:
                value = value.to_json() if value is not None else None
            elif f.name in self._REF_LISTS:
                value = [r.to_json() for r in value]
            elif f.name in self._TUPLES:
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        kw: dict[str, Any] = {}
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in cls._ANCHORS:
                value = Anchor.from_json(value) if value else None
            elif f.name in cls._REFS:
                value = Ref.from_json(value) if value else None
            elif f.name in cls._REF_LISTS:
                value = tuple(Ref.from_json(r) for r in value or ())
            elif f.name in cls._TUPLES:
                value = tuple(value or ())
            kw[f.name] = value
        return cls(**kw)

    @property
    def plans(self) -> tuple[str, ...]:
        """Plans whose sidecar holds this record (a link lives with its earlier plan)."""
        plan = getattr(self, "plan", "")
        return (plan,) if plan else ()


@dataclass(frozen=True, slots=True)
class Tag(_Record):
    """A theme ("Climate", "SEND", "Highways"); tags form an editable hierarchy."""

    KIND: ClassVar[str] = "tag"
    uuid: str
    name: str
    parent: str | None = None  # uuid of the parent tag
    colour: str = ""
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    deleted_at: str | None = None


@dataclass(frozen=True, slots=True)
class Annotation(_Record):
    """A highlighted passage with a colour, tags and an optional note."""

    KIND: ClassVar[str] = "annotation"
    _ANCHORS: ClassVar[tuple[str, ...]] = ("anchor",)
    _TUPLES: ClassVar[tuple[str, ...]] = ("tags",)
    uuid: str
    plan: str
    anchor: Anchor
    note: str = ""
    colour: str = ""
    tags: tuple[str, ...] = ()  # tag uuids
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    deleted_at: str | None = None


class CorrectionKind:
    UNMARK = "unmark"  # this extracted commitment is not one
    MARK = "mark"  # this passage is a commitment
    HEADING_LEVEL = "heading_level"  # this heading's level is wrong
    ALL = (UNMARK, MARK, HEADING_LEVEL)


@dataclass(frozen=True, slots=True)
class Correction(_Record):
    """A hand correction of the segmentation. Split = unmark + 2 marks; merge = 2 unmarks + mark,
    sharing one ``group`` uuid so they show (and undo) as one."""

    KIND: ClassVar[str] = "correction"
    _ANCHORS: ClassVar[tuple[str, ...]] = ("anchor",)
    uuid: str
    plan: str
    kind: str  # CorrectionKind
    anchor: Anchor
    level: int | None = None  # for HEADING_LEVEL
    group: str = ""  # uuid shared by the parts of one split or merge
    note: str = ""
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    deleted_at: str | None = None


@dataclass(frozen=True, slots=True)
class Link(_Record):
    """A lineage link from a commitment of an earlier plan to 0..n passages of a later plan."""

    KIND: ClassVar[str] = "link"
    _REFS: ClassVar[tuple[str, ...]] = ("source",)
    _REF_LISTS: ClassVar[tuple[str, ...]] = ("targets", "evidence")
    _TUPLES: ClassVar[tuple[str, ...]] = ("reasons", "history")
    uuid: str
    source: Ref
    to_plan: str  # the later plan this verdict is about (also for "dropped", with no targets)
    relation: str = "unreviewed"
    targets: tuple[Ref, ...] = ()
    state: str = "proposed"  # proposed | confirmed | rejected
    confidence: float | None = None  # for machine proposals
    rationale: str = ""
    evidence: tuple[Ref, ...] = ()
    reasons: tuple[str, ...] = ()  # why the machine proposed it
    confirmed_by: str = ""
    confirmed_at: str = ""
    history: tuple[dict[str, Any], ...] = ()  # dated earlier values, oldest first
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    deleted_at: str | None = None

    @property
    def plan(self) -> str:
        return self.source.plan

    @property
    def plans(self) -> tuple[str, ...]:
        return (self.source.plan,)


@dataclass(frozen=True, slots=True)
class StatusAssessment(_Record):
    """A dated delivery verdict on one commitment. Assessments append; the newest as-at wins."""

    KIND: ClassVar[str] = "status"
    _REFS: ClassVar[tuple[str, ...]] = ("subject",)
    _REF_LISTS: ClassVar[tuple[str, ...]] = ("evidence",)
    uuid: str
    subject: Ref
    status: str
    as_at: str  # partial ISO date
    rationale: str = ""
    evidence: tuple[Ref, ...] = ()
    created_at: str = ""
    created_by: str = ""
    updated_at: str = ""
    deleted_at: str | None = None

    @property
    def plan(self) -> str:
        return self.subject.plan

    @property
    def plans(self) -> tuple[str, ...]:
        return (self.subject.plan,)


Record = Tag | Annotation | Correction | Link | StatusAssessment
RECORD_TYPES: dict[str, type] = {
    t.KIND: t for t in (Tag, Annotation, Correction, Link, StatusAssessment)
}
KINDS = tuple(RECORD_TYPES)  # "tag", "annotation", "correction", "link", "status"


def record_from_json(data: dict[str, Any]) -> Record:
    return RECORD_TYPES[data["record"]].from_json(data)


def anchors_of(record: Record) -> list[tuple[str, Ref]]:
    """Every (field, anchored reference) of a record, for re-anchoring and orphan checks."""
    out: list[tuple[str, Ref]] = []
    if isinstance(record, Annotation | Correction):
        out.append(("anchor", Ref(record.plan, record.anchor)))
    elif isinstance(record, Link):
        out.append(("source", record.source))
        out += [("targets", r) for r in record.targets]
        out += [("evidence", r) for r in record.evidence]
    elif isinstance(record, StatusAssessment):
        out.append(("subject", record.subject))
        out += [("evidence", r) for r in record.evidence]
    return out


def with_deleted(record: Record, at: str | None) -> Record:
    return replace(record, deleted_at=at)  # type: ignore[type-var]


OWN_PROMISE_KINDS = frozenset({"commitment", "target"})


@dataclass(frozen=True, slots=True)
class EffectiveCommitment:
    """A commitment as the user sees it: extracted, minus those unmarked, plus those marked."""

    key: str  # "c:<id>" or "m:<uuid>"
    plan: str
    text: str
    page_index: int
    page_label: str
    start: int
    end: int
    section_id: int | None
    heading: str
    path: tuple[str, ...] = ()
    lead_in: str = ""
    commitment_id: int | None = None
    mark_uuid: str | None = None
    kind: str = "commitment"  # commitment | ask | target | measure (a hand mark: commitment)
    pledge: float | None = None  # the commitment model's confidence (a hand mark: the plan's
    # median, effective.median_pledge; None: imported before it was stored); the matching
    # engine's ``pledge`` signal

    @property
    def user_marked(self) -> bool:
        return self.mark_uuid is not None

    @property
    def own_promise(self) -> bool:
        """The council's own promise (a commitment or a target). An ask of government or of
        others and a measure of success are shown and linkable, but not counted as promises
        (review coverage, the next unreviewed commitment)."""
        return self.kind in OWN_PROMISE_KINDS


@dataclass(frozen=True, slots=True)
class Change:
    """What one user action did, for the UI: the record(s), the plans touched, how to undo it.

    ``undo_id`` is the undo-log entry (None for actions that are not undoable themselves, such
    as undo and redo). ``value`` is the main record after the action. ``warning`` is set when
    the action *was saved* but something after the commit failed (the sidecar backup copy could
    not be written): show it as a note, never as "not saved". ``description`` says in words
    what the action did ("Add annotation on p. 6 of city-plan-2019"); undo and redo fill it
    with the action they undid or redid.
    """

    action: str  # "create_annotation", "undo", ...
    label: str  # "Add annotation" — for Edit ▸ Undo <label>
    uuids: tuple[str, ...]
    plans: tuple[str, ...]
    value: Any = None
    undo_id: int | None = None
    records: tuple[Any, ...] = field(default=())
    warning: str = ""
    description: str = ""

    @property
    def undo_text(self) -> str:
        return f"Undo {self.label.lower()}"


@dataclass(frozen=True, slots=True)
class Changes:
    """What a write changed, so each view refreshes only what it shows: the one change value
    the window re-emits (``changes_applied``) and every view dispatches on.

    Library writes fill ``plans`` (metadata, content or trash state changed), ``plan_list``
    (plans added, removed or restored) or ``index`` (the search index was rebuilt); a
    user-record action (``of_action``) carries its ``Change`` and the records and plans it
    touched, and ``plans`` only when a plan's outline changed (corrections).
    """

    plans: tuple[str, ...] = ()
    plan_list: bool = False
    index: bool = False
    change: Change | None = None
    records: tuple[str, ...] = ()  # uuids written
    record_plans: tuple[str, ...] = ()  # plans whose annotations/links/statuses changed

    @property
    def touches_records(self) -> bool:
        """A user-record action (annotation, link, status, tag, correction, undo, merge)."""
        return self.change is not None

    @classmethod
    def of_action(cls, change: Change, *, structural: bool) -> Changes:
        """The ``Changes`` of a record action; ``structural``: it changed a plan's outline."""
        return cls(plans=change.plans if structural else (), change=change,
                   records=change.uuids, record_plans=change.plans)


@dataclass(frozen=True, slots=True)
class NoteTarget:
    """Where the record behind a note search hit sits, to open its passage."""

    plan: str
    page_index: int
    start: int
    end: int
    uuid: str
    kind: str  # "annotation" | "link" | "status"


@dataclass(frozen=True, slots=True)
class UndoEntry:
    """One row of the persisted undo history: the before/after snapshots of every record."""

    id: int
    label: str
    action: str
    actor: str
    at: str
    state: str  # "done" | "undone" | "discarded"
    steps: tuple[dict[str, Any], ...]  # {"kind", "uuid", "before": json|None, "after": json|None}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
