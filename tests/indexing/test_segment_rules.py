"""Unit tests of the pure rules: clean-up, headings, segmentation, commitments (synthetic input)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexing import cleanup
from indexing.cleanup import Line, RawPage, assemble_pages, join_lines, split_bullet
from indexing.commitment_features import Context, features
from indexing.commitments import find_commitments, lead_in_of, sentences
from indexing.headings import FontSizeRule, OutlineRule, looks_like_heading
from indexing.segment import segment
from workbench.model import Span


def line(text, y, *, size=10.0, bold=False, x0=56.0, x1=400.0, page=0, block=0):
    return Line(text, size, bold, page, x0, y, x1, y + size * 1.2, block,
                len(text) if bold else 0)


def test_normalise_text():
    assert cleanup.normalise_text("e\ufb03cient \ufb01nance\u00a0now co\u00adoperate") == \
        "efficient finance now cooperate"
    assert cleanup.normalise_text("cafe\u0301") == "café"


def test_symbol_font_glyphs():
    assert cleanup.fix_symbol_glyph("l", "Wingdings-Regular") == "•"
    assert cleanup.fix_symbol_glyph("ü", "Wingdings") == "✓"
    assert cleanup.fix_symbol_glyph("l", "Arial") == "l"
    assert cleanup.fix_symbol_glyph("✓", "NotoSansSymbols2") == "✓"


def test_split_bullet_variants():
    for glyph in "•●▪◦\uf0b7":
        assert split_bullet(f"{glyph} Item", dash_allowed=False) == ("•", "Item")
    assert split_bullet("✔ Pledge", dash_allowed=False) == ("✓", "Pledge")
    assert split_bullet("l Keep roads", dash_allowed=False) == ("•", "Keep roads")
    assert split_bullet("– item", dash_allowed=True) == ("•", "item")
    assert split_bullet("– for our residents", dash_allowed=False) == ("", "– for our residents")
    assert split_bullet("long-term plans", dash_allowed=True) == ("", "long-term plans")


def test_join_lines_hyphenation():
    assert join_lines(["better infra-", "structure for all"]) == "better infrastructure for all"
    assert join_lines(["a long-", "term view"]) == "a long-term view"
    assert join_lines(["day-", "to-day running"]) == "day-to-day running"
    assert join_lines(["the long-term", "plan"]) == "the long-term plan"
    assert join_lines(["Kent County", "Council -", "and partners"]) == "Kent County Council - and partners"
    assert join_lines(["  spaced   out ", " words  "]) == "spaced out words"


def test_page_numbers():
    assert cleanup.page_number_in("Page 3") == "3"
    assert cleanup.page_number_in("- 12 -") == "12"
    assert cleanup.page_number_in("iv") == "iv"
    assert cleanup.page_number_in("3 of 20") == "3"
    assert cleanup.page_number_in("2022") is None
    assert cleanup.page_number_in("Kent 2022") is None


def _page(i, lines, height=842.0):
    return RawPage(i, 595.0, height, lines)


def test_running_header_and_footer_dropped_and_label_read():
    pages = []
    for i in range(5):
        pages.append(_page(i, [
            line("Kent Plan 2024-2028", 20, size=8),
            line(f"Body text of page {i}", 100),
            line(f"Page {i + 7}", 810, size=8, x0=500, x1=540),
        ]))
    out = assemble_pages(pages)
    assert [p.text for p in out] == [f"Body text of page {i}" for i in range(5)]
    assert [p.label for p in out] == ["7", "8", "9", "10", "11"]


def test_band_text_on_too_few_pages_is_kept():
    pages = [_page(0, [line("A note at the top", 20, size=8), line("Body", 100)]),
             _page(1, [line("Body two", 100)])]
    assert assemble_pages(pages)[0].text == "A note at the top\nBody"


def test_two_columns_ordered_column_by_column():
    left = [line(f"left {i}", 100 + 14 * i, x0=56, x1=280, block=1) for i in range(4)]
    # (a column starting in lower case would continue the other one's paragraph)
    right = [line(f"{'Right' if i == 0 else 'right'} {i}", 100 + 14 * i, x0=310, x1=540, block=1)
             for i in range(4)]
    interleaved = [ln for pair in zip(left, right, strict=True) for ln in pair]
    head = line("Full width heading", 60, size=16, x0=56, x1=540, block=0)
    out = assemble_pages([_page(0, [head, *interleaved])])[0]
    assert out.text == ("Full width heading\nleft 0 left 1 left 2 left 3\n"
                        "Right 0 right 1 right 2 right 3")


def test_heading_across_columns_separates_bands():
    top_l = [line(f"a{i}", 100 + 14 * i, x0=56, x1=280, block=1) for i in range(3)]
    top_r = [line(f"B{i}", 100 + 14 * i, x0=310, x1=540, block=2) for i in range(3)]
    mid = line("Section two", 170, size=14, bold=True, x0=56, x1=150, block=3)
    bot_l = [line(f"c{i}", 200 + 14 * i, x0=56, x1=280, block=4) for i in range(3)]
    bot_r = [line(f"D{i}", 200 + 14 * i, x0=310, x1=540, block=5) for i in range(3)]
    out = assemble_pages([_page(0, [*top_l, *top_r, mid, *bot_l, *bot_r])])[0]
    assert out.text.split("\n") == ["a0 a1 a2", "B0 B1 B2", "Section two", "c0 c1 c2", "D0 D1 D2"]


def test_font_size_rule_body_from_data_without_12pt_floor():
    spans = [Span("Body " * 40, 8.0, False, 0)] * 20 + [
        Span("Chapter one", 14.0, True, 0), Span("Chapter two", 14.0, True, 1),
        Span("Part a", 11.0, True, 0), Span("Part b", 11.0, True, 1),
        Span("Cover Title", 30.0, True, 0),
    ]
    rule = FontSizeRule(spans)
    assert rule.body_size == 8.0
    assert rule.level_of(Span("Chapter three", 14.0, True, 2), 2) == 1
    assert rule.level_of(Span("Part c", 11.0, True, 2), 2) == 2
    assert rule.level_of(Span("Cover Title", 30.0, True, 0), 0) == 1
    assert rule.level_of(Span("Plain body sentence.", 8.0, False, 0), 0) is None
    assert rule.level_of(Span("We will:", 8.0, True, 0), 0) is None
    assert rule.level_of(Span("Priority 2: Better roads", 8.0, False, 0), 0) == 3
    assert rule.level_of(Span("1. Bold numbered", 8.0, True, 0), 0) == 3
    assert rule.level_of(Span("1. a list item", 8.0, False, 0), 0) is None
    assert rule.level_of(Span("Chapter " + "word " * 30, 14.0, True, 0), 0) is None


def test_outline_rule_matches_fuzzy_and_truncated():
    rule = OutlineRule([[1, "Leader’s  Foreword", 2], [2, "Interim change to implement the", 4]],
                       body_size=10.0)
    assert rule.level_of(Span("LEADER'S FOREWORD", 17, True, 1), 1) == 1
    assert rule.level_of(Span("Leader's Foreword", 17, True, 5), 5) is None  # wrong page
    assert rule.level_of(Span("Interim change to implement the new plan", 11, True, 3), 3) == 2
    assert rule.level_of(Span("Interim change to implement the new plan", 10, False, 3), 3) is None


def test_looks_like_heading():
    assert looks_like_heading("AIM 1: PUTTING KENT RESIDENTS FIRST")
    assert not looks_like_heading("Roger Gough,")
    assert not looks_like_heading("• a bullet")
    assert not looks_like_heading("This is a long sentence that goes on and on with words.")


def test_lead_ins():
    assert lead_in_of("We will:") == "We will:"
    assert lead_in_of("Our priorities will be to:") == "Our priorities will be to:"
    assert lead_in_of("Kent. Together, we will:") == "Together, we will:"
    assert lead_in_of("Our four priorities are:") == "Our four priorities are:"
    assert lead_in_of("A paragraph that ends with a full stop.") is None


def test_sentences_keep_offsets_and_abbreviations():
    text = "We will build homes, e.g. flats. Demand rose 5% in 2020! Will it? Yes."
    parts = [text[s:e] for s, e in sentences(text)]
    assert parts == ["We will build homes, e.g. flats.", "Demand rose 5% in 2020!",
                     "Will it?", "Yes."]


def test_features_are_general_cues():
    item = features("Expand apprenticeships for all ages by 2026",
                    Context("bullet", "Our objectives:", "Skills"))
    assert {"opens_verb", "date", "has_lead", "lead_action", "verb_item_in_context"} <= set(item)
    sentence = features("We will publish the results every year.", Context("sentence"))
    assert {"subject_modal", "will", "sentence_we_will", "clean_promise"} <= set(sentence)
    fact = features("Residents told us that roads matter most.", Context("sentence"))
    assert "reported" in fact and "subject_modal" not in fact
    measure = features("Number of young people in education", Context("bullet", "", "Measures"))
    assert {"opens_measure", "head_measure"} <= set(measure)


def test_adverb_before_an_opening_verb_and_shape_interactions():
    for text in ("Always consider the interests of residents.", "Proactively engage with residents."):
        f = features(text, Context("bullet", "We will:", "How we work"))
        assert {"opens_verb", "verb_item_in_context", "item*opens_verb"} <= set(f), text
    assert "opens_verb" not in features("Only a few roads were mended.", Context("bullet"))
    title = features("Healthy towns", Context("bullet", "We have three priorities:", ""))
    assert "title_item_in_context" in title
    sentence = features("We will publish results.", Context("sentence"))
    assert "sentence*will" in sentence and "item*will" not in sentence


def _doc(pages_lines):
    layouts = assemble_pages([_page(i, lines) for i, lines in enumerate(pages_lines)])
    spans = [p.as_span() for page in layouts for p in page.paragraphs]
    rule = FontSizeRule(spans)
    sections, roles = segment(layouts, rule, "Doc title")
    return layouts, sections, find_commitments(layouts, sections, roles)


def test_segment_and_commitments_end_to_end():
    body = [line("Intro before any heading.", 60, block=0)]
    body += [line("Priority 1: Roads", 100, size=16, bold=True, block=1)]
    body += [line("Text under roads that is long enough to be body text.", 130, block=2)]
    body += [line("We will:", 160, bold=True, block=3)]
    body += [line("• Fix potholes quickly", 180, block=4),
             line("and well", 192, x0=66, block=4)]
    body += [line("• Resurface 100 miles", 210, block=5)]
    body += [line("A closing paragraph ends the list.", 240, block=6)]
    body += [line("Residents said the roads were poor.", 260, block=7)]
    body += [line("We will also publish results.", 290, block=8)]
    body += [line("Priority 2: Care", 320, size=16, bold=True, block=9)]
    body += [line("Body of care.", 350, block=10)]
    layouts, sections, units = _doc([body, [line("More filler body text here.", 60)]])
    assert [(s.heading, s.level) for s in sections] == [
        ("Doc title", 1), ("Priority 1: Roads", 1), ("Priority 2: Care", 1)]
    assert sections[0].text == "Intro before any heading." and sections[0].char_start == 0
    assert sections[1].char_start == layouts[0].text.index("Priority 1: Roads")
    assert sections[2].page_end == 1
    got = [(u.text, u.lead_in, u.section_ordinal) for u in units]
    expected = [("Fix potholes quickly and well", "We will:", 1),
                ("Resurface 100 miles", "We will:", 1),
                ("We will also publish results.", "", 1)]
    assert [g for g in got if g in expected] == expected  # in reading order
    assert "We will:" not in [u.text for u in units]  # a lead-in is context, not a unit
    first = units[[u.text for u in units].index("Fix potholes quickly and well")]
    assert layouts[0].text[first.char_start:first.char_end] == first.text
    assert len(first.rects) == 2


@given(st.lists(st.text(alphabet="abc -–•✓l\u00adﬁ", min_size=0, max_size=12), max_size=6))
def test_join_lines_never_crashes_and_collapses_space(texts):
    out = join_lines(cleanup.normalise_text(t) for t in texts)
    assert "  " not in out and out == out.strip()


def test_paragraph_carried_into_the_next_column_is_mended():
    left = [line(f"left words {i} and more words to fill the line", 100 + 14 * i, x0=56, x1=280,
                 block=1) for i in range(5)]
    left[-1] = line("the sentence carries on into the", 156, x0=56, x1=280, block=1)
    right = [line("next column and ends here.", 100, x0=310, x1=540, block=2),
             *[line(f"Right {i} words and more words to fill", 114 + 14 * i, x0=310, x1=540,
                    block=3) for i in range(4)]]
    right[1] = line("A new paragraph starts after a gap.", 122, x0=310, x1=540, block=3)
    out = assemble_pages([_page(0, [*left, *right])])[0]
    assert "the sentence carries on into the next column and ends here." in out.text
