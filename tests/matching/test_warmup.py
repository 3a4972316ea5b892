"""Warming a library's sentence vectors ahead of use: once, cancellable, and what it warms is
what suggest and compare then read without running the model."""

from __future__ import annotations

import json
import shutil

import numpy as np
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


def test_prepare_from_the_command_line_then_suggest_reads_every_vector(sample_library, monkeypatch):
    """`workbench prepare PLAN` embeds its passages and sections; a later process's suggest
    and compare then find every one of its texts in the folder."""
    plan = "reforming-kent-2025"
    shutil.rmtree(sample_library / "cache" / "vectors")  # the test fixture prepared them all
    done = run_cli("prepare", plan, "--json", library=sample_library, check=True)
    first = json.loads(done.stdout)
    assert first["embedded"] > 200 and first["plans"] == [plan]
    again = json.loads(run_cli("prepare", plan, "--json", library=sample_library, check=True).stdout)
    assert again["embedded"] == 0

    from ui.compose import open_workbench, records_for
    from workbench.matching.service import vector_folder

    wb = open_workbench(sample_library)
    try:
        recs = records_for(wb, "tester")
        texts = warmup.plan_texts(recs, [plan])[plan]
        model = engine.meaning_model(vector_folder(wb.store))
        assert model is not None and not model.cache.missing(texts)
        other = warmup.plan_texts(recs, ["kent-vision-2011"])["kent-vision-2011"]
        assert model.cache.missing(other)  # a plan not prepared is not there
        assert isinstance(model.embed(texts[:3]), np.ndarray)
    finally:
        wb.store.close()


def test_prepare_names_an_unknown_plan(sample_library):
    done = run_cli("prepare", "no-such-plan", library=sample_library)
    assert done.returncode != 0
    assert "No such plan: no-such-plan" in done.stderr + done.stdout
