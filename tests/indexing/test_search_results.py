"""Search that respects the query (issue 13): quoted phrases match a passage's own words, a hit
inside another hit is shown once as the finer unit, close words rank first, citations name one
section, and numbers, money and hyphenated words are found however they are typed."""

from __future__ import annotations

import pytest

from indexing.analysis import exact_text, exact_words, stems
from indexing.search_hits import Candidate, collapse, norm_text, rerank, section_label
from indexing.search_index import NOTICE_SOME_WORDS, WhooshSearchIndex
from workbench.model import IndexDoc


def passage(
    key: str,
    body: str,
    *,
    path: tuple[str, ...] = ("Aim 1", "Our objectives"),
    plan: str = "plan-a",
    page: int = 1,
) -> IndexDoc:
    kind, _, num = key.partition(":")
    return IndexDoc(
        key=key, kind=kind, item_id=int(num), plan=plan, plan_title=plan.title(),
        plan_date="2022", stage="adopted", path=path, heading=path[-1], page_label=str(page),
        page_index=page, body=body, fingerprint=f"fp-{key}-{hash(body) & 0xFFFF}",
    )


def keys(result) -> list[str]:
    return [h.key for h in result.hits]


@pytest.fixture
def index(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "index")
    yield ix
    ix.close()


# --- tokens -----------------------------------------------------------------------------------


def test_hyphenated_words_match_joined_and_split():
    assert stems("reoffending") == ["reoffend"]
    assert stems("re-offending") == ["re", "offend"]  # a query keeps the parts in order


def test_numbers_and_money_have_one_form():
    assert stems("2,900 residents") == stems("2900 residents") == ["2900", "resid"]
    assert stems("£1.47bn") == ["1.47", "billion"] == stems("1.47 billion")
    assert stems("£5m") == ["5", "million"]
    assert stems("£62-143 million") == ["62", "143", "million"]
    assert stems("2025-2028") == ["2025", "2028"]
    assert stems("£4 billion") == ["4", "billion"]  # one-digit numbers are kept
    assert "1.4" in stems("1.4 million") and "1.5" not in stems("1.4 million")


def test_tokens_found_in_an_index(index):
    index.rebuild([
        passage("section:1", "Help up to 2900 residents facing barriers to work."),
        passage("section:2", "Reducing re-offending by young people.", path=("Safety",)),
        passage("section:3", "Savings of £1.47bn over the period 2025-2028."),
        passage("section:4", "A cost of £62-143 million."),
    ])
    assert keys(index.search("2,900 residents")) == ["section:1"]
    assert keys(index.search("reoffending")) == ["section:2"]
    assert keys(index.search("re-offending")) == ["section:2"]
    assert keys(index.search("£1.47 billion")) == ["section:3"]
    assert keys(index.search("2028")) == ["section:3"]
    assert keys(index.search("£143 million")) == ["section:4"]


# --- quoted phrases -----------------------------------------------------------------------------


def test_quoted_phrase_matches_only_a_passage_that_holds_it(index):
    index.rebuild([
        # the heading holds the phrase, the text does not: no match for the quoted phrase
        passage("section:1", "Our work on reducing carbon.", path=("Climate emergency",)),
        passage("section:2", "We declared a climate emergency in 2019.", path=("Background",)),
        passage("section:3", "The emergency plan for climate adaptation.", path=("Resilience",)),
    ])
    assert keys(index.search('"climate emergency"')) == ["section:2"]
    unquoted = keys(index.search("climate emergency"))
    assert set(unquoted) == {"section:2", "section:3"}  # a heading ranks, never matches
    assert unquoted[0] == "section:2"  # the words side by side rank first


def test_quoted_phrase_never_runs_across_the_end_of_a_sentence(index):
    index.rebuild([
        passage("commitment:1", "We will deliver services in the county. Together we will "
                "build stronger towns."),
        passage("commitment:2", "We launched County Together for residents in need."),
        passage("section:3", "Our aims for the county: together with partners, more homes."),
        passage("section:4", "The U.K. Government funds it (see annex 2). New homes follow."),
    ])
    assert keys(index.search('"county together"')) == ["commitment:2"]
    # abbreviations and numbers are not sentence ends
    assert keys(index.search('"U.K. Government funds"')) == ["section:4"]
    assert exact_text("in the county. Together we") == "in the county | together we"
    assert exact_text("the U.K. Government, e.g. the £1.47bn.") == (
        "the u.k government e.g the 1.47 billion"
    )
    assert exact_text("annex 2). New") == "annex 2 | new"


def test_a_heading_that_holds_the_quoted_phrase_ranks_its_passage_first(index):
    index.rebuild([
        # the same length and wording around the phrase: only the heading tells them apart
        passage("section:1", "In 2019 we declared a climate emergency.", path=("Background",)),
        passage("section:2", "In 2020 we declared a climate emergency.",
                path=("Climate emergency",)),
    ])
    assert keys(index.search('"climate emergency"')) == ["section:2", "section:1"]


def test_quoted_phrase_keeps_stop_words_and_word_forms(index):
    index.rebuild([
        passage("section:1", "Support the Release the Pressure campaign."),
        passage("section:2", "Release pressure on services."),
        passage("section:3", "Releasing the pressures of demand."),
    ])
    assert keys(index.search('"Release the Pressure"')) == ["section:1"]
    assert exact_words("Release the Pressure") == ["release", "the", "pressure"]


# --- finer units --------------------------------------------------------------------------------


SECTION = (
    "Our aim is to grow the economy.\n"
    "1. We will deliver superfast broadband to rural areas.\n"
    "Rural businesses need broadband; coverage is improving."
)


def test_a_commitment_and_its_section_are_shown_once(index):
    index.rebuild([
        passage("section:1", SECTION),
        passage("commitment:2", "1. We will deliver superfast broadband to rural areas."),
    ])
    r = index.search("broadband")
    hits = {h.key: h for h in r.hits}
    assert set(hits) == {"section:1", "commitment:2"} and r.total == 2
    # the section shows its own matching passage, without the commitment's sentence
    assert hits["section:1"].text == "Rural businesses need broadband; coverage is improving."
    for a in r.hits:
        for b in r.hits:
            assert a is b or f" {norm_text(a.text)} " not in f" {norm_text(b.text)} "
    # the commitment is all the section says about superfast: the section is not a hit then
    r = index.search("superfast")
    assert keys(r) == ["commitment:2"] and r.total == 1


def cand(key: str, text: str, score: float, path: str = "[]") -> Candidate:
    kind, _, num = key.partition(":")
    fields = {"key": key, "kind": kind, "plan": "p", "item_id": int(num), "path": path}
    return Candidate(fields, score, text)


def test_collapse_keeps_the_finer_unit_in_the_better_rank():
    outer = cand("commitment:1", "We will fund roads and fix potholes quickly.", 9.0)
    inner = cand("commitment:2", "fix potholes quickly", 5.0)
    twin = cand("commitment:3", "Fix potholes, quickly!", 4.0)  # the same words again
    other = cand("commitment:4", "Potholes reported online.", 3.0)
    shown = collapse([outer, inner, twin, other], frozenset({"pothol"}), (), limit=10)
    assert [c.fields["key"] for c in shown] == ["commitment:2", "commitment:4"]


def test_words_that_stand_elsewhere_are_shown_once_where_they_were_first():
    """A glossary line that is only the searched name does not push out the passage using it."""
    used = cand("section:1", "The Joint Board will support the Forum in this task.", 9.0, '["A"]')
    glossary = cand("section:2", "Joint Board", 5.0, '["Glossary"]')
    shown = collapse([used, glossary], frozenset({"joint", "board"}), (), limit=10)
    assert [c.fields["key"] for c in shown] == ["section:1"]


# --- citations ----------------------------------------------------------------------------------


def test_citations_name_one_section_when_headings_repeat(index):
    index.rebuild([
        passage("section:1", "Aim one objectives: housing.", path=("Aim 1", "Our objectives")),
        passage("section:2", "Aim two objectives: housing.", path=("Aim 2", "Our objectives")),
        passage("section:3", "Foreword on housing.", path=("Foreword",)),
        passage("section:4", "Annex housing table.", path=("Annex", "Tables"), page=7),
        passage("section:5", "Annex housing list.", path=("Annex", "Tables"), page=9),
        passage("commitment:6", "We will build housing.", path=("Annex", "Tables"), page=9),
    ])
    hits = {h.key: h for h in index.search("housing").hits}
    assert hits["section:1"].citation == "Aim 1 › Our objectives"
    assert hits["section:2"].citation == "Aim 2 › Our objectives"
    assert hits["section:3"].citation == "Foreword"
    assert hits["section:4"].path == ("Annex", "Tables (1 of 2)")
    assert hits["section:5"].path == ("Annex", "Tables (2 of 2)")
    assert hits["commitment:6"].path == ("Annex", "Tables (2 of 2)")  # in the section on p. 9
    assert hits["commitment:6"].citation == "Annex › Tables (2 of 2)"


def test_rerank_puts_close_words_above_scattered_ones():
    scattered = Candidate(
        {"key": "section:1"}, 10.0,
        "Social care is changing. " + "Many other words here. " * 30 + "We value carers.",
    )
    close = Candidate({"key": "section:2"}, 8.0, "We will focus on the wider social value of spending.")
    absent = Candidate({"key": "section:3"}, 9.0, "Social care only.")
    order = rerank([scattered, absent, close], ("social", "valu"))
    assert [c.fields["key"] for c in order] == ["section:2", "section:1", "section:3"]


def test_section_label_for_the_reader_citation():
    paths = [("Aim 1", "Our objectives"), ("Aim 2", "Our objectives"), ("Foreword",),
             ("Annex", "Tables"), ("Annex", "Tables")]
    assert section_label(paths, 1) == "Aim 2 › Our objectives"
    assert section_label(paths, 2) == "Foreword"
    assert section_label(paths, 4) == "Annex › Tables (2 of 2)"
    assert section_label([()], 0) == ""


# --- the soft AND -----------------------------------------------------------------------------


SOFT = [
    passage("section:1", "Road repair teams fix every pothole on local roads."),
    # holds two of the three words, many times: BM25 alone would rank it above section:1
    passage("section:2", "Pothole after pothole on our roads; roads and potholes everywhere.",
            path=("Aim 2", "Roads")),
    passage("section:3", "Street lighting is being renewed.", path=("Aim 3", "Lighting")),
    passage("section:4", "A pothole was reported.", path=("Aim 4", "Reports")),
]


def test_soft_and_fills_a_short_page_below_every_full_match(index):
    index.rebuild(SOFT)
    # section:1 holds every word; 2 holds two of three, 4 one of three: after it, in that order
    assert keys(index.search("pothole repair roads", limit=10)) == [
        "section:1", "section:2", "section:4"]
    assert keys(index.search("pothole repair roads", limit=1)) == ["section:1"]
    assert keys(index.search("pothole repair roads", limit=2)) == ["section:1", "section:2"]
    assert index.search("pothole repair roads").notice == NOTICE_SOME_WORDS.format(1)
    # a bulk selection (workbench pack --search asks for 1000) gets the full matches only
    assert keys(index.search("pothole repair roads", limit=1000)) == ["section:1"]
    # by date: only passages that hold every word
    assert keys(index.search("pothole repair roads", sort="date")) == ["section:1"]
    assert index.search("pothole", sort="date").hits[0].score > 0  # the relevance, not the key


def test_soft_and_never_relaxes_a_quoted_phrase_or_an_exclusion(index):
    index.rebuild(SOFT)
    # the phrase stays required: section:2 ("pothole on our roads") lacks "fix every pothole"
    assert keys(index.search('"fix every pothole" roads lighting')) == ["section:1"]
    assert keys(index.search("pothole repair roads -lighting -reported")) == [
        "section:1", "section:2"]
    assert keys(index.search('"pothole repair"')) == []


def test_a_line_wrapped_sentence_is_shown_whole(index):
    body = ("Health checks for school age children. One in five children in the county are\n"
            "obese or overweight, so we work with parents.\nA new line about parks.")
    index.rebuild([passage("section:1", body)])
    (hit,) = index.search("obese").hits
    assert "One in five children in the county are\nobese or overweight" in hit.text
    assert "parks" not in hit.text


def test_a_phrase_in_a_long_paragraph_is_found_in_a_window_around_its_rarest_word():
    from indexing.search_hits import _Matcher

    filler = "Other matters of the county are covered in the later chapters of this plan. " * 20
    phrases = [("adult", "social", "care")]
    matches = _Matcher(frozenset(), phrases)
    assert len(filler) > 1000
    assert matches(f"{filler} We fund adult   social\tcare services. {filler}")
    assert matches(f"{filler} Adult social care.")  # at the very end, capitals
    assert matches(f"Adult, social care: {filler}")  # at the very start, punctuation
    # every word is there, never side by side: no match
    assert not matches(f"{filler} adult learning. {filler} social value and care homes.")
    assert not matches(f"{filler} nonadult social care")  # inside another word
