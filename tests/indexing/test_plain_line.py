"""The one-span shortcut of the extraction makes the same ``Line`` as the general path.

``pdf_extract._plain_line`` copies what ``_make_line(_split_line(...)[0])`` does for the
commonest reader line (one span of printable ASCII) to save the span tuples (issue 12, Speed);
a difference would silently change every page, so each kind of span is checked against the
general path here.
"""
from __future__ import annotations

import pytest

from indexing import pdf_extract
from indexing.pdf_extract import _NOT_PLAIN, _make_line, _plain_line, _split_line

BOLD = pdf_extract._BOLD_FLAG


def _raw(*spans: tuple[str, int, str]) -> dict:
    """A reader line as MuPDF's ``dict`` gives it: spans of (text, flags, font)."""
    out, x = [], 72.0
    for text, flags, font in spans:
        width = 5.5 * len(text)
        out.append({"text": text, "size": 10.7, "flags": flags, "font": font,
                    "bbox": (x, 100.0, x + width, 112.0)})
        x += width
    return {"spans": out}


def _general(raw: dict, page: int, block: int):
    pieces = _split_line(raw)
    return _make_line(pieces[0], page, block) if pieces else None


@pytest.mark.parametrize("spans", [
    [("Our priorities", BOLD, "Arial-Bold")],
    [("We will expand apprenticeships by 2030.", 0, "Arial")],
    [("  leading and trailing spaces  ", 0, "Arial")],
    [("   ", 0, "Arial")],
    [("", 0, "Arial")],
    [("x", 0, "Arial")],
    [("l", 0, "Symbol")],
    [("n", 0, "ZapfDingbats")],
    [("caf\u00e9 and na\u00efve", 0, "Arial")],
    [("a\ttab", 0, "Arial")],
    [("\u00ad", 0, "Arial")],
    [("Two", BOLD, "Arial-Bold"), (" spans", 0, "Arial")],
])
def test_shortcut_matches_the_general_path(spans):
    raw = _raw(*spans)
    made = _plain_line(raw, 3, 32)
    if made is _NOT_PLAIN:
        return  # the general path reads it: nothing to compare
    assert made == _general(raw, 3, 32)


def test_shortcut_takes_the_common_lines():
    """The shortcut is used for plain and bold one-span ASCII lines, not bypassed."""
    assert _plain_line(_raw(("We will act.", 0, "Arial")), 0, 0) is not _NOT_PLAIN
    bold = _plain_line(_raw(("Our priorities", BOLD, "Arial-Bold")), 0, 0)
    assert bold is not _NOT_PLAIN and bold.bold_lead == len("Our priorities")
    assert _plain_line(_raw(("Two", 0, "Arial"), (" spans", 0, "Arial")), 0, 0) is _NOT_PLAIN
