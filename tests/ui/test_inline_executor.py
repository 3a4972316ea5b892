"""The inline DB executor that UI tests use (tests/ui/conftest.py): jobs run at once on the
calling thread, but callbacks still come through the event loop, after ``submit`` returned,
in order, and errors reach ``on_error`` as from the real thread."""

from __future__ import annotations

import threading

import pytest

from ui.executor import DbExecutor, InlinePool


class FakeWorkbench:
    closed = False


@pytest.fixture
def executor(tmp_path):
    ex = DbExecutor(tmp_path, opener=lambda _root: FakeWorkbench(),
                    closer=lambda wb: setattr(wb, "closed", True))
    yield ex
    ex.shutdown(wait=True)


def test_unmarked_ui_tests_get_the_inline_pool(executor):
    assert isinstance(executor._pool, InlinePool)


def test_callbacks_arrive_after_submit_returns_in_order(qtbot, executor):
    gui = threading.get_ident()
    events: list[str] = []
    ran_on: list[int] = []

    def work(n):
        def fn(_wb):
            ran_on.append(threading.get_ident())
            events.append(f"ran {n}")
            return n
        return fn

    first = executor.submit(work(1), on_done=lambda v: events.append(f"done {v}"))
    events.append("submitted")
    executor.submit(work(2), on_done=lambda v: events.append(f"done {v}"))
    assert events == ["ran 1", "submitted", "ran 2"]  # no callback inside submit
    assert not first.finished and not executor.is_idle()
    qtbot.waitUntil(executor.is_idle, timeout=2000)
    assert events[3:] == ["done 1", "done 2"] and set(ran_on) == {gui}


def test_errors_reach_on_error(qtbot, executor):
    errors: list[BaseException] = []

    def boom(_wb):
        raise ValueError("boom")

    executor.submit(boom, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    assert str(errors[0]) == "boom"


def test_shutdown_closes_the_workbench_and_refuses_work(executor):
    wb = executor._workbench
    executor.shutdown(wait=True)
    assert wb.closed
    with pytest.raises(RuntimeError, match="closed"):
        executor.submit(lambda _wb: None)
