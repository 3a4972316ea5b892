"""The editable Word pack, reopened with python-docx: styles, tables, lists, text, parts."""

from __future__ import annotations

import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from export.docx_writer import write_docx
from tests.export import packs
from tests.export.readback import norm
from workbench.errors import Cancelled
from workbench.pack import sanitise_text
from workbench.tasks import TaskState

# Word's own parts; anything else (hyperlinks, external images, OLE objects…) is unexpected.
ALLOWED_RELS = {"styles", "stylesWithEffects", "numbering", "settings", "webSettings",
                "fontTable", "theme", "customXml", "footer", "header", "core-properties",
                "extended-properties", "officeDocument", "custom-properties",
                "thumbnail", "customXmlProps"}


def _write(tmp_path, pack, name="pack.docx"):
    return write_docx(pack, tmp_path / name)


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _relationships(path):
    kinds, external = [], []
    document = docx.Document(str(path))
    for part in document.part.package.iter_parts():
        for rel in part.rels.values():
            kinds.append(rel.reltype.rsplit("/", 1)[-1])
            if rel.is_external:
                external.append(rel.target_ref)
    for rel in document.part.package.rels.values():
        kinds.append(rel.reltype.rsplit("/", 1)[-1])
    return set(kinds), external


def test_headings_tables_and_lists_use_word_styles(tmp_path):
    pack = packs.sample_pack(changes_since=("Added: one", "Removed: two"))
    document = docx.Document(str(_write(tmp_path, pack)))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", pack.title) in styles
    h1 = [t for s, t in styles if s == "Heading 1"]
    assert h1[:2] == ["Contents", "Changes since the last pack"]
    for n, item in enumerate(pack.items, start=1):
        assert f"{n}. {item.heading}" in h1
    assert h1[-1] == "Colophon"
    h2 = [t for s, t in styles if s == "Heading 2"]
    assert h2.count("Lineage across editions") == len(pack.items)
    bullets = [t for s, t in styles if s == "List Bullet"]
    assert "Added: one" in bullets and "Removed: two" in bullets
    assert [t for s, t in styles if s == "Quote"][0] == pack.items[0].quote
    # every table with a header row marks it as one (repeats, and is announced)
    lineage = [t for t in document.tables if t.rows[0].cells[0].text == "Edition"]
    assert len(lineage) == sum(1 for i in pack.items if i.lineage)
    for table in lineage:
        assert [c.text for c in table.rows[0].cells] == ["Edition", "Relation", "Wording",
                                                         "Citation"]
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert table.style.name == "Table Grid"


def test_same_content_as_the_pdf(tmp_path):
    pack = packs.sample_pack()
    document = docx.Document(str(_write(tmp_path, pack)))
    text = norm(_all_text(document))
    for item in pack.items:
        assert norm(item.quote) in text
        assert norm(item.citation.text()) in text
        for step in item.lineage:
            assert norm(step.text) in text
        for status in item.statuses:
            assert norm(status.rationale) in text
        assert norm(item.notes) in text
    for _label, value in pack.colophon():
        assert norm(value) in text


def test_properties_language_and_footer(tmp_path):
    pack = packs.sample_pack()
    path = _write(tmp_path, pack)
    document = docx.Document(str(path))
    assert document.core_properties.title == pack.title
    assert document.core_properties.author == pack.author
    assert document.core_properties.language == "en-GB"
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_only_word_parts_without_page_images(tmp_path):
    kinds, external = _relationships(_write(tmp_path, packs.sample_pack()))
    assert external == []
    assert kinds <= ALLOWED_RELS, kinds - ALLOWED_RELS


def test_page_images_add_images_with_alt_text(tmp_path):
    pack = packs.pack_with_images()
    path = _write(tmp_path, pack)
    kinds, external = _relationships(path)
    assert external == []
    assert kinds <= ALLOWED_RELS | {"image"}
    assert "image" in kinds
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    for image in pack.page_images:
        assert f'descr="{image.caption}"' in xml


def test_hostile_text_is_literal_and_the_file_is_valid(tmp_path):
    """T-SEC-03 for DOCX: markup stays text, invalid characters become U+FFFD."""
    pack = packs.hostile_pack()
    path = _write(tmp_path, pack)
    kinds, external = _relationships(path)
    assert external == [] and kinds <= ALLOWED_RELS
    document = docx.Document(str(path))
    text = _all_text(document)
    cleaned = sanitise_text(packs.HOSTILE)
    assert cleaned in text
    assert "<h1>Injected heading</h1>" in text
    assert '<img src="file:///etc/hostname">' in text
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "<b>" not in xml and "<img" not in xml  # escaped in the XML
    assert "&lt;b&gt;bold?&lt;/b&gt;" in xml


def test_right_to_left_paragraphs_are_marked(tmp_path):
    document = docx.Document(str(_write(tmp_path, packs.multiscript_pack())))
    arabic = next(p for p in document.paragraphs if p.text == packs.MULTISCRIPT_QUOTES["arabic"])
    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    latin = next(p for p in document.paragraphs if p.text == packs.MULTISCRIPT_QUOTES["latin"])
    assert latin._p.pPr is None or latin._p.pPr.find(qn("w:bidi")) is None


def test_multiscript_text_round_trips(tmp_path):
    """T-EXP-02 for DOCX: every script comes back exactly (NFC)."""
    text = _all_text(docx.Document(str(_write(tmp_path, packs.multiscript_pack()))))
    for quote in packs.MULTISCRIPT_QUOTES.values():
        assert sanitise_text(quote) in text


def test_cancel_leaves_the_target_alone(tmp_path):
    out = tmp_path / "pack.docx"
    out.write_bytes(b"previous")
    state = TaskState()
    state.request_cancel()
    with pytest.raises(Cancelled):
        write_docx(packs.sample_pack(), out, state=state)
    assert out.read_bytes() == b"previous"
