"""Briefing-pack writers: accessible PDF, editable DOCX, CSV and XLSX, each written atomically.

``write_pack(pack, out, fmt, archive=)`` is the one entry point (the ``PackWriter`` port of
``workbench.pack_export``): it writes the file through the writer for ``fmt``; PDF and DOCX
files carry their regeneration manifest inside (a ``pack.json`` attachment, a custom XML part),
and a copy goes to ``archive`` (the library's ``packs`` folder) named by the file's SHA-256,
so nothing is written next to the clerk's file. ``read_manifest`` finds it again, for "changes
since the last pack": in the archive, inside the file, or in a ``.pack.json`` an older version
wrote beside it. The writers live in ``export.pdf``, ``export.docx_writer`` and
``export.tables`` and are imported lazily, so choosing CSV never loads WeasyPrint. Emits
nothing; progress and cancellation go through a ``workbench.tasks.TaskState``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from export.embedded import MANIFEST_NAME, manifest_in_docx, manifest_in_pdf
from workbench.errors import InvalidInput
from workbench.files import atomic_write_bytes
from workbench.library import sha256_of
from workbench.pack import Pack
from workbench.pack_export import ExportResult
from workbench.pack_manifest import MANIFEST_SUFFIX, manifest_of, manifest_path_for
from workbench.tasks import SubState, TaskState

__all__ = ["FORMATS", "MANIFEST_NAME", "ExportResult", "format_for", "read_manifest",
           "write_pack"]

FORMATS = ("pdf", "docx", "csv", "xlsx")
_MANIFEST_LIMIT = 16 * 1024 * 1024  # a manifest is a few KB; refuse anything absurd


def format_for(out: Path, fmt: str | None = None) -> str:
    """The format asked for, or the one the file name's suffix implies.

    Raises:
        InvalidInput: unknown format, or no format and an unknown suffix.
    """
    chosen = (fmt or Path(out).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise InvalidInput(f"Unknown export format {chosen!r}: choose one of "
                           f"{', '.join(FORMATS)}.")
    return chosen


def _writer(fmt: str) -> Callable[..., Path]:
    if fmt == "pdf":
        from export.pdf import write_pdf  # WeasyPrint loads only for PDFs

        return write_pdf
    if fmt == "docx":
        from export.docx_writer import write_docx

        return write_docx
    from export.tables import write_csv, write_xlsx

    return write_csv if fmt == "csv" else write_xlsx


def write_pack(
    pack: Pack,
    out: Path,
    fmt: str | None = None,
    *,
    state: TaskState | None = None,
    archive: Path | None = None,
) -> ExportResult:
    """Write ``pack`` to ``out`` in ``fmt`` (default: from the suffix).

    Args:
        pack: the pack to write (writers sanitise it).
        out: the target file; replaced atomically, so a failure leaves the old one intact.
        fmt: "pdf", "docx", "csv" or "xlsx".
        state: progress (0–1 over the whole export) and cancellation.
        archive: a folder (the library's ``packs``) that keeps the regeneration manifest of
            every file written, as ``<sha256 of the file>.json``; PDF and DOCX also carry it.

    Returns:
        What was written; ``manifest`` is the archived manifest (the file itself when there
        is no archive).

    Raises:
        InvalidInput: unknown format, or ``out`` names a folder.
        workbench.errors.Cancelled: cancelled; nothing was replaced.
        OSError: a file could not be written; nothing was replaced.
    """
    out = Path(out)
    chosen = format_for(out, fmt)
    if out.is_dir():
        raise InvalidInput(f"{out} is a folder; give a file name for the pack.")
    if out.name.endswith(MANIFEST_SUFFIX):
        raise InvalidInput("The pack file name must not end in .pack.json.")
    state = state or TaskState()
    path = _writer(chosen)(pack, out, state=SubState(state, 0.0, 0.97))
    manifest_path = path
    if archive is not None:
        data = json.dumps(manifest_of(pack.sanitised(), fmt=chosen), ensure_ascii=False,
                          indent=1, sort_keys=True)
        manifest_path = atomic_write_bytes(Path(archive) / f"{sha256_of(path)}.json",
                                           data.encode("utf-8"))
    state.report(1.0, f"Wrote {path.name}")
    return ExportResult(path, manifest_path, chosen, len(pack.items))


def _read_json(path: Path) -> Any:
    if path.stat().st_size > _MANIFEST_LIMIT:
        raise InvalidInput(f"{path.name} is too large to be a pack manifest.")
    return json.loads(path.read_text(encoding="utf-8"))


def _find(path: Path, archive: Path | None) -> Any:
    """The manifest of ``path`` from wherever it is kept (``None`` if nowhere)."""
    if path.name.endswith(MANIFEST_SUFFIX):  # an old manifest file, given directly
        return _read_json(path)
    if archive is not None:
        kept = Path(archive) / f"{sha256_of(path)}.json"
        if kept.is_file():
            return _read_json(kept)
    with path.open("rb") as f:
        head = f.read(5)
    if head == b"%PDF-":
        found = manifest_in_pdf(path.read_bytes())
        if found is not None:
            return found
    elif head.startswith(b"PK") and zipfile.is_zipfile(path):
        found = manifest_in_docx(path)
        if found is not None:
            return found
    beside = manifest_path_for(path)  # written next to the file by earlier versions
    return _read_json(beside) if beside.is_file() else None


def read_manifest(path: Path, *, archive: Path | None = None) -> dict[str, Any]:
    """The regeneration manifest of a previous export (the export itself, or an old
    ``.pack.json``): from ``archive``, else from inside the file, else from beside it.

    Raises:
        InvalidInput: no manifest found, or it is not valid JSON.
    """
    path = Path(path)
    try:
        data = _find(path, archive)
    except FileNotFoundError:
        raise InvalidInput(f"No previous pack at {path}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"Cannot read the pack manifest of {path.name}: {exc}") from None
    if data is None:
        raise InvalidInput(f"No pack manifest found for {path}: it was not exported by Plan "
                           "Workbench, or was changed since.")
    if not isinstance(data, dict):
        raise InvalidInput(f"{path.name} holds no pack manifest.")
    return data
