"""The editable Word writer: the briefing pack as a DOCX with real Word styles (python-docx).

Same content and order as the PDF: a cover, a contents list, "changes since the last pack",
one Heading 1 per item with Heading 2 sub-parts, tables whose first row is a repeating header
row, "List Bullet" lists, the "Quote" style for quotations, and a colophon; footers say
"Page N of M" through Word fields. Text is only ever added as runs (python-docx escapes it), after
``sanitise_text``, so markup in notes stays literal and XML-invalid characters cannot break the
file. The only relationships added are Word's own parts (styles, numbering, settings, footer…),
the custom XML part carrying the regeneration manifest, and, when page images are asked for,
the images. Emits nothing; progress goes to a
``TaskState``.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from export.embedded import docx_part_xml, manifest_json
from export.html import (
    PNG_SIGNATURE,
    QUOTED_ABOVE,
    next_edition,
    successor_label,
    text_direction,
)
from workbench.files import atomic_write
from workbench.pack import Pack, PackItem, PageImage
from workbench.tasks import TaskState

__all__ = ["build_docx", "write_docx"]

_ACCENT = RGBColor(0x0B, 0x3D, 0x5C)


def _set_language(doc: Document, lang: str) -> None:  # type: ignore[valid-type]
    """Make ``lang`` the default proofing language (styles.xml docDefaults)."""
    styles = doc.styles.element  # type: ignore[attr-defined]
    rpr_default = styles.find(qn("w:docDefaults"))
    if rpr_default is None:
        return
    rpr = rpr_default.find(qn("w:rPrDefault"))
    rpr = rpr.find(qn("w:rPr")) if rpr is not None else None
    if rpr is None:
        return
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), lang)


def _mark_rtl(paragraph: Paragraph, text: str) -> None:
    """Right-to-left paragraphs get ``w:bidi`` and their runs ``w:rtl``, as Word writes them."""
    if text_direction(text) != "rtl":
        return
    ppr = paragraph._p.get_or_add_pPr()
    bidi = OxmlElement("w:bidi")
    ppr.insert(0, bidi)
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        rpr.append(OxmlElement("w:rtl"))


def _para(container, text: str, style: str | None = None, *, bold_prefix: str = "") -> Paragraph:
    paragraph = container.add_paragraph(style=style)
    if bold_prefix:
        paragraph.add_run(bold_prefix).bold = True
    paragraph.add_run(text)
    _mark_rtl(paragraph, text)
    return paragraph


def _repeat_header(table: Table) -> None:
    """The first row is a header row: Word repeats it and screen readers announce it."""
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _cell(cell, text: str, *, bold: bool = False, small: str = "") -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if small:
        paragraph.add_run("\n")
        extra = paragraph.add_run(small)
        extra.font.size = Pt(8)
    _mark_rtl(paragraph, text)


def _table(doc, header: list[str] | None, rows: list[list[str | tuple[str, str]]],
           widths_mm: list[float], *, row_labels: bool = False) -> Table:
    """A "Table Grid" table; ``header`` becomes a repeating header row, and ``row_labels``
    makes the first cell of every row bold (label/value tables have no header row)."""
    table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    if header is not None:
        for cell, label in zip(table.add_row().cells, header, strict=True):
            _cell(cell, label, bold=True)
        _repeat_header(table)
    for values in rows:
        cells = table.add_row().cells
        for col, (cell, value) in enumerate(zip(cells, values, strict=True)):
            if isinstance(value, tuple):
                _cell(cell, value[0], small=value[1])
            else:
                _cell(cell, value, bold=row_labels and col == 0)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A simple Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(section, pack: Pack) -> None:
    footer = section.footer
    paragraph = footer.paragraphs[0]
    paragraph.style = "Footer"
    paragraph.add_run(f"{pack.title} · Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")


def _picture(doc, image: PageImage) -> None:
    if not image.png.startswith(PNG_SIGNATURE):
        _para(doc, f"[Page image not included: not a PNG] {image.caption}")
        return
    doc.add_picture(io.BytesIO(image.png), width=Mm(150))
    # Alt text for screen readers: the picture's docPr description.
    inline = doc.paragraphs[-1]._p.findall(".//" + qn("wp:docPr"))
    for pr in inline:
        pr.set("descr", image.caption)
        pr.set("title", image.caption)
    _para(doc, image.caption, "Caption")


def _cover(doc, pack: Pack) -> None:
    if pack.kicker():
        _para(doc, pack.kicker(), "Subtitle")
    _para(doc, pack.title, "Title")
    if pack.committee.strip():
        _para(doc, pack.committee, "Subtitle")
    _table(doc, None, [list(row) for row in pack.cover_rows()], [50, 110], row_labels=True)
    _para(doc, "Quotations are reproduced exactly as printed in each plan. Page references are "
               "the page numbers printed in the plan. The colophon at the end records the "
               "selection and library revision, so this pack can be regenerated.")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _item_title(n: int, item: PackItem) -> str:
    return f"{n}. {item.heading}" if item.heading else f"{n}. {item.citation.text()}"


def _contents(doc, pack: Pack) -> None:
    doc.add_heading("Contents", level=1)
    if pack.changes_since is not None:
        _para(doc, "Changes since the last pack", "List Bullet")
    for n, item in enumerate(pack.items, start=1):
        _para(doc, _item_title(n, item), "List Bullet")
    _para(doc, "Colophon", "List Bullet")


def _item(doc, n: int, item: PackItem, images: list[PageImage]) -> None:
    heading = doc.add_heading(level=1)
    heading.add_run(_item_title(n, item))
    _mark_rtl(heading, item.heading)
    summary = []
    if item.current_status:
        summary.append(f"Status: {item.current_status.status} "
                       f"(as at {item.current_status.as_at})")
    if item.relation:
        summary.append(next_edition(item))
    if item.tags:
        summary.append("Tags: " + ", ".join(item.tags))
    if summary:
        _para(doc, " · ".join(summary))
    if item.quote_in_body:
        _para(doc, item.quote, "Quote")
    _para(doc, item.citation.text(), bold_prefix="Source: ")
    if item.successor:
        label = _para(doc, "", bold_prefix=successor_label(item))
        label.paragraph_format.keep_with_next = True  # never stranded at a page foot
        _para(doc, item.successor, "Quote")

    doc.add_heading("Lineage across editions", level=2)
    if item.lineage:
        rows: list[list[str | tuple[str, str]]] = []
        for step in item.lineage:
            detail = " · ".join(p for p in (step.plan_date, step.stage) if p)
            rows.append([(step.plan_title, detail), (step.relation, step.verdict()),
                         QUOTED_ABOVE if step.quoted_above else step.text,
                         step.citation.text()])
        _table(doc, ["Edition", "Relation", "Wording", "Citation"], rows, [35, 27, 68, 40])
    else:
        _para(doc, "No lineage across editions has been recorded for this commitment.")

    doc.add_heading("Delivery status", level=2)
    if item.statuses:
        _table(doc, ["As at", "Status", "Rationale", "Assessed by"],
               [[e.as_at, e.status, e.rationale, e.by] for e in item.statuses],
               [27, 30, 83, 30])
    else:
        _para(doc, "No delivery status has been recorded.")

    doc.add_heading("Evidence", level=2)
    if item.evidence:
        for e in item.evidence:
            _para(doc, e.quote, "List Bullet")
            _para(doc, e.citation.text(), "List Continue", bold_prefix="Source: ")
    else:
        _para(doc, "No evidence excerpts have been attached.")

    doc.add_heading("Officer’s notes and rationale", level=2)
    if not (item.notes or item.rationale):
        _para(doc, "No notes have been written.")
    if item.notes:
        _para(doc, item.notes)
    if item.rationale:
        _para(doc, item.rationale, bold_prefix="Rationale: ")
    if item.annotator:
        _para(doc, item.annotator, bold_prefix="Recorded by: ")
    if images:
        doc.add_heading("Page images", level=2)
        for image in images:
            _picture(doc, image)


def _embed_manifest(doc, pack: Pack) -> None:
    """The regeneration manifest as a custom XML part of the document (Word keeps it)."""
    name = doc.part.package.next_partname("/customXml/item%d.xml")  # Word's template has one
    part = Part(name, "application/xml",
                docx_part_xml(manifest_json(pack, "docx")), doc.part.package)
    doc.part.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_XML)


def build_docx(pack: Pack, *, state: TaskState | None = None):  # -> docx.document.Document
    """Build the python-docx ``Document`` for ``pack`` (sanitised here)."""
    state = state or TaskState()
    pack = pack.sanitised()
    doc = Document()
    _set_language(doc, pack.language)
    props = doc.core_properties
    props.title = pack.title[:255]
    props.author = pack.author[:255]
    props.subject = f"Briefing pack for {pack.committee}"[:255]
    props.keywords = "briefing pack"
    props.language = pack.language
    props.comments = (f"Selection: {pack.selection.describe()}; library revision "
                      f"{pack.library_revision}; Plan Workbench {pack.app_version}"
                      )[:255]  # a core property's limit (a pasted paragraph as the query)
    props.revision = 1
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    for name in ("Heading 1", "Heading 2", "Title"):
        doc.styles[name].font.color.rgb = _ACCENT
    _footer(section, pack)
    _cover(doc, pack)
    _contents(doc, pack)
    if pack.changes_since is not None:
        doc.add_heading("Changes since the last pack", level=1)
        for line in pack.changes_since:
            _para(doc, line, "List Bullet")
        if not pack.changes_since:
            _para(doc, "No previous pack of this selection was found.")
    keys = {item.key for item in pack.items}
    by_item: dict[str, list[PageImage]] = {}
    loose = []
    for image in pack.page_images:
        if image.item_key in keys:
            by_item.setdefault(image.item_key, []).append(image)
        else:
            loose.append(image)
    total = max(1, len(pack.items))
    for n, item in enumerate(pack.items, start=1):
        state.raise_if_cancelled()
        state.report(0.8 * (n - 1) / total, f"Writing item {n} of {total}")
        _item(doc, n, item, by_item.get(item.key, []))
    if loose:
        doc.add_heading("Page images", level=1)
        for image in loose:
            _picture(doc, image)
    doc.add_page_break()
    doc.add_heading("Colophon", level=1)
    _para(doc, "Exporting this selection again, as at the same date from the same library "
               "revision, gives this pack exactly.")
    _table(doc, None, [[label, value] for label, value in pack.colophon()], [45, 125],
           row_labels=True)
    _embed_manifest(doc, pack)
    return doc


def write_docx(pack: Pack, out: Path, *, state: TaskState | None = None) -> Path:
    """Write the pack as an editable DOCX to ``out``, atomically.

    Raises:
        workbench.errors.Cancelled: ``state`` asked to stop; ``out`` is unchanged.
        OSError: the file could not be written; ``out`` is unchanged.
    """
    state = state or TaskState()
    doc = build_docx(pack, state=state)
    state.report(0.9, "Saving the document")
    data = io.BytesIO()  # zipped in memory: a full disk then fails one plain write, and
    doc.save(data)  # leaves no half-written zip whose clean-up prints a traceback
    path = atomic_write(out, lambda f: f.write(data.getvalue()))
    state.report(1.0, "DOCX written")
    return path
