"""The Export dialog: choose what goes in a briefing pack, preview it, write it.

Selection controls (plan pair, relation, delivery status, tag, search text or a saved search,
"only the basket", "only items with a verdict") feed a ``PackSelection``; a live preview of the
items it picks is rebuilt on the DB executor 300 ms after the last change (the previous preview
job is discarded, and stops: only the latest matters). Format, output file, cover fields (title,
committee, author, as-at), "changes since the last pack" and "include page images" complete the
request. Export runs as a ``TaskRunner`` job: its progress dialog (with Cancel) appears after
~600 ms; a cancelled or failed export leaves no file (the writers replace files atomically).
Success shows a message with "Open folder".

"Changes since the last pack" compares with the previous export of the same selection: the
manifest beside the chosen output file if there is one, else the last export of that selection
remembered in QSettings (``export/last/<selection key>``).

The window's File → "Export briefing pack…" and "Add to basket" are ``ui.briefing_ui``.

Signals (``ExportDialog``):
    preview_loaded(list): the ``PreviewRow``s now shown.
    exported(object): the ``ExportResult`` written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from export import FORMATS, ExportResult
from ui.dialogs.user_name import current_user
from ui.executor import Job
from ui.ops import OpContext
from ui.ops import export as export_ops
from ui.ops import search as search_ops
from workbench.errors import Cancelled, WorkbenchError
from workbench.library import LibraryPaths
from workbench.model import is_partial_iso_date
from workbench.pack import PackSelection, without_list_mark

PREVIEW_DELAY_MS = 300
PLAN_LABEL_CHARS = 34  # a plan's label the From/To lists show whole ("Title 2025-2028 (2025)")
_ANY = ""
_FORMAT_NAMES = {"pdf": "PDF (accessible, for print)", "docx": "Word document (DOCX)",
                 "csv": "CSV (spreadsheet data)", "xlsx": "Excel workbook (XLSX)"}


def preview_label(n: int, row: export_ops.PreviewRow) -> str:
    """One preview line: the item numbered as the pack numbers it, its citation indented
    under it (fix11: two plain lines per item ran together in a list of 330), followed by its
    verdict on the next edition when it has one, as the pack prints it. The passage's own
    list number goes, as in the pack ("2. 1. Explore …" read as two numbers, qa12)."""
    verdict = f" · {row.verdict}" if row.verdict else ""
    return f"{n}. {without_list_mark(row.heading)}\n      {row.citation}{verdict}"


class ExportDialog(QDialog):
    """Choose a selection, see what it includes, and write the briefing pack."""

    preview_loaded = Signal(list)
    exported = Signal(object)

    def __init__(self, ctx: OpContext, parent: QWidget | None = None, *,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings or QSettings()
        self._choices: export_ops.PackChoices | None = None
        self._preview_job: Job | None = None
        self._export_job: Job | None = None
        self._saved_name = ""
        self.rows: list[export_ops.PreviewRow] = []
        self.result_box: QMessageBox | None = None
        self.last_error = ""
        self.setWindowTitle("Export briefing pack")
        self.setAccessibleName("Export briefing pack")
        self.resize(980, 640)  # the plan lists show a whole label beside a wide preview
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        export_ops.load_choices(ctx, on_done=self._on_choices_loaded, on_error=self._on_failed)

    # -- layout ------------------------------------------------------------------------------

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem("Any", _ANY)
        combo.currentIndexChanged.connect(self._schedule_preview)
        return combo

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        layout.addLayout(top, 1)

        what = QGroupBox("What goes in")
        form = QFormLayout(what)
        self.from_combo = self._combo("From plan")
        self.to_combo = self._combo("To plan")
        for combo in (self.from_combo, self.to_combo):  # a plan's title and year stay whole
            combo.setSizeAdjustPolicy(  # (qa12: a long plan label was cut off)
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(PLAN_LABEL_CHARS)
        self.relation_combo = self._combo("Relation")
        self.status_combo = self._combo("Delivery status")
        self.tag_combo = self._combo("Tag")
        self.saved_combo = QComboBox()
        self.saved_combo.setAccessibleName("Saved search")
        self.saved_combo.addItem("—", None)
        search_ops.load_saved(self._ctx, legacy=[], actor="", on_done=self._on_saved_loaded)
        self.saved_combo.activated.connect(self._on_saved_combo_activated)
        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName("Search text")
        self.search_edit.setPlaceholderText("commitments matching these words")
        self.search_edit.textEdited.connect(self._on_search_edit_text_edited)
        self.basket_check = QCheckBox("Only the basket")
        self.basket_check.setAccessibleName("Only the basket")
        self.basket_check.toggled.connect(self._schedule_preview)
        self.verdict_check = QCheckBox("Only items with a &verdict")
        self.verdict_check.setAccessibleName("Only items with a verdict")
        self.verdict_check.setToolTip(
            "Leave out the items no officer has given a confirmed verdict (on the To plan, "
            "when one is chosen; else on any later plan). Most of a plan pair's items only "
            "\u201cfirst appear\u201d")
        self.verdict_check.toggled.connect(self._schedule_preview)
        form.addRow("&From plan:", self.from_combo)
        form.addRow("&To plan:", self.to_combo)
        form.addRow("&Relation:", self.relation_combo)
        form.addRow("Delivery &status:", self.status_combo)
        form.addRow("T&ag:", self.tag_combo)
        form.addRow("Saved search:", self.saved_combo)
        form.addRow("Sea&rch:", self.search_edit)
        form.addRow("", self.basket_check)
        form.addRow("", self.verdict_check)
        top.addWidget(what, 2)

        right = QVBoxLayout()
        self.count_label = QLabel("Loading…")
        self.count_label.setAccessibleName("Items in the pack")
        self.preview = QListWidget()
        self.preview.setAccessibleName("Preview of the pack's items")
        self.preview.setWordWrap(True)
        self.preview.setAlternatingRowColors(True)  # each item is two lines: keep them apart
        self.preview.setSpacing(2)
        right.addWidget(self.count_label)
        right.addWidget(self.preview, 1)
        top.addLayout(right, 3)

        out = QGroupBox("Pack")
        form = QFormLayout(out)
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Format")
        for fmt in FORMATS:
            self.format_combo.addItem(_FORMAT_NAMES.get(fmt, fmt), fmt)
        self.format_combo.currentIndexChanged.connect(self._on_format_combo_changed)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Output file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self.choose_path)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("default: describes the selection")
        self.committee_edit = QLineEdit(str(self._settings.value("export/committee", "")))
        self.committee_edit.setAccessibleName("Committee")
        self.author_edit = QLineEdit(str(self._settings.value("export/author", "")))
        self.author_edit.setAccessibleName("Author")
        self.as_at_edit = QLineEdit(dt.date.today().isoformat())
        self.as_at_edit.setAccessibleName("As at")
        self.as_at_edit.setPlaceholderText("yyyy-mm-dd")
        self.changes_check = QCheckBox("List changes since the last pack of this selection")
        self.images_check = QCheckBox("Include page images (PDF and DOCX)")
        form.addRow("F&ormat:", self.format_combo)
        form.addRow("&Save as:", row)
        form.labelForField(row).setBuddy(self.path_edit)  # a layout row gets no buddy itself
        form.addRow("T&itle:", self.title_edit)
        form.addRow("&Committee:", self.committee_edit)
        form.addRow("A&uthor:", self.author_edit)
        form.addRow("As &at:", self.as_at_edit)
        form.addRow("", self.changes_check)
        form.addRow("", self.images_check)
        layout.addWidget(out)

        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("&Export",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # -- choices -----------------------------------------------------------------------------

    def _on_saved_loaded(self, result: tuple[list[dict[str, Any]], bool]) -> None:
        """The library's saved searches (the search panel saves them; the CLI too)."""
        for entry in result[0]:
            self.saved_combo.addItem(entry.get("name") or entry["query"], entry)

    def _on_choices_loaded(self, choices: export_ops.PackChoices) -> None:
        self._choices = choices
        for combo in (self.from_combo, self.to_combo):
            combo.blockSignals(True)
            for plan in choices.plans:
                combo.addItem(plan.label, plan.slug)
                combo.setItemData(combo.count() - 1, plan.label, Qt.ItemDataRole.ToolTipRole)
            combo.blockSignals(False)
        for combo, values in ((self.relation_combo, choices.relations),
                              (self.status_combo, choices.statuses)):
            combo.blockSignals(True)
            for code, label in values:
                combo.addItem(label, code)
            combo.blockSignals(False)
        self.tag_combo.blockSignals(True)
        for path in choices.tags:
            self.tag_combo.addItem(path, path)
        self.tag_combo.blockSignals(False)
        self.basket_check.setText(f"Only the basket ({len(choices.basket)} item"
                                  f"{'s' if len(choices.basket) != 1 else ''})")
        self.basket_check.setEnabled(bool(choices.basket))
        self.refresh_preview()

    def set_selection(self, selection: PackSelection) -> None:
        """Set the controls from a selection (tests, and "regenerate this pack")."""
        for combo, value in ((self.from_combo, selection.from_plan),
                             (self.to_combo, selection.to_plan),
                             (self.relation_combo, selection.relation),
                             (self.status_combo, selection.status),
                             (self.tag_combo, selection.tag)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.search_edit.setText(selection.search)
        self._saved_name = selection.saved_search
        for check, on in ((self.basket_check, bool(selection.basket)),
                          (self.verdict_check, selection.with_verdict)):
            check.blockSignals(True)
            check.setChecked(on)
            check.blockSignals(False)
        self._schedule_preview()

    def selection(self) -> PackSelection:
        basket: tuple[str, ...] = ()
        if self.basket_check.isChecked() and self._choices is not None:
            basket = self._choices.basket
        return PackSelection(
            search=self.search_edit.text().strip(),
            saved_search=self._saved_name,
            tag=self.tag_combo.currentData() or "",
            from_plan=self.from_combo.currentData() or "",
            to_plan=self.to_combo.currentData() or "",
            relation=self.relation_combo.currentData() or "",
            status=self.status_combo.currentData() or "",
            basket=basket,
            with_verdict=self.verdict_check.isChecked(),
        )

    def _on_saved_combo_activated(self, index: int) -> None:
        entry = self.saved_combo.itemData(index)
        self._saved_name = entry.get("name", "") if entry else ""
        self.search_edit.setText(entry["query"] if entry else "")
        self._schedule_preview()

    def _on_search_edit_text_edited(self, _text: str) -> None:
        self._saved_name = ""  # edited by hand: no longer that saved search
        self.saved_combo.setCurrentIndex(0)
        self._schedule_preview()

    def _on_format_combo_changed(self, _index: int) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.path_edit.setText(str(Path(text).with_suffix("." + self.fmt())))

    def fmt(self) -> str:
        return self.format_combo.currentData()

    def choose_path(self) -> None:
        fmt = self.fmt()
        start = self.path_edit.text() or str(
            Path(str(self._settings.value("export/folder", Path.home()))) / f"pack.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, "Save briefing pack as", start,
                                              f"{fmt.upper()} (*.{fmt})")
        if path:
            self.path_edit.setText(path)

    # -- preview -----------------------------------------------------------------------------

    def _schedule_preview(self, *_args: object) -> None:
        self.count_label.setText("Updating…")
        self._timer.start()

    def refresh_preview(self) -> None:
        """Rebuild the preview now (the previous preview job, if any, is discarded)."""
        self._timer.stop()
        if self._preview_job is not None and not self._preview_job.finished:
            self._preview_job.discard()
        self._preview_job = export_ops.load_preview(self._ctx, self.selection(),
                                                    on_done=self._on_preview_loaded,
                                                    on_error=self._on_preview_failed)

    def preview_busy(self) -> bool:
        return self._timer.isActive() or (self._preview_job is not None
                                          and not self._preview_job.finished)

    def _on_preview_loaded(self, rows: list[export_ops.PreviewRow]) -> None:
        self.rows = rows
        self.preview.clear()
        for n, row in enumerate(rows, 1):
            self.preview.addItem(preview_label(n, row))
        n = len(rows)
        self.count_label.setText(f"{n} item{'s' if n != 1 else ''} in the pack"
                                 if n else "No items match this selection.")
        self.export_button.setEnabled(self._export_job is None)
        self.preview_loaded.emit(rows)

    def _on_preview_failed(self, exc: BaseException) -> None:
        self.rows = []
        self.preview.clear()
        self.count_label.setText(str(exc) if isinstance(exc, WorkbenchError) else
                                 f"Could not preview: {exc}")
        self.preview_loaded.emit([])

    # -- export ------------------------------------------------------------------------------

    def _previous_pack(self, out: Path, selection: PackSelection) -> Path | None:
        """The earlier export to compare with (its regeneration data is read from the library
        or from inside the file by ``export.read_manifest``)."""
        if out.is_file():
            return out
        remembered = self._settings.value(f"export/last/{selection.key()}", "")
        if remembered and Path(str(remembered)).is_file():
            return Path(str(remembered))
        return None

    def export(self) -> None:
        """Validate the request and queue the export (progress and Cancel come from the
        task runner)."""
        if self._export_job is not None:
            return
        text = self.path_edit.text().strip()
        if not text:
            self._tell("Choose where to save the pack.")
            return
        out = Path(text).expanduser()
        if not out.suffix:
            out = out.with_suffix("." + self.fmt())
        try:  # never over the database, the PDF copies or anything else of the library
            LibraryPaths(self._ctx.root).refuse_output(out)
        except WorkbenchError as exc:
            self._tell(exc.message)
            return
        as_at = self.as_at_edit.text().strip()
        if as_at and not is_partial_iso_date(as_at):
            self._tell("“As at” takes a date such as 2025-09-30.")
            return
        selection = self.selection()
        previous = None
        if self.changes_check.isChecked():
            previous = self._previous_pack(out, selection)
            if previous is None:
                self._tell("There is no earlier pack of this selection to compare with.")
                return
        request = export_ops.ExportRequest(
            selection=selection, out=out, fmt=self.fmt(), title=self.title_edit.text().strip(),
            committee=self.committee_edit.text().strip(),
            author=self.author_edit.text().strip(), as_at=as_at, changes_since=previous,
            page_images=self.images_check.isChecked(),
        )
        self._settings.setValue("export/committee", request.committee)
        self._settings.setValue("export/author", request.author)
        self.export_button.setEnabled(False)
        self._tell(f"Exporting to {out.name}…")
        self._export_job = export_ops.run_export(
            self._ctx, request, current_user(self._settings),
            on_done=lambda result: self._on_exported(result, selection),
            on_error=self._on_export_failed)

    def exporting(self) -> bool:
        return self._export_job is not None

    def _on_exported(self, result: ExportResult, selection: PackSelection) -> None:
        """``selection`` is the request's: the controls may have changed while it ran, and
        "changes since" must find this file under what it holds (review, round 12)."""
        self._export_job = None
        self.export_button.setEnabled(True)
        self._settings.setValue(f"export/last/{selection.key()}", str(result.path))
        self._settings.setValue("export/folder", str(result.path.parent))
        self._tell(f"Wrote {result.items} item(s) to {result.path}.")
        box = QMessageBox(QMessageBox.Icon.Information, "Briefing pack written",
                          f"Wrote {result.items} item(s) to {result.path.name}.",
                          QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(str(result.path))
        folder_button = box.addButton("Open &folder", QMessageBox.ButtonRole.ActionRole)
        folder_button.clicked.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(result.path.parent))))
        self.result_box = box
        box.open()
        self.exported.emit(result)

    def _on_export_failed(self, exc: BaseException) -> None:
        self._export_job = None
        self.export_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self._tell("Export cancelled; no file was written.")
        elif isinstance(exc, WorkbenchError | OSError):
            self._tell(f"Could not export: {exc}")
        else:
            self._tell(f"Could not export: {exc!r}")

    def _on_failed(self, exc: BaseException) -> None:
        self._tell(str(exc))

    def _tell(self, text: str) -> None:
        self.last_error = text
        self.status_label.setText(text)

    def done(self, result: int) -> None:  # QDialog override
        if self._preview_job is not None and not self._preview_job.finished:
            self._preview_job.discard()
        self._timer.stop()
        super().done(result)
