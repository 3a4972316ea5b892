"""CSV and XLSX packs read back with csv and openpyxl: exact values, no formula injection."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from export.tables import COLUMNS, LINEAGE_COLUMNS, neutralise, pack_rows, write_csv, write_xlsx
from tests.export import packs
from workbench.errors import Cancelled
from workbench.tasks import TaskState


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_a_new_column_goes_last_so_columns_read_by_position_keep_their_place():
    """Review, round 12: "Confirmed" went in after "Relation", moving Successor … Annotator
    one place right in every CSV and XLSX; a clerk's sheet reading column H got "yes"."""
    before = ("Key", "Heading", "Plan", "Section", "Printed page", "Text", "Relation",
              "Successor", "Status", "As at", "Rationale", "Notes", "Tags", "Annotator")
    assert COLUMNS[:len(before)] == before and COLUMNS[len(before):] == ("Confirmed",)
    row = pack_rows(packs.sample_pack())[0]
    assert row[COLUMNS.index("Successor")] == packs.sample_pack().items[0].successor
    assert row[-1] == "yes"


@pytest.mark.parametrize("make", [packs.sample_pack, packs.multiscript_pack, packs.hostile_pack])
def test_csv_round_trips_every_row(tmp_path, make):
    pack = make()
    rows = _read_csv(write_csv(pack, tmp_path / "pack.csv"))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1:] == [[neutralise(v) for v in row] for row in pack_rows(pack)]
    assert len(rows) == len(pack.items) + 1


def test_csv_columns_carry_the_item(tmp_path):
    pack = packs.sample_pack()
    rows = _read_csv(write_csv(pack, tmp_path / "pack.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    item = pack.items[0]
    assert record["Plan"] == "Framing Kent's Future"
    assert record["Section"] == "Priority 3: Environmental step change"
    assert record["Printed page"] == "19"
    assert record["Text"] == item.quote
    assert record["Relation"] == "reversed"
    assert record["Successor"] == packs.RK_SCRAP
    assert record["Status"] == "Abandoned" and record["As at"] == "2025-09-30"
    assert record["Tags"] == "climate; net zero"
    assert record["Annotator"] == "A. Clerk"


def test_csv_neutralises_formulas(tmp_path):
    rows = _read_csv(write_csv(packs.hostile_pack(), tmp_path / "pack.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Status"] == "'+SUM(A1)"
    assert record["Rationale"] == "'=1+1"
    assert record["Annotator"] == "'@annotator"
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_xlsx_round_trips_exactly_as_strings(tmp_path):
    pack = packs.hostile_pack()
    wb = openpyxl.load_workbook(write_xlsx(pack, tmp_path / "pack.xlsx"))
    assert wb.sheetnames == ["Commitments", "Lineage", "Colophon"]
    ws = wb["Commitments"]
    values = [[c.value if c.value is not None else "" for c in row] for row in ws.iter_rows()]
    assert tuple(values[0]) == COLUMNS
    assert values[1:] == pack_rows(pack)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", (cell.coordinate, cell.value)
                if cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix
    assert ws.freeze_panes == "A2"
    lineage = [[c.value for c in row] for row in wb["Lineage"].iter_rows()]
    assert tuple(lineage[0]) == LINEAGE_COLUMNS
    assert lineage[1][5] == '=HYPERLINK("http://x")'
    colophon = {row[0].value: row[1].value for row in wb["Colophon"].iter_rows(min_row=2)}
    assert colophon["Library revision"] == "412"


def test_xlsx_sample_has_one_row_per_item_and_lineage_step(tmp_path):
    pack = packs.sample_pack()
    wb = openpyxl.load_workbook(write_xlsx(pack, tmp_path / "pack.xlsx"))
    assert wb["Commitments"].max_row == len(pack.items) + 1
    assert wb["Lineage"].max_row == 1 + sum(len(i.lineage) for i in pack.items)
    assert wb.properties.title == pack.title


def test_cancel_leaves_the_target_alone(tmp_path):
    state = TaskState()
    state.request_cancel()
    for writer, name in ((write_csv, "p.csv"), (write_xlsx, "p.xlsx")):
        out = tmp_path / name
        out.write_bytes(b"previous")
        with pytest.raises(Cancelled):
            writer(packs.sample_pack(), out, state=state)
        assert out.read_bytes() == b"previous"
