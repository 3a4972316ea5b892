"""Annotation packages: the offline-collaboration file format, written and checked on the way in.

Owns the package format, writing it (``write_package``), its validation (``read_package``) and
the per-record version history both sides of a merge compare (``version_hash``,
``record_history``). Qt-free; no engines (``zipfile``/``json`` only); emits nothing. Merging a
package into a library is ``workbench.merge``'s job.

**Format (schema 1).** A zip holding exactly two entries:

* ``manifest.json``: ``{"format": "plan-workbench-package", "schema_version": 1,
  "app_version", "created_at", "author", "library_id", "plans": [{"slug", "title",
  "documents": [sha256 of every version, oldest first], "current": sha256}]}``;
* ``records.json``: ``{"schema_version": 1, "tags": [...], "annotations": [...],
  "corrections": [...], "links": [...], "statuses": [...]}``, each item
  ``{"data": <record JSON incl. history, deleted_at, updated_at>, "revs": [content hashes of
  every version this library knows], "updated_by": <who made this version>}``.

**Validation** (``read_package``) happens before anything is written: a size cap on the file,
the entry count from the end-of-central-directory record (before ``zipfile`` parses the
directory), only the two expected names (no paths, drive letters, backslashes, NUL, ``..``,
duplicates, case collisions, symlinks, encryption), per-entry and total size caps and a
compression-ratio cap from the central directory, then a capped streaming read that never
trusts header sizes, then the schema version and the JSON shape of every record.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO

from workbench.anchoring import Anchor
from workbench.errors import InvalidInput
from workbench.files import app_version, atomic_write, utc_now
from workbench.library import LibraryPaths
from workbench.records import (
    Link,
    Record,
    Ref,
    anchors_of,
    record_from_json,
)
from workbench.review import Records

SCHEMA_VERSION = 1
FORMAT = "plan-workbench-package"
MANIFEST = "manifest.json"
RECORDS = "records.json"
ENTRY_NAMES = (MANIFEST, RECORDS)
MAX_FILE_BYTES = 50 * 1024 * 1024  # the package on disk
MAX_ENTRIES = 100
MAX_ENTRY_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed
RATIO_FLOOR = 64 * 1024  # entries smaller than this cannot be bombs; the ratio is not checked
MAX_NAME = 255
GROUPS = {"tags": "tag", "annotations": "annotation", "corrections": "correction",
          "links": "link", "statuses": "status"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")



class PackageError(InvalidInput):
    """A package was refused; the message is one line naming the file and the reason."""


# == the package ===================================================================================


@dataclass(frozen=True, slots=True)
class PackagePlan:
    slug: str
    title: str
    documents: tuple[str, ...]  # sha256 of every version, oldest first
    current: str


@dataclass(frozen=True, slots=True)
class Manifest:
    schema_version: int
    app_version: str
    created_at: str
    author: str
    library_id: str
    plans: tuple[PackagePlan, ...]


@dataclass(frozen=True, slots=True)
class PackageRecord:
    record: Record
    revs: frozenset[str]  # version hashes the exporting library knew
    updated_by: str


@dataclass(frozen=True, slots=True)
class Package:
    path: Path
    manifest: Manifest
    records: tuple[PackageRecord, ...]
    digest: str  # sha256 of records.json: names the package in audit rows and pending files


def version_hash(record: Record) -> str:
    """The hash of a record's content, without plan slugs and anchor placement."""
    data = record.to_json()
    for name in ("plan", "to_plan", "anchor", "source", "subject", "targets", "evidence"):
        data.pop(name, None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class History:
    """What the local undo log knows about one record's versions."""

    known: set[str] = field(default_factory=set)
    resolved: set[str] = field(default_factory=set)  # versions a merge decided against
    authors: dict[str, str] = field(default_factory=dict)  # version hash -> who made it


def record_history(records: Records) -> dict[str, History]:
    """{uuid: History} from every undo-log entry (any state, oldest first)."""
    out: dict[str, History] = {}
    for entry in records.rs.undo_entries():
        for step in entry.steps:
            h = out.setdefault(step["uuid"], History())
            meta = step.get("merge") or {}
            sides = ("after",) if meta else ("before", "after")
            for side in sides:
                snap = step.get(side)
                if not snap:
                    continue
                try:
                    v = version_hash(record_from_json(snap))
                except (KeyError, TypeError, ValueError):
                    continue
                h.known.add(v)
                if side == "after":
                    h.authors[v] = meta.get("by") or entry.actor
            h.known.update(meta.get("seen", ()))
            h.resolved.update(meta.get("resolved", ()))
    return out


def author_of(record: Record, history: History | None, fallback: str = "") -> str:
    if history is not None:
        who = history.authors.get(version_hash(record))
        if who:
            return who
    return record.created_by or fallback or "unknown"


# == writing =======================================================================================


def record_plans(record: Record) -> set[str]:
    out = {ref.plan for _, ref in anchors_of(record)} | set(record.plans)
    if isinstance(record, Link):
        out.add(record.to_plan)
    return {p for p in out if p}


def write_package(records: Records, out_path: Path, plans: Sequence[str] | None = None) -> Path:
    """Write the library's user records (of ``plans``, or all) as a package, atomically.

    Every tag goes in; a link goes in when its earlier or later plan is selected. Records in
    the trash go too (so a deletion travels).

    Raises:
        InvalidInput: ``out_path`` is inside the library folder (it could replace the
            database), or an unknown plan.
    """
    store = records.store
    database = store.path  # the library folder is the database's folder
    library_root = Path(database).parent if database else (
        records.sidecar_dir.parent if records.sidecar_dir else None)
    if library_root is not None:
        LibraryPaths(library_root).refuse_output(Path(out_path))
    by_slug = {p.slug: p for p in store.plans(include_removed=True)}
    wanted = set(plans) if plans else set(by_slug)
    for slug in wanted - set(by_slug):
        raise InvalidInput(f"No plan called {slug!r}; `workbench plans` lists them.")
    history = record_history(records)
    groups: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    referenced: set[str] = set(wanted)
    for group, kind in GROUPS.items():
        for r in records.rs.records(kind, include_deleted=True):
            used = record_plans(r)
            if kind != "tag" and not used & wanted:
                continue
            referenced |= used
            h = history.get(r.uuid, History())
            revs = (h.known - h.resolved) | {version_hash(r)}
            groups[group].append({"data": r.to_json(), "revs": sorted(revs),
                                  "updated_by": author_of(r, h, records.actor)})
        groups[group].sort(key=lambda item: item["data"]["uuid"])
    plan_entries = []
    for slug in sorted(referenced):
        docs = [d.sha256 for d in store.documents(slug)] if slug in by_slug else []
        plan_entries.append({"slug": slug, "title": by_slug[slug].meta.title,
                             "documents": docs, "current": docs[-1] if docs else ""})
    manifest = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
                "app_version": app_version(), "created_at": utc_now(), "author": records.actor,
                "library_id": store.library_id(), "plans": plan_entries}
    body = json.dumps({"schema_version": SCHEMA_VERSION, **groups}, ensure_ascii=False,
                      sort_keys=True, indent=1).encode("utf-8")
    if len(body) > MAX_ENTRY_BYTES:
        raise InvalidInput("Too much to put in one package; export fewer plans (--plan).")
    def write(f: BinaryIO) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            zf.writestr(RECORDS, body)

    out_path = Path(out_path)
    atomic_write(out_path, write)
    return out_path


# == reading and validation ========================================================================


def _refuse(path: Path, why: str) -> PackageError:
    return PackageError(f"{path.name} {why}")


def _not_package(path: Path, detail: str = "") -> PackageError:
    return _refuse(path, "is not a Plan Workbench package" + (f" ({detail})" if detail else ""))


def _too_large(path: Path) -> PackageError:
    return _refuse(path, "is too large when unpacked")


def _unsafe(path: Path) -> PackageError:
    return _refuse(path, "has an unsafe file name")


def _declared_entries(path: Path, size: int) -> tuple[int, int]:
    """(entries, central directory bytes) from the end-of-central-directory record, read
    without letting ``zipfile`` parse (and allocate) the whole directory."""
    with path.open("rb") as f:
        tail_len = min(size, 22 + 65535)
        f.seek(size - tail_len)
        tail = f.read(tail_len)
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < 22:
        raise _not_package(path, "no zip directory")
    entries, cd_size = struct.unpack_from("<H", tail, i + 10)[0], struct.unpack_from(
        "<I", tail, i + 12)[0]
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:  # zip64: the real counts are earlier
        j = tail.rfind(b"PK\x06\x06", 0, i)
        if j < 0 or len(tail) - j < 56:
            raise _not_package(path, "damaged zip64 directory")
        entries, cd_size = struct.unpack_from("<QQ", tail, j + 32)
    return entries, cd_size


def _unsafe_name(name: str) -> bool:
    return (not name or len(name) > MAX_NAME or "\x00" in name or "/" in name or "\\" in name
            or ".." in name or name.startswith(("/", "~")) or bool(re.match(r"^[A-Za-z]:", name))
            or any(ord(c) < 32 for c in name))


def _check_entries(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    folded: set[str] = set()
    for info in infos:
        name = info.orig_filename
        if _unsafe_name(name) or _unsafe_name(info.filename):
            raise _unsafe(path)
        if name in seen or name.casefold() in folded:
            raise _unsafe(path)
        seen.add(name)
        folded.add(name.casefold())
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise _unsafe(path)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _not_package(path, "encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_package(path, "unsupported compression")
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise _too_large(path)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1):
            raise _too_large(path)
    if sorted(seen) != sorted(ENTRY_NAMES):
        raise _not_package(path, "unexpected contents")


def _read_capped(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, read in chunks and stopped at the cap and at its declared size."""
    cap = min(MAX_ENTRY_BYTES, info.file_size)
    chunks: list[bytes] = []
    n = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(min(1 << 16, cap + 1 - n))
            if not chunk:
                break
            n += len(chunk)
            if n > cap:
                raise _too_large(path)
            chunks.append(chunk)
    return b"".join(chunks)


def read_package(path: Path) -> Package:
    """Open and fully validate a package. Writes nothing.

    Raises:
        PackageError: one line: "… is not a Plan Workbench package", "… was made by a newer
            version of Plan Workbench", "… has an unsafe file name", "… is too large when
            unpacked".
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageError(f"{path.name}: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise _not_package(path)
    if size > MAX_FILE_BYTES:
        raise _too_large(path)
    entries, cd_size = _declared_entries(path, size)
    if entries > MAX_ENTRIES or cd_size > MAX_ENTRIES * (46 + MAX_NAME + 1024):
        raise _too_large(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise _too_large(path)
            _check_entries(path, infos)
            raw = {info.orig_filename: _read_capped(path, zf, info) for info in infos}
    except PackageError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError) as exc:
        raise _not_package(path, "damaged or truncated") from exc
    try:
        manifest_data = json.loads(raw[MANIFEST].decode("utf-8"))
        records_data = json.loads(raw[RECORDS].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _not_package(path, "unreadable JSON") from exc
    manifest = _parse_manifest(path, manifest_data)
    items = _parse_records(path, records_data, {p.slug for p in manifest.plans})
    return Package(path=path, manifest=manifest, records=items,
                   digest=hashlib.sha256(raw[RECORDS]).hexdigest())


def _schema(path: Path, data: Any) -> None:
    if not isinstance(data, dict):
        raise _not_package(path)
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _not_package(path, "no schema version")
    if version > SCHEMA_VERSION:
        raise _refuse(path, f"was made by a newer version of Plan Workbench (package schema "
                            f"{version}; this version reads {SCHEMA_VERSION})")


def _parse_manifest(path: Path, data: Any) -> Manifest:
    _schema(path, data)
    if data.get("format") != FORMAT:
        raise _not_package(path)
    try:
        text = {k: data[k] for k in ("app_version", "created_at", "author", "library_id")}
        plans = []
        for p in data["plans"]:
            docs = p["documents"]
            parts = [p["slug"], p["title"], p["current"], *docs]
            if not all(isinstance(x, str) for x in parts) or not isinstance(docs, list) \
                    or not p["slug"] or len(p["slug"]) > 200:
                raise TypeError("plan")
            if not all(_HEX64.match(d) for d in docs):
                raise ValueError("document hash")
            plans.append(PackagePlan(p["slug"], p["title"], tuple(docs), p["current"]))
        if not all(isinstance(v, str) for v in text.values()):
            raise TypeError("manifest")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _not_package(path, f"bad manifest: {exc}") from exc
    return Manifest(schema_version=data["schema_version"], plans=tuple(plans), **text)


_SIMPLE = {"str": (str,), "str | None": (str, type(None)), "int | None": (int, type(None)),
           "float | None": (int, float, type(None))}


def _check_types(record: Record) -> None:
    """Refuse values of the wrong JSON type before they reach the database."""
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        kind = str(f.type)
        if kind in ("Anchor",):
            _check_anchor(value)
        elif kind in ("Ref", "Ref | None"):
            if value is not None or kind == "Ref":
                _check_ref(value)
        elif kind == "tuple[Ref, ...]":
            for r in value:
                _check_ref(r)
        elif kind == "tuple[str, ...]":
            if not all(isinstance(x, str) for x in value):
                raise TypeError(f.name)
        elif kind.startswith("tuple[dict"):
            if not all(isinstance(x, dict) for x in value):
                raise TypeError(f.name)
        elif kind in _SIMPLE:
            if not isinstance(value, _SIMPLE[kind]) or isinstance(value, bool):
                raise TypeError(f.name)


def _check_ref(ref: Any) -> None:
    if not isinstance(ref, Ref) or not isinstance(ref.plan, str):
        raise TypeError("reference")
    _check_anchor(ref.anchor)


def _check_anchor(a: Any) -> None:
    if not isinstance(a, Anchor) or not all(
            isinstance(x, str) for x in (a.exact, a.prefix, a.suffix, a.page_label, a.doc_sha,
                                         a.status)):
        raise TypeError("anchor")


def _parse_records(path: Path, data: Any, plan_slugs: set[str]) -> tuple[PackageRecord, ...]:
    _schema(path, data)
    out: list[PackageRecord] = []
    uuids: set[str] = set()
    try:
        for group, kind in GROUPS.items():
            items = data.get(group, [])
            if not isinstance(items, list):
                raise TypeError(group)
            for item in items:
                body = item["data"]
                if not isinstance(body, dict) or body.get("record") != kind:
                    raise TypeError(f"a {kind} entry of another kind")
                uid = body.get("uuid")
                if not isinstance(uid, str) or not _UUID.match(uid) or uid in uuids:
                    raise ValueError(f"bad or repeated uuid {str(uid)[:40]!r}")
                uuids.add(uid)
                record = record_from_json(body)
                _check_types(record)
                revs = item.get("revs", [])
                who = item.get("updated_by", "")
                if not isinstance(revs, list) or not all(
                        isinstance(r, str) and _HEX64.match(r) for r in revs) \
                        or not isinstance(who, str):
                    raise TypeError("revs")
                missing = record_plans(record) - plan_slugs
                if missing:
                    raise ValueError(f"plan {sorted(missing)[0]!r} is not in the manifest")
                out.append(PackageRecord(record, frozenset(revs) | {version_hash(record)}, who))
    except PackageError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError,
            RecursionError) as exc:
        raise _not_package(path, f"bad record: {exc}") from exc
    return tuple(out)
