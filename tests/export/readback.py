"""Read exported packs back the way a reviewer would: PyMuPDF for PDFs (tests only; the export
package never imports it), python-docx for DOCX."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import pymupdf


def norm(text: str) -> str:
    """NFC, and every run of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def squash(text: str) -> str:
    """NFC with all whitespace removed (for text a line break may split)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def pdf_text(doc: pymupdf.Document) -> str:
    return "\n".join(page.get_text() for page in doc)


def struct_types(doc: pymupdf.Document) -> dict[str, int]:
    """Count the structure element types (/S) under /StructTreeRoot."""
    root = doc.xref_get_key(doc.pdf_catalog(), "StructTreeRoot")
    assert root[0] == "xref", root
    counts: dict[str, int] = {}
    seen: set[int] = set()
    stack = [int(root[1].split()[0])]
    while stack:
        xref = stack.pop()
        if xref in seen:
            continue
        seen.add(xref)
        kind = doc.xref_get_key(xref, "S")
        if kind[0] == "name":
            counts[kind[1].lstrip("/")] = counts.get(kind[1].lstrip("/"), 0) + 1
        kids = doc.xref_get_key(xref, "K")
        refs = re.findall(r"(\d+) 0 R", kids[1]) if kids[0] in ("array", "xref") else []
        stack.extend(int(r) for r in refs)
    return counts


def struct_alts(doc: pymupdf.Document) -> list[str]:
    """The /Alt texts of every Figure element."""
    alts = []
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "S") == ("name", "/Figure"):
            alt = doc.xref_get_key(xref, "Alt")
            if alt[0] == "string":
                alts.append(alt[1])
    return alts


class _Visible(HTMLParser):
    """The text a reader sees in our HTML (no head, no style)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("head", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_html_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)
