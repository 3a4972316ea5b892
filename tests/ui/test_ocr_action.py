"""The window's "OCR the scanned pages" action (issue 15).

Why: a plan flagged needs-OCR must be fixable from the window, not only from the CLI: the
action is offered only for such a plan, runs in the background (progress and Cancel come with
the import lane), and afterwards the plan is searchable and no longer flagged. Without
Tesseract the action says OCR is unavailable instead of failing.
"""

from __future__ import annotations

import os

import pytest

from indexing.ocr_data import ocr_unavailable_reason
from tests.conftest import run_cli
from tests.pdfgen import Page, heading, make_pdf, para
from tests.reliability.hostile_files import one_page_scan
from ui.ops import library as library_ops


@pytest.fixture
def scanned_library(tmp_path):
    root = tmp_path / "library"
    text = make_pdf(tmp_path / "typed.pdf", [Page([heading("Typed plan"),
                                                   para("We will sweep the streets.")])])
    run_cli("import", str(text), str(one_page_scan(tmp_path / "scanned-plan.pdf")),
            library=root, check=True)
    return root


def _select(qtbot, window, slug):
    panel = window.library_panel
    qtbot.waitUntil(lambda: panel.model.row_of(slug) >= 0, timeout=15000)
    panel.select_slug(slug)
    return window.ocr


def test_ocr_action_only_for_flagged_plans_and_it_makes_them_searchable(
        qtbot, open_window, scanned_library):
    if ocr_unavailable_reason():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(ocr_unavailable_reason())
        pytest.skip(ocr_unavailable_reason())
    window = open_window(scanned_library)
    ocr = _select(qtbot, window, "typed")
    assert not ocr.action.isEnabled()
    ocr = _select(qtbot, window, "scanned-plan")
    assert ocr.action.isEnabled()
    assert ocr.action in window.library_panel.table.actions()
    ocr.show_messages = False
    ocr.action.trigger()
    qtbot.waitUntil(lambda: ocr.last_outcome is not None, timeout=120000)
    assert ocr.last_outcome.status == "imported", ocr.last_outcome
    assert any(n.startswith("OCR read 1 scanned page(s)") for n in ocr.last_outcome.notices)
    qtbot.waitUntil(lambda: not window.library_panel.model.plan("scanned-plan").needs_ocr_pages,
                    timeout=15000)
    assert not ocr.action.isEnabled()
    window.open_plan("scanned-plan")  # the reader marks the page's text as OCR text
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == "scanned-plan"
                    and reader.doc.plan.versions == 2, timeout=15000)
    assert reader.text_view.toolTip().startswith("OCR text: this page was read by Tesseract")
    assert "pothole" in reader.text_view.toPlainText()
    hits = run_cli("search", "pothole", "--json", library=scanned_library, check=True).stdout
    assert '"ocr_confidence": ' in hits and "scanned-plan" in hits


def test_ocr_action_says_when_ocr_is_unavailable(qtbot, open_window, scanned_library,
                                                 monkeypatch):
    monkeypatch.setattr(library_ops, "ocr_unavailable_reason",
                        lambda language="eng": "OCR is unavailable: install tesseract-ocr-eng")
    started = []
    monkeypatch.setattr(library_ops, "ocr_plan", lambda *a, **k: started.append(a))
    said = []
    window = open_window(scanned_library)
    ocr = _select(qtbot, window, "scanned-plan")
    monkeypatch.setattr(ocr, "_say", lambda icon, text: said.append(text))
    ocr.action.trigger()
    assert said == ["OCR is unavailable: install tesseract-ocr-eng"] and not started
