"""T-MRG-01..04: merging officers' packages by UUID (RELIABILITY.md section F)."""

from __future__ import annotations

import hashlib
import json
import shutil

from tests.conftest import run_cli
from tests.merge.conftest import (
    FRAMING,
    REFORMING,
    export,
    keys,
    merge,
    officer,
    snapshot,
)
from workbench.merge import MERGE_FLAG, is_flagged, plan_merge, read_package
from workbench.model import PlanMeta


def _work_of_a(root):
    with officer(root, "Officer A") as r:
        tag = r.create_tag("Climate").value
        r.annotate_commitment(keys(r, FRAMING)[0], note="A1", tags=[tag.uuid])
        r.link(keys(r, FRAMING)[1], [keys(r, REFORMING)[0]], relation="continued", confirm=True)


def _work_of_b(root):
    with officer(root, "Officer B") as r:
        r.annotate_commitment(keys(r, REFORMING)[3], note="B1")
        r.assess(keys(r, REFORMING)[4], "on_track", "2025-06", rationale="budget agreed")
        r.unmark(keys(r, FRAMING)[5])


def test_disjoint_merge_is_a_union_idempotent_and_commutative(libraries, tmp_path):
    """T-MRG-01 disjoint_merge."""
    _work_of_a(libraries["a"])
    _work_of_b(libraries["b"])
    pa = export(libraries["a"], "Officer A", tmp_path / "a.zip")
    pb = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    only_a, only_b = snapshot(libraries["a"]), snapshot(libraries["b"])
    assert len(only_a) == 3 and len(only_b) == 3

    plan, report = merge(libraries["a"], "Officer A", pb)  # A + B
    assert plan.counts["add"] == 3 and not plan.conflicts and report.backup is not None
    assert "before-merge" in report.backup.name and report.backup.exists()
    merge(libraries["b"], "Officer B", pa)  # B + A
    a_plus_b, b_plus_a = snapshot(libraries["a"]), snapshot(libraries["b"])
    assert a_plus_b == b_plus_a == sorted(only_a + only_b)

    again, report2 = merge(libraries["a"], "Officer A", pb)  # twice = once
    assert again.counts["skip"] == 3 and report2.change is None
    assert snapshot(libraries["a"]) == a_plus_b

    shutil.copytree(libraries["base"], tmp_path / "base2")
    merge(libraries["base"], "Officer C", pa)
    merge(libraries["base"], "Officer C", pb)
    merge(tmp_path / "base2", "Officer C", pb)
    merge(tmp_path / "base2", "Officer C", pa)
    assert snapshot(libraries["base"]) == snapshot(tmp_path / "base2") == a_plus_b

    with officer(libraries["a"], "Officer A") as r:  # audited, one undoable action
        entry = r.audit_log(limit=5)
        assert any(e.action == "merge_package" and e.detail["counts"]["add"] == 3 for e in entry)
        sidecar = json.loads((libraries["a"] / "sidecars" / f"{REFORMING}.json").read_text())
        assert {a["note"] for a in sidecar["annotations"]} == {"B1"}


def _shared(libraries, tmp_path):
    """Officer A creates an annotation and a proposed link; B receives them."""
    with officer(libraries["a"], "Officer A") as r:
        ann = r.annotate_commitment(keys(r, FRAMING)[0], note="original").value
        link = r.link(keys(r, FRAMING)[1], [keys(r, REFORMING)[0]], relation="continued").value
    merge(libraries["b"], "Officer B", export(libraries["a"], "Officer A", tmp_path / "s.zip"))
    return ann.uuid, link.uuid


def _db_digest(root):
    return hashlib.sha256((root / "workbench.db").read_bytes()).hexdigest()


def test_same_annotation_edited_on_both_sides(libraries, tmp_path):
    """T-MRG-02 same_annotation_both_edited: shown side by side; 'both' keeps both."""
    ann, link = _shared(libraries, tmp_path)
    with officer(libraries["a"], "Officer A") as r:
        r.edit_annotation(ann, note="A's view")
        r.confirm_link(link, relation="scaled_back", rationale="fewer buses")
    with officer(libraries["b"], "Officer B") as r:
        r.edit_annotation(ann, note="B's view")
        r.confirm_link(link, relation="continued")
    pa = export(libraries["a"], "Officer A", tmp_path / "a.zip")
    pb = export(libraries["b"], "Officer B", tmp_path / "b.zip")

    with officer(libraries["a"], "Officer A") as r:
        plan = plan_merge(r, read_package(pb))
    conflicts = {c.uuid: c for c in plan.conflicts}
    assert set(conflicts) == {ann, link}
    assert "relation — Officer A: scaled_back; Officer B: continued" in conflicts[link].lines()
    assert "note — Officer A: A's view; Officer B: B's view" in conflicts[ann].lines()
    assert conflicts[ann].local.author == "Officer A" and conflicts[ann].incoming.updated_at

    # the CLI shows the conflicts and writes nothing without --resolve
    before = (_db_digest(libraries["a"]), snapshot(libraries["a"]))
    proc = run_cli("package", "import", str(pb), library=libraries["a"])
    assert proc.returncode == 1, proc.stderr
    assert "Officer A: scaled_back; Officer B: continued" in proc.stdout
    assert "Nothing was written" in proc.stdout
    assert (_db_digest(libraries["a"]), snapshot(libraries["a"])) == before

    proc = run_cli("package", "import", str(pb), "--resolve", "both", "--json",
                   library=libraries["a"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["counts"]["kept_both"] == 2
    merge(libraries["b"], "Officer B", pa, "both")
    a_side, b_side = snapshot(libraries["a"]), snapshot(libraries["b"])
    assert a_side == b_side  # A+B = B+A, also when both versions are kept
    records = [json.loads(x) for x in a_side]
    notes = [x.get("note", "") for x in records if x["record"] == "annotation"]
    assert any("A's view" in n for n in notes) and any("B's view" in n for n in notes)
    relations = sorted(x["relation"] for x in records if x["record"] == "link")
    assert relations == ["continued", "scaled_back"]  # 0 silent overwrites
    assert all(MERGE_FLAG in n for n in notes)

    again, report = merge(libraries["a"], "Officer A", pb, "both")
    assert not again.conflicts and report.change is None
    assert snapshot(libraries["a"]) == a_side


def test_one_sided_edit_fast_forwards_and_older_is_skipped(libraries, tmp_path):
    ann, _ = _shared(libraries, tmp_path)
    with officer(libraries["a"], "Officer A") as r:
        r.edit_annotation(ann, note="newer")
    old_b = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    plan, _ = merge(libraries["b"], "Officer B", export(libraries["a"], "Officer A",
                                                         tmp_path / "a.zip"))
    assert [i.action for i in plan.items if i.uuid == ann] == ["fast_forward"]
    plan, report = merge(libraries["a"], "Officer A", old_b)
    assert [i.reason for i in plan.items if i.uuid == ann] == ["older than ours"]
    assert snapshot(libraries["a"]) == snapshot(libraries["b"])


def test_keep_local_is_remembered(libraries, tmp_path):
    ann, _ = _shared(libraries, tmp_path)
    with officer(libraries["a"], "Officer A") as r:
        r.edit_annotation(ann, note="A's view")
    with officer(libraries["b"], "Officer B") as r:
        r.edit_annotation(ann, note="B's view")
    pb = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    plan, _ = merge(libraries["a"], "Officer A", pb, "local")
    assert plan.counts["conflict"] == 1
    again, report = merge(libraries["a"], "Officer A", pb)  # no decision needed twice
    assert not again.conflicts and report.change is None
    with officer(libraries["a"], "Officer A") as r:
        assert r.get(ann).note == "A's view"


def test_delete_vs_edit_resurrects_with_a_flag(libraries, tmp_path):
    """T-MRG-03 delete_vs_edit."""
    ann, _ = _shared(libraries, tmp_path)
    with officer(libraries["a"], "Officer A") as r:
        r.delete(ann)
    with officer(libraries["b"], "Officer B") as r:
        r.edit_annotation(ann, note="still relevant")
    pa = export(libraries["a"], "Officer A", tmp_path / "a.zip")
    pb = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    plan, _ = merge(libraries["b"], "Officer B", pa, "both")
    (conflict,) = plan.conflicts
    assert conflict.reason == "delete_vs_edit"
    assert "state — Officer B: kept; Officer A: deleted" in conflict.lines()
    merge(libraries["a"], "Officer A", pb, "both")
    for root in (libraries["a"], libraries["b"]):
        with officer(root, "x") as r:
            rec = r.get(ann)
            assert rec.deleted_at is None and "still relevant" in rec.note
            assert is_flagged(rec) and "Officer A deleted this" in rec.note
    assert snapshot(libraries["a"]) == snapshot(libraries["b"])


def test_package_from_another_document_version_reanchors(libraries, tmp_path):
    """T-MRG-04 bundle_from_other_doc_version: re-anchored through ANC; orphans listed."""
    with officer(libraries["b"], "Officer B") as r:
        cs = r.effective_commitments(FRAMING)
        kept = r.annotate_commitment(cs[0].key, note="kept").value
        lost = r.annotate_commitment(cs[1].key, note="lost").value
    pb = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    # Officer A's library has a corrected reissue of the plan without the second passage
    with officer(libraries["a"], "Officer A") as r:
        store = r.store
        plan = store.plan(FRAMING)
        pages = store.page_texts(plan.document_id)
        gone = lost.anchor.exact
        from workbench.model import Extraction, PageText

        new_pages = tuple(PageText(index=i, label=label,
                                   text=("Corrected reissue. " + t).replace(gone, ""))
                          for i, label, t in pages)
        ex = Extraction(sha256="f" * 64, pdf_id="", page_count=len(new_pages), title="t",
                        pages=new_pages, sections=(), commitments=())
        store.add_document(slug=FRAMING, meta=PlanMeta(title=plan.meta.title,
                                                       published=plan.meta.published),
                           extraction=ex, file_name="r.pdf", stored_path="files/r.pdf",
                           replaces=FRAMING)
        mp = plan_merge(r, read_package(pb))
        match = {m.package_slug: m for m in mp.plans}[FRAMING]
        assert match.local_slug == FRAMING and not match.same_version
        assert [u for u, _ in mp.orphans] == [lost.uuid]
    _, report = merge(libraries["a"], "Officer A", pb)
    assert [u for u, _ in report.orphans] == [lost.uuid]
    with officer(libraries["a"], "Officer A") as r:
        sha = r.pages(FRAMING).sha
        moved = r.get(kept.uuid).anchor
        assert moved.doc_sha == sha and not moved.orphaned
        page = r.pages(FRAMING).texts[moved.page_index]
        assert page[moved.start:moved.end] == kept.anchor.exact
        orphan = r.get(lost.uuid)  # kept, never deleted
        assert orphan.anchor.orphaned and orphan.note == "lost"
        assert lost.uuid in {a.uuid for a in r.orphans(FRAMING)}


def test_records_of_unknown_plans_are_pending_not_lost(libraries, tmp_path):
    import zipfile

    with officer(libraries["b"], "Officer B") as r:
        ann = r.annotate_commitment(keys(r, REFORMING)[0], note="elsewhere").value
    pb = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    renamed = tmp_path / "renamed.zip"
    with zipfile.ZipFile(pb) as src, zipfile.ZipFile(renamed, "w") as dst:
        for name in src.namelist():
            text = src.read(name).decode()
            if name == "manifest.json":
                m = json.loads(text)
                for p in m["plans"]:
                    if p["slug"] == REFORMING:
                        p["documents"], p["current"] = ["e" * 64], "e" * 64
                text = json.dumps(m)
            dst.writestr(name, text.replace(REFORMING, "another-council-plan"))
    plan, report = merge(libraries["a"], "Officer A", renamed)
    assert [i.uuid for i in plan.pending] == [ann.uuid]
    assert report.pending_file is not None and ann.uuid in report.pending_file.read_text()
    assert snapshot(libraries["a"]) == []


def test_cli_export_and_dry_run(libraries, tmp_path):
    _work_of_b(libraries["b"])
    out = tmp_path / "pkg.zip"
    proc = run_cli("package", "export", "--out", str(out), "--plan", REFORMING,
                   library=libraries["b"])
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("package", "import", str(out), "--dry-run", "--json", library=libraries["a"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["dry_run"] and data["counts"]["add"] == 2  # REFORMING's annotation + status
    assert snapshot(libraries["a"]) == []
