"""``workbench export`` over a real lineage, run as a user runs it (``run_cli``), read back.

The lineage is recorded with the lineage CLI itself: Framing Kent's Future's emission pathways
commitment (Net Zero 2050 "with significant reductions by 2030") reversed by Reforming Kent's
"Scrap unattainable Net Zero 2030…", with a rationale, a delivery status and a tagged note.
"""

from __future__ import annotations

import csv
import json
import shutil

import docx
import openpyxl
import pymupdf
import pytest

from tests.conftest import run_cli
from tests.export.readback import norm, pdf_text
from ui.compose import close_workbench, open_workbench, records_for

F, R = "framing-kents-future-2022", "reforming-kent-2025"
FKF, RK = "Framing Kent's Future", "Reforming Kent 2025-2028"
PATHWAYS = "Set detailed emission reduction pathways to Net Zero by 2050"
SCRAP = "Scrap unattainable Net Zero 2030"
NOTE = "Ask the Cabinet Member which baseline now applies."
RATIONALE = "Reforming Kent scraps the 2030 target outright."
REVERSALS = ["--relation", "reversed", "--to", R, "--as-at", "2025-09-30"]


def ok(proc) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def commitment_id(lib, plan: str, contains: str) -> int:
    show = ok(run_cli("show", plan, "--json", library=lib))
    return next(c["id"] for c in show["commitments"] if contains in c["text"])


@pytest.fixture(scope="module")
def lineage_master(sample_library_master, tmp_path_factory):
    """The sample library with the lineage recorded through the CLI, once per module."""
    sample_library = tmp_path_factory.mktemp("lineage") / "library"
    shutil.copytree(sample_library_master, sample_library)
    src = commitment_id(sample_library, F, PATHWAYS)
    tgt = commitment_id(sample_library, R, SCRAP)
    for args in (
        ("link", str(src), str(tgt), "--relation", "reversed", "--confirm", "--rationale",
         RATIONALE),
        ("status", str(src), "--status", "superseded", "--as-at", "2025-05", "--rationale",
         "Target scrapped by the new administration."),
        ("annotate", F, "--commitment", str(src), "--note", NOTE, "--tag", "Climate / Net Zero"),
    ):
        proc = run_cli(*args, "--user", "alice", library=sample_library)
        assert proc.returncode == 0, proc.stderr
    return sample_library


@pytest.fixture
def lib(lineage_master, tmp_path):
    """A private copy of that library for one test (tests add to the basket and link more)."""
    root = tmp_path / "library"
    shutil.copytree(lineage_master, root)
    return root


def export(lib, out, *args: str) -> dict:
    return ok(run_cli("export", "--out", str(out), *args, "--json", library=lib))


def test_reversals_in_every_format(lib, tmp_path):
    pdf = tmp_path / "reversals.pdf"
    data = export(lib, pdf, *REVERSALS, "--committee", "Scrutiny Committee")
    assert data["items"] == 1  # exactly the linked commitment
    with pymupdf.open(pdf) as doc:
        text = norm(pdf_text(doc))
    assert PATHWAYS in text and SCRAP in text
    assert f"{FKF} · Priority 3: Environmental step change · p. 19" in text
    assert "Lineage across editions" in text and "reversed" in text and "first appears" in text
    assert "Superseded" in text and NOTE in text and RATIONALE in text
    assert "Climate / Net Zero" in text and "Recorded by: alice" in text
    assert f"Library revision {data['library_revision']}" in text  # colophon
    assert f"Commitments whose link into {RK} is “Reversed”" in text  # colophon, in words
    assert '"to_plan"' not in text  # no raw JSON filter

    document = docx.Document(str(export(lib, tmp_path / "r.docx", *REVERSALS)["path"]))
    body = norm("\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells]))
    assert PATHWAYS in body and SCRAP in body and NOTE in body and "p. 19" in body
    assert FKF in body and RK in body and "reversed" in body and "Superseded" in body

    export(lib, tmp_path / "r.csv", *REVERSALS)
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    row = rows[0]
    assert row["Key"].startswith(f"commitment:{F}:")
    assert row["Plan"] == FKF and row["Printed page"] == "19"
    assert row["Relation"] == "reversed" and SCRAP in row["Successor"]
    assert row["Status"] == "Superseded" and row["Notes"] == NOTE
    assert row["Rationale"] == RATIONALE and row["Tags"] == "Climate / Net Zero"

    workbook = openpyxl.load_workbook(export(lib, tmp_path / "r.xlsx", *REVERSALS)["path"])
    lineage = [[c.value for c in r] for r in workbook["Lineage"].iter_rows(min_row=2)]
    assert [(r[2], r[5]) for r in lineage] == [(FKF, "first appears"), (RK, "reversed")]


def test_tag_basket_and_plan_pair(lib, tmp_path):
    tagged = export(lib, tmp_path / "tag.csv", "--tag", "Climate")
    assert tagged["items"] == 1
    pair = export(lib, tmp_path / "pair.csv", "--from", F, "--to", R)
    assert pair["items"] > 100  # every commitment of the earlier plan, linked or not
    src = commitment_id(lib, F, PATHWAYS)
    ok(run_cli("basket", "add", str(src), "--json", library=lib))
    listed = ok(run_cli("basket", "list", "--json", library=lib))
    assert [i["key"] for i in listed["items"]] == [
        next(r for r in csv.DictReader((tmp_path / "tag.csv").open(encoding="utf-8-sig")))[
            "Key"]]
    from_basket = export(lib, tmp_path / "basket.csv", "--basket")
    assert from_basket["items"] == 1 and from_basket["selection"]["basket"] == [
        listed["items"][0]["key"]]
    ok(run_cli("basket", "clear", "--json", library=lib))
    proc = run_cli("export", "--out", str(tmp_path / "none.csv"), "--basket", library=lib)
    assert proc.returncode == 1 and "basket is empty" in proc.stderr


def test_regenerate_is_identical_and_changes_since(lib, tmp_path):
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    export(lib, first, *REVERSALS)
    data = export(lib, second, *REVERSALS, "--changes-since", str(first))
    assert data["changes_since"] == [
        f"No changes since the pack of library revision {data['library_revision']}."]
    third = tmp_path / "third.pdf"
    export(lib, third, *REVERSALS)
    assert first.read_bytes() == third.read_bytes()  # same selection + revision ⇒ same bytes

    wb = open_workbench(lib, actor="alice")
    try:
        recs = records_for(wb, "alice")
        note = next(a for a in recs.annotations(F) if a.note == NOTE)
        recs.edit_annotation(note.uuid, note="The baseline is now 2019.")
    finally:
        close_workbench(wb)
    changed = export(lib, tmp_path / "after.pdf", *REVERSALS, "--changes-since", str(first))
    assert len(changed["changes_since"]) == 1
    assert changed["changes_since"][0].startswith(f"Changed: {PATHWAYS}")
