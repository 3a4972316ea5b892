"""Library operations: list, import, edit, remove/restore plans; reindex; check.

Reads are short DB-executor jobs; import, reindex and check are long jobs on a
``TaskRunner`` (progress after ~600 ms, Cancel). Every write re-emits a ``Changes`` value on
``OpContext.changes_applied`` after the store has committed.

Imports run in their own lane (``ImportLane``): a second ``DbExecutor`` whose thread opens its
*own* ``Workbench`` (its own SQLite connection, opened inside that thread, as R3 requires), so
a multi-minute import does not hold the window's DB thread: saves and searches go on meanwhile.
Writes of the two connections serialise in SQLite (WAL, ``busy_timeout``), index writes on
Whoosh's lock; caches of the main connection are keyed by the library revision, so they see the
import's commits. Imports still queue behind one another, keep progress and Cancel, and are
cancelled and waited for when the window closes (``shutdown_imports``) or the library changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ui.executor import DbExecutor, Job
from ui.ops import Changes, OpContext
from ui.tasks import TaskRunner
from workbench.model import OcrSettings, Plan
from workbench.services import CheckReport, ImportOutcome, ImportReport, Workbench
from workbench.tasks import TaskState

ErrorCb = Callable[[BaseException], None] | None


@dataclass(frozen=True, slots=True)
class PlanList:
    plans: tuple[Plan, ...]  # including plans in the trash
    removed: frozenset[str]


def _plan_list(wb: Workbench) -> PlanList:
    plans = wb.plans(include_removed=True)
    live = {p.slug for p in wb.plans()}
    return PlanList(tuple(plans), frozenset(p.slug for p in plans if p.slug not in live))


def load_plans(ctx: OpContext, on_done: Callable[[PlanList], None], on_error: ErrorCb = None) -> Job:
    return ctx.executor.submit(_plan_list, on_done=on_done, on_error=on_error)


class ImportLane(QObject):
    """The import thread of one window: a ``DbExecutor`` with its own ``Workbench``, opened on
    the first import and kept until the library changes or the window closes.

    Signals:
        busy_changed(bool): as ``TaskRunner.busy_changed``, for imports.
    """

    busy_changed = Signal(bool)

    def __init__(self, ctx: OpContext) -> None:
        super().__init__(ctx)
        self._ctx = ctx
        self._executor: DbExecutor | None = None
        self._runner: TaskRunner | None = None
        ctx.library_changed.connect(self._on_library_changed)

    @property
    def runner(self) -> TaskRunner:
        """The lane's runner, on a (new) executor for the context's current library."""
        ex = self._executor
        if ex is None or ex.is_shut_down or ex.root != self._ctx.root or self._runner is None:
            self.shutdown()
            self._executor = DbExecutor(self._ctx.root, parent=self)
            self._runner = TaskRunner(self._executor, self._ctx.window)
            self._runner.busy_changed.connect(self.busy_changed)
        self._runner.show_dialogs = self._ctx.runner.show_dialogs
        return self._runner

    def is_idle(self) -> bool:
        return self._runner is None or self._runner.is_idle()

    def running_titles(self) -> list[str]:
        return self._runner.running_titles() if self._runner is not None else []

    def _on_library_changed(self, _root: object) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Cancel the running import (atomic per document) and wait for the thread to close
        its library."""
        if self._runner is not None:
            self._runner.cancel_all()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._executor = None
        self._runner = None


def import_lane(ctx: OpContext) -> ImportLane:
    """The window's import lane (created on first use)."""
    if ctx.import_lane is None:
        ctx.import_lane = ImportLane(ctx)
    return ctx.import_lane


def shutdown_imports(ctx: OpContext) -> None:
    """On closing the window: cancel and wait for a running import (before ``ctx.shutdown``)."""
    if ctx.import_lane is not None:
        ctx.import_lane.shutdown()


def import_pdfs(
    ctx: OpContext,
    paths: Sequence[Path],
    *,
    on_done: Callable[[ImportReport], None],
    on_error: ErrorCb = None,
    password: str | None = None,
    initiator: object | None = None,
) -> Job:
    """Import PDFs and folders; the report lists every refused file with its reason."""
    paths = [Path(p) for p in paths]

    def work(wb: Workbench, state: TaskState) -> ImportReport:
        return wb.import_paths(paths, password=password, state=state)

    def done(report: ImportReport) -> None:
        slugs = tuple(o.slug for o in report.outcomes if o.status == "imported")
        if slugs:
            ctx.emit_changes(Changes(plans=slugs, plan_list=True), initiator)
        on_done(report)

    return import_lane(ctx).runner.run(work, title="Importing PDFs", on_done=done,
                                       on_error=on_error)


def ocr_unavailable_reason(language: str = "eng") -> str:
    """"" when OCR can run here; else one line saying why and what to install (no worker is
    started: only the file system is looked at)."""
    from indexing.ocr_data import ocr_unavailable_reason as reason

    return reason(language)


def ocr_plan(
    ctx: OpContext,
    slug: str,
    *,
    on_done: Callable[[ImportOutcome], None],
    on_error: ErrorCb = None,
    settings: OcrSettings | None = None,
    initiator: object | None = None,
) -> Job:
    """"OCR the scanned pages" of a plan (issue 15): its file is read again in the import
    worker with Tesseract (same limits), stored as a new version, and its notes and links
    re-anchored; the outcome's notices carry the re-anchoring report. Runs in the import lane,
    with progress and Cancel (cancelling leaves the plan as it was)."""

    def work(wb: Workbench, state: TaskState) -> ImportOutcome:
        return wb.ocr_plan(slug, settings or OcrSettings(), state=state)

    def done(outcome: ImportOutcome) -> None:
        if outcome.status == "imported":
            ctx.emit_changes(Changes(plans=(slug,), plan_list=True), initiator)
        on_done(outcome)

    return import_lane(ctx).runner.run(work, title=f"OCR of {slug}", on_done=done,
                                       on_error=on_error)


def edit_plan(
    ctx: OpContext,
    slug: str,
    fields: dict[str, str],
    *,
    on_done: Callable[[Plan], None],
    on_error: ErrorCb = None,
    initiator: object | None = None,
) -> Job:
    def done(plan: Plan) -> None:
        ctx.emit_changes(Changes(plans=(slug,)), initiator)
        on_done(plan)

    return ctx.executor.submit(
        lambda wb: wb.edit_plan(slug, **fields), on_done=done, on_error=on_error
    )


def set_removed(
    ctx: OpContext,
    slug: str,
    removed: bool,
    *,
    on_done: Callable[[Plan], None] | None = None,
    on_error: ErrorCb = None,
    initiator: object | None = None,
) -> Job:
    """Move a plan to the trash (nothing is deleted) or bring it back."""

    def work(wb: Workbench) -> Plan:
        return wb.remove_plan(slug) if removed else wb.restore_plan(slug)

    def done(plan: Plan) -> None:
        ctx.emit_changes(Changes(plans=(slug,), plan_list=True), initiator)
        if on_done is not None:
            on_done(plan)

    return ctx.executor.submit(work, on_done=done, on_error=on_error)


def reindex(
    ctx: OpContext, *, on_done: Callable[[int], None], on_error: ErrorCb = None
) -> Job:
    def done(count: int) -> None:
        ctx.emit_changes(Changes(index=True), None)
        on_done(count)

    return ctx.runner.run(
        lambda wb, state: wb.rebuild_index(state),
        title="Rebuilding the search index",
        on_done=done,
        on_error=on_error,
    )


def check(
    ctx: OpContext, *, on_done: Callable[[CheckReport], None], on_error: ErrorCb = None
) -> Job:
    return ctx.runner.run(
        lambda wb, state: wb.check(), title="Checking the library", on_done=on_done,
        on_error=on_error,
    )
