"""The meaning signal's pooling: smooth inverse frequency over the plan's own tokens (issue 13).

A fake token model (a tiny vocabulary, one direction per token) stands in for WordLlama, so the
behaviour is proved without the optional package.
"""

from __future__ import annotations

import numpy as np

from workbench.matching.embedding import SifSpace

VOCAB = ["we", "will", "support", "the", "county", "buses", "libraries", "rural", "routes"]


class FakeModel:
    """One orthogonal direction per word; token ids are the words' positions."""

    def table(self):
        return np.eye(len(VOCAB), dtype=np.float32)

    def token_ids(self, texts):
        return [np.array([VOCAB.index(w) for w in t.lower().split() if w in VOCAB],
                         dtype=np.int64) for t in texts]

    def embed(self, texts):  # the plain mean, for the Embedder protocol
        raise AssertionError("SifSpace pools the token vectors itself")


PLAN = [
    "we will support the county buses",
    "we will support the county libraries",
    "we will support the county",
    "we will support the county rural",
    "we will support the county",
]


def test_a_rare_shared_word_outweighs_the_words_every_passage_shares():
    space = SifSpace(FakeModel(), PLAN)
    query = space.encode(["we will support the county rural buses"])[0]
    sims = space.vectors @ query
    # the two passages sharing a rare word ("buses", "rural") rank above those that share
    # only the plan's boilerplate, which a plain mean would score almost as high
    assert set(np.argsort(-sims)[:2]) == {0, 3}
    assert sims[0] > sims[1] + 0.3


def test_vectors_are_unit_length_and_an_empty_text_is_zero():
    space = SifSpace(FakeModel(), PLAN)
    assert np.allclose(np.linalg.norm(space.vectors, axis=1), 1.0, atol=1e-4)
    assert float(np.abs(space.encode(["nothing known here"])).sum()) == 0.0


def test_the_plans_common_words_weigh_less_than_its_rare_ones():
    space = SifSpace(FakeModel(), PLAN)
    common, rare = VOCAB.index("county"), VOCAB.index("buses")
    assert space.token_weight(common) < space.token_weight(rare) / 3


class SynonymModel(FakeModel):
    """As FakeModel, but "routes" points the same way as "buses" (a paraphrase)."""

    def table(self):
        t = np.eye(len(VOCAB), dtype=np.float32)
        t[VOCAB.index("routes")] = t[VOCAB.index("buses")]
        return t


def test_the_engine_ranks_a_paraphrase_first_through_the_pooled_meaning():
    from workbench.matching.engine import PlanIndex
    from workbench.matching.passages import Passage

    texts = [*PLAN[1:], "we will support the county routes"]
    passages = [Passage(f"c:{n}", "later", "commitment", t, "", (), 0, "1", 0, len(t), None)
                for n, t in enumerate(texts)]
    index = PlanIndex(passages, SynonymModel())
    best = index.rank("we will support the county buses", limit=3).matches[0]
    # no word but the boilerplate is shared: only the meaning signal can find it
    assert best.passage.text.endswith("routes")
    assert best.signals["meaning"] > 0.5
