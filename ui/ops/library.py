"""Library operations: list, import, edit, remove/restore plans; reindex; check.

Reads are short DB-executor jobs; import, reindex and check are long jobs on the
``TaskRunner`` (progress after ~600 ms, Cancel). Every write re-emits a ``Changes`` value on
``OpContext.changes_applied`` after the store has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ui.executor import Job
from ui.ops import Changes, OpContext
from workbench.model import Plan
from workbench.services import CheckReport, ImportReport, Workbench
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

    return ctx.runner.run(work, title="Importing PDFs", on_done=done, on_error=on_error)


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
