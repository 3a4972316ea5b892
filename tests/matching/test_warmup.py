"""Warming a library's sentence vectors ahead of use: once, cancellable, and what it warms is
what suggest and compare then read without running the model."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import run_cli
from tests.matching.test_vectors import CountingModel
from workbench.errors import Cancelled
from workbench.matching import engine, vectors, warmup
from workbench.tasks import TaskState


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    monkeypatch.setattr(vectors, "_MEMORY", {})
    monkeypatch.setattr(vectors, "_CACHES", {})


@pytest.fixture
def model(monkeypatch) -> CountingModel:
    counting = CountingModel()
    monkeypatch.setattr(warmup, "meaning_model", lambda folder: engine.Remembered(counting, folder))
    return counting


def test_each_text_is_embedded_once_and_the_second_warm_up_has_nothing_to_do(model, tmp_path):
    texts = {"a": ["one", "two", "one"], "b": ["two", "three"]}
    assert warmup.warm(texts, tmp_path) == 3
    assert sorted(model.seen) == ["one", "three", "two"]
    assert warmup.warm(texts, tmp_path) == 0
    assert len(model.seen) == 3


def test_a_cancelled_warm_up_keeps_the_chunks_it_finished(model, tmp_path, monkeypatch):
    monkeypatch.setattr(warmup, "CHUNK", 2)
    state = TaskState()
    texts = {"a": [f"text {n}" for n in range(7)]}
    calls = []

    def report(progress=None, status=None):
        calls.append(progress)
        if len(calls) == 2:  # asked to stop while the second chunk runs
            state.request_cancel()

    monkeypatch.setattr(state, "report", report)
    with pytest.raises(Cancelled):
        warmup.warm(texts, tmp_path, state)
    assert len(model.seen) == 4
    assert warmup.warm(texts, tmp_path) == 3  # only the rest is left


def test_nothing_to_warm_when_the_meaning_signal_is_off(monkeypatch, tmp_path):
    monkeypatch.setattr(warmup, "meaning_model", lambda folder: None)
    assert warmup.warm({"a": ["one"]}, tmp_path) == 0


def test_prepare_from_the_command_line_then_suggest_and_compare_embed_nothing(sample_library):
    """`workbench prepare` embeds exactly what suggest and compare read: after it, their runs
    (new processes) add no shard to the cache, i.e. run the model on no text at all."""
    plans = ["kent-interim-strategic-plan-2020", "reforming-kent-2025"]
    shutil.rmtree(sample_library / "cache" / "vectors")  # the test fixture prepared them all
    first = json.loads(run_cli("prepare", *plans, "--json", library=sample_library,
                               check=True).stdout)
    assert first["embedded"] > 200 and first["plans"] == plans
    again = json.loads(run_cli("prepare", *plans, "--json", library=sample_library,
                               check=True).stdout)
    assert again["embedded"] == 0
    shards = sorted((sample_library / "cache" / "vectors").rglob("*.npz"))
    assert shards
    run_cli("suggest", "--from", plans[0], "--to", plans[1], "--passages", "--json",
            library=sample_library, check=True)
    run_cli("compare", *plans, "--json", library=sample_library, check=True)
    assert sorted((sample_library / "cache" / "vectors").rglob("*.npz")) == shards


def test_prepare_says_when_there_is_nothing_to_prepare(sample_library, monkeypatch):
    monkeypatch.setenv("WORKBENCH_EMBEDDINGS", "off")
    done = run_cli("prepare", library=sample_library, check=True)
    assert "Nothing to prepare" in done.stdout


def test_prepare_names_an_unknown_plan(sample_library):
    done = run_cli("prepare", "no-such-plan", library=sample_library)
    assert done.returncode != 0
    assert "No such plan: no-such-plan" in done.stderr + done.stdout
