"""``workbench.pack_builder`` on a real lineage: the sample library, linked through ``Records``.

The lineage is what a scrutiny officer would record: the 2020 draft five-year plan's net zero
commitment strengthened in Framing Kent's Future, then reversed by Reforming Kent ("Scrap
unattainable Net Zero 2030…"), with a rationale, evidence, a status, a tagged note, and one
commitment dropped with no successor.
"""

from __future__ import annotations

import shutil

import pytest

from tests.composition import close_workbench, open_workbench, records_for
from workbench.errors import InvalidInput, NotFound
from workbench.pack import PackSelection
from workbench.pack_builder import NO_SUCCESSOR, build_pack
from workbench.pack_export import search_fn
from workbench.pack_manifest import diff_packs, manifest_of
from workbench.pack_select import resolve_item_key, select_items, stable_keys
from workbench.records import EffectiveCommitment

FYP, F, R = "kent-five-year-plan-2020-draft", "framing-kents-future-2022", "reforming-kent-2025"
PATHWAYS = "1. Set detailed emission reduction pathways to Net Zero by 2050"
NET_ZERO_2050 = "Our commitment is to work towards Kent being Net Zero by 2050"
SCRAP = "6. Scrap unattainable Net Zero 2030"
LOOSE = "57 out of 81 seats"  # from the foreword: context, not a commitment
RESCIND = "We will rescind the County Councils Climate Emergency"


def key_of(recs, plan: str, start: str) -> str:
    return next(c.key for c in recs.effective_commitments(plan) if c.text.startswith(start))


@pytest.fixture
def lineage(sample_library_master, tmp_path):
    root = tmp_path / "library"
    shutil.copytree(sample_library_master, root)
    wb = open_workbench(root, actor="alice")
    recs = records_for(wb, "alice")
    keys = {
        "pathways": key_of(recs, F, PATHWAYS),
        "net_zero_2050": key_of(recs, F, NET_ZERO_2050),
        "scrap": key_of(recs, R, SCRAP),
        "rescind": key_of(recs, R, RESCIND),
        "fyp": next(c.key for c in recs.effective_commitments(FYP)
                    if "net zero" in c.text.casefold()),
    }
    recs.link(keys["fyp"], [keys["pathways"]], relation="strengthened", confirm=True)
    recs.link(keys["pathways"], [keys["scrap"]], relation="reversed", confirm=True,
              rationale="Reforming Kent scraps the 2030 target outright.",
              evidence=[recs.ref_for(keys["rescind"])])
    recs.link(keys["net_zero_2050"], [], relation="dropped", to_plan=R, confirm=True,
              rationale="Reforming Kent says nothing about 2050.")
    recs.assess(keys["pathways"], "on_track", "2024-03", rationale="Emissions down 60 %.")
    recs.assess(keys["pathways"], "superseded", "2025-09", rationale="Target scrapped.")
    tag, _ = recs.ensure_tag("Climate / Net Zero")
    climate = recs.tag_named("Climate")
    note = recs.annotate_commitment(keys["pathways"], note="Ask which baseline now applies.",
                                    tags=[tag.uuid]).value
    page, start = _outside_commitments(recs, R, LOOSE)  # a highlight outside every commitment
    loose = recs.annotate(R, page, start, start + len(LOOSE),
                          note="The 2019 declaration.", tags=[climate.uuid]).value
    yield wb, recs, keys, note, loose
    close_workbench(wb)


def build(wb, recs, **selection):
    return build_pack(recs, wb.store, PackSelection(**selection), as_at="2025-09-30",
                      search=search_fn(wb), version="test")


def item_for(pack, start: str):
    return next(i for i in pack.items if i.quote.startswith(start))


def test_plan_pair_fills_every_field(lineage):
    wb, recs, keys, note, _loose = lineage
    pack = build(wb, recs, from_plan=F, to_plan=R)
    assert len(pack.items) == len(recs.effective_commitments(F))  # every commitment of F
    item = item_for(pack, PATHWAYS)
    assert item.key.startswith(f"commitment:{F}:") and "c:" not in item.key
    assert item.heading.startswith("Set detailed emission reduction pathways")
    assert item.citation.text() == "Framing Kent's Future · Priority 3: Environmental step " \
                                   "change · p. 19"
    assert [(s.plan_title, s.relation, s.confirmed) for s in item.lineage] == [
        ("KCC 5 Year Plan (‘Kent’s Future – Our Priority’)", "first appears", None),  # no verdict
        ("Framing Kent's Future", "strengthened", True),
        ("Reforming Kent 2025-2028", "reversed", True),
    ]
    assert "never adopted" in item.lineage[0].stage
    assert item.lineage[2].text.startswith(SCRAP) and item.lineage[2].citation.page_label
    assert [(s.status, s.as_at, s.by) for s in item.statuses] == [
        ("On track", "2024-03", "alice"), ("Superseded", "2025-09", "alice")]
    assert item.evidence and item.evidence[0].quote.startswith(RESCIND)
    assert item.evidence[0].citation.plan_title == "Reforming Kent 2025-2028"
    assert item.notes == note.note
    assert item.rationale == "Reforming Kent scraps the 2030 target outright."
    assert item.tags == ("Climate / Net Zero",)
    assert item.annotator == "alice"
    assert item.relation == "reversed" and item.successor.startswith(SCRAP)
    dropped = item_for(pack, NET_ZERO_2050)
    assert dropped.relation.startswith("dropped") and not dropped.successor
    assert dropped.lineage[-1].text == NO_SUCCESSOR
    assert dropped.lineage[-1].plan_title == "Reforming Kent 2025-2028"
    assert [c for label, c in pack.colophon() if label == "Library revision"] == [
        str(wb.store.revision())]
    assert pack.app_version == "test" and pack.as_at == pack.date == "2025-09-30"


def _outside_commitments(recs, plan: str, phrase: str) -> tuple[int, int]:
    """The first place ``phrase`` stands in ``plan`` outside every commitment unit."""
    units = recs.effective_commitments(plan)
    for index, page_text in enumerate(recs.pages(plan).texts):
        text = page_text.casefold()
        at = text.find(phrase)
        while at >= 0:
            end = at + len(phrase)
            if not any(c.page_index == index and c.start < end and at < c.end for c in units):
                return index, at
            at = text.find(phrase, at + 1)
    raise AssertionError(f"{phrase!r} stands only inside commitments of {plan}")


def test_relation_into_a_plan_selects_exactly_the_reversals(lineage):
    wb, recs, _keys, _note, _loose = lineage
    pack = build(wb, recs, relation="reversed", to_plan=R)
    assert [i.quote[:len(PATHWAYS)] for i in pack.items] == [PATHWAYS]
    assert build(wb, recs, relation="Reversed", to_plan=F).items == ()  # into F: none
    strengthened = build(wb, recs, relation="strengthened")
    assert [i.citation.plan_title for i in strengthened.items] == [
        "KCC 5 Year Plan (‘Kent’s Future – Our Priority’)"]
    linked_into_r = build(wb, recs, to_plan=R)
    assert {i.quote[:20] for i in linked_into_r.items} == {PATHWAYS[:20], NET_ZERO_2050[:20]}


def test_status_tag_search_and_their_combination(lineage):
    wb, recs, _keys, note, loose = lineage
    assert [i.quote[:len(PATHWAYS)] for i in build(wb, recs, status="superseded").items] == [
        PATHWAYS]
    assert build(wb, recs, status="on_track").items == ()  # only the current status counts
    climate = build(wb, recs, tag="Climate")  # a parent tag includes its children
    assert [i.key for i in climate.items] == [
        item_for(climate, PATHWAYS).key, f"annotation:{loose.uuid}"]
    loose_item = climate.items[1]
    assert loose_item.quote.casefold() == LOOSE
    assert loose_item.citation.plan_title == "Reforming Kent 2025-2028"
    assert loose_item.citation.page_label and loose_item.notes == "The 2019 declaration."
    assert [i.key for i in build(wb, recs, tag="climate / net zero").items] == [
        item_for(climate, PATHWAYS).key]
    searched = build(wb, recs, search="net zero", from_plan=F)
    assert PATHWAYS in [i.quote[:len(PATHWAYS)] for i in searched.items]
    assert all(i.citation.plan_title == "Framing Kent's Future" for i in searched.items)
    assert build(wb, recs, search="net zero", from_plan=F, relation="reversed",
                 status="superseded", tag="Climate").items[0].notes == note.note
    with pytest.raises(InvalidInput, match="No tag"):
        build(wb, recs, tag="Highways")
    with pytest.raises(NotFound):
        build(wb, recs, from_plan="nope")


def test_basket_in_plan_order_and_keys_resolve(lineage):
    wb, recs, keys, note, loose = lineage
    scrap = resolve_item_key(recs, keys["scrap"])
    basket = (scrap, resolve_item_key(recs, loose.uuid), resolve_item_key(recs, note.uuid))
    assert basket[1] == f"annotation:{loose.uuid}"
    assert basket[2] == resolve_item_key(recs, keys["pathways"])  # its note's commitment
    pack = build(wb, recs, basket=basket)
    assert [i.key for i in pack.items][0] == basket[2]  # plan chronology: F before R
    assert {i.key for i in pack.items[1:]} == {scrap, basket[1]}
    pages = [int(i.citation.page_label) for i in pack.items[1:]]
    assert pages == sorted(pages)  # then document order
    picked = select_items(recs, wb.store, PackSelection(basket=basket, from_plan=R))
    assert {s.key for s in picked} == {scrap, basket[1]}


def test_same_selection_same_pack_and_changes_since(lineage):
    wb, recs, keys, note, _loose = lineage
    first = build(wb, recs, from_plan=F, to_plan=R)
    again = build(wb, recs, from_plan=F, to_plan=R)
    assert first == again
    old = manifest_of(first.sanitised())
    assert diff_packs(old, again) == (
        f"No changes since the pack of library revision {first.library_revision}.",)
    recs.edit_annotation(note.uuid, note="The baseline is now 2019.")
    changed = diff_packs(old, build(wb, recs, from_plan=F, to_plan=R))
    assert len(changed) == 1 and changed[0].startswith("Changed: Set detailed emission")


def test_stable_keys_ignore_row_ids_and_number_repeats():
    def ec(key: str, text: str) -> EffectiveCommitment:
        return EffectiveCommitment(key=key, plan="p", text=text, page_index=0, page_label="1",
                                   start=0, end=1, section_id=None, heading="")

    before = stable_keys("p", [ec("c:1", "We will  act."), ec("c:2", "We will act."),
                               ec("c:3", "Other")])
    after = stable_keys("p", [ec("c:91", "We will act."), ec("m:x", "We will act."),
                              ec("c:93", "Other")])
    assert list(before.values()) == list(after.values())  # a re-import renumbers rows only
    assert list(before.values())[1].endswith("~2")


def test_a_quoted_search_keeps_only_commitments_holding_the_phrase(lineage):
    wb, recs, *_ = lineage
    quoted = build(wb, recs, search='"climate emergency"')  # hits sections as well
    loose = build(wb, recs, search="climate emergency")
    assert quoted.items, "the sample plans hold the phrase"
    assert all("climate emergency" in " ".join(i.quote.casefold().split())
               for i in quoted.items)
    # unquoted, a section hit still brings all its commitments, phrase or not
    assert len(loose.items) > len(quoted.items)
    assert {i.key for i in quoted.items} <= {i.key for i in loose.items}
