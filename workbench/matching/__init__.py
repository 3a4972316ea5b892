"""The one matching engine (issue 13): successors, relations and aligned sections.

``passages`` turns a plan into units (commitments, then sentences), ``engine`` ranks a later
plan's units for any source text, ``relation`` labels a pair from cues, ``align`` aligns two
plans' sections and pairs their commitments for compare. Qt-free and I/O-free: callers hand in
the plan's commitments, sections and page texts.
"""

from workbench.matching.engine import Match, PlanIndex, Ranking, index_for
from workbench.matching.passages import Passage, parse_passage_key, plan_passages
from workbench.matching.relation import Proposal, propose

__all__ = ["Match", "Passage", "PlanIndex", "Proposal", "Ranking", "index_for",
           "parse_passage_key", "plan_passages", "propose"]
