"""Date filters of the query language: partial ISO dates as periods, ranges that overlap."""

from __future__ import annotations

import re

from whoosh import query as wq

from workbench.model import is_partial_iso_date

__all__ = ["DATE_END", "DATE_START", "date_bounds", "date_range_query", "parse_date_filter"]

DATE_START = "date_start"
DATE_END = "date_end"



def date_bounds(partial: str) -> tuple[str, str]:
    """First and last day of a partial ISO date, as sortable strings ("2020" -> Jan 1, Dec 31)."""
    parts = partial.split("-")
    year = parts[0]
    month = parts[1] if len(parts) > 1 else None
    day = parts[2] if len(parts) > 2 else None
    start = f"{year}-{month or '01'}-{day or '01'}"
    end = f"{year}-{month or '12'}-{day or '31'}"
    return start, end


def date_range_query(
    date_from: str = "", date_to: str = "", *, after: str = "", before: str = ""
) -> wq.Query | None:
    """Passages whose plan period overlaps [date_from, date_to] (partial dates allowed).

    ``after``/``before`` are exclusive: the whole plan period is after/before that date.
    """
    clauses: list[wq.Query] = []
    if date_from:
        clauses.append(wq.TermRange(DATE_END, date_bounds(date_from)[0], None))
    if date_to:
        clauses.append(wq.TermRange(DATE_START, None, date_bounds(date_to)[1]))
    if after:
        clauses.append(wq.TermRange(DATE_START, date_bounds(after)[1], None, startexcl=True))
    if before:
        clauses.append(wq.TermRange(DATE_END, None, date_bounds(before)[0], endexcl=True))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


_DATE_OP = re.compile(r"^(>=|<=|>|<)?([0-9-]+)$")
_DATE_RANGE = re.compile(r"^([0-9-]*)\.\.([0-9-]*)$")


def parse_date_filter(value: str) -> wq.Query | None:
    if m := _DATE_RANGE.match(value):
        lo, hi = m.group(1), m.group(2)
        if (lo or hi) and all(not d or is_partial_iso_date(d) for d in (lo, hi)):
            return date_range_query(lo, hi)
        return None
    if m := _DATE_OP.match(value):
        op, d = m.group(1) or "", m.group(2)
        if not is_partial_iso_date(d):
            return None
        return {
            "": lambda: date_range_query(d, d),
            ">=": lambda: date_range_query(d, ""),
            "<=": lambda: date_range_query("", d),
            ">": lambda: date_range_query(after=d),
            "<": lambda: date_range_query(before=d),
        }[op]()
    return None


