"""The Tags dialog: the hierarchy of themes ("Climate / Net Zero"), with colours.

Rename a tag in place (F2 or double-click), add a top-level tag or a child, choose its colour,
or move it to the trash. Each change is one op; the tree reloads after the commit.

Signals:
    tags_changed(): a tag was added, renamed, recoloured or deleted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.highlight import swatch
from ui.dialogs.save_error import DISK_FULL, handle_save_error
from ui.ops import OpContext
from ui.ops import records as records_ops
from ui.widgets.plain import make_plain, tooltip

UuidRole = Qt.ItemDataRole.UserRole + 1


class TagsDialog(QDialog):
    """Edit the tag tree."""

    tags_changed = Signal()

    def __init__(self, ctx: OpContext, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._actor = ctx, actor
        self._loading = False
        self.items: list[records_ops.TagItem] = []
        self.setWindowTitle("Tags")
        self.setAccessibleName("Tags")
        self.resize(480, 460)
        layout = QVBoxLayout(self)
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["Tag"])
        self.model.itemChanged.connect(self._on_model_item_changed)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Tag hierarchy")
        self.tree.setHeaderHidden(True)
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        for text, slot in (("&Add", self.add_top), ("Add &child", self.add_child),
                           ("C&olour…", self.choose_colour), ("&Delete", self.delete_selected)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        self.message_label = QLabel("Double-click (or F2) to rename.")
        make_plain(self.message_label)  # shows data: never rich text
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        records_ops.load_tags(self._ctx, on_done=self._on_tags_loaded)

    def _on_tags_loaded(self, items: list[records_ops.TagItem]) -> None:
        self._loading = True
        self.items = items
        self.model.removeRows(0, self.model.rowCount())
        by_uuid: dict[str, QStandardItem] = {}
        pending = list(items)
        while pending:  # parents first, whatever order the paths sort in
            placed = False
            for item in list(pending):
                parent = item.tag.parent
                if parent and parent not in by_uuid and any(i.tag.uuid == parent for i in pending):
                    continue
                node = QStandardItem(item.tag.name)
                node.setData(item.tag.uuid, UuidRole)
                node.setToolTip(tooltip(item.path))
                if item.tag.colour:
                    node.setData(swatch(item.tag.colour), Qt.ItemDataRole.DecorationRole)
                (by_uuid.get(parent or "") or self.model.invisibleRootItem()).appendRow(node)
                by_uuid[item.tag.uuid] = node
                pending.remove(item)
                placed = True
            if not placed:
                break
        self.tree.expandAll()
        self._loading = False

    def selected_uuid(self) -> str | None:
        index = self.tree.currentIndex()
        return index.data(UuidRole) if index.isValid() else None

    def paths(self) -> list[str]:
        return [i.path for i in self.items]

    def _done(self, *_args: object) -> None:
        self.tags_changed.emit()
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        disk_full = handle_save_error(self, exc) is not None
        self.message_label.setText(DISK_FULL if disk_full else f"Not saved: {exc}")
        self.reload()

    def _unique(self, parent: str | None) -> str:
        names = {i.tag.name.casefold() for i in self.items if i.tag.parent == parent}
        n, name = 1, "New tag"
        while name.casefold() in names:
            n += 1
            name = f"New tag {n}"
        return name

    def add_top(self) -> None:
        records_ops.create_tag(self._ctx, self._actor, self._unique(None),
                               on_done=self._done, on_error=self._failed)

    def add_child(self, parent: str | None = None) -> None:
        parent = parent or self.selected_uuid()
        if parent is None:
            self.message_label.setText("Select the tag to add a child to.")
            return
        records_ops.create_tag(self._ctx, self._actor, self._unique(parent), parent=parent,
                               on_done=self._done, on_error=self._failed)

    def rename(self, uuid: str, name: str) -> None:
        records_ops.edit_tag(self._ctx, self._actor, uuid, name=name, on_done=self._done,
                             on_error=self._failed)

    def set_colour(self, uuid: str, colour: str) -> None:
        records_ops.edit_tag(self._ctx, self._actor, uuid, colour=colour, on_done=self._done,
                             on_error=self._failed)

    def choose_colour(self) -> None:
        uuid = self.selected_uuid()
        if uuid is None:
            return
        colour = QColorDialog.getColor(QColor("#fff59d"), self, "Tag colour")
        if colour.isValid():
            self.set_colour(uuid, colour.name())

    def delete_selected(self) -> None:
        uuid = self.selected_uuid()
        if uuid is not None:
            records_ops.delete(self._ctx, self._actor, uuid, on_done=self._done,
                               on_error=self._failed)

    def _on_model_item_changed(self, item: QStandardItem) -> None:
        if self._loading:
            return
        uuid = item.data(UuidRole)
        known = next((i for i in self.items if i.tag.uuid == uuid), None)
        if uuid and known and item.text().strip() and item.text().strip() != known.tag.name:
            self.rename(uuid, item.text().strip())
