"""Exporting a briefing pack: the one use case the CLI (``workbench export``) and the window's
export dialog share.

``export_pack(wb, request, records, writer=, renderer=)`` chooses the items
(``workbench.pack_select``), fills them (``workbench.pack_builder``), compares with a previous
export if asked ("changes since", from that export's regeneration manifest), renders page
images if asked, and writes the file. Two ports keep this Qt- and engine-free: a ``PackWriter``
(implemented by the ``export`` package: the file formats and the regeneration manifest kept
inside PDF/DOCX files and in the library's ``packs`` folder) and a ``PageRenderer`` (the
isolated render worker of ``indexing``). Emits nothing; progress and cancellation go through a
``TaskState``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from workbench.model import Kind, SearchFilters, SearchHit
from workbench.pack import Pack, PackSelection, PageImage
from workbench.pack_builder import build_pack
from workbench.pack_manifest import diff_packs
from workbench.pack_select import SearchFn, Selected, select_items
from workbench.review import Records
from workbench.services import Workbench
from workbench.tasks import SubState, TaskState

__all__ = ["ExportRequest", "ExportResult", "PackWriter", "PageRenderer", "collect_pack",
           "export_pack", "page_images", "search_fn"]

SEARCH_LIMIT = 1000
_ZOOM = 1.5
_MAX_PIXELS = 12_000_000


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What a pack writer wrote: the file, where its regeneration manifest is, how many items."""

    path: Path
    manifest: Path
    fmt: str
    items: int


class PackWriter(Protocol):
    """The pack file formats (the ``export`` package)."""

    def write_pack(self, pack: Pack, out: Path, fmt: str | None = None, *,
                   state: TaskState | None = None, archive: Path | None = None) -> ExportResult:
        """Write ``pack``; keep its regeneration manifest in the file and in ``archive``."""
        ...

    def read_manifest(self, path: Path, *, archive: Path | None = None) -> dict[str, Any]:
        """The regeneration manifest of a previous export."""
        ...


class PageRenderer(Protocol):
    """Renders one page of a stored PDF to PNG in an isolated process (``indexing.worker``)."""

    def render(self, path: Path, page_index: int, zoom: float, *,
               max_pixels: int = 8_000_000) -> tuple[bytes, int, int]: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """One export, as the dialog or the command line asks for it."""

    selection: PackSelection
    out: Path
    fmt: str
    title: str = ""
    committee: str = ""
    author: str = ""
    as_at: str = ""
    changes_since: Path | None = None  # a previous export (or its old .pack.json)
    page_images: bool = False


def search_fn(wb: Workbench) -> SearchFn:
    """``Workbench.search`` over commitments and sections, as the pack builder wants it."""

    def run(query: str) -> tuple[SearchHit, ...]:
        filters = SearchFilters(kinds=(Kind.COMMITMENT, Kind.SECTION))
        return wb.search(query, filters, limit=SEARCH_LIMIT, sort="relevance").hits

    return run


def collect_pack(wb: Workbench, selection: PackSelection, records: Records, *,
                 title: str = "", committee: str = "", author: str = "", as_at: str = "",
                 state: TaskState | None = None) -> tuple[Pack, list[Selected]]:
    """The pack for ``selection`` (and the items chosen, for page images).

    Raises:
        InvalidInput: an unknown relation, status or tag.
        NotFound: an unknown plan.
    """
    state = state or TaskState()
    search = search_fn(wb)
    chosen = select_items(records, wb.store, selection, search=search,
                          state=SubState(state, 0.0, 0.3))
    pack = build_pack(records, wb.store, selection, title=title, committee=committee,
                      author=author, as_at=as_at, search=search, selected=chosen,
                      state=SubState(state, 0.3, 1.0))
    return pack, chosen


def page_images(wb: Workbench, pack: Pack, chosen: Sequence[Selected],
                renderer: PageRenderer, state: TaskState) -> tuple[PageImage, ...]:
    """Each commitment item's page, rendered by ``renderer``, with its passage boxes."""
    by_key = {s.key: s for s in chosen}
    images = []
    for n, item in enumerate(pack.items):
        state.raise_if_cancelled()
        state.report(n / max(1, len(pack.items)), f"Rendering page image {n + 1}")
        found = by_key.get(item.key)
        if found is None or found.commitment is None:
            continue
        c = found.commitment
        plan = wb.store.plan(c.plan)
        if plan.document_id is None:
            continue
        document = wb.store.document(plan.document_id)
        path = wb.paths.stored_file(document.stored_path)
        png, w, h = renderer.render(path, c.page_index, _ZOOM, max_pixels=_MAX_PIXELS)
        rects = wb.store.commitment_rects(c.commitment_id) if c.commitment_id is not None else []
        boxes = tuple((x0 * _ZOOM / w, y0 * _ZOOM / h, x1 * _ZOOM / w, y1 * _ZOOM / h)
                      for page, x0, y0, x1, y1 in rects if page == c.page_index)
        images.append(PageImage(f"{item.citation.text()}: the passage is highlighted", png,
                                item.key, boxes))
    return tuple(images)


def export_pack(wb: Workbench, request: ExportRequest, records: Records, *,
                writer: PackWriter, renderer: Callable[[], PageRenderer],
                state: TaskState | None = None) -> tuple[ExportResult, Pack]:
    """Collect and write the pack (atomically: a cancel or failure leaves no new file).

    Returns:
        What was written, and the pack (its ``changes_since`` holds the comparison).

    Raises:
        InvalidInput: an unknown relation, status, tag or plan; a previous export that is not
            one of ours or was made from another selection.
        OSError: the file could not be written.
    """
    state = state or TaskState()
    archive = wb.paths.packs
    pack, chosen = collect_pack(wb, request.selection, records, title=request.title,
                                committee=request.committee, author=request.author,
                                as_at=request.as_at, state=SubState(state, 0.0, 0.25))
    changes = None
    if request.changes_since is not None:
        old: Mapping[str, Any] = writer.read_manifest(request.changes_since, archive=archive)
        changes = diff_packs(old, pack)
    images: tuple[PageImage, ...] = ()
    if request.page_images:
        worker = renderer()
        try:
            images = page_images(wb, pack, chosen, worker, SubState(state, 0.25, 0.4))
        finally:
            worker.close()
    pack = replace(pack, changes_since=changes, page_images=images)
    result = writer.write_pack(pack, request.out, request.fmt,
                               state=SubState(state, 0.4, 1.0), archive=archive)
    return result, pack
