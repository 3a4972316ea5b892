"""Offline collaboration: merging an annotation package (``workbench.merge_package``) by UUID.

Owns the merge rules, the ``MergePlan`` a conflict-review screen shows, applying it, and the
one text that says what a planned or finished merge does (``MergePlan.summary``,
``counts_text``, ``MergeReport.summary``), used by the CLI and the merge dialog alike.
Qt-free; emits nothing.

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
   **conflict** (one side deleted: ``delete_vs_edit``); two deletions take the newer one;
5. an added link that would be a second live verdict on a commitment and later plan → **skip**
   (the same verdict) or a ``two_verdicts`` **conflict** (``workbench.merge_verdicts``).

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
import uuid as _uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.errors import InvalidInput
from workbench.files import write_json_atomic
from workbench.merge_package import (
    FORMAT,
    MANIFEST,
    RECORDS,
    SCHEMA_VERSION,
    History,
    Manifest,
    Package,
    PackageError,
    PackagePlan,
    PackageRecord,
    author_of,
    read_package,
    record_history,
    record_plans,
    version_hash,
    write_package,
)
from workbench.merge_verdicts import MERGE_FLAG, TWO_VERDICTS, change_word, is_flagged, twins
from workbench.merge_verdicts import flag as _flag
from workbench.merge_verdicts import settle_verdicts as _settle
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
)
from workbench.review import KINDS, MERGE_CHANGED, Records

__all__ = ["FORMAT", "MANIFEST", "MERGE_FLAG", "RECORDS", "RESOLUTIONS", "SCHEMA_VERSION",
           "Conflict", "History", "Manifest", "MergePlan", "MergeReport", "Package",
           "PackageError", "PackagePlan", "PackageRecord", "apply_merge", "counts_text",
           "is_flagged", "plan_details", "plan_merge", "read_package", "record_history",
           "version_hash", "write_package"]

RESOLUTIONS = ("local", "incoming", "both")
COPY_NAMESPACE = _uuid.UUID("6f6c6b1e-2d4b-4a55-9a43-7c1b1c0e3f5a")


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
        """"Package from <author> (<date>): 3 new, … ." (the CLI's first line)."""
        m = self.package.manifest
        return f"Package from {m.author} ({m.created_at}): {counts_text(self)}"

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
        missing = sorted(p for p in record_plans(inc) if p not in mapping)
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
            conflicts.append(_conflict(mine, value, reason, author_of(mine, hist),
                                       pkg.updated_by or inc.created_by or
                                       package.manifest.author, tag_names))
        items.append(MergeItem(inc.uuid, inc.KIND, action, reason, title, inc, mine, value))
    _second_verdicts(records, items, conflicts, list(local.values()), history, tag_names)
    return MergePlan(package=package, plans=matches, items=tuple(items),
                     conflicts=tuple(conflicts), orphans=tuple(orphans),
                     base_revision=records.store.revision())


def _second_verdicts(records: Records, items: list[MergeItem], conflicts: list[Conflict],
                     local: list[Record], history: Mapping[str, History],
                     tag_names: Mapping[str, str]) -> None:
    """An added link that would be a second live verdict here: skip or conflict (see 5.)."""
    after = {i.uuid: i.value for i in items if i.action == "fast_forward" and i.value}
    adds = [n for n, i in enumerate(items) if i.action == "add" and isinstance(i.value, Link)]
    found = twins(local, after, [items[n].value for n in adds], records.effective.key_of)
    for n, (twin, same) in ((n, f) for n, f in zip(adds, found, strict=True) if f):
        item = items[n]
        if same:
            items[n] = replace(item, action="skip", local=twin,
                               reason=f"the same verdict is already here ({twin.uuid[:8]})")
            continue
        who = getattr(item.incoming, "confirmed_by", "") or item.incoming.created_by or "them"
        c = _conflict(twin, item.value, TWO_VERDICTS, author_of(twin, history.get(twin.uuid)),
                      who, tag_names)  # type: ignore[arg-type]
        conflicts.append(replace(c, uuid=item.uuid, title=f"Two verdicts: {item.title}"))
        items[n] = replace(item, action="conflict", reason=TWO_VERDICTS, local=twin)


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
        """What the merge did, in words: the one text the CLI prints and the dialog shows."""
        c = self.counts
        if self.change is None and not self.pending_file:
            return "Nothing to merge: this library already has everything in the package."
        merged = (f"{c.get('add', 0)} added, {c.get('fast_forward', 0)} updated, "
                  f"{c.get('kept_local', 0)} kept mine, {c.get('took_incoming', 0)} took "
                  f"theirs, {c.get('kept_both', 0)} kept both, {c.get('skip', 0)} unchanged, "
                  f"{c.get('pending', 0)} pending, {len(self.orphans)} orphaned.")
        text = f"Backed up, merged: {merged}" if self.backup else f"Merged: {merged}"
        if self.backup:
            text += f"\nBackup: {self.backup}"
        if self.pending_file:
            text += f"\nRecords for plans not in this library were kept in {self.pending_file}"
        if self.flagged:
            text += (f"\n{len(self.flagged)} record(s) are flagged “{MERGE_FLAG.lstrip('⚑ ')}” "
                     "for review.")
        return text


_CHANGES = {"add": "New", "fast_forward": "Updated to their newer edit"}


def plan_details(plan: MergePlan) -> list[str]:
    """What a planned merge does beyond the counts, one line each: plans not in this library
    or in another document version, pending records, records that could not be re-anchored,
    then each record it adds or updates (so a person sees which verdicts arrive or change).
    The CLI prints them under the summary; the merge dialog lists them."""
    lines = []
    for m in plan.plans:
        if m.local_slug is None:
            lines.append(f"Plan “{m.title}” ({m.package_slug}) is not in this library: its "
                         "records are kept aside as pending.")
        elif not m.same_version:
            lines.append(f"Plan {m.package_slug} → {m.local_slug}: another version of the "
                         "document; records are re-anchored.")
    lines += [f"Pending: {item.title} ({item.reason})" for item in plan.pending]
    lines += [f"Could not be re-anchored (kept as orphan): {title}"
              for _uuid, title in plan.orphans]
    return lines + [f"{change_word(i.action, i.local, i.incoming, _CHANGES)}: {i.title}"
                    for i in plan.items if i.action in _CHANGES]


def counts_text(plan: MergePlan) -> str:
    """What a planned merge will do: "3 new, 1 updated, … could not be re-anchored."."""
    c = plan.counts
    parts = [f"{c['add']} new", f"{c['fast_forward']} updated", f"{c['skip']} unchanged",
             f"{c['conflict']} conflict" + ("" if c["conflict"] == 1 else "s"),
             f"{c['pending']} for plans not in this library",
             f"{len(plan.orphans)} could not be re-anchored"]
    return ", ".join(parts) + "."


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
        if conflict.reason == TWO_VERDICTS:
            assert isinstance(mine, Link) and isinstance(theirs, Link)
            now_mine, now_theirs, won = _settle(mine, theirs, choice, conflict.local.author,
                                                conflict.incoming.author)
            if won:
                put(mine, now_mine, {h_loc}, set(), conflict.local.author)
            put(None, now_theirs, set(revs[item.uuid]) | {h_inc}, set(),  # see merge_verdicts
                conflict.incoming.author)
            flagged.append(now_mine.uuid if won else now_theirs.uuid)
            counts["took_incoming" if won else "kept_local"] += 1
        elif choice == "local":
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
