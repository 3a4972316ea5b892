"""An undated plan is not the next edition of dated plans (QA r10 L2)."""

from __future__ import annotations

from db.store import SqliteStore
from tests.factories import make_extraction, make_meta
from workbench.plan_index import PlanIndex


def test_an_undated_plan_is_never_the_automatic_next_edition(tmp_path):
    store = SqliteStore(tmp_path / "workbench.db", backups_dir=tmp_path / "backups")
    try:
        for seed, meta in (("b", make_meta("Second", published="2022-03")),
                           ("a", make_meta("First", published="2019")),
                           ("s", make_meta("A scan")),  # imported with no date
                           ("t", make_meta("Another scan"))):
            store.add_document(slug=f"plan-{seed}", meta=meta,
                               extraction=make_extraction(seed, 2), file_name=f"{seed}.pdf",
                               stored_path=f"files/{seed}.pdf")
        plans = PlanIndex(store)
        assert plans.later_plans("plan-a") == ["plan-b", "plan-s", "plan-t"]
        assert plans.next_plan("plan-a") == "plan-b"
        assert plans.later_plans("plan-b") == ["plan-s", "plan-t"]  # may still be picked
        assert plans.next_plan("plan-b") is None  # the newest edition: no "dropped into scan"
        assert plans.next_plan("plan-s") is None
    finally:
        store.close()
