"""The successor suggester: cues on synthetic pairs, and accuracy on the hand-checked set."""

from __future__ import annotations

from db.records import SqliteRecords
from db.store import SqliteStore
from tests.lineage.labels import accuracy
from workbench.lineage import entities, propose_relation, reversal_cues
from workbench.review import Records


def test_cues_are_explained():
    p = propose_relation("We will reach Net Zero by 2030.",
                         "We will scrap Net Zero 2030 and rescind the declaration.",
                         score=0.5, fuzzy=0.5, shared=["Net Zero", "2030"])
    assert p.relation == "reversed"
    assert p.reasons[0] == "shares 'Net Zero', '2030'"
    assert "reversal cue: 'rescind'" in p.reasons and "reversal cue: 'scrap'" in p.reasons
    p = propose_relation("We will fix 500 potholes.", "We will fix 350 potholes.",
                         score=0.6, fuzzy=0.9)
    assert (p.relation, p.reasons) == ("scaled_back", ("number changed: 500 → 350",))
    p = propose_relation("We will deliver a park and ride by 2030.",
                         "We will explore a park and ride.", score=0.6, fuzzy=0.8)
    assert p.relation == "scaled_back"
    assert "date dropped: 2030" in p.reasons
    assert "hedging: 'will deliver' → 'will explore'" in p.reasons
    assert reversal_cues("We will end the scheme") == ["end"]
    assert reversal_cues("by the end of 2025") == []
    e = entities("Support BDUK on the £200 million Project Gigabit by 2025 for 5,000 homes")
    assert "2025" in e.years and "5,000" in e.numbers and "bduk" in e.names
    assert any(m.startswith("£200") for m in e.money)


def test_suggestions_on_synthetic_plans(recs):
    suggestions = recs.suggest("old-plan", "new-plan")
    by_text = {s.source.text[:20]: s for s in suggestions}
    net_zero = by_text["We will reach Net Ze"]
    assert net_zero.relation == "reversed"
    assert net_zero.best.commitment.text.startswith("We will rescind")
    assert by_text["We will plant 1,000 "].relation == "continued"
    assert by_text["We will fix 500 poth"].relation == "scaled_back"
    assert by_text["We will deliver a ne"].relation == "scaled_back"
    change = recs.accept(net_zero)
    assert change.value.state == "confirmed" and change.value.relation == "reversed"
    assert change.value.rationale  # required for reversed: taken from the reasons
    recs.reject(by_text["We will plant 1,000 "])
    assert recs.coverage("old-plan", "new-plan").confirmed == 1


def test_dropped_when_nothing_is_similar(recs, store):
    from tests.lineage.synth import add_plan

    add_plan(store, "unrelated", "2024", [("Libraries", ["We will open ten libraries."])])
    suggestions = recs.suggest("old-plan", "unrelated")
    assert {s.relation for s in suggestions} == {"dropped"}
    assert suggestions[0].reasons == ("no similar commitment in Unrelated",)


def test_labelled_pairs_top1_top3(sample_library, capsys):
    store = SqliteStore(sample_library / "workbench.db")
    try:
        acc = accuracy(Records(store, SqliteRecords(store), actor="bench"))
    finally:
        store.close()
    with capsys.disabled():
        print(f"\nlineage suggester on {acc.total} labelled pairs: top-1 {acc.top1}, "
              f"top-3 {acc.top3}, relation right (when in top 3) {acc.relation}")
    assert acc.total >= 15
    assert acc.top3 / acc.total >= 0.6, acc.misses
