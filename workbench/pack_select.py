"""Which commitments and annotations a briefing pack holds: a ``PackSelection`` applied to the
library.

``select_items(records, store, selection, search=)`` returns ``Selected`` items in plan
chronology, then document order (cheap enough for a live preview).

Selection semantics (every criterion given must hold: they combine with AND):

* ``from_plan``: the effective commitments of that plan (the user's corrections applied).
* ``to_plan``: the links considered are those *into* that plan. Without ``from_plan`` the items
  are the commitments that have a (non-rejected) link into it, from any earlier plan.
* ``relation``: items with a non-rejected link of that relation (into ``to_plan`` if given),
  e.g. ``relation=reversed, to_plan=council-plan-2025`` = "all reversals in the 2025 plan".
* ``status``: items whose current (newest as-at) delivery status is that status.
* ``tag``: commitments carrying an annotation tagged with the tag or one of its descendants,
  and tagged annotations that do not sit on a commitment (these become annotation items).
* ``search``: commitments among the search hits; a section hit contributes its commitments,
  and for a query with quoted phrases only those of them whose own text holds every phrase
  (the search itself matches a quoted phrase only in a passage's own text).
* ``basket``: exactly these items (stable item keys, commitment keys or annotation uuids).
* ``with_verdict``: only commitments with a confirmed link (an officer's verdict, not
  "unreviewed"), into ``to_plan`` if given; annotation items have no verdict and go.

Item keys are **stable across re-import**: ``commitment:<plan slug>:<digest of the normalised
wording>`` (``~2``, ``~3`` for repeated wordings in one plan) and ``annotation:<uuid>``; never
integer row ids, so "changes since the last pack" compares like with like.

``PackLibrary`` holds the per-build caches (plans in order, commitments, keys, records grouped
by commitment) that ``workbench.pack_builder`` fills the items from. Qt-free; reads only
through ``Records`` and the ``Store`` port. Emits nothing; progress and cancellation go through
a ``TaskState``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from workbench.errors import InvalidInput, NotFound
from workbench.lineage import RELATIONS, STATUSES
from workbench.links import is_verdict
from workbench.model import Kind, Plan, SearchHit, Section
from workbench.pack import Citation, PackSelection
from workbench.ports import Store
from workbench.records import Annotation, EffectiveCommitment, Link, Ref, StatusAssessment, Tag
from workbench.review import Records
from workbench.section_names import section_label
from workbench.tasks import TaskState
from workbench.text import fold, words

__all__ = ["PackLibrary", "SearchFn", "Selected", "code_of", "relation_code", "resolve_item_key",
           "select_in", "select_items", "stable_keys", "status_code"]

_DIGEST_CHARS = 12

SearchFn = Callable[[str], Iterable[SearchHit]]
"""Runs a query and returns its hits (``Workbench.search`` with a large limit)."""


@dataclass(frozen=True, slots=True)
class Selected:
    """One item a selection picked: a commitment, or an annotation not on a commitment."""

    key: str  # stable item key (see the module docstring)
    plan: str
    commitment: EffectiveCommitment | None = None
    annotation: Annotation | None = None

    @property
    def text(self) -> str:
        if self.commitment is not None:
            return self.commitment.text
        return self.annotation.anchor.exact if self.annotation else ""

    @property
    def page_label(self) -> str:
        if self.commitment is not None:
            return self.commitment.page_label
        return self.annotation.anchor.page_label if self.annotation else ""


# -- stable keys -----------------------------------------------------------------------------


def _digest(text: str) -> str:
    flat = " ".join(text.split()).casefold()
    return hashlib.sha256(flat.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]


def stable_keys(plan: str, commitments: Sequence[EffectiveCommitment]) -> dict[str, str]:
    """{Records key: stable item key} for one plan's effective commitments (in reading order)."""
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for c in commitments:
        digest = _digest(c.text)
        seen[digest] = seen.get(digest, 0) + 1
        suffix = f"~{seen[digest]}" if seen[digest] > 1 else ""
        out[c.key] = f"commitment:{plan}:{digest}{suffix}"
    return out


class PackLibrary:
    """Per-build caches over ``Records``: plans in order, commitments, keys, records by key."""

    def __init__(self, records: Records, store: Store) -> None:
        self.records = records
        self.store = store
        plans = store.plans()
        self.plans: dict[str, Plan] = {p.slug: p for p in plans}
        self.order = sorted(self.plans, key=self._plan_sort_key)
        self._commitments: dict[str, list[EffectiveCommitment]] = {}
        self._stable: dict[str, dict[str, str]] = {}
        self._sections: dict[str, list[Section]] = {}
        self._annotations: list[Annotation] | None = None
        self._statuses: dict[str, list[StatusAssessment]] | None = None
        self._links: list[Link] | None = None
        self._links_by_key: dict[str, list[Link]] = {}  # source commitment key -> its links

    def _plan_sort_key(self, slug: str) -> tuple[str, str, int]:
        meta = self.plans[slug].meta
        return (meta.published or meta.period_start or "9999", meta.period_start,
                int(self.plans[slug].id))

    def rank(self, slug: str) -> int:
        return self.order.index(slug) if slug in self.order else len(self.order)

    def plan(self, slug: str) -> Plan:
        if slug not in self.plans:
            raise NotFound(f"No plan called {slug!r}; `workbench plans` lists them.")
        return self.plans[slug]

    def commitments(self, slug: str) -> list[EffectiveCommitment]:
        if slug not in self._commitments:
            self._commitments[slug] = list(self.records.effective_commitments(slug))
            self._stable[slug] = stable_keys(slug, self._commitments[slug])
        return self._commitments[slug]

    def stable(self, c: EffectiveCommitment) -> str:
        self.commitments(c.plan)
        return self._stable[c.plan][c.key]

    def by_key(self, key: str) -> EffectiveCommitment | None:
        """The effective commitment of a Records key ("c:12", "m:<uuid>"), if it binds."""
        try:
            return self.records.commitment(key)
        except (NotFound, InvalidInput):
            return None

    def bind(self, ref: Ref) -> EffectiveCommitment | None:
        if ref.plan not in self.plans:
            return None
        return self.records.bind(ref)

    def sections(self, slug: str) -> list[Section]:
        if slug not in self._sections:
            self._sections[slug] = sorted(self.records.effective_sections(slug),
                                          key=lambda s: s.ordinal)
        return self._sections[slug]

    def section_name(self, plan: str, section_id: int | None, heading: str = "") -> str:
        """The section as a citation names it, unambiguous where the plan repeats a heading
        (``workbench.section_names``, the rule search citations follow); else ``heading``."""
        if plan not in self.plans or section_id is None:
            return heading
        sections = self.sections(plan)
        at = next((i for i, s in enumerate(sections) if s.id == section_id), None)
        if at is None:
            return heading
        return section_label([s.path for s in sections], at) or heading

    def heading_at(self, ref: Ref) -> str:
        """The section of an anchored passage, named unambiguously: its commitment's section,
        else the last section starting on or before its page."""
        found = self.bind(ref)
        if found is not None:
            return self.section_name(found.plan, found.section_id, found.heading)
        if ref.plan not in self.plans:
            return ""
        started = [s for s in self.sections(ref.plan) if s.page_start <= ref.anchor.page_index]
        return self.section_name(ref.plan, started[-1].id, started[-1].heading) if started \
            else ""

    def citation(self, ref: Ref) -> Citation:
        title = self.plans[ref.plan].title if ref.plan in self.plans else ref.plan
        return Citation(title, self.heading_at(ref), ref.anchor.page_label)

    # -- records, grouped by commitment key --

    def annotations(self) -> list[Annotation]:
        if self._annotations is None:
            self._annotations = [a for a in self.records.annotations()
                                 if a.plan in self.plans and not a.anchor.orphaned]
        return self._annotations

    def annotations_on(self, key: str) -> list[Annotation]:
        return [a for a in self.annotations() if self.annotation_key(a) == key]

    def annotation_key(self, a: Annotation) -> str | None:
        return self.records.key_of(Ref(a.plan, a.anchor))

    def statuses(self, key: str) -> list[StatusAssessment]:
        if self._statuses is None:
            grouped: dict[str, list[StatusAssessment]] = {}
            for s in self.records.rs.records("status"):
                if not isinstance(s, StatusAssessment) or s.subject.plan not in self.plans:
                    continue
                k = self.records.key_of(s.subject)
                if k:
                    grouped.setdefault(k, []).append(s)
            for history in grouped.values():
                history.sort(key=lambda s: (s.as_at, s.created_at))
            self._statuses = grouped
        return self._statuses.get(key, [])

    def links(self) -> list[Link]:
        """The live links from the library's plans; also indexes them by source commitment
        once (``key_of`` binds a passage by reading its plan: per row it took seconds on a
        library, on the database thread; review, round 12)."""
        if self._links is None:
            links = [link for link in self.records.links()
                     if link.state != "rejected" and link.source.plan in self.plans]
            by_key: dict[str, list[Link]] = {}
            for link in links:
                key = self.records.key_of(link.source)
                if key:
                    by_key.setdefault(key, []).append(link)
            for found in by_key.values():
                found.sort(key=lambda link: (self.rank(link.to_plan), link.created_at))
            self._links, self._links_by_key = links, by_key
        return self._links

    def links_from(self, key: str, to_plan: str = "") -> list[Link]:
        """The commitment's links (into ``to_plan`` if given), the nearest later plan first."""
        self.links()
        return [link for link in self._links_by_key.get(key, ())
                if not to_plan or link.to_plan == to_plan]

    def verdict(self, key: str, to_plan: str = "", *, relation: str = "") -> Link | None:
        """The link a pack shows as the item's relation to the next edition: the first verdict
        (``is_verdict``; into ``to_plan`` if given), else the first confirmed link (marked
        "unreviewed"), else the first proposal; None when none. With ``relation`` (a code:
        the pack was chosen by it) the links of that relation are asked first, so an item
        picked for its "reversed" link into one plan does not show its "continued" verdict
        into another (review, round 12)."""
        links = self.links_from(key, to_plan)
        links = [link for link in links if link.relation == relation] or links
        return next((link for link in links if is_verdict(link)),
                    next((link for link in links if link.state == "confirmed"),
                         links[0] if links else None))

    def has_verdict(self, key: str, to_plan: str = "", *, relation: str = "") -> bool:
        """Whether an officer confirmed a verdict on the commitment (into ``to_plan`` if
        given; of ``relation``, a code, if given: the one link must satisfy both, review r12);
        a proposal, or a link marked "unreviewed", is no verdict."""
        return any(is_verdict(link) and (not relation or link.relation == relation)
                   for link in self.links_from(key, to_plan))

    def linked_keys(self) -> set[str]:
        keys: set[str] = set()
        for link in self.links():
            for ref in (link.source, *link.targets):
                k = self.records.key_of(ref)
                if k:
                    keys.add(k)
        return keys


# -- selection -------------------------------------------------------------------------------


def code_of(value: str, vocabulary: dict[str, str]) -> str | None:
    """A relation or status code from its code or label, case- and spacing-insensitively."""
    wanted = re.sub(r"[\s-]+", "_", value.strip().casefold())
    for code, label in vocabulary.items():
        if wanted in (code, re.sub(r"[\s-]+", "_", label.casefold())):
            return code
    return None


def relation_code(selection: PackSelection) -> str:
    """The relation code a selection picks by ("" when none): what ``verdict`` asks first."""
    return _code(selection.relation, RELATIONS, "relation") if selection.relation else ""


def status_code(selection: PackSelection) -> str:
    """The delivery-status code a selection picks by ("" when none).

    Raises:
        InvalidInput: an unknown status.
    """
    return _code(selection.status, STATUSES, "status") if selection.status else ""


def _code(value: str, vocabulary: dict[str, str], what: str) -> str:
    """``code_of``, refusing an unknown value."""
    code = code_of(value, vocabulary)
    if code is not None:
        return code
    raise InvalidInput(f"Unknown {what} {value!r}; use one of: {', '.join(vocabulary)}.")


def resolve_item_key(records: Records, text: str) -> str:
    """A stable item key for a basket entry given as a stable key, a commitment id ("12",
    "c:12", "m:<uuid>") or an annotation uuid (an annotation on a commitment gives the
    commitment's key: its item shows the note).

    Raises:
        InvalidInput: not a recognisable key.
        NotFound: no such commitment or annotation.
    """
    text = text.strip()
    if text.startswith(("commitment:", "annotation:")):
        return text
    if len(text) == 36 and text.count("-") == 4:
        record = records.rs.get("annotation", text)
        if isinstance(record, Annotation) and not record.deleted_at:
            bound = records.key_of(Ref(record.plan, record.anchor))
            if bound is None:
                return f"annotation:{text}"
            text = bound  # a note on a commitment: the pack shows the commitment, with it
    found = records.commitment(text)
    return stable_keys(found.plan, records.effective_commitments(found.plan))[found.key]


def named_tag(records: Records, name: str) -> Tag:
    """The tag a selection's ``--tag`` names.

    Raises:
        InvalidInput: no tag has that name.
    """
    tag = records.tag_named(name)
    if tag is None:
        raise InvalidInput(f"No tag called {name!r}; `workbench tags` lists them.")
    return tag


def _tag_uuids(lib: PackLibrary, name: str) -> set[str]:
    """Every live tag ``name`` names, and their descendants. A library merge matches tags by
    UUID, so a colleague's "Climate" arrives beside ours: both are meant, or their annotations
    would be silently missing from the pack. A full path ("Climate / Net Zero") names the tags
    at that path; a bare name that is no tag's path names every tag so called."""
    named_tag(lib.records, name)  # refuses a name no tag has
    tags = lib.records.tags()
    text = " / ".join(p.strip() for p in name.split("/")).casefold()
    wanted = {t.uuid for t in tags if lib.records.tag_path(t).casefold() == text} \
        or {t.uuid for t in tags if t.name.casefold() == text}
    grew = True
    while grew:  # descendants
        more = {t.uuid for t in tags if t.parent in wanted} - wanted
        wanted |= more
        grew = bool(more)
    return wanted


def select_items(
    records: Records,
    store: Store,
    selection: PackSelection,
    *,
    search: SearchFn | None = None,
    state: TaskState | None = None,
) -> list[Selected]:
    """The items ``selection`` picks, in plan chronology then document order.

    Raises:
        NotFound: an unknown plan, or a basket commitment that no longer exists.
        InvalidInput: an unknown relation, status or tag; a search with no search function.
    """
    return select_in(PackLibrary(records, store), selection, search, state or TaskState())


def select_in(lib: PackLibrary, selection: PackSelection, search: SearchFn | None,
              state: TaskState) -> list[Selected]:
    """``select_items`` over an existing ``PackLibrary`` (the builder reuses its caches)."""
    for slug in (selection.from_plan, selection.to_plan):
        if slug:
            lib.plan(slug)
    relation = relation_code(selection)
    status = status_code(selection)
    plans = _candidate_plans(lib, selection)
    candidates: list[Selected] = []
    for n, slug in enumerate(plans):
        state.raise_if_cancelled()
        state.report(0.3 * n / max(1, len(plans)), f"Reading {lib.plans[slug].title}")
        candidates += [Selected(lib.stable(c), slug, commitment=c)
                       for c in lib.commitments(slug)]
    candidates = _filtered(lib, candidates, selection, relation, status, search)
    loose: list[Selected] = []
    if selection.tag:  # commitments with tagged annotations, plus tagged loose annotations
        narrowed = bool(relation or status or selection.search
                        or (selection.to_plan and not selection.from_plan))
        tagged_keys, loose = _tagged(lib, selection.tag, plans, narrowed)
        candidates = [s for s in candidates if s.commitment.key in tagged_keys]
    items = candidates + loose
    if selection.basket:
        items = _in_basket(lib, items, selection, plans,
                           only=bool(selection.tag or relation or status or selection.search))
    if selection.with_verdict:
        items = [s for s in items if s.commitment is not None
                 and lib.has_verdict(s.commitment.key, selection.to_plan, relation=relation)]
    return _ordered(lib, items)


def _candidate_plans(lib: PackLibrary, selection: PackSelection) -> list[str]:
    """The plans whose commitments may be picked: ``from_plan``, else the plans linked into
    ``to_plan``, else every plan (in chronology)."""
    if selection.from_plan:
        return [selection.from_plan]
    if selection.to_plan:
        sources = {link.source.plan for link in lib.links() if link.to_plan == selection.to_plan}
        return [p for p in lib.order if p in sources]
    return list(lib.order)


def _filtered(lib: PackLibrary, candidates: list[Selected], selection: PackSelection,
              relation: str, status: str, search: SearchFn | None) -> list[Selected]:
    """The candidates that pass the link, relation, status and search criteria."""
    to_plan = selection.to_plan
    if to_plan and not selection.from_plan:
        candidates = [s for s in candidates if lib.links_from(s.commitment.key, to_plan)]
    if relation:
        candidates = [s for s in candidates
                      if any(link.relation == relation
                             for link in lib.links_from(s.commitment.key, to_plan))]
    if status:
        def current(s: Selected) -> str:
            history = lib.statuses(s.commitment.key)
            return history[-1].status if history else ""
        candidates = [s for s in candidates if current(s) == status]
    if selection.search:
        candidates = _searched(lib, candidates, selection.search, search)
    return candidates


def _tagged(lib: PackLibrary, tag: str, plans: list[str],
            narrowed: bool) -> tuple[set[str], list[Selected]]:
    """Keys of commitments carrying an annotation with the tag (or one under it), and the
    tagged annotations on no commitment (unless other criteria narrowed the pack)."""
    wanted = _tag_uuids(lib, tag)
    keys: set[str] = set()
    loose: list[Selected] = []
    for a in lib.annotations():
        if not wanted & set(a.tags):
            continue
        key = lib.annotation_key(a)
        if key:
            keys.add(key)
        elif a.plan in plans and not narrowed:
            loose.append(Selected(f"annotation:{a.uuid}", a.plan, annotation=a))
    return keys, loose


def _in_basket(lib: PackLibrary, items: list[Selected], selection: PackSelection,
               plans: list[str], *, only: bool) -> list[Selected]:
    """The items in the basket; unless other criteria ``only`` narrow the pack, basket entries
    not among them come in too (an annotation on a commitment brings its commitment)."""
    wanted_keys = {_basket_key(lib, k) for k in selection.basket}
    items = [s for s in items if s.key in wanted_keys]
    if only:
        return items
    known = {s.key for s in items}
    for key in sorted(wanted_keys - known):
        if not key.startswith("annotation:"):
            continue
        record = lib.records.rs.get("annotation", key.partition(":")[2])
        if not isinstance(record, Annotation) or record.deleted_at or record.plan not in plans:
            continue
        bound = lib.annotation_key(record)
        if bound is None:
            items.append(Selected(key, record.plan, annotation=record))
            continue
        c = lib.by_key(bound)
        if c is not None and lib.stable(c) not in known:
            items.append(Selected(lib.stable(c), c.plan, commitment=c))
            known.add(lib.stable(c))
    return items


def _basket_key(lib: PackLibrary, key: str) -> str:
    try:
        return resolve_item_key(lib.records, key)
    except (NotFound, InvalidInput):
        return key  # a stale entry selects nothing rather than failing the whole pack


def _searched(lib: PackLibrary, candidates: list[Selected], query: str,
              search: SearchFn | None) -> list[Selected]:
    if search is None:
        raise InvalidInput("This pack needs a search, but no search index was given.")
    commitment_ids: set[int] = set()
    section_ids: set[int] = set()
    for hit in search(query):
        if hit.kind == Kind.COMMITMENT:
            commitment_ids.add(int(hit.item_id))
        elif hit.kind == Kind.SECTION:
            section_ids.add(int(hit.item_id))
    phrases = [_plain(p) for p in _PHRASE.findall(fold(query))]
    phrases = [p for p in phrases if p]

    def holds_phrases(c: EffectiveCommitment) -> bool:
        return all(f" {p} " in f" {_plain(c.text)} " for p in phrases)

    return [s for s in candidates
            if (s.commitment.commitment_id is not None
                and s.commitment.commitment_id in commitment_ids)
            or (s.commitment.section_id is not None and s.commitment.section_id in section_ids
                and holds_phrases(s.commitment))]


_PHRASE = re.compile(r'"([^"]+)"')  # after ``fold``: typographic double quotes are plain


def _plain(text: str) -> str:
    """The project's words (``workbench.text.words``), one space apart, "2,900" as "2900" (as
    the search index reads numbers): how a phrase and a passage are compared."""
    return " ".join(w.replace(",", "") for w in words(text))


def _ordered(lib: PackLibrary, items: list[Selected]) -> list[Selected]:
    def position(s: Selected) -> tuple[int, int, int, int, str]:
        if s.commitment is not None:
            return (lib.rank(s.plan), s.commitment.page_index, s.commitment.start,
                    s.commitment.end, s.key)
        a = s.annotation.anchor  # type: ignore[union-attr]
        return (lib.rank(s.plan), a.page_index, a.start, a.end, s.key)

    unique: dict[str, Selected] = {}
    for s in items:
        unique.setdefault(s.key, s)
    return sorted(unique.values(), key=position)
