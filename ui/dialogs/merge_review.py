"""The merge review screen and the annotation-package export dialog.

``MergeReviewDialog`` shows a planned merge (``workbench.merge.MergePlan``): the counts, what
happens to plans missing here and to records that could not be re-anchored, and, for each
conflict, the two versions side by side (who, when, and every field that differs) with a
Keep mine / Keep theirs / Keep both choice. Apply stays disabled until every conflict has a
choice; the dialog itself writes nothing: it emits ``apply_requested`` and shows the outcome
it is given (``show_applied``/``show_failed``). Cancel closes it with nothing written.

Record text comes from other people's packages, so it is only ever shown in plain-text
widgets (``QLabel`` with ``Qt.PlainText``, ``QListWidget`` items), never as HTML, and never in
tool tips (which Qt would render as rich text).

Signals:
    MergeReviewDialog.apply_requested(dict): {conflict uuid: "local" | "incoming" | "both"}.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.plain import plain_label
from workbench.merge import Conflict, MergePlan, MergeReport, counts_text, plan_details

CHOICES = ("local", "incoming", "both")
CHOICE_LABELS = {"local": "Keep mine", "incoming": "Keep theirs", "both": "Keep both"}
REASONS = {
    "edited_both": "Changed on both sides since you last shared.",
    "delete_vs_edit": "Deleted on one side and changed on the other. “Keep both” keeps the "
                      "changed version, flagged.",
    "two_verdicts": "Two different verdicts on the same commitment and later plan: only one "
                    "stays live, the other goes to the trash, flagged. “Keep both” keeps the "
                    "newer one live.",
}
PACKAGE_FILTER = "Annotation packages (*.zip);;All files (*)"


def _when(stamp: str) -> str:
    return stamp.replace("T", " ")[:16] if stamp else "undated"


def report_text(report: MergeReport) -> str:
    """"Backed up, merged: …" (or why nothing was written): ``MergeReport.summary``."""
    return report.summary()


class ConflictWidget(QFrame):
    """One conflict: the two versions side by side and the three choices."""

    choice_changed = Signal(str)

    def __init__(self, conflict: Conflict, number: int, total: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.setObjectName("mergeConflict")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = plain_label(f"Conflict {number} of {total}: {conflict.title}",
                            name="conflictTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(plain_label(REASONS.get(conflict.reason, conflict.reason),
                                     name="conflictReason"))

        mine, theirs = conflict.local, conflict.incoming
        same = mine.author == theirs.author
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.local_header = plain_label(
            f"Mine — {mine.author}{' (here)' if same else ''}\n{_when(mine.updated_at)}"
            + (" · deleted" if mine.deleted else ""), name="localHeader")
        self.incoming_header = plain_label(
            f"Theirs — {theirs.author}{' (package)' if same else ''}\n"
            f"{_when(theirs.updated_at)}" + (" · deleted" if theirs.deleted else ""),
            name="incomingHeader")
        for label in (self.local_header, self.incoming_header):
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        grid.addWidget(self.local_header, 0, 1)
        grid.addWidget(self.incoming_header, 0, 2)
        self.local_cells: list[QLabel] = []
        self.incoming_cells: list[QLabel] = []
        for row, diff in enumerate(conflict.diffs, start=1):
            grid.addWidget(plain_label(diff.label, name="diffLabel"), row, 0,
                           Qt.AlignmentFlag.AlignTop)
            left = plain_label(f"{mine.author}: {diff.local or '—'}", name="localValue")
            right = plain_label(f"{theirs.author}: {diff.incoming or '—'}",
                                name="incomingValue")
            left.setAccessibleName(f"Mine, {diff.label}")
            right.setAccessibleName(f"Theirs, {diff.label}")
            grid.addWidget(left, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(right, row, 2, Qt.AlignmentFlag.AlignTop)
            self.local_cells.append(left)
            self.incoming_cells.append(right)
        layout.addLayout(grid)

        row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        for choice in conflict.choices:
            text = CHOICE_LABELS.get(choice, choice)
            if choice == conflict.suggested:
                text += " (suggested)"
            button = QRadioButton(text)
            button.setObjectName(f"choice_{choice}")
            button.setAccessibleName(f"{CHOICE_LABELS.get(choice, choice)}: {conflict.title}")
            self.group.addButton(button)
            self.buttons[choice] = button
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.group.buttonToggled.connect(self._on_group_button_toggled)

    def _on_group_button_toggled(self, button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.choice_changed.emit(self.choice() or "")

    def choice(self) -> str | None:
        for choice, button in self.buttons.items():
            if button.isChecked():
                return choice
        return None

    def set_choice(self, choice: str) -> None:
        button = self.buttons.get(choice)
        if button is not None:
            button.setChecked(True)

    def side_texts(self) -> tuple[str, str]:
        """The two columns as plain text (headers and values), for tests and copying."""
        left = [self.local_header.text(), *(c.text() for c in self.local_cells)]
        right = [self.incoming_header.text(), *(c.text() for c in self.incoming_cells)]
        return "\n".join(left), "\n".join(right)


class MergeReviewDialog(QDialog):
    """Review a planned merge, decide every conflict, then ask for it to be applied."""

    apply_requested = Signal(dict)

    def __init__(self, plan: MergePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.report: MergeReport | None = None
        self.busy = False
        manifest = plan.package.manifest
        self.setWindowTitle("Review annotation package")
        self.setAccessibleName("Review annotation package")
        self.setObjectName("mergeReviewDialog")
        self.resize(860, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(
            f"Package {plan.package.path.name} from {manifest.author or 'unknown'} "
            f"({_when(manifest.created_at)})", name="packageLine"))
        self.counts_label = plain_label(counts_text(plan), name="mergeCounts")
        self.counts_label.setAccessibleName("What the merge will do")
        layout.addWidget(self.counts_label)

        details = self._details()
        if details:
            self.details = QListWidget()
            self.details.setObjectName("mergeDetails")
            self.details.setAccessibleName("What the merge adds, updates and cannot place")
            self.details.setMaximumHeight(120)
            for line in details:
                self.details.addItem(QListWidgetItem(line))  # plain text, never HTML
            layout.addWidget(self.details)

        self.conflict_widgets: list[ConflictWidget] = []
        if plan.conflicts:
            helper = QHBoxLayout()
            helper.addWidget(QLabel("Apply the same choice to all conflicts:"))
            self.all_buttons: dict[str, QPushButton] = {}
            for choice, text in (("local", "Keep &mine for all"), ("incoming",
                                 "Keep &theirs for all"), ("both", "Keep &both for all")):
                button = QPushButton(text)
                button.setObjectName(f"all_{choice}")
                button.clicked.connect(lambda _=False, c=choice: self.choose_all(c))
                helper.addWidget(button)
                self.all_buttons[choice] = button
            helper.addStretch(1)
            layout.addLayout(helper)
            box = QWidget()
            inner = QVBoxLayout(box)
            total = len(plan.conflicts)
            for n, conflict in enumerate(plan.conflicts, start=1):
                widget = ConflictWidget(conflict, n, total)
                widget.choice_changed.connect(self._update_buttons)
                inner.addWidget(widget)
                self.conflict_widgets.append(widget)
            inner.addStretch(1)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(box)
            scroll.setAccessibleName("Conflicts")
            layout.addWidget(scroll, 1)
        else:
            layout.addWidget(plain_label("No conflicts: nothing needs deciding.",
                                         name="noConflicts"))
            layout.addStretch(1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: apply_merge is one transaction
        self.progress.setAccessibleName("Merging")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status_label = plain_label("", name="mergeStatus")
        self.status_label.setAccessibleName("Merge status")
        layout.addWidget(self.status_label)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("&Apply merge",
                                                   QDialogButtonBox.ButtonRole.ActionRole)
        self.apply_button.setObjectName("applyMerge")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(self.request_apply)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_buttons()

    def _details(self) -> list[str]:
        return plan_details(self.plan)

    # -- choices ---------------------------------------------------------------------------

    def choose_all(self, choice: str) -> None:
        for widget in self.conflict_widgets:
            widget.set_choice(choice)
        self._update_buttons()

    def resolutions(self) -> dict[str, str] | None:
        """{uuid: choice} once every conflict is decided, else None."""
        out = {}
        for widget in self.conflict_widgets:
            choice = widget.choice()
            if choice is None:
                return None
            out[widget.conflict.uuid] = choice
        return out

    def undecided(self) -> int:
        return sum(1 for w in self.conflict_widgets if w.choice() is None)

    def _update_buttons(self, *_: object) -> None:
        done = self.report is not None
        left = self.undecided()
        self.apply_button.setVisible(not done)
        self.apply_button.setEnabled(not self.busy and not done and left == 0)
        self.cancel_button.setEnabled(not self.busy)
        self.cancel_button.setText("Close" if done else "Cancel")
        if not self.busy and not done:
            self.status_label.setText(
                f"Choose what to keep for {left} more conflict{'s' if left != 1 else ''}."
                if left else "Ready: a backup is taken before anything is written.")

    # -- applying --------------------------------------------------------------------------

    def request_apply(self) -> None:
        decisions = self.resolutions()
        if decisions is None or self.busy or self.report is not None:
            return
        self.set_busy(True)
        self.status_label.setText("Backing up and merging…")
        self.apply_requested.emit(decisions)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        for widget in self.conflict_widgets:
            widget.setEnabled(not busy and self.report is None)
        for button in getattr(self, "all_buttons", {}).values():
            button.setEnabled(not busy and self.report is None)
        self._update_buttons()

    def show_applied(self, report: MergeReport) -> None:
        self.report = report
        self.set_busy(False)
        self.status_label.setText(report_text(report))
        self.cancel_button.setFocus()

    def show_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.status_label.setText(f"Not merged: {exc}")

    def reject(self) -> None:
        if self.busy:  # the transaction is running; its outcome is shown when it returns
            return
        super().reject()


class ExportPackageDialog(QDialog):
    """Choose the plans (all by default) and the file of an annotation package."""

    def __init__(self, plans: Sequence[tuple[str, str]], default_path: Path,
                 parent: QWidget | None = None) -> None:
        """``plans``: (slug, title) pairs."""
        super().__init__(parent)
        self.setWindowTitle("Export annotation package")
        self.setAccessibleName("Export annotation package")
        layout = QVBoxLayout(self)
        intro = QLabel("Annotations, links, statuses, corrections and tags of the chosen plans "
                       "go into one file a colleague can import.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.plan_list = QListWidget()
        self.plan_list.setAccessibleName("Plans to export")
        for slug, title in plans:
            item = QListWidgetItem(f"{title} ({slug})" if title else slug)
            item.setData(Qt.ItemDataRole.UserRole, slug)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.plan_list.addItem(item)
        self.plan_list.itemChanged.connect(self._update)
        layout.addWidget(self.plan_list, 1)
        row = QHBoxLayout()
        for text, state in (("Select &all", Qt.CheckState.Checked),
                            ("Select &none", Qt.CheckState.Unchecked)):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, s=state: self._check_all(s))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("&File:"))
        self.path_edit = QLineEdit(str(default_path))
        self.path_edit.setAccessibleName("Package file")
        file_row.itemAt(0).widget().setBuddy(self.path_edit)  # type: ignore[union-attr]
        self.path_edit.textChanged.connect(self._update)
        file_row.addWidget(self.path_edit, 1)
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self.browse)
        file_row.addWidget(browse)
        layout.addLayout(file_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def _check_all(self, state: Qt.CheckState) -> None:
        for i in range(self.plan_list.count()):
            self.plan_list.item(i).setCheckState(state)

    def _update(self, *_: object) -> None:
        self.ok_button.setEnabled(bool(self.selected_slugs()) and bool(
            self.path_edit.text().strip()))

    def browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export annotation package",
                                              self.path_edit.text(), PACKAGE_FILTER)
        if name:
            self.path_edit.setText(name if Path(name).suffix else f"{name}.zip")

    def selected_slugs(self) -> list[str]:
        return [self.plan_list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.plan_list.count())
                if self.plan_list.item(i).checkState() == Qt.CheckState.Checked]

    def plans(self) -> list[str] | None:
        """The chosen slugs, or None for every plan."""
        chosen = self.selected_slugs()
        return None if len(chosen) == self.plan_list.count() else chosen

    def path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()
