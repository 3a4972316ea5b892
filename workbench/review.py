"""``Records``: annotations, segmentation corrections, lineage links and delivery statuses.

The use cases of issue 5 behind one Qt-free service taking ports (``Store`` for the library,
``RecordStore`` for user records). Rules it keeps:

* Every action is **one committed transaction** (RELIABILITY rule 4) that writes the records,
  one audit row (who, when, what), one undo-log entry and bumps the library revision; it returns
  a ``Change`` the UI can show and undo. Undo and redo are transactions of their own and are
  audited too. Deleting moves a record to the trash (``deleted_at``); ``restore`` brings it back.
* After each commit the touched plans' sidecars (``<library>/sidecars/<slug>.json``) are
  rewritten atomically (rule 7); a link lives in its earlier plan's sidecar. A sidecar that
  cannot be written does not undo the commit: the action is saved, its ``Change.warning`` says
  the backup copy is stale, the failure is audited ("sidecars_stale") and ``check_sidecars``
  reports the disagreement until ``write_all_sidecars`` rewrites them.
* Records point at a plan plus an ``Anchor``; after a plan gets a new document version they are
  re-anchored (``reanchor_plan``, called at import), and what cannot be placed is kept as an
  orphan, never deleted. **Reads never write**: a record whose stored anchors still name an
  older version is placed in memory when read; the placement is persisted by the next write
  touching the plan (inside that write's transaction) or by ``reanchor_plan``.
* Undo never deletes a row: undoing a creation moves the record to the trash (redo brings it
  back), so discarding redo history can never lose work.

Commitments are named by *keys* (see ``workbench.records``). ``effective_commitments`` applies
the user's corrections to the extractor's list and is what the suggester, coverage and lineage
use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.anchoring import (
    ORPHANED,
    Anchor,
    PageText,
    ReanchorReport,
    find_quote,
    make_anchor,
    normalise,
    place,
)
from workbench.errors import InvalidInput, NotFound
from workbench.lineage import (
    NO_TARGET_RELATIONS,
    RATIONALE_REQUIRED,
    RELATIONS,
    STATUSES,
    Suggester,
    Suggestion,
)
from workbench.matching.passages import parse_passage_key
from workbench.model import Commitment, CommitmentId, Plan, Section, Stage, is_partial_iso_date
from workbench.ports import RecordStore, Store
from workbench.records import (
    Annotation,
    AuditEntry,
    Change,
    Correction,
    CorrectionKind,
    EffectiveCommitment,
    Link,
    Record,
    Ref,
    StatusAssessment,
    Tag,
    UndoEntry,
    anchors_of,
    new_uuid,
    record_from_json,
    with_deleted,
)
from workbench.sidecars import (
    KINDS,
    SIDECAR_FORMAT,
    SidecarsMixin,
    now,
    write_json_atomic,
)

__all__ = ["KINDS", "SIDECAR_FORMAT", "Coverage", "Records", "Thread", "ThreadEdge",
           "ThreadNode", "now", "write_json_atomic"]
ANCHORED_KINDS = ("annotation", "correction", "link", "status")
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER
MERGE_CHANGED = "The library changed while you reviewed the merge; review it again."


@dataclass(frozen=True, slots=True)
class Coverage:
    """Review progress of one earlier plan against one later plan (or all later plans)."""

    from_plan: str
    from_title: str
    to_plan: str | None
    total: int
    confirmed: int
    proposed: int
    unreviewed: tuple[str, ...]  # keys with no confirmed verdict, in reading order
    no_successor: tuple[str, ...]  # keys whose confirmed verdict has no successor passage
    by_relation: dict[str, int]

    def summary(self) -> str:
        return (
            f"{self.confirmed} of {self.total} commitments of {self.from_title} have a confirmed "
            f"verdict; {len(self.unreviewed)} unreviewed"
        )


@dataclass(frozen=True, slots=True)
class ThreadNode:
    plan: str
    plan_title: str
    published: str
    stage: str
    not_adopted: bool  # a draft that was never adopted
    key: str | None  # None: an orphaned passage that no longer binds to a commitment
    text: str
    page_label: str
    status: StatusAssessment | None


@dataclass(frozen=True, slots=True)
class ThreadEdge:
    link: Link
    source_key: str | None
    target_keys: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Thread:
    """A commitment's whole chain across editions: nodes in plan order, and the links."""

    origin: str
    nodes: tuple[ThreadNode, ...]
    edges: tuple[ThreadEdge, ...]


class Records(SidecarsMixin):
    """Annotations, corrections, lineage and statuses of one library (one per thread)."""

    def __init__(
        self,
        store: Store,
        records: RecordStore,
        *,
        actor: str,
        sidecar_dir: Path | None = None,
        on_change: Callable[[Change], None] | None = None,
    ) -> None:
        self.store = store
        self.rs = records
        self.actor = actor or "unknown"
        self.sidecar_dir = sidecar_dir
        self.on_change = on_change
        self._pages: dict[int, PageText] = {}
        self._effective: dict[tuple[str, int], list[EffectiveCommitment]] = {}
        self._checked: set[tuple[str, str]] = set()
        self._plan_cache: tuple[int, dict[str, Plan]] = (-1, {})
        self._shas: dict[int, str] = {}
        self._current: tuple[int, dict[str, str]] = (-1, {})  # revision, {plan: doc sha}
        self._placed: dict[str, tuple[Record, dict[str, str], Record]] = {}
        #: the last sidecar write's problem ("" if it worked): also in ``Change.warning``; read
        #: it after ``reanchor_plan``, whose report has no room for it
        self.sidecar_warning = ""
        self.relation_labels = dict(RELATIONS)
        self.status_labels = dict(STATUSES)

    # == plans and pages ========================================================================

    def _plan(self, slug: str) -> Plan:
        rev = self.store.revision()
        if self._plan_cache[0] != rev:
            self._plan_cache = (rev, {p.slug: p for p in self.store.plans(include_removed=True)})
        plan = self._plan_cache[1].get(slug)
        if plan is None:
            raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")
        return plan

    def _sha(self, slug: str) -> str:
        plan = self._plan(slug)
        if plan.document_id is None:
            raise NotFound(f"Plan {slug} has no document.")
        if plan.document_id not in self._shas:
            self._shas[plan.document_id] = self.store.document(plan.document_id).sha256
        return self._shas[plan.document_id]

    def pages(self, slug: str) -> PageText:
        """The current document version's pages of a plan, joined for anchoring."""
        plan = self._plan(slug)
        if plan.document_id is None:
            raise NotFound(f"Plan {slug} has no document.")
        return self._doc_pages(plan.document_id)

    def _doc_pages(self, document_id: int) -> PageText:
        if document_id not in self._pages:
            sha = self.store.document(document_id).sha256
            self._pages[document_id] = PageText(self.store.page_texts(document_id), sha)
        return self._pages[document_id]

    def _plan_sort_key(self, slug: str) -> tuple[str, str, int]:
        plan = self._plan(slug)
        return (plan.meta.published or plan.meta.period_start or "9999", plan.meta.period_start,
                plan.id)

    def later_plans(self, slug: str) -> list[str]:
        """Plans after ``slug`` in publication order (not in the trash)."""
        order = sorted((p.slug for p in self.store.plans()), key=self._plan_sort_key)
        return order[order.index(slug) + 1 :] if slug in order else []

    def next_plan(self, slug: str) -> str | None:
        later = self.later_plans(slug)
        return later[0] if later else None

    @staticmethod
    def not_adopted(plan: Plan) -> bool:
        status = plan.meta.status.casefold()
        return plan.meta.stage == Stage.DRAFT or "not adopted" in status

    # == commitments ===========================================================================

    def effective_commitments(self, slug: str) -> list[EffectiveCommitment]:
        """The plan's commitments after the user's corrections, in reading order."""
        cache_key = (slug, self.store.revision())
        if cache_key in self._effective:
            return self._effective[cache_key]
        auto = self.store.commitments(slug)
        sections = {s.id: s for s in self.store.sections(slug)}
        corrections = [r for r in self._records("correction", plan=slug)
                       if isinstance(r, Correction) and not r.anchor.orphaned]
        suppressed: set[int] = set()
        for c in corrections:
            if c.kind == CorrectionKind.UNMARK:
                hit = _best_overlap(c.anchor, auto)
                if hit is not None:
                    suppressed.add(hit.id)
        out = [self._from_auto(slug, c, sections) for c in auto if c.id not in suppressed]
        ordered = sorted(auto, key=lambda c: (c.page_index, c.char_start))
        fallback = sorted(sections.values(), key=lambda s: s.ordinal)
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
            out.append(
                EffectiveCommitment(
                    key=f"m:{c.uuid}", plan=slug, text=a.exact, page_index=a.page_index,
                    page_label=a.page_label, start=a.start, end=a.end,
                    section_id=section.id if section else None,
                    heading=section.heading if section else "",
                    path=section.path if section else (), mark_uuid=c.uuid,
                )
            )
        out.sort(key=lambda e: (e.page_index, e.start, e.end))
        self._effective = {cache_key: out} | {
            k: v for k, v in self._effective.items() if k[1] == cache_key[1]
        }
        return out

    @staticmethod
    def _from_auto(slug: str, c: Commitment, sections: dict[int, Section]) -> EffectiveCommitment:
        s = sections.get(c.section_id)
        return EffectiveCommitment(
            key=f"c:{c.id}", plan=slug, text=c.text, page_index=c.page_index,
            page_label=c.page_label, start=c.char_start, end=c.char_end,
            section_id=c.section_id, heading=s.heading if s else "", path=s.path if s else (),
            lead_in=c.lead_in, commitment_id=c.id,
        )

    def effective_sections(self, slug: str) -> list[Section]:
        """The plan's sections with hand-fixed heading levels applied."""
        sections = self.store.sections(slug)
        fixes = [r for r in self._records("correction", plan=slug)
                 if isinstance(r, Correction) and r.kind == CorrectionKind.HEADING_LEVEL
                 and not r.anchor.orphaned and r.level]
        out = []
        for s in sections:
            level = s.level
            for f in fixes:
                if f.anchor.page_index == s.page_start and " ".join(f.anchor.exact.split()) == \
                        " ".join(s.heading.split()):
                    level = int(f.level or level)
            out.append(replace(s, level=level) if level != s.level else s)
        return out

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
                return Ref(plan, make_anchor(self.pages(plan), page, start, end))
            except (ValueError, IndexError) as exc:
                raise NotFound(f"No passage {key} in {plan}.") from exc
        if kind == "m":
            mark = self.rs.get("correction", ident)
            if not isinstance(mark, Correction) or mark.kind != CorrectionKind.MARK \
                    or mark.deleted_at:
                raise NotFound(f"No user-marked commitment {ident}.")
            mark = self._view(mark)
            return Ref(mark.plan, mark.anchor)
        c = self.store.commitment(CommitmentId(int(ident)))
        slug = self._slug_of_document(c.document_id)
        pages = self._doc_pages(c.document_id)
        anchor = self._anchor_for_span(pages, c.page_index, c.char_start, c.char_end, c.text)
        ref = Ref(slug, anchor)
        current = self._plan(slug).document_id
        if current != c.document_id:  # an id of an older version: carry it forward
            ref = Ref(slug, place(anchor, self.pages(slug)).anchor)
        return ref

    def _slug_of_document(self, document_id: int) -> str:
        plan_id = self.store.document(document_id).plan_id
        for p in self.store.plans(include_removed=True):
            if p.id == plan_id:
                return p.slug
        raise NotFound(f"No plan for document {document_id}.")

    @staticmethod
    def _anchor_for_span(pages: PageText, page: int, start: int, end: int, text: str) -> Anchor:
        page_text = pages.texts[page] if 0 <= page < len(pages.texts) else ""
        if 0 <= start < end <= len(page_text):
            return make_anchor(pages, page, start, end)
        found = find_quote(pages, text, page_index=page) or find_quote(pages, text)
        if found is None:
            raise InvalidInput("The commitment's text is not on its page; run `workbench check`.")
        return make_anchor(pages, *found)

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

    # == re-anchoring ==========================================================================

    def _current_shas(self) -> dict[str, str]:
        """{plan slug: sha of its current document version} (cached per library revision)."""
        rev = self.store.revision()
        if self._current[0] != rev:
            shas: dict[str, str] = {}
            for p in self.store.plans(include_removed=True):
                if p.document_id is not None:
                    try:
                        shas[p.slug] = self._sha(p.slug)
                    except NotFound:
                        continue
            self._current = (rev, shas)
        return self._current[1]

    @staticmethod
    def _stale_plans(record: Record, shas: dict[str, str]) -> set[str]:
        """Plans in which ``record`` has a placed (not orphaned) anchor of an older version."""
        return {ref.plan for _, ref in anchors_of(record)
                if not ref.anchor.orphaned and ref.plan in shas
                and ref.anchor.doc_sha != shas[ref.plan]}

    def _view(self, record: Record, shas: dict[str, str] | None = None) -> Record:
        """``record`` as reads show it: anchors of an older document version placed in the
        current one, in memory only (reads never write; see ``_reanchor_in_transaction``)."""
        shas = self._current_shas() if shas is None else shas
        if not self._stale_plans(record, shas):
            return record
        hit = self._placed.get(record.uuid)
        if hit is not None and hit[0] == record and hit[1] == shas:
            return hit[2]
        placed = record
        for slug in sorted(self._stale_plans(record, shas)):
            placed = self._replace_anchors(placed, slug, self.pages(slug), False,
                                           dict.fromkeys(("exact", "moved", "orphaned",
                                                          "fuzzy"), 0))
        self._placed[record.uuid] = (record, dict(shas), placed)
        return placed

    def _records(self, kind: str, *, plan: str | None = None,
                 include_deleted: bool = False) -> list[Record]:
        """``rs.records`` as reads show them (``_view``)."""
        rows = self.rs.records(kind, plan=plan, include_deleted=include_deleted)
        if kind == "tag":
            return rows
        shas = self._current_shas()
        return [self._view(r, shas) for r in rows]

    def ensure_anchored(self, slug: str) -> ReanchorReport | None:
        """Persist the re-anchoring of the plan's records if some still name an older document
        version (a write: reads place them in memory instead). ``None`` if nothing was stale."""
        try:
            sha = self._sha(slug)
        except NotFound:
            return None
        if (slug, sha) in self._checked:
            return None
        shas = {slug: sha}
        if not any(self._stale_plans(r, shas) for r in self._anchored_records(slug)):
            self._checked.add((slug, sha))
            return None
        return self.reanchor_plan(slug)

    def _anchored_records(self, slug: str) -> list[Record]:
        """Every record (also in the trash) with an anchor in ``slug``: its own annotations,
        corrections, links and statuses, and links/statuses citing it as evidence."""
        out: list[Record] = []
        for kind in ANCHORED_KINDS:
            out += self.rs.records(kind, plan=slug, include_deleted=True)
        seen = {r.uuid for r in out}
        for kind in ("link", "status"):
            for r in self.rs.records(kind, include_deleted=True):
                if r.uuid not in seen and any(x.plan == slug for _, x in anchors_of(r)):
                    out.append(r)
        return out

    def _reanchor_updates(self, slug: str, force: bool) -> tuple[ReanchorReport, list[Record]]:
        """What re-anchoring ``slug`` would write (nothing is written here)."""
        pages = self.pages(slug)
        counts = {"exact": 0, "moved": 0, "orphaned": 0, "fuzzy": 0}
        orphaned: list[str] = []
        updates: list[Record] = []
        for record in self._anchored_records(slug):
            new = self._replace_anchors(record, slug, pages, force, counts)
            if new is not record:
                updates.append(new)
                if any(_anchor(x).orphaned for _, x in anchors_of(new)
                       if getattr(x, "plan", slug) == slug) and not any(
                        _anchor(x).orphaned for _, x in anchors_of(record)
                        if getattr(x, "plan", slug) == slug):
                    orphaned.append(new.uuid)
        report = ReanchorReport(plan=slug, exact=counts["exact"], moved=counts["moved"],
                                orphaned=counts["orphaned"], fuzzy=counts["fuzzy"],
                                newly_orphaned=tuple(orphaned), doc_sha=pages.sha)
        return report, updates

    def _write_reanchor(self, report: ReanchorReport, updates: Sequence[Record]) -> None:
        """Write a re-anchoring (call inside ``rs.atomic()``; the caller bumps the revision)."""
        for record in updates:
            self.rs.put(record)
        self.rs.audit("reanchor", f"plan:{report.plan}",
                      {"summary": report.summary(), "doc_sha": report.doc_sha,
                       "orphaned": list(report.newly_orphaned)}, actor=self.actor)

    def reanchor_plan(self, slug: str, *, force: bool = False) -> ReanchorReport:
        """Place every record anchored in ``slug`` in its newest document version.

        Exact first, then fuzzy (``workbench.anchoring.place``); what cannot be placed is marked
        orphaned and kept (also records in the trash, so they restore correctly). One
        transaction, audited as "reanchor". Call after ``import --replaces``. If the sidecars
        cannot be written afterwards, the re-anchoring stands and ``sidecar_warning`` says so.
        """
        report, updates = self._reanchor_updates(slug, force)
        self.sidecar_warning = ""
        if updates:
            with self.rs.atomic():
                self._write_reanchor(report, updates)
                self.rs.bump_revision()
            self._invalidate()
            self._write_sidecars({slug} | {p for r in updates for p in r.plans})
        self._checked.add((slug, report.doc_sha))
        return report

    def _reanchor_in_transaction(self, plans: set[str]) -> tuple[set[str], set[str]]:
        """Inside a write's transaction: persist the re-anchoring of those of ``plans`` whose
        records still name an older document version (what reads showed in memory). Not part
        of the action's undo entry. Returns (plans re-anchored, plans whose sidecars changed)."""
        done: set[str] = set()
        touched: set[str] = set()
        shas = self._current_shas()
        for slug in sorted(plans):
            if slug not in shas or (slug, shas[slug]) in self._checked:
                continue
            records = self._anchored_records(slug)
            if any(self._stale_plans(r, {slug: shas[slug]}) for r in records):
                report, updates = self._reanchor_updates(slug, False)
                if updates:
                    self._write_reanchor(report, updates)
                    touched |= {slug} | {p for r in updates for p in r.plans}
            done.add(slug)
        return done, touched

    def _replace_anchors(self, record: Record, slug: str, pages: PageText, force: bool,
                         counts: dict[str, int]) -> Record:
        def fix(a: Anchor) -> Anchor:
            if a.doc_sha == pages.sha and not force:
                return a
            placed = place(a, pages)
            if placed.anchor.status == ORPHANED:
                counts["orphaned"] += 1
            elif placed.anchor.status == "exact":
                counts["exact"] += 1
            else:
                counts["moved"] += 1
                counts["fuzzy"] += placed.method == "fuzzy"
            return placed.anchor

        def fix_ref(r: Ref) -> Ref:
            if r.plan != slug:
                return r
            new = fix(r.anchor)
            return r if new == r.anchor else Ref(r.plan, new)

        if isinstance(record, Annotation | Correction):
            if record.plan != slug:
                return record
            new_anchor = fix(record.anchor)
            return record if new_anchor == record.anchor else replace(record, anchor=new_anchor)
        if isinstance(record, Link):
            new = replace(record, source=fix_ref(record.source),
                          targets=tuple(fix_ref(t) for t in record.targets),
                          evidence=tuple(fix_ref(e) for e in record.evidence))
            return record if new == record else new
        if isinstance(record, StatusAssessment):
            new = replace(record, subject=fix_ref(record.subject),
                          evidence=tuple(fix_ref(e) for e in record.evidence))
            return record if new == record else new
        return record

    def commit_merge(self, changes: Sequence[tuple[Record | None, Record | None]], *,
                     target: str, detail: dict[str, Any],
                     step_meta: dict[str, dict[str, Any]],
                     expected_revision: int | None = None) -> Change:
        """Write a merge (``workbench.merge.apply_merge``) as one undoable, audited action.

        ``expected_revision`` is the library revision the merge was reviewed at; it is checked
        inside the transaction, so nothing written after the review is overwritten unseen."""
        return self._commit("merge_package", "Merge package", changes, detail, target=target,
                            step_meta=step_meta, expected_revision=expected_revision)

    def refreshed(self, record: Record) -> Record:
        """``record`` with its anchors placed in their plans' current document versions
        (the normal re-anchoring path; what cannot be placed comes back orphaned)."""
        return self._refresh(record)

    def _refresh(self, record: Record) -> Record:
        """Bring a record's anchors to their plans' current versions (used by undo/restore)."""
        for _, x in anchors_of(record):
            plan = getattr(x, "plan", None) or getattr(record, "plan", "")
            try:
                pages = self.pages(plan)
            except NotFound:
                continue
            record = self._replace_anchors(record, plan, pages, False, dict.fromkeys(
                ("exact", "moved", "orphaned", "fuzzy"), 0))
        return record

    def orphans(self, slug: str | None = None) -> list[Record]:
        """Live records with at least one orphaned anchor: the queue to re-attach by hand."""
        out = []
        for kind in ANCHORED_KINDS:
            for r in self._records(kind, plan=slug):
                if any(_anchor(x).orphaned for _, x in anchors_of(r)):
                    out.append(r)
        return out

    def reattach(self, uuid: str, page_index: int, start: int, end: int) -> Change:
        """Re-attach an orphaned annotation or correction (or a link's source / a status's
        subject) to a passage chosen by hand."""
        record = self._live(uuid)
        plan = getattr(record, "plan", "")
        anchor = make_anchor(self.pages(plan), page_index, start, end)
        if isinstance(record, Annotation | Correction):
            new: Record = replace(record, anchor=anchor, updated_at=now())
        elif isinstance(record, Link):
            new = replace(record, source=Ref(plan, anchor), updated_at=now())
        elif isinstance(record, StatusAssessment):
            new = replace(record, subject=Ref(plan, anchor), updated_at=now())
        else:
            raise InvalidInput("Only anchored records can be re-attached.")
        return self._commit("reattach", "Re-attach passage", [(record, new)],
                            {"page_index": page_index, "start": start, "end": end})

    # == the action machinery ==================================================================

    def _commit(
        self,
        action: str,
        label: str,
        changes: Sequence[tuple[Record | None, Record | None]],
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
        stamp = now()
        with self.rs.atomic():
            if expected_revision is not None and self.store.revision() != expected_revision:
                raise InvalidInput(MERGE_CHANGED)
            reanchored, touched = self._reanchor_in_transaction(_anchor_plans(changes))
            for before, after in changes:
                if after is not None:
                    self.rs.put(after)
                elif before is not None and not before.deleted_at:
                    self.rs.put(with_deleted(before, stamp))
            undo_id = self.rs.push_undo(action, label, self.actor, steps)
            self.rs.audit(action, target or f"{main.KIND}:{main.uuid}",
                          {"label": label, "uuids": list(uuids), **(detail or {})},
                          actor=self.actor)
            self.rs.bump_revision()
        self._mark_checked(reanchored)
        plans = self._plans_of(changes)
        warning = self._after_commit(_sidecar_plans(changes, plans | touched))
        change = Change(action=action, label=label, uuids=uuids, plans=tuple(sorted(plans)),
                        value=value if value is not None else changes[0][1], undo_id=undo_id,
                        records=tuple(a for _, a in changes), warning=warning,
                        description=self._describe(action, label, steps))
        if self.on_change:
            self.on_change(change)
        return change

    def _mark_checked(self, plans: set[str]) -> None:
        shas = self._current_shas()
        self._checked.update((slug, shas[slug]) for slug in plans if slug in shas)

    @staticmethod
    def _plans_of(changes: Sequence[tuple[Record | None, Record | None]]) -> set[str]:
        plans: set[str] = set()
        for before, after in changes:
            for r in (before, after):
                if r is not None:
                    plans.update(r.plans)
        return plans

    def _after_commit(self, plans: set[str] | None) -> str:
        """After a commit: drop caches, write sidecars (``None``: every plan's). Returns the
        warning to show if a sidecar could not be written ("" if all were)."""
        self._invalidate()
        return self._write_sidecars(plans)

    def _invalidate(self) -> None:
        self._effective.clear()

    def _get(self, uuid: str) -> Record:
        for kind in KINDS:
            record = self.rs.get(kind, uuid)
            if record is not None:
                return self._view(record)
        raise NotFound(f"No record {uuid}.")

    def _live(self, uuid: str) -> Record:
        record = self._get(uuid)
        if record.deleted_at:
            raise InvalidInput(f"{record.KIND.capitalize()} {uuid} is in the trash; restore it "
                               "first.")
        return record

    def get(self, uuid: str) -> Record:
        """Any record by uuid (including ones in the trash)."""
        return self._get(uuid)

    def _where(self, record: Record) -> str:
        """Where a record is, for messages: "on p. 6 of kent-vision-2011"."""
        if isinstance(record, Annotation | Correction):
            return f"on p. {record.anchor.page_label} of {record.plan}"
        if isinstance(record, Link):
            return (f"from p. {record.source.anchor.page_label} of {record.source.plan} "
                    f"to {record.to_plan}")
        if isinstance(record, StatusAssessment):
            status = self.status_labels.get(record.status, record.status)
            return (f"“{status}” as at {record.as_at} on p. {record.subject.anchor.page_label} "
                    f"of {record.subject.plan}")
        if isinstance(record, Tag):
            return f"“{record.name}”"
        return ""

    # -- undo / redo ---------------------------------------------------------------------------

    def can_undo(self) -> bool:
        return self.rs.undo_candidate() is not None

    def can_redo(self) -> bool:
        return self.rs.redo_candidate() is not None

    def undo_label(self) -> str | None:
        """The short name of the action ``undo`` would undo ("Add annotation"), for a menu;
        ``undo_description`` says exactly which record."""
        entry = self.rs.undo_candidate()
        return entry.label if entry else None

    def redo_label(self) -> str | None:
        entry = self.rs.redo_candidate()
        return entry.label if entry else None

    def undo_description(self) -> str | None:
        """Exactly what ``undo`` would undo: "Add annotation on p. 6 of kent-vision-2011"."""
        entry = self.rs.undo_candidate()
        return self.describe_entry(entry) if entry else None

    def redo_description(self) -> str | None:
        entry = self.rs.redo_candidate()
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
                where = self._where(record_from_json(snap))
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
        entry = self.rs.undo_candidate()
        if entry is None:
            raise InvalidInput("Nothing to undo.")
        return self._replay(entry, "undo")

    def redo(self) -> Change:
        entry = self.rs.redo_candidate()
        if entry is None:
            raise InvalidInput("Nothing to redo.")
        return self._replay(entry, "redo")

    def _replay(self, entry: UndoEntry, direction: str) -> Change:
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
        stamp = now()
        with self.rs.atomic():
            reanchored, touched = self._reanchor_in_transaction(anchored)
            for step in steps:
                snap = step[side]
                if snap is None:  # undo a creation (redo a removal): to the trash, never purged
                    current = self.rs.get(step["kind"], step["uuid"])
                    if current is not None and not current.deleted_at:
                        current = with_deleted(current, stamp)
                        self.rs.put(current)
                    written.append(current)
                else:
                    record = self._refresh(record_from_json(snap))
                    self.rs.put(record)
                    written.append(record)
            self.rs.set_undo_state(entry.id, "undone" if direction == "undo" else "done")
            first = entry.steps[0]
            self.rs.audit(direction, f"{first['kind']}:{first['uuid']}",
                          {"entry": entry.id, "label": entry.label, "action": entry.action},
                          actor=self.actor)
            self.rs.bump_revision()
        self._mark_checked(reanchored)
        warning = self._after_commit(None if tags else plans | touched)
        change = Change(action=direction, label=f"{direction.capitalize()} {entry.label.lower()}",
                        uuids=tuple(s["uuid"] for s in entry.steps), plans=tuple(sorted(plans)),
                        value=written[-1] if written else None, undo_id=None,
                        records=tuple(written), warning=warning,
                        description=self.describe_entry(entry))
        if self.on_change:
            self.on_change(change)
        return change

    # -- trash ------------------------------------------------------------------------------

    def delete(self, uuid: str) -> Change:
        """Move any record to the trash (undoable; ``restore`` brings it back)."""
        record = self._live(uuid)
        stamp = now()
        changes: list[tuple[Record | None, Record | None]] = [
            (record, replace(record, deleted_at=stamp))  # type: ignore[type-var]
        ]
        if isinstance(record, Correction) and record.group:  # a split/merge goes as one
            for other in self._records("correction", plan=record.plan):
                if isinstance(other, Correction) and other.group == record.group \
                        and other.uuid != uuid:
                    changes.append((other, replace(other, deleted_at=stamp)))
        return self._commit(f"delete_{record.KIND}", f"Delete {record.KIND}", changes)

    def restore(self, uuid: str) -> Change:
        record = self._get(uuid)
        if not record.deleted_at:
            raise InvalidInput(f"{record.KIND.capitalize()} {uuid} is not in the trash.")
        changes: list[tuple[Record | None, Record | None]] = [
            (record, self._refresh(replace(record, deleted_at=None)))  # type: ignore[type-var]
        ]
        if isinstance(record, Correction) and record.group:
            for other in self._records("correction", plan=record.plan, include_deleted=True):
                if isinstance(other, Correction) and other.group == record.group \
                        and other.uuid != uuid and other.deleted_at == record.deleted_at:
                    changes.append((other, self._refresh(replace(other, deleted_at=None))))
        return self._commit(f"restore_{record.KIND}", f"Restore {record.KIND}", changes)

    def trash(self) -> list[Record]:
        shas = self._current_shas()
        return [self._view(r, shas) for r in self.rs.trashed()]

    def audit_log(self, target: str | None = None, limit: int = 100) -> list[AuditEntry]:
        return self.rs.audit_log(target=target, limit=limit)

    # == tags ==================================================================================

    def tags(self, *, include_deleted: bool = False) -> list[Tag]:
        return [t for t in self.rs.records("tag", include_deleted=include_deleted)
                if isinstance(t, Tag)]

    def tag_path(self, tag: Tag) -> str:
        """"Climate / Net Zero": the tag's place in the hierarchy."""
        by_uuid = {t.uuid: t for t in self.tags(include_deleted=True)}
        names, seen, cur = [], set(), tag
        while cur is not None and cur.uuid not in seen:
            seen.add(cur.uuid)
            names.append(cur.name)
            cur = by_uuid.get(cur.parent) if cur.parent else None
        return " / ".join(reversed(names))

    def tag_named(self, name: str) -> Tag | None:
        """A live tag by name or path ("Climate / Net Zero"), case-insensitively."""
        wanted = " / ".join(p.strip() for p in name.split("/")).casefold()
        for t in self.tags():
            if t.name.casefold() == wanted or self.tag_path(t).casefold() == wanted:
                return t
        return None

    def create_tag(self, name: str, *, parent: str | None = None, colour: str = "") -> Change:
        name = name.strip()
        if not name or "/" in name:
            raise InvalidInput("A tag needs a name without '/'.")
        if parent is not None:
            self._live_tag(parent)
        siblings = [t for t in self.tags() if t.parent == parent]
        if any(t.name.casefold() == name.casefold() for t in siblings):
            raise InvalidInput(f"There is already a tag called {name!r} there.")
        tag = Tag(uuid=new_uuid(), name=name, parent=parent, colour=colour, created_at=now(),
                  created_by=self.actor, updated_at=now())
        return self._commit("create_tag", "Add tag", [(None, tag)], {"name": name})

    def ensure_tag(self, path: str) -> tuple[Tag, list[Change]]:
        """The tag at ``path`` ("Climate / Net Zero"), creating missing levels in one action
        (the list holds its ``Change``, or is empty if the tag existed)."""
        uuids, new = self._resolve_tags([path])
        if not new:
            return self._live_tag(uuids[0]), []
        change = self._commit("create_tag", "Add tag", [(None, t) for t in new],
                              {"name": path.strip()})
        return new[-1], [change]

    def _resolve_tags(self, tags: Sequence[str]) -> tuple[tuple[str, ...], list[Tag]]:
        """Tag uuids for ``tags`` (uuids of live tags, or paths like "Climate / Net Zero"), and
        the ``Tag`` records still to create for missing path levels. Writes nothing: the caller
        commits the new tags with its own action, so a failed action leaves no stray tag."""
        live = self.tags()
        known = {t.uuid for t in self.tags(include_deleted=True)}
        new: list[Tag] = []
        out: list[str] = []
        for item in tags:
            text = str(item).strip()
            if text in known or _looks_like_uuid(text):
                out.append(self._live_tag(text).uuid)
                continue
            parts = [p.strip() for p in text.split("/") if p.strip()]
            if not parts:
                raise InvalidInput("A tag needs a name.")
            parent: str | None = None
            for part in parts:
                tag = next((t for t in (*live, *new) if t.parent == parent
                            and t.name.casefold() == part.casefold()), None)
                if tag is None:
                    stamp = now()
                    tag = Tag(uuid=new_uuid(), name=part, parent=parent, created_at=stamp,
                              created_by=self.actor, updated_at=stamp)
                    new.append(tag)
                parent = tag.uuid
            assert parent is not None
            out.append(parent)
        return tuple(dict.fromkeys(out)), new

    def _live_tag(self, uuid: str) -> Tag:
        tag = self.rs.get("tag", uuid)
        if not isinstance(tag, Tag) or tag.deleted_at:
            raise NotFound(f"No tag {uuid}.")
        return tag

    def edit_tag(self, uuid: str, *, name: str | None = None, parent: str | None | bool = False,
                 colour: str | None = None) -> Change:
        """Rename, recolour or move a tag (``parent=None`` moves it to the top level)."""
        tag = self._live_tag(uuid)
        new = tag
        if name is not None:
            if not name.strip() or "/" in name:
                raise InvalidInput("A tag needs a name without '/'.")
            new = replace(new, name=name.strip())
        if colour is not None:
            new = replace(new, colour=colour)
        if parent is not False:
            target = parent if isinstance(parent, str) else None
            cur = target
            while cur is not None:
                if cur == uuid:
                    raise InvalidInput("A tag cannot be moved under itself.")
                cur = self._live_tag(cur).parent
            new = replace(new, parent=target)
        if new == tag:
            raise InvalidInput("Nothing to change.")
        return self._commit("edit_tag", "Edit tag", [(tag, replace(new, updated_at=now()))])

    # == annotations ===========================================================================

    def annotate(
        self,
        plan: str,
        page_index: int,
        start: int,
        end: int,
        *,
        note: str = "",
        colour: str = "",
        tags: Sequence[str] = (),
    ) -> Change:
        """Highlight ``[start, end)`` (code points of the page's normalised text; convert Qt
        UTF-16 offsets with ``workbench.anchoring.utf16_to_cp`` first).

        ``tags`` are tag uuids or paths ("Climate / Net Zero"); missing tags are created in
        the same action, after the passage is validated, so they are undone with it."""
        pages = self.pages(plan)
        try:
            anchor = make_anchor(pages, page_index, start, end)
        except ValueError as exc:
            raise InvalidInput(f"Cannot annotate there: {exc}.") from exc
        tag_uuids, new_tags = self._resolve_tags(tags)
        ann = Annotation(uuid=new_uuid(), plan=plan, anchor=anchor, note=normalise(note),
                         colour=colour, tags=tag_uuids, created_at=now(),
                         created_by=self.actor, updated_at=now())
        detail: dict[str, Any] = {"plan": plan, "page": anchor.page_label}
        if new_tags:
            detail["new_tags"] = [t.name for t in new_tags]
        return self._commit("create_annotation", "Add annotation",
                            [(None, ann), *((None, t) for t in new_tags)], detail, value=ann)

    def annotate_quote(self, plan: str, quote: str, *, page: str | int | None = None,
                       occurrence: int = 0, **kw: Any) -> Change:
        """Annotate a quote (whitespace-tolerant) on a page given by printed label or index."""
        pages = self.pages(plan)
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
        c = self.commitment(key)
        if plan is not None and c.plan != plan:
            raise InvalidInput(f"Commitment {key} is in {c.plan}, not {plan}.")
        return self.annotate(c.plan, c.page_index, c.start, c.end, **kw)

    def page_index(self, plan: str, page: str | int) -> int:
        """A page index from a printed label ("12", "iv") or, failing that, a 1-based number."""
        pages = self.pages(plan)
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
        ann = self._live(uuid)
        if not isinstance(ann, Annotation):
            raise InvalidInput(f"{uuid} is not an annotation.")
        new = ann
        if note is not None:
            new = replace(new, note=normalise(note))
        if colour is not None:
            new = replace(new, colour=colour)
        new_tags: list[Tag] = []
        if tags is not None:
            tag_uuids, new_tags = self._resolve_tags(tags)
            new = replace(new, tags=tag_uuids)
        if new == ann:
            raise InvalidInput("Nothing to change.")
        after = replace(new, updated_at=now())
        return self._commit("edit_annotation", "Edit annotation",
                            [(ann, after), *((None, t) for t in new_tags)],
                            {"new_tags": [t.name for t in new_tags]} if new_tags else None,
                            value=after)

    def annotations(self, plan: str | None = None, *, orphans: bool = False,
                    include_deleted: bool = False) -> list[Annotation]:
        out = [a for a in self._records("annotation", plan=plan,
                                          include_deleted=include_deleted)
               if isinstance(a, Annotation)]
        if orphans:
            out = [a for a in out if a.anchor.orphaned]
        return sorted(out, key=lambda a: (a.plan, a.anchor.page_index, a.anchor.start))

    # == segmentation corrections ==============================================================

    def _correction(self, plan: str, kind: str, anchor: Anchor, *, group: str = "",
                    level: int | None = None, note: str = "") -> Correction:
        return Correction(uuid=new_uuid(), plan=plan, kind=kind, anchor=anchor, level=level,
                          group=group, note=note, created_at=now(), created_by=self.actor,
                          updated_at=now())

    def unmark(self, key: str | int, *, note: str = "") -> Change:
        """"This is not a commitment": suppress an extracted one, or trash a user mark."""
        c = self.commitment(key)
        if c.mark_uuid:
            return self.delete(c.mark_uuid)
        anchor = make_anchor(self.pages(c.plan), c.page_index, c.start, c.end)
        corr = self._correction(c.plan, CorrectionKind.UNMARK, anchor, note=note)
        return self._commit("unmark", "Un-mark commitment", [(None, corr)], {"key": c.key})

    def mark(self, plan: str, page_index: int, start: int, end: int, *, note: str = "") -> Change:
        """"This passage is a commitment": a user commitment anchored to the passage."""
        try:
            anchor = make_anchor(self.pages(plan), page_index, start, end)
        except ValueError as exc:
            raise InvalidInput(f"Cannot mark there: {exc}.") from exc
        corr = self._correction(plan, CorrectionKind.MARK, anchor, note=note)
        return self._commit("mark", "Mark as commitment", [(None, corr)],
                            value=self._marked(corr))

    def _marked(self, corr: Correction) -> EffectiveCommitment:
        return EffectiveCommitment(
            key=f"m:{corr.uuid}", plan=corr.plan, text=corr.anchor.exact,
            page_index=corr.anchor.page_index, page_label=corr.anchor.page_label,
            start=corr.anchor.start, end=corr.anchor.end, section_id=None, heading="",
            mark_uuid=corr.uuid,
        )

    def split(self, key: str | int, at: int, *, note: str = "") -> Change:
        """Split a compound commitment at character ``at`` of its text into two. The value is
        the pair of new user commitments."""
        c = self.commitment(key)
        if not 0 < at < c.end - c.start:
            raise InvalidInput("Split inside the commitment's text.")
        pages = self.pages(c.plan)
        text = pages.texts[c.page_index]
        cut = c.start + at
        left_end = cut
        while left_end > c.start and text[left_end - 1].isspace():
            left_end -= 1
        right_start = cut
        while right_start < c.end and text[right_start].isspace():
            right_start += 1
        if left_end <= c.start or right_start >= c.end:
            raise InvalidInput("Both parts of a split need some text.")
        group = new_uuid()
        parts = [
            self._correction(c.plan, CorrectionKind.MARK,
                             make_anchor(pages, c.page_index, c.start, left_end), group=group,
                             note=note),
            self._correction(c.plan, CorrectionKind.MARK,
                             make_anchor(pages, c.page_index, right_start, c.end), group=group,
                             note=note),
        ]
        changes: list[tuple[Record | None, Record | None]] = []
        if c.mark_uuid:
            old = self._live(c.mark_uuid)
            changes.append((old, replace(old, deleted_at=now())))  # type: ignore[type-var]
        else:
            changes.append((None, self._correction(
                c.plan, CorrectionKind.UNMARK,
                make_anchor(pages, c.page_index, c.start, c.end), group=group, note=note)))
        changes += [(None, p) for p in parts]
        return self._commit("split", "Split commitment", changes, {"key": c.key, "at": at},
                            value=tuple(self._marked(p) for p in parts))

    def merge(self, first: str | int, second: str | int, *, note: str = "") -> Change:
        """Merge two commitments on one page into one user commitment spanning both."""
        a, b = self.commitment(first), self.commitment(second)
        if a.key == b.key:
            raise InvalidInput("Choose two different commitments to merge.")
        if a.plan != b.plan or a.page_index != b.page_index:
            raise InvalidInput("Only commitments on the same page can be merged.")
        pages = self.pages(a.plan)
        group = new_uuid()
        changes: list[tuple[Record | None, Record | None]] = []
        for c in (a, b):
            if c.mark_uuid:
                old = self._live(c.mark_uuid)
                changes.append((old, replace(old, deleted_at=now())))  # type: ignore[type-var]
            else:
                changes.append((None, self._correction(
                    c.plan, CorrectionKind.UNMARK,
                    make_anchor(pages, c.page_index, c.start, c.end), group=group, note=note)))
        merged = self._correction(
            a.plan, CorrectionKind.MARK,
            make_anchor(pages, a.page_index, min(a.start, b.start), max(a.end, b.end)),
            group=group, note=note)
        changes.append((None, merged))
        return self._commit("merge", "Merge commitments", changes, {"keys": [a.key, b.key]},
                            value=self._marked(merged))

    def set_heading_level(self, section_id: int, level: int, *, note: str = "") -> Change:
        """Fix a heading's level (1 = top). Anchored by the heading's text on its first page."""
        if not 1 <= level <= 9:
            raise InvalidInput("A heading level is between 1 and 9.")
        section = self.store.section(section_id)  # type: ignore[arg-type]
        slug = self._slug_of_document(section.document_id)
        pages = self._doc_pages(section.document_id)
        found = find_quote(pages, section.heading, page_index=section.page_start)
        if found is None:
            raise InvalidInput("The heading's text is not on its page.")
        anchor = make_anchor(pages, *found)
        if self._plan(slug).document_id != section.document_id:
            anchor = place(anchor, self.pages(slug)).anchor
        before = next((r for r in self._records("correction", plan=slug)
                       if isinstance(r, Correction) and r.kind == CorrectionKind.HEADING_LEVEL
                       and r.anchor.selector() == anchor.selector()), None)
        if before is not None:
            after = replace(before, level=level, note=note or before.note, updated_at=now())
            return self._commit("heading_level", "Fix heading level", [(before, after)],
                                {"section_id": section_id, "level": level})
        corr = self._correction(slug, CorrectionKind.HEADING_LEVEL, anchor, level=level,
                                note=note)
        return self._commit("heading_level", "Fix heading level", [(None, corr)],
                            {"section_id": section_id, "level": level})

    def corrections(self, plan: str, *, include_deleted: bool = False) -> list[Correction]:
        return [c for c in self._records("correction", plan=plan,
                                           include_deleted=include_deleted)
                if isinstance(c, Correction)]

    # == lineage links =========================================================================

    def _check_relation(self, relation: str, targets: Sequence[Ref], rationale: str,
                        confirmed: bool) -> None:
        if relation not in RELATIONS:
            raise InvalidInput(f"Unknown relation {relation!r}; use one of: "
                               f"{', '.join(RELATIONS)}.")
        if confirmed and relation in RATIONALE_REQUIRED and not rationale.strip():
            raise InvalidInput(f"A {relation} verdict needs a rationale (--rationale).")
        if relation == "dropped" and targets:
            raise InvalidInput("A dropped commitment has no successor; give no targets.")
        if relation == "new" and targets:
            raise InvalidInput("'new' marks a commitment of the later plan on its own; "
                               "give no targets.")
        if not targets and relation not in NO_TARGET_RELATIONS | {"new"}:
            raise InvalidInput(f"A {relation} link needs at least one successor.")

    def links(self, plan: str | None = None, *, include_rejected: bool = False,
              include_deleted: bool = False) -> list[Link]:
        """Links from or to ``plan`` (all links if None)."""
        out = [r for r in self._records("link", plan=plan, include_deleted=include_deleted)
               if isinstance(r, Link)]
        return [r for r in out if include_rejected or r.state != "rejected"]

    def links_from(self, key: str | int, to_plan: str | None = None) -> list[Link]:
        ref = self.ref_for(key)
        wanted = self.key_of(ref)
        return [link for link in self.links(ref.plan)
                if link.source.plan == ref.plan and self.key_of(link.source) == wanted
                and (to_plan is None or link.to_plan == to_plan)]

    def link(
        self,
        source: str | int,
        targets: Sequence[str | int] = (),
        *,
        relation: str = "unreviewed",
        to_plan: str | None = None,
        rationale: str = "",
        evidence: Sequence[Ref] = (),
        confirm: bool = False,
        confidence: float | None = None,
        reasons: Sequence[str] = (),
        state: str | None = None,
    ) -> Change:
        """Record a lineage verdict: ``source`` (earlier) → ``targets`` (one later plan).

        If the source already has a live link to that plan, it is edited instead (its old
        values go to the link's history), so each commitment has one verdict per later plan.
        """
        src = self.ref_for(source)
        tgt = tuple(self.ref_for(t) for t in targets)
        if relation == "new":
            to_plan = src.plan
        to_plan = to_plan or (tgt[0].plan if tgt else None)
        if to_plan is None:
            raise InvalidInput("Say which later plan this verdict is about (--to PLAN).")
        self._plan(to_plan)
        if any(t.plan != to_plan for t in tgt):
            raise InvalidInput("All successors of one link must be in the same plan.")
        if relation != "new":
            if to_plan == src.plan:
                raise InvalidInput("A link goes from an earlier plan to a later one.")
            if to_plan not in self.later_plans(src.plan):
                raise InvalidInput(f"{to_plan} is not later than {src.plan}.")
        state = state or ("confirmed" if confirm else "proposed")
        self._check_relation(relation, tgt, rationale, state == "confirmed")
        existing = [link for link in self.links(src.plan, include_rejected=True)
                    if link.source.plan == src.plan and link.to_plan == to_plan
                    and self.key_of(link.source) == self.key_of(src)
                    and self.key_of(src) is not None]
        if existing:
            return self._edit_link(existing[0], relation=relation, targets=tgt,
                                   rationale=rationale, evidence=tuple(evidence), state=state,
                                   confidence=confidence, reasons=tuple(reasons))
        stamp = now()
        link = Link(
            uuid=new_uuid(), source=src, to_plan=to_plan, relation=relation, targets=tgt,
            state=state, confidence=confidence, rationale=rationale.strip(),
            evidence=tuple(evidence), reasons=tuple(reasons),
            confirmed_by=self.actor if state == "confirmed" else "",
            confirmed_at=stamp if state == "confirmed" else "",
            created_at=stamp, created_by=self.actor, updated_at=stamp,
        )
        return self._commit("create_link", "Add link", [(None, link)],
                            {"relation": relation, "to_plan": to_plan, "state": state})

    def _edit_link(self, link: Link, **changes: Any) -> Change:
        stamp = now()
        history_item = {
            "at": link.updated_at or link.created_at, "by": link.confirmed_by or link.created_by,
            "relation": link.relation, "state": link.state, "rationale": link.rationale,
            "targets": [t.anchor.exact for t in link.targets],
            "confidence": link.confidence,
        }
        new = link
        for field_name, value in changes.items():
            if value is not None:
                new = replace(new, **{field_name: value})
        if new.relation != "new":
            self._check_relation(new.relation, new.targets, new.rationale,
                                 new.state == "confirmed")
        if new.state == "confirmed" and (link.state != "confirmed" or new != link):
            new = replace(new, confirmed_by=self.actor, confirmed_at=stamp)
        if new == link:
            raise InvalidInput("Nothing to change.")
        new = replace(new, history=(*link.history, history_item), updated_at=stamp)
        action = "relation_change" if new.relation != link.relation else "edit_link"
        if new.state != link.state:
            action = {"confirmed": "confirm_link", "rejected": "reject_link"}.get(new.state,
                                                                                  action)
        return self._commit(action, "Edit link", [(link, new)],
                            {"relation": [link.relation, new.relation],
                             "state": [link.state, new.state]})

    def edit_link(self, uuid: str, *, relation: str | None = None,
                  targets: Sequence[str | int] | None = None, rationale: str | None = None,
                  evidence: Sequence[Ref] | None = None) -> Change:
        link = self._live(uuid)
        if not isinstance(link, Link):
            raise InvalidInput(f"{uuid} is not a link.")
        tgt = tuple(self.ref_for(t) for t in targets) if targets is not None else None
        if tgt and any(t.plan != link.to_plan for t in tgt):
            raise InvalidInput("All successors of one link must be in the same plan.")
        return self._edit_link(link, relation=relation, targets=tgt, rationale=rationale,
                               evidence=tuple(evidence) if evidence is not None else None)

    def confirm_link(self, uuid: str, *, relation: str | None = None,
                     rationale: str | None = None) -> Change:
        link = self._live(uuid)
        if not isinstance(link, Link):
            raise InvalidInput(f"{uuid} is not a link.")
        return self._edit_link(link, state="confirmed", relation=relation, rationale=rationale)

    def reject_link(self, uuid: str) -> Change:
        """Reject a machine proposal (kept, so it is not proposed again)."""
        link = self._live(uuid)
        if not isinstance(link, Link):
            raise InvalidInput(f"{uuid} is not a link.")
        return self._edit_link(link, state="rejected")

    # == statuses ==============================================================================

    def assess(self, key: str | int, status: str, as_at: str, *, rationale: str = "",
               evidence: Sequence[Ref] = ()) -> Change:
        """Append a dated delivery status (never overwrites an earlier assessment)."""
        if status not in STATUSES:
            raise InvalidInput(f"Unknown status {status!r}; use one of: {', '.join(STATUSES)}.")
        if not is_partial_iso_date(as_at):
            raise InvalidInput("--as-at must be a date like 2025, 2025-03 or 2025-03-31.")
        subject = self.ref_for(key)
        stamp = now()
        record = StatusAssessment(uuid=new_uuid(), subject=subject, status=status, as_at=as_at,
                                  rationale=rationale.strip(), evidence=tuple(evidence),
                                  created_at=stamp, created_by=self.actor, updated_at=stamp)
        return self._commit("status_change", "Set delivery status", [(None, record)],
                            {"status": status, "as_at": as_at})

    def status_history(self, key: str | int) -> list[StatusAssessment]:
        """Every assessment of a commitment, oldest as-at first."""
        ref = self.ref_for(key)
        wanted = self.key_of(ref)
        out = [s for s in self._records("status", plan=ref.plan)
               if isinstance(s, StatusAssessment) and self.key_of(s.subject) == wanted]
        return sorted(out, key=lambda s: (s.as_at, s.created_at))

    def current_status(self, key: str | int) -> StatusAssessment | None:
        history = self.status_history(key)
        return history[-1] if history else None

    # == suggestions, review and coverage ======================================================

    def suggester(self, to_plan: str) -> Suggester:
        return Suggester.for_plan(self, to_plan)

    def suggest(self, from_plan: str, to_plan: str, *, limit: int = 5) -> list[Suggestion]:
        """Ranked successor candidates in ``to_plan`` for every commitment of ``from_plan``."""
        sources = self.effective_commitments(from_plan)
        return self.suggester(to_plan).suggest_all(sources, limit)

    def accept(self, suggestion: Suggestion, *, candidate: int = 0, relation: str | None = None,
               rationale: str = "") -> Change:
        """Accept (or accept with another relation) a suggestion as a confirmed link."""
        if suggestion.relation == "dropped" and relation in (None, "dropped"):
            return self.link(suggestion.source.key, (), relation="dropped",
                             to_plan=suggestion.to_plan, confirm=True,
                             rationale=rationale or "; ".join(suggestion.reasons),
                             reasons=suggestion.reasons)
        cand = suggestion.candidates[candidate]
        rel = relation or cand.relation
        target_key = cand.commitment.key
        if rel != "dropped" and (span := parse_passage_key(target_key)) is not None:
            # a sentence the segmenter did not mark: mark it first, then link to the mark
            target_key = self.mark(*span).value.key
        targets = () if rel in ("dropped",) else (target_key,)
        return self.link(suggestion.source.key, targets, relation=rel,
                         to_plan=suggestion.to_plan, confirm=True,
                         rationale=rationale or ("; ".join(cand.reasons)
                                                 if rel in RATIONALE_REQUIRED else ""),
                         confidence=cand.score, reasons=cand.reasons)

    def reject(self, suggestion: Suggestion, *, candidate: int = 0) -> Change:
        """Reject a suggested pair: kept as a rejected proposal so it is not offered again."""
        if not suggestion.candidates:
            raise InvalidInput("There is no candidate to reject.")
        cand = suggestion.candidates[candidate]
        return self.link(suggestion.source.key, (cand.commitment.key,),
                         relation=cand.relation, to_plan=suggestion.to_plan,
                         state="rejected", confidence=cand.score, reasons=cand.reasons)

    def coverage(self, from_plan: str, to_plan: str | None = None) -> Coverage:
        commitments = self.effective_commitments(from_plan)
        verdicts: dict[str, list[Link]] = {}
        for link in self.links(from_plan):
            if link.source.plan != from_plan or (to_plan and link.to_plan != to_plan):
                continue
            key = self.key_of(link.source)
            if key:
                verdicts.setdefault(key, []).append(link)
        confirmed = proposed = 0
        unreviewed: list[str] = []
        no_successor: list[str] = []
        by_relation: dict[str, int] = {}
        for c in commitments:
            links = verdicts.get(c.key, [])
            sure = [link for link in links if link.state == "confirmed"
                    and link.relation != "unreviewed"]
            if sure:
                confirmed += 1
                for link in sure:
                    by_relation[link.relation] = by_relation.get(link.relation, 0) + 1
                if all(not link.targets for link in sure):
                    no_successor.append(c.key)
            else:
                unreviewed.append(c.key)
                if any(link.state == "proposed" for link in links):
                    proposed += 1
                if not any(link.targets for link in links):
                    no_successor.append(c.key)
        return Coverage(from_plan=from_plan, from_title=self._plan(from_plan).meta.title,
                        to_plan=to_plan, total=len(commitments), confirmed=confirmed,
                        proposed=proposed, unreviewed=tuple(unreviewed),
                        no_successor=tuple(no_successor), by_relation=by_relation)

    def next_unreviewed(self, from_plan: str, after: str | None = None,
                        to_plan: str | None = None) -> EffectiveCommitment | None:
        """The next commitment (in reading order, after ``after``) without a confirmed verdict."""
        cov = self.coverage(from_plan, to_plan)
        todo = set(cov.unreviewed)
        commitments = self.effective_commitments(from_plan)
        keys = [c.key for c in commitments]
        start = keys.index(after) + 1 if after in keys else 0
        for c in commitments[start:] + commitments[:start]:
            if c.key in todo:
                return c
        return None

    # == lineage threads =======================================================================

    def thread(self, key: str | int) -> Thread:
        """A commitment's chain across every edition: predecessors and successors, with the
        relation of each link and the latest delivery status at each step."""
        origin_ref = self.ref_for(key)
        origin = self.bind(origin_ref)
        if origin is None:
            raise NotFound(f"Commitment {key} no longer binds to a commitment.")
        all_links = [link for link in self.links() if link.state != "rejected"]
        nodes: dict[str, EffectiveCommitment] = {origin.key: origin}
        edges: dict[str, ThreadEdge] = {}
        todo = [origin.key]
        while todo:
            current = todo.pop()
            for link in all_links:
                src_key = self.key_of(link.source)
                tgt_keys = tuple(self.key_of(t) for t in link.targets)
                if current != src_key and current not in tgt_keys:
                    continue
                if link.uuid in edges:
                    continue
                edges[link.uuid] = ThreadEdge(link, src_key, tgt_keys)
                for ref, k in ((link.source, src_key),
                               *zip(link.targets, tgt_keys, strict=True)):
                    if k and k not in nodes:
                        found = self.bind(ref)
                        if found:
                            nodes[k] = found
                            todo.append(k)
        ordered = sorted(nodes.values(),
                         key=lambda e: (self._plan_sort_key(e.plan), e.page_index, e.start))
        out_nodes = []
        for e in ordered:
            plan = self._plan(e.plan)
            out_nodes.append(ThreadNode(
                plan=e.plan, plan_title=plan.meta.title, published=plan.meta.published,
                stage=plan.meta.stage, not_adopted=self.not_adopted(plan), key=e.key,
                text=e.text, page_label=e.page_label, status=self.current_status(e.key),
            ))
        return Thread(origin=origin.key, nodes=tuple(out_nodes), edges=tuple(edges.values()))


def _anchor(x: Ref | Anchor) -> Anchor:
    return x.anchor if isinstance(x, Ref) else x


def _anchor_plans(changes: Sequence[tuple[Record | None, Record | None]]) -> set[str]:
    """Every plan in which the records of ``changes`` have an anchor."""
    return {ref.plan for pair in changes for r in pair if r is not None
            for _, ref in anchors_of(r)}


def _sidecar_plans(changes: Sequence[tuple[Record | None, Record | None]],
                   plans: set[str]) -> set[str] | None:
    """The plans whose sidecars a change rewrites; ``None`` (every plan) when a tag changed,
    because every sidecar carries the whole tag list."""
    if not plans or any(isinstance(r, Tag) for pair in changes for r in pair):
        return None
    return plans


def _looks_like_uuid(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


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
