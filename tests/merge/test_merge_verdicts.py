"""Two officers' verdicts on the same commitment and later plan merge into one (QA r10 L1).

The product's rule (``workbench.links``): one live verdict per commitment per later plan. Links
created separately in two libraries have different UUIDs, so a UUID match alone would keep
both live and report "0 conflicts".
"""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.merge.conftest import FRAMING, REFORMING, export, keys, merge, officer
from workbench.merge import MERGE_FLAG, plan_details, plan_merge, read_package


def _verdict(root, who, relation, rationale=""):
    with officer(root, who) as r:
        src, tgt = keys(r, FRAMING)[1], keys(r, REFORMING)[0]
        return r.link(src, [tgt], relation=relation, rationale=rationale,
                      confirm=True).records[0].uuid


def _links(root):
    with officer(root, "reader") as r:
        return [x for x in r.rs.records("link", include_deleted=True)]


def _live(root):
    return sorted((x.relation, x.uuid) for x in _links(root) if not x.deleted_at)


def test_two_confirmed_verdicts_are_one_conflict_and_one_live_verdict(libraries, tmp_path):
    mine = _verdict(libraries["b"], "Ben", "scaled_back", "fewer buses")
    theirs = _verdict(libraries["a"], "Ann", "continued")
    pkg = tmp_path / "ann.zip"
    proc = run_cli("package", "export", "--out", str(pkg), library=libraries["a"])
    assert proc.returncode == 0, proc.stderr

    proc = run_cli("package", "import", str(pkg), "--dry-run", library=libraries["b"])
    assert proc.returncode == 0, proc.stderr
    assert "1 conflict," in proc.stdout and "0 new" in proc.stdout
    assert "relation — Ben: scaled_back; Ann: continued" in proc.stdout
    assert "conflict: Two verdicts: Link on" in proc.stdout

    proc = run_cli("package", "import", str(pkg), "--resolve", "local", "--json",
                   library=libraries["b"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["counts"]["kept_local"] == 1 and data["backup"]
    assert _live(libraries["b"]) == [("scaled_back", mine)]
    loser = next(x for x in _links(libraries["b"]) if x.uuid == theirs)
    assert loser.deleted_at and MERGE_FLAG in loser.rationale  # kept in the trash, flagged
    assert "Ann's verdict (continued, confirmed)" in loser.rationale

    again, report = merge(libraries["b"], "Ben", pkg)  # decided once: nothing to ask again
    assert not again.conflicts and report.change is None

    # Ann takes Ben's package back: his decision arrives, one live verdict there too
    back = export(libraries["b"], "Ben", tmp_path / "ben.zip")
    plan, _ = merge(libraries["a"], "Ann", back)
    assert not plan.conflicts
    assert any(line.startswith("Moved to the trash by their edit: Link on")
               for line in plan_details(plan))
    assert _live(libraries["a"]) == _live(libraries["b"]) == [("scaled_back", mine)]


def test_taking_theirs_retires_mine_to_the_trash(libraries, tmp_path):
    mine = _verdict(libraries["b"], "Ben", "scaled_back", "fewer buses")
    theirs = _verdict(libraries["a"], "Ann", "continued")
    pkg = export(libraries["a"], "Ann", tmp_path / "ann.zip")
    plan, report = merge(libraries["b"], "Ben", pkg, "incoming")
    assert [c.reason for c in plan.conflicts] == ["two_verdicts"]
    assert report.counts["took_incoming"] == 1 and report.flagged == (mine,)
    assert _live(libraries["b"]) == [("continued", theirs)]
    old = next(x for x in _links(libraries["b"]) if x.uuid == mine)
    assert old.deleted_at and old.relation == "scaled_back" and MERGE_FLAG in old.rationale


def test_both_keeps_the_newer_live_on_either_side(libraries, tmp_path):
    _verdict(libraries["b"], "Ben", "scaled_back", "fewer buses")
    _verdict(libraries["a"], "Ann", "continued")
    pa = export(libraries["a"], "Ann", tmp_path / "ann.zip")
    pb = export(libraries["b"], "Ben", tmp_path / "ben.zip")
    merge(libraries["b"], "Ben", pa, "both")
    merge(libraries["a"], "Ann", pb, "both")
    assert len(_live(libraries["a"])) == 1
    assert _live(libraries["a"]) == _live(libraries["b"])  # order-independent


def test_the_same_verdict_on_both_sides_is_agreement(libraries, tmp_path):
    mine = _verdict(libraries["b"], "Ben", "continued")
    _verdict(libraries["a"], "Ann", "continued")
    pkg = export(libraries["a"], "Ann", tmp_path / "ann.zip")
    with officer(libraries["b"], "Ben") as r:
        plan = plan_merge(r, read_package(pkg))
    assert not plan.conflicts and plan.counts["add"] == 0
    assert any(i.reason.startswith("the same verdict is already here") for i in plan.items)
    merge(libraries["b"], "Ben", pkg)
    assert _live(libraries["b"]) == [("continued", mine)]
