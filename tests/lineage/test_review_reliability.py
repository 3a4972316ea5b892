"""Reliability of the ``Records`` service: a sidecar failure after the commit is a note, not
"not saved"; undo names what it undoes and never deletes a row; one action is one transaction
(also with new tags); ids are checked; a merge re-checks the revision inside its transaction;
reads never write."""

from __future__ import annotations

import json
import shutil

import pytest

from db.records import SqliteRecords
from db.store import SqliteStore
from tests.lineage.conftest import NEW, OLD
from tests.lineage.synth import add_plan
from workbench.errors import InvalidInput, NotFound
from workbench.model import PlanMeta
from workbench.records import Annotation
from workbench.review import MERGE_CHANGED, Records


def keys(recs, plan):
    return [c.key for c in recs.effective_commitments(plan)]


def block(tmp_path, slug):
    """Make ``sidecars/<slug>.json`` unwritable: a directory of that name."""
    path = tmp_path / "sidecars" / f"{slug}.json"
    path.mkdir(parents=True)
    return path


# -- 1. a sidecar failure after the commit -------------------------------------------------------


def test_a_sidecar_that_cannot_be_written_leaves_the_action_saved_with_a_warning(
        recs, store, tmp_path):
    blocked = block(tmp_path, "old-plan")
    revision = store.revision()
    change = recs.annotate_quote("old-plan", "restore the marshes", note="wetlands")
    assert change.warning.startswith("Saved; the backup copy (sidecar) could not be written: ")
    assert "sidecars/old-plan.json" in change.warning and "\n" not in change.warning
    assert recs.rs.get("annotation", change.value.uuid) is not None  # saved: no retry needed
    assert store.revision() == revision + 1
    assert recs.stale_sidecars() == ["old-plan"]
    assert recs.audit_log(limit=1)[0].action == "sidecars_stale"
    assert not list((tmp_path / "sidecars").glob(".*.tmp"))  # no temporary file left behind
    (problem,) = recs.check_sidecars()
    assert problem.startswith("old-plan: ") and "cannot be read" in problem
    # undo, redo and re-anchoring warn the same way
    assert recs.undo().warning and recs.redo().warning
    add_plan(store, "old-plan", "2020", OLD, replaces="old-plan", salt="v2", filler="New. ")
    recs.reanchor_plan("old-plan")
    assert recs.sidecar_warning.startswith("Saved; the backup copy (sidecar)")
    # rewriting every sidecar is refused while the folder is blocked, then clears the marker
    with pytest.raises(OSError):
        recs.write_all_sidecars()
    assert recs.stale_sidecars() == ["old-plan"]
    blocked.rmdir()
    assert recs.write_all_sidecars() == 2
    assert recs.stale_sidecars() == [] and recs.check_sidecars() == []
    assert recs.create_tag("Wetlands").warning == ""


def test_check_sidecars_reports_missing_unreadable_and_different(recs, tmp_path):
    ann = recs.annotate_quote("old-plan", "restore the marshes", note="wetlands").value
    assert recs.check_sidecars() == []  # new-plan has no records and no sidecar: fine
    side = tmp_path / "sidecars" / "old-plan.json"
    good = side.read_text(encoding="utf-8")
    data = json.loads(good)
    data["annotations"][0]["note"] = "edited by hand"
    side.write_text(json.dumps(data), encoding="utf-8")
    assert recs.check_sidecars() == [
        "old-plan: the sidecar sidecars/old-plan.json differs from the database "
        "(records: 1 different)."]
    data["annotations"] = []
    side.write_text(json.dumps(data), encoding="utf-8")
    assert "1 missing" in recs.check_sidecars()[0]
    side.write_text("{not json", encoding="utf-8")
    assert "cannot be read" in recs.check_sidecars()[0]
    side.unlink()
    assert recs.check_sidecars() == [
        "old-plan: the sidecar sidecars/old-plan.json is missing (1 record is only in the "
        "database)."]
    recs.edit_annotation(ann.uuid, note="rewritten")  # the next write repairs it
    assert recs.check_sidecars() == []


def test_tags_created_with_an_annotation_reach_every_sidecar(recs, tmp_path):
    recs.annotate_quote("new-plan", "restore the marshes")  # new-plan gets a sidecar
    recs.annotate_quote("old-plan", "restore the marshes", tags=["Environment / Wetlands"])
    new_side = json.loads((tmp_path / "sidecars" / "new-plan.json").read_text("utf-8"))
    assert sorted(t["name"] for t in new_side["tags"]) == ["Environment", "Wetlands"]
    assert recs.check_sidecars() == []


# -- 2. undo names what it undoes and never deletes a row ----------------------------------------


def test_undo_of_a_creation_moves_it_to_the_trash_and_redo_brings_it_back(recs, store):
    ann = recs.annotate_quote("old-plan", "restore the marshes", note="n").value
    assert recs.undo_label() == "Add annotation"  # the menu's short label is unchanged
    assert recs.undo_description() == f"Add annotation on p. {ann.anchor.page_label} of old-plan"
    store.update_plan_meta("old-plan", PlanMeta(title="Renamed", published="2020",
                                                 stage="adopted"))
    undone = recs.undo()  # plan edits are not in the undo log: it says what it undid
    assert undone.description == f"Add annotation on p. {ann.anchor.page_label} of old-plan"
    assert store.plan("old-plan").meta.title == "Renamed"
    row = recs.rs.get("annotation", ann.uuid)
    assert row is not None and row.deleted_at  # in the trash, not purged
    assert [r.uuid for r in recs.trash()] == [ann.uuid] and recs.annotations("old-plan") == []
    assert recs.redo_description() == undone.description
    redone = recs.redo()
    assert redone.description == undone.description
    assert recs.rs.get("annotation", ann.uuid).deleted_at is None


def test_discarding_redo_history_never_loses_a_row(recs):
    ann = recs.annotate_quote("old-plan", "restore the marshes", note="keep me").value
    recs.undo()
    recs.create_tag("Other")  # a new action discards the redo entry
    assert not recs.can_redo()
    recs.restore(ann.uuid)  # the undone creation is still restorable from the trash
    assert [a.note for a in recs.annotations("old-plan")] == ["keep me"]


# -- 3. one action, one transaction, also with new tags ------------------------------------------


def test_a_failed_annotation_creates_no_tag_and_no_undo_entry(recs):
    with pytest.raises(InvalidInput):
        recs.annotate_quote("old-plan", "zzzz not there", tags=["Brand New Tag"])
    with pytest.raises(InvalidInput):
        recs.annotate("old-plan", 0, 5, 500000, tags=["Brand New Tag"])
    assert recs.tags() == [] and not recs.can_undo()


def test_new_tags_are_created_by_the_annotation_itself(recs, store):
    revision = store.revision()
    existing = recs.create_tag("Climate").value
    change = recs.annotate_quote("old-plan", "Net Zero", tags=["climate / Net Zero", "Roads",
                                                                existing.uuid])
    assert store.revision() == revision + 2  # the tag, then one action
    paths = sorted(recs.tag_path(t) for t in recs.tags())
    assert paths == ["Climate", "Climate / Net Zero", "Roads"]
    by_path = {recs.tag_path(t): t.uuid for t in recs.tags()}
    assert change.value.tags == (by_path["Climate / Net Zero"], by_path["Roads"],
                                 existing.uuid)
    assert recs.undo_description().startswith("Add annotation on p. 2 of old-plan (and 2 new")
    recs.undo()  # one undo takes the annotation and its new tags to the trash
    assert [t.name for t in recs.tags()] == ["Climate"]
    recs.redo()
    assert len(recs.tags()) == 3
    edited = recs.edit_annotation(change.value.uuid, tags=["Climate / Net Zero / 2030"]).value
    assert [recs.tag_path(t) for t in recs.tags() if t.uuid in edited.tags] == [
        "Climate / Net Zero / 2030"]
    assert recs.rs.undo_candidate().label == "Edit annotation"


def test_ensure_tag_is_one_action_and_a_trashed_tag_uuid_is_refused(recs):
    tag, changes = recs.ensure_tag("A / B / C")
    assert recs.tag_path(tag) == "A / B / C" and len(changes) == 1
    assert recs.ensure_tag("a / b / c") == (tag, [])
    recs.undo()
    assert recs.tags() == []
    with pytest.raises(NotFound):
        recs.annotate_quote("old-plan", "Net Zero", tags=[tag.uuid])


# -- 4. and 5. commitment ids ------------------------------------------------------------------


def test_annotate_commitment_refuses_a_commitment_of_another_plan(recs):
    other = keys(recs, "new-plan")[0]
    with pytest.raises(InvalidInput, match="is in new-plan, not old-plan"):
        recs.annotate_commitment(other, plan="old-plan")
    assert recs.annotations() == []
    assert recs.annotate_commitment(other, plan="new-plan").value.plan == "new-plan"


@pytest.mark.parametrize("key", ["99999999999999999999", str(2**63), "0", "c:0",
                                 "c:99999999999999999999"])
def test_out_of_range_commitment_ids_are_invalid_input(recs, key):
    with pytest.raises(InvalidInput, match="No commitment"):
        recs.thread(key)


def test_malformed_commitment_ids_are_invalid_input(recs):
    for key in ("c:abc", "12a", "١٢"):
        with pytest.raises(InvalidInput):
            recs.commitment(key)
    assert Records.parse_key(str(2**63 - 1)) == f"c:{2**63 - 1}"
    assert Records.parse_key(" 12 ") == "c:12" and Records.parse_key("c:12") == "c:12"


# -- 6. the revision is re-checked inside the transaction ----------------------------------------


def test_commit_merge_rechecks_the_revision_inside_the_transaction(recs, store):
    ann = recs.annotate_quote("old-plan", "restore the marshes").value
    incoming = Annotation(uuid="0" * 8 + "-0000-4000-8000-" + "0" * 12, plan="old-plan",
                          anchor=ann.anchor, note="from a colleague")
    reviewed_at = store.revision()
    recs.edit_annotation(ann.uuid, note="changed meanwhile")
    with pytest.raises(InvalidInput, match="review it again"):
        recs.commit_merge([(None, incoming)], target="package:x", detail={}, step_meta={},
                          expected_revision=reviewed_at)
    assert str(MERGE_CHANGED).endswith("review it again.")
    assert recs.rs.get("annotation", incoming.uuid) is None
    assert recs.rs.undo_candidate().label == "Edit annotation"
    change = recs.commit_merge([(None, incoming)], target="package:x", detail={},
                               step_meta={}, expected_revision=store.revision())
    assert change.uuids == (incoming.uuid,)


def test_update_plan_meta_reads_the_row_inside_its_transaction(recs, store, monkeypatch):
    seen = []
    real = store._plan_row

    def plan_row(slug, **kw):
        seen.append(store.db.conn.in_transaction)
        return real(slug, **kw)

    monkeypatch.setattr(store, "_plan_row", plan_row)
    plan = store.update_plan_meta("old-plan", PlanMeta(title="New title", published="2020",
                                                       stage="adopted"))
    assert plan.meta.title == "New title" and seen and all(seen)


# -- 7. reads never write ------------------------------------------------------------------------


def test_reads_of_a_re_imported_plan_work_on_a_read_only_library(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    store = SqliteStore(lib / "workbench.db")
    add_plan(store, "old-plan", "2020", OLD)
    add_plan(store, "new-plan", "2022", NEW)
    recs = Records(store, SqliteRecords(store), actor="t")
    old, new = keys(recs, "old-plan"), keys(recs, "new-plan")
    ann = recs.annotate_quote("old-plan", "restore the marshes").value
    recs.link(old[0], [new[0]], relation="reversed", rationale="r", confirm=True)
    recs.assess(old[1], "on_track", "2023")
    recs.split(old[2], 10)
    add_plan(store, "old-plan", "2020", OLD, replaces="old-plan", salt="v2", filler="New. ")
    revision = store.revision()
    store.close()
    before = (lib / "workbench.db").read_bytes()

    ro = SqliteStore(lib / "workbench.db", read_only=True, backup_interval=None)
    try:
        assert ro.read_only
        r = Records(ro, SqliteRecords(ro), actor="reader")
        sha = r.pages("old-plan").sha
        assert r.annotations("old-plan")[0].anchor.doc_sha == sha
        assert len(r.effective_commitments("old-plan")) == 5  # the split shows
        r.effective_sections("old-plan")
        r.corrections("old-plan")
        (link,) = r.links("old-plan")
        assert link.source.anchor.doc_sha == sha
        assert r.key_of(link.source) == keys(r, "old-plan")[0]
        assert [n.plan for n in r.thread(keys(r, "old-plan")[0]).nodes] == ["old-plan",
                                                                             "new-plan"]
        assert r.current_status(keys(r, "old-plan")[1]).status == "on_track"
        r.coverage("old-plan", "new-plan")
        r.orphans("old-plan")
        assert r.get(ann.uuid).anchor.doc_sha == sha
        assert ro.revision() == revision
    finally:
        ro.close()
    assert (lib / "workbench.db").read_bytes() == before


def test_reads_do_not_invalidate_an_open_merge_review(recs, store, tmp_path):
    recs.annotate_quote("old-plan", "restore the marshes")
    add_plan(store, "old-plan", "2020", OLD, replaces="old-plan", salt="v2", filler="New. ")
    shutil.rmtree(tmp_path / "sidecars")
    reviewed_at = store.revision()
    fresh = Records(store, SqliteRecords(store), actor="t", sidecar_dir=tmp_path / "sidecars")
    fresh.annotations("old-plan")
    fresh.effective_commitments("old-plan")
    fresh.links("old-plan")
    assert store.revision() == reviewed_at
    assert not (tmp_path / "sidecars").exists()  # and no sidecar was written by a read
