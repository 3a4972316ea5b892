"""Help ▸ Keyboard shortcuts and Help ▸ Reviewing lineage: two small read-only windows.

The shortcut sheet is built from the window's actions (so it never goes stale) plus the
one-letter keys of the Review tab and the reader, which are shortcuts of those panels rather
than actions. The review guide is a short, fixed text: how one pass through a plan pair goes.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.plain import make_plain

PANEL_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Review tab", "A", "Accept the highlighted candidate with its proposed relation"),
    ("Review tab", "1 … 9", "Accept candidate 1 … 9"),
    ("Review tab", "D", "Dropped: no successor (asks why)"),
    ("Review tab", "R", "Reject the highlighted candidate (not offered again)"),
    ("Review tab", "N / Shift+N", "Next / previous unreviewed commitment"),
    ("Review tab", "L / S / T / O", "Link dialog / delivery status / lineage thread / open "
                                    "in the reader"),
    ("Reader and Compare", "L", "Link the current commitment, the selected passage or the "
                                "selected pair"),
    ("Search", "Up / Down, Enter", "Move through the results from the query box; open one"),
    ("Dialogs", "Ctrl+Enter", "Save (a rationale, link, status or highlight), even from a "
                              "text box"),
)

REVIEW_GUIDE = """\
Reviewing what became of a plan's commitments

1. Choose the pair. Compare two editions (Compare tab, or "Compare with earlier" in the \
Library): the Review tab takes the same pair. Or choose "From" and "To" in the Review tab.

2. Read the commitment at the top, then its candidates: the machine ranks the later plan's \
commitments by similarity and proposes a relation for each (continued, modified, scaled back…), \
with its reasons.

3. Decide, from the keyboard:
   • A accepts the highlighted candidate with its proposed relation (Up/Down choose another);
     1–9 accept candidate N.
   • R rejects the highlighted candidate; it is not offered again.
   • D records "dropped": nothing in the later plan continues it. It always asks why.
   A relation that needs a reason (dropped, reversed, replaced, scaled back, withdrawn) asks
   for your rationale: the machine's reasons are never recorded as yours. Type it, then
   Ctrl+Enter saves it (Esc cancels).

4. The review moves on to the next unreviewed commitment (untick "Move on after a verdict" to \
stay). N and Shift+N move without deciding; the meter shows how many have a confirmed verdict.

5. Made a mistake? Edit ▸ Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z); the status bar says what \
was undone. T shows the commitment's whole thread across editions, with who confirmed each \
step, when, and why.
"""


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every action with a shortcut, then the panels' own keys."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                if not k.isEmpty()]
        if keys:
            rows.append(("Window", " or ".join(keys),
                         action.text().replace("&&", "\0").replace("&", "")
                         .replace("\0", "&").split("\t")[0]))
    rows.sort(key=lambda r: r[2].casefold())
    return rows + list(PANEL_KEYS)


class ShortcutSheet(QDialog):
    """A table of every keyboard shortcut."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 520)


class ReviewGuide(QDialog):
    """The review loop in a few steps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reviewing lineage")
        self.setAccessibleName("Reviewing lineage: a short guide")
        layout = QVBoxLayout(self)
        self.label = QLabel(REVIEW_GUIDE)
        make_plain(self.label)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMaximumWidth(640)


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent, "About Plan Workbench",
        "<b>Plan Workbench</b><p>Follow a council's commitments through its successive "
        "strategic plans: read, search and compare them.</p>",
    )
