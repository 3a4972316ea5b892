"""Whether a filter typed in a query (``date:``, ``plan:``, ``kind:``, ``stage:``,
``relation:``, ``status:``) can be read, and the notice that says so when it cannot.

A filter the library cannot read would otherwise match nothing and look like an empty
library ("No matches"), where the CLI's ``--from abc`` and ``--plan nope`` are errors.
``indexing.query`` asks ``filter_problem`` for each filter and, when any is refused, runs no
search and gives the notices instead. Pure functions (plus ``known_plans``, which reads a
searcher's plan terms); emits nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexing.dates import parse_date_filter
from workbench.lineage import RELATIONS, STATUSES
from workbench.model import Kind, Stage

__all__ = ["filter_problem", "known_plans"]

_CODES: dict[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in Kind),
    "stage": tuple(s.value for s in Stage),
    "relation": tuple(RELATIONS),
    "status": tuple(STATUSES),
}


def known_plans(searcher) -> frozenset[str]:
    """The plan short names the index holds (``plan`` field terms, one per plan)."""
    return frozenset(t.decode("utf-8") if isinstance(t, bytes) else t
                     for t in searcher.reader().lexicon("plan"))


def filter_problem(name: str, value: str, plans: Iterable[str] | None = None) -> str:
    """Why filter ``name:value`` cannot be read ("" when it can, or is not a filter).

    Args:
        name: the filter's name as typed (lower case).
        value: its value as typed.
        plans: the library's plan short names; None when unknown (``plan:`` is then taken
            as it is).

    Returns:
        A one-line notice naming the filter and saying what it takes, or "".
    """
    typed = f"“{name}:{value}”"
    if name == "date":
        if parse_date_filter(value) is not None:
            return ""
        return (f"{typed} is not a date filter: use date:2020, date:2020-03, "
                "date:2020..2022 or date:>=2020")
    if name == "plan":
        known = sorted(plans) if plans is not None else None
        if known is None or value.lower() in known:
            return ""
        example = f" (e.g. plan:{known[0]})" if known else ""
        return f"{typed}: no plan in the library has that short name{example}"
    codes = _CODES.get(name)
    if codes is None or value.lower() in codes:
        return ""
    return f"{typed} is not a {name}: use one of {', '.join(codes)}"
