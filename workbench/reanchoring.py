"""Re-anchoring: user records placed in their plans' newest document versions.

Records point at a plan plus an ``Anchor``; after a plan gets a new document version they are
re-anchored (``reanchor_plan``, called at import), and what cannot be placed is kept as an
orphan, never deleted. **Reads never write**: a record whose stored anchors still name an older
version is placed in memory when read (``view``, ``records``); the placement is persisted by
the next write touching the plan (``in_transaction``, inside that write's transaction) or by
``reanchor_plan``. Qt-free; after its own writes it calls ``on_written(plans)`` (the actions'
after-commit step: caches and sidecars).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from workbench.anchoring import ORPHANED, Anchor, DocumentText, ReanchorReport, place
from workbench.errors import NotFound
from workbench.plan_index import PlanIndex, Session
from workbench.records import (
    Annotation,
    Correction,
    Link,
    Record,
    Ref,
    StatusAssessment,
    anchors_of,
)

__all__ = ["ANCHORED_KINDS", "Reanchoring"]

ANCHORED_KINDS = ("annotation", "correction", "link", "status")


def _counts() -> dict[str, int]:
    return dict.fromkeys(("exact", "moved", "orphaned", "fuzzy"), 0)


class Reanchoring:
    """Places records' anchors in current document versions (in memory, or persisted)."""

    def __init__(self, session: Session, plans: PlanIndex) -> None:
        self.session = session
        self.plans = plans
        self.checked: set[tuple[str, str]] = set()  # (plan, doc sha) known to be current
        self._placed: dict[str, tuple[Record, dict[str, str], Record]] = {}
        self.on_written: Callable[[set[str]], None] = lambda plans: None

    # -- reads -----------------------------------------------------------------------------

    @staticmethod
    def stale_plans(record: Record, shas: dict[str, str]) -> set[str]:
        """Plans in which ``record`` has a placed (not orphaned) anchor of an older version."""
        return {ref.plan for _, ref in anchors_of(record)
                if not ref.anchor.orphaned and ref.plan in shas
                and ref.anchor.doc_sha != shas[ref.plan]}

    def view(self, record: Record, shas: dict[str, str] | None = None) -> Record:
        """``record`` as reads show it: anchors of an older document version placed in the
        current one, in memory only (reads never write; see ``in_transaction``)."""
        shas = self.plans.current_shas() if shas is None else shas
        if not self.stale_plans(record, shas):
            return record
        hit = self._placed.get(record.uuid)
        if hit is not None and hit[0] == record and hit[1] == shas:
            return hit[2]
        placed = record
        for slug in sorted(self.stale_plans(record, shas)):
            placed = self.replace_anchors(placed, slug, self.plans.pages(slug), False, _counts())
        self._placed[record.uuid] = (record, dict(shas), placed)
        return placed

    def records(self, kind: str, *, plan: str | None = None,
                include_deleted: bool = False) -> list[Record]:
        """``RecordStore.records`` as reads show them (``view``)."""
        rows = self.session.rs.records(kind, plan=plan, include_deleted=include_deleted)
        if kind == "tag":
            return rows
        shas = self.plans.current_shas()
        return [self.view(r, shas) for r in rows]

    def orphans(self, slug: str | None = None) -> list[Record]:
        """Live records with at least one orphaned anchor: the queue to re-attach by hand."""
        out = []
        for kind in ANCHORED_KINDS:
            for r in self.records(kind, plan=slug):
                if any(x.anchor.orphaned for _, x in anchors_of(r)):
                    out.append(r)
        return out

    def refreshed(self, record: Record) -> Record:
        """``record`` with its anchors placed in their plans' current document versions
        (the normal re-anchoring path; what cannot be placed comes back orphaned)."""
        for _, x in anchors_of(record):
            try:
                pages = self.plans.pages(x.plan)
            except NotFound:
                continue
            record = self.replace_anchors(record, x.plan, pages, False, _counts())
        return record

    # -- persisted re-anchoring --------------------------------------------------------------

    def ensure_anchored(self, slug: str) -> ReanchorReport | None:
        """Persist the re-anchoring of the plan's records if some still name an older document
        version (a write: reads place them in memory instead). ``None`` if nothing was stale."""
        try:
            sha = self.plans.sha(slug)
        except NotFound:
            return None
        if (slug, sha) in self.checked:
            return None
        shas = {slug: sha}
        if not any(self.stale_plans(r, shas) for r in self._anchored_records(slug)):
            self.checked.add((slug, sha))
            return None
        return self.reanchor_plan(slug)

    def _anchored_records(self, slug: str) -> list[Record]:
        """Every record (also in the trash) with an anchor in ``slug``: its own annotations,
        corrections, links and statuses, and links/statuses citing it as evidence."""
        rs = self.session.rs
        out: list[Record] = []
        for kind in ANCHORED_KINDS:
            out += rs.records(kind, plan=slug, include_deleted=True)
        seen = {r.uuid for r in out}
        for kind in ("link", "status"):
            for r in rs.records(kind, include_deleted=True):
                if r.uuid not in seen and any(x.plan == slug for _, x in anchors_of(r)):
                    out.append(r)
        return out

    def _updates(self, slug: str, force: bool) -> tuple[ReanchorReport, list[Record]]:
        """What re-anchoring ``slug`` would write (nothing is written here)."""
        pages = self.plans.pages(slug)
        counts = _counts()
        orphaned: list[str] = []
        updates: list[Record] = []
        for record in self._anchored_records(slug):
            new = self.replace_anchors(record, slug, pages, force, counts)
            if new is not record:
                updates.append(new)
                if _orphaned_in(new, slug) and not _orphaned_in(record, slug):
                    orphaned.append(new.uuid)
        report = ReanchorReport(plan=slug, exact=counts["exact"], moved=counts["moved"],
                                orphaned=counts["orphaned"], fuzzy=counts["fuzzy"],
                                newly_orphaned=tuple(orphaned), doc_sha=pages.sha)
        return report, updates

    def _write(self, report: ReanchorReport, updates: Sequence[Record]) -> None:
        """Write a re-anchoring (call inside ``rs.atomic()``; the caller bumps the revision)."""
        rs = self.session.rs
        for record in updates:
            rs.put(record)
        rs.audit("reanchor", f"plan:{report.plan}",
                 {"summary": report.summary(), "doc_sha": report.doc_sha,
                  "orphaned": list(report.newly_orphaned)}, actor=self.session.actor)

    def reanchor_plan(self, slug: str, *, force: bool = False) -> ReanchorReport:
        """Place every record anchored in ``slug`` in its newest document version.

        Exact first, then fuzzy (``workbench.anchoring.place``); what cannot be placed is marked
        orphaned and kept (also records in the trash, so they restore correctly). One
        transaction, audited as "reanchor". Call after ``import --replaces``.
        """
        report, updates = self._updates(slug, force)
        if updates:
            with self.session.rs.atomic():
                self._write(report, updates)
                self.session.rs.bump_revision()
            self.on_written({slug} | {p for r in updates for p in r.plans})
        self.checked.add((slug, report.doc_sha))
        return report

    def in_transaction(self, plans: set[str]) -> tuple[set[str], set[str]]:
        """Inside a write's transaction: persist the re-anchoring of those of ``plans`` whose
        records still name an older document version (what reads showed in memory). Not part
        of the action's undo entry. Returns (plans re-anchored, plans whose sidecars changed)."""
        done: set[str] = set()
        touched: set[str] = set()
        shas = self.plans.current_shas()
        for slug in sorted(plans):
            if slug not in shas or (slug, shas[slug]) in self.checked:
                continue
            records = self._anchored_records(slug)
            if any(self.stale_plans(r, {slug: shas[slug]}) for r in records):
                report, updates = self._updates(slug, False)
                if updates:
                    self._write(report, updates)
                    touched |= {slug} | {p for r in updates for p in r.plans}
            done.add(slug)
        return done, touched

    def mark_checked(self, plans: set[str]) -> None:
        shas = self.plans.current_shas()
        self.checked.update((slug, shas[slug]) for slug in plans if slug in shas)

    @staticmethod
    def replace_anchors(record: Record, slug: str, pages: DocumentText, force: bool,
                        counts: dict[str, int]) -> Record:
        """``record`` with its anchors in ``slug`` placed in ``pages`` (counted by outcome)."""
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


def _orphaned_in(record: Record, slug: str) -> bool:
    return any(x.anchor.orphaned for _, x in anchors_of(record) if x.plan == slug)
