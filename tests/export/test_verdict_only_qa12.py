"""Packs of only the items with a verdict (qa12, a fix11 leftover): a plan-pair pack is mostly
commitments that only "first appear", and a clerk asks for the few an officer has ruled on.
``workbench export --with-verdict`` run as a user runs it, on a small generated library of two
plans, each format read back; and the cover says "Briefing pack" once.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import docx
import openpyxl
import pymupdf
import pytest

import ui.cli
from tests.composition import close_workbench, open_workbench, records_for
from tests.export.readback import norm, pdf_text
from tests.lineage.synth import BUSES, FIX, LIGHTS, RESURFACE, add_roads_pair
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from workbench.errors import InvalidInput
from workbench.pack import KICKER, ONLY_WITH_VERDICT, PackSelection
from workbench.pack_builder import build_pack, describe_selection
from workbench.pack_select import select_items


@pytest.fixture
def pair(tmp_path) -> Path:
    """Two plans; FIX continued (confirmed), RESURFACE reversed (only proposed), BUSES dropped
    (confirmed, no successor), LIGHTS never reviewed."""
    root = tmp_path / "library"
    wb = open_workbench(root, actor="clerk")
    try:
        add_roads_pair(wb.store)
        wb.ensure_index_current()
        recs = records_for(wb, "clerk")
        old = {c.text: c.key for c in recs.effective_commitments(OLD)}
        new = [c.key for c in recs.effective_commitments(NEW)]
        recs.link(old[FIX], [new[0]], relation="continued", confirm=True)
        recs.link(old[RESURFACE], [new[1]], relation="reversed", rationale="Target dropped.")
        recs.link(old[BUSES], [], relation="dropped", to_plan=NEW, confirm=True,
                  rationale="No bus routes in 2026.")
    finally:
        close_workbench(wb)
    return root


def headings(pair: Path, selection: PackSelection) -> list[str]:
    wb = open_workbench(pair)
    try:
        return [s.text for s in select_items(records_for(wb, "clerk"), wb.store, selection)]
    finally:
        close_workbench(wb)


def test_only_items_with_a_confirmed_verdict_are_selected(pair):
    everything = PackSelection(from_plan=OLD, to_plan=NEW)
    assert headings(pair, everything) == [FIX, RESURFACE, BUSES, LIGHTS]
    ruled = PackSelection(from_plan=OLD, to_plan=NEW, with_verdict=True)
    assert headings(pair, ruled) == [FIX, BUSES]  # a proposal is not a verdict
    assert headings(pair, PackSelection(from_plan=OLD, with_verdict=True)) == [FIX, BUSES]
    assert headings(pair, PackSelection(relation="reversed", to_plan=NEW,
                                        with_verdict=True)) == []


def test_the_option_travels_with_the_selection_and_is_said_in_words():
    ruled = PackSelection(from_plan=OLD, to_plan=NEW, with_verdict=True)
    assert PackSelection.from_json(json.loads(json.dumps(ruled.to_json()))) == ruled
    assert ruled.key() != PackSelection(from_plan=OLD, to_plan=NEW).key()
    # a selection saved before the option existed keeps its key ("changes since" still works)
    old_manifest = {k: v for k, v in PackSelection(from_plan=OLD).to_json().items()
                    if k != "with_verdict"}
    assert PackSelection.from_json(old_manifest).key() == PackSelection(from_plan=OLD).key()
    with pytest.raises(InvalidInput):
        PackSelection.from_json({"with_verdict": "yes"})
    assert ruled.describe().endswith("; only items with a verdict")
    titles = {OLD: "Roads 2024", NEW: "Roads 2026"}
    assert describe_selection(ruled, titles) == \
        "Commitments of Roads 2024 with a confirmed verdict on Roads 2026"
    assert describe_selection(PackSelection(tag="roads", with_verdict=True), titles) == \
        "Commitments of every plan in the library, tagged “roads” (or a tag under it) and " \
        "with a confirmed verdict"
    # review, round 12: not "The 5 hand-picked items … with a confirmed verdict"
    basket = PackSelection(basket=("a", "b", "c", "d", "e"), with_verdict=True)
    assert describe_selection(basket, titles) == \
        "The hand-picked items of the basket (5) that have a confirmed verdict"
    assert describe_selection(PackSelection(basket=("a",)), titles) == \
        "The 1 hand-picked item of the basket"


def test_the_cover_names_the_option_and_says_briefing_pack_once(pair):
    wb = open_workbench(pair)
    try:
        recs = records_for(wb, "clerk")
        ruled = build_pack(recs, wb.store, PackSelection(from_plan=OLD, to_plan=NEW,
                                                         with_verdict=True), as_at="2026-05-01")
        everything = build_pack(recs, wb.store, PackSelection(from_plan=OLD, to_plan=NEW),
                                as_at="2026-05-01", title="Roads: what changed")
    finally:
        close_workbench(wb)
    rows = dict(ruled.cover_rows())
    assert rows["Items included"] == ONLY_WITH_VERDICT
    assert rows["Verdicts on the next edition"] == "1 continued, 1 dropped (no successor, " \
                                                   "no statement)"
    assert "Items included" not in dict(everything.cover_rows())
    # the default title begins "Briefing pack: …": no "Briefing pack" line above it
    assert ruled.title.startswith("Briefing pack: ") and ruled.kicker() == ""
    assert everything.kicker() == KICKER


def cli(library: Path, capsys, *args: str) -> str:
    code = ui.cli.main([*args, "--library", str(library)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_export_with_verdict_in_every_format(pair, tmp_path, capsys):
    """As a clerk runs it: the same two items in PDF, DOCX, CSV and XLSX; the PDF and DOCX
    covers name the option and say "Briefing pack" once; the XLSX colophon says it too."""
    for fmt in ("pdf", "docx", "csv", "xlsx"):
        cli(pair, capsys, "export", "--from", OLD, "--to", NEW, "--with-verdict",
            "--out", str(tmp_path / f"pack.{fmt}"), "--as-at", "2026-05-01")
    with (tmp_path / "pack.csv").open(encoding="utf-8-sig", newline="") as f:
        assert [r["Text"] for r in csv.DictReader(f)] == [FIX, BUSES]
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    assert [r[5] for r in book["Commitments"].iter_rows(min_row=2, values_only=True)] == \
        [FIX, BUSES]
    colophon = dict(book["Colophon"].iter_rows(min_row=2, values_only=True))
    assert "with a confirmed verdict" in colophon["Selection"]
    document = docx.Document(str(tmp_path / "pack.docx"))
    cover = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cover["Items included"] == ONLY_WITH_VERDICT
    assert cover["Commitments covered"] == "2"
    said = [p.text for p in document.paragraphs if "briefing pack" in p.text.casefold()]
    assert len(said) == 1 and said[0].startswith("Briefing pack: "), said
    with pymupdf.open(tmp_path / "pack.pdf") as pdf:
        cover_page = norm(pdf[0].get_text())
        text = norm(pdf_text(pdf))
    assert cover_page.casefold().count("briefing pack") == 1, cover_page
    assert ONLY_WITH_VERDICT in cover_page
    assert FIX in text and BUSES in text and RESURFACE not in text and LIGHTS not in text
    data = json.loads(cli(pair, capsys, "export", "--from", OLD, "--to", NEW, "--json",
                          "--out", str(tmp_path / "all.csv")))
    assert data["items"] == 4 and data["selection"]["with_verdict"] is False


def test_every_format_tells_a_proposal_from_a_verdict(pair, tmp_path, capsys):
    """qa12: in the whole plan-pair pack, the CSV/XLSX "Relation" and the PDF/DOCX summary
    line ("Next edition: reversed") read the same for a proposal as for a confirmed verdict;
    only the lineage table told them apart. A "Confirmed" column (the last) says it, and
    the summary line says "(suggested, not yet confirmed)"."""
    for fmt in ("pdf", "docx", "csv", "xlsx"):
        cli(pair, capsys, "export", "--from", OLD, "--to", NEW, "--as-at", "2026-05-01",
            "--out", str(tmp_path / f"all.{fmt}"))
    with (tmp_path / "all.csv").open(encoding="utf-8-sig", newline="") as f:
        said = {r["Text"]: (r["Relation"], r["Confirmed"]) for r in csv.DictReader(f)}
    assert said == {FIX: ("continued", "yes"), RESURFACE: ("reversed", "no"),
                    BUSES: ("dropped (no successor, no statement)", "yes"), LIGHTS: ("", "")}
    sheet = openpyxl.load_workbook(tmp_path / "all.xlsx")["Commitments"]
    rows = list(sheet.iter_rows(values_only=True))
    relation, confirmed = rows[0].index("Relation"), rows[0].index("Confirmed")
    assert confirmed == len(rows[0]) - 1  # last: the older columns keep their places
    assert [(r[relation], r[confirmed]) for r in rows[1:]] == [
        ("continued", "yes"), ("reversed", "no"),
        ("dropped (no successor, no statement)", "yes"), (None, None)]
    lines = [p.text for p in docx.Document(str(tmp_path / "all.docx")).paragraphs]
    assert "Next edition: reversed (suggested, not yet confirmed)" in lines
    assert "Next edition: continued" in lines
    with pymupdf.open(tmp_path / "all.pdf") as pdf:
        text = norm(pdf_text(pdf))
    assert "Next edition: reversed (suggested, not yet confirmed)" in text
    assert "Next edition: continued Source" in text  # a verdict says nothing more


def test_basket_alone_lists_it(pair, capsys):
    """qa12: `workbench basket` with no action was a usage error ("required: action, KEY");
    it lists the basket, as `workbench searches` lists saved searches."""
    wb = open_workbench(pair)
    try:
        key = records_for(wb, "clerk").effective_commitments(OLD)[0].commitment_id
    finally:
        close_workbench(wb)
    cli(pair, capsys, "basket", "add", str(key))
    listed = cli(pair, capsys, "basket")
    assert FIX in listed and listed == cli(pair, capsys, "basket", "list")


def test_an_empty_pack_is_said_to_be_empty(pair, tmp_path, capsys):
    """qa12: a selection that matches nothing wrote "Wrote 0 item(s)" and nothing more."""
    code = ui.cli.main(["export", "--to", NEW, "--relation", "withdrawn", "--out",
                        str(tmp_path / "none.pdf"), "--library", str(pair)])
    out, err = capsys.readouterr()
    assert code == 0 and "Wrote 0 item(s)" in out
    assert "No item matches this selection" in err and "cover and colophon" in err
    code = ui.cli.main(["export", "--to", NEW, "--relation", "withdrawn", "--format", "csv",
                        "--out", str(tmp_path / "none.csv"), "--library", str(pair)])
    out, err = capsys.readouterr()
    assert code == 0 and "No item matches this selection" in err
    assert "header row" in err and "cover" not in err  # a CSV has no cover or colophon


def test_the_cover_names_the_committee_once(pair, tmp_path, capsys):
    """qa12: the committee was printed under the title and again as a "Committee" row."""
    for fmt in ("pdf", "docx"):
        cli(pair, capsys, "export", "--from", OLD, "--committee", "Scrutiny Committee",
            "--out", str(tmp_path / f"pack.{fmt}"))
    with pymupdf.open(tmp_path / "pack.pdf") as pdf:
        assert norm(pdf[0].get_text()).count("Scrutiny Committee") == 1
    document = docx.Document(str(tmp_path / "pack.docx"))
    cover = [row.cells[0].text for row in document.tables[0].rows]
    said = [p.text for p in document.paragraphs if p.text == "Scrutiny Committee"]
    assert "Committee" not in cover and len(said) == 1
