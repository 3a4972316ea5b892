"""`relation:R` / `--relation R` finds a commitment whose link has relation R whether an
officer confirmed it or it is only proposed, as packs made with `--relation` do (qa13). Nothing
told the two apart: each hit now says which (`relation_confirmed` in the JSON, a "Relation:"
line in the text, the window's hit header), and a pack's cover says a proposal is included."""

from __future__ import annotations

import json

from tests.lineage.synth import FIX, FIX_NEW, LIGHTS, RESURFACE, RESURFACE_NEW
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from tests.lineage.test_cli_proposals_qa12 import ids, pair, run  # noqa: F401 - fixture
from workbench.pack import PackSelection
from workbench.pack_builder import describe_selection


def test_a_relation_search_says_which_hits_are_verdicts(pair, capsys):  # noqa: F811
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    run(pair, capsys, "link", "--user", "clerk", str(old[RESURFACE]), str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "Target dropped.", "--confirm")
    run(pair, capsys, "link", "--user", "clerk", str(old[LIGHTS]), str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "Maybe.")
    run(pair, capsys, "link", "--user", "clerk", str(old[FIX]), str(new[FIX_NEW]),
        "--relation", "continued", "--confirm")

    data = json.loads(run(pair, capsys, "search", "every OR resurface", "--relation", "reversed", "--json"))
    by_id = {h["id"]: h for h in data["hits"]}
    assert set(by_id) == {old[RESURFACE], old[LIGHTS]}  # proposals are found too, as documented
    assert by_id[old[RESURFACE]]["relation_confirmed"] == {"reversed": True}
    assert by_id[old[LIGHTS]]["relation_confirmed"] == {"reversed": False}
    every = json.loads(run(pair, capsys, "search", "every OR resurface", "--json"))["hits"]
    assert {h["id"]: h["relation_confirmed"] for h in every}[old[FIX]] == {"continued": True}
    assert all(h["relation_confirmed"] is None for h in every if h["relation"] in
               (None, "unreviewed"))

    # a link's rationale is a note hit with the link's relation: not a commitment's verdict
    notes = json.loads(run(pair, capsys, "search", "target", "--kind", "note", "--json"))
    assert [(h["relation"], h["relation_confirmed"]) for h in notes["hits"]] == [
        ("reversed", None)]
    text = run(pair, capsys, "search", "every OR resurface", "--relation", "reversed")
    assert "    Relation: Reversed (✓ confirmed)" in text, text
    assert "    Relation: Reversed (suggested, not yet confirmed)" in text, text


def test_a_relation_pack_says_proposals_are_in_it():
    titles = {"a": "Plan A", "b": "Plan B"}
    said = describe_selection(PackSelection(to_plan="b", relation="reversed"), titles)
    assert said == ("Commitments whose link into Plan B is “Reversed” (an officer's confirmed "
                    "verdict or only a proposal)")
    only = describe_selection(PackSelection(to_plan="b", relation="reversed", with_verdict=True),
                              titles)
    assert "proposal" not in only and only.endswith("with a confirmed verdict")
