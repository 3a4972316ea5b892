"""Applying a planned merge (``apply_merge``): a verified backup ("before-merge"), then the whole
merge as one transaction with one audit row and one undo entry (``Records.commit_merge``), then
the sidecars; records of plans missing here go to a pending file. Conflicts resolve to
``local``, ``incoming`` or ``both`` as ``workbench.merge``'s docstring says (``both`` keeps the
older version as a copy under ``copy_uuid``). Qt-free; emits nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid as _uuid
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.errors import InvalidInput
from workbench.files import write_json_atomic
from workbench.merge_package import History, record_history, version_hash
from workbench.merge_values import Conflict, MergePlan, MergeReport
from workbench.merge_verdicts import TWO_VERDICTS
from workbench.merge_verdicts import flag as _flag
from workbench.merge_verdicts import settle_verdicts as _settle
from workbench.records import Link, Record
from workbench.review import MERGE_CHANGED, Records

__all__ = ["COPY_NAMESPACE", "apply_merge", "copy_uuid"]

COPY_NAMESPACE = _uuid.UUID("6f6c6b1e-2d4b-4a55-9a43-7c1b1c0e3f5a")


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
