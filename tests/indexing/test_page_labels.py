"""Page labels: read from the PDF's /PageLabels when it has them; pages are not asked when the
catalog has none (issue 12, Speed: PyMuPDF looked the tree up again for every page)."""

from __future__ import annotations

import pymupdf

from indexing import pdf_extract
from indexing.pdf_extract import extract_file
from tests.pdfgen import Page, heading, lorem, make_pdf, para

RULES = [
    {"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1},
    {"startpage": 1, "prefix": "A-", "style": "D", "firstpagenum": 7},
]


def _plan(path, page_labels):
    pages = [Page([heading("Foreword"), para(lorem(60, 1))]),
             Page([heading("Our priorities"), para(lorem(60, 2))]),
             Page([para(lorem(60, 3))])]
    return make_pdf(path, pages, page_labels=page_labels)


def _counting_labels(monkeypatch):
    asked = []
    original = pymupdf.Page.get_label

    def get_label(page):
        asked.append(page.number)
        return original(page)

    monkeypatch.setattr(pymupdf.Page, "get_label", get_label)
    return asked


def test_labels_of_a_pdf_with_page_labels_are_read_for_every_page(tmp_path, monkeypatch):
    asked = _counting_labels(monkeypatch)
    e = extract_file(_plan(tmp_path / "labelled.pdf", RULES))
    assert [p.label for p in e.pages] == ["i", "A-7", "A-8"]
    assert asked == [0, 1, 2]


def test_a_pdf_without_page_labels_is_not_asked_page_by_page(tmp_path, monkeypatch):
    path = _plan(tmp_path / "plain.pdf", None)
    doc = pymupdf.open(path)
    assert [p.get_label() for p in doc] == ["", "", ""]  # what asking each page gives
    assert not pdf_extract._has_page_labels(doc)
    asked = _counting_labels(monkeypatch)
    e = extract_file(path)
    assert [p.label for p in e.pages] == ["1", "2", "3"]  # the fallback for no label
    assert asked == []


def test_an_unreadable_catalog_means_asking_each_page(tmp_path):
    class NoCatalog:
        def pdf_catalog(self):
            raise RuntimeError("not a PDF")

    assert pdf_extract._has_page_labels(NoCatalog())
    doc = pymupdf.open(_plan(tmp_path / "labelled.pdf", RULES))
    assert pdf_extract._has_page_labels(doc)
