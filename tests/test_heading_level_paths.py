"""A hand-fixed heading level moves the heading in the outline, not only its number (qa10 L4).

Through the CLI as a user runs it, on a small generated plan: promote a level-2 heading to
level 1 (the window's outline ▸ Heading level; the CLI has no command for it), then
``show --json``: the promoted heading's path no longer starts with its old parent, the
level-2 heading after it now nests under it, and the rest keep their paths.
"""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.pdfgen import Page, bullet, heading, make_pdf, para
from ui import compose


def _plan(path):
    return make_pdf(path, [Page([
        heading("Priority 1: Roads", 1),
        para("The county has 5,000 miles of road and residents told us potholes matter most."),
        heading("Potholes", 2),
        para("Potholes are the complaint we hear most often from residents."),
        para("We will:"),
        bullet("Fix every reported pothole within 28 days"),
        heading("Bridges", 2),
        para("Several bridges need strengthening before the end of the decade."),
        heading("Priority 2: Libraries", 1),
        para("Our libraries stay open on Saturdays and lend books free of charge."),
    ], footer="Page {label}")], title="Roads plan")


def _paths(lib):
    shown = json.loads(run_cli("show", "roads", "--json", library=lib, check=True).stdout)
    return {s["heading"]: (s["level"], s["path"], s["id"]) for s in shown["sections"]}


def test_a_promoted_heading_and_the_headings_below_it_follow_the_new_level(tmp_path):
    lib = tmp_path / "lib"
    run_cli("import", str(_plan(tmp_path / "roads.pdf")), library=lib, check=True)
    run_cli("edit", "roads", "--title", "Roads plan", library=lib, check=True)
    before = _paths(lib)
    top, mid = "Priority 1: Roads", "Potholes"
    assert before[mid][:2] == (2, [top, mid])  # as the generated plan nests them
    assert before["Bridges"][:2] == (2, [top, "Bridges"])

    wb = compose.open_workbench(lib)
    try:
        recs = compose.records_for(wb, "Cy")
        recs.set_heading_level(before[mid][2], 1)
        under = {c.text: c.path for c in recs.effective_commitments("roads")}
    finally:
        compose.close_workbench(wb)

    after = _paths(lib)
    assert after[mid][:2] == (1, [mid])  # no longer under its former parent
    assert after["Bridges"][:2] == (2, [mid, "Bridges"])  # now follows the promoted heading
    assert after[top] == before[top]  # sections the fix does not move keep their paths
    assert after["Priority 2: Libraries"] == before["Priority 2: Libraries"]
    # a commitment's path is its section's: the review and the matching read it
    assert under["Fix every reported pothole within 28 days"] == (mid,)
