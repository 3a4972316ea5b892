"""The accessible PDF pack, read back with PyMuPDF: structure, text, fonts, links, safety."""

from __future__ import annotations

import logging
import shutil
import subprocess

import pymupdf
import pytest

from export.html import pack_html
from export.pdf import render_pdf_bytes, write_pdf
from tests.export import packs
from tests.export.readback import (
    norm,
    pdf_text,
    squash,
    struct_alts,
    struct_types,
    visible_html_text,
)
from workbench.errors import Cancelled
from workbench.pack import sanitise_text
from workbench.tasks import TaskState


def test_catalog_marks_a_tagged_titled_english_document(sample_pdf, open_pdf):
    doc = open_pdf(sample_pdf)
    cat = doc.pdf_catalog()
    assert doc.xref_get_key(cat, "StructTreeRoot")[0] == "xref"
    assert doc.xref_get_key(cat, "MarkInfo/Marked") == ("bool", "true")
    assert doc.xref_get_key(cat, "Lang") == ("string", "en-GB")
    assert doc.xref_get_key(cat, "ViewerPreferences/DisplayDocTitle") == ("bool", "true")
    assert doc.metadata["title"] == packs.sample_pack().title
    assert doc.metadata["author"] == packs.sample_pack().author
    assert not doc.is_repaired
    assert doc.xref_get_key(cat, "Metadata")[0] == "xref"  # XMP, with the PDF/UA identifier
    xmp = doc.get_xml_metadata()
    assert "pdfuaid" in xmp


def test_structure_tree_has_headings_tables_lists(sample_pdf, open_pdf):
    types = struct_types(open_pdf(sample_pdf))
    for needed in ("Document", "H1", "H2", "H3", "P", "Table", "TR", "TH", "TD", "L", "LI",
                   "BlockQuote", "Link"):
        assert types.get(needed, 0) > 0, f"no {needed} in {types}"
    assert types["H1"] == 1  # the pack title, once


def test_table_header_cells_are_column_headers(sample_pdf, open_pdf):
    doc = open_pdf(sample_pdf)
    headers = [x for x in range(1, doc.xref_length()) if doc.xref_get_key(x, "S") == ("name", "/TH")]
    assert headers
    cells = [x for x in range(1, doc.xref_length()) if doc.xref_get_key(x, "S") == ("name", "/TD")]
    linked = [x for x in cells if doc.xref_get_key(x, "A/Headers")[0] == "array"
              and doc.xref_get_key(x, "A/Headers")[1] != "[]"]
    assert len(linked) > len(cells) // 2  # data cells point at their column header


def test_bookmarks_follow_the_headings(sample_pdf, open_pdf):
    doc = open_pdf(sample_pdf)
    pack = packs.sample_pack()
    toc = doc.get_toc()
    assert toc[0][:2] == [1, pack.title]
    titles = [t for _, t, _ in toc]
    for n, item in enumerate(pack.items, start=1):
        assert f"{n}. {item.heading}" in titles
    assert "Contents" in titles and "Colophon" in titles
    assert "Changes since the last pack" in titles
    assert all(level <= 2 for level, _, _ in toc)  # h3 parts are not bookmarked


def test_every_quote_and_citation_is_real_text(sample_pdf, open_pdf):
    doc = open_pdf(sample_pdf)
    text = norm(pdf_text(doc))
    pack = packs.sample_pack()
    for item in pack.items:
        assert norm(item.quote) in text, item.quote
        assert norm(item.citation.text()) in text, item.citation.text()
        for step in item.lineage:
            assert squash(step.text) in squash(text)  # narrow table cells wrap lines
        for e in item.evidence:
            assert norm(e.quote) in text
    assert "Page 3 of" in text  # footers
    assert "\ufffd" not in text


def test_contents_lists_page_numbers(sample_pdf, open_pdf):
    doc = open_pdf(sample_pdf)
    contents = doc[1].get_text()
    assert "Contents" in contents
    first = packs.sample_pack().items[0].heading
    page_of_first = next(p.number for p in doc if norm(first) in norm(p.get_text())
                         and p.number > 1) + 1
    line = next(ln for ln in contents.splitlines() if ln.strip().endswith(str(page_of_first)))
    assert line


def test_fonts_are_embedded(sample_pdf, multiscript_pdf, open_pdf):
    for data in (sample_pdf, multiscript_pdf):
        doc = open_pdf(data)
        for page in doc:
            for xref, ext, _type, basefont, *_ in page.get_fonts():
                name, ext2, _t, buffer = doc.extract_font(xref)
                assert buffer, f"{basefont} is not embedded"
                assert "+" in basefont  # a subset, as embedded fonts are
                assert ext in ("ttf", "otf", "cff")


def test_only_internal_links(sample_pdf, hostile_pdf, open_pdf):
    for data in (sample_pdf, hostile_pdf):
        doc = open_pdf(data)
        for page in doc:
            for link in page.get_links():
                assert link["kind"] in (pymupdf.LINK_GOTO, pymupdf.LINK_NAMED), link
                assert not link.get("uri")


def test_middle_dots_only_where_the_source_has_them(multiscript_pdf, open_pdf):
    """No glyph turned into "·" (Base-14 fallback) and none into U+FFFD."""
    pack = packs.multiscript_pack()
    source = visible_html_text(pack_html(pack.sanitised()))
    doc = open_pdf(multiscript_pdf)
    text = pdf_text(doc)
    assert "·" not in pack.title and "·" not in pack.committee  # running header text
    assert text.count("·") == source.count("·")
    assert text.count("\ufffd") == 0


@pytest.mark.parametrize("script", ["latin", "arabic", "hebrew", "cjk", "greek_cyrillic"])
def test_promised_scripts_round_trip_exactly(multiscript_pdf, open_pdf, script):
    """T-EXP-02: the extracted text equals the NFC source for the scripts we promise."""
    text = norm(pdf_text(open_pdf(multiscript_pdf)))
    quote = packs.MULTISCRIPT_QUOTES[script]
    assert norm(quote) in text
    assert norm(f"Note in {script}: {quote}") in text


def test_indic_scripts_keep_every_character(multiscript_pdf, open_pdf):
    """Devanagari renders with a real font; PyMuPDF may insert a space at a reph when it
    extracts it (glyph order), so only the characters are compared (documented policy)."""
    text = squash(pdf_text(open_pdf(multiscript_pdf)))
    assert squash(packs.MULTISCRIPT_QUOTES["devanagari"]) in text


def test_hostile_text_renders_literally(hostile_pdf, open_pdf):
    """T-SEC-03: markup is text, invalid characters are U+FFFD, nothing is fetched."""
    doc = open_pdf(hostile_pdf)
    text = norm(pdf_text(doc))
    for fragment in ("<b>bold?</b>", "</para>", '<img src="file:///etc/passwd">',
                     '<a href="javascript:alert(1)">x</a>', "]]> & &amp; <![CDATA[ x ]]>",
                     "<h1>Injected heading</h1>", "<script>alert(1)</script>",
                     "=cmd|'/C calc'!A0", "مرحبا بالعالم"):
        assert fragment in text, fragment
    cleaned = sanitise_text(packs.HOSTILE)
    assert cleaned.count("\ufffd") == 7
    # Left-to-right part, in order, between the replacement characters (MuPDF extracts U+FFFD
    # by glyph id, so it is checked with poppler below).
    ltr = cleaned.split("\u0645")[0]  # up to the Arabic
    position = 0
    flat = squash(text)
    for segment in ltr.split("\ufffd"):
        found = flat.find(squash(segment), position)
        assert found >= 0, segment
        position = found + len(squash(segment))
    assert "Supercalifragilisticexpialidocious" * 12 in flat
    # The RLO override makes "reversed" display reversed, as it should.
    assert "desrever" in text
    types = struct_types(doc)
    assert "Figure" not in types  # no <img> became an image
    assert doc.metadata["title"] == "Hostile <b>pack</b> & friends"
    assert not doc.is_repaired
    for page in doc:
        assert not page.get_images()


def test_long_words_stay_inside_the_page(hostile_pdf, open_pdf):
    doc = open_pdf(hostile_pdf)
    for page in doc:
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                x0, _, x1, _ = line["bbox"]
                assert x0 >= 0 and x1 <= page.rect.width + 0.5


def test_page_images_are_figures_with_alt_text(images_pdf, open_pdf):
    doc = open_pdf(images_pdf)
    pack = packs.pack_with_images()
    alts = struct_alts(doc)
    assert sorted(alts) == sorted(p.caption for p in pack.page_images)
    assert sum(len(page.get_images()) for page in doc) >= 1
    titles = [t for _, t, _ in doc.get_toc()]
    assert "Page images" in titles  # the unplaced image has its own part


def test_same_pack_gives_identical_bytes():
    assert render_pdf_bytes(packs.sample_pack()) == render_pdf_bytes(packs.sample_pack())


def test_cancel_leaves_the_target_alone(tmp_path):
    out = tmp_path / "pack.pdf"
    out.write_bytes(b"previous")
    state = TaskState()
    state.request_cancel()
    with pytest.raises(Cancelled):
        write_pdf(packs.sample_pack(), out, state=state)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["pack.pdf"]


def test_write_pdf_reports_progress(tmp_path):
    state = TaskState()
    path = write_pdf(packs.sample_pack(), tmp_path / "p.pdf", state=state)
    assert state.progress == 1.0
    with pymupdf.open(path) as doc:
        assert doc.page_count >= 5


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_replacement_characters_extract_as_fffd_with_poppler(hostile_pdf, tmp_path):
    """Invalid input characters are drawn as U+FFFD with a real glyph and map back to it.

    (PyMuPDF reads a ToUnicode target of U+FFFD as "unknown" and falls back to the glyph id,
    so poppler is the reader here.)
    """
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(hostile_pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    cleaned = sanitise_text(packs.HOSTILE)
    # the quote and the notes carry the hostile text, the lineage cell once more
    assert out.count("\ufffd") == 3 * cleaned.count("\ufffd")


def test_no_missing_glyphs_in_the_multiscript_pack(caplog):
    """WeasyPrint logs every character it had to draw as .notdef (a box): there are none."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    render_pdf_bytes(packs.multiscript_pack())
    missing = [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]
    assert missing == []
