"""Plan alignment (issue 13): sections aligned in order by dynamic programming, 1:2 and 2:1
steps, a fallback for reordered plans, and passage pairs from the one matching engine."""

from __future__ import annotations

import numpy as np

from PySide6.QtCore import Qt

from ui.models.compare import ComparePairModel
from ui.ops.compare import alignment_from, default_pair
from workbench.matching import PlanIndex, plan_passages
from workbench.matching.align import (
    align_sections,
    compare_plans,
    is_contents_line,
    pair_units,
    section_similarity,
)
from workbench.model import DocumentId, Plan, PlanId, PlanMeta, Section, SectionId
from workbench.records import EffectiveCommitment


def section(n: int, heading: str, text: str, ordinal: int | None = None) -> Section:
    return Section(SectionId(n), DocumentId(1), n if ordinal is None else ordinal, heading, 1,
                   (heading,), n, n, str(n + 1), str(n + 1), text)


EARLIER = [
    section(1, "Plan for the Shire 2020", "Plan for the Shire 2020 to 2024, a county council plan."),
    section(2, "Foreword", "A message from the leader of the council about the next four years."),
    section(3, "Roads", "We will repair potholes and resurface roads across the whole county."),
    section(4, "Libraries", "We will keep every library open with longer opening hours."),
    section(5, "Climate", "We will reach net zero carbon emissions by 2030 and plant trees."),
]
LATER = [
    section(11, "Shire Plan 2025", "Shire Plan 2025 to 2028, the county council's new plan."),
    section(12, "Foreword by the Leader", "The leader of the council introduces the new plan."),
    section(13, "Climate and environment", "We will scrap the net zero carbon emissions target "
                                           "of 2030 and stop tree planting."),
    section(14, "Highways", "Potholes repaired faster and roads resurfaced across the county."),
    section(15, "Libraries and archives", "Every library stays open, with longer opening hours "
                                          "on Saturdays."),
]


def test_title_with_title_foreword_with_foreword_and_order_kept():
    sim = section_similarity(EARLIER, LATER)
    pairs = align_sections(sim)
    matched = {(ls, rs) for ls, rs, _, _ in pairs if ls and rs}
    assert ((0,), (0,)) in matched  # title page with title page
    assert ((1,), (1,)) in matched  # foreword with foreword
    assert ((2,), (3,)) in matched and ((3,), (4,)) in matched
    in_order = [(ls, rs) for ls, rs, _, moved in pairs if ls and rs and not moved]
    assert [rs for _, rs in in_order] == sorted(rs for _, rs in in_order)


def test_reordered_section_is_paired_by_the_fallback():
    """Climate moved from last to third: the in-order alignment cannot take it, the fallback
    pairs it as moved instead of listing it on both sides as unmatched."""
    pairs = align_sections(section_similarity(EARLIER, LATER))
    moved = [(ls, rs) for ls, rs, _, mv in pairs if mv]
    assert moved == [((4,), (2,))]
    assert not [p for p in pairs if p[0] == () and p[1] == (2,)]  # not "only in later" too


def test_one_section_split_into_two_is_a_one_to_two_step():
    sim = np.array([[0.9, 0.0, 0.0],
                    [0.0, 0.7, 0.6],
                    [0.0, 0.0, 0.1]])
    pairs = align_sections(sim)
    assert ((1,), (1, 2)) in {(ls, rs) for ls, rs, _, _ in pairs}
    two_to_one = align_sections(sim.T)
    assert ((1, 2), (1,)) in {(ls, rs) for ls, rs, _, _ in two_to_one}


def test_weak_pairs_are_not_forced():
    sim = np.array([[0.05, 0.02], [0.01, 0.04]])
    pairs = align_sections(sim)
    assert all(not (ls and rs) for ls, rs, _, _ in pairs)
    assert {ls for ls, _, _, _ in pairs if ls} == {(0,), (1,)}


def _commitment(key: str, plan: str, text: str, sec: Section) -> EffectiveCommitment:
    return EffectiveCommitment(key=key, plan=plan, text=text, page_index=sec.page_start,
                               page_label=sec.label_start, start=0, end=len(text),
                               section_id=int(sec.id), heading=sec.heading, path=sec.path)


def test_compare_pairs_commitments_inside_aligned_sections_and_lists_the_rest():
    left = plan_passages("a", [
        _commitment("c:1", "a", "We will reach net zero carbon emissions by 2030.", EARLIER[4]),
        _commitment("c:2", "a", "We will keep every library open with longer hours.", EARLIER[3]),
        _commitment("c:3", "a", "We will build a new concert hall for the county.", EARLIER[2]),
    ])
    right = PlanIndex(plan_passages("b", [
        _commitment("c:11", "b", "We will scrap the net zero carbon emissions target of 2030.",
                    LATER[2]),
        _commitment("c:12", "b", "Every library stays open with longer hours.", LATER[4]),
        _commitment("c:13", "b", "Introduce a new parking permit scheme.", LATER[3]),
    ]))
    result = compare_plans(EARLIER, LATER, left, right, confirmed=[("c:2", "c:12", "continued")])
    pairs = {(p.left.key, p.right.key): p for sp in result.sections for p in sp.passages}
    assert pairs[("c:1", "c:11")].relation == "reversed"
    assert pairs[("c:2", "c:12")].confirmed
    assert [p.key for p in result.only_left] == ["c:3"]
    assert [p.key for p in result.only_right] == ["c:13"]
    plan = Plan(PlanId(1), "a", PlanMeta(title="A"), 1, 1, 1, DocumentId(1))
    view = alignment_from(plan, plan, result)
    assert [(p.left.item_id, p.right.item_id) for p in view.links] == [("c:2", "c:12")]
    assert [i.item_id for i in view.only_left] == ["c:3"]


def test_default_pair_prefers_the_superseded_plan():
    def plan(n: int, slug: str, published: str, supersedes: str = "") -> Plan:
        return Plan(PlanId(n), slug, PlanMeta(title=slug, published=published,
                                              supersedes=supersedes), 1, 1, 1, DocumentId(n))

    plans = [plan(1, "a", "2011"), plan(2, "b", "2020", "a"), plan(3, "c", "2025", "b")]
    assert default_pair(plans) == ("b", "c")
    assert default_pair(plans, "b") == ("a", "b")
    assert default_pair(plans[:1]) is None


def test_compare_rows_mark_confirmed_links_and_give_the_reasons(qapp):
    left = plan_passages("a", [
        _commitment("c:1", "a", "We will reach net zero carbon emissions by 2030.", EARLIER[4]),
        _commitment("c:2", "a", "We will keep every library open with longer hours.", EARLIER[3]),
    ])
    right = PlanIndex(plan_passages("b", [
        _commitment("c:11", "b", "We will scrap the net zero carbon emissions target of 2030.",
                    LATER[2]),
        _commitment("c:12", "b", "Every library stays open with longer hours.", LATER[4]),
    ]))
    result = compare_plans(EARLIER, LATER, left, right, confirmed=[("c:2", "c:12", "continued")])
    plan = Plan(PlanId(1), "a", PlanMeta(title="A"), 1, 1, 1, DocumentId(1))
    model = ComparePairModel()
    model.set_alignment(alignment_from(plan, plan, result))
    rows = {model.pair(r).left.item_id: r for r in range(model.rowCount())
            if model.pair(r).left.kind != "section"}
    confirmed = model.index(rows["c:2"], 2)
    assert model.data(confirmed).endswith("✓")
    assert "Confirmed link" in model.data(confirmed, Qt.ItemDataRole.ToolTipRole)
    proposed = model.index(rows["c:1"], 2)
    tip = model.data(proposed, Qt.ItemDataRole.ToolTipRole)
    assert "Proposed: reversed" in tip and "reversal cue" in tip


def _long(topic: str, n: int) -> str:
    return " ".join(f"Sentence {k} says the council will act on {topic} {k}." for k in range(n))


def test_long_sections_are_cut_into_parts_and_paired_part_with_part():
    """A 480-word section faces its counterpart part by part (cut between sentences): each
    side of every pair stays under 300 words, and the part about roads faces the part about
    roads although the later plan put it second."""
    left = [section(1, "Title", "Shire Plan 2020"),
            section(2, "Our services",
                    _long("potholes roads", 22) + "\n" + _long("libraries books", 22))]
    right = [section(11, "Title", "Shire Plan 2025"),
             section(12, "Services",
                     _long("libraries books", 22) + "\n" + _long("potholes roads", 22))]
    result = compare_plans(left, right, [], PlanIndex([]))
    sides = [(sp.left[0], sp.right[0]) for sp in result.sections if sp.left and sp.right]
    assert all(len(f"{u.heading} {u.text}".split()) <= 300 for pair in sides for u in pair)
    assert {u.parts for pair in sides for u in pair if u.id not in (1, 11)} == {2}
    roads = [(a, b) for a, b in sides if a.id == 2 and "potholes" in a.text]
    assert roads and all("potholes" in b.text and "libraries" not in b.text for _, b in roads)
    assert (left[0].id, right[0].id) in {(a.id, b.id) for a, b in sides}  # title with title


def test_a_reordered_plan_pairs_every_part_with_its_counterpart():
    result = compare_plans(EARLIER, LATER, [], PlanIndex([]))
    pairs = {(sp.left[0].id, sp.right[0].id) for sp in result.sections if sp.left and sp.right}
    assert {(1, 11), (2, 12), (3, 14), (4, 15), (5, 13)} <= pairs


def test_contents_page_entries_are_not_statements():
    assert is_contents_line("Priority 2: Homes for families\t20\nPriority 3: Roads 24")
    assert is_contents_line("Foreword 3 Introduction 5 Our priorities 7")
    assert not is_contents_line("We will build 20 new schools by 2025.")
    assert not is_contents_line("Increase recycling rates to 50")
    assert not is_contents_line("Deliver the 5 Year Plan for the county")


def test_a_contents_entry_is_never_paired():
    toc = section(6, "Contents", "Foreword 2\nClimate 5")
    left = plan_passages("a", [
        _commitment("c:1", "a", "Foreword 2 Climate and carbon emissions 5", toc),
        _commitment("c:2", "a", "We will reach net zero carbon emissions by 2030.", EARLIER[4]),
    ])
    right = PlanIndex(plan_passages("b", [
        _commitment("c:11", "b", "We will scrap the net zero carbon emissions target of 2030.",
                    LATER[2]),
    ]))
    result = compare_plans([*EARLIER, toc], LATER, left, right)
    paired = {p.left.key for sp in result.sections for p in sp.passages}
    assert paired == {"c:2"}
    assert "c:1" not in {p.key for p in result.only_left}


def test_units_among_each_others_closest_are_paired_too_when_nearly_as_close():
    """A section the later plan split in two: besides each unit's closest counterpart, a pair
    where each is among the other's closest and nearly as similar is shown ("near"); a pair
    far weaker than either side's best is not."""
    sim = np.array([[0.90, 0.80, 0.00],
                    [0.85, 0.95, 0.00],
                    [0.00, 0.30, 0.50]])
    cells = {(i, j): how for i, j, _, how in pair_units(sim)}
    assert cells[(0, 0)] == cells[(1, 1)] == cells[(2, 2)] == "mutual"
    assert cells[(0, 1)] == cells[(1, 0)] == "near"
    assert (2, 1) not in cells  # 0.30 is far below the best of either side
    assert not [c for c in pair_units(sim, near=1) if c[3] == "near"]


def test_a_pair_opened_again_is_not_ranked_again_but_an_edited_plan_is(monkeypatch):
    """The engine ranks a plan pair once; opening it again reuses the rankings (same result),
    and a changed commitment of the earlier plan is ranked afresh."""
    calls = []
    original = PlanIndex.rank_many

    def counting(self, queries, **kw):
        calls.append(len(queries))
        return original(self, queries, **kw)

    monkeypatch.setattr(PlanIndex, "rank_many", counting)
    right = PlanIndex(plan_passages("b", [
        _commitment("c:11", "b", "Every library stays open with longer hours.", LATER[4])]))

    def left(text: str) -> list:
        return plan_passages("a", [_commitment("c:1", "a", text, EARLIER[3])])

    first = compare_plans(EARLIER, LATER, left("We will keep every library open."), right)
    again = compare_plans(EARLIER, LATER, left("We will keep every library open."), right)
    assert calls == [1]
    assert [(p.left.key, p.right.key) for sp in again.sections for p in sp.passages] == \
        [(p.left.key, p.right.key) for sp in first.sections for p in sp.passages]
    compare_plans(EARLIER, LATER, left("We will close every library by 2027."), right)
    assert calls == [1, 1]
