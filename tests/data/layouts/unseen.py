"""Realistic council-plan layouts the pipeline has not been tuned on, with ground truth.

Each ``Layout`` builds a small PDF with ``tests.pdfgen`` (deterministic, built at test time)
and records what a reader would say the document contains:

* ``headings``: ``(level, printed text)`` of every real heading, in order (no contents entries,
  no table cells, no call-out box titles);
* ``commitments``: the text of every pledge (list items under "We will:", ✓ lines, "We will
  ..." paragraphs, the "Action" cells of an action table), without the list marker;
* ``labels``: the printed page label of every page.

Used by ``tests/indexing/test_unseen_layouts.py`` and ``bench/eval_segmentation.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.pdfgen import BODY, Page, Para, Table, bullet, heading, make_pdf, para

__all__ = ["LAYOUTS", "Layout", "build"]


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    pages: Callable[[], list[Page]]
    headings: list[tuple[int, str]]
    commitments: list[str]
    labels: list[str]
    outline: list[list[object]] | None = None
    page_labels: list[dict[str, object]] | None = None
    extra: dict[str, object] = field(default_factory=dict)


def build(layout: Layout, folder: Path) -> Path:
    """Write ``layout`` as ``folder/<name>.pdf`` and return the path."""
    return make_pdf(folder / f"{layout.name}.pdf", layout.pages(), outline=layout.outline,
                    page_labels=layout.page_labels, title=f"Evaluation layout {layout.name}")


def _body(seed: int, n: int = 60) -> str:
    """Plausible council prose (deterministic)."""
    sentences = [
        "The county has grown by more than ten per cent in the last decade and demand for "
        "services continues to rise faster than our funding.",
        "Residents told us in the consultation that roads, schools and care for older people "
        "matter most to them.",
        "Working with district councils, the NHS and the voluntary sector, the council spends "
        "over one billion pounds a year on public services.",
        "This plan sets out how we will use that money to make a difference where it counts, "
        "and how we will measure whether we have succeeded.",
        "Our budget is under pressure from inflation, rising need in adult social care and the "
        "cost of placements for children in care.",
        "We have listened to young people, businesses and parish councils, and their views have "
        "shaped the priorities in this document.",
        "Progress against each priority will be reported to Cabinet every quarter and published "
        "on our website.",
    ]
    out: list[str] = []
    i = seed
    while len(" ".join(out).split()) < n:
        out.append(sentences[i % len(sentences)])
        i += 3
    return " ".join(out)


def S(n: int) -> str:  # noqa: N802 - short helper for prose paragraphs
    return _body(n, 45)


# --- (a) two columns, full-width headings, running header varying by chapter, "Page N" ----------

_A_ITEMS = [
    ["Attract 2,000 new jobs to the county's growth areas by 2028",
     "Support small businesses with a single advice service",
     "Open two new skills centres with further education colleges"],
    ["Build 1,500 affordable homes on council-owned land",
     "Bring 300 empty homes back into use each year",
     "Work with landlords to raise standards in private rented housing"],
    ["Resurface 250 miles of road and fix potholes within 28 days",
     "Extend the concessionary bus pass to young carers",
     "Install 1,000 new electric vehicle charging points"],
]


def _layout_a() -> list[Page]:
    chapters = ["A thriving economy", "Homes for everyone", "Getting around"]
    pages = []
    for n, (chapter, items) in enumerate(zip(chapters, _A_ITEMS, strict=True), start=1):
        header = f"Medway Council Plan 2024-2028  |  {chapter}"
        pages.append(Page([
            heading(f"Priority {n}: {chapter}", 1),
            para(S(n)), para(S(n + 1)),
            heading("What we will do", 2, full_width=False),
            para("We will:"), *[bullet(t) for t in items],
            para(S(n + 2)),
        ], columns=2, header=header, footer="Page {label}"))
        pages.append(Page([
            heading("How we will measure success", 2),
            para(S(n + 3)), para(S(n + 4)), para(S(n + 5)),
            para(f"We will publish a progress report on {chapter.lower()} every year."),
            para(S(n + 6)),
        ], columns=2, header=header, footer="Page {label}"))
    return pages


LAYOUT_A = Layout(
    "a_two_column",
    "two columns, full-width headings, running header varying by chapter, Page N, no outline",
    _layout_a,
    headings=[h for n, c in enumerate(["A thriving economy", "Homes for everyone",
                                       "Getting around"], start=1)
              for h in ((1, f"Priority {n}: {c}"), (2, "What we will do"),
                        (2, "How we will measure success"))],
    commitments=[t for n, c in enumerate(["A thriving economy", "Homes for everyone",
                                          "Getting around"])
                 for t in (*_A_ITEMS[n],
                           f"We will publish a progress report on {c.lower()} every year.")],
    labels=[str(i) for i in range(1, 7)],
)

# --- (b) roman front matter, then arabic -------------------------------------------------------

_ROMAN = ["i", "ii", "iii", "iv"]
_B_ITEMS = ["Keep council tax rises below inflation", "Protect frontline library services",
            "Answer 90% of calls within two minutes"]


def _layout_b() -> list[Page]:
    front = [
        Page([heading("Foreword by the Leader", 1), para(S(1)), para(S(2))],
             footer="{label}", label="i", footer_align="center"),
        Page([para(S(3)), para(S(4)), para(S(5))], footer="{label}", label="ii",
             footer_align="center"),
        Page([heading("About this plan", 1), para(S(6)), para(S(7))], footer="{label}",
             label="iii", footer_align="center"),
        Page([heading("Our values", 2), para(S(8)), para(S(9))], footer="{label}",
             label="iv", footer_align="center"),
    ]
    body = [
        Page([heading("Priority 1: Value for money", 1), para(S(10)), para("We will:"),
              *[bullet(t) for t in _B_ITEMS], para(S(11))], footer="{label}", label="1",
             footer_align="center"),
        Page([heading("Priority 2: Safer communities", 1), para(S(12)),
              para("We will work with Kent Police to cut anti-social behaviour by a fifth."),
              para(S(13))], footer="{label}", label="2", footer_align="center"),
        Page([heading("Monitoring and review", 2), para(S(14)), para(S(15))],
             footer="{label}", label="3", footer_align="center"),
    ]
    return front + body


_B_TRUTH = dict(
    headings=[(1, "Foreword by the Leader"), (1, "About this plan"), (2, "Our values"),
              (1, "Priority 1: Value for money"), (1, "Priority 2: Safer communities"),
              (2, "Monitoring and review")],
    commitments=[*_B_ITEMS,
                 "We will work with Kent Police to cut anti-social behaviour by a fifth."],
    labels=[*_ROMAN, "1", "2", "3"],
)
LAYOUT_B1 = Layout("b_roman_pagelabels", "roman front matter i-iv then arabic, with /PageLabels",
                   _layout_b, page_labels=[
                       {"startpage": 0, "prefix": "", "style": "r", "firstpagenum": 1},
                       {"startpage": 4, "prefix": "", "style": "D", "firstpagenum": 1}],
                   **_B_TRUTH)  # type: ignore[arg-type]
LAYOUT_B2 = Layout("b_roman_printed", "roman front matter i-iv then arabic, printed only",
                   _layout_b, **_B_TRUTH)  # type: ignore[arg-type]

# --- (c) numbered headings at body size, bold ----------------------------------------------------


def _h(text: str) -> Para:
    return Para(text, size=BODY, bold=True, gap_after=4.0, gap_before=6.0)


_C_ITEMS = ["Reduce the council's carbon emissions to net zero by 2030",
            "Plant 100,000 trees on council land",
            "Double the number of school streets"]


def _layout_c() -> list[Page]:
    return [
        Page([_h("1. Introduction"), para(S(1)), _h("1.1 Purpose of this plan"), para(S(2)),
              _h("1.2 How the plan was developed"), para(S(3)), para(S(4))],
             footer="Page {label}"),
        Page([_h("2. Our priorities"), para(S(5)), _h("2.1 Climate and nature"), para(S(6)),
              para("By 2030 we will:"), *[bullet(t, "–") for t in _C_ITEMS],
              _h("2.1.1 Measures of success"), para(S(7)),
              para("1. Tonnes of carbon emitted by council buildings each year."),
              para("2. Number of trees planted."), para(S(8))],
             footer="Page {label}"),
        Page([_h("2.2 Children and young people"), para(S(9)),
              para("We will open 500 new special school places by September 2026."),
              _h("3. Delivering the plan"), para(S(10)), para(S(11))],
             footer="Page {label}"),
    ]


LAYOUT_C = Layout(
    "c_numbered_bold", "numbered headings 1. / 1.1 / 2.1.1 at body size, bold", _layout_c,
    headings=[(1, "1. Introduction"), (2, "1.1 Purpose of this plan"),
              (2, "1.2 How the plan was developed"), (1, "2. Our priorities"),
              (2, "2.1 Climate and nature"), (3, "2.1.1 Measures of success"),
              (2, "2.2 Children and young people"), (1, "3. Delivering the plan")],
    commitments=[*_C_ITEMS, "We will open 500 new special school places by September 2026."],
    labels=["1", "2", "3"],
)

# --- (d) an action table --------------------------------------------------------------------------

_D_ROWS = [
    ["Action", "Lead", "By when"],
    ["Build 500 new council homes on brownfield sites", "Housing", "March 2026"],
    ["Introduce a single front door for adult social care referrals", "Adult Services",
     "December 2025"],
    ["Roll out free school meals to every primary pupil", "Education", "September 2025"],
    ["Publish a new local transport plan", "Highways", "2026"],
]


def _layout_d() -> list[Page]:
    return [
        Page([heading("Delivery plan", 1), para(S(1)),
              para("The table below sets out the key actions for the first year."),
              Table(_D_ROWS, widths=(0.56, 0.24, 0.2)),
              heading("Risks", 2), para(S(2)), para(S(3))], footer="Page {label}"),
        Page([heading("Resources", 2), para(S(4)),
              Table([["Service", "Budget 2024/25", "Change"],
                     ["Adult social care", "£512m", "+6%"],
                     ["Children's services", "£298m", "+4%"],
                     ["Highways and transport", "£120m", "-2%"]], widths=(0.5, 0.3, 0.2)),
              para(S(5))], footer="Page {label}"),
    ]


LAYOUT_D = Layout(
    "d_action_table", "ruled table Action | Lead | By when; a budget table", _layout_d,
    headings=[(1, "Delivery plan"), (2, "Risks"), (2, "Resources")],
    commitments=[row[0] for row in _D_ROWS[1:]],
    labels=["1", "2"],
    extra={"table_order": [c for row in _D_ROWS for c in row]},
)

# --- (e) sidebar / call-out box -----------------------------------------------------------------

_E_ITEMS = ["Give every care leaver a personal adviser until they are 25",
            "Recruit 100 more foster carers", "Cut agency social worker use by half"]


def _layout_e() -> list[Page]:
    side = [Para("Did you know?", size=12.0, bold=True),
            para("Around 1,900 children are looked after by the county council."),
            bullet("1 in 4 are placed outside the county"), bullet("60% are aged over 10")]
    side2 = [Para("Case study: Ashford", size=12.0, bold=True),
             para("A young carer told us how the new hub helped her family stay together."),
             para("She now volunteers to help others.")]
    return [
        Page([heading("Children and families", 1), para(S(1)), para(S(2)), para("We will:"),
              *[bullet(t) for t in _E_ITEMS], para(S(3))], sidebar=side,
             footer="Page {label}"),
        Page([heading("Early help", 2), para(S(4)), para(S(5)),
              para("We will open family hubs in every district by 2026."), para(S(6))],
             sidebar=side2, footer="Page {label}"),
        Page([heading("Adults and older people", 1), para(S(7)), para(S(8))],
             footer="Page {label}"),
    ]


LAYOUT_E = Layout(
    "e_sidebar", "shaded call-out boxes beside the body, with bold titles and bullets",
    _layout_e,
    headings=[(1, "Children and families"), (2, "Early help"), (1, "Adults and older people")],
    commitments=[*_E_ITEMS, "We will open family hubs in every district by 2026."],
    labels=["1", "2", "3"],
)

# --- (f) ALL CAPS headings at body size; bold-only subheadings ---------------------------------

_F_ITEMS = ["Keep all 99 libraries open", "Extend opening hours at weekends",
            "Lend digital devices to residents who need them"]


def _layout_f() -> list[Page]:
    return [
        Page([_h("OUR PRIORITIES FOR 2025"), para(S(1)), _h("Libraries and culture"), para(S(2)),
              para("We will:"), *[bullet(t, "●") for t in _F_ITEMS],
              Para("Key fact: the NHS and KCC share 40 buildings across the county.", size=BODY),
              para(S(3))], footer="{label}"),
        Page([_h("Community safety"), para(S(4)),
              para("We will fund 20 new PCSOs with Kent Police."), para(S(5)),
              _h("FINANCE AND RESOURCES"), para(S(6)), _h("Capital programme"), para(S(7))],
             footer="{label}"),
    ]


LAYOUT_F = Layout(
    "f_caps_bold", "ALL CAPS headings and bold-only subheadings, all at body size", _layout_f,
    headings=[(1, "OUR PRIORITIES FOR 2025"), (2, "Libraries and culture"),
              (2, "Community safety"), (1, "FINANCE AND RESOURCES"), (2, "Capital programme")],
    commitments=[*_F_ITEMS, "We will fund 20 new PCSOs with Kent Police."],
    labels=["1", "2"],
)

# --- (g) a contents page ------------------------------------------------------------------------

_G_ITEMS = ["Fill 95% of potholes within 28 days", "Keep every household waste centre open",
            "Grit 2,000 miles of road each winter"]


def _toc(text: str, page: str, *, bold: bool = False, dots: bool = True) -> Para:
    t = f"{text} {'.' * 40}" if dots else text
    return Para(t, bold=bold, right=page, gap_after=2.0)


def _layout_g() -> list[Page]:
    return [
        Page([heading("Contents", 1),
              _toc("1. Introduction", "2", bold=True), _toc("1.1 Our vision", "2"),
              _toc("2. Our commitments", "3", bold=True),
              _toc("We will keep Kent moving", "3", dots=False),
              _toc("2.1 Roads and waste", "3"), _toc("3. Measuring progress", "4", bold=True),
              _toc("Appendix: Glossary", "4", dots=False)], footer="Page {label}"),
        Page([heading("1. Introduction", 1), para(S(1)), heading("1.1 Our vision", 2),
              para(S(2)), para(S(3))], footer="Page {label}"),
        Page([heading("2. Our commitments", 1), para(S(4)),
              para("We will keep Kent moving with better roads and buses."),
              heading("2.1 Roads and waste", 2), para("We will:"),
              *[bullet(t) for t in _G_ITEMS]], footer="Page {label}"),
        Page([heading("3. Measuring progress", 1), para(S(5)),
              heading("Appendix: Glossary", 1), para(S(6))], footer="Page {label}"),
    ]


LAYOUT_G = Layout(
    "g_contents_page", "a contents page with dot leaders and right-aligned page numbers",
    _layout_g,
    headings=[(1, "Contents"), (1, "1. Introduction"), (2, "1.1 Our vision"),
              (1, "2. Our commitments"), (2, "2.1 Roads and waste"),
              (1, "3. Measuring progress"), (1, "Appendix: Glossary")],
    commitments=["We will keep Kent moving with better roads and buses.", *_G_ITEMS],
    labels=["1", "2", "3", "4"],
)

# --- (h) outline titles truncated / differing in case and punctuation ----------------------------

_H_ITEMS = ["Create a business growth fund of £10m", "Help 500 residents into apprenticeships"]


def _layout_h() -> list[Page]:
    return [
        Page([heading("Introduction", 1), para(S(1)), para(S(2))], footer="Page {label}"),
        Page([heading("Priority 1: Growing the economy", 1), para(S(3)),
              heading("Supporting businesses to start and grow", 2), para("We will:"),
              *[bullet(t) for t in _H_ITEMS], heading("Skills and jobs", 2), para(S(4))],
             footer="Page {label}"),
        Page([heading("Priority 2: Homes for everyone", 1), para(S(5)),
              heading("Our Housing Pledges:", 2),
              bullet("Build 400 homes for social rent", "✓"),
              bullet("End rough sleeping by 2027", "✓"), para(S(6))],
             footer="Page {label}"),
    ]


LAYOUT_H = Layout(
    "h_messy_outline", "outline titles truncated, differently cased and punctuated",
    _layout_h,
    outline=[[1, "INTRODUCTION", 1], [1, "Priority 1 - Growing the economy", 2],
             [2, "Supporting businesses to start and", 2], [2, "Skills & jobs", 2],
             [1, "Priority 2 – Homes for Everyone", 3], [2, "Our housing pledges", 4]],
    headings=[(1, "Introduction"), (1, "Priority 1: Growing the economy"),
              (2, "Supporting businesses to start and grow"), (2, "Skills and jobs"),
              (1, "Priority 2: Homes for everyone"), (2, "Our Housing Pledges:")],
    commitments=[*_H_ITEMS, "Build 400 homes for social rent", "End rough sleeping by 2027"],
    labels=["1", "2", "3"],
)

# --- (i) Symbol/Wingdings bullets and hyphenated line breaks -------------------------------------


def _layout_i() -> list[Page]:
    return [
        Page([heading("Transport and infrastructure", 1), para(S(1)), para("We will:"),
              bullet("Deliver the new infra-\nstructure the county needs", "l", "wingdings"),
              bullet("Agree a long-\nterm funding deal for buses", "§", "wingdings"),
              bullet("Campaign for the Lower Thames Crossing", "Ø", "wingdings"),
              bullet("Improve rail links to London", "\u2022", "symbol"),
              para(S(2)),
              heading("Environment", 2), para("Our commitments are to:"),
              bullet("Reduce waste sent to land-\nfill to under 5%", "\u2022", "symbol"),
              bullet("Protect ancient woodland", "l"),
              para(S(3))], footer="Page {label}"),
    ]


LAYOUT_I = Layout(
    "i_symbol_bullets", "Wingdings l/§/Ø and Symbol U+F0B7 bullets, hyphenated line breaks",
    _layout_i,
    headings=[(1, "Transport and infrastructure"), (2, "Environment")],
    commitments=["Deliver the new infrastructure the county needs",
                 "Agree a long-term funding deal for buses",
                 "Campaign for the Lower Thames Crossing", "Improve rail links to London",
                 "Reduce waste sent to landfill to under 5%", "Protect ancient woodland"],
    labels=["1"],
)

# --- (j) page labels printed as "- 7 -" or "7 | Kent County Council" ----------------------------


def _layout_j(style: str) -> Callable[[], list[Page]]:
    def pages() -> list[Page]:
        out = []
        for k in range(4):
            n = 7 + k
            if style == "dash":
                footer, align = "- {label} -", "center"
            elif n % 2:
                footer, align = "{label} | Kent County Council", "left"
            else:
                footer, align = "Kent County Council | {label}", "right"
            body: list[Para | str] = [heading(f"Section {k + 1} title here", 1)] if k % 2 == 0 \
                else []
            body += [para(S(k)), para(S(k + 1)), para(f"We will review service {k + 1} by 2026.")]
            out.append(Page(body, footer=footer, footer_align=align, label=str(n)))
        return out
    return pages


LAYOUT_J1 = Layout(
    "j_dash_labels", 'footer page labels "- 7 -" starting at 7', _layout_j("dash"),
    headings=[(1, "Section 1 title here"), (1, "Section 3 title here")],
    commitments=[f"We will review service {k + 1} by 2026." for k in range(4)],
    labels=["7", "8", "9", "10"],
)
LAYOUT_J2 = Layout(
    "j_pipe_labels", 'footer page labels "7 | Kent County Council", alternating sides',
    _layout_j("pipe"),
    headings=[(1, "Section 1 title here"), (1, "Section 3 title here")],
    commitments=[f"We will review service {k + 1} by 2026." for k in range(4)],
    labels=["7", "8", "9", "10"],
)

LAYOUTS: dict[str, Layout] = {lay.name: lay for lay in (
    LAYOUT_A, LAYOUT_B1, LAYOUT_B2, LAYOUT_C, LAYOUT_D, LAYOUT_E, LAYOUT_F, LAYOUT_G, LAYOUT_H,
    LAYOUT_I, LAYOUT_J1, LAYOUT_J2)}
