"""The values a merge is described by: the ``MergePlan`` a conflict-review screen shows (plans
matched, each record's action, the conflicts with their two ``Version``s side by side), the
``MergeReport`` of a finished merge, and the one text that says what a planned or finished merge
does (``MergePlan.summary``, ``counts_text``, ``plan_details``, ``MergeReport.summary``), used by
the CLI and the merge dialog alike. Frozen; Qt-free; emits nothing. The rules that fill them are
``workbench.merge`` (its docstring), ``merge_planner`` and ``merge_apply``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.merge_package import Package
from workbench.merge_verdicts import MERGE_FLAG, change_word
from workbench.records import Change, Record

__all__ = ["RESOLUTIONS", "Conflict", "FieldDiff", "MergeItem", "MergePlan", "MergeReport",
           "PlanMatch", "Version", "counts_text", "plan_details"]

RESOLUTIONS = ("local", "incoming", "both")


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
