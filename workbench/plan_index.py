"""Who acts on which library, and the plans and page texts the record services read.

``Session`` is the shared, mutable "who and where" of one ``workbench.review.Records``: the two
ports (``Store`` for the library, ``RecordStore`` for user records), the acting user and the
callback told about each committed action. ``PlanIndex`` caches, per library revision, the plans
by slug, each plan's current document version and its pages joined for anchoring
(``DocumentText``), and knows the publication order of plans. Qt-free; emits nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.anchoring import DocumentText
from workbench.errors import NotFound
from workbench.model import Plan, Stage
from workbench.ports import RecordStore, Store
from workbench.records import Change

__all__ = ["PlanIndex", "Session"]


@dataclass(slots=True)
class Session:
    """The ports, the acting user and the change callback every record service shares."""

    store: Store
    rs: RecordStore
    actor: str
    on_change: Callable[[Change], None] | None = None


class PlanIndex:
    """Plans by slug, their current document versions and pages (cached per revision)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pages: dict[int, DocumentText] = {}
        self._plan_cache: tuple[int, dict[str, Plan]] = (-1, {})
        self._shas: dict[int, str] = {}
        self._current: tuple[int, dict[str, str]] = (-1, {})  # revision, {plan: doc sha}

    def plan(self, slug: str) -> Plan:
        """A plan by slug (also one in the trash).

        Raises:
            NotFound: no such plan.
        """
        rev = self.store.revision()
        if self._plan_cache[0] != rev:
            self._plan_cache = (rev, {p.slug: p for p in self.store.plans(include_removed=True)})
        plan = self._plan_cache[1].get(slug)
        if plan is None:
            raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")
        return plan

    def sha(self, slug: str) -> str:
        """The SHA-256 of the plan's current document version."""
        plan = self.plan(slug)
        if plan.document_id is None:
            raise NotFound(f"Plan {slug} has no document.")
        if plan.document_id not in self._shas:
            self._shas[plan.document_id] = self.store.document(plan.document_id).sha256
        return self._shas[plan.document_id]

    def pages(self, slug: str) -> DocumentText:
        """The current document version's pages of a plan, joined for anchoring."""
        plan = self.plan(slug)
        if plan.document_id is None:
            raise NotFound(f"Plan {slug} has no document.")
        return self.doc_pages(plan.document_id)

    def doc_pages(self, document_id: int) -> DocumentText:
        """The pages of one document version (of any plan version)."""
        if document_id not in self._pages:
            sha = self.store.document(document_id).sha256
            self._pages[document_id] = DocumentText(self.store.page_texts(document_id), sha)
        return self._pages[document_id]

    def slug_of_document(self, document_id: int) -> str:
        plan_id = self.store.document(document_id).plan_id
        for p in self.store.plans(include_removed=True):
            if p.id == plan_id:
                return p.slug
        raise NotFound(f"No plan for document {document_id}.")

    def current_shas(self) -> dict[str, str]:
        """{plan slug: sha of its current document version} (cached per library revision)."""
        rev = self.store.revision()
        if self._current[0] != rev:
            shas: dict[str, str] = {}
            for p in self.store.plans(include_removed=True):
                if p.document_id is not None:
                    try:
                        shas[p.slug] = self.sha(p.slug)
                    except NotFound:
                        continue
            self._current = (rev, shas)
        return self._current[1]

    def sort_key(self, slug: str) -> tuple[str, str, int]:
        """Publication order: published date, else period start, then import order."""
        plan = self.plan(slug)
        return (plan.meta.published or plan.meta.period_start or "9999", plan.meta.period_start,
                plan.id)

    def later_plans(self, slug: str) -> list[str]:
        """Plans after ``slug`` in publication order (not in the trash)."""
        order = sorted((p.slug for p in self.store.plans()), key=self.sort_key)
        return order[order.index(slug) + 1 :] if slug in order else []

    def next_plan(self, slug: str) -> str | None:
        """The next edition: the first later plan *with a date*, or None.

        An undated plan (a scan imported without a date) sorts after every dated one only for
        want of a date, so it is never taken as the next edition on its own: otherwise every
        commitment of the newest edition would get a proposal "dropped into" the scan. It
        stays in ``later_plans``: an officer may still pick it (``--to``, the link dialog).
        """
        return next((s for s in self.later_plans(slug) if self.is_dated(s)), None)

    def is_dated(self, slug: str) -> bool:
        meta = self.plan(slug).meta
        return bool(meta.published or meta.period_start)

    @staticmethod
    def not_adopted(plan: Plan) -> bool:
        """A draft, or a plan whose status says it was never adopted."""
        status = plan.meta.status.casefold()
        return plan.meta.stage == Stage.DRAFT or "not adopted" in status
