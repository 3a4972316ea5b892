"""The Link dialog: record how a commitment of an earlier plan fares in a later plan.

Choose the later plan, pick one or more successor commitments from a searchable list (the
suggester's candidates first, starred with their score), a relation from the vocabulary, a
rationale, optional evidence (the text selected in the reader) and whether the verdict is
confirmed. The dialog refuses what the service would refuse, and says why before you press Save:
a rationale is required for scaled back / replaced / reversed / withdrawn / dropped.

Loading runs on the DB executor (``ui.ops.records.load_link_choices``); saving is one op, and
the dialog closes only after the commit.

Signals:
    saved(object): the ``Change`` of the link written.
    rationale_given(str) (``RationaleDialog``): the text typed.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.save_error import DISK_FULL, handle_save_error
from ui.models.records import CommitmentChoiceModel, CommitmentFilterProxy, IdRole, one_line
from ui.ops import OpContext
from ui.ops import records as records_ops
from ui.widgets.buttons import dialog_buttons
from ui.widgets.plain import make_plain
from workbench.lineage import NO_TARGET_RELATIONS, RATIONALE_REQUIRED, RELATIONS
from workbench.links import link_summary
from workbench.records import Change

OFFERED = [code for code in RELATIONS if code not in ("unreviewed", "new")]


def relation_problem(relation: str, targets: int, rationale: str) -> str:
    """Why a verdict cannot be saved yet ("" when it can). Mirrors ``Records.link``."""
    label = RELATIONS.get(relation, relation)
    if relation in RATIONALE_REQUIRED and not rationale.strip():
        return (f"A “{label}” verdict needs a rationale: say what changed and where the later "
                "plan (or a decision) says so.")
    if relation == "dropped" and targets:
        return "A dropped commitment has no successor: clear the selected commitments."
    if relation not in NO_TARGET_RELATIONS and not targets:
        return ("Choose at least one successor commitment (or a relation without one: "
                "Dropped, Withdrawn, Delivered).")
    return ""


class LinkDialog(QDialog):
    """From one commitment to its successor(s) in one later plan."""

    saved = Signal(object)

    def __init__(self, ctx: OpContext, actor: str, source_key: str, parent: QWidget | None = None,
                 *, to_plan: str | None = None, preselect: tuple[str, ...] = (),
                 evidence: records_ops.Span | None = None, evidence_text: str = "") -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._actor = actor
        self._source_key = source_key
        self._preselect = preselect
        self._evidence = evidence
        self.choices: records_ops.LinkChoices | None = None
        self.setWindowTitle("Link commitment")
        self.setAccessibleName("Link commitment")
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        self.source_label = QLabel("Loading…")
        self.source_label.setWordWrap(True)
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        self.source_label.setAccessibleName("Commitment to link")
        layout.addWidget(self.source_label)
        form = QFormLayout()
        self.plan_combo = QComboBox()
        self.plan_combo.setAccessibleName("Later plan")
        self.plan_combo.activated.connect(self._on_plan_combo_activated)
        form.addRow("&Later plan", self.plan_combo)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter the later plan's commitments…")
        self.filter_edit.setAccessibleName("Filter commitments")
        self.filter_edit.setClearButtonEnabled(True)
        form.addRow("&Find", self.filter_edit)
        layout.addLayout(form)
        self.model = CommitmentChoiceModel(self)
        self.proxy = CommitmentFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit.textChanged.connect(self.proxy.set_needle)
        self.targets_view = QListView()
        self.targets_view.setModel(self.proxy)
        self.targets_view.setAccessibleName("Successor commitments (suggested first)")
        self.targets_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.targets_view.setAlternatingRowColors(True)
        self.targets_view.setWordWrap(True)
        self.targets_view.selectionModel().selectionChanged.connect(lambda *_: self._validate())
        layout.addWidget(self.targets_view, 1)
        form2 = QFormLayout()
        self.relation_combo = QComboBox()
        self.relation_combo.setAccessibleName("Relation")
        for code in OFFERED:
            self.relation_combo.addItem(RELATIONS[code], code)
        self.relation_combo.currentIndexChanged.connect(lambda _i: self._validate())
        self.rationale_edit = QPlainTextEdit()
        self.rationale_edit.setAccessibleName("Rationale")
        self.rationale_edit.setTabChangesFocus(True)
        self.rationale_edit.setMaximumHeight(90)
        self.rationale_edit.textChanged.connect(self._validate)
        self.evidence_check = QCheckBox(
            f"Cite the selected text: “{one_line(evidence_text, 80)}”" if evidence
            else "No text selected in the reader to cite as evidence")
        self.evidence_check.setAccessibleName("Cite the selected text as evidence")
        self.evidence_check.setEnabled(evidence is not None)
        self.evidence_check.setChecked(evidence is not None)
        self.confirm_check = QCheckBox("&Confirmed verdict (not just a proposal)")
        self.confirm_check.setChecked(True)
        self.confirm_check.setAccessibleName("Confirmed verdict")
        self.confirm_check.toggled.connect(lambda _on: self._validate())
        form2.addRow("&Relation", self.relation_combo)
        form2.addRow("Ra&tionale", self.rationale_edit)
        form2.addRow("Evidence", self.evidence_check)
        form2.addRow("", self.confirm_check)
        layout.addLayout(form2)
        self.why_label = QLabel("")
        make_plain(self.why_label)  # shows data: never rich text
        self.why_label.setObjectName("dialogMessage")
        self.why_label.setWordWrap(True)
        self.why_label.setAccessibleName("Why it cannot be saved yet")
        layout.addWidget(self.why_label)
        self.buttons = dialog_buttons(layout, QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                      self.submit, self.reject)
        self._save_button().setEnabled(False)
        self._load(to_plan)

    def _save_button(self):  # QPushButton
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    # -- loading ---------------------------------------------------------------------------

    def _load(self, to_plan: str | None) -> None:
        self.loading = True
        records_ops.load_link_choices(self._ctx, self._source_key, to_plan,
                                      on_done=self._on_choices_loaded,
                                      on_error=self._on_load_failed)

    def _on_plan_combo_activated(self, _index: int) -> None:
        self._preselect = ()
        self._load(self.plan_combo.currentData())

    def _on_load_failed(self, exc: BaseException) -> None:
        self.loading = False
        self.source_label.setText(f"Cannot link this commitment: {exc}")
        self.why_label.setText(str(exc))

    def _on_choices_loaded(self, choices: records_ops.LinkChoices) -> None:
        self.loading = False
        self.choices = choices
        s = choices.source
        self.source_label.setText(f"From p. {s.page_label} ({s.heading or s.plan}):\n"
                                  f"{one_line(s.text, 400)}")
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for plan in choices.later:
            self.plan_combo.addItem(plan.label, plan.slug)
        self.plan_combo.setCurrentIndex(max(0, self.plan_combo.findData(choices.to_plan)))
        self.plan_combo.blockSignals(False)
        self.model.set_commitments(choices.commitments, choices.scores)
        existing = choices.existing if choices.existing and choices.existing.state != "rejected" \
            else None
        wanted = self._preselect or choices.existing_targets if existing or self._preselect \
            else tuple(list(choices.scores)[:1])
        self.select_targets(wanted)
        relation = existing.relation if existing else None
        if relation is None and wanted and wanted[0] in choices.scores:
            relation = choices.scores[wanted[0]][1]
        self.set_relation(relation or "continued")
        if existing is not None and existing.rationale:
            self.rationale_edit.setPlainText(existing.rationale)
        self._validate()

    # -- values and validation -------------------------------------------------------------

    def select_targets(self, keys: tuple[str, ...] | list[str]) -> None:
        selection = self.targets_view.selectionModel()
        selection.clearSelection()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(IdRole) in keys:
                selection.select(index, QItemSelectionModel.SelectionFlag.Select)
                self.targets_view.scrollTo(index)
        self._validate()

    def set_relation(self, code: str) -> None:
        self.relation_combo.setCurrentIndex(max(0, self.relation_combo.findData(code)))

    def target_keys(self) -> list[str]:
        rows = sorted(i.row() for i in self.targets_view.selectionModel().selectedIndexes())
        return [self.proxy.index(r, 0).data(IdRole) for r in rows]

    def relation(self) -> str:
        return self.relation_combo.currentData()

    def problem(self) -> str:
        if self.choices is None:
            return "Loading the later plan's commitments…"
        existing = self.choices.existing
        if existing is not None and existing.state == "confirmed" \
                and not self.confirm_check.isChecked():  # Links.link refuses it too
            return (f"This commitment already has {link_summary(existing)}: a proposal "
                    "cannot replace it. To change it, keep “Confirmed verdict” ticked and say "
                    "why in the rationale; Cancel keeps it.")
        return relation_problem(self.relation(), len(self.target_keys()),
                                self.rationale_edit.toPlainText())

    def _validate(self) -> None:
        problem = self.problem()
        self.why_label.setText(problem)
        self.why_label.setVisible(bool(problem))
        self._save_button().setEnabled(not problem)

    # -- saving ------------------------------------------------------------------------------

    def submit(self) -> None:
        if self.problem() or self.choices is None:
            self._validate()
            return
        self._save_button().setEnabled(False)
        evidence = [self._evidence] if self._evidence and self.evidence_check.isChecked() else []
        records_ops.link(
            self._ctx, self._actor, self.choices.source.key, self.target_keys(),
            relation=self.relation(), to_plan=self.choices.to_plan,
            rationale=self.rationale_edit.toPlainText().strip(), evidence=evidence,
            confirm=self.confirm_check.isChecked(), on_done=self._on_saved,
            on_error=self._on_save_failed)

    def _on_saved(self, change: Change) -> None:
        self.saved.emit(change)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        disk_full = handle_save_error(self, exc, self.rationale_edit.toPlainText()) is not None
        self.why_label.setText(DISK_FULL if disk_full else f"Not saved: {exc}")
        self.why_label.show()
        self._save_button().setEnabled(True)


class RationaleDialog(QDialog):
    """Asks why (for a verdict that needs a rationale, e.g. "Dropped")."""

    rationale_given = Signal(str)

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        make_plain(label)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setAccessibleName("Rationale")
        self.text_edit.setTabChangesFocus(True)
        layout.addWidget(self.text_edit)
        self.buttons = dialog_buttons(layout, QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                      self.accept, self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.text_edit.textChanged.connect(
            lambda: ok.setEnabled(bool(self.text_edit.toPlainText().strip())))
        self.text_edit.setFocus()

    def accept(self) -> None:
        text = self.text_edit.toPlainText().strip()
        if not text:
            return
        self.rationale_given.emit(text)
        super().accept()
