"""The review of qa13's work (qa13b): a search hit's "confirmed" follows the rule the search
index files a relation by (any overlap of the link's source), and `workbench lineage` says who
recorded each link into a step when two commitments link to the same successor."""

from __future__ import annotations

import json

import pytest

import ui.cli
from tests.lineage.synth import BUSES, FIX, FIX_NEW, LIGHTS, RESURFACE, RESURFACE_NEW
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from tests.lineage.test_cli_proposals_qa12 import ids, pair, run  # noqa: F401 - fixture
from tests.lineage.test_unreviewed_links_qa13 import compared_with_two_links

# the tail of FIX and all of RESURFACE: a hand-marked passage covering two commitments
SPAN = "within 28 days.\n• We will resurface 250 miles of road by 2027."


def _mark(pair, capsys) -> str:  # noqa: F811
    said = run(pair, capsys, "mark", OLD, "--page", "2", "--quote", SPAN)
    return said.split("commitment ", 1)[1].rstrip(".\n")


def test_a_verdict_from_a_marked_passage_confirms_every_hit_it_gives_the_relation(
        pair, capsys):  # noqa: F811
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    mark = _mark(pair, capsys)
    run(pair, capsys, "link", "--user", "Alex", mark, str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "probe verdict", "--confirm")
    data = json.loads(run(pair, capsys, "search", "pothole OR resurface", "--relation",
                          "reversed", "--plan", OLD, "--json"))
    by_id = {h["id"]: h["relation_confirmed"] for h in data["hits"]}
    # the index gives both the relation (the marked passage overlaps each); both are verdicts
    assert by_id == {old[FIX]: {"reversed": True}, old[RESURFACE]: {"reversed": True}}
    text = run(pair, capsys, "search", "pothole OR resurface", "--relation", "reversed",
               "--plan", OLD)
    assert "suggested" not in text and text.count("Relation: Reversed (✓ confirmed)") == 2, text

    # a proposal overlapping a commitment leaves it "suggested", a verdict elsewhere does not
    # confirm it
    run(pair, capsys, "link", "--user", "clerk", str(old[FIX]), str(new[RESURFACE_NEW]),
        "--relation", "modified")
    data = json.loads(run(pair, capsys, "search", "pothole", "--relation", "modified",
                          "--plan", OLD, "--json"))
    assert [h["relation_confirmed"] for h in data["hits"]] == [
        {"reversed": True, "modified": False}]


def test_lineage_credits_each_link_into_a_shared_successor_to_its_own_officer(
        pair, capsys):  # noqa: F811
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    mark = _mark(pair, capsys)
    run(pair, capsys, "link", "--user", "Alex", mark, str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "probe verdict", "--confirm")
    run(pair, capsys, "link", "--user", "Bob", str(old[FIX]), str(new[RESURFACE_NEW]),
        "--relation", "scaled_back", "--rationale", "reviewed: scrapped", "--confirm")

    text = run(pair, capsys, "lineage", str(old[FIX]))
    step = text[text.index("--scaled_back--> "):]  # the arrow is Bob's link, from FIX
    assert f"    From [{old[FIX]}]: Confirmed by Bob on " in step, text
    assert "Why: reviewed: scrapped" in step
    assert f"    Also from [{mark}], --reversed-->: Confirmed by Alex on " in step, text
    assert "--reversed--> Roads" not in text
    data = json.loads(run(pair, capsys, "lineage", str(old[FIX]), "--json"))
    last = data["steps"][-1]
    assert (last["id"], last["relation"], last["verdict"]) == (
        new[RESURFACE_NEW], "scaled_back", True)

    # from the marked passage, its own link comes first
    text = run(pair, capsys, "lineage", mark)
    step = text[text.index("--reversed--> "):]
    assert f"    From [{mark}]: Confirmed by Alex on " in step, text
    assert f"    Also from [{old[FIX]}], --scaled_back-->: Confirmed by Bob on " in step, text


def test_a_confirmed_unreviewed_link_is_not_called_a_verdict_when_kept_or_changed(
        pair, capsys):  # noqa: F811
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    src, to = str(old[FIX]), str(new[RESURFACE_NEW])
    run(pair, capsys, "link", "--user", "Alex", src, to, "--relation", "unreviewed", "--confirm")
    code = ui.cli.main(["link", src, to, "--relation", "reversed", "--library", str(pair)])
    err = capsys.readouterr().err
    assert code != 0
    assert "already has a confirmed link (no verdict) about roads-2026: Unreviewed, linked by " \
           "Alex on " in err, err
    assert "relation not yet reviewed, so no verdict; it is left as it is" in err
    assert "confirmed verdict about" not in err and "confirmed by" not in err

    run(pair, capsys, "link", "--user", "Alex", src, to, "--relation", "reversed", "--confirm",
        "--rationale", "now reviewed")
    text = run(pair, capsys, "lineage", src)
    earlier = [x for x in text.splitlines() if "earlier verdict on" in x]
    assert len(earlier) == 1 and ": Unreviewed (linked, by Alex, " in earlier[0], text
    assert earlier[0].endswith("; relation not yet reviewed, so no verdict)"), earlier


def test_compare_json_tells_a_link_with_no_verdict_from_a_proposal(
        pair, capsys, monkeypatch):  # noqa: F811
    _old, _new, pairs = compared_with_two_links(pair, capsys, monkeypatch)
    assert (pairs[RESURFACE]["confirmed"], pairs[RESURFACE]["verdict"]) == (True, True)
    assert (pairs[FIX]["confirmed"], pairs[FIX]["verdict"]) == (False, None)
    assert {"left", "right", "score", "relation", "reasons", "confirmed", "verdict"} == \
        set(pairs[FIX])
    assert all(p["verdict"] is False for t, p in pairs.items() if t not in (FIX, RESURFACE))


def test_search_relation_unreviewed_says_it_finds_a_confirmed_unreviewed_link(
        pair, capsys):  # noqa: F811
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    run(pair, capsys, "link", "--user", "Alex", str(old[FIX]), str(new[FIX_NEW]),
        "--relation", "unreviewed", "--confirm")
    data = json.loads(run(pair, capsys, "search", "pothole", "--relation", "unreviewed",
                          "--plan", OLD, "--json"))
    assert [h["id"] for h in data["hits"]] == [old[FIX]]  # linked, yet "unreviewed"
    with pytest.raises(SystemExit):
        ui.cli.main(["search", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "`unreviewed`: no link yet, or a link whose relation is not yet reviewed (even " \
           "one an officer confirmed, which is no verdict)" in said, said


def test_lineage_says_who_ruled_out_a_successor_and_why(pair, capsys):  # noqa: F811
    old = ids(pair, capsys, OLD)
    run(pair, capsys, "link", "--user", "clerk", str(old[BUSES]), "--relation", "dropped",
        "--to", NEW, "--rationale", "No bus routes.", "--confirm")
    run(pair, capsys, "link", "--user", "clerk", str(old[LIGHTS]), "--relation", "withdrawn",
        "--to", NEW, "--rationale", "Budget cut.")
    lines = run(pair, capsys, "lineage", str(old[BUSES])).splitlines()
    at = lines.index(f"--dropped--> (no successor in {NEW})")
    assert lines[at + 1].startswith("    Confirmed by clerk on "), lines
    assert lines[at + 1].endswith(". Why: No bus routes."), lines
    lines = run(pair, capsys, "lineage", str(old[LIGHTS])).splitlines()
    at = lines.index(f"?-withdrawn-> (proposed, not confirmed) (no successor in {NEW})")
    assert lines[at + 1].startswith("    Proposed by clerk on "), lines
    assert lines[at + 1].endswith("; not confirmed. Why: Budget cut."), lines
