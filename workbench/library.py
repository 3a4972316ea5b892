"""The library folder: where the database, the PDF copies, the index and backups live.

A library is a folder::

    workbench.db          the only source of truth (SQLite)
    files/ab/abcd….pdf    content-addressed copies of imported PDFs (by SHA-256)
    index/                the Whoosh index (a cache, rebuildable from the database)
    backups/              rotating verified database backups
    sidecars/             human-readable copies of user work (later issues)

Also: manifests (a ``manifest.json`` beside PDFs describing plans), slugs, and hashing.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import DiskFull, ExtractError, ExtractFailure, InvalidInput
from workbench.files import atomic_write
from workbench.model import PlanMeta, Stage, is_partial_iso_date

ENV_LIBRARY = "WORKBENCH_LIBRARY"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True, slots=True)
class LibraryPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "workbench.db"

    @property
    def files(self) -> Path:
        return self.root / "files"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def sidecars(self) -> Path:
        return self.root / "sidecars"

    @property
    def packs(self) -> Path:
        """The record of exported briefing packs: one regeneration manifest per pack file,
        named by the file's SHA-256 (``export.write_pack``'s ``archive``)."""
        return self.root / "packs"

    def refuse_output(self, path: Path) -> Path:
        """``path`` resolved, when an export may be written there; never inside the library.

        The library folder holds the database (with its ``-wal``/``-shm``/``-journal``
        files), the PDF copies, the index, backups, sidecars and caches, so any file written
        anywhere in it could replace one of them. Symbolic links, ``..``, a differently-cased
        path on a case-insensitive disk and a hard link to the database are all seen through.

        Raises:
            InvalidInput: ``path`` is inside the library folder (one line, naming both).
        """
        target = Path(path).expanduser().resolve()
        root = self.root.expanduser().resolve()
        if _is_within(target, root) or _same_as_any(target, _database_files(root)):
            raise InvalidInput(
                f"Refusing to write {path}: it is inside the library folder {root}; "
                "choose a file outside it."
            )
        return target

    def ensure(self) -> None:
        for folder in (self.root, self.files, self.index, self.backups, self.cache):
            folder.mkdir(parents=True, exist_ok=True)

    def exists(self) -> bool:
        return self.database.exists()

    def stored_file(self, stored_path: str) -> Path:
        return self.root / Path(stored_path)


def _database_files(root: Path) -> list[Path]:
    db = root / "workbench.db"
    return [db, *(db.with_name(db.name + tail) for tail in ("-wal", "-shm", "-journal"))]


def _same_as_any(path: Path, others: list[Path]) -> bool:
    try:
        return path.is_file() and any(o.is_file() and os.path.samefile(path, o) for o in others)
    except OSError:
        return False


def _is_within(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or below it, by name or (for existing folders) by identity."""
    norm = os.path.normcase
    if norm(str(path)) == norm(str(folder)) or any(
        norm(str(parent)) == norm(str(folder)) for parent in path.parents
    ):
        return True
    try:
        if not folder.is_dir():
            return False
        return any(
            candidate.exists() and os.path.samefile(candidate, folder)
            for candidate in (path, *path.parents)
        )
    except OSError:
        return False


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks. Raises ExtractError for unreadable paths."""
    if not path.exists():
        raise ExtractError(ExtractFailure.MISSING, f"{path.name}: no such file")
    if not path.is_file():
        raise ExtractError(ExtractFailure.NOT_A_FILE, f"{path.name} is not a file")
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise ExtractError(
            ExtractFailure.UNREADABLE, f"{path.name} could not be read ({exc.strerror})"
        ) from exc
    return h.hexdigest()


def store_copy(paths: LibraryPaths, source: Path, sha256: str) -> str:
    """Copy ``source`` into the content-addressed file store; return its relative path.

    The copy is written to a temporary file in the same folder, flushed, then renamed, so a
    crash never leaves a partial file under the final name (a killed process leaves only an
    ``.incoming-*.tmp``, removed at the next open by ``db.recovery``).

    Raises:
        DiskFull: no space (or over the file-size limit); no partial file is left.
    """
    rel = Path("files") / sha256[:2] / f"{sha256}.pdf"
    target = paths.root / rel
    if target.exists():
        return rel.as_posix()
    try:
        with source.open("rb") as src:
            # the file store's temp names: db.recovery removes a killed copy's at open
            atomic_write(target, lambda out: _copy_file(src, out),
                         prefix=".incoming-", suffix=".tmp")
    except OSError as exc:
        if exc.errno in _NO_SPACE:
            raise DiskFull() from exc
        raise
    return rel.as_posix()


def _copy_file(src: Any, out: Any) -> None:
    """Copy the open file ``src`` into the open, empty file ``out``: in the kernel where it
    can (``os.sendfile``, as ``shutil.copyfile`` does on Linux: no pass of the bytes through
    Python, ~20 % less CPU for the import's copies; issue 12, Speed), else by chunks."""
    if hasattr(os, "sendfile") and os.name == "posix":
        try:
            size = os.fstat(src.fileno()).st_size
            offset = 0
            while offset < size:
                sent = os.sendfile(out.fileno(), src.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
            if offset == size:
                return
        except OSError as exc:
            if exc.errno in _NO_SPACE:
                raise
        out.seek(0)  # not possible here: copy it the plain way
        out.truncate()
        src.seek(0)
    shutil.copyfileobj(src, out, 1 << 20)


def stored_sizes(paths: LibraryPaths) -> set[int] | None:
    """The byte sizes of the PDF copies in the file store, or None when it cannot be read. A
    file of any other size is none of them, so it need not be hashed to know it is new."""
    sizes: set[int] = set()
    try:
        if not paths.files.exists():
            return sizes
        for folder in paths.files.iterdir():
            if folder.is_dir():
                sizes.update(f.stat().st_size for f in folder.iterdir() if f.suffix == ".pdf")
    except OSError:
        return None
    return sizes


_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, fallback: str = "plan") -> str:
    """"Council Plan 2025–2028.pdf" → "council-plan-2025-2028"."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").casefold()
    if text.endswith(".pdf"):
        text = text[:-4]
    slug = _SLUG_STRIP.sub("-", text).strip("-")[:60].strip("-")
    return slug or fallback


def unique_slug(base: str, taken: set[str] | None = None, exists=None) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is free."""
    candidate, n = base, 2
    while (taken and candidate in taken) or (exists and exists(candidate)):
        candidate = f"{base}-{n}"
        n += 1
    return candidate


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    file: str
    slug: str
    meta: PlanMeta


def read_manifest(folder: Path) -> dict[str, ManifestEntry]:
    """Read ``manifest.json`` in ``folder`` (if any), keyed by the PDF's file name.

    The format is a JSON list of objects with ``file`` (relative path) and any of
    ``title, organisation, leader, period_start, period_end, published, status, stage,
    supersedes`` (a slug, which is the other entry's file stem).
    """
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a valid manifest: {exc}") from exc
    if not isinstance(raw, list):
        raise InvalidInput(f"{path} is not a valid manifest: expected a list of plans")
    entries: dict[str, ManifestEntry] = {}
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            continue
        entry = manifest_entry(item)
        entries[Path(entry.file).name] = entry
    return entries


def manifest_entry(item: dict[str, Any]) -> ManifestEntry:
    def text(key: str) -> str:
        value = item.get(key)
        return str(value).strip() if value is not None else ""

    file = text("file")
    status = text("status")
    stage = text("stage") or (Stage.guess(status) or "")
    published = text("published")
    if published and not is_partial_iso_date(published):
        published = ""
    meta = PlanMeta(
        title=text("title") or Path(file).stem,
        organisation=text("organisation"),
        leader=text("leader"),
        period_start=text("period_start"),
        period_end=text("period_end"),
        stage=str(stage),
        status=status,
        published=published,
        supersedes=text("supersedes"),
    )
    return ManifestEntry(file=file, slug=slugify(Path(file).name), meta=meta)


def validate_meta(meta: PlanMeta) -> PlanMeta:
    """Check fields a person typed. Raises InvalidInput with a message naming the field."""
    if not meta.title.strip():
        raise InvalidInput("A plan needs a title.")
    if meta.stage and meta.stage not in {s.value for s in Stage}:
        raise InvalidInput(
            f"Unknown stage {meta.stage!r}; use one of: {', '.join(s.value for s in Stage)}."
        )
    for field in ("published", "period_start", "period_end"):
        value = getattr(meta, field)
        if value and not is_partial_iso_date(value):
            raise InvalidInput(
                f"{field} must be a date like 2011, 2011-04 or 2011-04-30 (not {value!r})."
            )
    start, end = meta.period_start, meta.period_end
    if start and end and start[: len(end)] > end[: len(start)]:
        raise InvalidInput(f"period_start ({start}) is after period_end ({end}).")
    return meta


def find_pdfs(paths: list[Path]) -> list[Path]:
    """Expand folders into the PDFs they contain (sorted), keep files as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.casefold() == ".pdf"))
        else:
            found.append(path)
    return found
