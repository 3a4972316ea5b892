"""An item's head never ends a PDF page with its body on the next (qa13). On the sample library
a plan-pair pack put "5. Infrastructure for Communities / Source: … p. 3" at the foot of page
23 and its lineage table on page 24, again and again: the head was kept whole
(``break-inside: avoid``) but not with what follows it."""

from __future__ import annotations

import random
from dataclasses import replace

import pymupdf
import pytest

from export.pdf import render_pdf_bytes
from tests.export import packs
from workbench.pack import Pack


def varied_pack(seed: int, n: int = 60) -> Pack:
    """Items of varied heights (headings of 1-30 words, a quote in the body or not, one or two
    lineage rows), so heads fall at every height of a page."""
    rnd = random.Random(seed)
    base = packs.pathways_item()
    items = []
    for i in range(n):
        head = f"Item {i + 1}: we will" + " act" * rnd.randint(1, 30)
        quote = head if rnd.random() < 0.6 else head + " and more." * rnd.randint(1, 12)
        items.append(replace(base, key=f"k{i:04d}", heading=head, quote=quote, successor="",
                             relation="", lineage=base.lineage[: rnd.randint(1, 2)], notes=(),
                             evidence=(), statuses=()))
    return packs.sample_pack(items=tuple(items)).sanitised()


def pages_ending_with_a_head(pdf: bytes) -> list[int]:
    """Pages whose last line of body text (running header and footer left out) is an item's
    "Source: …" line, the last line of its head."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    found = []
    for number, page in enumerate(doc, start=1):
        height = page.rect.height
        body = [b[4].strip() for b in sorted(page.get_text("blocks"), key=lambda b: b[1])
                if b[4].strip() and b[1] > 60 and b[3] < height - 60]
        if body and body[-1].startswith("Source:"):
            found.append(number)
    return found


@pytest.mark.parametrize("seed", [0, 2])
def test_an_item_head_goes_with_its_body(seed):
    pdf = render_pdf_bytes(varied_pack(seed))
    assert pages_ending_with_a_head(pdf) == []
