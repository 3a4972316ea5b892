"""Search: one query on the DB executor; the caller keeps only the latest job."""

from __future__ import annotations

from collections.abc import Callable

from ui.executor import Job
from ui.ops import OpContext
from workbench.model import SearchFilters, SearchResult

MAX_QUERY_CHARS = 512  # RELIABILITY rule 10: long queries take seconds to parse


def run_search(
    ctx: OpContext,
    query: str,
    filters: SearchFilters,
    *,
    sort: str = "relevance",
    limit: int = 50,
    on_done: Callable[[SearchResult], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    query = query[:MAX_QUERY_CHARS]
    return ctx.executor.submit(
        lambda wb: wb.search(query, filters, limit, sort=sort), on_done=on_done, on_error=on_error
    )
