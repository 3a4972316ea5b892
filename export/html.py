"""The briefing pack as one HTML document with CSS paged media, for the PDF writer.

Every piece of text goes through ``workbench.pack.sanitise_text`` and ``html.escape``; markup
is only ever our own constants, so notes containing ``<b>`` or ``<img src="file:///…">`` come
out as those characters. Structure is what the tagged PDF inherits: ``<html lang>``,
``<title>``, h1–h3 in order, tables with ``<th scope>``, lists, figures with ``alt``.
Emits nothing.
"""

from __future__ import annotations

import base64
import unicodedata
from html import escape

from workbench.pack import Pack, PackItem, PageImage, verdict_label

__all__ = ["FONT_STACK", "PNG_SIGNATURE", "QUOTED_ABOVE", "next_edition", "pack_html",
           "successor_label", "text_direction"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Families from Debian's fonts-noto-core, fonts-noto-cjk and fonts-dejavu-core (installed by
# scripts/workbench.sh). Pango falls back per character through fontconfig as well, but naming
# them keeps the choice stable across machines.
FONT_STACK = (
    '"Noto Sans", "DejaVu Sans", "Noto Sans Arabic", "Noto Sans Hebrew", '
    '"Noto Sans CJK SC", "Noto Sans Devanagari", "Noto Sans Symbols2", "Noto Sans Symbols", '
    '"Noto Sans Math", sans-serif'
)

_CSS = """
@page {
  size: A4;
  margin: 24mm 18mm 22mm 18mm;
  @top-left { content: string(packtitle); font-size: 8pt; color: #4a4a4a;
              vertical-align: bottom; padding-bottom: 3mm; }
  @top-right { content: string(committee); font-size: 8pt; color: #4a4a4a;
               vertical-align: bottom; padding-bottom: 3mm; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages);
                   font-size: 8pt; color: #4a4a4a; }
}
@page :first {
  @top-left { content: none; } @top-right { content: none; } @bottom-center { content: none; }
}
html { font-family: FONTS; font-size: 10.5pt; line-height: 1.42; color: #1a1a1a; }
body { margin: 0; }
* { overflow-wrap: break-word; }
h1, h2, h3 { font-weight: 700; line-height: 1.2; color: #0b3d5c; break-after: avoid; }
h1 { font-size: 26pt; margin: 0 0 6mm 0; string-set: packtitle content(); }
h2 { font-size: 15pt; margin: 0 0 3mm 0; padding-bottom: 1.5mm;
     border-bottom: 0.8pt solid #0b3d5c; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm 0; bookmark-level: none; }
p { margin: 0 0 2.5mm 0; }
.cover { page: cover; break-after: page; padding-top: 55mm; }
.cover .kicker { text-transform: uppercase; letter-spacing: 0.12em; font-size: 10pt;
                 color: #0b3d5c; margin-bottom: 4mm; }
.cover .committee { font-size: 14pt; margin-bottom: 14mm; string-set: committee content(); }
.cover table { width: 100%; margin-top: 6mm; }
.cover th, .cover td { border: none; border-top: 0.5pt solid #b8c4cc; padding: 2mm 2mm 2mm 0; }
.cover th { width: 34%; background: none; }
.colophon th { width: 24%; }
.cover .notice { margin-top: 24mm; font-size: 9pt; color: #4a4a4a; }
nav.toc { break-after: page; }
nav.toc ol { list-style: none; padding: 0; margin: 0; }
nav.toc li { margin: 0 0 1.6mm 0; }
nav.toc a { color: #1a1a1a; text-decoration: none; }
nav.toc a::after { content: leader(".") " " target-counter(attr(href), page); }
section.changes ul, section.item ul { margin: 0 0 3mm 0; padding-left: 5mm; }
section.changes { break-after: page; }
section.item { margin-top: 9mm; }
section.item .summary { color: #4a4a4a; font-size: 9.5pt; }
blockquote.quote { margin: 3mm 0 2mm 0; padding: 2.5mm 4mm; border-left: 3pt solid #0b3d5c;
                   background: #eef3f6; font-size: 11.5pt; white-space: pre-line; }
blockquote.quote p { margin: 0; }
p.cite { font-size: 9pt; color: #333; }
/* A label stays on the page of what it introduces (the next edition's wording, a table). */
p.lead { break-after: avoid; margin-bottom: 1mm; }
/* An item's head (heading, summary, quote, source) is whole on a page and never ends one: it
   goes with the start of its body, the next edition's wording or the lineage table (qa13). */
div.item-head { break-inside: avoid; break-after: avoid; }
p.lead + blockquote.quote { break-before: avoid; }
p.cite .label { font-weight: 700; }
.pre { white-space: pre-line; }
/* Fixed layout: column widths come from the header row, so no min-content pass over every
   cell (6 of 9 s for 50 pages with auto layout). */
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 1mm 0 3mm 0;
        font-size: 9pt; }
tr { break-inside: avoid; }
caption { text-align: left; font-size: 8.5pt; color: #4a4a4a; padding-bottom: 1mm;
          caption-side: top; }
th, td { border: 0.5pt solid #9aa8b2; padding: 1.4mm 1.8mm; vertical-align: top;
         text-align: left; white-space: pre-line; }
thead th { background: #dde6ec; }
tbody th { background: #f2f5f7; font-weight: 700; }
td.small, span.small { font-size: 8pt; color: #4a4a4a; }
.status-col { width: 20%; }
.edition-col { width: 20%; }
.relation-col { width: 14%; }
.cite-col { width: 22%; }
figure { margin: 3mm 0; break-inside: avoid; }
figure .page-image { position: relative; display: inline-block; line-height: 0; }
figure img { max-width: 100%; max-height: 190mm; border: 0.5pt solid #9aa8b2; }
figure .hl { position: absolute; display: block; background: rgba(255, 200, 0, 0.35);
             border: 0.8pt solid #c98f00; }
figcaption { font-size: 8.5pt; color: #333; margin-top: 1mm; }
section.colophon { break-before: page; }
section.colophon td { font-family: FONTS; }
""".replace("FONTS", FONT_STACK)


def text_direction(text: str) -> str:
    """``"rtl"`` when the first strong character is right-to-left, else ``"ltr"``."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _t(text: str) -> str:
    """Escape text for element content or a quoted attribute."""
    return escape(text, quote=True)


def _dir(text: str) -> str:
    return ' dir="rtl"' if text_direction(text) == "rtl" else ""


def _para(text: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<p{klass}{_dir(text)}>{_t(text)}</p>"


QUOTED_ABOVE = "(quoted above)"


def successor_label(item: PackItem) -> str:
    """ "What the next edition says (reversed):" — the label over the successor's wording."""
    return (f"What the next edition says ({item.relation}):" if item.relation
            else "What the next edition says:")


def next_edition(item: PackItem) -> str:
    """ "Next edition: reversed" for a verdict; a proposal says so, as its lineage row does
    ("Next edition: reversed (suggested, not yet confirmed)"): the summary line alone made a
    proposal read as a verdict (qa12)."""
    said = f"Next edition: {item.relation}"
    return said + (f" ({verdict_label(False)})" if item.relation_confirmed is False else "")


def _anchor(n: int) -> str:
    return f"item-{n}"


def _item_title(n: int, item: PackItem) -> str:
    return f"{n}. {item.heading}" if item.heading else f"{n}. {item.citation.text()}"


def _cover(pack: Pack) -> list[str]:
    out = ['<section class="cover">']
    if pack.kicker():
        out.append(f'<p class="kicker">{_t(pack.kicker())}</p>')
    out.append(f"<h1{_dir(pack.title)}>{_t(pack.title)}</h1>")
    if pack.committee.strip():
        out.append(f'<p class="committee"{_dir(pack.committee)}>{_t(pack.committee)}</p>')
    out.append("<table><caption>About this pack</caption><tbody>")
    for label, value in pack.cover_rows():
        out.append(f'<tr><th scope="row">{_t(label)}</th><td{_dir(value)}>{_t(value)}</td></tr>')
    out.append("</tbody></table>")
    out.append(
        '<p class="notice">Quotations are reproduced exactly as printed in each plan. '
        "Page references are the page numbers printed in the plan. The colophon at the end "
        "records the selection and library revision, so this pack can be regenerated.</p>"
    )
    out.append("</section>")
    return out


def _toc(pack: Pack) -> list[str]:
    out = ['<nav class="toc">', "<h2>Contents</h2>", "<ol>"]
    if pack.changes_since is not None:
        out.append('<li><a href="#changes">Changes since the last pack</a></li>')
    for n, item in enumerate(pack.items, start=1):
        title = _item_title(n, item)
        out.append(f'<li><a href="#{_anchor(n)}"{_dir(title)}>{_t(title)}</a></li>')
    if any(not p.item_key or p.item_key not in {i.key for i in pack.items}
           for p in pack.page_images):
        out.append('<li><a href="#page-images">Page images</a></li>')
    out.append('<li><a href="#colophon">Colophon</a></li>')
    out += ["</ol>", "</nav>"]
    return out


def _changes(lines: tuple[str, ...]) -> list[str]:
    out = ['<section class="changes" id="changes">', "<h2>Changes since the last pack</h2>"]
    if lines:
        out.append("<ul>")
        out += [f"<li{_dir(line)}>{_t(line)}</li>" for line in lines]
        out.append("</ul>")
    else:
        out.append("<p>No previous pack of this selection was found.</p>")
    out.append("</section>")
    return out


def _figure(image: PageImage) -> list[str]:
    if not image.png.startswith(PNG_SIGNATURE):
        return [_para(f"[Page image not included: not a PNG] {image.caption}", "small")]
    data = base64.b64encode(image.png).decode("ascii")
    # Highlight boxes are clamped floats (Pack.sanitised), so formatting them into a style
    # attribute cannot inject anything.
    marks = "".join(
        f'<span class="hl" style="left: {x0 * 100:.3f}%; top: {y0 * 100:.3f}%; '
        f'width: {(x1 - x0) * 100:.3f}%; height: {(y1 - y0) * 100:.3f}%"></span>'
        for x0, y0, x1, y1 in image.highlights
    )
    return [
        "<figure>",
        f'<div class="page-image"><img src="data:image/png;base64,{data}" '
        f'alt="{_t(image.caption)}">{marks}</div>',
        f"<figcaption{_dir(image.caption)}>{_t(image.caption)}</figcaption>",
        "</figure>",
    ]


def _lineage(item: PackItem) -> list[str]:
    out = ["<h3>Lineage across editions</h3>"]
    if not item.lineage:
        out.append(_para("No lineage across editions has been recorded for this commitment."))
        return out
    out.append(
        '<table><thead><tr><th scope="col" class="edition-col">Edition</th>'
        '<th scope="col" class="relation-col">Relation</th>'
        '<th scope="col">Wording</th><th scope="col" class="cite-col">Citation</th></tr></thead>'
        "<tbody>"
    )
    for step in item.lineage:
        wording = QUOTED_ABOVE if step.quoted_above else step.text
        detail = " · ".join(p for p in (step.plan_date, step.stage) if p)
        edition = _t(step.plan_title) + (f'<br><span class="small">{_t(detail)}</span>'
                                         if detail else "")
        check = step.verdict()
        relation = _t(step.relation) + (f'<br><span class="small">{_t(check)}</span>'
                                        if check else "")
        out.append(
            f"<tr><td{_dir(step.plan_title)}>{edition}</td><td>{relation}</td>"
            f"<td{_dir(wording)}>{_t(wording)}</td>"
            f"<td{_dir(step.citation.text())}>{_t(step.citation.text())}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _statuses(item: PackItem) -> list[str]:
    out = ["<h3>Delivery status</h3>"]
    if not item.statuses:
        out.append(_para("No delivery status has been recorded."))
        return out
    out.append(
        '<table><thead><tr><th scope="col" class="status-col">As at</th>'
        '<th scope="col" class="status-col">Status</th><th scope="col">Rationale</th>'
        '<th scope="col" class="status-col">Assessed by</th></tr></thead><tbody>'
    )
    for e in item.statuses:
        out.append(
            f"<tr><td>{_t(e.as_at)}</td><td{_dir(e.status)}>{_t(e.status)}</td>"
            f"<td{_dir(e.rationale)}>{_t(e.rationale)}</td><td{_dir(e.by)}>{_t(e.by)}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _evidence(item: PackItem) -> list[str]:
    out = ["<h3>Evidence</h3>"]
    if not item.evidence:
        out.append(_para("No evidence excerpts have been attached."))
        return out
    out.append("<ul>")
    for e in item.evidence:
        out.append(
            f"<li><p{_dir(e.quote)} class=\"pre\">{_t(e.quote)}</p>"
            f'<p class="cite"><span class="label">Source: </span>{_t(e.citation.text())}</p></li>'
        )
    out.append("</ul>")
    return out


def _notes(item: PackItem) -> list[str]:
    out = ["<h3>Officer’s notes and rationale</h3>"]
    if not (item.notes or item.rationale):
        out.append(_para("No notes have been written."))
    if item.notes:
        out.append(_para(item.notes, "pre"))
    if item.rationale:
        out.append(f'<p class="pre"{_dir(item.rationale)}><strong>Rationale: </strong>'
                   f"{_t(item.rationale)}</p>")
    if item.annotator:
        out.append(_para(f"Recorded by: {item.annotator}", "cite"))
    return out


def _item(n: int, item: PackItem, images: list[PageImage]) -> list[str]:
    title = _item_title(n, item)
    # the heading, its summary, quote and source stay on one page (never a heading alone)
    out = [f'<section class="item" id="{_anchor(n)}">', '<div class="item-head">',
           f"<h2{_dir(title)}>{_t(title)}</h2>"]
    summary = []
    current = item.current_status
    if current:
        summary.append(f"Status: {current.status} (as at {current.as_at})")
    if item.relation:
        summary.append(next_edition(item))
    if item.tags:
        summary.append("Tags: " + ", ".join(item.tags))
    if summary:
        out.append(_para(" · ".join(summary), "summary"))
    if item.quote_in_body:
        out.append(f'<blockquote class="quote"><p{_dir(item.quote)}>{_t(item.quote)}</p>'
                   "</blockquote>")
    out.append(f'<p class="cite"><span class="label">Source: </span>'
               f"<span{_dir(item.citation.text())}>{_t(item.citation.text())}</span></p>")
    out.append("</div>")
    if item.successor:
        out.append(f'<p class="cite lead"><span class="label">{_t(successor_label(item))}'
                   "</span></p>")
        out.append(f'<blockquote class="quote"><p{_dir(item.successor)}>{_t(item.successor)}'
                   "</p></blockquote>")
    out += _lineage(item)
    out += _statuses(item)
    out += _evidence(item)
    out += _notes(item)
    if images:
        out.append("<h3>Page images</h3>")
        for image in images:
            out += _figure(image)
    out.append("</section>")
    return out


def _colophon(pack: Pack) -> list[str]:
    out = ['<section class="colophon" id="colophon">', "<h2>Colophon</h2>",
           "<p>Exporting this selection again, as at the same date from the same library "
           "revision, gives this pack exactly.</p>",
           "<table><caption>Colophon</caption><tbody>"]
    for label, value in pack.colophon():
        out.append(f'<tr><th scope="row">{_t(label)}</th><td{_dir(value)}>{_t(value)}</td></tr>')
    out += ["</tbody></table>", "</section>"]
    return out


def pack_html(pack: Pack) -> str:
    """The whole pack as an HTML document (the pack should already be sanitised).

    Args:
        pack: the pack, after ``Pack.sanitised()``.

    Returns:
        A complete HTML5 document; its only external references are ``data:`` page images.
    """
    keys = {item.key for item in pack.items}
    by_item: dict[str, list[PageImage]] = {}
    loose: list[PageImage] = []
    for image in pack.page_images:
        if image.item_key and image.item_key in keys:
            by_item.setdefault(image.item_key, []).append(image)
        else:
            loose.append(image)
    lang = _t(pack.language)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_t(pack.title)}</title>",
        f'<meta name="author" content="{_t(pack.author)}">',
        f'<meta name="description" content="{_t("Briefing pack for " + pack.committee)}">',
        f'<meta name="keywords" content="{_t(", ".join(["briefing pack", pack.committee]))}">',
        f'<meta name="generator" content="{_t("Plan Workbench " + pack.app_version)}">',
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]
    out += _cover(pack)
    out += _toc(pack)
    if pack.changes_since is not None:
        out += _changes(pack.changes_since)
    for n, item in enumerate(pack.items, start=1):
        out += _item(n, item, by_item.get(item.key, []))
    if loose:
        out += ['<section class="item" id="page-images">', "<h2>Page images</h2>"]
        for image in loose:
            out += _figure(image)
        out.append("</section>")
    out += _colophon(pack)
    out += ["</body>", "</html>"]
    return "\n".join(out)
