"""Importing from the window: encrypted PDFs (password prompt) and drag and drop of a folder.

Why: a locked PDF must not be a dead end (ask, retry a wrong password, let the person skip),
and a folder dropped on the library with one bad file in it must import the rest and say, in
words, why the bad one was refused. The password dialog is replaced by a scripted stand-in, so
the tests never block on a modal dialog; the stand-in also proves the password reaches no log.
"""

from __future__ import annotations

import logging

import pytest

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.pdfgen import Page, encrypted_pdf, heading, make_pdf, para
from ui.dialogs import password as password_dialog

PASSWORD = "s3cret-Δ"


class ScriptedPrompt:
    """Answers the password prompt from a list (``None`` = Cancel) and records the asks."""

    def __init__(self, answers: list[str | None]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, int]] = []

    def __call__(self, parent, file_name: str, attempt: int) -> str | None:
        self.asked.append((file_name, attempt))
        return self.answers.pop(0)


def _import(qtbot, panel, paths):
    panel.show_reports = False
    with qtbot.waitSignal(panel.import_finished, timeout=60000) as blocker:
        panel.import_paths(paths)
    return blocker.args[0]


def test_password_prompt_opens_an_encrypted_pdf(qtbot, open_window, sample_library, tmp_path,
                                                monkeypatch, caplog):
    locked = encrypted_pdf(tmp_path / "locked-plan.pdf", PASSWORD, text="Secret highways plan")
    prompt = ScriptedPrompt(["wrong one", PASSWORD])
    monkeypatch.setattr(password_dialog, "ask_password", prompt)
    window = open_window(sample_library)
    caplog.set_level(logging.DEBUG)
    report = _import(qtbot, window.library_panel, [locked])
    assert prompt.asked == [("locked-plan.pdf", 1), ("locked-plan.pdf", 2)]  # a retry
    assert [o.status for o in report.outcomes] == ["imported"]
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 6, timeout=15000)
    assert PASSWORD not in caplog.text
    assert all(PASSWORD not in o.message for o in report.outcomes)
    assert PASSWORD not in repr(report)


def test_three_wrong_passwords_then_the_file_is_refused(qtbot, open_window, sample_library,
                                                        tmp_path, monkeypatch):
    locked = encrypted_pdf(tmp_path / "locked.pdf", PASSWORD)
    prompt = ScriptedPrompt(["a", "b", "c", "never asked"])
    monkeypatch.setattr(password_dialog, "ask_password", prompt)
    window = open_window(sample_library)
    report = _import(qtbot, window.library_panel, [locked])
    assert [a for _n, a in prompt.asked] == [1, 2, 3]
    assert [(o.status, o.reason) for o in report.outcomes] == [("refused", "wrong_password")]
    assert window.library_panel.model.rowCount() == 5


def test_cancel_skips_the_locked_file_and_keeps_the_others(qtbot, open_window, sample_library,
                                                           tmp_path, monkeypatch):
    folder = tmp_path / "incoming"
    folder.mkdir()
    encrypted_pdf(folder / "a-locked.pdf", PASSWORD)
    make_pdf(folder / "b-open.pdf", [Page([heading("Open plan"), para("Roads and schools.")])],
             title="Open plan")
    prompt = ScriptedPrompt([None])
    monkeypatch.setattr(password_dialog, "ask_password", prompt)
    window = open_window(sample_library)
    report = _import(qtbot, window.library_panel, [folder])
    assert prompt.asked == [("a-locked.pdf", 1)]
    outcomes = {o.path.name: (o.status, o.reason) for o in report.outcomes}
    assert outcomes == {"a-locked.pdf": ("refused", "needs_password"),
                        "b-open.pdf": ("imported", "")}


# Qt 6 has only the QPoint constructor of QDragEnterEvent, which PySide flags as deprecated.
@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_dropping_a_folder_with_a_bad_file_lists_the_reason(qtbot, open_window, sample_library,
                                                           tmp_path):
    folder = tmp_path / "dropped"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a PDF at all")
    make_pdf(folder / "good.pdf", [Page([heading("Good plan"), para("Libraries and parks.")])],
             title="Good plan")
    window = open_window(sample_library)
    panel = window.library_panel
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    enter = QDragEnterEvent(panel.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(panel.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(panel.import_finished, timeout=60000) as blocker:
        QApplication.sendEvent(panel, drop)
    report = blocker.args[0]
    assert {o.path.name: o.status for o in report.outcomes} == {
        "broken.pdf": "refused", "good.pdf": "imported"}
    dialog = panel.report_dialog  # opened without blocking: failures first, with reasons
    assert dialog is not None and dialog.isVisible()
    outcome, name, reason = dialog.rows()[0]
    assert (outcome, name) == ("Refused", "broken.pdf")
    assert "broken.pdf" in reason or len(reason) > 10
    dialog.close()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6, timeout=15000)


def test_the_real_prompt_masks_the_password(qtbot):
    """The dialog itself: echo mode Password, the file named, the attempt counted.

    (Built, not run: a nested modal loop in a long offscreen session is what we avoid here.)
    """
    from PySide6.QtWidgets import QLineEdit, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    first = password_dialog.password_dialog(parent, "x.pdf", 1)
    again = password_dialog.password_dialog(parent, "x.pdf", 2)
    assert first.textEchoMode() == QLineEdit.EchoMode.Password
    assert "x.pdf" in first.labelText() and "Cancel skips" in first.labelText()
    assert "attempt 2 of 3" in again.labelText()
    assert first.accessibleName()


@pytest.mark.threads  # a search overtakes a running import
def test_a_search_completes_while_a_slow_import_runs(qtbot, open_window, sample_library,
                                                     tmp_path, monkeypatch):
    """The import has its own thread and connection: the DB thread stays free meanwhile."""
    import threading
    import time

    from indexing.worker import PdfWorkerExtractor

    started, slept = threading.Event(), threading.Event()
    original = PdfWorkerExtractor.extract

    def slow_extract(self, *args, **kwargs):
        started.set()
        time.sleep(2.0)
        slept.set()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PdfWorkerExtractor, "extract", slow_extract)
    pdf = tmp_path / "slow.pdf"
    make_pdf(pdf, [Page([heading("Slow plan"), para("Allotments and orchards.")])],
             title="Slow plan")
    window = open_window(sample_library)
    panel = window.library_panel
    with qtbot.waitSignal(panel.import_finished, timeout=60000) as imported:
        panel.import_paths([pdf])
        assert started.wait(15)
        t0 = time.monotonic()
        with qtbot.waitSignal(window.search_panel.search_finished, timeout=1500) as searched:
            window.search_panel.set_query("climate emergency", immediately=True)
        assert time.monotonic() - t0 < 1.5
        assert searched.args[0].hits
        assert not slept.is_set()  # the search finished while the extraction was running
        assert window.busy_label.text() == "Importing PDFs…"
        assert window.ctx.executor.is_idle()  # the import is not on the DB thread
    assert [o.status for o in imported.args[0].outcomes] == ["imported"]
    qtbot.waitUntil(lambda: any(p.slug for p in window.library_panel.all_plans
                                if p.meta.title == "Slow plan"), timeout=10000)
