"""The basket: commitments and annotations an officer hand-picks for a briefing pack.

A small persistent list in the library folder (``<library>/basket.json``), rewritten atomically
(temporary file, fsync, rename) on every change, so a crash never leaves half a basket. Entries
are *stable item keys* (``commitment:<plan>:<digest>``, ``annotation:<uuid>``; see
``workbench.pack_select``), which survive a re-import, plus a short label for listing.

Why a JSON file and not a database table: the basket is a scratch list, not a record of the
council's commitments; it needs no migration, audit or undo, and it travels with the library.

Its command, ``workbench basket add|remove|list|clear``, is in ``ui.cli.basket``. Qt-free.
Emits nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InvalidInput, WorkbenchError
from workbench.files import write_json_atomic
from workbench.pack import item_heading
from workbench.pack_select import stable_keys
from workbench.records import Annotation
from workbench.review import Records

__all__ = ["BASKET_FILE", "Basket", "BasketEntry", "basket_label"]

BASKET_FILE = "basket.json"
BASKET_FORMAT = 1
_LOCK = threading.Lock()  # one process may hold two Basket objects on one file (CLI + tests)


@dataclass(frozen=True, slots=True)
class BasketEntry:
    key: str  # stable item key
    label: str = ""
    added_at: str = ""


class Basket:
    """The hand-picked items of one library, in the order they were added."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_library(cls, root: Path) -> Basket:
        return cls(Path(root) / BASKET_FILE)

    def entries(self) -> list[BasketEntry]:
        """The entries on disk; no file is an empty basket.

        A file that cannot be read right now (locked by a sync client, say) raises, so the
        basket is never rewritten from nothing; a damaged one is set aside as ``.bad`` first.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InvalidInput(f"The basket could not be read ({exc.strerror}); try again.") from exc
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            bad = self.path.with_suffix(self.path.suffix + ".bad")
            os.replace(self.path, bad)  # keep it for a person to look at; start afresh
            return []
        out = []
        for item in data["items"]:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                out.append(BasketEntry(item["key"], str(item.get("label", "")),
                                       str(item.get("added_at", ""))))
        return out

    def keys(self) -> tuple[str, ...]:
        return tuple(e.key for e in self.entries())

    def _write(self, entries: list[BasketEntry]) -> None:
        write_json_atomic(self.path, {
            "format": BASKET_FORMAT,
            "items": [{"key": e.key, "label": e.label, "added_at": e.added_at}
                      for e in entries],
        })

    def add(self, key: str, label: str = "") -> bool:
        """Add ``key`` at the end; False if it was already there."""
        with _LOCK:
            entries = self.entries()
            if any(e.key == key for e in entries):
                return False
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self._write([*entries, BasketEntry(key, label, stamp)])
            return True

    def remove(self, key: str) -> bool:
        with _LOCK:
            entries = self.entries()
            kept = [e for e in entries if e.key != key]
            if len(kept) == len(entries):
                return False
            self._write(kept)
            return True

    def clear(self) -> int:
        with _LOCK:
            n = len(self.entries())
            self._write([])
            return n


def basket_label(records: Records, key: str) -> str:
    """A short label for a stable key: the commitment's or annotation's heading and plan."""
    kind, _, rest = key.partition(":")
    if kind == "annotation":
        ann = records.rs.get("annotation", rest)
        if isinstance(ann, Annotation):
            return (f"{item_heading(ann.note or ann.anchor.exact)} "
                    f"({ann.plan}, p. {ann.anchor.page_label})")
        return key
    plan = rest.partition(":")[0]
    try:
        commitments = records.effective_commitments(plan)
    except WorkbenchError:  # a label is best effort; the key is what counts
        return key
    keys = stable_keys(plan, commitments)
    for c in commitments:
        if keys[c.key] == key:
            return f"{item_heading(c.text)} ({plan}, p. {c.page_label})"
    return key
