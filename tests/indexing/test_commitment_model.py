"""The commitment model scores a candidate's uncrossed features with its shape exactly as it
scores the crossed features it was trained on (issue 12, Speed: the pipeline never builds the
crossed names)."""

from __future__ import annotations

import pytest

from indexing.commitment_features import (
    KINDS,
    Context,
    Model,
    base_features,
    cross,
    features,
    load_model,
)
from indexing.commitments import Candidate, select

CASES = [
    ("We will publish the results every year.", Context("sentence")),
    ("Expand apprenticeships for all ages by 2026", Context("bullet", "Our objectives:", "Skills")),
    ("Number of young people in education", Context("bullet", "", "Measures")),
    ("Lobby government for fair funding", Context("numbered", "We will:", "Asks")),
    ("Reduce carbon emissions by 50% by 2030", Context("cell", "Action", "Climate",
                                                       first_column=True)),
    ("Residents told us that roads matter most.", Context("sentence", first=True, only=True)),
    ("Our priorities", Context("heading", "", "Plan")),
]


@pytest.mark.parametrize(("text", "ctx"), CASES)
def test_shaped_scoring_equals_crossed_scoring(text: str, ctx: Context) -> None:
    model = load_model()
    crossed = features(text, ctx)
    base = base_features(text, ctx)
    assert cross(dict(base), ctx.shape) == crossed
    assert not any("*" in name for name in base)
    kind, p_none = model.score(base, ctx.shape)
    assert kind == model.score(crossed)[0]
    assert p_none == pytest.approx(model.score(crossed)[1], abs=1e-12)
    p = model.probabilities(base, ctx.shape)
    assert p == pytest.approx(model.probabilities(crossed), abs=1e-12)


def test_crossed_weights_are_added_per_shape_group() -> None:
    # "will" weighs 1 on commitment; crossed with items +2 more, with sentences -2: only the
    # item's cross is counted for a bullet, only the sentence's for a sentence
    model = Model({"none": {"bias": 1.0},
                   "commitment": {"will": 1.0, "item*will": 2.0, "sentence*will": -2.0},
                   **{k: {"bias": -9.0} for k in KINDS[2:]}})
    feats = {"bias": 1.0, "will": 1.0}
    assert model.probabilities(feats, "bullet") == pytest.approx(
        model.probabilities({**feats, "item*will": 1.0}))
    assert model.probabilities(feats, "sentence") == pytest.approx(
        model.probabilities({**feats, "sentence*will": 1.0}))
    assert model.score(feats, "bullet")[0] == "commitment"
    assert model.score(feats, "sentence")[0] == "none"


def test_a_kind_needs_its_evidence_and_ties_go_to_the_first_kind() -> None:
    equal = Model({"none": {"bias": -5.0}, "commitment": {"bias": 0.0},
                   "ask": {"bias": 0.0}, "target": {"bias": 3.0}})
    assert equal.score({"bias": 1.0})[0] == "commitment"  # a target needs a number, a date...
    assert equal.score({"bias": 1.0, "date": 1.0})[0] == "target"
    tied = Model({"none": {"bias": -5.0}, **{k: {"bias": 1.0} for k in KINDS[1:]}})
    assert tied.score({"bias": 1.0, "government": 1.0, "number": 1.0})[0] == "commitment"


def _candidate(text: str, shape: str) -> Candidate:
    ctx = Context(shape)
    return Candidate(0, 0, len(text), text, 0, "", ctx, [], (0, 0),
                     feats=base_features(text, ctx))


def test_select_scores_each_candidate_with_its_shape() -> None:
    # the pipeline keeps uncrossed features and passes the shape: a model whose only evidence
    # for a commitment is a crossed weight must keep the item and drop the same words as a
    # sentence (seen failing with the shape left out of select's call)
    model = Model({"none": {"bias": 1.0},
                   "commitment": {"item*will": 4.0},
                   **{k: {"bias": -9.0} for k in KINDS[2:]}})
    text = "We will publish the results every year."
    assert "will" in base_features(text, Context("bullet"))
    item, sentence = _candidate(text, "bullet"), _candidate(text, "sentence")
    kept = select([item, sentence], model, total_words=10_000)
    assert [(c.context.shape, kind) for c, kind in kept] == [("bullet", "commitment")]

