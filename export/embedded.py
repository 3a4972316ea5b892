"""The regeneration manifest carried inside a pack file, where the clerk never trips over it.

PDF: an embedded file ``pack.json`` (WeasyPrint ``Attachment``; PDF/UA allows attachments and
readers list them in their attachments pane). DOCX: a custom XML part (``/customXml/…``, the
place Office keeps application data and preserves on save) holding the JSON in one element.
``manifest_in_pdf`` and ``manifest_in_docx`` read them back for "changes since"; they parse
only what our own writers produce (a PDF re-saved by another program may have moved it, and
then the library's copy is used). Emits nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from workbench.pack import Pack
from workbench.pack_manifest import manifest_of

__all__ = ["DOCX_NAMESPACE", "MANIFEST_NAME", "docx_part_xml", "manifest_in_docx",
           "manifest_in_pdf", "manifest_json", "stamp_of"]

MANIFEST_NAME = "pack.json"
DOCX_NAMESPACE = "urn:plan-workbench:pack"
_KIND = "plan-workbench-pack"
_EMBEDDED = re.compile(rb"/Type /EmbeddedFile\b(?P<dict>.*?)/Length (?P<n>\d+)>>\s*stream\r?\n",
                       re.DOTALL)


def manifest_json(pack: Pack, fmt: str) -> str:
    """The manifest of a (sanitised) pack as the JSON text files carry."""
    return json.dumps(manifest_of(pack, fmt=fmt), ensure_ascii=False, indent=1,
                      sort_keys=True)


def stamp_of(pack: Pack) -> dt.datetime:
    """A fixed timestamp for embedded data (the pack's "as at"), so the same pack gives the
    same bytes."""
    parts = [int(p) for p in re.findall(r"\d+", pack.as_at)[:3]]
    try:
        return dt.datetime(*(parts + [1, 1, 1][len(parts):]), tzinfo=dt.UTC)  # type: ignore[misc]
    except (TypeError, ValueError):
        return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _ours(data: Any) -> dict[str, Any] | None:
    return data if isinstance(data, dict) and data.get("kind") == _KIND else None


def manifest_in_pdf(pdf: bytes) -> dict[str, Any] | None:
    """The manifest embedded in a PDF our writer produced, if it is there."""
    for found in _EMBEDDED.finditer(pdf):
        start = found.end()
        raw = pdf[start : start + int(found["n"])]
        try:
            if b"/FlateDecode" in found["dict"]:
                raw = zlib.decompress(raw)
            data = _ours(json.loads(raw.decode("utf-8")))
        except (zlib.error, UnicodeDecodeError, ValueError):
            continue
        if data is not None:
            return data
    return None


def docx_part_xml(text: str) -> bytes:
    """The custom XML part that carries the manifest in a DOCX."""
    root = ElementTree.Element(f"{{{DOCX_NAMESPACE}}}pack")
    root.text = text
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def manifest_in_docx(path: Path) -> dict[str, Any] | None:
    """The manifest in a DOCX's custom XML parts, if it is there."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not (name.startswith("customXml/") and name.endswith(".xml")):
                continue
            try:
                root = ElementTree.fromstring(zf.read(name))
            except ElementTree.ParseError:
                continue
            if root.tag == f"{{{DOCX_NAMESPACE}}}pack" and root.text:
                data = _ours(json.loads(root.text))
                if data is not None:
                    return data
    return None
