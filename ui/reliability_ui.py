"""Reliability in the window: start-up checks, recovery, notices, read-only mode, merge menus.

Entry points:

* ``open_library_checked(root)`` (app start-up): opens the library once on a worker thread
  (``probe_library``; after an unclean shutdown ``db.recovery`` runs ``integrity_check`` there,
  with a progress dialog shown at once), closes it again, and returns a ``StartupCheck`` with
  the store's notices, or, when opening fails, asks ``handle_open_error`` what to do next
  (restore a backup, open another library, quit) and tries again; None means quit.
* ``handle_open_error(exc, parent, root=...) -> Path | None``: the recovery dialog
  (``ui.dialogs.recovery.LibraryProblemDialog``), modal; the library to open next or None.
* ``prepare_window(window, check)``: the store's notices as banners and, for a read-only
  library, ``apply_read_only``.
* ``show_store_warnings(window, warnings)``: a banner above the toolbar per notice (yellow for
  read-only and network/synced folders; blue for "checked after an unclean shutdown").
* ``apply_read_only(window, actions=...)``: the read-only banner, and every write action (the
  window's declared list, ``main_window.write_actions``; else ``WRITE_ACTIONS`` by objectName
  or text) disabled and kept disabled.
* ``report_save_error(parent, exc, unsaved_text)``: "Not saved: the disk is full. Your previous
  work is safe." with the unsaved text kept and a Copy button (RELIABILITY T-IO-01). It lives
  in ``ui.dialogs.save_error`` (re-exported here); the save-failure paths of the lineage UI and
  its dialogs call ``handle_save_error`` there, which opens it for ``DiskFull``.

The probe opens the database twice at start-up (once here, once on the window's DB thread);
opening is cheap, and it keeps every start-up failure out of the half-built window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from db import recovery
from db.store import SqliteStore
from ui.dialogs.recovery import BackgroundCall, LibraryProblemDialog
from ui.dialogs.save_error import (  # noqa: F401 - re-exported: tests and callers use them
    DISK_FULL,
    SaveErrorDialog,
    report_save_error,
    save_error_message,
)
from workbench.errors import LibraryReadOnly
from workbench.library import LibraryPaths

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 600
READ_ONLY_BANNER = "This library is read-only: changes cannot be saved."
UNCLEAN_BANNER = ("Plan Workbench was not closed properly last time; the library was checked "
                  "and is fine.")

#: Actions that write to the library, by objectName or by text (without "&" and "…").
#: Used by ``apply_read_only``; texts cover actions other modules add without object names.
WRITE_ACTIONS = frozenset({
    "importPackageAction", "importAction",
    "Import PDFs", "Reindex", "Edit plan details", "Move to trash / restore",
    "Import annotation package", "Highlight selection", "Mark selection as commitment",
    "Link commitment", "Delivery status", "Tags", "Undo", "Redo",
})
WRITE_ACTION_PREFIXES = ("Undo ", "Redo ")


# == start-up ======================================================================================


@dataclass(slots=True)
class StartupCheck:
    """What opening the library found: the folder to open and the store's notices."""

    root: Path
    warnings: list[str] = field(default_factory=list)
    read_only: bool = False
    network: bool = False
    unclean: str = ""


def probe_library(root: Path) -> StartupCheck:
    """Open the library's database with every guard of ``db.recovery``, note what it found,
    close it. Any thread; the store lives and dies on the calling thread.

    Raises:
        LibraryDamaged, DatabaseTooNew, LibraryLocked, LibraryReadOnly, LibraryError.
    """
    paths = LibraryPaths(Path(root))
    try:
        paths.ensure()
    except OSError as exc:
        if not paths.database.exists():
            raise LibraryReadOnly(
                f"Cannot create a library in {paths.root}: {exc.strerror or exc}") from exc
    store = SqliteStore(paths.database, backups_dir=paths.backups)
    try:
        return StartupCheck(paths.root, list(store.warnings), store.read_only, store.network,
                            store.unclean_shutdown)
    finally:
        store.close()


def _was_unclean(root: Path) -> bool:
    db_path = LibraryPaths(Path(root)).database
    try:
        return db_path.exists() and bool(recovery.inspect_previous_session(db_path).unclean)
    except OSError:
        return False


def run_with_progress(fn: Callable[[], Any], label: str, parent: QWidget | None = None, *,
                      show_now: bool = False) -> Any:
    """Run ``fn`` on a worker thread; wait in a local event loop (the GUI keeps painting) with
    a busy dialog after ``SHOW_AFTER_MS`` (at once with ``show_now``). Returns or raises what
    ``fn`` did. For start-up only, before the window exists."""
    loop = QEventLoop()
    call = BackgroundCall(fn)
    call.finished.connect(lambda *_: loop.quit())
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle("Plan Workbench")
    dialog.setAccessibleName(label)
    dialog.setCancelButton(None)  # integrity_check cannot be interrupted safely
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.hide()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(dialog.show)
    timer.start(0 if show_now else SHOW_AFTER_MS)
    if not call.done:
        loop.exec()
    timer.stop()
    dialog.hide()
    dialog.deleteLater()
    call.deleteLater()
    if call.error is not None:
        raise call.error
    return call.result


def handle_open_error(exc: BaseException, parent: QWidget | None = None, *,
                      root: Path | None = None) -> Path | None:
    """Explain why the library did not open and offer the ways out (modal).

    Returns:
        The library folder to open next (the restored one, another one, or the same one to
        try again), or None to quit.
    """
    log.warning("the library %s could not be opened: %s", root or "", exc)
    dialog = LibraryProblemDialog(exc, root, parent)
    dialog.exec()
    chosen = dialog.chosen_path
    dialog.deleteLater()
    return chosen


def open_library_checked(
    root: Path, parent: QWidget | None = None, *,
    handle: Callable[..., Path | None] = handle_open_error,
    probe: Callable[[Path], StartupCheck] = probe_library,
) -> StartupCheck | None:
    """Open ``root`` once (off the GUI thread), recovering from what goes wrong; None = quit."""
    while True:
        unclean = _was_unclean(root)
        label = ("Plan Workbench was not closed properly last time; checking the library…"
                 if unclean else "Opening the library…")
        try:
            return run_with_progress(lambda r=root: probe(r), label, parent, show_now=unclean)
        except Exception as exc:  # every failure gets the recovery dialog
            chosen = handle(exc, parent, root=root)
            if chosen is None:
                return None
            root = Path(chosen)


def prepare_window(window: QMainWindow, check: StartupCheck,
                   write_actions: Iterable[QAction] | None = None) -> None:
    """The store's notices and (read-only libraries) disabled write actions (the window's own
    list when given, else found by ``WRITE_ACTIONS``)."""
    show_store_warnings(window, check.warnings)
    if check.read_only:
        apply_read_only(window, actions=write_actions)


# == banners =======================================================================================

_STYLES = {
    "warning": "QFrame#{name} {{ background: #fff3bf; border: 1px solid #d4a200; }}"
               " QLabel {{ color: #3b2f00; }}",
    "info": "QFrame#{name} {{ background: #e6f0ff; border: 1px solid #7aa7e0; }}"
            " QLabel {{ color: #0b2a4a; }}",
}


class NoticeBanner(QFrame):
    """One notice above the toolbar: plain text, and a Dismiss button unless it must stay."""

    def __init__(self, text: str, *, name: str, kind: str = "warning",
                 dismissible: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(_STYLES[kind].format(name=name))
        self.setAccessibleName("Library notice")
        self.setAccessibleDescription(text)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setText(text)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        if dismissible:
            close = QPushButton("Dismiss")
            close.setAccessibleName(f"Dismiss: {text}")
            close.clicked.connect(self.hide)
            row.addWidget(close)

    def text(self) -> str:
        return self.label.text()


def _notice_bar(window: QMainWindow) -> QToolBar:
    bar = window.findChild(QToolBar, "libraryNotices")
    if bar is not None:
        return bar
    bar = QToolBar("Library notices", window)
    bar.setObjectName("libraryNotices")
    bar.setAccessibleName("Library notices")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setVisible(False)
    holder = QWidget()
    holder.setObjectName("libraryNoticeHolder")
    QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
    bar.addWidget(holder)
    first = next((t for t in window.findChildren(QToolBar)
                  if t is not bar and window.toolBarArea(t) == Qt.ToolBarArea.TopToolBarArea),
                 None)
    if first is not None:
        window.insertToolBar(first, bar)
        window.insertToolBarBreak(first)
    else:
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar


def add_banner(window: QMainWindow, text: str, *, name: str, kind: str = "warning",
               dismissible: bool = True) -> NoticeBanner:
    """Add (once per ``name``) a notice banner above the window's toolbar."""
    bar = _notice_bar(window)
    holder = bar.findChild(QWidget, "libraryNoticeHolder")
    assert holder is not None
    existing = holder.findChild(NoticeBanner, name)
    if existing is not None:
        existing.show()
        return existing
    banner = NoticeBanner(text, name=name, kind=kind, dismissible=dismissible)
    holder.layout().addWidget(banner)
    banner.show()  # a layout only queues showing widgets added to a visible parent
    bar.show()
    return banner


def banners(window: QMainWindow) -> list[NoticeBanner]:
    return [b for b in window.findChildren(NoticeBanner) if not b.isHidden()]


def show_store_warnings(window: QMainWindow, warnings: Iterable[str]) -> list[NoticeBanner]:
    """One banner per notice of the store (read-only, network/synced folder, checked after an
    unclean shutdown, no daily backup)."""
    shown = []
    for text in warnings:
        if text == recovery.READ_ONLY_WARNING:
            shown.append(add_banner(window, READ_ONLY_BANNER, name="readOnlyBanner",
                                    dismissible=False))
        elif text == recovery.NETWORK_WARNING:
            shown.append(add_banner(window, text, name="networkBanner"))
        elif text == recovery.UNCLEAN_WARNING:
            log.info("%s", UNCLEAN_BANNER)
            shown.append(add_banner(window, UNCLEAN_BANNER, name="uncleanBanner", kind="info"))
        else:
            shown.append(add_banner(window, text, name=f"notice{len(shown)}"))
    return shown


# == read-only =====================================================================================


def _normalised(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip().rstrip(".").strip()


def is_write_action(action: QAction, names: Iterable[str] = WRITE_ACTIONS) -> bool:
    wanted = set(names)
    text = _normalised(action.text())
    return (action.objectName() in wanted or text in wanted
            or text.startswith(WRITE_ACTION_PREFIXES))


def apply_read_only(window: QMainWindow, names: Iterable[str] = WRITE_ACTIONS, *,
                    actions: Iterable[QAction] | None = None) -> list[QAction]:
    """Show the read-only banner and disable (and keep disabled) every write action: the
    ``actions`` given, else those whose objectName or text is in ``names``."""
    add_banner(window, READ_ONLY_BANNER, name="readOnlyBanner", dismissible=False)
    window.setProperty("readOnlyLibrary", True)
    disabled = []
    names = frozenset(names)
    chosen = list(actions) if actions is not None else [
        a for a in window.findChildren(QAction) if is_write_action(a, names)]
    for action in chosen:
        action.setEnabled(False)
        action.setStatusTip("Not available: this library is read-only.")
        # other code enables undo/redo and the like as things change: keep them off
        action.enabledChanged.connect(
            lambda on, a=action: a.setEnabled(False) if on else None)
        disabled.append(action)
    return disabled
