"""Offline collaboration: annotation packages, checked on the way in, merged by UUID.

Owns the package format, its validation, the merge rules and the ``MergePlan`` a
conflict-review screen shows. Qt-free; no engines (``zipfile``/``json`` only); emits nothing.

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

**Merge rules** (``plan_merge``). Records match by UUID only, never by name or text. A
record's *version hash* is the SHA-256 of its JSON without plan slugs and anchor placement
(which re-anchoring changes without a person editing anything; every person's edit also moves
``updated_at`` or ``deleted_at``). A library knows the hashes of every version of a record that
its undo log has seen (the undo log is never pruned; merges store what they learned in their
undo steps). For a package record I and the local record L:

1. absent locally → **add**; same hash → **skip**; I's hash already decided against in an
   earlier merge → **skip**;
2. I's hash known locally and L's hash not in I's history → **skip** (I is older);
3. L's hash in I's history and I's hash not known locally → **fast-forward** to I;
4. otherwise (both edited, or an undo/restore brought one side back to an older state) →
   **conflict** (one side deleted: ``delete_vs_edit``); two deletions take the newer one.

Unknown ancestry therefore gives a conflict, never a silent overwrite. A conflict resolves to
``local``, ``incoming`` or ``both``. ``both`` is order-independent: the newer version (by
``updated_at``, then hash) keeps the UUID and the other becomes a copy with
``uuid5(uuid, hash)``, both flagged in their note; for ``delete_vs_edit`` it resurrects the edited
version, flagged. Plans match by document SHA-256, then by slug; records of plans missing here
are listed as pending and written to a pending file, not dropped. Incoming anchors go through
``Records.refreshed`` (the normal re-anchoring path); what cannot be placed is listed as orphaned.

``apply_merge`` takes a verified backup ("before-merge"), then writes the whole merge as one
transaction with one audit row (``merge_package``, with counts) and one undo entry, then the
sidecars. Merging the same package twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import stat
import struct
import uuid as _uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, BinaryIO

from workbench.anchoring import Anchor
from workbench.errors import InvalidInput
from workbench.files import app_version, atomic_write, utc_now, write_json_atomic
from workbench.library import LibraryPaths
from workbench.records import (
    Annotation,
    Change,
    Correction,
    Link,
    Record,
    Ref,
    StatusAssessment,
    Tag,
    anchors_of,
    record_from_json,
)
from workbench.review import KINDS, MERGE_CHANGED, Records

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
RESOLUTIONS = ("local", "incoming", "both")
MERGE_FLAG = "⚑ Merge conflict"
COPY_NAMESPACE = _uuid.UUID("6f6c6b1e-2d4b-4a55-9a43-7c1b1c0e3f5a")
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


def _author(record: Record, history: History | None, fallback: str = "") -> str:
    if history is not None:
        who = history.authors.get(version_hash(record))
        if who:
            return who
    return record.created_by or fallback or "unknown"


# == writing =======================================================================================


def _record_plans(record: Record) -> set[str]:
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
    database = getattr(store, "path", None)  # the library folder is the database's folder
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
            used = _record_plans(r)
            if kind != "tag" and not used & wanted:
                continue
            referenced |= used
            h = history.get(r.uuid, History())
            revs = (h.known - h.resolved) | {version_hash(r)}
            groups[group].append({"data": r.to_json(), "revs": sorted(revs),
                                  "updated_by": _author(r, h, records.actor)})
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
                missing = _record_plans(record) - plan_slugs
                if missing:
                    raise ValueError(f"plan {sorted(missing)[0]!r} is not in the manifest")
                out.append(PackageRecord(record, frozenset(revs) | {version_hash(record)}, who))
    except PackageError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError,
            RecursionError) as exc:
        raise _not_package(path, f"bad record: {exc}") from exc
    return tuple(out)


# == planning ======================================================================================


@dataclass(frozen=True, slots=True)
class PlanMatch:
    package_slug: str
    title: str
    local_slug: str | None
    how: str  # "document" (a shared document version) | "slug" | "none"
    same_version: bool  # the package's current document is this library's current one


@dataclass(frozen=True, slots=True)
class Version:
    """One side of a conflict, ready to show: who, when, and the values in words."""

    side: str  # "local" | "incoming"
    author: str
    updated_at: str
    deleted: bool
    values: dict[str, str]
    record: Record

    @property
    def summary(self) -> str:
        state = "deleted" if self.deleted else "; ".join(f"{k}: {v}" for k, v in
                                                         self.values.items() if v)
        return f"{self.author} ({self.updated_at or 'undated'}): {state}"


@dataclass(frozen=True, slots=True)
class FieldDiff:
    label: str
    local: str
    incoming: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """A record both sides changed. ``lines()`` is the side-by-side text of the review screen."""

    uuid: str
    record_kind: str
    reason: str  # "edited_both" | "delete_vs_edit"
    title: str
    plan: str
    local: Version
    incoming: Version
    diffs: tuple[FieldDiff, ...]
    choices: tuple[str, ...] = RESOLUTIONS
    suggested: str = "both"

    def lines(self) -> list[str]:
        a, b = self.local.author, self.incoming.author
        if a == b:
            a, b = f"{a} (here)", f"{b} (package)"
        return [f"{d.label} — {a}: {d.local or '—'}; {b}: {d.incoming or '—'}"
                for d in self.diffs]

    def describe(self) -> str:
        return "\n".join([f"{self.title} [{self.uuid}]", *("  " + x for x in self.lines())])


@dataclass(frozen=True, slots=True)
class MergeItem:
    uuid: str
    record_kind: str
    action: str  # "add" | "fast_forward" | "skip" | "conflict" | "pending"
    reason: str
    title: str
    incoming: Record
    local: Record | None = None
    value: Record | None = None  # what add/fast_forward writes (re-anchored here)


@dataclass(frozen=True, slots=True)
class MergePlan:
    package: Package
    plans: tuple[PlanMatch, ...]
    items: tuple[MergeItem, ...]
    conflicts: tuple[Conflict, ...]
    orphans: tuple[tuple[str, str], ...]  # (uuid, title) that could not be re-anchored here
    base_revision: int

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)

    @property
    def pending(self) -> tuple[MergeItem, ...]:
        return tuple(i for i in self.items if i.action == "pending")

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("add", "fast_forward", "skip", "conflict", "pending")}

    def summary(self) -> str:
        c = self.counts
        m = self.package.manifest
        return (f"Package from {m.author} ({m.created_at}): {c['add']} new, "
                f"{c['fast_forward']} updated, {c['skip']} unchanged, {c['conflict']} "
                f"conflicting, {c['pending']} for plans not in this library; "
                f"{len(self.orphans)} could not be re-anchored.")

    def to_json(self) -> dict[str, Any]:
        return {
            "package": {"author": self.package.manifest.author,
                        "created_at": self.package.manifest.created_at,
                        "library_id": self.package.manifest.library_id,
                        "digest": self.package.digest},
            "plans": [{"package_slug": p.package_slug, "local_slug": p.local_slug,
                       "how": p.how, "same_version": p.same_version} for p in self.plans],
            "counts": self.counts,
            "items": [{"uuid": i.uuid, "kind": i.record_kind, "action": i.action,
                       "reason": i.reason, "title": i.title} for i in self.items],
            "conflicts": [{"uuid": c.uuid, "kind": c.record_kind, "reason": c.reason,
                           "title": c.title, "lines": c.lines(),
                           "local": {"author": c.local.author, "updated_at": c.local.updated_at,
                                     "deleted": c.local.deleted, "values": c.local.values},
                           "incoming": {"author": c.incoming.author,
                                        "updated_at": c.incoming.updated_at,
                                        "deleted": c.incoming.deleted,
                                        "values": c.incoming.values}}
                          for c in self.conflicts],
            "orphans": [{"uuid": u, "title": t} for u, t in self.orphans],
        }


def _match_plans(records: Records, package: Package) -> tuple[PlanMatch, ...]:
    store = records.store
    local_docs = {p.slug: [d.sha256 for d in store.documents(p.slug)]
                  for p in store.plans(include_removed=True)}
    by_sha = {sha: slug for slug, docs in local_docs.items() for sha in docs}
    out = []
    for pp in package.manifest.plans:
        hits = [by_sha[s] for s in reversed(pp.documents) if s in by_sha]
        if hits:
            local, how = hits[0], "document"
        elif pp.slug in local_docs:
            local, how = pp.slug, "slug"
        else:
            local, how = None, "none"
        current = local_docs.get(local or "", [])
        out.append(PlanMatch(pp.slug, pp.title, local, how,
                             bool(current) and current[-1] == pp.current))
    return tuple(out)


def _translate(record: Record, mapping: Mapping[str, str]) -> Record:
    if all(k == v for k, v in mapping.items()):
        return record

    def ref(r: Ref) -> Ref:
        return Ref(mapping.get(r.plan, r.plan), r.anchor)

    if isinstance(record, Annotation | Correction):
        return replace(record, plan=mapping.get(record.plan, record.plan))
    if isinstance(record, Link):
        return replace(record, source=ref(record.source), to_plan=mapping.get(
            record.to_plan, record.to_plan), targets=tuple(ref(t) for t in record.targets),
            evidence=tuple(ref(e) for e in record.evidence))
    if isinstance(record, StatusAssessment):
        return replace(record, subject=ref(record.subject),
                       evidence=tuple(ref(e) for e in record.evidence))
    return record


def title_of(record: Record) -> str:
    """A one-line description of a record for lists and the review screen."""
    kind = {"annotation": "Annotation", "correction": "Correction", "link": "Link",
            "status": "Status", "tag": "Tag"}[record.KIND]
    if isinstance(record, Tag):
        return f"Tag “{record.name}”"
    anchors = anchors_of(record)
    if not anchors:
        return kind
    ref = anchors[0][1]
    quote = " ".join(ref.anchor.exact.split())
    quote = quote[:57] + "…" if len(quote) > 60 else quote
    return f"{kind} on {ref.plan} p. {ref.anchor.page_label}: “{quote}”"


def _values(record: Record, tag_names: Mapping[str, str]) -> dict[str, str]:
    if isinstance(record, Annotation):
        return {"note": record.note, "colour": record.colour,
                "tags": ", ".join(tag_names.get(t, t[:8]) for t in record.tags)}
    if isinstance(record, Correction):
        return {"correction": record.kind, "level": str(record.level or ""), "note": record.note}
    if isinstance(record, Link):
        return {"relation": record.relation, "state": record.state,
                "successors": " | ".join(t.anchor.exact[:60] for t in record.targets),
                "rationale": record.rationale}
    if isinstance(record, StatusAssessment):
        return {"status": record.status, "as at": record.as_at, "rationale": record.rationale}
    if isinstance(record, Tag):
        return {"name": record.name, "parent": tag_names.get(record.parent or "", ""),
                "colour": record.colour}
    return {}


def _conflict(local: Record, incoming: Record, reason: str, who_local: str, who_incoming: str,
              tag_names: Mapping[str, str]) -> Conflict:
    lv, iv = _values(local, tag_names), _values(incoming, tag_names)
    diffs = [FieldDiff(k, lv.get(k, ""), iv.get(k, "")) for k in lv if lv.get(k) != iv.get(k)]
    if bool(local.deleted_at) != bool(incoming.deleted_at):
        diffs.insert(0, FieldDiff("state", "deleted" if local.deleted_at else "kept",
                                  "deleted" if incoming.deleted_at else "kept"))
    if not diffs:
        diffs.append(FieldDiff("updated", local.updated_at, incoming.updated_at))
    return Conflict(
        uuid=local.uuid, record_kind=local.KIND, reason=reason, title=title_of(local),
        plan=getattr(local, "plan", ""),
        local=Version("local", who_local, local.updated_at, bool(local.deleted_at), lv, local),
        incoming=Version("incoming", who_incoming, incoming.updated_at,
                         bool(incoming.deleted_at), iv, incoming),
        diffs=tuple(diffs))


def _newly_orphaned(before: Record, after: Record) -> bool:
    was = {f for f, r in anchors_of(before) if r.anchor.orphaned}
    return any(r.anchor.orphaned for _, r in anchors_of(after)) and not was


def plan_merge(records: Records, package: Package) -> MergePlan:
    """Compare a validated package with this library. Reads only (anchors are placed in
    memory); ``apply_merge`` writes."""
    matches = _match_plans(records, package)
    mapping = {m.package_slug: m.local_slug for m in matches if m.local_slug}
    history = record_history(records)
    local: dict[str, Record] = {}
    for kind in KINDS:
        for r in records.rs.records(kind, include_deleted=True):
            local[r.uuid] = r
    tag_names = {p.record.uuid: p.record.name for p in package.records
                 if isinstance(p.record, Tag)}
    tag_names |= {u: r.name for u, r in local.items() if isinstance(r, Tag)}
    items: list[MergeItem] = []
    conflicts: list[Conflict] = []
    orphans: list[tuple[str, str]] = []
    ordered = sorted(package.records, key=lambda p: (KINDS.index(p.record.KIND), p.record.uuid))
    for pkg in ordered:
        inc = pkg.record
        title = title_of(inc)
        missing = sorted(p for p in _record_plans(inc) if p not in mapping)
        if missing:
            items.append(MergeItem(inc.uuid, inc.KIND, "pending",
                                   f"plan {', '.join(missing)} is not in this library", title,
                                   inc))
            continue
        inc = _translate(inc, mapping)
        mine = local.get(inc.uuid)
        if mine is not None and mine.KIND != inc.KIND:
            items.append(MergeItem(inc.uuid, inc.KIND, "pending",
                                   "its uuid belongs to another kind of record here", title, inc))
            continue
        h_inc = version_hash(inc)
        if mine is None:
            placed = records.refreshed(inc)
            if _newly_orphaned(inc, placed):
                orphans.append((inc.uuid, title))
            items.append(MergeItem(inc.uuid, inc.KIND, "add", "new", title, inc, None, placed))
            continue
        hist = history.get(inc.uuid, History())
        h_loc = version_hash(mine)
        known = hist.known | {h_loc}
        inc_known, loc_in = h_inc in known, h_loc in pkg.revs
        if h_inc == h_loc:
            action, reason = "skip", "identical"
        elif h_inc in hist.resolved:
            action, reason = "skip", "decided in an earlier merge"
        elif inc_known and not loc_in:
            action, reason = "skip", "older than ours"
        elif loc_in and not inc_known:
            action, reason = "fast_forward", "newer than ours"
        elif mine.deleted_at and inc.deleted_at:
            newer = max((mine, inc), key=lambda r: (r.updated_at, r.deleted_at or "",
                                                    version_hash(r)))
            action, reason = ("skip", "deleted on both sides") if newer is mine else (
                "fast_forward", "deleted on both sides")
        else:
            action = "conflict"
            reason = "delete_vs_edit" if bool(mine.deleted_at) != bool(inc.deleted_at) \
                else "edited_both"
        value = None
        if action in ("fast_forward", "conflict"):
            value = records.refreshed(inc)
            if _newly_orphaned(inc, value):
                orphans.append((inc.uuid, title))
        if action == "conflict":
            assert value is not None
            conflicts.append(_conflict(mine, value, reason, _author(mine, hist),
                                       pkg.updated_by or inc.created_by or
                                       package.manifest.author, tag_names))
        items.append(MergeItem(inc.uuid, inc.KIND, action, reason, title, inc, mine, value))
    return MergePlan(package=package, plans=matches, items=tuple(items),
                     conflicts=tuple(conflicts), orphans=tuple(orphans),
                     base_revision=records.store.revision())


# == applying ======================================================================================


@dataclass(frozen=True, slots=True)
class MergeReport:
    counts: dict[str, int]
    backup: Path | None
    change: Change | None
    pending_file: Path | None
    flagged: tuple[str, ...]  # uuids whose note now carries MERGE_FLAG
    orphans: tuple[tuple[str, str], ...]

    def summary(self) -> str:
        c = self.counts
        text = (f"Merged: {c.get('add', 0)} added, {c.get('fast_forward', 0)} updated, "
                f"{c.get('kept_local', 0)} kept ours, {c.get('took_incoming', 0)} took theirs, "
                f"{c.get('kept_both', 0)} kept both, {c.get('skip', 0)} unchanged, "
                f"{c.get('pending', 0)} pending, {len(self.orphans)} orphaned.")
        if self.backup:
            text += f" Backup: {self.backup.name}."
        if self.pending_file:
            text += f" Pending records: {self.pending_file}."
        return text


def is_flagged(record: Record) -> bool:
    text = getattr(record, "note", None)
    if text is None:
        text = getattr(record, "rationale", "")
    return MERGE_FLAG in (text or "")


def _flag(record: Record, text: str) -> Record:
    line = f"{MERGE_FLAG}: {text}"
    if isinstance(record, Annotation | Correction):
        if line in record.note:
            return record
        return replace(record, note=f"{record.note}\n{line}" if record.note else line)
    if isinstance(record, Link | StatusAssessment):
        if line in record.rationale:
            return record
        return replace(record, rationale=f"{record.rationale}\n{line}" if record.rationale
                       else line)
    return record


def copy_uuid(uuid: str, version: str) -> str:
    """The uuid of the copy "keep both" makes of one version: the same in every library."""
    return str(_uuid.uuid5(COPY_NAMESPACE, f"{uuid}:{version}"))


def _resolution(resolutions: str | Mapping[str, str] | None, conflict: Conflict) -> str:
    if isinstance(resolutions, str):
        choice = resolutions
    else:
        choice = (resolutions or {}).get(conflict.uuid, "")
    if choice not in conflict.choices:
        raise InvalidInput(f"Decide the conflict on {conflict.title} ({conflict.uuid}): "
                           f"{', '.join(conflict.choices)}.")
    return choice


def apply_merge(records: Records, plan: MergePlan,
                resolutions: str | Mapping[str, str] | None = None, *,
                pending_dir: Path | None = None) -> MergeReport:
    """Write a planned merge: backup, then one transaction, then sidecars.

    Args:
        resolutions: one of ``RESOLUTIONS`` for every conflict, or {uuid: choice}.
        pending_dir: where records of plans missing here are kept (default:
            ``<library>/merge-pending``).

    Raises:
        InvalidInput: a conflict has no decision, or the library changed since planning.
    """
    if records.store.revision() != plan.base_revision:  # early; re-checked in the transaction
        raise InvalidInput(MERGE_CHANGED)
    decisions = {c.uuid: _resolution(resolutions, c) for c in plan.conflicts}
    by_uuid = {c.uuid: c for c in plan.conflicts}
    history = record_history(records)
    changes: list[tuple[Record | None, Record | None]] = []
    meta: dict[str, dict[str, Any]] = {}
    counts = {"add": 0, "fast_forward": 0, "skip": 0, "kept_local": 0, "took_incoming": 0,
              "kept_both": 0, "pending": 0}
    flagged: list[str] = []
    revs = {p.record.uuid: p.revs for p in plan.package.records}
    who = {p.record.uuid: p.updated_by or p.record.created_by or plan.package.manifest.author
           for p in plan.package.records}

    def put(before: Record | None, after: Record, seen: set[str], resolved: set[str],
            by: str) -> None:
        changes.append((before, after))
        meta[after.uuid] = {"merge": {"seen": sorted(seen), "resolved": sorted(resolved),
                                      "by": by, "package": plan.package.digest}}

    for item in plan.items:
        if item.action in ("skip", "pending"):
            counts[item.action] += 1
            continue
        h_inc = version_hash(item.incoming)
        if item.action in ("add", "fast_forward"):
            assert item.value is not None
            seen = set(revs[item.uuid]) | ({version_hash(item.local)} if item.local else set())
            put(item.local, item.value, seen, set(), who[item.uuid])
            counts[item.action] += 1
            continue
        conflict = by_uuid[item.uuid]
        mine, theirs = conflict.local.record, conflict.incoming.record
        h_loc = version_hash(mine)
        choice = decisions[item.uuid]
        if choice == "local":
            put(mine, mine, {h_loc}, {h_inc}, conflict.local.author)
            counts["kept_local"] += 1
        elif choice == "incoming":
            put(mine, theirs, set(revs[item.uuid]) | {h_inc}, {h_loc}, conflict.incoming.author)
            counts["took_incoming"] += 1
        elif conflict.reason == "delete_vs_edit":
            live, gone = (mine, conflict.incoming) if not mine.deleted_at else (
                theirs, conflict.local)
            kept = _flag(live, f"{gone.author} deleted this ({(gone.record.deleted_at or '')[:10]})"
                               f" while it was edited; kept.")
            by = conflict.local.author if live is mine else conflict.incoming.author
            put(mine, kept, {h_loc, h_inc} | set(revs[item.uuid]), set(), by)
            flagged.append(kept.uuid)
            counts["kept_both"] += 1
        else:
            sides = sorted([(mine, conflict.local.author), (theirs, conflict.incoming.author)],
                           key=lambda s: (s[0].updated_at, version_hash(s[0])))
            (older, older_by), (newer, newer_by) = sides
            twin = copy_uuid(item.uuid, version_hash(older))
            primary = _flag(newer, f"{older_by}'s different version is kept as a copy "
                                   f"({twin[:8]}).")
            copy = replace(_flag(older, f"{older_by}'s version of {item.uuid[:8]}, kept as a "  # type: ignore[type-var]
                                        f"copy; {newer_by}'s version kept the original."),
                           uuid=twin)
            put(mine, primary, {h_loc, h_inc} | set(revs[item.uuid]), set(), newer_by)
            existing = records.rs.get(copy.KIND, twin)
            if existing is None or version_hash(existing) != version_hash(copy):
                put(existing, copy, set(history.get(twin, History()).known), set(), older_by)
            flagged += [primary.uuid, copy.uuid]
            counts["kept_both"] += 1
    backup = change = None
    if changes:
        backup = records.store.backup("before-merge")
        change = records.commit_merge(
            changes, target=f"package:{plan.package.digest[:16]}",
            detail={"counts": counts, "author": plan.package.manifest.author,
                    "library_id": plan.package.manifest.library_id,
                    "orphaned": [u for u, _ in plan.orphans], "flagged": flagged},
            step_meta=meta, expected_revision=plan.base_revision)
    pending_file = None
    if plan.pending:
        folder = pending_dir or (records.sidecar_dir.parent / "merge-pending"
                                 if records.sidecar_dir else None)
        if folder is not None:
            pending_file = folder / f"{plan.package.digest[:16]}.json"
            write_json_atomic(pending_file, {
                "package_author": plan.package.manifest.author,
                "package_created_at": plan.package.manifest.created_at,
                "written_at": dt.date.today().isoformat(),
                "records": [{"reason": i.reason, "data": i.incoming.to_json()}
                            for i in plan.pending]})
    return MergeReport(counts=counts, backup=backup, change=change, pending_file=pending_file,
                       flagged=tuple(flagged), orphans=plan.orphans)
