"""Compare two plans off the GUI thread: the matching engine's alignment, shaped for the view.

The alignment itself (sections aligned in order by dynamic programming, passage pairs from the
one matching engine, confirmed links in place of proposals) lives in ``workbench.matching``; this
module only loads it on the DB executor and turns it into rows (``AlignedPair``: a section pair
or a passage pair, with a word-level diff computed here so the view only displays).
``open_compare`` runs it and calls back with an ``Alignment``.

The first comparison of a plan pair in a fresh library embeds every passage of both plans
(tens of seconds on a busy machine, before the window's background warm-up has reached them):
that step reports progress and stops between two chunks when cancelled (the job's
``TaskState``), so the panel can show how far it is and offer Cancel, and closing the window
does not wait for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ui import richtext
from ui.compose import records_for
from ui.executor import Job
from ui.ops import OpContext
from workbench.matching.align import Comparison, unit_pair_reason
from workbench.matching.chunks import Unit
from workbench.matching.passages import Passage
from workbench.matching.service import compare, vector_folder
from workbench.matching.warmup import plan_texts, warm, warmable
from workbench.model import Plan
from workbench.services import Workbench
from workbench.tasks import TaskState

_MAX_CHARS = 2400  # long sections are diffed on their opening, which carries the topic


@dataclass(frozen=True, slots=True)
class AlignItem:
    kind: str  # "section" | "commitment" | "sentence"
    item_id: int | str
    heading: str
    text: str
    page_index: int
    page_label: str
    path: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        if self.kind == "section":
            return self.heading
        return " ".join(self.text.split())[:120]


@dataclass(frozen=True, slots=True)
class AlignedPair:
    left: AlignItem
    right: AlignItem
    score: float
    diff_html: str
    inserted: int
    deleted: int
    relation: str = ""
    reasons: tuple[str, ...] = ()
    confirmed: bool | None = False  # as ``PassagePair.confirmed``: None is a link, no verdict


@dataclass(frozen=True, slots=True)
class Alignment:
    left_plan: Plan
    right_plan: Plan
    pairs: tuple[AlignedPair, ...]
    only_left: tuple[AlignItem, ...]
    only_right: tuple[AlignItem, ...]
    seconds: float = 0.0

    @property
    def links(self) -> tuple[AlignedPair, ...]:
        """Confirmed links between the two plans, for the view to draw between its panes."""
        return tuple(p for p in self.pairs if p.confirmed)


def _section_item(units: tuple[Unit, ...]) -> AlignItem:
    """A compare unit (a section, or "Heading (part 2 of 5)" of a long one) as a row side."""
    first = units[0]
    return AlignItem("section", int(first.id), " + ".join(u.label for u in units),
                     "\n\n".join(u.text for u in units), first.page_start, first.label_start,
                     first.path)


def _passage_item(p: Passage) -> AlignItem:
    ident: int | str = p.key
    if p.commitment is not None and p.commitment.commitment_id is not None:
        ident = int(p.commitment.commitment_id)
    return AlignItem("commitment" if p.kind == "commitment" else "sentence", ident, p.heading,
                     p.text, p.page_index, p.page_label, p.path)


def _body(item: AlignItem) -> str:
    text = item.text if item.kind != "section" else f"{item.heading} {item.text}"
    return text[:_MAX_CHARS]


def _pair(left: AlignItem, right: AlignItem, score: float, relation: str = "",
          reasons: tuple[str, ...] = (), confirmed: bool | None = False) -> AlignedPair:
    html, ins, dele = richtext.word_diff_html(_body(left), _body(right))
    return AlignedPair(left, right, round(100 * score, 1), html, ins, dele, relation, reasons,
                       confirmed)


def alignment_from(left_plan: Plan, right_plan: Plan, comparison: Comparison,
                   seconds: float = 0.0) -> Alignment:
    """The view's rows: each pair of compare units (sections, or parts of long ones) followed
    by the passage pairs inside it."""
    pairs: list[AlignedPair] = []
    for sp in comparison.sections:
        if sp.left and sp.right:
            pairs.append(_pair(_section_item(sp.left), _section_item(sp.right), sp.score,
                               "moved" if sp.moved else "aligned" if sp.mutual else
                               "also close" if sp.near else "closest", (unit_pair_reason(sp),)))
        for pp in sp.passages:
            pairs.append(_pair(_passage_item(pp.left), _passage_item(pp.right), pp.score,
                               pp.relation, pp.reasons, pp.confirmed))
    return Alignment(left_plan, right_plan, tuple(pairs),
                     tuple(_passage_item(p) for p in comparison.only_left),
                     tuple(_passage_item(p) for p in comparison.only_right), seconds)


def build_alignment(wb: Workbench, left_slug: str, right_slug: str,
                    state: TaskState | None = None) -> Alignment:
    """Load both plans and align them with the matching engine (runs on the DB thread).

    With ``state``, the passages with no sentence vector yet are embedded first, reporting
    progress and raising ``Cancelled`` between chunks once cancel is requested."""
    started = time.perf_counter()
    left_plan, right_plan = wb.store.plan(left_slug), wb.store.plan(right_slug)
    recs = records_for(wb, "compare")
    if state is not None and warmable():
        warm(plan_texts(recs, [left_slug, right_slug]), vector_folder(wb.store), state)
    comparison = compare(recs, left_slug, right_slug)
    return alignment_from(left_plan, right_plan, comparison, time.perf_counter() - started)


def open_compare(
    ctx: OpContext,
    left_slug: str,
    right_slug: str,
    on_done: Callable[[Alignment], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    """Align on the DB thread; the job's ``state`` tells its progress (``Job.discard`` stops
    it between two chunks of the first-time embedding)."""
    state = TaskState()
    return ctx.executor.submit(
        lambda wb: build_alignment(wb, left_slug, right_slug, state), on_done=on_done,
        on_error=on_error, state=state,
    )


def default_pair(plans: list[Plan], chosen: str | None = None) -> tuple[str, str] | None:
    """(older, newer) slugs: a plan and the one it supersedes, preferring ``chosen``."""
    by_slug = {p.slug: p for p in plans}
    order = [by_slug[chosen]] if chosen in by_slug else []
    order += sorted(plans, key=lambda p: p.meta.published or "", reverse=True)
    for plan in order:
        older = plan.meta.supersedes
        if older and older in by_slug:
            return older, plan.slug
    if len(plans) >= 2:
        return plans[-2].slug, plans[-1].slug
    return None
