"""A link's earlier verdicts as the CLI's lineage and the window's thread say them."""

from __future__ import annotations

from workbench.anchoring import Anchor
from workbench.lineage import RELATIONS
from workbench.links import earlier_verdicts
from workbench.records import Link, Ref


def ref(plan: str, text: str) -> Ref:
    return Ref(plan, Anchor(text, "", "", 0, "1", 0, len(text), "sha"))


def test_an_earlier_verdict_names_the_successor_it_then_had_only_when_it_moved():
    """Review (round 10): a verdict moved to another passage with the same relation read as an
    identical earlier verdict; the line now names the passage it then pointed to."""
    same = "We will run the lido in Ashford."
    moved = Link("l1", ref("a", "We will open a lido."), "b", "continued",
                 (ref("b", "We will keep the lido open all year."),), "confirmed",
                 history=({"at": "2026-12-07T10:00:00Z", "by": "Alice", "relation": "continued",
                           "state": "confirmed", "rationale": "first look",
                           "targets": [same]},))
    assert earlier_verdicts(moved, RELATIONS) == [
        "Continued (confirmed, by Alice, 2026-12-07T10:00:00Z): first look; "
        f"then to “{same}”"]
    kept = Link("l2", ref("a", "We will open a lido."), "b", "reversed", (ref("b", same),),
                "confirmed", history=({"relation": "scaled_back", "state": "confirmed",
                                       "targets": [same]},))
    assert earlier_verdicts(kept, RELATIONS) == ["Scaled back (confirmed)"]
    dropped = Link("l3", ref("a", "We will open a lido."), "b", "continued", (ref("b", same),),
                   "proposed", history=({"relation": "dropped", "state": "confirmed",
                                         "targets": []},))
    assert earlier_verdicts(dropped, RELATIONS, day=lambda at: at[:10]) == [
        f"{RELATIONS['dropped']} (confirmed); then no successor"]
