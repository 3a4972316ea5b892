"""Use cases of the matching engine over a library: a plan's passages, its index, a comparison.

Reads through ``Records`` (effective commitments, sections with the user's heading fixes, page
texts, confirmed links), so the compare view, ``workbench compare`` and the suggester see the same
passages. Indexes are cached by content (``engine.index_for``), so a plan edited by a correction
is re-indexed and an unchanged one is not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.library import LibraryPaths
from workbench.links import is_verdict
from workbench.matching.align import Comparison, compare_plans
from workbench.matching.engine import PlanIndex, index_for
from workbench.matching.passages import Passage, plan_passages
from workbench.records import EffectiveCommitment

if TYPE_CHECKING:
    from workbench.lineage import Suggestion
    from workbench.review import Records


_PASSAGES: OrderedDict[tuple[str, str, int], list[Passage]] = OrderedDict()
_LOCK = threading.Lock()


def passages_of(recs: Records, slug: str) -> list[Passage]:
    """A plan's passages (commitments, then sentences), cached per library revision: any
    correction or import bumps the revision, so a changed plan is split again."""
    key = (recs.store.library_id(), slug, recs.store.revision())
    with _LOCK:
        if key in _PASSAGES:
            _PASSAGES.move_to_end(key)
            return _PASSAGES[key]
    plan = recs.store.plan(slug)
    pages = recs.store.page_texts(plan.document_id) if plan.document_id is not None else []
    found = plan_passages(slug, recs.effective_commitments(slug), recs.effective_sections(slug),
                          pages)
    with _LOCK:
        _PASSAGES[key] = found
        while len(_PASSAGES) > 16:
            _PASSAGES.popitem(last=False)
    return found


def vector_folder(store: Any) -> Path | None:
    """Where a library remembers its sentence vectors: ``cache/vectors`` beside its database
    (``LibraryPaths``), so ``workbench suggest``/``compare``, the review tab and the lineage
    thread embed a plan once, not in every process. None for a store with no file (memory)."""
    path = getattr(store, "path", None)
    if path is None or str(path) in ("", ":memory:"):
        return None
    return LibraryPaths(Path(path).parent).cache / "vectors"


def plan_index(recs: Records, slug: str) -> PlanIndex:
    return index_for(passages_of(recs, slug), plan=slug, folder=vector_folder(recs.store))


def compare(recs: Records, earlier: str, later: str) -> Comparison:
    """Sections of ``earlier`` aligned with ``later``, passage pairs inside, confirmed links
    taking the place of the engine's proposals."""
    right = plan_index(recs, later)
    confirmed, linked = [], []
    for link in recs.links(earlier):
        if link.state != "confirmed" or link.to_plan != later or not link.targets:
            continue
        src, tgt = recs.key_of(link.source), recs.key_of(link.targets[0])
        if src and tgt:  # a confirmed "unreviewed" link places the pair but is no verdict
            (confirmed if is_verdict(link) else linked).append((src, tgt, link.relation))
    return compare_plans(recs.effective_sections(earlier), recs.effective_sections(later),
                         passages_of(recs, earlier), right, confirmed=confirmed, linked=linked)


def proposed_next(recs: Records, key: str) -> Suggestion | None:
    """The lineage thread's open end: for the commitment ``key``, the engine's suggestion in the
    next plan when no link to that plan exists yet (None when there is no later plan or the
    step is already recorded). The same candidates and reasons the review tab shows."""
    source = recs.commitment(key)
    later = recs.next_plan(source.plan)
    if later is None or recs.links_from(source.key, later):
        return None
    return recs.suggester(later).suggest(source, 3)


def selected_passage(plan: str, text: str) -> EffectiveCommitment:
    """Any text a person selected in ``plan``, as a source the suggester accepts."""
    return EffectiveCommitment(key="text:selected", plan=plan, text=text, page_index=0,
                               page_label="", start=0, end=len(text), section_id=None,
                               heading="")
