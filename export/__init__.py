"""Briefing-pack writers: accessible PDF, editable DOCX, CSV and XLSX, each written atomically.

``write_pack(pack, out, fmt)`` is the one entry point the CLI and the export dialog use: it
writes the file through the writer for ``fmt``, then the small JSON manifest beside it
(``<out>.pack.json``) that "changes since the last pack" reads back (``read_manifest``).
The writers themselves live in ``export.pdf``, ``export.docx_writer`` and ``export.tables``
and are imported lazily, so choosing CSV never loads WeasyPrint. Emits nothing; progress and
cancellation go through a ``workbench.tasks.TaskState``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from export.atomic import atomic_write_bytes
from workbench.errors import InvalidInput
from workbench.pack import MANIFEST_SUFFIX, Pack, manifest_of, manifest_path_for
from workbench.tasks import SubState, TaskState

__all__ = ["FORMATS", "ExportResult", "format_for", "read_manifest", "write_pack"]

FORMATS = ("pdf", "docx", "csv", "xlsx")
_MANIFEST_LIMIT = 16 * 1024 * 1024  # a manifest is a few KB; refuse anything absurd


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    manifest: Path
    fmt: str
    items: int


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
    manifest: bool = True,
) -> ExportResult:
    """Write ``pack`` to ``out`` in ``fmt`` (default: from the suffix), then its manifest.

    Args:
        pack: the pack to write (writers sanitise it).
        out: the target file; replaced atomically, so a failure leaves the old one intact.
        fmt: "pdf", "docx", "csv" or "xlsx".
        state: progress (0–1 over the whole export) and cancellation.
        manifest: also write ``<out>.pack.json`` for "changes since the last pack".

    Returns:
        What was written.

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
    manifest_path = manifest_path_for(path)
    if manifest:
        data = json.dumps(manifest_of(pack.sanitised(), fmt=chosen), ensure_ascii=False,
                          indent=1, sort_keys=True)
        atomic_write_bytes(manifest_path, data.encode("utf-8"))
    state.report(1.0, f"Wrote {path.name}")
    return ExportResult(path, manifest_path, chosen, len(pack.items))


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a previous export: ``path`` may be the export or its ``.pack.json``.

    Raises:
        InvalidInput: no manifest there, or it is not valid JSON.
    """
    path = Path(path)
    candidate = path if path.name.endswith(MANIFEST_SUFFIX) else manifest_path_for(path)
    try:
        if candidate.stat().st_size > _MANIFEST_LIMIT:
            raise InvalidInput(f"{candidate.name} is too large to be a pack manifest.")
        data = json.loads(candidate.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"No pack manifest found at {candidate}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"Cannot read the pack manifest {candidate.name}: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{candidate.name} is not a pack manifest.")
    return data
