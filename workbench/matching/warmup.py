"""Embed every plan's passages ahead of use, so that the first review, suggestion, compare or
lineage thread of a plan pair reads its sentence vectors instead of computing them.

A sentence encoder costs seconds per plan the first time (``minilm``: a few thousand tokens a
second); the vectors then live in the library's ``cache/vectors`` (``vectors.VectorCache``),
derived data that any process reuses. The window runs ``warm`` on a background thread of its own
after a library opens and after an import (``ui/warmup.py``), never on the database thread, so
saving an annotation never queues behind it; the test suite warms its sample library once.

Two steps, because only the first needs the database: ``plan_texts`` (database thread, fast)
collects the passage texts; ``warm`` (any thread) embeds those that have no vector yet, in
chunks, reporting progress and stopping between chunks when cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.matching.align import section_text
from workbench.matching.engine import meaning_model
from workbench.matching.service import passages_of

if TYPE_CHECKING:
    from workbench.review import Records
    from workbench.tasks import TaskState

CHUNK = 32
"""Texts embedded between two cancellation checks (about a third of a second with MiniLM), so
closing the window or switching libraries never waits long for a warm-up to stop."""


def warmable() -> bool:
    """Whether the engine's meaning model keeps per-text vectors that a warm-up can prepare
    (not when it is switched off, missing, or pools token vectors per plan like WordLlama)."""
    return getattr(meaning_model(None), "cache", None) is not None


def plan_texts(recs: Records, slugs: Iterable[str] | None = None) -> dict[str, list[str]]:
    """What the meaning model reads of each plan, by plan slug: every passage (the engine's
    candidates and sources) and every section (the compare view's alignment)."""
    known = [p.slug for p in recs.store.plans()]
    chosen = known if slugs is None else [slug for slug in dict.fromkeys(slugs) if slug in known]
    return {slug: [p.text for p in passages_of(recs, slug)]
            + [section_text(s) for s in recs.effective_sections(slug)] for slug in chosen}


def warm(texts: Mapping[str, Sequence[str]], folder: Path | None,
         state: TaskState | None = None) -> int:
    """Embed the texts that have no vector yet; return how many were embedded.

    Nothing to do (0) when the meaning signal is off, or is a model that pools token vectors per
    plan (WordLlama's ``SifSpace``, which has no per-text vectors to keep). Raises ``Cancelled``
    between chunks once ``state`` asks to stop; the chunks done so far stay in the cache.
    """
    model: Any = meaning_model(folder)
    cache = getattr(model, "cache", None)
    if cache is None:
        return 0
    # missing from this library's folder: what the process embedded for another library is
    # written to it by ``vectors`` without running the model again
    todo = cache.missing([t for plan in texts.values() for t in plan])
    for start in range(0, len(todo), CHUNK):
        if state is not None:
            state.raise_if_cancelled()
            state.report(start / len(todo),
                         f"Preparing suggestions: {start} of {len(todo)} passages")
        cache.vectors(todo[start:start + CHUNK])
    if state is not None:
        state.report(1.0, "Suggestions ready")
    return len(todo)
