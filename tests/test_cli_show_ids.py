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


def test_a_heading_with_no_text_of_its_own_names_its_subsections(tmp_path, capsys):
    """qa12: "AIM 1: PUTTING RESIDENTS FIRST" (its text all under "Our objectives") printed
    its heading and nothing else."""
    from dataclasses import replace

    from tests.lineage.synth import make_extraction
    from workbench.model import PlanMeta

    ex = make_extraction([("Objectives", ["We will fix every pothole within 28 days."])])
    child = replace(ex.sections[0], ordinal=1, level=2, path=("Aim 1", "Objectives"))
    aim = replace(ex.sections[0], ordinal=0, heading="Aim 1", level=1, path=("Aim 1",),
                  text="")
    commitments = tuple(replace(c, section_ordinal=1) for c in ex.commitments)
    ex = replace(ex, sections=(aim, child), commitments=commitments)
    root = tmp_path / "library"
    wb = compose.open_workbench(root)
    wb.store.add_document(slug="aims-2025", meta=PlanMeta(title="Aims", published="2025"),
                          extraction=ex, file_name="aims.pdf",
                          stored_path=f"files/{ex.sha256}.pdf")
    aim_id, child_id = (s.id for s in wb.store.sections("aims-2025"))
    compose.close_workbench(wb)
    assert ui.cli.main(["show", "aims-2025", "--section", str(aim_id),
                        "--library", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:] == ["No text of its own; its subsections:",
                         f"  {child_id:6} Objectives  p. 2"], lines
