"""Compare two plans side by side: aligned pairs with a word diff, and what is only in one.

The alignment (``ui.ops.compare``) runs on the DB executor; this panel only shows it. The diff
pane is a ``SafeTextBrowser`` fed with HTML built from escaped text. Choosing a plan in either
drop-down compares at once (the old results are cleared while it runs); the earlier plan is
always on the left (Swap, or a later plan chosen on the left, says so and keeps the order);
"Compare with earlier" on a plan with no earlier edition says so and changes nothing.
While a comparison runs, a progress bar and Cancel show under the plans: the first comparison of
a pair embeds both plans' passages (tens of seconds), and the bar says how far that has got.

Signals:
    open_requested(str, str, int): (plan slug, item kind, item id) to show in the reader.
    compared(object): the ``Alignment`` just shown.
    status_message(str): something to show in the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from ui import richtext
from ui.executor import Job
from ui.models.compare import (
    ComparePairModel,
    ItemRole,
    PairRole,
    UnmatchedListModel,
    match_text,
    pair_why,
    year_of,
)
from ui.ops import Changes, OpContext
from ui.ops import library as library_ops
from ui.ops.compare import AlignItem, Alignment, default_pair, open_compare
from ui.panels import LazyPanel
from ui.widgets.plain import make_plain
from ui.widgets.safe_browser import SafeTextBrowser
from workbench.model import Plan


class ComparePanel(LazyPanel):
    """Earlier plan on the left, later plan on the right."""

    open_requested = Signal(str, str, int)
    compared = Signal(object)
    status_message = Signal(str)

    def __init__(self, ctx: OpContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Compare plans")
        self._ctx = ctx
        self._plans: list[Plan] = []
        self._job: Job | None = None
        self._wanted: tuple[str, str] | None = None
        self._chosen: str | None = None
        self._note = ""  # said above the results (e.g. the plans were put in order)
        self._pending_plan: str | None = None
        self._auto = True  # may pick a default pair (until someone chooses one)
        self.alignment: Alignment | None = None
        ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ctx.library_changed.connect(lambda _root: self._reload_plans())

    def build(self, layout: QVBoxLayout) -> None:
        layout.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.left_combo = QComboBox()
        self.left_combo.setAccessibleName("Earlier plan")
        self.right_combo = QComboBox()
        self.right_combo.setAccessibleName("Later plan")
        for combo in (self.left_combo, self.right_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            combo.activated.connect(lambda _i: self.compare_selected())
        self.swap_button = QPushButton("⇄ S&wap")
        self.swap_button.setToolTip("Swap the two plans")
        self.swap_button.setAccessibleName("Swap plans")
        self.swap_button.clicked.connect(self.swap)
        self.compare_button = QPushButton("&Compare")
        self.compare_button.setAccessibleName("Compare")
        self.compare_button.clicked.connect(self.compare_selected)
        top.addWidget(QLabel("Earlier:"))
        top.addWidget(self.left_combo, 1)
        top.addWidget(self.swap_button)
        top.addWidget(QLabel("Later:"))
        top.addWidget(self.right_combo, 1)
        top.addWidget(self.compare_button)
        layout.addLayout(top)
        self.summary_label = QLabel("Choose two plans to compare.")
        make_plain(self.summary_label)  # shows data: never rich text
        self.summary_label.setAccessibleName("Comparison summary")
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.summary_label, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Comparison progress")
        self.progress_bar.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the comparison")
        self.cancel_button.setToolTip("Stop this comparison")
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (self.progress_bar, self.cancel_button):
            widget.hide()
            busy_row.addWidget(widget)
        layout.addLayout(busy_row)
        self._poll = QTimer(self)
        self._poll.setInterval(100)  # the worker never signals; the panel reads its TaskState
        self._poll.timeout.connect(self._show_progress)

        self.pair_model = ComparePairModel(self)
        self.pairs_view = QTableView()
        self.pairs_view.setModel(self.pair_model)
        self.pairs_view.setAccessibleName("Aligned pairs")
        self.pairs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pairs_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pairs_view.setWordWrap(False)
        self.pairs_view.setTabKeyNavigation(False)  # one Tab stop; arrow keys move inside
        self.pairs_view.verticalHeader().hide()
        self.pairs_view.setAlternatingRowColors(True)
        header = self.pairs_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.pairs_view.selectionModel().currentRowChanged.connect(self._on_pair_current_changed)
        self.pairs_view.activated.connect(self._on_pairs_view_activated)
        self.pairs_view.doubleClicked.connect(self._on_pairs_view_activated)

        self.diff_view = SafeTextBrowser()
        self.diff_view.setAccessibleName("Word differences of the selected pair")
        self.diff_view.setPlaceholderText("Select a pair to see what changed, word by word.")

        self.only_left_model = UnmatchedListModel(self)
        self.only_right_model = UnmatchedListModel(self)
        self.only_left_label = QLabel("Only in the earlier plan")
        make_plain(self.only_left_label)  # shows data: never rich text
        self.only_right_label = QLabel("Only in the later plan")
        make_plain(self.only_right_label)  # shows data: never rich text
        self.only_left_view = self._list(self.only_left_model, "Only in the earlier plan", "left")
        self.only_right_view = self._list(self.only_right_model, "Only in the later plan", "right")

        unmatched = QWidget()
        grid = QHBoxLayout(unmatched)
        grid.setContentsMargins(0, 0, 0, 0)
        for label, view in ((self.only_left_label, self.only_left_view),
                            (self.only_right_label, self.only_right_view)):
            column = QVBoxLayout()
            column.addWidget(label)
            column.addWidget(view)
            grid.addLayout(column)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("compareSplitter")
        self.splitter.addWidget(self.pairs_view)
        self.splitter.addWidget(self.diff_view)
        self.splitter.addWidget(unmatched)
        self.splitter.setSizes([340, 200, 180])
        layout.addWidget(self.splitter, 1)
        for a, b in ((self.left_combo, self.swap_button), (self.swap_button, self.right_combo),
                     (self.right_combo, self.compare_button),
                     (self.compare_button, self.cancel_button),
                     (self.cancel_button, self.pairs_view), (self.pairs_view, self.diff_view),
                     (self.diff_view, self.only_left_view),
                     (self.only_left_view, self.only_right_view)):
            self.setTabOrder(a, b)
        self._reload_plans()

    def _list(self, model: UnmatchedListModel, name: str, side: str) -> QListView:
        view = QListView()
        view.setModel(model)
        view.setAccessibleName(name)
        view.setAlternatingRowColors(True)
        view.activated.connect(lambda index, s=side: self._open_item(s, index.data(ItemRole)))
        view.doubleClicked.connect(lambda index, s=side: self._open_item(s, index.data(ItemRole)))
        return view

    # -- plans -------------------------------------------------------------------------

    def _reload_plans(self) -> None:
        if self.is_built:
            library_ops.load_plans(self._ctx, on_done=self._on_plans_loaded)

    def _on_plans_loaded(self, result: library_ops.PlanList) -> None:
        self._plans = [p for p in result.plans if p.slug not in result.removed]
        for combo in (self.left_combo, self.right_combo):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for plan in self._plans:
                year = year_of(plan.meta.published, "")
                combo.addItem(f"{plan.title} ({year})" if year else plan.title, plan.slug)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        wanted, self._wanted = self._wanted, None
        pending, self._pending_plan = self._pending_plan, None
        if pending is not None:  # "Compare with earlier" before the plan list had arrived
            self.compare_plan(pending)
            return
        if wanted is None and self._auto and self.isVisible():
            wanted = default_pair(self._plans, self._chosen)
        if wanted is not None:
            self._set_combos(*wanted)
            self.compare_selected()

    def showEvent(self, event: QShowEvent) -> None:
        """First shown with nothing asked for: compare the newest plan with its predecessor
        (only then: the alignment is work for the DB thread)."""
        super().showEvent(event)
        if self._auto and self._plans and self.alignment is None and not self.is_busy():
            pair = default_pair(self._plans, self._chosen)
            if pair is not None:
                self._set_combos(*pair)
                self.compare_selected()

    def _set_combos(self, left: str, right: str) -> None:
        self.left_combo.setCurrentIndex(max(0, self.left_combo.findData(left)))
        self.right_combo.setCurrentIndex(max(0, self.right_combo.findData(right)))

    # -- comparing --------------------------------------------------------------------

    def compare_plan(self, slug: str) -> None:
        """Compare ``slug`` with the plan it supersedes; if it supersedes none, say so."""
        self._chosen = slug
        self._auto = False
        if not self._plans:
            self._pending_plan = slug  # decided when the plan list arrives
            self.ensure_built()
            return
        plan = next((p for p in self._plans if p.slug == slug), None)
        if plan is not None and plan.meta.supersedes not in {p.slug for p in self._plans}:
            self.ensure_built()
            if self._job is not None and not self._job.finished:
                self._job.discard()
            self._job = None
            self._set_busy(False)
            self._clear_results()
            self._set_combos(slug, self.right_combo.currentData())
            self._tell(f"{plan.title} has no earlier edition in this library. Set "
                       "“Supersedes” in its plan details, or choose two plans above.")
            return
        pair = default_pair(self._plans, slug) if self._plans else None
        if pair is None:
            self._wanted = None
            self.ensure_built()  # the plans load on build, then pick the default pair
            if self._plans:
                self.status_message.emit("Nothing to compare this plan with.")
            return
        self.compare(*pair)

    def compare(self, left: str, right: str) -> None:
        self.ensure_built()
        if not self._plans:
            self._wanted = (left, right)  # applied when the plan list arrives
            return
        self._set_combos(left, right)
        self.compare_selected()

    def _published(self, slug: str) -> str:
        return next((p.meta.published for p in self._plans if p.slug == slug), "") or ""

    def _tell(self, text: str) -> None:
        self.summary_label.setText(text)
        self.status_message.emit(text)

    def swap(self) -> None:
        """Swap the plans, unless that would put the later one on the left (then say so)."""
        left, right = self.left_combo.currentData(), self.right_combo.currentData()
        if self._published(left) and self._published(right) \
                and self._published(left) < self._published(right):
            self._tell(f"Not swapped: {self.left_combo.currentText()} is the earlier plan, "
                       "and the earlier plan stays on the left.")
            return
        self._set_combos(right, left)
        self.compare_selected()

    def _clear_results(self) -> None:
        self.alignment = None
        self.pair_model.set_alignment(None)
        self.only_left_model.set_items([])
        self.only_right_model.set_items([])
        self.only_left_label.setText("Only in the earlier plan")
        self.only_right_label.setText("Only in the later plan")
        self.diff_view.clear()

    def compare_selected(self) -> None:
        self._auto = False  # from now on the pair is the person's (or a caller's) choice
        left, right = self.left_combo.currentData(), self.right_combo.currentData()
        if not left or not right:
            return
        if self._job is not None and not self._job.finished:
            self._job.discard()
        self._clear_results()  # never old results under new headings
        if left == right:
            self._tell("Choose two different plans.")
            return
        note = ""
        if self._published(left) > self._published(right) and self._published(right):
            note = f"{self.left_combo.currentText()} is the later plan: it is shown on the " \
                   "right. "
            self._set_combos(right, left)
            left, right = right, left
        self._note = note
        self.summary_label.setText(note + "Aligning sections and commitments…")
        self._job = open_compare(self._ctx, left, right, self._on_aligned, self._on_failed)
        self._set_busy(not self._job.finished)

    def _set_busy(self, busy: bool) -> None:
        self.progress_bar.setRange(0, 0)  # "working" until a first figure arrives
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self._poll.start()
        else:
            self._poll.stop()

    def _show_progress(self) -> None:
        job = self._job
        if job is None or job.finished or job.state is None:
            self._set_busy(False)
            return
        progress, _status = job.state.snapshot()
        if 0.0 < progress < 1.0:  # embedding passages with no vector yet (first time only)
            self.progress_bar.setRange(0, 100)
            self.progress_bar.setValue(round(100 * progress))
            self.summary_label.setText(
                f"{self._note}Reading both plans for the first time, so that later comparisons "
                f"are quick: {100 * progress:.0f} %…")
        elif progress >= 1.0:
            self.progress_bar.setRange(0, 0)
            self.summary_label.setText(self._note + "Aligning sections and commitments…")

    def cancel(self) -> None:
        """Stop the running comparison (between two chunks of work) and say so."""
        if self._job is None or self._job.finished:
            return
        self._job.discard()
        self._job = None
        self._set_busy(False)
        self._tell("Comparison cancelled. Choose two plans, then Compare, to start again.")

    def _on_aligned(self, alignment: Alignment) -> None:
        self._job = None
        self._set_busy(False)
        self.alignment = alignment
        left_year = year_of(alignment.left_plan.meta.published, "earlier plan")
        right_year = year_of(alignment.right_plan.meta.published, "later plan")
        self.pair_model.set_alignment(alignment)
        self.only_left_model.set_items(alignment.only_left)
        self.only_right_model.set_items(alignment.only_right)
        self.only_left_label.setText(f"Only in {left_year} ({len(alignment.only_left)})")
        self.only_right_label.setText(f"Only in {right_year} ({len(alignment.only_right)})")
        # the rows mix section pairs (§) and the passage pairs inside them: count each
        sections = sum(1 for p in alignment.pairs if p.left.kind == "section")
        self.summary_label.setText(
            f"{self._note}{len(alignment.pairs) - sections} passage pair(s) in {sections} "
            "section pair(s) · "
            f"{len(alignment.only_left)} only in {left_year} · "
            f"{len(alignment.only_right)} only in {right_year} ({alignment.seconds * 1000:.0f} ms)"
        )
        self.diff_view.clear()
        if alignment.pairs:
            self.pairs_view.selectRow(0)
        self.compared.emit(alignment)

    def _on_failed(self, exc: BaseException) -> None:
        self._job = None
        self._set_busy(False)
        self.summary_label.setText(f"Comparison failed: {exc}")

    def is_busy(self) -> bool:
        return self._job is not None and not self._job.finished

    # -- showing a pair and opening items -------------------------------------------------

    def _on_pair_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        pair = current.siblingAtColumn(0).data(PairRole) if current.isValid() else None
        if pair is None or self.alignment is None:
            self.diff_view.clear()
            return
        left = richtext.escape(self.alignment.left_plan.title)
        right = richtext.escape(self.alignment.right_plan.title)
        self.diff_view.setHtml(
            f"<p><b>{left}</b>, p. {richtext.escape(pair.left.page_label)} → "
            f"<b>{right}</b>, p. {richtext.escape(pair.right.page_label)} · "
            f"{match_text(pair, spelled=True)} · "
            f'<span style="{richtext.INSERT_STYLE}">+{pair.inserted} words</span> '
            f'<span style="{richtext.DELETE_STYLE.replace("text-decoration:line-through;", "")}">'
            f"−{pair.deleted} words</span></p>"
            # the proposed relation and its reasons, not only in the Match column's tooltip
            f"<p><i>{richtext.escape(pair_why(pair))}</i></p><p>{pair.diff_html}</p>"
        )

    def _on_pairs_view_activated(self, index: QModelIndex) -> None:
        side = "right" if index.column() == 1 else "left"
        self._open_item(side, index.siblingAtColumn(1 if side == "right" else 0).data(ItemRole))

    def _open_item(self, side: str, item: AlignItem | None) -> None:
        if item is None or self.alignment is None:
            return
        plan = self.alignment.left_plan if side == "left" else self.alignment.right_plan
        self.open_requested.emit(plan.slug, item.kind, item.item_id)

    def diff_html(self) -> str:
        return self.diff_view.toHtml()

    # -- settings and changes -----------------------------------------------------------

    def save_settings(self, settings: QSettings) -> None:
        if self.is_built:
            settings.setValue("compare/splitter", self.splitter.saveState())

    def restore_settings(self, settings: QSettings) -> None:
        state = settings.value("compare/splitter")
        if state is not None:
            self.ensure_built()
            self.splitter.restoreState(state)

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if not self.is_built:
            return
        if changes.plan_list or changes.plans:
            self._reload_plans()
