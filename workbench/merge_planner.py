"""Planning a merge (``plan_merge``): compare a validated package with this library, record by
record, under the rules in ``workbench.merge``'s docstring, and say what each record would
become (add, fast-forward, skip, conflict, pending). Reads only: anchors are placed in memory
through ``Records.refreshed``; ``workbench.merge_apply`` writes. Qt-free; emits nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from workbench.merge_package import (
    History,
    Package,
    author_of,
    record_history,
    record_plans,
    version_hash,
)
from workbench.merge_values import Conflict, FieldDiff, MergeItem, MergePlan, PlanMatch, Version
from workbench.merge_verdicts import TWO_VERDICTS, twins
from workbench.records import (
    Annotation,
    Correction,
    Link,
    Record,
    Ref,
    StatusAssessment,
    Tag,
    anchors_of,
)
from workbench.review import KINDS, Records

__all__ = ["plan_merge", "title_of"]


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
