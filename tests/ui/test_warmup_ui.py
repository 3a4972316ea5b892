"""The window prepares sentence vectors in the background after the library opens, shows it
in the status bar, and stops it when closed."""

from __future__ import annotations

import threading
import time

import pytest

from tests.matching.test_vectors import CountingModel
from ui import warmup as ui_warmup
from workbench.matching import engine, vectors
from workbench.matching import warmup as matching_warmup


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setattr(vectors, "_MEMORY", {})
    monkeypatch.setattr(vectors, "_CACHES", {})
    monkeypatch.setattr(ui_warmup, "AUTOSTART", True)
    monkeypatch.setattr(ui_warmup, "DELAY_MS", 50)
    model = CountingModel()
    monkeypatch.setattr(matching_warmup, "meaning_model",
                        lambda folder: engine.Remembered(model, folder))
    return model


def slowed(model: CountingModel, monkeypatch, seconds: float) -> threading.Event:
    """Make each chunk of ``model`` take ``seconds``; the event is set when the first starts."""
    started = threading.Event()
    embed = model.embed

    def slow(texts):
        started.set()
        time.sleep(seconds)
        return embed(texts)

    monkeypatch.setattr(model, "embed", slow)
    return started


def test_the_library_is_warmed_once_after_it_opens(open_window, sample_library, qtbot, counting):
    window = open_window(sample_library)
    qtbot.waitUntil(lambda: window.warmup.embedded > 1000, timeout=30000)
    qtbot.waitUntil(lambda: not window.warmup.running, timeout=30000)
    stored = sample_library / "cache" / "vectors" / CountingModel.model_id
    assert any(stored.glob("*.npz")), "the vectors are kept in the library's cache"
    seen = len(counting.seen)
    window.warmup.schedule()  # an edit or an import later: only what is new is embedded
    qtbot.waitUntil(lambda: window.warmup.embedded == 0, timeout=10000)
    assert len(counting.seen) == seen
    assert window.warmup_label.accessibleName() == "Preparing suggestions"


def test_closing_the_window_stops_a_running_warm_up(open_window, sample_library, qtbot, counting,
                                                    monkeypatch):
    started = slowed(counting, monkeypatch, 0.2)
    window = open_window(sample_library)
    qtbot.waitUntil(started.is_set, timeout=10000)
    qtbot.waitUntil(lambda: window.warmup_label.text().startswith("Preparing suggestions"),
                    timeout=5000)
    window.close()
    assert not window.warmup.running
    assert window.warmup.embedded == 0  # cancelled before the end
    assert len(counting.seen) < 1000


def test_no_warm_up_when_the_meaning_signal_is_off(open_window, sample_library, qtbot, counting,
                                                   monkeypatch):
    monkeypatch.setenv("WORKBENCH_EMBEDDINGS", "off")
    window = open_window(sample_library)
    qtbot.wait(300)
    assert not window.warmup.running and counting.seen == []


def test_one_warm_up_at_a_time_and_what_is_asked_meanwhile_runs_next(
        open_window, sample_library, qtbot, counting, monkeypatch):
    started = slowed(counting, monkeypatch, 0.05)
    window = open_window(sample_library)
    qtbot.waitUntil(started.is_set, timeout=10000)
    window.warmup.schedule(["reforming-kent-2025"])  # an edit while it runs
    window.warmup._start()  # even a direct start does not run a second one
    alive = [t for t in threading.enumerate() if t.name == "vector-warmup"]
    assert len(alive) == 1
    qtbot.waitUntil(lambda: not window.warmup.busy and window.warmup.embedded == 0,
                    timeout=60000)  # the second run found everything ready
