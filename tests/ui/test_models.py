"""Every model and proxy goes through pytest-qt's model tester, as its data changes."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from ui.models.compare import ComparePairModel, UnmatchedListModel
from ui.models.outline import ItemIdRole, KindRole, OutlineModel
from ui.models.plans import PlanFilterProxy, PlanRole, PlanTableModel, SlugRole
from ui.models.search import HeaderRole, HitRole, HtmlRole, SearchResultModel
from ui.ops.compare import AlignedPair, AlignItem, Alignment
from workbench.model import (
    Commitment,
    CommitmentId,
    DocumentId,
    Plan,
    PlanId,
    PlanMeta,
    SearchHit,
    Section,
    SectionId,
)


def make_plan(n: int, title: str = "", **meta: str) -> Plan:
    return Plan(
        id=PlanId(n), slug=f"plan-{n}",
        meta=PlanMeta(title=title or f"Plan {n}", organisation="Kent County Council",
                      published=f"20{10 + n}", stage="adopted", **meta),
        pages=10 * n, sections=n, commitments=2 * n, document_id=DocumentId(n),
    )


def make_hit(n: int, snippet: str = "the [[climate]] <b>emergency</b>") -> SearchHit:
    return SearchHit(
        key=f"section:{n}", kind="section", item_id=n, plan="plan-1", plan_title="Plan 1",
        plan_date="2011", path=("Environment", "Climate"), page_label=str(n), page_index=n,
        score=1.0, snippet=snippet, text="text",
    )


def test_plan_model_and_proxy_pass_the_model_tester(qtmodeltester):
    model = PlanTableModel()
    proxy = PlanFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    model.set_plans([make_plan(i) for i in range(1, 5)], removed={"plan-2"})
    proxy.set_needle("plan 3")
    assert proxy.rowCount() == 1
    model.update_plan(make_plan(3, "Plan 3 renamed"))
    model.update_plan(make_plan(7))
    model.remove_slug("plan-1")
    proxy.set_needle("")
    proxy.sort(5, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 4
    assert proxy.index(0, 0).data(SlugRole) == "plan-7"  # 70 pages sorts numerically first


def test_plan_model_both_directions():
    """Model to view values, and a filter typed in the view's box to the proxy's rows."""
    model = PlanTableModel()
    proxy = PlanFilterProxy()
    proxy.setSourceModel(model)
    model.set_plans([make_plan(1, "Vision for Kent"), make_plan(2, "Reforming Kent")],
                    removed={"plan-2"})
    assert model.index(1, 0).data() == "Reforming Kent (in trash)"
    assert model.index(0, 5).data() == "10"
    assert model.index(0, 0).data(PlanRole).slug == "plan-1"
    proxy.set_needle("reforming")
    assert [proxy.index(r, 0).data(SlugRole) for r in range(proxy.rowCount())] == ["plan-2"]
    proxy.set_needle("kent 2011")
    assert proxy.rowCount() == 1


def test_outline_model(qtmodeltester):
    model = OutlineModel()
    sections = [
        Section(SectionId(i), DocumentId(1), i, f"Heading {i}", level, (f"Heading {i}",), i, i,
                str(i + 1), str(i + 1), "text")
        for i, level in enumerate([1, 2, 2, 1, 2])
    ]
    commitments = [
        Commitment(CommitmentId(10 + i), DocumentId(1), SectionId(i), i, f"We will do {i}.",
                   i, str(i + 1), 0, 5)
        for i in range(5)
    ]
    model.set_outline(sections, commitments)
    qtmodeltester.check(model)
    assert model.rowCount() == 2  # two top-level sections
    first = model.index(0, 0)
    assert model.rowCount(first) == 3  # its commitment + two subsections
    item = model.item_for("commitment", 12)
    assert item is not None and item.data(KindRole) == "commitment"
    assert item.data(ItemIdRole) == 12
    model.set_outline([], [])
    qtmodeltester.check(model)


def test_outline_says_which_units_are_not_the_councils_own_promise():
    """Asks of others, targets and measures get their own bullet and name their kind."""
    model = OutlineModel()
    section = Section(SectionId(1), DocumentId(1), 0, "Priorities", 1, ("Priorities",), 0, 0,
                      "1", "1", "text")
    texts = {"commitment": "We will open a library.", "ask": "We call on government to pay.",
             "target": "Cut waste by 5% by 2030.", "measure": "Number of library visits."}
    model.set_outline([section], [
        Commitment(CommitmentId(20 + i), DocumentId(1), SectionId(1), i, text, 0, "1", 0, 5,
                   kind=kind) for i, (kind, text) in enumerate(texts.items())])
    shown = {kind: model.item_for("commitment", 20 + i) for i, kind in enumerate(texts)}
    assert shown["commitment"].text().startswith("• ")
    assert len({item.text()[0] for item in shown.values()}) == 4  # four different bullets
    assert "Ask of others" in shown["ask"].toolTip()
    assert "Measure of success" in shown["measure"].toolTip()


def test_search_model(qtmodeltester):
    model = SearchResultModel()
    qtmodeltester.check(model)
    model.set_hits([make_hit(1), make_hit(2)])
    qtmodeltester.check(model)
    html = model.index(0).data(HtmlRole)
    assert "&lt;b&gt;emergency&lt;/b&gt;" in html  # untrusted markup is escaped
    assert ">climate</b>" in html  # the [[ ]] term is highlighted
    assert model.index(1).data(HitRole).item_id == 2
    assert model.data(QModelIndex()) is None


def test_compare_models(qtmodeltester):
    left = AlignItem("section", 1, "Adult social care", "We will care.", 3, "4")
    right = AlignItem("section", 2, "Adult social care", "We will care more.", 5, "6")
    alignment = Alignment(
        make_plan(1), make_plan(2),
        (AlignedPair(left, right, 91.0, "x", 1, 0),),
        (AlignItem("commitment", 3, "Roads", "Fix potholes.", 1, "2"),), (),
    )
    pairs, only = ComparePairModel(), UnmatchedListModel()
    qtmodeltester.check(pairs)
    qtmodeltester.check(only)
    pairs.set_alignment(alignment)
    only.set_items(alignment.only_left)
    qtmodeltester.check(pairs)
    qtmodeltester.check(only)
    assert pairs.index(0, 2).data() == "91%"
    assert pairs.index(0, 3).data() == "+1 / −0 words"
    assert pairs.headerData(0, Qt.Orientation.Horizontal) == "Plan 1"
    assert "Fix potholes" in only.index(0).data()
    pairs.set_alignment(None)
    assert pairs.rowCount() == 0


def test_plan_dates_accept_month_names_and_say_what_is_stored(qtbot):
    from ui.dialogs.plan_edit import PlanEditDialog, parse_partial_date
    from workbench.model import Plan, PlanId, PlanMeta

    cases = {"2026": "2026", "March 2026": "2026-03", "Mar 2026": "2026-03",
             "31 March 2026": "2026-03-31", "March 31, 2026": "2026-03-31",
             "03/2026": "2026-03", "31/03/2026": "2026-03-31", "": "",
             "Marchh 2026": None, "Spring 2026": None, "30 Feb 2026": None, "13/2026": None}
    assert {t: parse_partial_date(t) for t in cases} == cases
    plan = Plan(PlanId(1), "p", PlanMeta(title="P", published="2025"), 1, 0, 0, None)
    dialog = PlanEditDialog(plan, [])
    qtbot.addWidget(dialog)
    dialog.published_edit.setText("March 2026")
    assert dialog.published_edit.text() == "March 2026"  # nothing swallowed while typing
    assert "Published: stored as 2026-03" in dialog.date_hint.text()
    assert dialog.fields() == {"published": "2026-03"}
    dialog.published_edit.setText("Spring 2026")
    dialog.buttons.accepted.emit()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "not a date" in dialog.error_label.text()


def test_a_note_hit_says_whose_words_it_shows():
    """A link's rationale found by search was headed "Plan · p. 19 · Section · Link: reversed":
    the officer's words passed off as a section of the plan, and the relation as a raw code."""
    def note(relation: str = "", status: str = "", heading: str = "Annotation") -> SearchHit:
        return SearchHit(key="note:6", kind="note", item_id=6, plan="plan-1",
                         plan_title="Plan 1", plan_date="2011", path=(heading,),
                         page_label="19", page_index=18, score=1.0, snippet="[[scrapped]]",
                         text="scrapped", relation=relation, status=status)

    model = SearchResultModel()
    model.set_hits([note(relation="scaled_back", heading="Link: scaled_back"),
                    note(status="on_track", heading="Status: on_track"), note(),
                    make_hit(1)])
    headers = [model.index(row).data(HeaderRole) for row in range(4)]
    assert headers[0] == "Plan 1 · p. 19 · Rationale of a link (scaled back)"
    assert headers[1] == "Plan 1 · p. 19 · Rationale of a delivery status (on track)"
    assert headers[2] == "Plan 1 · p. 19 · Annotation note"
    assert headers[3] == "Plan 1 · p. 1 · Section · Environment › Climate"
    assert "Section" not in " ".join(headers[:3])
