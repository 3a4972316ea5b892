"""Relation cues (``relation``) and contrast retrieval (``contrast``): reversals are labelled
from cues about the source's topic, and an on-topic reversal far down the ranking is offered in
the first three without displacing the first candidate."""

from __future__ import annotations

from workbench.matching import PlanIndex, contrast, plan_passages
from workbench.matching.contrast import promote, scope_score, topic_words
from workbench.matching.relation import cessation_cues, propose, scoped_cues
from workbench.records import EffectiveCommitment


def _c(key: str, text: str) -> EffectiveCommitment:
    return EffectiveCommitment(key=key, plan="later", text=text, page_index=0, page_label="1",
                               start=0, end=len(text), section_id=None, heading="")


# -- cues ----------------------------------------------------------------------------------

def test_a_cue_about_the_source_labels_a_distant_pair_as_a_reversal():
    """The cue's scope (what is scrapped) names the source's topic: a reversal, even when the
    rest of the wording is far (the old closeness gate left this "strengthened": 2050 → 2030)."""
    source = "We will reach net zero emissions across the county by 2050."
    target = "Scrap the unattainable net zero 2030 target and focus on practical benefits."
    p = propose(source, target, similarity=0.1, wording=0.3, reversal_min=0.5)
    assert p.relation == "reversed"
    assert any("scrap" in r for r in p.reasons)


def test_a_cue_about_something_else_is_not_a_reversal_of_a_distant_pair():
    """'stop waste discharge' in a passage about the coast does not reverse a pledge to
    protect the coast; 'stopping smoking' does not reverse a health pledge."""
    assert not scoped_cues("Protect and enhance our coastline for visitors.",
                           "Press the regulator to stop waste discharge into the sea.")
    p = propose("Improve heart health through healthier behaviours.",
                "Reduce heart disease by stopping smoking and taking up exercise.",
                similarity=0.2, wording=0.4, reversal_min=0.5)
    assert p.relation not in {"reversed", "withdrawn"}


def test_statements_and_continued_opposition_are_not_cues():
    # "will not be suitable" is a statement, "will not fund" a refusal
    assert cessation_cues("A digital approach will not be suitable for everyone.") == []
    assert cessation_cues("We will not fund the scheme next year.") == ["will not"]
    # turning round a bad trend is no change of policy
    assert cessation_cues("We will reverse the decline of our high streets.") == []
    assert cessation_cues("We will reverse the decision to close the centre.") == ["reverse"]
    # the source already opposed inappropriate development: resisting it continues that
    p = propose("Challenge inappropriate development without the infrastructure it needs.",
                "Resist inappropriate development on the edges of rural villages.",
                similarity=0.8, wording=0.5, reversal_min=0.5)
    assert p.relation not in {"reversed", "withdrawn"}


def test_new_general_cues():
    assert "abandon" in cessation_cues("The scheme will be phased out by the end of the year.")
    assert "rescind" in cessation_cues("We will repeal the local byelaw.")
    assert "no longer" in cessation_cues("The grant will not be renewed.")
    assert "instead" in cessation_cues("Fund roads rather than cycle lanes.")


# -- contrast retrieval ----------------------------------------------------------------------

def test_topic_words_leave_out_the_opening_verb_and_common_words():
    idf = {"develop": 5.0, "technolog": 5.0, "strategi": 5.0, "servic": 1.0}
    assert topic_words("3. Develop a technology strategy for services", idf, 6.0) == \
        frozenset({"technolog", "strategi"})
    assert scope_score("Develop a technology strategy",
                       "We stand firm against large developments", idf, 6.0) == 0.0


def _plan() -> PlanIndex:
    later = [_c(f"c:{n}", text) for n, text in enumerate([
        "Keep the school bus running for pupils and parents in every rural parish.",
        "Parents of pupils in every rural parish can apply for a school bus pass.",
        "Pupils and parents can use the school bus in every rural parish.",
        "Rural parish school bus routes for pupils and parents are published online.",
        "We will withdraw the subsidised network as grants end.",
        "Fix potholes faster on all roads.",
        "Open two new libraries in the north.",
    ])]
    return PlanIndex(plan_passages("later", later))


SOURCE = "Keep the subsidised school bus network running for pupils and parents in every " \
         "rural parish."


def test_an_on_topic_reversal_is_offered_in_the_first_three_but_never_first(monkeypatch):
    index = _plan()
    ranking = index.rank(SOURCE, limit=5)
    keys = [m.passage.key for m in ranking.matches]
    assert keys[0] == "c:0" and "c:4" in keys[1:3]
    reversal = ranking.matches[keys.index("c:4")]
    assert reversal.relation in {"reversed", "withdrawn"}
    assert any("withdraw" in r for r in reversal.reasons)
    # without contrast retrieval the similarity ranking leaves it below the first three
    monkeypatch.setattr(contrast, "SCOPE_BAR", 99.0)
    plain = [m.passage.key for m in _plan().rank(SOURCE, limit=5).matches]
    assert "c:4" not in plain[:3]


def test_promote_keeps_the_ranking_when_no_cue_is_on_topic():
    index = _plan()
    ranking = index.rank("Open two new libraries with longer opening hours.", limit=4)
    assert [m.passage.key for m in ranking.matches][0] == "c:6"
    assert all(m.relation not in {"reversed", "withdrawn"} for m in ranking.matches)


class _Candidate:
    """What ``promote`` reads of a candidate: its passage's key and text."""

    def __init__(self, key: str, text: str) -> None:
        self.passage = type("P", (), {"key": key, "text": text})()


def _promote(index: PlanIndex, scores: list[float]) -> list[_Candidate]:
    """``promote`` over the first four passages of ``index`` as the engine's ranking."""
    ranked = [_Candidate(p.key, p.text) for p in index.passages[:4]]
    out = promote(index, SOURCE, ranked, scores,
                  lambda i: _Candidate(index.passages[i].key, index.passages[i].text))
    assert len(out) == len(ranked)
    return out


def _later(texts: list[str]) -> PlanIndex:
    return PlanIndex(plan_passages("later", [_c(f"c:{n}", text) for n, text in enumerate(texts)]))


def test_promote_places_the_reversal_at_rank_two_or_three_only():
    index = _plan()
    out = _promote(index, [1.0, 0.9, 0.8, 0.7, 0.6, 0.1, 0.1])
    assert out[0].passage.key == "c:0"
    assert "c:4" in [m.passage.key for m in out[1:3]]
    # under the score bar (half the best fused score) it is not promoted
    low = _promote(index, [1.0, 0.9, 0.8, 0.7, 0.2, 0.1, 0.1])
    assert "c:4" not in [m.passage.key for m in low]


def test_a_promoted_reversal_does_not_push_one_already_in_the_first_three_out():
    index = _later([
        "Keep the school bus running for pupils and parents in every rural parish.",
        "Fix potholes faster on all roads.",
        "We will scrap the subsidised network timetable.",
        "Open two new libraries in the north.",
        "We will withdraw the subsidised network as grants end.",
        "Plant trees along the river.", "Recruit more foster carers.",
        "Publish the budget every spring.", "Extend broadband to villages.",
    ])
    out = _promote(index, [1.0, 0.9, 0.8, 0.7, 0.6, 0, 0, 0, 0])  # the reversal c:2 is third
    # the second reversal (c:4) takes the place of the unrelated c:1; c:2 stays in the three
    assert [m.passage.key for m in out] == ["c:0", "c:4", "c:2", "c:1"]


def test_two_promoted_reversals_keep_their_order_of_strength():
    index = _later([
        "Keep the school bus running for pupils and parents in every rural parish.",
        "Fix potholes faster on all roads.",
        "Open two new libraries in the north.",
        "Plant trees along the river.",
        "We will withdraw the subsidised school bus network for pupils in every rural parish.",
        "We will scrap the subsidised network.",
        "Recruit more foster carers.", "Publish the budget every spring.",
        "Extend broadband to villages.",
    ])
    out = _promote(index, [1.0, 0.9, 0.8, 0.7, 0.9, 0.6, 0, 0, 0])  # no reversal in the first 3
    # both reversals enter ranks 2-3, the closer one (c:4) above the looser one (c:5)
    assert [m.passage.key for m in out] == ["c:0", "c:4", "c:5", "c:1"]


# -- firmness ----------------------------------------------------------------------------------

def test_the_opening_verb_and_escalating_wording_label_strength():
    p = propose("Consider the appropriate use of walking and cycling schemes.",
                "3. Establish a network of safe walking and cycling routes.",
                similarity=0.6, wording=0.5)
    assert p.relation == "strengthened"
    assert "opens more firmly: 'Consider' → 'Establish'" in p.reasons
    p = propose("Progress the broadband programme with providers.",
                "Accelerate the broadband programme with providers.", similarity=0.7, wording=0.8)
    assert p.relation == "strengthened"
    assert any("escalating wording" in r for r in p.reasons)
    p = propose("Invest in the safety of the highway network.",
                "Review the safety of the highway network with partners.",
                similarity=0.7, wording=0.7)
    assert p.relation == "scaled_back"
    # the same firmness on both sides is no change of strength
    p = propose("Work with partners to improve bus services.",
                "Work with operators to improve rural bus services.", similarity=0.7, wording=0.7)
    assert p.relation == "continued"


def test_turning_away_from_the_source_is_withdrawn_and_a_named_successor_replaced():
    p = propose("Help residents cut their carbon emissions at home.",
                "Instead of cutting carbon emissions, help residents with energy bills.",
                similarity=0.2, wording=0.4, reversal_min=0.5)
    assert p.relation == "withdrawn"
    p = propose("Run the county youth offer from our own centres.",
                "Young people will be offered online activities instead of the old clubs.",
                similarity=0.8, wording=0.5, reversal_min=0.5)
    assert p.relation == "replaced"
    assert "push back" in cessation_cues("Push back on excessive new housing targets.")


def test_less_of_a_focus_on_the_source_is_turning_away_from_it():
    """'less of a focus on' (or emphasis, reliance) what the source pledged: withdrawn."""
    assert "less focus" in cessation_cues("Put less emphasis on league tables.")
    p = propose("Open public services to competitive tendering by private providers.",
                "Build lasting partnerships with providers, with less of a focus on "
                "competitive tendering for services.",
                similarity=0.2, wording=0.4, reversal_min=0.5)
    assert p.relation == "withdrawn"


# -- labels that follow the tuning links (docs/bench/relations-r4.md) ---------------------------

def test_a_date_or_figure_added_or_dropped_is_a_reason_not_a_relation():
    """On the tuning links a figure gained or lost was mostly a continued pledge (2 of 19 right
    as strengthened / scaled back): it is shown to the officer but does not set the label."""
    p = propose("Improve the reliability of rural bus services.",
                "Improve the reliability of 40 rural bus routes.", similarity=0.6, wording=0.7)
    assert p.relation == "continued"
    assert "a date or figure was added" in p.reasons
    p = propose("Plant 2,000 trees along the river banks.",
                "Plant trees along the river banks with volunteers.", similarity=0.6, wording=0.7)
    assert p.relation == "continued"
    assert "a measurable pledge (a date or figure) became one without" in p.reasons


def test_a_pair_without_cues_is_continued_however_loose_its_wording():
    """Wording closeness did not tell "modified" from "continued" on the tuning links."""
    p = propose("Work with schools to improve attendance.",
                "Support families whose children miss school.", similarity=0.1, wording=0.3)
    assert p.relation == "continued"
    assert any("wording" in r for r in p.reasons)


def test_a_pair_without_cues_is_not_said_to_have_close_wording():
    p = propose("Environmental step change.",
                "You will notice a change of messaging in our literature.",
                similarity=0.2, wording=0.35)
    assert p.relation == "continued"  # no cue of change: the default verdict, for an officer
    assert p.reasons == ("no cue of change; wording 35% alike",)
    assert not any("close" in r for r in p.reasons)
