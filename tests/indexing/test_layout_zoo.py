"""Reading order and commitment units in the layout zoo (``tests/data/layouts/zoo.py``).

A small plan excerpt is rendered in every zoo style (two columns streamed row by row, three
columns landscape with ligatures and soft hyphens, numbered headings with a contents page,
action tables with call-outs) and read back by the import pipeline: every paragraph comes back
whole and in order, words broken at line ends are mended, and the pledges are units.
"""

from __future__ import annotations

import re

import pytest

from indexing.pdf_extract import extract_file
from tests.data.layouts.zoo import STYLES, Block, render

_PROSE = [
    "The county's population has grown by more than ten per cent in the last decade and "
    "demand for services, particularly adult social care and special educational needs "
    "transport, continues to rise faster than our funding from central government.",
    "Residents told us in the consultation that roads, schools, libraries and care for older "
    "people matter most to them, and that they want information about council services to be "
    "easier to find online and by telephone.",
    "Working with district councils, the NHS and the voluntary sector, the authority spends "
    "over one billion pounds a year on public services across fifteen districts and boroughs.",
]
_PLEDGES = [
    "Resurface 250 miles of road and fix reported potholes within 28 days",
    "Open two new specialist schools for children with autism by September 2027",
    "Extend the concessionary bus pass to young carers and care leavers",
    "Install 1,000 electric vehicle charging points in partnership with districts",
]
BLOCKS = [
    Block("heading", "Getting around the county"),
    *[Block("para", t) for t in _PROSE],
    Block("subheading", "What we will do over the next four years"),
    Block("para", "We will:"),
    *[Block("bullet", t) for t in _PLEDGES],
    Block("para", "We will publish a progress report on these commitments every year."),
    *[Block("para", t) for t in reversed(_PROSE)],
] * 8


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module", params=list(STYLES))
def extracted(request, tmp_path_factory):
    style = STYLES[request.param]
    path = render(BLOCKS, style, tmp_path_factory.mktemp("zoo") / f"{style.name}.pdf",
                  "Testshire County Council")
    return style, extract_file(path)


def test_paragraphs_come_back_whole_and_in_order(extracted):
    style, e = extracted
    text = _flat(" ".join(p.text for p in e.pages))
    assert "\ufb01" not in text and "\u00ad" not in text
    pos = 0
    for block in BLOCKS:
        if block.kind != "para" or (style.callouts and re.search(r"\d", block.text)):
            continue  # (call-out boxes are read after their page's body)
        found = text.find(block.text, pos)
        assert found >= 0, (style.name, block.text[:60], text[pos:pos + 300])
        pos = found + len(block.text)


def test_pledges_are_units_with_their_lead_in(extracted):
    style, e = extracted
    units = [c for c in e.commitments if c.text in _PLEDGES]
    assert len(units) == 8 * len(_PLEDGES), [c.text for c in e.commitments]
    if not style.tables:
        assert {c.lead_in for c in units} == {"We will:"}
    else:  # the list is set as an action table: the header cell is the lead-in
        assert all(c.lead_in and c.lead_in != "We will:" for c in units)
    assert all(c.kind in ("commitment", "target") for c in units)
    yearly = [c for c in e.commitments if c.text.startswith("We will publish a progress report")]
    assert len(yearly) == 8
    # the units do not swallow the document, and no lead-in is a unit
    words = sum(len(p.text.split()) for p in e.pages)
    assert sum(len(c.text.split()) for c in e.commitments) <= 0.8 * words
    assert not any(c.text == "We will:" for c in e.commitments)
