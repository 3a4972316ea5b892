"""The engine on awkward input: empty plans, empty or hostile text, wrapped lines."""

from __future__ import annotations

from workbench.matching import PlanIndex, plan_passages
from workbench.matching.align import align_sections, section_similarity
from workbench.text import entities, sentences, tokens


def test_empty_plan_and_empty_source_give_no_successor():
    empty = PlanIndex([])
    assert empty.rank("We will open ten libraries.").no_successor
    index = PlanIndex(plan_passages("p", [], (), [(0, "1", "We will open ten new libraries.")]))
    assert index.rank("   ").no_successor
    assert index.rank_many([]) == []


def test_hostile_text_does_not_break_the_tokenizer_or_the_splitter():
    text = "\x00\ufffd Ｆｕｌｌｗｉｄｔｈ ﬁnance £1.47bn\n\n•\n• We will\u00adbuild 2,900 homes by 2030."
    assert "financ" in tokens(text)  # NFKC folds the ligature and the full-width letters
    assert "£1.47bn" in entities(text).money
    spans = [text[a:b] for a, b in sentences(text)]
    assert spans and spans[-1].endswith("by 2030.")


def test_wrapped_lines_join_into_one_sentence_and_bullets_split():
    text = ("We will work with partners to improve the\ncapacity of rail services across the\n"
            "county by 2030.\n• Support bus services\nin rural areas every day\n"
            "• Fix potholes faster on all roads")
    spans = [" ".join(text[a:b].split()) for a, b in sentences(text)]
    assert spans == ["We will work with partners to improve the capacity of rail services across "
                     "the county by 2030.", "Support bus services in rural areas every day",
                     "Fix potholes faster on all roads"]


def test_aligning_with_a_plan_without_sections():
    assert section_similarity([], []).shape == (0, 0)
    assert align_sections(section_similarity([], [])) == []
