"""Plan alignment is Qt-free: greedy one-to-one pairs above a threshold, same kind only."""

from __future__ import annotations

from ui.ops.compare import AlignItem, align, default_pair
from workbench.model import DocumentId, Plan, PlanId, PlanMeta


def item(kind: str, n: int, heading: str, text: str) -> AlignItem:
    return AlignItem(kind, n, heading, text, 0, "1")


def test_align_pairs_similar_items_one_to_one():
    left = [
        item("section", 1, "Adult social care", "Support adults to live independently at home."),
        item("section", 2, "Highways", "Repair potholes and resurface roads across the county."),
        item("commitment", 3, "Adult social care", "We will embrace technology in assessments."),
        item("section", 4, "Libraries", "Keep every library open with longer hours."),
    ]
    right = [
        item("section", 10, "Roads", "Repair potholes and resurface the county's roads quickly."),
        item("section", 11, "Adult social care", "Help adults live independently at home longer."),
        item("commitment", 12, "Social care", "We will embrace AI and digital tools in assessments."),
        item("section", 13, "Net zero", "Scrap the 2030 target."),
    ]
    pairs, only_left, only_right = align(left, right)
    matched = {(left[i].item_id, right[j].item_id) for i, j, _ in pairs}
    assert (1, 11) in matched and (2, 10) in matched and (3, 12) in matched
    assert [left[i].item_id for i in only_left] == [4]
    assert [right[j].item_id for j in only_right] == [13]
    assert len({j for _, j, _ in pairs}) == len(pairs)  # one-to-one


def test_default_pair_prefers_the_superseded_plan():
    def plan(n: int, slug: str, published: str, supersedes: str = "") -> Plan:
        return Plan(PlanId(n), slug, PlanMeta(title=slug, published=published,
                                              supersedes=supersedes), 1, 1, 1, DocumentId(n))

    plans = [plan(1, "a", "2011"), plan(2, "b", "2020", "a"), plan(3, "c", "2025", "b")]
    assert default_pair(plans) == ("b", "c")
    assert default_pair(plans, "b") == ("a", "b")
    assert default_pair(plans[:1]) is None
