"""Packs as a clerk reads them, for what QA found in round 9 (docs/bench/qa9-r9.md, L2-L5):
``workbench export`` run in-process on a copy of the sample library, every format read back.
"""

from __future__ import annotations

import csv
import json

import docx
import openpyxl
import pymupdf
import pytest

import ui.cli
from tests.export.readback import norm, pdf_text

F, R = "framing-kents-future-2022", "reforming-kent-2025"
SEARCH = ["--search", '"climate emergency"']


@pytest.fixture
def cli(library, capsys):
    def run(*args: str) -> str:
        code = ui.cli.main([*args, "--library", str(library)])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    return run


def names_one_section(paths: list[list[str]], name: str) -> bool:
    """Whether a citation's section ``name`` picks out exactly one of a plan's sections."""
    if not name:
        return True
    if name.endswith(" of " + name.rsplit(" of ", 1)[-1]) and name.endswith(")"):
        return True  # "(2 of 4)": the whole path repeats, numbered in reading order
    tail = name.split(" › ")
    return sum(1 for p in paths if p[-len(tail):] == tail) == 1


def test_a_pack_names_a_repeated_heading_unambiguously(cli, tmp_path):
    """L2: where a plan repeats a heading ("Our objectives" under each aim), the Section
    column, the Source lines and each lineage step's citation use the disambiguated name
    search citations use, in every format."""
    paths = {slug: [s["path"] for s in json.loads(cli("show", slug, "--json"))["sections"]]
             for slug in (F, R)}
    shows = {slug: json.loads(cli("show", slug, "--json"))["commitments"] for slug in (F, R)}
    src = next(c["id"] for c in shows[F] if c["text"].startswith("Since formally acknowledging"))
    tgt = next(c["id"] for c in shows[R] if c["text"].startswith("We will rescind the County"))
    cli("link", str(src), str(tgt), "--relation", "reversed", "--confirm", "--rationale",
        "The declaration is rescinded.")
    for fmt in ("csv", "xlsx", "docx", "pdf"):
        cli("export", "--format", fmt, "--out", str(tmp_path / f"pack.{fmt}"), *SEARCH)
    with (tmp_path / "pack.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    slug_of = {"Framing Kent's Future": F, "Reforming Kent 2025-2028": R}
    ours = [r for r in rows if r["Plan"] in slug_of]
    assert ours and all(names_one_section(paths[slug_of[r["Plan"]]], r["Section"])
                        for r in ours), [r["Section"] for r in ours]
    rescind = next(r for r in rows if r["Text"].startswith("We will rescind the County"))
    assert rescind["Section"].endswith(" › Our objectives")
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    sheet = [[c.value or "" for c in row] for row in book["Commitments"].iter_rows()]
    assert [r[3] for r in sheet[1:]] == [r["Section"] for r in rows]
    lineage = [dict(zip([c or "" for c in next(book["Lineage"].iter_rows(values_only=True))],
                        [v or "" for v in row], strict=True))
               for row in list(book["Lineage"].iter_rows(values_only=True))[1:]]
    steps = [s for s in lineage if s["Plan"] in slug_of]
    assert any(s["Section"] == rescind["Section"] for s in steps)
    assert all(names_one_section(paths[slug_of[s["Plan"]]], s["Section"]) for s in steps)
    source = f"Reforming Kent 2025-2028 · {rescind['Section']} · p. 11"
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "pack.docx")).paragraphs)
    assert source in text
    assert "Reforming Kent 2025-2028 · Our objectives ·" not in text
    with pymupdf.open(tmp_path / "pack.pdf") as doc:
        assert norm(source) in norm(pdf_text(doc)).replace("\n", " ")


def lineage_sheet(path) -> list[dict[str, str]]:
    rows = list(openpyxl.load_workbook(path)["Lineage"].iter_rows(values_only=True))
    return [dict(zip(rows[0], [v or "" for v in row], strict=True)) for row in rows[1:]]


def test_an_unreviewed_commitment_is_not_called_confirmed(cli, tmp_path):
    """L3: with no link recorded, no lineage step reads "✓ confirmed" / "Confirmed: yes";
    an officer's confirmed verdict still does, on its own step only."""
    for fmt in ("xlsx", "docx", "pdf"):
        cli("export", "--format", fmt, "--out", str(tmp_path / f"none.{fmt}"), *SEARCH)
    steps = lineage_sheet(tmp_path / "none.xlsx")
    assert steps and {s["Confirmed"] for s in steps} == {""}
    assert {s["Relation"] for s in steps} == {"first appears"}
    cells = [c.text for t in docx.Document(str(tmp_path / "none.docx")).tables
             for row in t.rows for c in row.cells]
    assert any(c.startswith("first appears") for c in cells)
    assert not any("confirmed" in c for c in cells)
    with pymupdf.open(tmp_path / "none.pdf") as doc:
        text = pdf_text(doc)
    assert "first appears" in text and "✓ confirmed" not in text

    shows = {slug: json.loads(cli("show", slug, "--json"))["commitments"] for slug in (F, R)}
    src = next(c["id"] for c in shows[F] if c["text"].startswith("Since formally acknowledging"))
    tgt = next(c["id"] for c in shows[R] if c["text"].startswith("We will rescind the County"))
    cli("link", str(src), str(tgt), "--relation", "reversed", "--confirm", "--rationale",
        "The declaration is rescinded.")
    cli("export", "--format", "xlsx", "--out", str(tmp_path / "one.xlsx"), *SEARCH)
    verdicts = {(s["Relation"], s["Confirmed"]) for s in lineage_sheet(tmp_path / "one.xlsx")}
    assert verdicts == {("first appears", ""), ("reversed", "yes")}


def test_every_colophon_states_the_search_that_chose_the_items(cli, tmp_path):
    """L4: the DOCX colophon says which search chose the items, as the PDF's and XLSX's do."""
    for fmt in ("docx", "pdf", "xlsx"):
        cli("export", "--format", fmt, "--out", str(tmp_path / f"pack.{fmt}"), *SEARCH)
    said = "found by the search “climate emergency”"
    document = docx.Document(str(tmp_path / "pack.docx"))
    colophon = {row.cells[0].text: row.cells[1].text for row in document.tables[-1].rows}
    assert said in colophon["Selection"], colophon
    with pymupdf.open(tmp_path / "pack.pdf") as doc:
        assert said in norm(doc[-1].get_text())
    rows = openpyxl.load_workbook(tmp_path / "pack.xlsx")["Colophon"].iter_rows(values_only=True)
    assert said in dict(rows)["Selection"]


def test_a_quoted_search_is_quoted_once_in_the_title(cli, tmp_path):
    """fix11: a phrase search's own quotes are not wrapped in a second pair in the title the
    PDF's cover and metadata and the DOCX's first heading and properties show."""
    cli("export", "--format", "pdf", "--out", str(tmp_path / "pack.pdf"), *SEARCH)
    cli("export", "--format", "docx", "--out", str(tmp_path / "pack.docx"), *SEARCH)
    once, twice = "the search “climate emergency”", "“\""
    with pymupdf.open(tmp_path / "pack.pdf") as doc:
        cover, title = norm(doc[0].get_text()), doc.metadata["title"]
    document = docx.Document(str(tmp_path / "pack.docx"))
    heading = next(p.text for p in document.paragraphs if p.style.name == "Title")
    core = document.core_properties.title
    for shown in (cover, title, heading, core):
        assert once in shown and twice not in shown, shown


def test_a_cover_without_an_author_has_no_empty_prepared_by_row(cli, tmp_path):
    """L5: no author given, no "Prepared by" row (and no empty committee line) on the cover
    of the PDF or the DOCX; given, it is printed."""
    cli("export", "--format", "docx", "--out", str(tmp_path / "bare.docx"), *SEARCH)
    cli("export", "--format", "pdf", "--out", str(tmp_path / "bare.pdf"), *SEARCH)
    cover = docx.Document(str(tmp_path / "bare.docx")).tables[0]
    labels = [row.cells[0].text for row in cover.rows]
    assert "Prepared by" not in labels and "Committee" not in labels
    assert all(row.cells[1].text.strip() for row in cover.rows)
    with pymupdf.open(tmp_path / "bare.pdf") as doc:
        assert "Prepared by" not in doc[0].get_text() and "Facts as at" in doc[0].get_text()
    cli("export", "--format", "pdf", "--out", str(tmp_path / "signed.pdf"), *SEARCH,
        "--author", "A. Clerk", "--committee", "Scrutiny Committee")
    with pymupdf.open(tmp_path / "signed.pdf") as doc:
        page = norm(doc[0].get_text())
    assert "Prepared by" in page and "A. Clerk" in page and "Scrutiny Committee" in page
