"""Briefing-pack operations for the export dialog: choices, preview, basket, export.

Each runs on the ``DbExecutor`` (the preview and the choices are short reads; the export is a
cancellable ``TaskRunner`` job whose ``TaskState`` the pack writers honour). The work functions
(``pack_choices``, ``preview``, ``export_pack``, ``add_to_basket``) are Qt-free and take the
``Workbench``, so tests can run them directly. Emits nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import export
from ui.basket import Basket, basket_label
from ui.compose import page_renderer
from ui.executor import Job
from ui.ops import OpContext
from ui.ops import records as records_ops
from workbench import pack_export
from workbench.errors import InvalidInput
from workbench.lineage import RELATIONS, STATUSES
from workbench.pack import PackSelection
from workbench.pack_builder import verdict_words
from workbench.pack_export import ExportRequest, ExportResult, search_fn
from workbench.pack_select import PackLibrary, relation_code, resolve_item_key, select_in
from workbench.services import Workbench
from workbench.tasks import TaskState

ErrorCb = Callable[[BaseException], None] | None


@dataclass(frozen=True, slots=True)
class PackChoices:
    """What the dialog's selection controls offer."""

    plans: tuple[records_ops.PlanChoice, ...]
    tags: tuple[str, ...]  # tag paths
    relations: tuple[tuple[str, str], ...]  # (code, label)
    statuses: tuple[tuple[str, str], ...]
    basket: tuple[str, ...]  # stable keys


@dataclass(frozen=True, slots=True)
class PreviewRow:
    key: str
    heading: str
    citation: str
    verdict: str = ""  # the verdict on the next edition, as the pack words it; "" for none


def pack_choices(wb: Workbench) -> PackChoices:
    recs = records_ops.records(wb)
    tags = sorted((recs.tag_path(t) for t in recs.tags()), key=str.casefold)
    return PackChoices(
        plans=tuple(records_ops.plan_choices(recs)),
        tags=tuple(tags),
        relations=tuple((c, label) for c, label in RELATIONS.items() if c != "unreviewed"),
        statuses=tuple(STATUSES.items()),
        basket=Basket.for_library(wb.paths.root).keys(),
    )


def preview(wb: Workbench, selection: PackSelection, state: TaskState) -> list[PreviewRow]:
    """The items ``selection`` picks, as one line each with the verdict the pack shows (no
    lineage or statuses: cheap).

    Raises:
        workbench.errors.Cancelled: cancelled through ``state`` (a newer preview replaced it).
    """
    lib = PackLibrary(records_ops.records(wb), wb.store)
    rows = []
    relation = relation_code(selection)
    for s in select_in(lib, selection, search_fn(wb), state):
        state.raise_if_cancelled()  # a discarded preview stops (the dialog asked for another)
        heading = " ".join(s.text.split())
        where = f"{lib.plans[s.plan].title if s.plan in lib.plans else s.plan} · " \
                f"p. {s.page_label}"
        verdict = "" if s.commitment is None else verdict_words(
            lib.verdict(s.commitment.key, selection.to_plan, relation=relation))
        rows.append(PreviewRow(s.key, heading, where, verdict))
    return rows


def export_pack(wb: Workbench, request: ExportRequest, actor: str,
                state: TaskState) -> ExportResult:
    """Collect and write the pack (atomically: a cancel or failure leaves no new file)."""
    result, _pack = pack_export.export_pack(wb, request, records_ops.records(wb, actor),
                                            writer=export, renderer=page_renderer, state=state)
    return result


def add_to_basket(wb: Workbench, key: str) -> tuple[bool, str]:
    """Add a commitment (Records key) or annotation (uuid) to the basket: (added, label)."""
    recs = records_ops.records(wb)
    stable = resolve_item_key(recs, key)
    label = basket_label(recs, stable)
    return Basket.for_library(wb.paths.root).add(stable, label), label


def load_choices(ctx: OpContext, *, on_done: Callable[[PackChoices], None],
                 on_error: ErrorCb = None) -> Job:
    return ctx.executor.submit(pack_choices, on_done=on_done, on_error=on_error)


def load_preview(ctx: OpContext, selection: PackSelection, *,
                 on_done: Callable[[list[PreviewRow]], None], on_error: ErrorCb = None) -> Job:
    """A preview job; the caller discards the previous one (views want only the latest)."""
    state = TaskState()
    return ctx.executor.submit(lambda wb: preview(wb, selection, state), on_done=on_done,
                               on_error=on_error, state=state)


def run_export(ctx: OpContext, request: ExportRequest, actor: str, *,
               on_done: Callable[[ExportResult], None], on_error: ErrorCb = None) -> Job:
    """Queue the export behind any running job, with the runner's progress dialog and Cancel."""
    if request.changes_since is not None and not Path(request.changes_since).exists():
        raise InvalidInput(f"No previous pack at {request.changes_since}.")
    return ctx.runner.run(lambda wb, state: export_pack(wb, request, actor, state),
                          title="Exporting briefing pack", on_done=on_done, on_error=on_error)


def basket_add(ctx: OpContext, key: str, *, on_done: Callable[[tuple[bool, str]], None],
               on_error: ErrorCb = None) -> Job:
    return ctx.executor.submit(lambda wb: add_to_basket(wb, key), on_done=on_done,
                               on_error=on_error)
