"""The Qt-free composition root: builds a ``Workbench`` from the engine packages.

Shared by the CLI (the ``ui.cli`` package) and the window (``ui/app.py``). Imports no PySide6.
"""

from __future__ import annotations

import getpass
import os
from importlib import resources
from pathlib import Path

import platformdirs

from db.records import SqliteRecords
from db.store import SqliteStore
from indexing.query import load_synonyms
from indexing.search_index import WhooshSearchIndex
from indexing.worker import PdfRenderWorker, PdfWorkerExtractor
from ui import preferences
from workbench.anchoring import ReanchorReport
from workbench.library import ENV_LIBRARY, LibraryPaths
from workbench.pack_export import PageRenderer
from workbench.review import Records
from workbench.services import Workbench
from workbench.tasks import TaskState

APP_NAME = preferences.APP_NAME
LIBRARY_DIR = "library"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_library() -> Path:
    """The one library the window and the CLI open when none is named.

    ``$WORKBENCH_LIBRARY``; else the library the window had open last (a preference, see
    ``ui.preferences``), if it still holds a database; else ``<user data dir>/library``, which
    the window fills with the bundled sample plans on first run.
    """
    env = os.environ.get(ENV_LIBRARY, "").strip()
    if env:
        return Path(env).expanduser()
    last = preferences.last_library()
    if last is not None and LibraryPaths(last).database.exists():
        return last
    return data_dir() / LIBRARY_DIR


def sample_library_dir() -> Path:
    """Where the window kept the sample library before there was one default library."""
    return data_dir() / "sample-library"


def sample_plans_dir() -> Path:
    """The bundled sample plans (PDFs + manifest.json), as a real folder on disk."""
    folder = resources.files("resources") / "sample"
    return Path(str(folder))


def synonyms_text() -> str:
    return (resources.files("resources") / "synonyms.tsv").read_text(encoding="utf-8")


def default_actor() -> str:
    """Who is acting: ``$WORKBENCH_USER``, else the name the window asked for (a preference,
    shared with the CLI), else the login name."""
    name = os.environ.get("WORKBENCH_USER", "").strip() or preferences.user_name()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


def open_workbench(root: Path, *, actor: str = "") -> Workbench:
    """Open (creating if needed) the library in ``root``."""
    paths = LibraryPaths(root)
    paths.ensure()
    store = SqliteStore(paths.database, backups_dir=paths.backups, actor=actor)
    index = WhooshSearchIndex(paths.index, synonyms=load_synonyms(synonyms_text()))
    wb = Workbench(paths, store, index, PdfWorkerExtractor(), make_extractor=PdfWorkerExtractor)
    if not store.read_only:
        wb.ensure_index_current()
    wb.extra_file_checks.append(
        lambda: [f"annotation sidecar: {p}" for p in
                 records_for(wb, actor or default_actor()).check_sidecars()]
    )
    wb.on_new_version = lambda slug, force=False: _reanchored(
        records_for(wb, actor or default_actor()).reanchor_plan(slug, force=force))
    return wb


def _reanchored(report: ReanchorReport) -> str:
    """The re-anchoring line of an import or resegment report. When no record had to be placed
    again it says so, not "0 exact, 0 moved, 0 orphaned", which a clerk read as a loss (fix11)."""
    if not report.total:
        return "Annotations and links re-anchored: nothing needed moving."
    return f"Annotations and links re-anchored: {report.summary()}"


def records_for(wb: Workbench, actor: str) -> Records:
    """The annotations/lineage service (``workbench.review.Records``) of an open workbench."""
    return Records(
        wb.store,
        SqliteRecords(wb.store),  # type: ignore[arg-type]
        actor=actor,
        sidecar_dir=wb.paths.root / "sidecars",
    )


def page_renderer() -> PageRenderer:
    """The isolated page renderer for pack page images (``workbench.pack_export``)."""
    return PdfRenderWorker()


def close_workbench(wb: Workbench) -> None:
    for part in (wb.extractor, wb.index, wb.store):
        part.close()


def ensure_sample_library(root: Path | None = None, state: TaskState | None = None) -> Path:
    """Fill a library (the default one if none is given) with the bundled sample plans if it
    has no plans yet."""
    root = root or default_library()
    wb = open_workbench(root)
    try:
        if not wb.plans(include_removed=True):
            wb.import_paths([sample_plans_dir()], state=state)
    finally:
        close_workbench(wb)
    return root
