"""The review queue: machine suggestions for a plan pair, accepting and rejecting them, review
progress (coverage), the next unreviewed commitment, and what the review screen and the link
dialog show (``review_state``, ``link_choices``).

The suggester is built in ONE place, ``make_suggester``, so the matching engine behind it can be
swapped without touching the queue. Suggesters are cached per later plan and library revision.
Qt-free; reads through the record services; writes (accept/reject) are ``Links.link`` actions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from workbench.corrections import Corrections
from workbench.effective import EffectiveCommitments
from workbench.errors import InvalidInput
from workbench.lineage import Suggester, Suggestion
from workbench.links import Links, is_verdict, verdict_state
from workbench.matching.passages import passage_key
from workbench.plan_index import PlanIndex
from workbench.records import Change, EffectiveCommitment, Link

__all__ = ["Coverage", "LinkChoices", "PlanChoice", "ReviewQueue", "ReviewState",
           "make_suggester"]


class _EngineView:
    """What the matching engine reads of a library: its store and the effective commitments
    and sections (corrections applied)."""

    def __init__(self, plans: PlanIndex, effective: EffectiveCommitments) -> None:
        self.store = plans.store
        self.effective_commitments = effective.effective_commitments
        self.effective_sections = effective.effective_sections


def make_suggester(effective: EffectiveCommitments, plans: PlanIndex, to_plan: str) -> Suggester:
    """The successor suggester over every passage of ``to_plan`` (the one place the matching
    engine is chosen: ``workbench.matching``)."""
    return Suggester.for_plan(_EngineView(plans, effective), to_plan)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Review progress of one earlier plan against one later plan (or all later plans)."""

    from_plan: str
    from_title: str
    to_plan: str | None
    total: int
    confirmed: int
    proposed: int
    unreviewed: tuple[str, ...]  # keys with no confirmed verdict, in reading order
    # keys with no successor passage: those whose verdicts all name none ("dropped"), AND the
    # unreviewed ones no link names a successor for (kept as it was for --json readers; the
    # verdicts alone are ``confirmed_no_successor``)
    no_successor: tuple[str, ...]
    by_relation: dict[str, int]

    @property
    def confirmed_no_successor(self) -> tuple[str, ...]:
        """Keys (in reading order) whose confirmed verdicts name no successor passage: an
        officer ruled it has none, not merely that nobody has reviewed it yet."""
        unreviewed = set(self.unreviewed)
        return tuple(k for k in self.no_successor if k not in unreviewed)

    def summary(self) -> str:
        return (
            f"{self.confirmed} of {self.total} commitments of {self.from_title} have a confirmed "
            f"verdict; {len(self.unreviewed)} unreviewed"
        )


@dataclass(frozen=True, slots=True)
class PlanChoice:
    """A plan as a drop-down offers it."""

    slug: str
    title: str
    published: str
    not_adopted: bool

    @property
    def label(self) -> str:
        year = self.published[:4]
        text = f"{self.title} ({year})" if year else self.title
        return text + (" — draft, never adopted" if self.not_adopted else "")


@dataclass(frozen=True, slots=True)
class ReviewState:
    """What the review screen shows for one commitment of a plan pair."""

    from_plan: str
    to_plan: str
    coverage: Coverage
    current: EffectiveCommitment | None
    suggestion: Suggestion | None
    verdict: Link | None
    position: int  # 0-based, in reading order
    total: int
    no_successor: tuple[EffectiveCommitment, ...]  # confirmed verdicts with no successor


@dataclass(frozen=True, slots=True)
class LinkChoices:
    """What the link dialog offers for one source commitment."""

    source: EffectiveCommitment
    later: tuple[PlanChoice, ...]
    to_plan: str
    commitments: tuple[EffectiveCommitment, ...]  # of to_plan, suggested ones first
    scores: dict[str, tuple[float, str, tuple[str, ...]]]  # key -> (score, relation, reasons)
    existing: Link | None
    existing_targets: tuple[str, ...] = ()  # keys of the existing verdict's successors


class ReviewQueue:
    """Suggestions, verdicts and progress of plan pairs."""

    def __init__(self, plans: PlanIndex, effective: EffectiveCommitments, links: Links,
                 corrections: Corrections) -> None:
        self.plans = plans
        self.effective = effective
        self.links = links
        self.corrections = corrections
        self._suggesters: dict[tuple[str, int], Suggester] = {}

    def suggester(self, to_plan: str) -> Suggester:
        """The later plan's suggester, rebuilt only when the library's revision changes."""
        key = (to_plan, self.plans.store.revision())
        if key not in self._suggesters:
            self._suggesters = {key: make_suggester(self.effective, self.plans, to_plan)}
        return self._suggesters[key]

    def suggest(self, from_plan: str, to_plan: str, *, limit: int = 5) -> list[Suggestion]:
        """Ranked successor candidates in ``to_plan`` for every commitment of ``from_plan``."""
        sources = self.effective.effective_commitments(from_plan)
        return self.suggester(to_plan).suggest_all(sources, limit)

    def accept(self, suggestion: Suggestion, *, candidate: int = 0, relation: str | None = None,
               rationale: str = "") -> Change:
        """Accept (or accept with another relation) a suggestion as a confirmed link."""
        # The machine's reasons are kept as reasons, never written as the officer's rationale:
        # a relation that needs a rationale (dropped, reversed, ...) is refused without one.
        if suggestion.relation == "dropped" and relation in (None, "dropped"):
            return self.links.link(suggestion.source.key, (), relation="dropped",
                                   to_plan=suggestion.to_plan, confirm=True,
                                   rationale=rationale, reasons=suggestion.reasons)
        cand = suggestion.candidates[candidate]
        rel = relation or cand.relation
        targets = () if rel in ("dropped",) else (cand.commitment.key,)
        # a sentence the segmenter did not mark is marked with the link: one verdict, one undo
        return self.links.link(suggestion.source.key, targets, relation=rel,
                               to_plan=suggestion.to_plan, confirm=True,
                               rationale=rationale,
                               confidence=cand.score, reasons=cand.reasons,
                               also=self.corrections.marks_for(targets))

    def reject(self, suggestion: Suggestion, *, candidate: int = 0) -> Change:
        """Reject a suggested pair: kept as a rejected proposal so it is not offered again."""
        if not suggestion.candidates:
            raise InvalidInput("There is no candidate to reject.")
        cand = suggestion.candidates[candidate]
        return self.links.link(suggestion.source.key, (cand.commitment.key,),
                               relation=cand.relation, to_plan=suggestion.to_plan,
                               state="rejected", confidence=cand.score, reasons=cand.reasons)

    def promises(self, plan: str) -> list[EffectiveCommitment]:
        """The plan's own promises in reading order: what the review queue walks and counts."""
        return [c for c in self.effective.effective_commitments(plan) if c.own_promise]

    def coverage(self, from_plan: str, to_plan: str | None = None) -> Coverage:
        """Review progress over the plan's own promises (asks and measures are not counted)."""
        commitments = self.promises(from_plan)
        verdicts: dict[str, list[Link]] = {}
        for link in self.links.links(from_plan):
            if link.source.plan != from_plan or (to_plan and link.to_plan != to_plan):
                continue
            key = self.effective.key_of(link.source)
            if key:
                verdicts.setdefault(key, []).append(link)
        confirmed = proposed = 0
        unreviewed: list[str] = []
        no_successor: list[str] = []
        by_relation: dict[str, int] = {}
        for c in commitments:
            links = verdicts.get(c.key, [])
            sure = [link for link in links if is_verdict(link)]
            if sure:
                confirmed += 1
                for link in sure:
                    by_relation[link.relation] = by_relation.get(link.relation, 0) + 1
                if all(not link.targets for link in sure):
                    no_successor.append(c.key)
            else:
                unreviewed.append(c.key)
                if any(verdict_state(link) is False for link in links):
                    proposed += 1
                if not any(link.targets for link in links):
                    no_successor.append(c.key)
        return Coverage(from_plan=from_plan, from_title=self.plans.plan(from_plan).meta.title,
                        to_plan=to_plan, total=len(commitments), confirmed=confirmed,
                        proposed=proposed, unreviewed=tuple(unreviewed),
                        no_successor=tuple(no_successor), by_relation=by_relation)

    def next_unreviewed(self, from_plan: str, after: str | None = None,
                        to_plan: str | None = None) -> EffectiveCommitment | None:
        """The next commitment (in reading order, after ``after``) without a confirmed verdict."""
        todo = set(self.coverage(from_plan, to_plan).unreviewed)
        commitments = self.promises(from_plan)
        keys = [c.key for c in commitments]
        start = keys.index(after) + 1 if after in keys else 0
        for c in commitments[start:] + commitments[:start]:
            if c.key in todo:
                return c
        return None

    # -- what the review screen and the link dialog show -------------------------------------

    def plan_choices(self) -> list[PlanChoice]:
        """Plans not in the trash, oldest first (the order lineage runs in)."""
        plans = self.plans.store.plans()
        order = sorted(plans, key=lambda p: -len(self.plans.later_plans(p.slug)))
        return [PlanChoice(p.slug, p.meta.title, p.meta.published, self.plans.not_adopted(p))
                for p in order]

    def verdict(self, from_plan: str, to_plan: str, key: str) -> Link | None:
        """The commitment's one verdict (link) about ``to_plan``, rejected ones included."""
        for link in self.links.links(from_plan, include_rejected=True):
            if link.source.plan == from_plan and link.to_plan == to_plan \
                    and self.effective.key_of(link.source) == key:
                return link
        return None

    def suggestion_for(self, source: EffectiveCommitment, to_plan: str,
                       limit: int = 9) -> Suggestion:
        """Ranked candidates, without the one already rejected for this commitment."""
        found = self.suggester(to_plan).suggest(source, limit + 1)
        link = self.verdict(source.plan, to_plan, source.key)
        if link is not None and link.state == "rejected":
            refused = {self.effective.key_of(t) for t in link.targets} | {
                passage_key(t.plan, t.anchor.page_index, t.anchor.start, t.anchor.end)
                for t in link.targets}  # a rejected sentence does not bind to a commitment
            kept = tuple(c for c in found.candidates if c.commitment.key not in refused)
            found = replace(found, candidates=kept)
        return replace(found, candidates=found.candidates[:limit])

    def review_state(self, from_plan: str, to_plan: str, key: str | None = None,
                     move: str = "here") -> ReviewState:
        """The review of ``from_plan`` against ``to_plan`` at ``key`` (``move``: here, next or
        prev: the nearest unreviewed commitment before or after ``key``)."""
        commitments = self.promises(from_plan)
        keys = [c.key for c in commitments]
        cov = self.coverage(from_plan, to_plan)
        current: EffectiveCommitment | None = None
        if move == "prev" and cov.unreviewed:
            todo = set(cov.unreviewed)
            at = keys.index(key) if key in keys else 0
            order = commitments[:at][::-1] + commitments[at + 1 :][::-1]
            current = next((c for c in order if c.key in todo), None)
        elif move == "next" or (move == "here" and key not in keys):
            current = self.next_unreviewed(from_plan, after=key if move == "next" else None,
                                           to_plan=to_plan)
            if current is None and move == "next" and key in keys:
                current = commitments[keys.index(key)]
        else:
            current = commitments[keys.index(key)] if key in keys else None
        if current is None and commitments and move == "here":
            current = commitments[0]
        sugg = self.suggestion_for(current, to_plan) if current is not None else None
        verdict_link = self.verdict(from_plan, to_plan, current.key) if current else None
        ruled_out = set(cov.confirmed_no_successor)
        done_without = [c for c in commitments if c.key in ruled_out]
        return ReviewState(from_plan, to_plan, cov, current, sugg, verdict_link,
                           keys.index(current.key) if current else -1, len(commitments),
                           tuple(done_without))

    def link_choices(self, source_key: str, to_plan: str | None) -> LinkChoices:
        """What the link dialog offers: later plans, ``to_plan``'s commitments (suggested ones
        first, with their scores) and the verdict already recorded.

        Raises:
            InvalidInput: no plan comes after the source's.
        """
        source = self.effective.commitment(source_key)
        later_slugs = self.plans.later_plans(source.plan)
        later = tuple(p for p in self.plan_choices() if p.slug in later_slugs)
        if not later:
            raise InvalidInput(f"No plan comes after {self.plans.plan(source.plan).meta.title}.")
        to_plan = to_plan if to_plan in later_slugs else (
            self.plans.next_plan(source.plan) or later[0].slug)  # an undated plan last
        sugg = self.suggestion_for(source, to_plan, limit=9)
        scores = {c.commitment.key: (c.score, c.relation, c.reasons) for c in sugg.candidates}
        rest = [c for c in self.effective.effective_commitments(to_plan) if c.key not in scores]
        ranked = [c.commitment for c in sugg.candidates] + rest
        existing = self.verdict(source.plan, to_plan, source.key)
        targets = tuple(k for k in (self.effective.key_of(t) for t in existing.targets) if k) \
            if existing is not None else ()
        return LinkChoices(source, later, to_plan, tuple(ranked), scores, existing, targets)
