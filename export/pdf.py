"""The accessible PDF writer: a tagged PDF/UA-1 briefing pack, through WeasyPrint.

``write_pdf(pack, out)`` lays out ``export.html.pack_html`` with Pango (real text, fonts
subset and embedded, per-character fallback through fontconfig) and writes a tagged PDF:
structure tree (H1–H3, Table/TH/TD, L/LI, Figure with Alt), ``/Lang``, ``/MarkInfo``,
``DisplayDocTitle``, bookmarks from the headings, a table of contents and "Page N of M"
footers, and the regeneration manifest as an embedded ``pack.json``. Resources are fetched only from ``data:`` URLs (our own page images): nothing in a
pack can make the writer read a local file or the network. Progress goes to a ``TaskState``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from export.embedded import MANIFEST_NAME, manifest_json, stamp_of
from export.html import pack_html
from workbench.files import atomic_write
from workbench.pack import Pack
from workbench.pack_manifest import manifest_of
from workbench.tasks import TaskState

__all__ = ["PDF_OPTIONS", "count_pages", "render_pdf_bytes", "write_pdf"]

# PDF/UA-1 sets the PDF version and the metadata; pdf_tags must still be asked for explicitly
# (WeasyPrint only fills variant defaults into options left at None, and pdf_tags defaults to
# False).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}

# WeasyPrint reports layout problems (missing alt text, lang) on its own loggers; keep them
# visible but out of the CLI's stderr unless asked for.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class _DataOnlyFetcher(URLFetcher):
    """Serves ``data:`` URLs and refuses every other scheme (``file:``, ``http:``, …)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)


def _identifier(pack: Pack) -> bytes:
    """A PDF /ID derived from the content, so the same pack gives the same bytes."""
    digest = hashlib.sha256(json.dumps(manifest_of(pack), sort_keys=True,
                                       ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:32].encode("ascii")


def _attachments(pack: Pack) -> list[Attachment]:
    """The regeneration manifest as an embedded ``pack.json`` (dated by the pack, so the same
    pack gives the same bytes)."""
    stamp = stamp_of(pack)
    return [Attachment(string=manifest_json(pack, "pdf"), name=MANIFEST_NAME,
                       description="Plan Workbench: the selection that regenerates this pack",
                       created=stamp, modified=stamp, relationship="Data")]


def _render(pack: Pack, state: TaskState) -> tuple[object, bytes, list[Attachment]]:
    clean = pack.sanitised()
    state.report(0.05, "Building the pack")
    source = pack_html(clean)
    state.raise_if_cancelled()
    state.report(0.15, "Laying out the pages")
    document = HTML(string=source, url_fetcher=_DataOnlyFetcher()).render(
        font_config=FontConfiguration(), **PDF_OPTIONS
    )
    state.raise_if_cancelled()
    state.report(0.75, f"Writing {len(document.pages)} pages")
    return document, _identifier(clean), _attachments(clean)


def count_pages(pack: Pack, *, state: TaskState | None = None) -> int:
    """How many pages the PDF of ``pack`` has (lays it out, writes nothing)."""
    document, _identifier, _files = _render(pack, state or TaskState())
    return len(document.pages)  # type: ignore[attr-defined]


def render_pdf_bytes(pack: Pack, *, state: TaskState | None = None) -> bytes:
    """The PDF in memory (for previews and tests).

    Raises:
        workbench.errors.Cancelled: ``state`` asked to stop.
    """
    state = state or TaskState()
    document, identifier, files = _render(pack, state)
    data = document.write_pdf(pdf_identifier=identifier, attachments=files,  # type: ignore[attr-defined]
                              **PDF_OPTIONS)
    state.report(1.0, "PDF written")
    return data


def write_pdf(pack: Pack, out: Path, *, state: TaskState | None = None) -> Path:
    """Write the pack as an accessible PDF to ``out``, atomically.

    Args:
        pack: the pack (sanitised here).
        out: the target file; replaced only once the new PDF is complete and synced.
        state: progress and cancellation.

    Returns:
        The path written.

    Raises:
        workbench.errors.Cancelled: ``state`` asked to stop; ``out`` is unchanged.
        OSError: the file could not be written; ``out`` is unchanged.
    """
    state = state or TaskState()
    document, identifier, files = _render(pack, state)
    path = atomic_write(
        out,
        lambda f: document.write_pdf(  # type: ignore[attr-defined]
            target=f, pdf_identifier=identifier, attachments=files, **PDF_OPTIONS),
    )
    state.report(1.0, "PDF written")
    return path
