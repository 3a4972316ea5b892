"""Merge operations (issue 7): read and plan an annotation package, apply it, export one.

Every step runs on the DB thread. Reading and planning is a ``TaskRunner`` job (progress after
~600 ms, Cancel between reading and planning); applying is a plain executor job, because
``apply_merge`` is one transaction that cannot be interrupted (its window shows a busy bar
instead). Success re-emits ``Changes.of_action`` so open views refresh what the merge wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ui.executor import Job
from ui.ops import Changes, OpContext
from ui.ops import records as records_ops
from workbench.merge import (
    MergePlan,
    MergeReport,
    apply_merge,
    plan_merge,
    read_package,
    write_package,
)
from workbench.services import Workbench
from workbench.tasks import TaskState

log = logging.getLogger(__name__)

ErrorCb = Callable[[BaseException], None] | None


def load_merge_plan(ctx: OpContext, path: Path, actor: str, *,
                    on_done: Callable[[MergePlan], None], on_error: ErrorCb = None) -> Job:
    """Validate the package (``read_package``) and compare it with this library. Writes nothing."""
    path = Path(path)

    def work(wb: Workbench, state: TaskState) -> MergePlan:
        state.report(0.0, f"Checking {path.name}…")
        package = read_package(path)
        state.raise_if_cancelled()
        state.report(0.5, "Comparing with this library…")
        return plan_merge(records_ops.records(wb, actor), package)

    return ctx.runner.run(work, title="Reading annotation package", on_done=on_done,
                          on_error=on_error)


def apply(ctx: OpContext, actor: str, plan: MergePlan, resolutions: Mapping[str, str], *,
          on_done: Callable[[MergeReport], None], on_error: ErrorCb = None,
          initiator: object | None = None) -> Job:
    """Back up, then write the reviewed merge in one transaction; re-emit what changed."""
    decisions = dict(resolutions)

    def work(wb: Workbench) -> tuple[MergeReport, bool]:
        recs = records_ops.records(wb, actor)
        report = apply_merge(recs, plan, decisions)
        if report.change is not None:
            try:
                wb.sync_index()  # merged notes and rationales are searchable
            except Exception:  # the merge stands; a later sync catches up
                log.exception("search index sync after a merge failed")
        kinds = {r.KIND for r in report.change.records if r is not None} if report.change \
            else set()
        return report, bool(kinds & records_ops.STRUCTURAL)

    def done(result: tuple[MergeReport, bool]) -> None:
        report, structural = result
        change = report.change
        if change is not None:
            ctx.emit_changes(Changes.of_action(change, structural=structural), initiator)
        on_done(report)

    return ctx.executor.submit(work, on_done=done, on_error=on_error)


def export_package(ctx: OpContext, actor: str, out: Path, plans: Sequence[str] | None, *,
                   on_done: Callable[[Path], None], on_error: ErrorCb = None) -> Job:
    """Write this library's records (of ``plans``, or all) to ``out``, atomically."""
    wanted = list(plans) if plans else None

    def work(wb: Workbench, state: TaskState) -> Path:
        state.report(0.0, f"Writing {Path(out).name}…")
        return write_package(records_ops.records(wb, actor), Path(out), wanted)

    return ctx.runner.run(work, title="Exporting annotation package", on_done=on_done,
                          on_error=on_error)
