"""Journey (issue 14, "Packs a clerk can hand over"): export "what Reforming Kent reversed" from
the real window's Export dialog, then read the PDF and the DOCX back as the clerk's reader
would.

The library has three reversals into Reforming Kent: two Framing Kent's Future commitments
reversed by the *same* 2025 paragraph, a third by another passage, and a predecessor of the
second one in the Interim Strategic Plan. Each item must show its own thread only (not the
other item that shares its successor, nor that item's predecessor), print each text once, keep
headings whole, keep "What the next edition says (reversed):" with the wording it introduces,
describe the selection in words in the colophon, and write nothing beside the clerk's file.

Why real threads: the export runs on the window's DB executor and task runner, as for a user.
"""

from __future__ import annotations

import re

import docx
import pymupdf
import pytest

from export import read_manifest
from tests.export.libraries import library_with
from tests.export.readback import norm
from tests.ui.conftest import _isolated_settings, _no_dangling_work, open_window, settings
from workbench.pack import PackSelection

__all__ = ["_isolated_settings", "_no_dangling_work", "open_window", "settings"]  # fixtures

ISP, F, R = "kent-interim-strategic-plan-2020", "framing-kents-future-2022", "reforming-kent-2025"
RK = "Reforming Kent 2025-2028"
AIM = "Our commitment is to work towards Kent being Net Zero by 2050"
PATHWAYS = "Set detailed emission reduction pathways to Net Zero by 2050"
ENERGY = "Our commitment is to support Kent to become a leading county for carbon zero energy"
ESTATE = "Rationalise our estate and assets to support new working practices"
SCRAP = "Scrap unattainable Net Zero 2030"  # one 2025 paragraph, the successor of AIM and PATHWAYS
RESCIND = "We will rescind the County Councils Climate Emergency Declaration"
SOURCES = (AIM, PATHWAYS, ENERGY)
LABEL = "What the next edition says (reversed):"
IN_WORDS = f"Commitments whose link into {RK} is “Reversed”"


def _key(recs, plan: str, starts: str) -> str:
    return next(c.key for c in recs.effective_commitments(plan)
                if " ".join(c.text.split()).lstrip("0123456789. ").startswith(starts))


def _record_reversals(recs) -> None:
    scrap, rescind = _key(recs, R, SCRAP), _key(recs, R, RESCIND)
    for source, target, why in ((AIM, scrap, "The 2050 aim goes with the 2030 target."),
                                (PATHWAYS, scrap, "The pathways are scrapped."),
                                (ENERGY, rescind, "The emergency is rescinded.")):
        recs.link(_key(recs, F, source), [target], relation="reversed", confirm=True,
                  rationale=why)
    recs.link(_key(recs, ISP, ESTATE), [_key(recs, F, PATHWAYS)], relation="modified",
              confirm=True, rationale="Estate target widened to the county.")


@pytest.fixture
def library(sample_library_master, tmp_path):
    return library_with(sample_library_master, tmp_path / "library", _record_reversals)[0]


def _export(window, qtbot, out) -> None:
    dialog = window.briefing_ui.open_dialog()
    qtbot.waitUntil(lambda: dialog.from_combo.count() > 1 and not dialog.preview_busy(),
                    timeout=20000)
    dialog.set_selection(PackSelection(relation="reversed", to_plan=R))
    qtbot.waitUntil(lambda: not dialog.preview_busy() and len(dialog.rows) == 3, timeout=20000)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(out.suffix[1:]))
    dialog.path_edit.setText(str(out))
    dialog.as_at_edit.setText("2025-09-30")
    with qtbot.waitSignal(dialog.exported, timeout=60000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0].path == out
    if dialog.result_box is not None:
        dialog.result_box.close()
    dialog.close()


def _sections(text: str, headings: list[str]) -> list[str]:
    """The text of each item (from its heading to the next item's, or to the colophon)."""
    starts = [text.rindex(h) for h in headings] + [text.rindex("Colophon")]  # not the contents
    return [text[a:b] for a, b in zip(starts, starts[1:], strict=False)]


def _check_items(sections: list[str]) -> None:
    for n, (section, own) in enumerate(zip(sections, SOURCES, strict=True)):
        others = [s for s in SOURCES if s != own]
        assert not any(o in section for o in others), f"item {n + 1} shows another's thread"
        assert section.count(own) == 1, f"item {n + 1} prints its own text more than once"
        successor = SCRAP if own != ENERGY else RESCIND
        assert section.count(successor) == 1, f"item {n + 1} repeats its successor"
        assert LABEL in section
    assert ESTATE in sections[1]  # the second item's own predecessor is in its thread …
    assert ESTATE not in sections[0]  # … and not in the item that shares its successor
    # a first appearance has no verdict: only the links say "✓ confirmed"
    assert sections[1].count("✓ confirmed") == 2 and sections[0].count("✓ confirmed") == 1


def _check_colophon(text: str) -> None:
    colophon = text[text.rindex("Colophon"):]
    assert IN_WORDS in colophon
    assert "{" not in colophon and '"to_plan"' not in colophon and "reforming-kent" not in colophon


def test_reversed_pack_reads_back_right_in_pdf_and_docx(open_window, library, qtbot, tmp_path):
    window = open_window(library)
    out_dir = tmp_path / "for the clerk"
    out_dir.mkdir()
    pdf, word = out_dir / "reversed.pdf", out_dir / "reversed.docx"
    _export(window, qtbot, pdf)
    _export(window, qtbot, word)
    assert sorted(p.name for p in out_dir.iterdir()) == ["reversed.docx", "reversed.pdf"]
    for path in (pdf, word):  # regeneration data travels inside the file and in the library
        kept = read_manifest(path)
        assert kept == read_manifest(path, archive=library / "packs")
        assert kept["selection"]["relation"] == "reversed" and len(kept["items"]) == 3

    with pymupdf.open(pdf) as doc:
        pages = [page.get_text() for page in doc]
    text = norm("\n".join(pages))
    assert "…" not in text  # headings whole
    headings = [f"{n}. {s}" for n, s in enumerate(SOURCES, start=1)]
    assert all(h in text for h in headings)
    _check_items(_sections(text, headings))
    _check_colophon(text)
    for page in pages:  # the label is never the last thing on a page
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.match(r"(Page \d+ of \d+|Briefing pack:)", line)]
        if LABEL in body:
            assert body.index(LABEL) < len(body) - 1

    document = docx.Document(str(word))
    paragraphs = document.paragraphs
    labels = [p for p in paragraphs if p.text.strip() == LABEL]
    assert len(labels) == 3 and all(p.paragraph_format.keep_with_next for p in labels)
    body = norm("\n".join([p.text for p in paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells]))
    items = [p.text for p in paragraphs if p.style.name == "Heading 1"
             and re.match(r"\d+\. ", p.text)]
    assert len(items) == 3 and all(i.startswith(h) for i, h in zip(items, headings, strict=True))
    assert "…" not in body
    # DOCX keeps each item's tables after its paragraphs: check per item from the paragraphs
    # and per table from the tables (one lineage table per item, in order)
    item_paragraphs = _sections(norm("\n".join(p.text for p in paragraphs)), headings)
    lineage_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Edition"]
    assert len(lineage_tables) == 3
    for n, table in enumerate(lineage_tables):
        cells = norm(" ".join(c.text for row in table.rows for c in row.cells))
        item_paragraphs[n] += " " + cells
    _check_items(item_paragraphs)
    _check_colophon(body)
