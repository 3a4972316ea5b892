"""The query language: parsing, hygiene and caps (T-SRCH-01), synonyms, dates. No index needed."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexing.query import (
    ACRONYMS,
    BODY,
    DATE_END,
    DATE_START,
    EXACT,
    HEADING,
    KIND,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    NOTICE_EMPTY,
    NOTICE_ONLY_NOT,
    NOTICE_SHORTENED,
    NOTICE_TOO_MANY_TERMS,
    PAIRS,
    PLAN,
    STAGE,
    SynonymTable,
    acronym_form,
    acronym_tokens,
    clean_query_text,
    date_bounds,
    load_default_synonyms,
    load_synonyms,
    parse_query,
    stems,
)
from tests.indexing.hostile import HOSTILE

ALLOWED = {BODY, HEADING, ACRONYMS, PAIRS, EXACT, PLAN, KIND, STAGE, DATE_START, DATE_END}
TABLE = load_default_synonyms()


def fields_of(q: wq.Query) -> set[str]:
    out = set()
    for leaf in q.leaves():
        if getattr(leaf, "fieldname", None):
            out.add(leaf.fieldname)
    return out


def required(q: wq.Query) -> wq.Query:
    """The query without its optional ranking clause (proximity, a heading that holds a phrase;
    for two plain words ``Or(query, pair)``, which matches the same passages)."""
    if isinstance(q, wq.AndMaybe):
        return q.a
    if (isinstance(q, wq.Or) and len(q.subqueries) == 2
            and getattr(q.subqueries[1], "fieldname", "") == PAIRS):
        return q.subqueries[0]
    return q


def terms_of(q: wq.Query) -> set[tuple[str, str]]:
    return {(f, t.decode() if isinstance(t, bytes) else t) for f, t in q.iter_all_terms()}


# --- basics -----------------------------------------------------------------------------------


def test_words_are_anded_and_stemmed():
    p = parse_query("Potholes repaired")
    assert isinstance(required(p.query), wq.And)
    assert (BODY, "pothol") in terms_of(p.query) and (BODY, "repair") in terms_of(p.query)
    assert p.interpreted == "Potholes AND repaired"
    assert p.notices == ()


def test_operators_only_in_capitals():
    assert isinstance(parse_query("roads OR rail").query, wq.Or)
    lower = parse_query("roads or rail").query
    assert isinstance(required(lower), wq.And)  # "or" is a stop word, the rest is ANDed


def test_not_and_minus():
    a = parse_query("roads NOT rail").query
    b = parse_query("roads -rail").query
    assert a == b
    assert any(isinstance(x, wq.Not) for x in a.children())


def test_phrase_and_unclosed_quote():
    p = parse_query('"road safety')
    own = required(p.query)
    assert isinstance(own, wq.Phrase) and own.fieldname == EXACT and own.words == ["road", "safety"]
    assert parse_query('"road safety"').query == p.query


def test_quoted_phrase_is_matched_in_the_text_only_and_unstemmed():
    """The heading is not searched (it ranks in the re-rank); words keep form and stop words."""
    p = parse_query('"Release the Pressure"')
    assert p.query == wq.Phrase(EXACT, ["release", "the", "pressure"])
    assert p.phrases == (("release", "the", "pressure"),)


def test_typographic_double_quotes_mark_a_phrase_as_the_plain_one_does():
    """A phrase pasted from a word processor (“…”, „…“) is the same search as one typed "…"."""
    plain = parse_query('"net zero" 2030')
    for typed in ("\u201cnet zero\u201d 2030", "\u201enet zero\u201c 2030", "\uff02net zero\uff02 2030"):
        p = parse_query(typed)
        assert p.phrases == (("net", "zero"),), typed
        assert p.query == plain.query, typed


def test_grouping_and_unbalanced_parens():
    p = parse_query("(roads OR rail) buses")
    assert p.interpreted == "(roads OR rail) AND buses"
    assert parse_query("((roads OR rail) buses").query == p.query
    assert parse_query("(roads OR rail)) buses)").query == p.query


def test_prefix_needs_two_letters_and_no_leading_wildcard():
    p = parse_query("educat*")
    assert any(isinstance(x, wq.Prefix) for x in p.query.leaves())
    for q in ("*", "?*", "*a", "a*", "*:*", "e?uc*", "*educ"):
        p = parse_query(q)
        assert p.query is None or not any(
            isinstance(x, (wq.Prefix, wq.Wildcard)) for x in p.query.leaves()
        ), q


def test_empty_and_operator_only_queries_give_notices():
    for q in ("", " ", "AND", "OR NOT", "NOT", "-", "(", ")", '"', '""', "*", "the and of"):
        p = parse_query(q)
        assert p.query is None and NOTICE_EMPTY in p.notices, q
    p = parse_query("-roads")
    assert p.query is None and NOTICE_ONLY_NOT in p.notices


def test_restricted_fields_become_words():
    for q in (
        "fingerprint:abc",
        "key:section:1",
        "owner:alice",
        "title:x",
        "path:y",
        "item_id:3",
        "plan_title:z",
        "FINGERPRINT:abc",
        "body:x",
        "acronyms:SEND",
    ):
        p = parse_query(q)
        assert p.query is not None, q
        assert fields_of(p.query) <= {BODY, ACRONYMS, PAIRS}, q
    p = parse_query("owner:alice")
    assert (BODY, "owner") in terms_of(p.query) and (BODY, "alic") in terms_of(p.query)


def test_allowed_filters():
    p = parse_query("roads plan:Kent-Vision-2011 kind:Commitment stage:adopted")
    t = terms_of(p.query)
    assert (PLAN, "kent-vision-2011") in t and (KIND, "commitment") in t
    assert (STAGE, "adopted") in t
    # a filter that cannot be read runs no search and says so (it used to search the words)
    for q, says in (("kind:bogus", "not a kind"), ("date:soon", "not a date filter"),
                    ("roads relation:sideways", "not a relation"),
                    ("roads plan:nope", "no plan in the library")):
        p = parse_query(q, plans=frozenset({"kent-vision-2011"}))
        assert p.query is None and says in p.notice, q
    assert parse_query("roads plan:nope").query is not None  # plans unknown: taken as typed


def test_date_filters():
    assert date_bounds("2020") == ("2020-01-01", "2020-12-31")
    assert date_bounds("2020-03") == ("2020-03-01", "2020-03-31")
    assert date_bounds("2020-03-09") == ("2020-03-09", "2020-03-09")
    for q in (
        "date:2020",
        "date:2020..2022",
        "date:2020..",
        "date:..2022",
        "date:>=2020",
        "date:<=2020-04",
        "date:>2020",
        "date:<2020",
    ):
        p = parse_query(q)
        assert p.query is not None and fields_of(p.query) <= {DATE_START, DATE_END}, q
    for q in ("date:..", "date:2020-13", "date:20", "date:2020...2021"):
        p = parse_query(q)
        assert p.query is None and "not a date filter" in p.notice, q


# --- hygiene and caps (T-SRCH-01) -------------------------------------------------------------


def test_control_and_bidi_characters_are_removed():
    text, notices = clean_query_text("ro\x00ad \u202esafety\u202c\u200b \u2066x\u2069\ud800")
    assert text == "road safety x" and notices == []
    assert clean_query_text("e\u0301")[0] == "\u00e9"  # NFC


def test_length_cap():
    text, notices = clean_query_text("a" * 10_000)
    assert len(text) == MAX_QUERY_CHARS and notices == [NOTICE_SHORTENED]
    p = parse_query("road " * 20_000)
    assert NOTICE_SHORTENED in p.notices


def test_term_cap():
    p = parse_query(" ".join(f"w{i}x" for i in range(100)))
    assert NOTICE_TOO_MANY_TERMS in p.notices
    assert len(list(p.query.leaves())) <= 3 * MAX_TERMS


def test_deep_nesting_is_flattened():
    p = parse_query("(" * 300 + "road" + ")" * 300)
    assert p.query is not None and (BODY, "road") in terms_of(p.query)




def test_hostile_strings_never_raise_and_parse_fast():
    worst = 0.0
    for q in HOSTILE:
        start = time.perf_counter()
        p = parse_query(q, TABLE)
        worst = max(worst, time.perf_counter() - start)
        if p.query is not None:
            assert fields_of(p.query) <= ALLOWED
        else:
            assert p.notices
    assert worst < 2.0  # a hang guard; typical worst case is a few milliseconds


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_to_allowed_fields(text):
    p = parse_query(text, TABLE)
    if p.query is None:
        assert p.notices
    else:
        assert fields_of(p.query) <= ALLOWED


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "-",
                "*",
                "?",
                ":",
                "plan:",
                "date:",
                "~",
                "road",
                "SEND",
                "send",
                "kent county council",
                " ",
                "x*",
                "\x00",
            ]
        ),
        max_size=60,
    )
)
def test_operator_soup_parses(parts):
    p = parse_query(" ".join(parts), TABLE)
    assert p.query is None or fields_of(p.query) <= ALLOWED


# --- acronyms and synonyms --------------------------------------------------------------------


def test_acronym_form():
    assert acronym_form("SEND") == "SEND" and acronym_form("HGVs") == "HGV"
    assert acronym_form("Send") is None and acronym_form("A") is None
    assert acronym_form("M25") is None and acronym_form("COVID19") == "COVID19"
    assert acronym_tokens("KCC and the NHS, SMEs; UK.") == ["KCC", "NHS", "SME", "UK"]
    assert stems("KCC potholes") == ["pothol"]  # acronyms are not body words


def test_load_synonyms():
    table = load_synonyms(
        "# comment\n\nSEND\tspecial educational needs\tcase\nKCC\tKent County Council\n"
        "net zero\tcarbon neutral\nbad line\nX\t\n"
    )
    assert table.expansions("SEND") == ("special educational needs",)
    assert table.exact == frozenset({"SEND"})
    assert table.phrases == (("net zero", "carbon neutral"),)
    assert table.alternatives(("kent", "counti", "council")) == (("KCC",), ())
    assert table.alternatives(("carbon", "neutral")) == ((), ("net zero",))
    assert table.alternatives(("net", "zero")) == ((), ("carbon neutral",))


def test_shipped_table_has_the_seed_entries():
    for acr in (
        "DEI",
        "EDI",
        "AI",
        "SEND",
        "LGR",
        "EHCP",
        "PRU",
        "NHS",
        "HGV",
        "UASC",
        "PCC",
        "SME",
        "ICS",
        "VCSE",
        "NEET",
    ):
        assert TABLE.expansions(acr), acr
    assert "SEND" in TABLE.exact
    assert ("net zero", "carbon neutral") in TABLE.phrases


def test_capital_acronym_expands_lowercase_word_does_not():
    up = parse_query("SEND", TABLE)
    # the expansion is found through the acronym the index tags it with (SynonymTable.tags)
    assert terms_of(up.query) == {(ACRONYMS, "SEND")}
    assert {"special", "educ", "need", "disabl"} <= up.highlight_terms
    assert "special educational needs and disabilities" in up.interpreted
    low = parse_query("send", TABLE)
    assert terms_of(low.query) == {(BODY, "send")}


def test_index_tags_a_passage_with_the_acronym_of_the_expansion_it_holds():
    table = load_synonyms("KCC\tKent County Council\nEU\tEuropean Union\nNHS\tNHS England\n")
    assert table.tags("Kent County Council and Kent county councils agree; Kent council") == [
        "KCC", "KCC"]
    assert table.tags("leaving the European Union") == ["EU"]  # stop words do not count
    assert table.tags("") == [] and table.tags("county of Kent") == []
    assert table.fingerprint != load_synonyms("KCC\tKent Cycling Club\n").fingerprint
    # an expansion that holds an acronym is searched as a query clause, never tagged
    assert not table.is_tagged("NHS England") and table.is_tagged("kent county council")


def test_expansion_typed_finds_acronym():
    for q in ("pupil referral unit", "PUPIL REFERRAL UNIT"):
        assert (ACRONYMS, "PRU") in terms_of(parse_query(q, TABLE).query), q
    p = parse_query("the pupil referral unit budget", TABLE)
    assert (ACRONYMS, "PRU") in terms_of(p.query) and (BODY, "budget") in terms_of(p.query)


def test_phrase_synonym_both_ways():
    # a synonym's words are searched as the index's pair terms (side by side), not a phrase
    a = parse_query("net zero", TABLE)
    assert (PAIRS, "carbon_neutral") in terms_of(a.query)
    b = parse_query("carbon neutral", TABLE)
    assert (PAIRS, "net_zero") in terms_of(b.query)
    assert not any(isinstance(x, wq.Phrase) for x in a.query.leaves())


def test_no_synonym_expansion_inside_quotes():
    for q in ('"carbon neutral"', '"Kent County Council"'):
        terms = terms_of(parse_query(q, TABLE).query)
        assert (ACRONYMS, "KCC") not in terms and (BODY, "net") not in terms, q
        assert not any(f == BODY for f, _ in terms), q  # own words only, in the exact field


def test_a_lone_word_uses_the_table_too():
    table = load_synonyms("Brexit\tEU exit\n")
    assert (ACRONYMS, "EU") in terms_of(parse_query("Brexit", table).query)
    assert (BODY, "exit") in terms_of(parse_query("Brexit", table).query)


def test_plain_words_are_kept_for_proximity_ranking():
    assert parse_query("social value").near == ("social", "valu")
    assert parse_query("value").near == ()
    assert parse_query('"social value"').near == ()


def test_no_expansion_without_table():
    p = parse_query("KCC", SynonymTable.empty())
    assert terms_of(p.query) == {(ACRONYMS, "KCC"), (BODY, "kcc")}


def test_highlight_terms_exclude_negated_words():
    p = parse_query("roads -rail", TABLE)
    assert "road" in p.highlight_terms and "rail" not in p.highlight_terms
