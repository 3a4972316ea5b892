"""The data writers: the briefing pack as CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl).

One row per item (a commitment and its link to the next edition, the last column, "Confirmed",
saying whether that is an officer's verdict or a proposal) with the columns in ``COLUMNS``; the
XLSX adds a "Lineage" sheet (one row per edition step) and a "Colophon" sheet. Spreadsheet
formula injection is neutralised: in CSV a text starting with ``=``, ``+``, ``-``, ``@``, TAB or
CR gets a leading apostrophe (``neutralise``); in XLSX every cell is written as a string with
Excel's quote-prefix flag, so the value round-trips unchanged and is never evaluated. Emits
nothing; progress goes to a ``TaskState``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workbench.files import atomic_write
from workbench.pack import Pack, PackItem
from workbench.tasks import TaskState

__all__ = [
    "COLUMNS",
    "LINEAGE_COLUMNS",
    "item_row",
    "neutralise",
    "pack_rows",
    "write_csv",
    "write_xlsx",
]

COLUMNS = (
    "Key", "Heading", "Plan", "Section", "Printed page", "Text", "Relation", "Successor",
    "Status", "As at", "Rationale", "Notes", "Tags", "Annotator",
    "Confirmed",  # added in round 12: last, so sheets that read columns by position still do
)
LINEAGE_COLUMNS = (
    "Key", "Step", "Plan", "Plan date", "Stage", "Relation", "Confirmed", "Text", "Section",
    "Printed page",
)
_WIDTHS = {"Key": 14, "Heading": 30, "Plan": 24, "Section": 26, "Printed page": 8,
           "Text": 60, "Relation": 14, "Successor": 50, "Status": 14, "As at": 11,
           "Rationale": 40, "Notes": 40, "Tags": 16, "Annotator": 16, "Step": 6,
           "Plan date": 10, "Stage": 12, "Confirmed": 10}
_RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
# "Confirmed" (qa12): whether the relation is an officer's verdict or only a proposal, as the
# Lineage sheet says for each step (there beside "Relation"); empty when there is no relation
_YES_NO: dict[bool | None, str] = {True: "yes", False: "no"}


def neutralise(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (OWASP CSV injection).

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("Net Zero")
    'Net Zero'
    """
    return "'" + value if value.startswith(_RISKY_FIRST) else value


def item_row(item: PackItem) -> list[str]:
    """The values of one item, in ``COLUMNS`` order (raw, not neutralised)."""
    current = item.current_status
    return [
        item.key,
        item.heading,
        item.citation.plan_title,
        item.citation.section,
        item.citation.page_label,
        item.quote,
        item.relation,
        item.successor,
        current.status if current else "",
        current.as_at if current else "",
        item.rationale or (current.rationale if current else ""),
        item.notes,
        "; ".join(item.tags),
        item.annotator,
        _YES_NO.get(item.relation_confirmed, ""),
    ]


def pack_rows(pack: Pack) -> list[list[str]]:
    """Every item's row, after ``sanitise_text`` (what both writers put in the table body)."""
    return [item_row(item) for item in pack.sanitised().items]


def _lineage_rows(pack: Pack) -> Iterator[list[str]]:
    for item in pack.items:
        for n, step in enumerate(item.lineage, start=1):
            yield [item.key, str(n), step.plan_title, step.plan_date, step.stage, step.relation,
                   _YES_NO.get(step.confirmed, ""), step.text,
                   step.citation.section,
                   step.citation.page_label]


def write_csv(pack: Pack, out: Path, *, state: TaskState | None = None) -> Path:
    """Write one row per item as CSV (UTF-8 with BOM, CRLF rows), atomically.

    Raises:
        workbench.errors.Cancelled: ``state`` asked to stop; ``out`` is unchanged.
        OSError: the file could not be written; ``out`` is unchanged.
    """
    state = state or TaskState()
    state.raise_if_cancelled()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in pack_rows(pack):
        writer.writerow([neutralise(v) for v in row])
    data = buffer.getvalue().encode("utf-8-sig")
    path = atomic_write(out, lambda f: f.write(data))
    state.report(1.0, "CSV written")
    return path


def _sheet(wb: Workbook, title: str, header: tuple[str, ...], rows, *, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(list(header))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6EC")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if not value:
                continue  # an empty cell, not an empty inline string
            cell.value = value
            # A string, never a formula, whatever it starts with (openpyxl would otherwise
            # store "=…" as a formula); quotePrefix keeps Excel from re-reading it on edit.
            cell.data_type = "s"
            if isinstance(value, str) and value.startswith(_RISKY_FIRST):
                cell.quotePrefix = True
            cell.alignment = wrap
    for c, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 18)
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    return ws


def write_xlsx(pack: Pack, out: Path, *, state: TaskState | None = None) -> Path:
    """Write the items, their lineage and the colophon as an XLSX workbook, atomically.

    Raises:
        workbench.errors.Cancelled: ``state`` asked to stop; ``out`` is unchanged.
        OSError: the file could not be written; ``out`` is unchanged.
    """
    state = state or TaskState()
    clean = pack.sanitised()
    wb = Workbook()
    wb.properties.title = clean.title[:255]
    wb.properties.creator = clean.author[:255]
    wb.properties.subject = f"Briefing pack for {clean.committee}"[:255]
    wb.properties.language = clean.language
    _sheet(wb, "Commitments", COLUMNS, [item_row(i) for i in clean.items], first=True)
    state.raise_if_cancelled()
    _sheet(wb, "Lineage", LINEAGE_COLUMNS, list(_lineage_rows(clean)))
    _sheet(wb, "Colophon", ("Field", "Value"), [list(r) for r in clean.colophon()])
    state.raise_if_cancelled()
    state.report(0.8, "Saving the workbook")
    data = io.BytesIO()  # zipped in memory: a full disk then fails one plain write, and
    wb.save(data)  # leaves no half-written zip whose clean-up prints a traceback
    path = atomic_write(out, lambda f: f.write(data.getvalue()))
    state.report(1.0, "XLSX written")
    return path
