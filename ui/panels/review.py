"""The Review panel: go through an earlier plan's commitments and record what became of each in
a later plan, from the keyboard.

Top: "from plan" and "to plan" (default: the compare view's pair), the coverage meter ("142 of
180 commitments of <plan title> have a confirmed verdict; 38 unreviewed") and a
progress bar. Middle: the current commitment, its verdict so far, and its ranked suggestions
(text, page, score, proposed relation, reasons). Bottom: commitments whose verdict has no
successor. Keys (while focus is in the panel): A accept the highlighted candidate with its
proposed relation, 1–9 accept candidate N, D dropped (asks why), R reject the highlighted
candidate, N / Shift+N next / previous unreviewed, L link dialog, S status, T lineage thread,
O open in the reader. A verdict whose relation needs a rationale (dropped, reversed, replaced,
scaled back, withdrawn) always asks for one: the machine's reasons are never recorded as the
officer's words.

Loads and writes are ops (``ui.ops.records``); a key pressed while one is in flight is ignored,
so one key is one verdict.

Signals:
    show_requested(str, str, int): (plan, commitment key, page index) to show in the reader.
    link_requested(str, str): (commitment key, later plan) for the Link dialog.
    status_requested(str): a commitment key for the Status dialog.
    thread_requested(str): a commitment key whose lineage thread to show.
    status_message(str): for the status bar ("Saved: …").
    state_changed(object): the ``ReviewState`` just shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.link import RationaleDialog
from ui.dialogs.save_error import DISK_FULL, handle_save_error
from ui.executor import Job
from ui.models.records import CommitmentChoiceModel, IdRole, SuggestionModel, one_line
from ui.ops import Changes, OpContext
from ui.ops import records as records_ops
from ui.panels import LazyPanel
from ui.widgets.plain import make_plain
from workbench.lineage import RATIONALE_REQUIRED, RELATIONS, Candidate
from workbench.links import link_standing, verdict_state
from workbench.records import Change


class ReviewPanel(LazyPanel):
    """Commitment-by-commitment review of one plan pair."""

    show_requested = Signal(str, str, int)
    link_requested = Signal(str, str)
    status_requested = Signal(str)
    thread_requested = Signal(str)
    status_message = Signal(str)
    state_changed = Signal(object)

    def __init__(self, ctx: OpContext, actor: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Review lineage")
        self._ctx = ctx
        self._actor = actor
        self._plans: list[records_ops.PlanChoice] = []
        self._wanted: tuple[str, str] | None = None
        self._advance = True  # "Move on after a verdict", kept until the tab is built
        self._load_job: Job | None = None
        self._writing = False
        self.state: records_ops.ReviewState | None = None
        self.dialog: RationaleDialog | None = None
        ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ctx.library_changed.connect(lambda _root: self._reload_plans())

    # -- building ------------------------------------------------------------------------

    def build(self, layout: QVBoxLayout) -> None:
        layout.setContentsMargins(6, 6, 6, 6)
        form = QFormLayout()
        self.from_combo = QComboBox()
        self.from_combo.setAccessibleName("From plan")
        self.to_combo = QComboBox()
        self.to_combo.setAccessibleName("To plan")
        for combo in (self.from_combo, self.to_combo):  # long titles must not widen the window
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
        self.from_combo.activated.connect(self._on_from_combo_activated)
        self.to_combo.activated.connect(lambda _i: self.load())
        form.addRow("&From", self.from_combo)
        form.addRow("&To", self.to_combo)
        layout.addLayout(form)
        self.coverage_label = QLabel("Choose two plans.")
        make_plain(self.coverage_label)  # shows data: never rich text
        self.coverage_label.setWordWrap(True)
        self.coverage_label.setAccessibleName("Coverage")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reviewed")
        self.progress.setFormat("%v of %m confirmed")
        layout.addWidget(self.coverage_label)
        layout.addWidget(self.progress)
        self.position_label = QLabel("")
        make_plain(self.position_label)  # shows data: never rich text
        self.position_label.setObjectName("reviewPosition")
        self.current_label = QLabel("")
        self.current_label.setWordWrap(True)
        self.current_label.setTextFormat(Qt.TextFormat.PlainText)
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.current_label.setAccessibleName("Current commitment")
        self.current_label.setObjectName("reviewCurrent")
        self.current_label.setStyleSheet("font-weight: 600;")
        self.verdict_label = QLabel("")
        make_plain(self.verdict_label)  # shows data: never rich text
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAccessibleName("Verdict so far")
        for w in (self.position_label, self.current_label, self.verdict_label):
            layout.addWidget(w)
        self.suggestion_model = SuggestionModel(self)
        self.suggestions = QTableView()
        self.suggestions.setModel(self.suggestion_model)
        self.suggestions.setAccessibleName("Suggested successors (1–9 to accept)")
        self.suggestions.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.suggestions.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.suggestions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.suggestions.setWordWrap(True)
        self.suggestions.setTabKeyNavigation(False)  # one Tab stop; arrow keys move inside
        self.suggestions.verticalHeader().hide()
        header = self.suggestions.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Interactive)):
            header.setSectionResizeMode(column, mode)
        header.setStretchLastSection(False)
        header.resizeSection(5, 220)  # the reasons: readable, without taking the candidate's room
        self.suggestions.activated.connect(self._on_suggestions_activated)
        self.suggestions.selectionModel().currentRowChanged.connect(
            self._on_suggestion_current_changed)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("a", "&Accept (A)", self.accept_top),
                                ("d", "&Dropped… (D)", self.mark_dropped),
                                ("r", "&Reject (R)", self.reject_top),
                                ("p", "◀ Prev (Shift+N)", self.previous),
                                ("n", "&Next ▶ (N)", self.next)):
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", ""))
            button.clicked.connect(slot)
            button.setAutoDefault(False)
            buttons.addWidget(button)
            self.buttons[key] = button
        self.advance_check = QCheckBox("Move on after a verdict")
        self.advance_check.setAccessibleName("Move on after a verdict")
        self.advance_check.setChecked(self._advance)
        buttons.addStretch(1)
        self.no_successor_label = QLabel("")
        make_plain(self.no_successor_label)  # shows data: never rich text
        self.no_successor_model = CommitmentChoiceModel(self)
        self.no_successor_view = QListView()
        self.no_successor_view.setModel(self.no_successor_model)
        self.no_successor_view.setAccessibleName("Commitments with no successor")
        self.no_successor_view.activated.connect(self._on_no_successor_activated)
        bottom = QWidget()
        column = QVBoxLayout(bottom)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.no_successor_label)
        column.addWidget(self.no_successor_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.suggestions)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([300, 120])
        layout.addLayout(buttons)
        layout.addWidget(self.advance_check)  # its own row: the window stays narrow
        layout.addWidget(self.splitter, 1)
        self._make_shortcuts()
        self._reload_plans()

    def _make_shortcuts(self) -> None:
        keys: list[tuple[str, Callable[[], None]]] = [
            ("A", self.accept_top), ("D", self.mark_dropped), ("R", self.reject_top),
            ("N", self.next), ("Shift+N", self.previous), ("L", self.request_link),
            ("S", self.request_status), ("T", self.request_thread), ("O", self.show_current),
        ]
        keys += [(str(n), lambda n=n: self.accept_candidate(n - 1)) for n in range(1, 10)]
        self.shortcuts = []
        for key, slot in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)

    # -- plans -------------------------------------------------------------------------

    def _reload_plans(self) -> None:
        if self.is_built:
            records_ops.load_plan_choices(self._ctx, on_done=self._on_plans_loaded)

    def _on_plans_loaded(self, plans: list[records_ops.PlanChoice]) -> None:
        self._plans = plans
        current = (self.from_combo.currentData(), self.to_combo.currentData())
        self.from_combo.clear()
        for plan in plans[:-1]:
            self.from_combo.addItem(plan.label, plan.slug)
        slugs = {p.slug for p in plans}
        wanted, self._wanted = self._wanted, None
        wanted = wanted if wanted and wanted[0] in slugs else None  # a plan since removed
        if wanted is None and len(plans) >= 2:
            wanted = current if current[0] in slugs else default_pair(plans)
        if wanted is not None:
            self.set_pair(*wanted)

    def _fill_to_combo(self, from_plan: str, to_plan: str | None) -> None:
        slugs = [p.slug for p in self._plans]
        later = self._plans[slugs.index(from_plan) + 1 :] if from_plan in slugs else []
        self.to_combo.clear()
        for plan in later:
            self.to_combo.addItem(plan.label, plan.slug)
        self.to_combo.setCurrentIndex(max(0, self.to_combo.findData(to_plan)))

    def _on_from_combo_activated(self, _index: int) -> None:
        self._fill_to_combo(self.from_combo.currentData(), None)
        self.load()

    def set_pair(self, from_plan: str, to_plan: str | None) -> None:
        """Review ``from_plan`` against ``to_plan`` (e.g. the compare view's pair)."""
        if not self.is_built or not self._plans:
            self._wanted = (from_plan, to_plan or "")  # applied when the plan list arrives
            return
        self.from_combo.setCurrentIndex(max(0, self.from_combo.findData(from_plan)))
        self._fill_to_combo(self.from_combo.currentData(), to_plan)
        self.load()

    def save_settings(self, settings: QSettings) -> None:  # the next session opens on it
        # a session that never built the tab (or closed before its plans arrived) keeps the
        # pair it was handed: writing "no pair" would erase the officer's last review
        pair = self.pair() or self._wanted
        if pair and all(pair):
            settings.setValue("review/pair", list(pair))
        if self.is_built:
            self._advance = self.advance_check.isChecked()
        settings.setValue("review/advance", self._advance)

    def restore_settings(self, settings: QSettings) -> None:  # checked when the plans arrive
        pair = settings.value("review/pair")
        if isinstance(pair, list) and len(pair) == 2 and self._wanted is None:
            self._wanted = (str(pair[0]), str(pair[1]))
        advance = settings.value("review/advance")  # INI files give "false", not False
        if advance is not None:
            self._advance = str(advance).lower() not in ("false", "0")
            if self.is_built:
                self.advance_check.setChecked(self._advance)

    def pair(self) -> tuple[str, str] | None:
        if not self.is_built or not self.from_combo.currentData() or not self.to_combo.currentData():
            return None
        return self.from_combo.currentData(), self.to_combo.currentData()

    # -- loading -------------------------------------------------------------------------

    def load(self, key: str | None = None, move: str = "here") -> None:
        pair = self.pair()
        if pair is None:
            return
        if self._load_job is not None and not self._load_job.finished:
            self._load_job.discard()
        self._load_job = records_ops.load_review(self._ctx, *pair, key, move,
                                                 on_done=self._on_review_loaded,
                                                 on_error=self._on_failed)

    def _on_review_loaded(self, state: records_ops.ReviewState) -> None:
        self._load_job = None
        self.state = state
        cov = state.coverage
        self.coverage_label.setText(cov.summary())
        self.progress.setMaximum(max(1, cov.total))
        self.progress.setValue(cov.confirmed)
        c = state.current
        if c is None:
            self.position_label.setText("Nothing to review: this plan has no commitments.")
            self.current_label.setText("")
        else:
            where = " › ".join(c.path) or c.heading
            self.position_label.setText(f"Commitment {state.position + 1} of {state.total} · "
                                        f"p. {c.page_label} · {where}")
            self.current_label.setText(c.text)
        self.suggestion_model.set_suggestion(state.suggestion, RELATIONS)
        if self.suggestion_model.rowCount():
            self.suggestions.selectRow(0)
            self.suggestions.resizeRowsToContents()
        self.verdict_label.setText(self._verdict_text())
        self.no_successor_model.set_commitments(state.no_successor, {})
        self.no_successor_label.setText(f"With no successor (confirmed): "
                                         f"{len(state.no_successor)}")
        self.state_changed.emit(state)

    def _verdict_text(self) -> str:
        return verdict_text(self.state, self.suggestion_model.candidate(self.highlighted_row()),
                            self.highlighted_row())

    def _on_suggestion_current_changed(self, *_args: object) -> None:
        self.verdict_label.setText(self._verdict_text())

    def _on_failed(self, exc: BaseException) -> None:
        self._load_job = None
        self.status_message.emit(str(exc))
        self.coverage_label.setText(str(exc))

    def is_busy(self) -> bool:
        return self._writing or (self._load_job is not None and not self._load_job.finished)

    # -- verdicts ------------------------------------------------------------------------

    def _refused_while_busy(self) -> bool:
        """A key pressed while a verdict is being saved or the next commitment loaded does
        nothing; say so, or the officer may believe a verdict was recorded."""
        if not self.is_busy():
            return False
        what = "saving the last verdict" if self._writing else "loading the commitment"
        self.status_message.emit(f"Still {what}: that key did nothing and nothing was saved. "
                                 "Press it again in a moment.")
        return True

    def _current(self) -> str | None:
        if self.is_busy() or self.state is None or self.state.current is None:
            return None
        return self.state.current.key

    def _write(self, start: Callable[..., object], unsaved_text: str = "") -> None:
        self._writing = True
        self._unsaved_text = unsaved_text  # kept for the "Not saved" dialog on a full disk
        start(on_done=self._on_written, on_error=self._on_write_failed)

    def _on_written(self, change: Change) -> None:
        self._writing = False
        self.status_message.emit(change.warning or f"Saved: {change.label}")
        key = self.state.current.key if self.state and self.state.current else None
        self.load(key, "next" if self.advance_check.isChecked() else "here")

    def _on_write_failed(self, exc: BaseException) -> None:
        self._writing = False
        if handle_save_error(self, exc, getattr(self, "_unsaved_text", "")) is not None:
            self.status_message.emit(DISK_FULL)
            self.verdict_label.setText(DISK_FULL)
            return
        self.status_message.emit(f"Not saved: {exc}")
        self.verdict_label.setText(f"Not saved: {exc}")

    def highlighted_row(self) -> int:
        """The candidate the user has highlighted (the first one when none is)."""
        row = self.suggestions.currentIndex().row() if self.is_built else -1
        return row if 0 <= row < self.suggestion_model.rowCount() else 0

    def accept_top(self) -> None:
        """A: link to the HIGHLIGHTED candidate with its proposed relation. With no candidate
        (or a "dropped" proposal for it) the verdict would be "dropped": that always asks why."""
        state = self.state
        if state is None or state.suggestion is None or not self.suggestion_model.rowCount():
            self.mark_dropped()
            return
        self.accept_candidate(self.highlighted_row())

    def accept_candidate(self, index: int) -> None:
        """1–9 (or Enter on a row): link to candidate ``index`` with its proposed relation; a
        relation that needs a rationale (dropped, reversed, replaced…) asks for one first:
        the machine's reasons are never recorded as the officer's rationale."""
        if self._refused_while_busy():
            return
        key, pair, state = self._current(), self.pair(), self.state
        cand = self.suggestion_model.candidate(index)
        if not key or not pair or state is None or state.suggestion is None or cand is None:
            return
        sugg = state.suggestion
        if cand.relation == "dropped":
            self.mark_dropped()
            return

        def accept(rationale: str = "") -> None:
            self._write(lambda **cb: records_ops.write(
                self._ctx, self._actor(), lambda recs: recs.accept(
                    sugg, candidate=index, relation=cand.relation, rationale=rationale), **cb),
                rationale)

        if cand.relation not in RATIONALE_REQUIRED:
            accept()
            return
        label = RELATIONS.get(cand.relation, cand.relation)
        self.dialog = RationaleDialog(
            label, f"Why “{label}”? The machine's reasons were: "
            f"{'; '.join(cand.reasons) or 'none'}. Say in your words where the later plan "
            "or a decision shows it; this verdict needs a rationale.", self)
        self.dialog.rationale_given.connect(accept)
        self.dialog.finished.connect(lambda _code: self.suggestions.setFocus())
        self.dialog.open()

    def reject_top(self) -> None:
        if self._refused_while_busy():
            return
        key, pair = self._current(), self.pair()
        if key and pair and self.suggestion_model.rowCount():
            row = max(0, self.suggestions.currentIndex().row())
            self._writing = True
            records_ops.reject(self._ctx, self._actor(), pair[1], key, row,
                               on_done=self._on_rejected, on_error=self._on_write_failed)

    def _on_rejected(self, change: Change) -> None:
        self._writing = False
        self.status_message.emit("Saved: suggestion rejected (it will not be offered again)")
        self.load(self.state.current.key if self.state and self.state.current else None)

    def mark_dropped(self) -> None:
        if self._refused_while_busy():
            return
        key, pair = self._current(), self.pair()
        if not key or not pair:
            return
        self.dialog = RationaleDialog(
            "Dropped", "Why was this commitment dropped? (Say where the later plan or a "
            "decision shows it; a dropped verdict needs a rationale.)", self)
        self.dialog.rationale_given.connect(
            lambda text: self._write(lambda **cb: records_ops.dropped(
                self._ctx, self._actor(), key, pair[1], text, **cb), text))
        self.dialog.finished.connect(lambda _code: self.suggestions.setFocus())
        self.dialog.open()

    def next(self) -> None:
        if not self._refused_while_busy():
            self.load(self._key(), "next")

    def previous(self) -> None:
        if not self._refused_while_busy():
            self.load(self._key(), "prev")

    def _key(self) -> str | None:
        return self.state.current.key if self.state and self.state.current else None

    def _on_suggestions_activated(self, index: QModelIndex) -> None:
        self.accept_candidate(index.row())

    def _on_no_successor_activated(self, index: QModelIndex) -> None:
        key = index.data(IdRole)
        if key:
            self.load(key, "here")

    def request_link(self) -> None:
        key, pair = self._key(), self.pair()
        if key and pair:
            self.link_requested.emit(key, pair[1])

    def request_status(self) -> None:
        if key := self._key():
            self.status_requested.emit(key)

    def request_thread(self) -> None:
        if key := self._key():
            self.thread_requested.emit(key)

    def show_current(self) -> None:
        if self.state is not None and self.state.current is not None:
            c = self.state.current
            self.show_requested.emit(c.plan, c.key, c.page_index)

    def focus_review(self) -> None:
        self.ensure_built()
        self.suggestions.setFocus()

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if not self.is_built:
            return
        if changes.plan_list:
            self._reload_plans()
        elif changes.touches_records and not self._writing \
                and self.state is not None:
            self.load(self._key())  # an undo, a link from the dialog, a correction…


def default_pair(plans: list[records_ops.PlanChoice]) -> tuple[str, str]:
    """The two latest plans with a publication date: an undated plan (a scan not yet read,
    details not yet entered) sorts last but is rarely the edition to review against."""
    dated = [p for p in plans if p.published]
    pick = dated if len(dated) >= 2 else plans
    return pick[-2].slug, pick[-1].slug


def proposal_text(state: records_ops.ReviewState | None, cand: Candidate | None,
                  row: int) -> str:
    """What the machine proposes for the highlighted candidate (after R the rejected one is
    gone from the list, and so are its reasons)."""
    sugg = state.suggestion if state is not None else None
    if sugg is None:
        return ""
    if cand is None:
        return "Proposed: Dropped — no candidate left; D records it with your rationale."
    label = RELATIONS.get(cand.relation, cand.relation)
    text = f"Proposed for candidate {row + 1}: {label} — {'; '.join(cand.reasons) or 'no reasons'}"
    if sugg.relation == "dropped":
        text += " (a weak match: the machine would call it dropped; D asks why)"
    return text


def verdict_text(state: records_ops.ReviewState | None, cand: Candidate | None,
                 row: int) -> str:
    """The verdict so far (who confirmed it) and the proposal for the highlighted candidate."""
    proposal = proposal_text(state, cand, row)
    link = state.verdict if state is not None else None
    if link is None:
        return proposal or "No verdict yet."
    targets = "; ".join(f"p. {t.anchor.page_label}: {one_line(t.anchor.exact, 60)}"
                        for t in link.targets) or "no successor"
    # the one wording of a link's standing (qa13: a confirmed "unreviewed" link read
    # "Verdict (confirmed by X)" while coverage counts it as no verdict)
    label = "" if verdict_state(link) is None else \
        f": {RELATIONS.get(link.relation, link.relation)}"
    return f"{link_standing(link)}{label} → {targets}\n{proposal}"
