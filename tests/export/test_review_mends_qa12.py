"""Review of qa12's round-12 branch: a pack says "confirmed" of the link it shows, a selection
by relation and verdict asks both of one link, and the preview is cancellable and quick.

Three plans A → B → C, generated: A1 → B1 only proposed "continued" while B1 → C1 is confirmed
"continued"; A2 → B2 confirmed while A2 → C2 (skipping B) is only proposed; A3 → B3 confirmed
"continued" and A3 → C3 only proposed "reversed"; A4 → B4 confirmed but marked "unreviewed",
A4 → C4 confirmed "reversed".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.composition import close_workbench, open_workbench, records_for
from tests.lineage.synth import (
    FIX,
    FIX_NEW,
    RESURFACE,
    RESURFACE_NEW,
    ROADS_NEW,
    ROADS_OLD,
    add_plan,
    add_roads_pair,
)
from workbench.pack import PackSelection
from workbench.pack_builder import build_pack
from workbench.pack_select import select_items

A, B, C = "alpha-2022", "beta-2024", "gamma-2026"
A1 = "We will fix every pothole within 28 days."
A2 = "We will keep every rural bus route running."
B1 = "We will fix every pothole within 21 days."
B2 = "We will run a rural bus pilot."
C1 = "We will fix every pothole within 14 days."
C2 = "We will keep the rural bus pilot."
A3 = "We will open two new libraries by 2024."
B3 = "We will open two new libraries by 2026."
C3 = "We will close the two new libraries."
A4 = "We will switch every street light to LED by 2026."
B4 = "We will switch street lights to LED where funded."
C4 = "We will switch street lights off after midnight."


@pytest.fixture
def three(tmp_path) -> Path:
    root = tmp_path / "library"
    wb = open_workbench(root, actor="clerk")
    try:
        add_plan(wb.store, A, "2022", [("Roads", [A1]), ("Buses", [A2]), ("Libraries", [A3]),
                                       ("Lighting", [A4])])
        add_plan(wb.store, B, "2024", [("Roads", [B1]), ("Buses", [B2]), ("Libraries", [B3]),
                                       ("Lighting", [B4])])
        add_plan(wb.store, C, "2026", [("Roads", [C1]), ("Buses", [C2]), ("Libraries", [C3]),
                                       ("Lighting", [C4])])
        wb.ensure_index_current()
        r = records_for(wb, "clerk")
        k = {c.text: c.key for p in (A, B, C) for c in r.effective_commitments(p)}
        r.link(k[A1], [k[B1]], relation="continued")
        r.link(k[B1], [k[C1]], relation="continued", confirm=True)
        r.link(k[A2], [k[B2]], relation="continued", confirm=True)
        r.link(k[A2], [k[C2]], relation="continued")
        r.link(k[A3], [k[B3]], relation="continued", confirm=True)
        r.link(k[A3], [k[C3]], relation="reversed", rationale="Closed.")
        r.link(k[A4], [k[B4]], relation="unreviewed", confirm=True)
        r.link(k[A4], [k[C4]], relation="reversed", rationale="Switched off.", confirm=True)
    finally:
        close_workbench(wb)
    return root


def pack_of(root: Path, selection: PackSelection):
    wb = open_workbench(root)
    try:
        return build_pack(records_for(wb, "clerk"), wb.store, selection, as_at="2026-05-01")
    finally:
        close_workbench(wb)


def test_confirmed_is_said_of_the_link_shown_not_of_another_step(three):
    """A1 → B1 is only proposed; B1 → C1, confirmed with the same relation, made the A → B
    pack call it confirmed (CSV "yes", no "suggested" mark, the cover "1 continued")."""
    pack = pack_of(three, PackSelection(from_plan=A, to_plan=B))
    said = {i.quote: (i.relation, i.relation_confirmed) for i in pack.items}
    assert said[A1] == ("continued", False) and said[A2] == ("continued", True)
    assert pack.verdict_counts() == \
        "2 continued; 1 proposed, not yet confirmed; 1 with no verdict yet"
    into_c = pack_of(three, PackSelection(from_plan=A, to_plan=C))
    said = {i.quote: (i.relation, i.relation_confirmed) for i in into_c.items}
    assert said[A2] == ("continued", False)  # A2 → B2's verdict is not A2 → C2's


def test_a_pack_hash_leaves_out_the_confirmed_flag(three):
    """Manifests written before the flag existed still compare ("changes since")."""
    import dataclasses
    item = pack_of(three, PackSelection(from_plan=A, to_plan=B)).items[0]
    assert item.content_hash() == dataclasses.replace(item, relation_confirmed=None).content_hash()
    assert item.sanitised() == item


def test_one_rule_says_what_a_verdict_is():
    """Selection, packs, the preview and review coverage each wrote "confirmed and not
    'unreviewed'"; ``is_verdict`` / ``verdict_state`` in workbench.links is now the one place."""
    from workbench.links import is_verdict, verdict_state
    from workbench.records import Link, Ref

    def link(relation: str, state: str) -> Link:
        return Link(uuid="u", source=Ref(A, None), to_plan=B, relation=relation, state=state)

    assert is_verdict(link("continued", "confirmed"))
    assert not is_verdict(link("continued", "proposed"))
    assert not is_verdict(link("unreviewed", "confirmed")) and not is_verdict(None)
    assert verdict_state(link("continued", "confirmed")) is True
    assert verdict_state(link("reversed", "proposed")) is False
    assert verdict_state(link("unreviewed", "confirmed")) is None
    assert verdict_state(link("unreviewed", "proposed")) is None and verdict_state(None) is None


def test_links_are_indexed_once_and_give_what_a_scan_gives(three, monkeypatch):
    """Review, round 12: ``links_from`` bound every link's source (``key_of`` reads a plan)
    on each call, so a preview of 300 rows took seconds on the database thread. The links are
    now indexed by source once per ``PackLibrary``; the answers are those of a full scan."""
    from workbench.links import is_verdict
    from workbench.pack_select import PackLibrary

    wb = open_workbench(three)
    try:
        records = records_for(wb, "clerk")
        lib = PackLibrary(records, wb.store)
        keys = [c.key for p in (A, B, C) for c in records.effective_commitments(p)]
        scan = {(key, to): sorted((link for link in lib.links()
                                   if records.key_of(link.source) == key
                                   and (not to or link.to_plan == to)),
                                  key=lambda link: (lib.rank(link.to_plan), link.created_at))
                for key in keys for to in ("", B, C)}
        calls = []
        bind = records.key_of
        monkeypatch.setattr(records, "key_of", lambda ref: calls.append(ref) or bind(ref))
        fresh = PackLibrary(records, wb.store)
        for (key, to), expected in scan.items():
            assert fresh.links_from(key, to) == expected
            assert fresh.has_verdict(key, to) == any(is_verdict(link) for link in expected)
            fresh.verdict(key, to)
        assert len(calls) == len(fresh.links())  # each link bound once, not once per row
    finally:
        close_workbench(wb)


def texts(root: Path, selection: PackSelection) -> list[str]:
    wb = open_workbench(root)
    try:
        return [s.text for s in select_items(records_for(wb, "clerk"), wb.store, selection)]
    finally:
        close_workbench(wb)


def test_relation_and_verdict_are_asked_of_one_link(three):
    """Review, round 12: without ``--to``, "reversed" matched A3 → C3 (a proposal) and "with a
    verdict" matched A3 → B3 (confirmed "continued"): A3 went in as a confirmed reversal."""
    assert texts(three, PackSelection(relation="reversed", with_verdict=True)) == [A4]
    assert texts(three, PackSelection(relation="reversed")) == [A3, A4]
    assert texts(three, PackSelection(relation="continued", with_verdict=True)) == [A2, A3, B1]


def test_a_verdict_is_shown_before_a_confirmed_unreviewed_link(three):
    """A4 → B4 was confirmed while marked "unreviewed"; A4 → C4 is a confirmed reversal. The
    pack (no ``--to``) showed the nearer, "unreviewed" one: no verdict."""
    pack = pack_of(three, PackSelection(from_plan=A))
    said = {i.quote: (i.relation, i.relation_confirmed) for i in pack.items}
    assert said[A4] == ("reversed", True)


def test_a_confirmed_unreviewed_link_is_no_verdict_in_the_lineage_rows(three):
    """A4 → B4 is confirmed but marked "unreviewed": the lineage table printed it
    "Unreviewed ✓ confirmed" (XLSX "yes") while the same pack's cover counted it as having
    no verdict (second review of round 12)."""
    pack = pack_of(three, PackSelection(from_plan=A, to_plan=B))
    item = next(i for i in pack.items if i.quote == A4)
    into_b = [s for s in item.lineage if s.text == B4]
    assert into_b and into_b[0].confirmed is None
    assert item.relation_confirmed is None


def test_a_proposed_unreviewed_link_is_not_counted_as_a_proposal(tmp_path):
    """``workbench link`` without --confirm records "unreviewed" by default: it proposes no
    relation, so review coverage must not count it as "with a proposal"."""
    wb = open_workbench(tmp_path / "library", actor="clerk")
    try:
        add_roads_pair(wb.store)
        wb.ensure_index_current()
        r = records_for(wb, "clerk")
        k = {c.text: c.key for p in (ROADS_OLD, ROADS_NEW) for c in r.effective_commitments(p)}
        r.link(k[FIX], [k[FIX_NEW]], relation="unreviewed")
        assert r.coverage(ROADS_OLD, ROADS_NEW).proposed == 0
        r.link(k[RESURFACE], [k[RESURFACE_NEW]], relation="continued")
        assert r.coverage(ROADS_OLD, ROADS_NEW).proposed == 1
    finally:
        close_workbench(wb)


def test_a_pack_chosen_by_relation_shows_the_link_of_that_relation(three):
    """A3 → B3 is a confirmed "continued", A3 → C3 a proposed "reversed": a pack of the
    reversals (no To plan) picked A3 for its reversal and then showed "continued ✓" (second
    review of round 12). It shows the reversal it was chosen for, as a proposal."""
    pack = pack_of(three, PackSelection(from_plan=A, relation="reversed"))
    said = {i.quote: (i.relation, i.relation_confirmed) for i in pack.items}
    assert said[A3] == ("reversed", False)
    assert said[A4] == ("reversed", True)
    plain = pack_of(three, PackSelection(from_plan=A))  # no relation asked: the verdict first
    assert {i.quote: i.relation for i in plain.items}[A3] == "continued"
