"""Reliability in the window: start-up checks, recovery, notices, read-only mode, merge menus.

Entry points:

* ``open_library_checked(root)`` (app start-up): opens the library once on a worker thread
  (``probe_library``; after an unclean shutdown ``db.recovery`` runs ``integrity_check`` there,
  with a progress dialog shown at once), closes it again, and returns a ``StartupCheck`` with
  the store's notices, or, when opening fails, asks ``handle_open_error`` what to do next
  (restore a backup, open another library, quit) and tries again; None means quit.
* ``handle_open_error(exc, parent, root=...) -> Path | None``: the recovery dialog
  (``ui.dialogs.recovery.LibraryProblemDialog``), modal; the library to open next or None.
* ``prepare_window(window, check)``: the merge menus, the store's notices as banners and, for
  a read-only library, ``apply_read_only``.
* ``show_store_warnings(window, warnings)``: a banner above the toolbar per notice (yellow for
  read-only and network/synced folders; blue for "checked after an unclean shutdown").
* ``apply_read_only(window)``: the read-only banner, and every write action (``WRITE_ACTIONS``,
  by objectName or text) disabled and kept disabled.
* ``report_save_error(parent, exc, unsaved_text)``: "Not saved: the disk is full. Your previous
  work is safe." with the unsaved text kept and a Copy button (RELIABILITY T-IO-01). It lives
  in ``ui.dialogs.save_error`` (re-exported here); the save-failure paths of the lineage UI and
  its dialogs call ``handle_save_error`` there, which opens it for ``DiskFull``.
* ``install_merge_ui(window)``: File → "Export annotation package…" / "Import annotation
  package…" (issue 7), driven by ``MergeUi`` through ``ui.ops.merge`` on the DB thread.

The probe opens the database twice at start-up (once here, once on the window's DB thread);
opening is cheap, and it keeps every start-up failure out of the half-built window.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from db import recovery
from db.store import SqliteStore
from ui.dialogs.merge_review import PACKAGE_FILTER, ExportPackageDialog, MergeReviewDialog
from ui.dialogs.recovery import BackgroundCall, LibraryProblemDialog
from ui.dialogs.save_error import (  # noqa: F401 - re-exported: tests and callers use them
    DISK_FULL,
    SaveErrorDialog,
    report_save_error,
    save_error_message,
)
from ui.ops import library as library_ops
from ui.ops import merge as merge_ops
from workbench.errors import Cancelled, LibraryReadOnly, WorkbenchError
from workbench.library import LibraryPaths
from workbench.merge import MergePlan, MergeReport

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


def prepare_window(window: QMainWindow, check: StartupCheck) -> None:
    """The merge menus, the store's notices and (read-only libraries) disabled write actions."""
    install_merge_ui(window)
    show_store_warnings(window, check.warnings)
    if check.read_only:
        apply_read_only(window)


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


def apply_read_only(window: QMainWindow, names: Iterable[str] = WRITE_ACTIONS) -> list[QAction]:
    """Show the read-only banner and disable (and keep disabled) every write action."""
    add_banner(window, READ_ONLY_BANNER, name="readOnlyBanner", dismissible=False)
    window.setProperty("readOnlyLibrary", True)
    disabled = []
    names = frozenset(names)
    for action in window.findChildren(QAction):
        if not is_write_action(action, names):
            continue
        action.setEnabled(False)
        action.setStatusTip("Not available: this library is read-only.")
        # other code enables undo/redo and the like as things change: keep them off
        action.enabledChanged.connect(
            lambda on, a=action: a.setEnabled(False) if on else None)
        disabled.append(action)
    return disabled


# == merge menus ===================================================================================


def install_merge_ui(window: Any) -> MergeUi:
    """File → "Export annotation package…" and "Import annotation package…" (idempotent)."""
    ui = getattr(window, "merge_ui", None)
    if ui is None:
        ui = MergeUi(window)
        window.merge_ui = ui
    return ui


class MergeUi(QObject):
    """Export and import of annotation packages in the window (issue 7)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.settings = window.settings
        self.dialog: QDialog | None = None  # the dialog opened last (tests drive it)
        self.message_box: QMessageBox | None = None
        self.export_action = QAction("&Export annotation package…", window)
        self.export_action.setObjectName("exportPackageAction")
        self.export_action.setStatusTip("Write your annotations, links and statuses to a file "
                                        "a colleague can import")
        self.export_action.triggered.connect(self.export_package)
        self.import_action = QAction("I&mport annotation package…", window)
        self.import_action.setObjectName("importPackageAction")
        self.import_action.setStatusTip("Review and merge a colleague's annotation package")
        self.import_action.triggered.connect(self.import_package)
        window.addAction(self.export_action)
        window.addAction(self.import_action)
        self._add_to_file_menu()

    def _add_to_file_menu(self) -> None:
        bar = self.window.menuBar()
        menus = {a.text().replace("&", ""): a.menu() for a in bar.actions() if a.menu()}
        menu = menus.get("File")
        if menu is None:
            menu = bar.addMenu("&File")
        quit_action = next((a for a in menu.actions() if _normalised(a.text()) == "Quit"), None)
        if quit_action is None:
            menu.addSeparator()
            menu.addActions([self.export_action, self.import_action])
            return
        menu.insertActions(quit_action, [self.export_action, self.import_action])
        menu.insertSeparator(quit_action)

    @property
    def actor(self) -> str:
        from ui.dialogs.user_name import current_user  # issue 5's setting

        return current_user(self.settings)

    def _last_folder(self) -> Path:
        return Path(str(self.settings.value("merge/folder", "") or Path.home()))

    def _remember_folder(self, path: Path) -> None:
        self.settings.setValue("merge/folder", str(Path(path).parent))

    def _status(self, text: str) -> None:
        show = getattr(self.window, "show_status", None)
        if show is not None:
            show(text)

    def _error(self, title: str, text: str) -> None:
        """A one-line message box that does not block (plain text: file names as given)."""
        self._status(text)
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Close, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAccessibleName(title)
        self.message_box = box
        box.open()

    # -- import ----------------------------------------------------------------------------

    def choose_import_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Import annotation package",
                                              str(self._last_folder()), PACKAGE_FILTER)
        return Path(name) if name else None

    def import_package(self, path: Path | None = None) -> None:
        """Read and plan the package on the DB thread, then open the review screen."""
        path = Path(path) if path else self.choose_import_file()
        if path is None:
            return
        self._remember_folder(path)
        self._status(f"Reading {path.name}…")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                self._status("Import cancelled: nothing was written.")
                return
            text = str(exc) if isinstance(exc, WorkbenchError) else \
                f"Could not read {path.name}: {exc}"
            self._error("Import annotation package", text.splitlines()[0] if text else text)

        merge_ops.load_merge_plan(self.ctx, path, self.actor, on_done=self.review,
                                  on_error=failed)

    def review(self, plan: MergePlan) -> MergeReviewDialog:
        dialog = MergeReviewDialog(plan, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.apply_requested.connect(lambda decisions: self._apply(dialog, decisions))
        dialog.finished.connect(lambda _code: self._review_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _apply(self, dialog: MergeReviewDialog, decisions: dict[str, str]) -> None:
        def done(report: MergeReport) -> None:
            dialog.show_applied(report)
            self._status(report.summary())

        def failed(exc: BaseException) -> None:
            dialog.show_failed(exc)
            self._status(f"Not merged: {exc}")

        merge_ops.apply(self.ctx, self.actor, dialog.plan, decisions, on_done=done,
                        on_error=failed, initiator=self)

    def _review_closed(self, dialog: MergeReviewDialog) -> None:
        if dialog.report is None:
            self._status("Import cancelled: nothing was written.")
        dialog.deleteLater()

    # -- export ----------------------------------------------------------------------------

    def export_package(self) -> None:
        library_ops.load_plans(self.ctx, on_done=self._choose_export,
                               on_error=lambda exc: self._error("Export annotation package",
                                                                str(exc)))

    def _choose_export(self, plans: library_ops.PlanList) -> ExportPackageDialog:
        safe_actor = "".join(c if c.isalnum() else "-" for c in self.actor).strip("-")
        default = self._last_folder() / (f"annotations-{safe_actor or 'export'}-"
                                         f"{dt.date.today().isoformat()}.zip")
        dialog = ExportPackageDialog([(p.slug, p.meta.title) for p in plans.plans], default,
                                     self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._export(dialog.path(), dialog.plans()))
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _export(self, out: Path, plans: list[str] | None) -> None:
        self._remember_folder(out)
        merge_ops.export_package(
            self.ctx, self.actor, out, plans,
            on_done=lambda path: self._status(f"Wrote the annotation package {path}."),
            on_error=lambda exc: self._error("Export annotation package",
                                             f"Not exported: {exc}"))
