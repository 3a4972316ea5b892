"""T-DUR-06: an edit followed at once by closing the window is never lost (Zotero #2278)."""

from __future__ import annotations

import time

import pytest

from ui import compose
from ui.executor import DbExecutor

pytestmark = pytest.mark.threads  # a save racing the close of the real DB thread


def _busy_until_closing(executor: DbExecutor):
    """A read (a search, a preview) that keeps the DB thread busy until the close has begun,
    so the save is always queued behind it when the close comes (not just usually, as a
    fixed sleep was)."""
    def read(wb):
        deadline = time.monotonic() + 30
        while not executor.is_shut_down and time.monotonic() < deadline:
            time.sleep(0.001)
    return read


def test_a_save_queued_behind_other_work_survives_an_immediate_close(qtbot, sample_library):
    lost = 0
    rounds = 20
    for i in range(rounds):
        executor = DbExecutor(sample_library)
        executor.submit(_busy_until_closing(executor))
        note = f"close race {i}"

        def save(wb, note=note):
            records = compose.records_for(wb, "Tester")
            return records.annotate("framing-kents-future-2022", 3, 0, 12, note=note)

        executor.submit(save)
        executor.shutdown(wait=True)  # what closing the window does, within a millisecond
        wb = compose.open_workbench(sample_library)
        try:
            notes = {a.note for a in compose.records_for(wb, "checker").annotations()}
        finally:
            compose.close_workbench(wb)
        lost += note not in notes
    assert lost == 0, f"{lost} of {rounds} saves were lost by closing right after them"
