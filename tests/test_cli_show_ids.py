"""`workbench show PLAN --section ID` as an officer reads it (qa12): the section's commitments
with the ids that `link`, `status`, `lineage` and `basket add` take, which only --json gave."""

from __future__ import annotations

import ui.cli
from tests.lineage.synth import add_plan
from ui import compose


def test_a_section_lists_its_commitments_with_their_ids(tmp_path, capsys):
    root = tmp_path / "library"
    wb = compose.open_workbench(root)
    add_plan(wb.store, "roads-2024", "2024",
             [("Roads", ["We will fix every pothole within 28 days.",
                         "We will resurface 250 miles of road by 2027, " + "and more " * 20])])
    ids = [c.commitment_id for c in compose.records_for(wb, "").effective_commitments(
        "roads-2024")]
    section = wb.store.sections("roads-2024")[0].id
    compose.close_workbench(wb)

    assert ui.cli.main(["show", "roads-2024", "--library", str(root)]) == 0
    plan = capsys.readouterr().out
    assert "Commitments: 2 (`show roads-2024 --section ID` lists a section's, with their ids)" \
        in plan
    assert ui.cli.main(["show", "roads-2024", "--section", str(section),
                        "--library", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("Commitments (2):")
    assert lines[at + 1] == f"  [{ids[0]}] p. 2: We will fix every pothole within 28 days."
    assert lines[at + 2].startswith(f"  [{ids[1]}] p. 2") and lines[at + 2].endswith("…")
    assert len(lines[at + 2]) < 130  # one line per commitment, however long its text
