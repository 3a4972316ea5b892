"""A link an officer confirmed without a relation ("unreviewed") is no verdict, and every
screen and command says so (qa13). Packs and review coverage have counted it as no verdict
since round 12 (``workbench.links.is_verdict``); `workbench lineage` printed it as
``--unreviewed-->`` like a verdict, `workbench compare` marked it ``confirmed`` and neither
its text nor anything else told a verdict from the engine's proposal.

The screens' own tests (thread, review, compare) are in ``tests/ui/test_unreviewed_words_qa13.py``.
"""

from __future__ import annotations

import json

from tests.lineage.synth import FIX, FIX_NEW, RESURFACE, RESURFACE_NEW
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from tests.lineage.test_cli_proposals_qa12 import ids, pair, run  # noqa: F401 - fixture
from workbench.anchoring import Anchor
from workbench.links import link_standing
from workbench.records import Link, Ref


def _ref(text: str, plan: str = "a") -> Ref:
    return Ref(plan, Anchor(text, "", "", 0, "1", 0, len(text), "sha"))


def test_one_wording_of_where_a_link_stands():
    src, tgt = _ref("We will open a lido."), (_ref("No lido.", "b"),)
    verdict = Link("l1", src, "b", "reversed", tgt, "confirmed", rationale="Closed.",
                   confirmed_by="Alex", confirmed_at="2026-05-01T10:00:00Z")
    assert link_standing(verdict) == "Confirmed by Alex on 2026-05-01"
    linked = Link("l2", src, "b", "unreviewed", tgt, "confirmed", confirmed_by="Alex",
                  confirmed_at="2026-05-01T10:00:00Z")
    assert link_standing(linked) == ("Linked by Alex on 2026-05-01; relation not yet "
                                     "reviewed, so no verdict")
    person = Link("l3", src, "b", "reversed", tgt, created_by="clerk",
                  created_at="2026-05-02T10:00:00Z")
    assert link_standing(person) == "Proposed by clerk on 2026-05-02; not confirmed"
    machine = Link("l4", src, "b", "reversed", tgt, confidence=0.6, reasons=("cue",))
    assert link_standing(machine) == "Proposed by the machine; not confirmed"


def test_lineage_says_a_confirmed_unreviewed_link_is_no_verdict(pair, capsys):  # noqa: F811
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    said = run(pair, capsys, "link", "--user", "clerk", str(old[FIX]), str(new[FIX_NEW]),
               "--relation", "unreviewed", "--confirm")
    assert said.startswith("Linked (unreviewed, confirmed; relation not yet reviewed, so no "
                           "verdict): "), said
    run(pair, capsys, "link", "--user", "clerk", str(old[RESURFACE]), str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "Target dropped.", "--confirm")

    said = run(pair, capsys, "lineage", str(old[FIX]))
    assert "--linked--> (relation not yet reviewed, so no verdict) Roads 2026" in said, said
    assert "--unreviewed-->" not in said
    day = said.split("Linked by clerk on ")[1][:10]  # who and when, as the window says it
    assert f"    Linked by clerk on {day}; relation not yet reviewed, so no verdict." in said
    data = json.loads(run(pair, capsys, "lineage", str(old[FIX]), "--json"))
    assert [s["verdict"] for s in data["steps"]] == [None, None]
    assert data["links"][0]["state"] == "confirmed" and data["links"][0]["verdict"] is None
    data = json.loads(run(pair, capsys, "lineage", str(old[RESURFACE]), "--json"))
    assert [s["verdict"] for s in data["steps"]] == [None, True]
    said = run(pair, capsys, "lineage", str(old[RESURFACE]))
    assert "--reversed--> Roads 2026" in said
    assert f"    Confirmed by clerk on {day}. Why: Target dropped." in said, said


def compared_with_two_links(pair, capsys, monkeypatch) -> tuple[dict, dict, dict]:  # noqa: F811
    """FIX confirmed as "unreviewed" (no verdict) and RESURFACE as a reversal verdict, then
    `compare --json`: the earlier and later ids, and the commitment pairs by earlier text."""
    monkeypatch.setenv("WORKBENCH_EMBEDDINGS", "off")  # the pairs here come from links
    old, new = ids(pair, capsys, OLD), ids(pair, capsys, NEW)
    run(pair, capsys, "link", "--user", "clerk", str(old[FIX]), str(new[FIX_NEW]),
        "--relation", "unreviewed", "--confirm")
    run(pair, capsys, "link", "--user", "clerk", str(old[RESURFACE]), str(new[RESURFACE_NEW]),
        "--relation", "reversed", "--rationale", "Target dropped.", "--confirm")
    data = json.loads(run(pair, capsys, "compare", OLD, NEW, "--json"))
    return old, new, {p["left"]["text"]: p for sp in data["pairs"] for p in sp["pairs"]}


def test_compare_tells_a_verdict_from_a_link_and_a_proposal(pair, capsys, monkeypatch):  # noqa: F811
    _old, _new, pairs = compared_with_two_links(pair, capsys, monkeypatch)
    assert pairs[RESURFACE]["confirmed"] is True
    assert pairs[FIX]["confirmed"] is False
    assert pairs[FIX]["reasons"] == ["linked by an officer; relation not yet reviewed, "
                                     "so no verdict"]
    text = run(pair, capsys, "compare", OLD, NEW)
    line = {ln.split("→")[0].strip(" •"): ln for ln in text.splitlines() if "→" in ln}
    assert "reversed ✓" in line[RESURFACE], text
    assert "linked, no verdict" in line[FIX], text
    assert "✓ an officer's confirmed verdict; ? the engine's proposal" in text
