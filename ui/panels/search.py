"""Search every plan as you type: filters, sort, highlighted snippets, recent and saved searches.

A 250 ms debounce starts a search on the DB executor; a newer search discards the pending one
(latest wins). Up/Down in the query box move through the results, Enter opens the current hit.
The results line names the filters in force ("12 results in Our County Plan · commitments
· published 2020–2024"); with no results it says why: nothing matches the words at all, or the
filters (or a date range that ends before it starts) exclude what does match — found with a
second, unfiltered count.

Signals:
    hit_activated(SearchHit): open this hit in the reader.
    status_message(str): something to show in the status bar.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QObject, QSettings, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.user_name import current_user
from ui.executor import Job
from ui.models.search import HeaderRole, HitRole, HtmlRole, SearchResultModel
from ui.ops import Changes, OpContext
from ui.ops import library as library_ops
from ui.ops import search as search_ops
from ui.ops.search import run_search
from ui.panels import LazyPanel
from ui.widgets.plain import make_plain
from ui.widgets.rich_delegate import RichTextDelegate
from workbench.lineage import RELATIONS, STATUSES
from workbench.model import SearchFilters, SearchHit, SearchResult

DEBOUNCE_MS = 250
RECENT_MAX = 15
RESULT_LIMIT = 50
SAVED_ADOPTED_KEY = search_ops.SavedSearchList.ADOPTED_KEY



def _quoted(query: str, limit: int = 80) -> str:
    """The query in quotes for the results line, cut to ``limit`` characters: a pasted page
    of text quoted whole filled the dock with the label and pushed the results out of view."""
    text = " ".join(query.split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"

class SearchPanel(LazyPanel):
    """Query, filters and results (built on first show)."""

    hit_activated = Signal(object)
    status_message = Signal(str)
    search_finished = Signal(object)  # SearchResult, for tests and the status bar

    def __init__(self, ctx: OpContext, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Search")
        self._ctx = ctx
        self._settings = settings
        self._job: Job | None = None
        self._plan_actions: dict[str, QAction] = {}
        self.saved = search_ops.SavedSearchList(ctx, settings, self.status_message.emit)
        self.last_result: SearchResult | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        ctx.changes_applied.connect(self._on_ctx_changes_applied)
        ctx.library_changed.connect(lambda _root: self._reload_plans())

    def build(self, layout: QVBoxLayout) -> None:
        layout.setContentsMargins(6, 6, 6, 6)
        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("Search all plans… (Ctrl+F)")
        self.query_edit.setAccessibleName("Search query")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.textChanged.connect(self._on_query_edit_text_changed)
        self.query_edit.installEventFilter(self)
        self._recent_model = QStringListModel(self._recent(), self)
        completer = QCompleter(self._recent_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.query_edit.setCompleter(completer)
        layout.addWidget(self.query_edit)

        filters = QHBoxLayout()
        self.plans_button = QToolButton()
        self.plans_button.setText("All plans")
        self.plans_button.setAccessibleName("Plans to search")
        self.plans_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.plans_menu = QMenu(self.plans_button)
        self.plans_button.setMenu(self.plans_menu)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of passage")
        for label, value in (("Everything", ""), ("Sections", "section"),
                             ("Commitments", "commitment"), ("Notes", "note")):
            self.kind_combo.addItem(label, value)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.schedule_search())
        # lineage filters: the verdict on a commitment and its delivery status
        self.relation_combo = QComboBox()
        self.relation_combo.setAccessibleName("Lineage relation")
        self.relation_combo.addItem("Any relation", "")
        for code, label in RELATIONS.items():
            self.relation_combo.addItem(label, code)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Delivery status")
        self.status_combo.addItem("Any status", "")
        for code, label in STATUSES.items():
            self.status_combo.addItem(label, code)
        for combo in (self.relation_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _i: self.schedule_search())
        self.sort_combo = QComboBox()
        self.sort_combo.setAccessibleName("Sort results by")
        self.sort_combo.addItem("Relevance", "relevance")
        self.sort_combo.addItem("Newest plan", "date")
        self.sort_combo.currentIndexChanged.connect(lambda _i: self.schedule_search())
        for combo in (self.kind_combo, self.sort_combo, self.relation_combo, self.status_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)  # the dock stays narrow on a small screen
        filters.addWidget(self.plans_button)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.sort_combo)
        layout.addLayout(filters)

        dates = QHBoxLayout()
        self.date_from_edit = self._date_edit("From year", "from")
        self.date_to_edit = self._date_edit("To year", "to")
        dates.addWidget(QLabel("Published"))
        dates.addWidget(self.date_from_edit)
        dates.addWidget(QLabel("–"))
        dates.addWidget(self.date_to_edit)
        self.saved_button = QToolButton()
        self.saved_button.setText("Saved ▾")
        self.saved_button.setAccessibleName("Saved searches")
        self.saved_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_menu = QMenu(self.saved_button)
        self.saved_menu.aboutToShow.connect(self._fill_saved_menu)
        self.saved_button.setMenu(self.saved_menu)
        dates.addStretch(1)
        dates.addWidget(self.saved_button)
        layout.addLayout(dates)
        lineage = QHBoxLayout()
        lineage.addWidget(self.relation_combo)
        lineage.addWidget(self.status_combo)
        layout.addLayout(lineage)

        self.count_label = QLabel("Type to search every plan.")
        make_plain(self.count_label)  # shows data: never rich text
        self.count_label.setAccessibleName("Search status")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        self.model = SearchResultModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setAccessibleName("Search results")
        self.results.setItemDelegate(RichTextDelegate(HtmlRole, HeaderRole, self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setAlternatingRowColors(True)
        self.results.activated.connect(lambda index: self.open_row(index.row()))
        layout.addWidget(self.results, 1)
        for a, b in ((self.query_edit, self.results), (self.results, self.plans_button),
                     (self.plans_button, self.kind_combo), (self.kind_combo, self.sort_combo),
                     (self.sort_combo, self.date_from_edit),
                     (self.date_from_edit, self.date_to_edit),
                     (self.date_to_edit, self.saved_button),
                     (self.saved_button, self.relation_combo),
                     (self.relation_combo, self.status_combo)):
            self.setTabOrder(a, b)
        self._reload_plans()

    def _date_edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaximumWidth(90)
        edit.textChanged.connect(lambda _t: self.schedule_search())
        return edit

    # -- plans filter ----------------------------------------------------------------------

    def _reload_plans(self) -> None:
        if self.is_built:
            library_ops.load_plans(self._ctx, on_done=self._on_plans_loaded)
            self.saved.reload(current_user(self._settings))

    def _on_plans_loaded(self, result: library_ops.PlanList) -> None:
        checked = {s for s, a in self._plan_actions.items() if a.isChecked()}
        self.plans_menu.clear()
        self._plan_actions.clear()
        for plan in result.plans:
            if plan.slug in result.removed:
                continue
            action = self.plans_menu.addAction(plan.title)
            action.setCheckable(True)
            action.setChecked(plan.slug in checked)
            action.toggled.connect(lambda _on: self._on_plan_filter_toggled())
            self._plan_actions[plan.slug] = action
        self._update_plans_button()

    def _on_plan_filter_toggled(self) -> None:
        self._update_plans_button()
        self.schedule_search()

    def _update_plans_button(self) -> None:
        chosen = self.selected_plans()
        self.plans_button.setText(
            "All plans ▾" if not chosen else f"{len(chosen)} plan(s) ▾"
        )

    def selected_plans(self) -> tuple[str, ...]:
        return tuple(s for s, a in self._plan_actions.items() if a.isChecked())

    def set_plan_filter(self, slugs: list[str]) -> None:
        self.ensure_built()
        for slug, action in self._plan_actions.items():
            action.blockSignals(True)
            action.setChecked(slug in slugs)
            action.blockSignals(False)
        self._update_plans_button()
        self.schedule_search()

    # -- searching ------------------------------------------------------------------------

    def filters(self) -> SearchFilters:
        kind = self.kind_combo.currentData()
        return SearchFilters(
            plans=self.selected_plans(),
            kinds=(kind,) if kind else (),
            date_from=self.date_from_edit.text().strip(),
            date_to=self.date_to_edit.text().strip(),
            relations=tuple(x for x in [self.relation_combo.currentData()] if x),
            statuses=tuple(x for x in [self.status_combo.currentData()] if x),
        )

    def set_query(self, text: str, *, immediately: bool = False) -> None:
        self.ensure_built()
        self.query_edit.setText(text)
        if immediately:
            self.search_now()

    def _on_query_edit_text_changed(self, _text: str) -> None:
        self.schedule_search()

    def schedule_search(self) -> None:
        self._debounce.start()

    def search_now(self) -> None:
        self._debounce.stop()
        if self._ctx.executor.is_shut_down:  # the debounce fired while the window closed
            return
        if self._job is not None and not self._job.finished:
            self._job.discard()  # latest wins
        query = self.query_edit.text().strip()
        if not query:
            self._job = None
            self.model.set_hits([])
            self.count_label.setText("Type to search every plan.")
            return
        self.count_label.setText("Searching…")
        self._job = run_search(
            self._ctx, query, self.filters(), sort=self.sort_combo.currentData(),
            limit=RESULT_LIMIT, on_done=self._on_search_done, on_error=self._on_search_failed,
        )

    def filter_words(self) -> list[str]:
        """The filters in force, in words (empty when none)."""
        f = self.filters()
        titles = {s: a.text() for s, a in self._plan_actions.items()}
        words = []
        if f.plans:
            words.append("in " + ", ".join(titles.get(s, s) for s in f.plans))
        if f.kinds:
            words.append(self.kind_combo.currentText().lower() + " only")
        if f.date_from or f.date_to:
            words.append(f"published {f.date_from or '…'}–{f.date_to or '…'}")
        for combo in (self.relation_combo, self.status_combo):
            if combo.currentData():
                words.append(combo.currentText())
        return words

    def _on_search_done(self, result: SearchResult) -> None:
        self._job = None
        self.last_result = result
        self.model.set_hits(result.hits)
        shown = len(result.hits)
        words = self.filter_words()
        text = f"{result.total} result(s)" + (f", showing {shown}" if shown < result.total else "")
        text += "".join(f" · {w}" for w in words)
        if not result.total and result.notice:
            # the notice says why (nothing left to search for, only exclusions, cut short):
            # not "no passage matches “"”", and no filter hunt for a query that finds nothing
            text = f"No results. {result.notice}"
        elif not result.total:
            text = self._why_none(words)
        elif result.notice:
            text += f". {result.notice}"
        self.count_label.setText(text)
        if shown:
            self.results.setCurrentIndex(self.model.index(0))
        self.search_finished.emit(result)

    def _why_none(self, words: list[str]) -> str:
        """No results: say whether the words match nothing, or the filters exclude it all."""
        query = self.query_edit.text().strip()
        f = self.filters()
        if f.date_from and f.date_to and f.date_from > f.date_to:
            return f"No results: the date range {f.date_from}–{f.date_to} ends before it starts."
        if not words:
            return f"No results: no passage in any plan matches {_quoted(query)}."

        def counted(result: SearchResult) -> None:
            if self.last_result is None or self.query_edit.text().strip() != query \
                    or self.last_result.total:
                return  # a newer search has answered
            self.count_label.setText(
                f"No results: {result.total} passage(s) match {_quoted(query)}, but the filters "
                f"({'; '.join(words)}) exclude them all." if result.total else
                f"No results: no passage in any plan matches {_quoted(query)}, even without the "
                f"filters ({'; '.join(words)}).")

        run_search(self._ctx, query, SearchFilters(), limit=1, on_done=counted)
        return f"No results with the filters ({'; '.join(words)})…"

    def _on_search_failed(self, exc: BaseException) -> None:
        self._job = None
        self.count_label.setText(f"Search failed: {exc}")

    def is_searching(self) -> bool:
        return self._debounce.isActive() or (self._job is not None and not self._job.finished)

    # -- keyboard and opening -----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.is_built and watched is self.query_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else 0
            rows = self.model.rowCount()
            current = self.results.currentIndex().row()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and rows:
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(rows - 1, (current if current >= 0 else -1) + step))
                self.results.setCurrentIndex(self.model.index(row))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.is_searching():
                    self.search_now()
                elif rows:
                    self.open_row(max(0, current))
                return True
        return super().eventFilter(watched, event)

    def open_row(self, row: int) -> None:
        hit: SearchHit | None = self.model.index(row).data(HitRole) if row >= 0 else None
        if hit is None:
            return
        self._remember(self.query_edit.text().strip())
        self.hit_activated.emit(hit)

    # -- recent and saved searches ----------------------------------------------------

    def _recent(self) -> list[str]:
        value = self._settings.value("search/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember(self, query: str) -> None:
        if not query:
            return
        recent = [q for q in self._recent() if q.casefold() != query.casefold()]
        recent.insert(0, query)
        recent = recent[:RECENT_MAX]
        self._settings.setValue("search/recent", recent)
        self._recent_model.setStringList(recent)

    def recent_searches(self) -> list[str]:
        return self._recent()

    def saved_searches(self) -> list[dict]:
        """The library's saved searches, as last loaded from the store."""
        return list(self.saved.entries)

    def save_current(self, name: str | None = None) -> dict | None:
        """Save the query and filters in the library; a saved search has a UUID from the day
        it is made."""
        query = self.query_edit.text().strip()
        if not query:
            return None
        if name is None:
            name, ok = QInputDialog.getText(self, "Save search", "Name:", text=query)
            if not ok or not name.strip():
                return None
        f = self.filters()
        entry = {
            "id": str(uuid.uuid4()), "name": name.strip(), "query": query,
            "plans": list(f.plans), "kinds": list(f.kinds), "date_from": f.date_from,
            "date_to": f.date_to, "sort": self.sort_combo.currentData(),
            "relations": list(f.relations), "statuses": list(f.statuses),
        }
        self.saved.add(entry, current_user(self._settings))
        return entry

    def apply_saved(self, entry: dict) -> None:
        self.ensure_built()
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData((entry.get("kinds") or [""])[0])))
        self.sort_combo.setCurrentIndex(max(0, self.sort_combo.findData(entry.get("sort", "relevance"))))
        self.date_from_edit.setText(entry.get("date_from", ""))
        self.date_to_edit.setText(entry.get("date_to", ""))
        for combo, key in ((self.relation_combo, "relations"), (self.status_combo, "statuses")):
            combo.setCurrentIndex(max(0, combo.findData((entry.get(key) or [""])[0])))
        self.set_plan_filter(list(entry.get("plans", [])))
        self.query_edit.setText(entry["query"])
        self.search_now()

    def _fill_saved_menu(self) -> None:
        self.saved_menu.clear()
        save = self.saved_menu.addAction("Save this search…")
        save.triggered.connect(lambda: self.save_current())
        save.setEnabled(bool(self.query_edit.text().strip()))
        saved = self.saved_searches()
        if saved:
            self.saved_menu.addSeparator()
        for entry in saved:
            action = self.saved_menu.addAction(entry.get("name") or entry["query"])
            action.triggered.connect(lambda _c=False, e=entry: self.apply_saved(e))
        recent = self._recent()
        if recent:
            self.saved_menu.addSection("Recent")
            for query in recent:
                action = self.saved_menu.addAction(query)
                action.triggered.connect(lambda _c=False, q=query: self.set_query(q, immediately=True))

    def focus_query(self) -> None:
        self.ensure_built()
        self.query_edit.setFocus()
        self.query_edit.selectAll()

    def _on_ctx_changes_applied(self, changes: Changes, initiator: object) -> None:
        if not self.is_built:
            return
        if changes.plan_list:
            self._reload_plans()
        if (changes.plans or changes.index) and self.query_edit.text().strip():
            self.schedule_search()
