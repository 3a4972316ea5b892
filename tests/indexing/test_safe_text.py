"""Issue 15: every string taken from a PDF is valid Unicode before it is stored or shown.

Property tests (Hypothesis) feed lone surrogates, NULs, control and bidi characters and 1 MB
strings through the one sanitiser (``workbench.safe_text``), through every string field of an
extraction stored in SQLite, and through the real PDF reader (metadata, outline entries, page
labels, font names, annotations, form fields, file names).
"""

from __future__ import annotations

import dataclasses
import string
from pathlib import Path

import pymupdf
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from db.store import SqliteStore
from indexing import pdf_extract
from tests.reliability import hostile_files
from workbench.model import (
    ExtractedCommitment,
    ExtractedSection,
    Extraction,
    PageText,
    PlanMeta,
)
from workbench.safe_text import is_safe, safe_line, safe_text, same_length, same_length_deep

NASTY = "\ud800\udfff\udc80\x00\x01\x07\x1b\x7f\x85\u202e\u202d\u2066\u2069\ufffe\uffff\r"
MEGA = ("\u202eab\x00\ud800c" * 200_000)[:1_000_000]

# text with a high share of the characters that break things
hostile = st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec=None), max_size=200)
mixed = st.lists(st.sampled_from(list(NASTY)) | st.text(string.printable, max_size=5),
                 max_size=40).map("".join)


def _valid_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@settings(deadline=None)
@given(hostile | mixed)
@example(MEGA)
@example("\ud83d\ude00 a valid pair, written as two code units")
def test_sanitised_text_is_valid_and_stable(text):
    for clean, multiline in ((safe_text(text), True), (safe_line(text), False)):
        assert _valid_utf8(clean) and is_safe(clean, multiline=multiline)
        assert (safe_text if multiline else safe_line)(clean) == clean  # idempotent
    assert "\n" not in safe_line(text) and len(safe_line(text)) <= 2000
    kept = same_length(text)
    assert len(kept) == len(text) and _valid_utf8(kept) and is_safe(kept)


@given(st.text(string.printable.replace("\r", "").replace("\x0b", "").replace("\x0c", "")))
def test_clean_text_is_left_alone(text):
    assert safe_text(text) == text and same_length(text) == text


def test_surrogate_pairs_become_their_character_and_bytes_decode():
    assert safe_text("\ud83d\ude00") == "😀"
    assert safe_text("a\ud800b") == "a\ufffdb"
    assert safe_text(b"caf\xc3\xa9 \xff") == "café \ufffd"
    assert safe_line("\u202egnp.exe\u202c\nline") == "gnp.exe line"


def _extraction(s: str, sha: str) -> Extraction:
    """An extraction whose every string field carries ``s``."""
    text = f"Heading {s}\nWe will {s} deliver."
    return Extraction(
        sha256=sha, pdf_id=s[:40], page_count=1, title=s,
        pages=(PageText(0, s[:50], text, False, 595.0, 842.0),),
        sections=(ExtractedSection(0, s, 1, (s, s), 0, 0, text),),
        commitments=(ExtractedCommitment(0, 0, s, 0, 0, min(len(text), 10), lead_in=s),),
        warnings=(s,), metadata={s[:20] or "k": s, "title": s},
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("safe-store")
    st_ = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
    yield st_
    st_.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=hostile | mixed, n=st.integers(0, 10**12))
@example(s=MEGA, n=-1)
def test_every_extraction_field_reaches_sqlite_valid(store, s, n):
    """What services does before storing (``same_length_deep``): the store accepts it, every
    stored string is valid, and no offset moved."""
    raw = _extraction(s, f"{n:064x}"[-64:] if n >= 0 else "f" * 64)
    clean = same_length_deep(raw)
    assert clean.commitments[0].char_end == raw.commitments[0].char_end
    assert len(clean.pages[0].text) == len(raw.pages[0].text)
    slug = f"plan-{n + 1}"
    if store.slug_exists(slug):
        return
    store.add_document(slug=slug, meta=PlanMeta(title=safe_line(s) or "t"), extraction=clean,
                       file_name=safe_line(s + ".pdf"), stored_path=f"files/{slug}.pdf")
    for table in ("documents", "pages", "sections", "commitments"):
        for row in store.db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608
            for value in row:
                if isinstance(value, str):
                    assert _valid_utf8(value) and is_safe(value), (table, value[:80])


def _hex_utf16(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be", "surrogatepass").hex().upper() + ">"


def _strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in (*_strings_of(k), *_strings_of(v))]
    if isinstance(value, tuple | list):
        return [x for v in value for x in _strings_of(v)]
    if dataclasses.is_dataclass(value):
        return [x for f in dataclasses.fields(value) for x in _strings_of(getattr(value, f.name))]
    return []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(s=hostile | mixed)
@example(s=MEGA[:300_000])
def test_pdf_strings_from_every_field_come_out_valid(tmp_path, s):
    """Metadata, outline entries, page labels, font names, annotations and form fields of a
    real PDF carry ``s`` (as broken UTF-16); the extraction holds only valid strings."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((56, 80), "Priority 1: safer roads", fontsize=16)
    page.insert_text((56, 110), "We will repair potholes.", fontsize=11)
    page.add_text_annot((300, 300), "note")
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "name"
    widget.rect = pymupdf.Rect(60, 400, 300, 420)
    page.add_widget(widget)
    doc.set_toc([[1, "Priority 1", 1]])
    doc.set_metadata({"title": "t", "author": "a", "subject": "s", "keywords": "k"})
    info = int(doc.xref_get_key(-1, "Info")[1].split()[0])
    for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer"):
        doc.xref_set_key(info, key, _hex_utf16(s))
    for xref in range(1, doc.xref_length()):
        kind = doc.xref_get_key(xref, "Type")[1]
        if doc.xref_get_key(xref, "Title")[0] == "string" and xref != info:
            doc.xref_set_key(xref, "Title", _hex_utf16(s[:1000]))  # outline entry
        if kind == "/Font":
            doc.xref_set_key(xref, "BaseFont", "/F#ED#B0#80#FF" + "".join(
                f"#{b:02X}" for b in s[:30].encode("utf-8", "surrogatepass")))
        if kind == "/Annot":
            doc.xref_set_key(xref, "Contents", _hex_utf16(s))
            if doc.xref_get_key(xref, "FT")[0] == "name":
                doc.xref_set_key(xref, "V", _hex_utf16(s))
    catalog = doc.pdf_catalog()
    doc.xref_set_key(catalog, "PageLabels", f"<</Nums[0<</S/D/P{_hex_utf16(s[:100])}>>]>>")
    name = "plan-" + safe_line(s[:20]).replace("/", "_").replace("\\", "_") + ".pdf"
    path = tmp_path / "x.pdf"
    doc.save(path)
    doc.close()
    try:
        named = tmp_path / name
        path.rename(named)
        path = named
    except (OSError, ValueError):  # a name the file system refuses: the content still counts
        pass
    extraction = pdf_extract.extract_file(path)
    for text in _strings_of(extraction):
        assert _valid_utf8(text) and is_safe(text), repr(text[:80])


def test_the_reported_font_name_bug_imports(tmp_path):
    """The report: a readable PDF whose font names (and title) are not valid UTF-8 stopped the
    import with UnicodeEncodeError. It imports, with its text."""
    pdf = hostile_files.bad_font_names(tmp_path / "bad-fonts.pdf")
    extraction = pdf_extract.extract_file(pdf)
    assert extraction.title == "bad-fonts"  # nothing left of the broken title: the file name
    assert "keep residents safe" in extraction.pages[0].text
    for text in _strings_of(extraction):
        assert _valid_utf8(text) and is_safe(text)


def test_a_non_utf8_file_name_is_stored_valid(tmp_path):
    """File names are strings from outside too: a name with an undecodable byte (a lone
    surrogate in Python) is stored and shown valid."""
    from ui import compose

    src = hostile_files.bad_font_names(tmp_path / "x.pdf")
    odd = Path(str(tmp_path / "plan-") + "\udcff\u202e.pdf")
    try:
        src.rename(odd)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses undecodable names")
    wb = compose.open_workbench(tmp_path / "lib")
    try:
        outcome = wb.import_paths([odd]).outcomes[0]
        assert outcome.status == "imported", outcome
        assert is_safe(outcome.message) and _valid_utf8(outcome.message)
        doc = wb.store.documents(outcome.slug)[0]
        assert is_safe(doc.file_name, multiline=False)
    finally:
        compose.close_workbench(wb)
