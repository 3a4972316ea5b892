"""T-DUR-06: an edit followed at once by closing the window is never lost (Zotero #2278)."""

from __future__ import annotations

import time

import pytest

from ui import compose
from ui.executor import DbExecutor

pytestmark = pytest.mark.threads  # a save racing the close of the real DB thread


def _slow_read(wb):
    time.sleep(0.3)  # the DB thread is busy (a search, a preview) when the save is queued
    return None


def test_a_save_queued_behind_other_work_survives_an_immediate_close(qtbot, sample_library):
    lost = 0
    rounds = 20
    for i in range(rounds):
        executor = DbExecutor(sample_library)
        executor.submit(_slow_read)
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
