"""Selected items → briefing pack: what each ``PackItem`` shows, and the colophon.

``build_pack(...)`` fills every ``PackItem`` field from the records backend (quote, citation,
the item's own lineage across editions, delivery status history, evidence, notes and
rationales, tags, who annotated, the relation to the next edition and its wording) and the
colophon, with the selection described in words (``describe_selection``). Each text is printed
once where it belongs: a lineage step whose wording is the item's quote or its successor's is
marked ``quoted_above``, and evidence repeating either is left out. Which items go in is
``workbench.pack_select``'s job.

Qt-free; reads only through ``Records`` and the ``Store`` port. Emits nothing; progress and
cancellation go through a ``TaskState``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from workbench.files import app_version
from workbench.lineage import RELATIONS, STATUSES
from workbench.links import is_verdict, verdict_state
from workbench.pack import (
    Citation,
    Evidence,
    LineageStep,
    Pack,
    PackItem,
    PackSelection,
    StatusEntry,
    item_heading,
    quoted,
    quoted_query,
    verdict_label,
)
from workbench.pack_select import PackLibrary, SearchFn, Selected, code_of, relation_code, select_in
from workbench.ports import Store
from workbench.records import Annotation, EffectiveCommitment, Link, Ref
from workbench.review import Records
from workbench.tasks import TaskState

__all__ = ["FIRST_APPEARS", "NO_SUCCESSOR", "build_pack", "describe_selection", "verdict_words"]

FIRST_APPEARS = "first appears"
NO_SUCCESSOR = "No successor passage in this edition."


# -- items -----------------------------------------------------------------------------------


def _relation_label(code: str) -> str:
    return RELATIONS.get(code, code).casefold()


def _status_label(code: str) -> str:
    return STATUSES.get(code, code)


def _stage(lib: PackLibrary, slug: str) -> str:
    plan = lib.plans[slug]
    stage = plan.meta.stage or ""
    if Records.not_adopted(plan):
        return f"{stage or 'draft'}, never adopted"
    return stage


def _lineage(lib: PackLibrary, c: EffectiveCommitment, linked: set[str],
             printed: set[str]) -> tuple[LineageStep, ...]:
    """Every edition of the commitment's own thread (its predecessors and successors, not
    those of commitments it shares a successor with), each with its relation to the one
    before. Steps whose key is in ``printed`` are marked ``quoted_above``."""
    own = LineageStep(
        plan_title=lib.plans[c.plan].title, plan_date=lib.plans[c.plan].meta.published,
        stage=_stage(lib, c.plan), relation=FIRST_APPEARS, text=c.text,
        citation=Citation(lib.plans[c.plan].title,
                          lib.section_name(c.plan, c.section_id, c.heading), c.page_label),
        quoted_above=True, confirmed=None,  # nobody has reviewed it: no verdict to show
    )
    if c.key not in linked:
        return (own,)
    thread = lib.records.thread(c.key, lineal=True)
    incoming: dict[str, Link] = {}
    for edge in thread.edges:
        for k in edge.target_keys:
            if k and (k not in incoming or is_verdict(edge.link)):
                incoming[k] = edge.link
    rows: list[tuple[tuple[int, int, int], LineageStep]] = []
    for node in thread.nodes:
        if node.key is None:
            continue
        found = lib.by_key(node.key)
        link = incoming.get(node.key)
        relation = _relation_label(link.relation) if link else FIRST_APPEARS
        rows.append(((lib.rank(node.plan), found.page_index if found else 0,
                      found.start if found else 0), LineageStep(
            plan_title=node.plan_title, plan_date=node.published,
            stage=_stage(lib, node.plan), relation=relation, text=node.text,
            citation=Citation(node.plan_title, lib.section_name(found.plan, found.section_id,
                                                                found.heading)
                              if found else "", node.page_label),
            confirmed=verdict_state(link),
            quoted_above=node.key in printed,
        )))
    for edge in thread.edges:  # verdicts with no successor passage (dropped, withdrawn, …)
        link = edge.link
        if link.targets or link.relation == "new" or link.to_plan not in lib.plans:
            continue
        title = lib.plans[link.to_plan].title
        rows.append(((lib.rank(link.to_plan), -1, 0), LineageStep(
            plan_title=title, plan_date=lib.plans[link.to_plan].meta.published,
            stage=_stage(lib, link.to_plan), relation=_relation_label(link.relation),
            text=NO_SUCCESSOR, citation=Citation(title),
            confirmed=verdict_state(link),
        )))
    rows.sort(key=lambda row: row[0])
    return tuple(step for _, step in rows) or (own,)


def verdict_words(link: Link | None) -> str:
    """An item's verdict on the next edition in the pack's words, for a one-line list (the
    export preview): "next edition: reversed, ✓ confirmed", "next edition: reversed,
    suggested, not yet confirmed"; "" for no link, or one marked "unreviewed"."""
    confirmed = verdict_state(link)
    if link is None or confirmed is None:
        return ""
    return f"next edition: {_relation_label(link.relation)}, {verdict_label(confirmed)}"


def _names(*groups: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            if name and name != "unknown":
                seen.setdefault(name, None)
    return ", ".join(seen)


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def _evidence(lib: PackLibrary, refs: Iterable[Ref], printed: Iterable[str]) -> tuple[Evidence, ...]:
    """Evidence excerpts, once each, leaving out those that repeat a text already ``printed``
    (the item's quote or its successor's wording)."""
    seen = {_flat(t) for t in printed}
    out: dict[tuple[str, int, str], Evidence] = {}
    for ref in refs:
        if ref.anchor.orphaned or not ref.anchor.exact.strip() or _flat(ref.anchor.exact) in seen:
            continue
        out.setdefault((ref.plan, ref.anchor.page_index, ref.anchor.exact),
                       Evidence(ref.anchor.exact, lib.citation(ref)))
    return tuple(out.values())


def _commitment_item(lib: PackLibrary, c: EffectiveCommitment, to_plan: str,
                     linked: set[str], tag_paths: dict[str, str],
                     relation: str = "") -> PackItem:
    plan = lib.plans[c.plan]
    annotations = lib.annotations_on(c.key)
    statuses = lib.statuses(c.key)
    links = lib.links_from(c.key, to_plan) if c.key in linked else []
    primary = lib.verdict(c.key, to_plan, relation=relation) if links else None
    texts: list[str] = []
    printed = {c.key}
    for ref in primary.targets if primary is not None else ():
        found = lib.bind(ref)
        texts.append(found.text if found else ref.anchor.exact)
        if found is not None:
            printed.add(found.key)
    tags = sorted({tag_paths[t] for a in annotations for t in a.tags if t in tag_paths},
                  key=str.casefold)
    return PackItem(
        key=lib.stable(c),
        heading=item_heading(c.text),
        quote=c.text,
        citation=Citation(plan.title, lib.section_name(c.plan, c.section_id, c.heading),
                          c.page_label),
        lineage=_lineage(lib, c, linked, printed),
        statuses=tuple(StatusEntry(_status_label(s.status), s.as_at, s.rationale, s.created_by)
                       for s in statuses),
        evidence=_evidence(lib, [*(r for s in statuses for r in s.evidence),
                                 *(r for link in links for r in link.evidence)],
                           [c.text, *texts]),
        notes="\n\n".join(a.note.strip() for a in annotations if a.note.strip()),
        rationale="\n\n".join(
            (f"{_relation_label(link.relation).capitalize()} "
             f"({lib.plans[link.to_plan].title if link.to_plan in lib.plans else link.to_plan})"
             f": {link.rationale.strip()}") if len(links) > 1 else link.rationale.strip()
            for link in links if link.rationale.strip()),
        tags=tuple(tags),
        annotator=_names((a.created_by for a in annotations),
                         (link.confirmed_by or link.created_by for link in links)),
        relation=_relation_label(primary.relation) if primary is not None else "",
        successor="\n\n".join(texts),
        relation_confirmed=verdict_state(primary),
    )


def _annotation_item(lib: PackLibrary, a: Annotation, key: str,
                     tag_paths: dict[str, str]) -> PackItem:
    ref = Ref(a.plan, a.anchor)
    return PackItem(
        key=key,
        heading=item_heading(a.note or a.anchor.exact),
        quote=a.anchor.exact,
        citation=lib.citation(ref),
        notes=a.note.strip(),
        tags=tuple(sorted({tag_paths[t] for t in a.tags if t in tag_paths}, key=str.casefold)),
        annotator=_names([a.created_by]),
    )


def build_pack(
    records: Records,
    store: Store,
    selection: PackSelection,
    *,
    title: str = "",
    committee: str = "",
    author: str = "",
    as_at: str = "",
    search: SearchFn | None = None,
    version: str | None = None,
    selected: Sequence[Selected] | None = None,
    state: TaskState | None = None,
) -> Pack:
    """The briefing pack for ``selection``: every item with everything the pack shows.

    The same selection on the same library revision (and the same ``as_at``) gives an equal
    ``Pack``, so the writers produce the same bytes; the cover date is ``as_at`` when given,
    else today.

    Args:
        records: the library's records service.
        store: the library (for the revision in the colophon).
        selection: what goes in.
        title, committee, author: the cover.
        as_at: the "as at" date of the facts (default today).
        search: runs a query (needed when the selection has a search).
        version: the app version for the colophon (default: the installed one).
        selected: items already chosen by ``select_items`` (skips choosing them again).
        state: progress (0–1) and cancellation.

    Raises:
        NotFound, InvalidInput: see ``select_items``.
        workbench.errors.Cancelled: cancelled through ``state``.
    """
    state = state or TaskState()
    lib = PackLibrary(records, store)
    chosen = list(selected) if selected is not None else select_in(lib, selection, search, state)
    linked = lib.linked_keys() if lib.links() else set()
    relation = relation_code(selection)
    tag_paths = {t.uuid: records.tag_path(t) for t in records.tags(include_deleted=True)}
    items: list[PackItem] = []
    for n, s in enumerate(chosen):
        state.raise_if_cancelled()
        state.report(0.3 + 0.7 * n / max(1, len(chosen)), f"Collecting item {n + 1} of "
                                                           f"{len(chosen)}")
        if s.commitment is not None:
            items.append(_commitment_item(lib, s.commitment, selection.to_plan, linked,
                                          tag_paths, relation))
        elif s.annotation is not None:
            items.append(_annotation_item(lib, s.annotation, s.key, tag_paths))
    state.report(1.0, f"Collected {len(items)} item(s)")
    today = dt.date.today().isoformat()
    words = describe_selection(selection, {slug: p.title for slug, p in lib.plans.items()})
    return Pack(
        title=title or f"Briefing pack: {words[0].lower()}{words[1:]}",
        committee=committee,
        author=author,
        date=as_at or today,
        as_at=as_at or today,
        selection=selection,
        library_revision=store.revision(),
        app_version=version if version is not None else app_version(),
        items=tuple(items),
        selection_text=words,
    )


def _label(value: str, vocabulary: dict[str, str]) -> str:
    code = code_of(value, vocabulary)
    return vocabulary.get(code, value) if code else value


def describe_selection(selection: PackSelection, titles: dict[str, str]) -> str:
    """The selection in words a clerk can read and repeat, with plan titles and labels:
    "Commitments of Our County Plan whose link into The Council Plan 2025-2028 is
    “Reversed”". Unknown codes are shown as given."""
    def title(slug: str) -> str:
        return titles.get(slug, slug)

    if selection.basket and not (selection.from_plan or selection.to_plan or selection.tag
                                 or selection.search or selection.relation or selection.status):
        n = len(selection.basket)
        if selection.with_verdict:  # not "The 5 … with a confirmed verdict": not all 5 have
            return f"The hand-picked items of the basket ({n}) that have a confirmed verdict"
        return f"The {n} hand-picked item{'s' if n != 1 else ''} of the basket"
    text = "Commitments"
    verdict_said = False
    if selection.from_plan:
        text += f" of {title(selection.from_plan)}"
    if selection.relation:
        into = f" into {title(selection.to_plan)}" if selection.to_plan else ""
        text += f" whose link{into} is “{_label(selection.relation, RELATIONS)}”"
        if not selection.with_verdict:  # qa13: a proposal of it is picked too; say so
            text += " (an officer's confirmed verdict or only a proposal)"
    elif selection.to_plan and selection.with_verdict:
        text += f" with a confirmed verdict on {title(selection.to_plan)}"
        verdict_said = True
    elif selection.to_plan:
        text += (f" and their links into {title(selection.to_plan)}" if selection.from_plan
                 else f" linked into {title(selection.to_plan)}")
    if not (selection.from_plan or selection.to_plan or selection.relation):
        text += " of every plan in the library"
    clauses = _clauses(selection, verdict=selection.with_verdict and not verdict_said)
    if clauses:
        text += ", " + ", ".join(clauses[:-1]) + (" and " if len(clauses) > 1 else "") + \
            clauses[-1]
    return text


def _clauses(selection: PackSelection, *, verdict: bool) -> list[str]:
    """The narrowing clauses of ``describe_selection`` (status, tag, search, basket, and the
    verdict when ``verdict``), in that order."""
    clauses = []
    if selection.status:
        clauses.append(f"whose current delivery status is “{_label(selection.status, STATUSES)}”")
    if selection.tag:
        clauses.append(f"tagged {quoted(selection.tag)} (or a tag under it)")
    if selection.search:
        found = f"found by the search {quoted_query(selection.search)}"
        if selection.saved_search:
            found += f" (the saved search {quoted(selection.saved_search)})"
        clauses.append(found)
    if selection.basket:
        n = len(selection.basket)
        clauses.append(f"among {n} hand-picked item{'s' if n != 1 else ''}")
    if verdict:
        clauses.append("with a confirmed verdict")
    return clauses
