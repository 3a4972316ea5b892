"""Lineage vocabularies and the successor suggester. Pure; no I/O.

The suggester is a thin face of the one matching engine (``workbench.matching``): for every
commitment of an earlier plan it ranks every passage of a later plan (its commitments first, then
the sentences no commitment covers), fuses explainable signals (BM25, meaning, wording, shared
names and numbers, headings) and proposes a relation from cues on the pair, with the reasons in
words. The review queue, ``workbench suggest``, compare and the lineage thread all use it, so they
show the same candidates and reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.matching import Passage, index_for, plan_passages
from workbench.matching.align import section_affinity
from workbench.matching.engine import Match, Query, Ranking
from workbench.matching.relation import cessation_cues
from workbench.matching.relation import propose as propose_relation
from workbench.model import Section
from workbench.records import EffectiveCommitment
from workbench.text import entities, tokens

if TYPE_CHECKING:
    from workbench.review import Records

__all__ = ["LINK_STATES", "NO_TARGET_RELATIONS", "RATIONALE_REQUIRED", "RELATIONS", "STATUSES",
           "Candidate", "Suggester", "Suggestion", "entities", "propose_relation",
           "reversal_cues", "tokens"]

# -- vocabularies (codes are stable; labels are the defaults a person may edit) -------------

RELATIONS: dict[str, str] = {
    "unreviewed": "Unreviewed",
    "continued": "Continued",
    "strengthened": "Strengthened",
    "modified": "Modified",
    "scaled_back": "Scaled back",
    "merged": "Merged",
    "split": "Split",
    "replaced": "Replaced",
    "reversed": "Reversed",
    "withdrawn": "Withdrawn",
    "dropped": "Dropped (no successor, no statement)",
    "deferred": "Deferred",
    "transferred": "Transferred",
    "delivered": "Delivered",
    "new": "New (later side only)",
}
RATIONALE_REQUIRED = frozenset({"scaled_back", "replaced", "reversed", "withdrawn", "dropped"})
NO_TARGET_RELATIONS = frozenset({"dropped", "withdrawn", "delivered", "unreviewed"})
"""Relations that may have no successor passage."""

STATUSES: dict[str, str] = {
    "not_assessed": "Not assessed",
    "on_track": "On track",
    "at_risk": "At risk",
    "stalled": "Stalled",
    "delivered": "Delivered",
    "partly_delivered": "Partly delivered",
    "not_delivered": "Not delivered",
    "superseded": "Superseded",
}
LINK_STATES = ("proposed", "confirmed", "rejected")



def reversal_cues(text: str) -> list[str]:
    """Cessation and negation cues in ``text`` (see ``workbench.matching.relation``)."""
    return cessation_cues(text)


# -- the suggester --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked successor. ``commitment`` is the passage as the queue shows it: an effective
    commitment, or a sentence of the later plan (key ``p:<plan>:<page>:<start>:<end>``) that is
    marked as a commitment when someone accepts it."""

    commitment: EffectiveCommitment
    score: float
    relation: str
    reasons: tuple[str, ...]
    signals: dict[str, float]

    @property
    def is_sentence(self) -> bool:
        return self.commitment.key.startswith("p:")


@dataclass(frozen=True, slots=True)
class Suggestion:
    source: EffectiveCommitment
    candidates: tuple[Candidate, ...]  # best first
    relation: str  # proposed relation with the best candidate ("dropped" if none is close)
    reasons: tuple[str, ...]
    to_plan: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def _candidate(m: Match) -> Candidate:
    return Candidate(m.passage.as_commitment(), m.score, m.relation, m.reasons, dict(m.signals))


def suggestion_from(source: EffectiveCommitment, ranking: Ranking, to_plan: str,
                    plan_title: str = "") -> Suggestion:
    cands = tuple(_candidate(m) for m in ranking.matches)
    reasons = ranking.reasons
    if ranking.no_successor:
        reasons = (f"no close passage in {plan_title or to_plan}", *ranking.reasons)
    return Suggestion(source, cands, ranking.relation, reasons, to_plan)


class Suggester:
    """Suggests successors in one later plan. The plan's index (words, vectors) is built once and
    cached by content, so a new suggester over an unchanged plan costs nothing."""

    def __init__(
        self,
        candidates: Sequence[EffectiveCommitment],
        plan_title: str = "",
        *,
        sections: Sequence[Section] = (),
        pages: Sequence[tuple[int, str, str]] = (),
        plan: str = "",
        sections_of: Callable[[str], Sequence[Section]] | None = None,
        passages: Sequence[Passage] | None = None,
        vectors: Path | None = None,
    ) -> None:
        """``sections_of(plan)`` gives an earlier plan's sections, so that candidates in the
        sections aligned with the source's own section score higher (the ``section`` signal)."""
        self.plan = plan or (candidates[0].plan if candidates else "")
        self.plan_title = plan_title or self.plan
        self.sections = list(sections)
        self.passages = (list(passages) if passages is not None
                         else plan_passages(self.plan, candidates, sections, pages))
        self.index = index_for(self.passages, plan=self.plan, folder=vectors)
        self._sections_of = sections_of
        self._affinity: dict[str, dict[int, dict[int, float]]] = {}

    def affinity(self, source_plan: str, section_id: int | None) -> dict[int, float] | None:
        """How well each section of the later plan corresponds to ``section_id``."""
        if section_id is None or self._sections_of is None or not self.sections:
            return None
        if source_plan not in self._affinity:
            self._affinity[source_plan] = section_affinity(
                self._sections_of(source_plan), self.sections, self.index.embedder)
        return self._affinity[source_plan].get(int(section_id))

    @classmethod
    def for_plan(cls, recs: Records, plan: str) -> Suggester:
        """The suggester of one plan of a library (its passages cached per revision)."""
        from workbench.matching.service import passages_of, vector_folder

        found = cls([], recs.store.plan(plan).meta.title, plan=plan,
                    sections=recs.effective_sections(plan),
                    sections_of=recs.effective_sections, passages=passages_of(recs, plan),
                    vectors=vector_folder(recs.store))
        return found

    @property
    def candidates(self) -> list[EffectiveCommitment]:
        return [p.as_commitment() for p in self.passages]

    def suggest(self, source: EffectiveCommitment, limit: int = 5) -> Suggestion:
        ranking = self.index.rank(source.text, " ".join(source.path) or source.heading,
                                  limit=limit, exclude=frozenset({source.key}),
                                  sections=self.affinity(source.plan, source.section_id))
        return suggestion_from(source, ranking, self.plan, self.plan_title)

    def suggest_text(self, text: str, heading: str = "", limit: int = 5) -> Ranking:
        """Candidates for any passage a person selected (free text), not only commitments."""
        return self.index.rank(text, heading, limit=limit)

    def suggest_all(
        self, sources: Sequence[EffectiveCommitment], limit: int = 5
    ) -> list[Suggestion]:
        """``suggest`` for a whole plan in one batch (same candidates and reasons)."""
        rankings = self.index.rank_many(
            [Query(s.text, " ".join(s.path) or s.heading,
                   self.affinity(s.plan, s.section_id), frozenset({s.key})) for s in sources],
            limit=limit)
        return [suggestion_from(s, r, self.plan, self.plan_title)
                for s, r in zip(sources, rankings, strict=True)]
