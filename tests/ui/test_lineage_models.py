"""The issue-5 models go through pytest-qt's model tester as their data changes."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.models.records import (
    AnnotationListModel,
    AuditModel,
    CommitmentChoiceModel,
    CommitmentFilterProxy,
    IdRole,
    SuggestionModel,
    TrashModel,
    ValueRole,
)
from ui.models.thread import ThreadModel
from ui.ops.records import AnnotationItem, PlanChoice
from workbench.anchoring import Anchor
from workbench.lineage import RELATIONS, Candidate, Suggestion
from workbench.records import (
    Annotation,
    AuditEntry,
    EffectiveCommitment,
    Link,
    Ref,
    StatusAssessment,
    Tag,
)
from workbench.review import Thread, ThreadEdge, ThreadNode


def anchor(text: str, page: int = 0, start: int = 0) -> Anchor:
    return Anchor(text, "", "", page, str(page + 1), start, start + len(text), "sha")


def commitment(n: int, plan: str = "later", text: str = "") -> EffectiveCommitment:
    text = text or f"We will fix {n * 100} potholes a month."
    return EffectiveCommitment(f"c:{n}", plan, text, n, str(n + 1), 0, len(text), 1, "Roads",
                               ("Roads",), commitment_id=n)


def test_annotation_model(qtmodeltester):
    model = AnnotationListModel()
    qtmodeltester.check(model)
    items = [AnnotationItem(Annotation(f"u{i}", "plan", anchor(f"quote {i}", i), note=f"n{i}"),
                            ("Climate / Net Zero",), "#c5e1a5") for i in range(3)]
    model.set_items(items)
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "2"
    assert model.index(1, 3).data() == "Climate / Net Zero"
    assert model.index(2, 0).data(IdRole) == "u2"
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).name() == "#c5e1a5"
    assert model.row_of("u1") == 1
    model.set_items([])
    qtmodeltester.check(model)


def test_suggestion_model(qtmodeltester):
    model = SuggestionModel()
    qtmodeltester.check(model)
    cands = tuple(Candidate(commitment(i), 0.9 - i / 10, "modified", ("fewer potholes",),
                            {"bm25": 0.5}) for i in range(3))
    model.set_suggestion(Suggestion(commitment(9, "earlier"), cands, "modified",
                                    ("fewer potholes",), "later"), RELATIONS)
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(3)] == ["1", "2", "3"]
    assert model.index(0, 3).data() == "0.90"
    assert model.index(0, 4).data() == "Modified"
    assert model.candidate(2).commitment.key == "c:2"
    model.set_suggestion(None, RELATIONS)
    assert model.rowCount() == 0


def test_commitment_choices_and_filter(qtmodeltester):
    model, proxy = CommitmentChoiceModel(), CommitmentFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    model.set_commitments([commitment(1), commitment(2, text="We will plant trees.")],
                          {"c:1": (0.62, "continued", ("same words",))})
    assert model.index(0, 0).data().startswith("★ 0.62")
    proxy.set_needle("trees")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data(IdRole) == "c:2"
    proxy.set_needle("")
    assert proxy.rowCount() == 2


def test_trash_and_audit_models(qtmodeltester):
    trash, audit = TrashModel(), AuditModel()
    qtmodeltester.check(trash)
    qtmodeltester.check(audit)
    trash.set_records([Tag("t1", "Climate", deleted_at="2025-01-02T03:04:05+00:00"),
                       Annotation("a1", "plan", anchor("x"), deleted_at="2025-01-03T00:00:00")])
    audit.set_entries([AuditEntry(2, "2025-01-02T03:04:05+00:00", "Ann", "undo", "annotation:a",
                                  {"label": "Add annotation"}),
                       AuditEntry(1, "2025-01-01T00:00:00+00:00", "Ann", "create_annotation",
                                  "annotation:a", {"label": "Add annotation"})])
    qtmodeltester.check(trash)
    qtmodeltester.check(audit)
    assert trash.index(0, 1).data() == "Tag"
    assert audit.index(0, 2).data() == "Undo add annotation"
    assert audit.index(1, 1).data() == "Ann"


def test_thread_model_columns_are_plans(qtmodeltester):
    model = ThreadModel()
    qtmodeltester.check(model)
    plans = [PlanChoice("a", "Plan A", "2020", False), PlanChoice("d", "Draft", "2021", True),
             PlanChoice("b", "Plan B", "2022", False)]
    src, tgt = commitment(1, "a"), commitment(2, "b")
    link = Link("l1", Ref("a", anchor(src.text)), "b", "continued", (Ref("b", anchor(tgt.text)),),
                "confirmed", rationale="Same pledge, new wording", confirmed_by="Alex",
                confirmed_at="2026-05-01T10:00:00Z")
    status = StatusAssessment("s1", Ref("b", anchor(tgt.text)), "on_track", "2024",
                              created_by="Sam")
    later = StatusAssessment("s2", Ref("b", anchor(tgt.text)), "at_risk", "2025",
                             rationale="budget cut", created_by="Kim")
    thread = Thread("c:1", (
        ThreadNode("a", "Plan A", "2020", "adopted", False, "c:1", src.text, "2", None),
        ThreadNode("b", "Plan B", "2022", "adopted", False, "c:2", tgt.text, "3", status),
    ), (ThreadEdge(link, "c:1", ("c:2",)),))
    model.set_thread(thread, plans, RELATIONS, {"c:2": [status, later]})
    qtmodeltester.check(model)
    assert model.columnCount() == 3  # the never-adopted draft in between shows as a column
    assert "draft, never adopted" in model.headerData(1, Qt.Orientation.Horizontal)
    cell = model.index(0, 2).data()
    assert cell.startswith("Continued from Plan A (2020)\nConfirmed by Alex on 2026-05-01\n"
                           "Why: Same pledge, new wording\n")
    assert "←" not in cell
    assert "Status On track as at 2024, Sam" in cell
    assert cell.endswith("Status At risk as at 2025, Kim: budget cut")
    assert model.index(0, 0).data(ValueRole).key == "c:1"
    assert model.index(0, 1).data() is None
    model.set_thread(None, [], {})
    qtmodeltester.check(model)
    assert model.columnCount() == 0


def test_a_proposal_says_who_proposed_it():
    """qa12: a link a person recorded without confirming (`workbench link` without --confirm)
    read "Proposed by the machine; not confirmed" in the lineage panel; only a proposal the
    engine scored and explained is the machine's."""
    from ui.models.thread import verdict_lines

    src = Ref("a", anchor("We will open a lido."))
    by_person = Link("l1", src, "b", "reversed", (Ref("b", anchor("No lido.")),),
                     rationale="Closed.", created_by="clerk", created_at="2026-05-01T10:00:00")
    lines = verdict_lines(by_person, "Reversed")
    assert lines[1] == "Proposed by clerk on 2026-05-01; not confirmed", lines
    by_engine = Link("l2", src, "b", "reversed", (Ref("b", anchor("No lido.")),),
                     confidence=0.61, reasons=("reversal cue in the later text: 'no'",))
    assert verdict_lines(by_engine, "Reversed")[1] == "Proposed by the machine; not confirmed"
