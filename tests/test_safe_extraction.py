"""Issue 12 (Speed) with issue 15's guarantee: the import's one-pass check of a worker's
extraction (``workbench.safe_extraction.sanitised``) gives exactly what the generic
``same_length_deep`` gives, and the tuple-based ``Rect`` behaves as the dataclass did."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.model import (
    ExtractedCommitment,
    ExtractedSection,
    Extraction,
    PageText,
    Rect,
)
from workbench.safe_extraction import FIELDS, sanitised
from workbench.safe_text import same_length, same_length_deep

BAD = "\ud800\x00\x07\x1b\x7f\x85\u202e\u2066\ufffe\uffff"


def _extraction(**bad: str) -> Extraction:
    """A clean extraction; ``bad`` puts a string in one place (the keyword names it)."""
    s = bad.get
    return Extraction(
        sha256="ab" * 32, pdf_id=s("pdf_id", "id"), page_count=2, title=s("title", "Plan"),
        pages=(PageText(0, s("label", "1"), s("page", "We will act.\nMore."), False, 595.0,
                        842.0),
               PageText(1, "2", "Second page.", False, 595.0, 842.0, 91.5)),
        sections=(ExtractedSection(0, s("heading", "Plan"), 1, ("Plan", s("path", "Aims")),
                                   0, 1, s("section", "We will act.")),),
        commitments=(ExtractedCommitment(
            0, 0, s("unit", "We will act."), 0, 0, 12, lead_in=s("lead_in", ""),
            rects=(Rect(0, 72.0, 100.5, 300.25, 112.0), Rect(1, 72, 80, 90, 95)),
            kind=s("kind", "commitment")),),
        warnings=(s("warning", "page 3 could not be read"),),
        metadata={s("meta_key", "author"): s("meta_value", "A Council")},
        ocr=s("ocr", ""),
    )


@pytest.mark.parametrize("cls", [Extraction, PageText, ExtractedSection, ExtractedCommitment])
def test_every_field_of_an_extraction_is_checked(cls):
    """A field added to an extraction's parts must be listed in ``safe_extraction.FIELDS``
    (as a string, a number or a container walked there), or its strings would go unchecked."""
    strings, numbers, other = FIELDS[cls]
    assert sorted((*strings, *numbers, *other)) == sorted(f.name for f in dataclasses.fields(cls))


def test_a_clean_extraction_is_returned_as_it_is():
    ex = _extraction()
    assert same_length_deep(ex) is ex
    assert sanitised(ex) is ex


@pytest.mark.parametrize("where", ["pdf_id", "title", "label", "page", "heading", "path",
                                   "section", "unit", "lead_in", "kind", "warning", "meta_key",
                                   "meta_value", "ocr"])
def test_a_bad_character_anywhere_is_replaced_as_the_generic_walk_does(where):
    ex = _extraction(**{where: f"x{BAD}y"})
    out = sanitised(ex)
    assert out is not ex and out == same_length_deep(ex)


def test_a_value_of_an_unexpected_type_goes_through_the_generic_walk():
    unit = ExtractedCommitment(0, 0, "We will.", 0, 0, 8, rects=(("p", f"a{BAD}", 0, 0, 0),))
    ex = dataclasses.replace(_extraction(), commitments=(unit,))
    out = sanitised(ex)
    assert out == same_length_deep(ex) and out.commitments[0].rects[0][1] == same_length(f"a{BAD}")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(BAD) | st.sampled_from(string.printable), max_size=30),
       st.sampled_from(["title", "page", "path", "unit", "lead_in", "meta_value"]))
def test_same_result_as_same_length_deep(text, where):
    ex = _extraction(**{where: text})
    expected = same_length_deep(ex)
    out = sanitised(ex)
    assert out == expected
    assert (out is ex) == (expected is ex)


def test_rect_reads_compares_hashes_and_prints_as_the_dataclass_did():
    r = Rect(0, 72.0, 100.5, 300.25, 112.0)
    assert (r.page_index, r.x0, r.y0, r.x1, r.y1) == (0, 72.0, 100.5, 300.25, 112.0)
    assert r == Rect(0, 72.0, 100.5, 300.25, 112.0) and hash(r) == hash(Rect(*r))
    assert repr(r) == "Rect(page_index=0, x0=72.0, y0=100.5, x1=300.25, y1=112.0)"
    with pytest.raises(AttributeError):
        r.x0 = 1.0  # type: ignore[misc]
    assert copy.copy(r) is r and copy.deepcopy(r) is r
    assert json.dumps([r]) == "[[0, 72.0, 100.5, 300.25, 112.0]]"  # what the store keeps


def test_a_unit_and_its_boxes_survive_the_pipe():
    unit = _extraction().commitments[0]
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(unit, protocol=protocol))
        assert back == unit and all(type(r) is Rect for r in back.rects)
        assert pickle.loads(pickle.dumps(unit.rects[0], protocol=protocol)) == unit.rects[0]
    empty = dataclasses.replace(unit, rects=())
    assert pickle.loads(pickle.dumps(empty)).rects == ()
