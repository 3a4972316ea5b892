"""Search finds what the words mean in this library (issue 13, round 3): acronyms the plans
define themselves, in both directions; compounds written together or apart; a derived noun's
base; and passages holding the words side by side (acronyms included) ranked above passages
that scatter them through a long section."""

from __future__ import annotations

import pytest

from indexing.analysis import SynonymTable, pairs_analyzer
from indexing.query import PAIRS, parse_query
from indexing.search_index import WhooshSearchIndex
from indexing.search_terms import (
    acronym_definitions,
    definition_terms,
    derived_stems,
    spelling_stems,
)
from tests.indexing.index_docs import keys, passage

FILLER = " ".join(f"Other topic number {n} is covered elsewhere in this plan." for n in range(40))


@pytest.fixture
def index(tmp_path):
    ix = WhooshSearchIndex(tmp_path / "index", SynonymTable.empty())
    yield ix
    ix.close()


# --- acronyms the text defines ----------------------------------------------------------------


def test_definitions_are_read_from_word_initials():
    assert acronym_definitions(
        "advice through Low Carbon Across the Northern Region (LoCANR) projects"
    ) == [("LoCANR", "Low Carbon Across the Northern Region")]
    # a digit may stand for the tail of the long form
    assert acronym_definitions("the only Fast-Track tram line (FT2). It") == [
        ("FT2", "Fast Track tram line")]
    # a plural short form, and the long form in the brackets after the short one
    assert acronym_definitions("many small firms (SFs) here") == [("SF", "small firms")]
    assert acronym_definitions("the needs of SFs (Small Firms)") == [("SF", "Small Firms")]
    assert acronym_definitions("Partnership with the River Board (PRB)") == [
        ("PRB", "Partnership with the River Board")]


def test_letters_inside_words_do_not_make_a_definition():
    # Schwartz & Hearst's letter match would take these; word initials do not
    assert acronym_definitions("later incorporating East Sussex (LEP)") == []
    assert acronym_definitions("the Services Director (SE)") == []
    assert acronym_definitions("voluntary and community sector in the county (VCS)") == []
    assert acronym_definitions("in Kent (England) and (eg) here (see page 4)") == []
    assert definition_terms("no brackets at all") == ""


def test_an_acronym_finds_the_long_form_the_library_defines_elsewhere(index):
    index.rebuild([
        passage("commitment:1", "Advice for firms through Low Carbon Across the Northern "
                                "Region (LoCANR) projects."),
        passage("commitment:2", "Support Low Carbon Across the Northern Region projects to "
                                "help businesses adapt.", plan="plan-b"),
        passage("commitment:3", "LoCANR grants for small firms.", plan="plan-c"),
        passage("commitment:4", "Low carbon heating in the northern estate.", plan="plan-d"),
    ])
    assert set(keys(index.search("LoCANR"))) == {"commitment:1", "commitment:2", "commitment:3"}
    # and the long form typed finds the passage that only has the short form
    found = keys(index.search("low carbon across the northern region"))
    assert {"commitment:1", "commitment:2", "commitment:3"} <= set(found)
    assert found.index("commitment:3") < found.index("commitment:4") if (
        "commitment:4" in found) else True


def test_an_upper_case_acronym_with_a_digit_finds_its_long_form(index):
    index.rebuild([
        passage("section:1", "Kent enjoys the only Fast-Track tram line (FT2) in the region."),
        passage("section:2", "We are the only county with a Fast Track tram line to the coast.",
                plan="plan-b"),
        passage("section:3", "A fast bus to the coast.", plan="plan-c"),
    ])
    assert set(keys(index.search("FT2"))) == {"section:1", "section:2"}


def test_a_long_form_of_common_words_is_searched_too(tmp_path):
    """A council's own name is made of the commonest words of its plans ("Big Council Office
    (BCO)"); the acronym must still find the passages that spell it out. Expansions are searched
    as word pairs, so common words cost nothing measurable."""
    ix = WhooshSearchIndex(tmp_path / "index", SynonymTable.empty())
    docs = [passage("section:1", "The Big Council Office (BCO) is open.")]
    docs += [passage(f"section:{n}", f"The big council office number {n} is shut.",
                     plan=f"plan-{n}") for n in range(2, 60)]
    docs += [passage("section:99", "A big office and a small council.", plan="plan-x")]
    ix.rebuild(docs)
    assert ix._table(ix._current_searcher()).expansions("BCO") == ("Big Council Office",)
    found = {h.key for h in ix.search("BCO", limit=100).hits}
    assert found == {f"section:{n}" for n in [1, *range(2, 60)]}
    ix.close()


# --- word forms -------------------------------------------------------------------------------


def test_words_written_together_or_apart_are_found_both_ways(index):
    index.rebuild([
        passage("section:1", "Most are small to mediumsized enterprises in the county."),
        passage("section:2", "Medium-sized firms and large employers.", plan="plan-b"),
    ])
    result = index.search("medium sized enterprises")
    # "mediumsized" holds both words: a full match, ranked above the soft-AND fill
    assert keys(result) == ["section:1", "section:2"]
    assert result.notice.startswith("1 passage(s) hold all the words")
    assert "section:2" in keys(index.search("mediumsized"))


def test_a_derived_noun_finds_its_base_word(index):
    assert derived_stems("academisation") == derived_stems("academization") == ["academi"]
    assert derived_stems("homes") == []
    index.rebuild([
        passage("commitment:1", "The move towards academisation and free schools."),
        passage("commitment:2", "Increasing our involvement in academies.", plan="plan-b"),
        passage("commitment:3", "A new academy for the county's social workers.", plan="plan-c"),
    ])
    found = keys(index.search("academisation"))
    assert found[0] == "commitment:1"  # the word itself ranks first
    assert set(found) == {"commitment:1", "commitment:2", "commitment:3"}


# --- nearness ---------------------------------------------------------------------------------


def test_pairs_field_holds_neighbouring_stems():
    assert [t.text for t in pairs_analyzer()("working from home for care homes")] == [
        "work_home", "home_care", "care_home"]
    assert [t.text for t in pairs_analyzer()("")] == []  # Whoosh's BiWordFilter raised here
    q = str(parse_query("care homes").query)
    assert f"{PAIRS}:care_home" in q


def test_words_side_by_side_rank_above_words_scattered_through_a_long_section(index):
    # more sections that scatter the words than the re-rank's pool holds, all as long: the
    # section with the words side by side must come from the search itself, not the re-rank
    context = " ".join(f"Other topic number {n} is covered elsewhere." for n in range(8))
    scattered = [passage(f"section:{n}", f"Care for residents. {context} New homes are built.",
                         plan=f"plan-{n}") for n in range(1, 40)]
    close = passage("section:99", f"{context} We made payments to care homes to help them "
                                  f"cope.", plan="plan-z")
    index.rebuild([*scattered, close])
    assert keys(index.search("care homes", limit=5))[0] == "section:99"


def test_an_acronym_and_a_word_side_by_side_rank_first(index):
    index.rebuild([
        passage("section:1", f"NHS services are busy. {FILLER} Partners meet often."),
        passage("section:2", f"{FILLER} We work with our NHS partners to plan care.",
                plan="plan-b"),
    ])
    assert keys(index.search("NHS partners")) == ["section:2", "section:1"]


def test_a_query_that_is_one_table_phrase_is_ranked_by_nearness_too():
    table = SynonymTable.build({}, (), [("working from home", "remote working")])
    q = str(parse_query("working from home", table).query)
    assert f"{PAIRS}:work_home" in q
    assert parse_query("working from home", table).near == ("work", "home")


# --- OCR marks without a query per search -----------------------------------------------------


class _Store:
    def __init__(self) -> None:
        self.rev, self.pages, self.calls = 1, {("plan-a", 2): 71.0}, 0

    def revision(self) -> int:
        return self.rev

    def ocr_pages_of_plans(self, slugs):
        self.calls += 1
        return {k: v for k, v in self.pages.items() if k[0] in slugs}


def test_ocr_marks_are_read_once_per_library_revision():
    from workbench.model import SearchHit, SearchResult
    from workbench.services import Workbench

    def hit(plan: str, page: int) -> SearchHit:
        return SearchHit(key=f"section:{page}", kind="section", item_id=page, plan=plan,
                         plan_title="", plan_date="", path=(), page_label=str(page),
                         page_index=page, score=1.0, snippet="", text="")

    store = _Store()
    wb = Workbench.__new__(Workbench)
    wb.store, wb._ocr_pages = store, (-1, {})
    result = SearchResult((hit("plan-a", 2), hit("plan-a", 3), hit("plan-b", 2)), 3, "q")
    marked = [h.ocr_confidence for h in wb._mark_ocr_hits(result).hits]
    assert marked == [71.0, None, None]
    wb._mark_ocr_hits(result)
    assert store.calls == 1  # the same revision: no second query
    store.rev, store.pages = 2, {("plan-b", 2): 55.0}  # a plan re-read by OCR
    marked = [h.ocr_confidence for h in wb._mark_ocr_hits(result).hits]
    assert marked == [None, None, 55.0] and store.calls == 2


def test_two_words_or_their_pair_finds_what_andmaybe_finds(index):
    """Two plain words are compiled as ``Or(words, pair)`` (cheaper in Whoosh than
    ``AndMaybe``): a passage holding the pair holds both words, so the hits and their scores
    are the same. Three words keep ``AndMaybe``: a pair of two of them is no full match."""
    from whoosh import query as wq

    index.rebuild([
        passage("section:1", "We pay care homes to cope.", plan="plan-a"),
        passage("section:2", "Care for residents. New homes are built.", plan="plan-b"),
        passage("section:3", "Homes for older people.", plan="plan-c"),
        passage("section:4", "Care homes and extra care.", plan="plan-d"),
    ])
    q = parse_query("care homes").query
    assert isinstance(q, wq.Or)
    words, pair = q.subqueries
    s = index._current_searcher()

    def found(query):
        return [(h.docnum, round(h.score, 6)) for h in s.search(query, limit=None)]

    assert found(q) == found(wq.AndMaybe(words, pair))
    assert len(found(q)) == 3
    three = parse_query("extra care homes").query
    assert isinstance(three, wq.AndMaybe)
    assert len(found(three)) == 1  # section:4 only (the page is then filled by the soft AND)


def test_a_synonym_is_found_side_by_side_not_scattered(tmp_path):
    """A synonym's words are searched as the index's pair terms: they must stand together
    (stop words aside), as a phrase required; the same words scattered are no match."""
    table = SynonymTable.build({}, (), [("net zero", "carbon neutral")])
    ix = WhooshSearchIndex(tmp_path / "index", table)
    try:
        ix.rebuild([
            passage("section:1", "Schemes that are carbon neutral get grants."),
            passage("section:2", "Carbon is measured; a neutral body checks it.", plan="plan-b"),
            passage("section:3", "We will reach net zero by 2030.", plan="plan-c"),
        ])
        assert set(keys(ix.search("net zero"))) == {"section:1", "section:3"}
    finally:
        ix.close()


# --- round 4: spellings, more derived nouns, nearness inside joined words --------------------


def test_british_and_american_spellings_find_each_other(index):
    index.rebuild([
        passage("commitment:1", "Support voluntary organisations across the county."),
        passage("commitment:2", "Roll out full fibre broadband to rural homes."),
        passage("commitment:3", "Deliver the new broadband programme."),
        passage("commitment:4", "Tackle anti-social behavior in town centers."),
        passage("commitment:5", "Four new schools open for pupils."),
    ])
    assert keys(index.search("voluntary organizations")) == ["commitment:1"]
    assert keys(index.search("fiber")) == ["commitment:2"]
    assert keys(index.search("broadband program"))[0] == "commitment:3"
    assert keys(index.search("behaviour")) == ["commitment:4"]
    assert keys(index.search("town centres")) == ["commitment:4"]
    assert "[[organisations]]" in index.search("organizations").hits[0].snippet
    # a table, not rules: "four" has no other spelling ("-our" -> "-or" would make it "for")
    assert spelling_stems("four") == [] and spelling_stems("colour") == ["color"]


def test_a_noun_in_sion_finds_its_verb_ranked_below_itself(index):
    index.rebuild([
        passage("commitment:1", "Make sure no resident is digitally excluded from services."),
        passage("commitment:2", "Reduce digital exclusion among older residents."),
        passage("commitment:3", "Expand the school estate and extend the bus network."),
    ])
    assert keys(index.search("digital exclusion")) == ["commitment:2", "commitment:1"]
    assert derived_stems("decision") == ["decid"] and derived_stems("expansion") == ["expand"]
    assert derived_stems("pension") == [] and derived_stems("vision") == []
    assert keys(index.search("expansion")) == ["commitment:3"]


def test_words_joined_in_a_web_address_are_not_closer_than_words_side_by_side(index):
    index.rebuild([
        passage("commitment:1", "See www.example.gov.uk/looked-after-children-strategy for more "
                                "about services, services and services for looked after children."),
        passage("commitment:2", "Corporate parenting for looked after children."),
    ])
    # the address holds the three words with no space between them: counted as three words,
    # the same as the passage that says them; the better BM25 (shorter passage) ranks first
    assert keys(index.search("looked after children"))[0] == "commitment:2"


def test_a_passage_holding_only_the_synonym_enters_the_pool_among_the_typed_words(tmp_path):
    """A synonym matches as one or two rare pair terms; counted double, a passage that says
    "children in care" scores among those that say "looked after children" (Whoosh's ranking
    decides which passages reach the re-rank pool), not below all of them."""
    table = SynonymTable.build({}, (), [("looked after children", "children in care")])
    ix = WhooshSearchIndex(tmp_path / "index", table)
    try:
        ix.rebuild([
            passage("commitment:1", "Promote corporate parenting for children in care."),
            *(passage(f"commitment:{n}", f"Looked after children and their families, part {n}, "
                      f"get support with housing, schooling and health in area {n}.")
              for n in range(2, 40)),
        ])
        s = ix._current_searcher()
        parsed = parse_query("looked after children", ix._table(s))
        top = [s.stored_fields(h.docnum)["key"] for h in s.search(parsed.query, limit=5)]
        assert "commitment:1" in top
    finally:
        ix.close()
