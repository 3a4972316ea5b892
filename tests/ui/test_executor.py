"""The DB executor and the task runner, with a fake workbench (real threads)."""

from __future__ import annotations

import threading
import time

import pytest

from ui import tasks
from ui.executor import DbExecutor
from ui.tasks import TaskRunner

pytestmark = pytest.mark.threads  # tests of the real DB thread itself


class FakeWorkbench:
    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.closed = False


@pytest.fixture
def executor(tmp_path):
    opened: list[FakeWorkbench] = []

    def opener(_root):
        wb = FakeWorkbench()
        opened.append(wb)
        return wb

    ex = DbExecutor(tmp_path, opener=opener, closer=lambda wb: setattr(wb, "closed", True))
    ex.opened = opened
    yield ex
    ex.shutdown(wait=True)


def test_work_runs_on_the_db_thread_and_callbacks_on_the_gui_thread(qtbot, executor):
    gui = threading.get_ident()
    seen = {}

    def work(wb):
        seen["work"] = threading.get_ident()
        return wb.thread

    with qtbot.waitSignal(executor.job_finished, timeout=5000):
        executor.submit(work, on_done=lambda r: seen.update(done=threading.get_ident(), r=r))
    assert seen["work"] != gui and seen["r"] == seen["work"]  # opened inside the DB thread
    assert seen["done"] == gui
    assert executor.is_idle()


def test_errors_reach_on_error_and_discarded_jobs_stay_silent(qtbot, executor):
    errors, results = [], []

    def boom(_wb):
        raise ValueError("bad")

    gate = threading.Event()
    executor.submit(lambda _wb: gate.wait(5))
    discarded = executor.submit(lambda _wb: 1, on_done=results.append)
    discarded.discard()
    with qtbot.waitSignal(executor.job_finished, timeout=5000):
        gate.set()
    with qtbot.waitSignal(executor.job_finished, timeout=5000):
        executor.submit(boom, on_error=errors.append)
    assert [str(e) for e in errors] == ["bad"]
    assert results == []
    qtbot.waitUntil(executor.is_idle)


def test_shutdown_closes_the_workbench_on_its_thread(executor):
    executor.submit(lambda _wb: None)
    executor.shutdown(wait=True)
    assert executor.opened[0].closed
    with pytest.raises(RuntimeError):
        executor.submit(lambda _wb: None)


def test_runner_shows_progress_late_and_cancel_stops_the_job(qtbot, executor, monkeypatch):
    monkeypatch.setattr(tasks, "SHOW_AFTER_MS", 200)
    runner = TaskRunner(executor, None)
    outcome = {}

    def slow(_wb, state):
        for i in range(200):
            if state.cancel_requested:
                return "cancelled"
            state.report(i / 200, f"step {i}")
            time.sleep(0.02)
        return "done"

    runner.run(slow, title="Slow job", on_done=lambda r: outcome.setdefault("r", r))
    qtbot.wait(50)
    assert runner._running[0].dialog is None  # not before SHOW_AFTER_MS
    qtbot.waitUntil(lambda: runner._running and runner._running[0].dialog is not None,
                    timeout=3000)
    dialog = runner._running[0].dialog
    assert dialog.labelText().startswith("step")
    dialog.canceled.emit()  # what the Cancel button (and Escape) emit
    qtbot.waitUntil(lambda: "r" in outcome, timeout=5000)
    assert outcome["r"] == "cancelled"
    assert runner.is_idle()
