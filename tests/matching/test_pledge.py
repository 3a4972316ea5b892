"""The ``pledge`` signal (issue 13): how pledge-like a candidate reads, by the commitment model's
own confidence in the unit, stored at import and carried through the passages into the engine.
Officers link pledge to pledge; a context sentence sharing more of the source's words should not
outrank the pledge that carries it on."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from workbench.matching import engine, plan_passages
from workbench.matching.passages import PLEDGE_NEUTRAL
from workbench.model import ExtractedCommitment, Rect
from workbench.records import EffectiveCommitment


def _unit(key: str, text: str, pledge: float | None, *, mark: str | None = None,
          start: int = 0) -> EffectiveCommitment:
    return EffectiveCommitment(key=key, plan="later", text=text, page_index=0, page_label="1",
                               start=start, end=start + len(text), section_id=None, heading="",
                               pledge=pledge, mark_uuid=mark)


def test_the_signal_is_the_models_log_odds_scaled_and_neutral_when_unknown():
    passages = plan_passages("later", [
        _unit("c:1", "We will repair potholes within a month.", 0.98),
        _unit("c:2", "Roads matter to every resident of the county.", 0.55),
        _unit("c:3", "An old unit stored before the confidence was.", None),
        _unit("m:4", "A passage a person marked as a commitment.", None, mark="u4"),
    ], pages=[(0, "1", "x" * 200 + " This is a plain sentence no unit covers at all.")])
    values = {p.key: engine.pledge_signal(p) for p in passages}
    assert values["c:1"] == pytest.approx((4 + 3.8918) / 8, abs=1e-3)  # log(0.98 / 0.02)
    assert values["c:2"] == pytest.approx((4 + 0.2007) / 8, abs=1e-3)
    assert values["c:3"] == PLEDGE_NEUTRAL == 0.5  # the model's threshold
    assert values["m:4"] == PLEDGE_NEUTRAL  # a mark with no known plan median: no evidence
    sentence = next(p for p in passages if p.kind == "sentence")
    assert values[sentence.key] == PLEDGE_NEUTRAL
    very_sure = plan_passages("later", [_unit("c:9", "We will.", 0.99999)])[0]
    assert engine.pledge_signal(very_sure) == 1.0  # clipped at ±PLEDGE_CLIP
    index = engine.PlanIndex(passages)
    ranking = index.rank("repair potholes", limit=5)
    assert {m.passage.key: m.signals["pledge"] for m in ranking.matches}["c:1"] == \
        round(values["c:1"], 3)


def test_the_shipped_weights_prefer_the_pledge_to_its_context(fresh):
    """A context sentence that shares more of the source's words ranks first without the
    signal; when the model is sure of the pledge and barely kept the context, the shipped
    weights put the pledge first (and leave the order alone when it is the other way)."""
    source = "Work with our regional partners to improve rail connections to London."
    context = "Regional rail connections to London matter to our residents."
    pledge = "We will work with partners across the region to improve train services."
    assert engine.WEIGHTS_PARAPHRASE["pledge"] > 0
    flat = dict(engine.WEIGHTS_PARAPHRASE, pledge=0.0)
    for sure_of_pledge in (True, False):
        confidence = (0.52, 0.99) if sure_of_pledge else (0.99, 0.52)
        passages = plan_passages("later", [
            _unit("c:1", context, confidence[0]), _unit("c:2", pledge, confidence[1], start=100)])
        index = engine.index_for(passages, plan="later")
        assert index.defaults()[0] is engine.WEIGHTS_PARAPHRASE
        without = index.rank(source, limit=2, weights=flat)
        assert [m.passage.key for m in without.matches] == ["c:1", "c:2"]
        ranked = index.rank(source, limit=2)
        first = "c:2" if sure_of_pledge else "c:1"
        assert ranked.matches[0].passage.key == first, [m.signals for m in ranked.matches]


def test_the_engine_ranks_by_the_signal_when_weighed():
    """With only the pledge signal weighed, the surer unit is first, and a sentence no unit
    covers (confidence unknown: the model's threshold) comes after every unit the model kept."""
    page = ("Our rail connections serve major stations. Maximise funding from the government "
            "for rail. Rail connections are a matter for the operators here.")
    passages = plan_passages("later", [
        _unit("c:1", "Our rail connections serve major stations.", 0.51),
        _unit("c:2", "Maximise funding from the government for rail.", 0.97, start=43),
    ], pages=[(0, "1", page)])
    assert [p.kind for p in passages] == ["commitment", "commitment", "sentence"]
    index = engine.PlanIndex(passages)
    ranking = index.rank("rail connections", limit=3, weights={"pledge": 1.0},
                         no_successor_below=-1.0)
    assert [m.passage.key for m in ranking.matches] == ["c:2", "c:1", passages[2].key]


def test_a_unit_keeps_its_confidence_through_the_pipe():
    unit = ExtractedCommitment(0, 0, "We will.", 0, 0, 8, "", (Rect(0, 1.0, 2.0, 3.0, 4.0),),
                               "target", 0.8731)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(unit, protocol=protocol))
        assert back == unit and back.pledge == 0.8731
    assert pickle.loads(pickle.dumps(dataclasses.replace(unit, pledge=None))).pledge is None


def test_the_stored_confidence_reaches_the_engines_passages(tmp_path):
    """Import (the store) → effective commitments → the plan's passages → the signal."""
    from dataclasses import replace

    from db.records import SqliteRecords
    from db.store import SqliteStore
    from tests.lineage.synth import make_extraction
    from workbench.matching.service import passages_of
    from workbench.model import PlanMeta
    from workbench.review import Records

    (tmp_path / "lib").mkdir()
    store = SqliteStore(tmp_path / "lib" / "workbench.db")
    try:
        ex = make_extraction([("Roads", ["We will fix 500 potholes a month on the A28.",
                                         "Roads matter to every resident of the county."])])
        values = (0.98, 0.55)
        ex = replace(ex, commitments=tuple(replace(c, pledge=v)
                                           for c, v in zip(ex.commitments, values, strict=True)))
        store.add_document(slug="later", meta=PlanMeta(title="Later", published="2024"),
                           extraction=ex, file_name="later.pdf", stored_path="files/later.pdf")
        recs = Records(store, SqliteRecords(store), actor="tester",
                       sidecar_dir=tmp_path / "sidecars")
        units = [p for p in passages_of(recs, "later") if p.kind == "commitment"]
        assert [p.commitment.pledge for p in units] == list(values)
        assert engine.pledge_signal(units[0]) > engine.pledge_signal(units[1]) > 0.5
    finally:
        store.close()


def test_a_hand_marked_unit_gets_its_plans_median_confidence(tmp_path):
    """fix11: nothing measured a hand mark, so it carries the median confidence of its plan's
    units that have one (neither the top of the scale nor the bottom), and None when none has
    (a plan imported before the confidence was stored: the engine then weighs without it); a
    mark cut from a unit keeps that unit's confidence."""
    from dataclasses import replace

    from db.records import SqliteRecords
    from db.store import SqliteStore
    from tests.lineage.synth import make_extraction
    from workbench.matching.service import passages_of
    from workbench.model import PlanMeta
    from workbench.review import Records

    (tmp_path / "lib").mkdir()
    store = SqliteStore(tmp_path / "lib" / "workbench.db")
    try:
        texts = ["We will fix 500 potholes a month on the A28.",
                 "Roads matter to every resident of the county.",
                 "We will resurface ten miles of road each year.",
                 "Our highways team answers every report within a week."]
        recs = Records(store, SqliteRecords(store), actor="tester",
                       sidecar_dir=tmp_path / "sidecars")
        for slug, values in (("later", (0.98, 0.55, 0.9, None)), ("old", (None,) * 4)):
            ex = make_extraction([("Roads", texts)], salt=slug)
            ex = replace(ex, commitments=tuple(
                replace(c, pledge=v) for c, v in zip(ex.commitments, values, strict=True)))
            store.add_document(slug=slug, meta=PlanMeta(title=slug, published="2024"),
                               extraction=ex, file_name=f"{slug}.pdf",
                               stored_path=f"files/{slug}.pdf")
            text = ex.pages[0].text
            start = text.index("This section sets out")
            recs.mark(slug, 0, start, text.index("\n", start))
        marked = {slug: next(p for p in passages_of(recs, slug) if p.key.startswith("m:"))
                  for slug in ("later", "old")}
        assert marked["later"].commitment.pledge == pytest.approx(0.9)  # median of 0.98 .55 .9
        assert marked["old"].commitment.pledge is None
        assert engine.pledge_signal(marked["old"]) == PLEDGE_NEUTRAL
        units = [p for p in passages_of(recs, "later") if p.key.startswith("c:")]
        assert engine.pledge_signal(units[0]) > engine.pledge_signal(marked["later"]) > \
            engine.pledge_signal(units[1])
        # review (round 11): a mark cut from a unit (a split half) keeps that unit's value
        text = make_extraction([("Roads", texts)], salt="later").pages[0].text
        start = text.index("Roads matter to every resident")
        recs.mark("later", 0, start, start + len("Roads matter to every resident"))
        half = next(p for p in passages_of(recs, "later") if p.key.startswith("m:")
                    and p.commitment.text.startswith("Roads matter"))
        assert half.commitment.pledge == pytest.approx(0.55)
    finally:
        store.close()


def test_a_plan_stored_before_the_confidence_ranks_as_before(fresh):
    """Units imported before migration m006 carry no confidence: the signal would be the same
    for every passage, so the index takes the weights fitted without it (round 9's)."""
    texts = ["We will work with partners across the region to improve train services.",
             "Regional rail connections to London matter to our residents."]
    old = plan_passages("later", [_unit(f"c:{n}", t, None, start=100 * n)
                                  for n, t in enumerate(texts)])
    new = plan_passages("later", [_unit(f"c:{n}", t, 0.9, start=100 * n)
                                  for n, t in enumerate(texts)])
    assert engine.index_for(old, plan="later").defaults()[0] is \
        engine.WEIGHTS_PARAPHRASE_UNSCORED
    assert "pledge" not in engine.WEIGHTS_PARAPHRASE_UNSCORED
    assert engine.index_for(new, plan="later").defaults()[0] is engine.WEIGHTS_PARAPHRASE


def test_how_close_a_pair_counts_is_read_with_the_weights_its_bars_were_set_on(fresh,
                                                                              monkeypatch):
    """The signal changes the order of the candidates, not how close a pair counts: the
    relation cues (and compare's bar) read closeness with the weights ``CLOSE_PARAPHRASE`` was
    calibrated on (round 9's), not the refit ones (which weigh meaning more)."""
    from workbench.matching.engine import closeness

    later = ["We will scrap the park and ride scheme for Canterbury.",
             "We will fix 350 potholes a month on the A28."]
    index = engine.index_for(plan_passages("later", [
        _unit(f"c:{n}", t, 0.9, start=100 * n) for n, t in enumerate(later)]), plan="later")
    assert index.defaults()[0] is engine.WEIGHTS_PARAPHRASE
    assert index.closeness_weights() is engine.WEIGHTS_PARAPHRASE_UNSCORED
    seen: dict[str, float] = {}
    real = engine.propose

    def spy(source, text, *, similarity, **kw):
        seen[text] = similarity
        return real(source, text, similarity=similarity, **kw)

    monkeypatch.setattr(engine, "propose", spy)
    ranking = index.rank("We will deliver a new park and ride for Canterbury.", limit=2)
    assert ranking.matches[0].relation == "reversed"
    top = ranking.matches[0]
    ratio = [min(1.0, closeness(top.signals, w) / (2 * index.close()))
             for w in (engine.WEIGHTS_PARAPHRASE_UNSCORED, engine.WEIGHTS_PARAPHRASE)]
    assert abs(ratio[0] - ratio[1]) > 0.05  # the two weight sets differ on this pair
    assert seen[top.passage.text] == pytest.approx(ratio[0])
