"""A ``Workbench`` for domain tests, composed from the engine packages without ``ui``.

Domain tests (merge, pack building, records) must not depend on the top layer, so they do not
use ``ui.compose``; this builds the same thing from ``db``, ``indexing`` and ``workbench``: the
real store, search index and PDF worker, the re-anchoring hook after a new version, and the
sidecar check. tests/test_composition.py checks it stays the same as ``ui.compose``'s.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from db.records import SqliteRecords
from db.store import SqliteStore
from indexing.query import load_synonyms
from indexing.search_index import WhooshSearchIndex
from indexing.worker import PdfWorkerExtractor
from workbench.library import LibraryPaths
from workbench.review import Records
from workbench.services import Workbench

DEFAULT_ACTOR = "tester"


def open_workbench(root: Path, *, actor: str = "") -> Workbench:
    paths = LibraryPaths(root)
    paths.ensure()
    store = SqliteStore(paths.database, backups_dir=paths.backups, actor=actor)
    synonyms = (resources.files("resources") / "synonyms.tsv").read_text(encoding="utf-8")
    index = WhooshSearchIndex(paths.index, synonyms=load_synonyms(synonyms))
    wb = Workbench(paths, store, index, PdfWorkerExtractor(), make_extractor=PdfWorkerExtractor)
    if not store.read_only:
        wb.ensure_index_current()
    who = actor or DEFAULT_ACTOR
    wb.extra_file_checks.append(
        lambda: [f"annotation sidecar: {p}" for p in records_for(wb, who).check_sidecars()])
    wb.on_new_version = lambda slug: (
        "Annotations and links re-anchored: " + records_for(wb, who).reanchor_plan(slug).summary())
    return wb


def records_for(wb: Workbench, actor: str) -> Records:
    return Records(wb.store, SqliteRecords(wb.store),  # type: ignore[arg-type]
                   actor=actor, sidecar_dir=wb.paths.root / "sidecars")


def close_workbench(wb: Workbench) -> None:
    for part in (wb.extractor, wb.index, wb.store):
        part.close()
