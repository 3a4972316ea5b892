"""Lineage threads: a commitment's chain across editions, with each link and latest status.

``Threads.thread(key)`` walks every non-rejected link touching the commitment, then the links
touching those, and so on (the whole connected history, as the lineage panel shows it);
``lineal=True`` walks only backwards through predecessors and forwards through successors, so
two commitments that share a successor keep threads of their own (what a briefing pack shows
under each item). Qt-free; reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.effective import EffectiveCommitments
from workbench.errors import NotFound
from workbench.links import Links
from workbench.plan_index import PlanIndex
from workbench.records import EffectiveCommitment, Link, Ref, StatusAssessment

__all__ = ["Thread", "ThreadEdge", "ThreadNode", "Threads"]


@dataclass(frozen=True, slots=True)
class ThreadNode:
    plan: str
    plan_title: str
    published: str
    stage: str
    not_adopted: bool  # a draft that was never adopted
    key: str | None  # None: an orphaned passage that no longer binds to a commitment
    text: str
    page_label: str
    status: StatusAssessment | None


@dataclass(frozen=True, slots=True)
class ThreadEdge:
    link: Link
    source_key: str | None
    target_keys: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Thread:
    """A commitment's whole chain across editions: nodes in plan order, and the links."""

    origin: str
    nodes: tuple[ThreadNode, ...]
    edges: tuple[ThreadEdge, ...]

    def into(self) -> dict[str, tuple[ThreadEdge, ...]]:
        """{step key: the links into it}, the link from the origin's own line first (its
        ancestors and descendants), then those of other commitments linked to the same
        successor. Who recorded a step and why come from these edges, one per link (qa13b:
        a map of one link per step credited another commitment's officer and rationale)."""
        line = self.own_line()
        out: dict[str, list[ThreadEdge]] = {}
        for e in self.edges:
            for k in dict.fromkeys(e.target_keys):
                if k:
                    out.setdefault(k, []).append(e)
        return {k: tuple(sorted(es, key=lambda e: e.source_key not in line))
                for k, es in out.items()}

    def own_line(self) -> set[str]:
        """The origin and its ancestors and descendants by links: the steps a reader takes
        as this commitment's own; any other source in the thread is another commitment
        linked to one of its successors, and is named where its links are shown."""
        line = {self.origin}
        for forward in (True, False):
            reach, grew = {self.origin}, True
            while grew:
                grew = False
                for e in self.edges:
                    ends = ([k for k in e.target_keys if k] if forward
                            else [e.source_key] if e.source_key else [])
                    start = e.source_key in reach if forward else \
                        any(k in reach for k in e.target_keys)
                    if start and not set(ends) <= reach:
                        reach |= set(ends)
                        grew = True
            line |= reach
        return line


class Threads:
    """Lineage threads of one library."""

    def __init__(self, plans: PlanIndex, effective: EffectiveCommitments, links: Links) -> None:
        self.plans = plans
        self.effective = effective
        self.links = links

    def thread(self, key: str | int, *, lineal: bool = False) -> Thread:
        """A commitment's chain across every edition: predecessors and successors, with the
        relation of each link and the latest delivery status at each step.

        Args:
            key: the commitment.
            lineal: only its ancestors and descendants (not the other predecessors of a
                successor it shares, nor their histories).
        """
        key_of = self.effective.key_of
        origin = self.effective.bind(self.effective.ref_for(key))
        if origin is None:
            raise NotFound(f"Commitment {key} no longer binds to a commitment.")
        edges_of = [ThreadEdge(link, key_of(link.source), tuple(key_of(t) for t in link.targets))
                    for link in self.links.links() if link.state != "rejected"]
        nodes: dict[str, EffectiveCommitment] = {origin.key: origin}
        edges: dict[str, ThreadEdge] = {}
        # (key, direction): +1 follows successors, -1 predecessors, 0 both (the whole history)
        todo = [(origin.key, 0)] if not lineal else [(origin.key, 1), (origin.key, -1)]
        while todo:
            current, direction = todo.pop()
            for edge in edges_of:
                forward = edge.source_key == current and direction >= 0
                backward = current in edge.target_keys and direction <= 0
                if not (forward or backward) or (direction == 0 and edge.link.uuid in edges):
                    continue
                edges[edge.link.uuid] = edge
                ends: list[tuple[Ref, str | None]] = []
                if direction == 0 or backward:
                    ends.append((edge.link.source, edge.source_key))
                if direction == 0 or forward:
                    ends += zip(edge.link.targets, edge.target_keys, strict=True)
                for ref, k in ends:
                    if k and k not in nodes:
                        found = self.effective.bind(ref)
                        if found:
                            nodes[k] = found
                            todo.append((k, direction))
        ordered = sorted(nodes.values(), key=lambda e: (self.plans.sort_key(e.plan),
                                                        e.page_index, e.start))
        out_nodes = []
        for e in ordered:
            plan = self.plans.plan(e.plan)
            out_nodes.append(ThreadNode(
                plan=e.plan, plan_title=plan.meta.title, published=plan.meta.published,
                stage=plan.meta.stage, not_adopted=self.plans.not_adopted(plan), key=e.key,
                text=e.text, page_label=e.page_label,
                status=self.links.current_status(e.key),
            ))
        return Thread(origin=origin.key, nodes=tuple(out_nodes), edges=tuple(edges.values()))
