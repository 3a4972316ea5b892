"""The window's search hits say whether a commitment's relation is an officer's verdict or
only a proposal (qa13): the relation filter finds both, and a hit said neither."""

from __future__ import annotations

from tests.lineage.synth import FIX, FIX_NEW, LIGHTS, RESURFACE, RESURFACE_NEW, add_roads_pair
from ui import compose
from ui.models.search import HeaderRole


def test_search_hits_say_verdict_or_proposal(qtbot, open_window, tmp_path):
    root = tmp_path / "library"
    wb = compose.open_workbench(root)
    add_roads_pair(wb.store)
    recs = compose.records_for(wb, "clerk")
    key = {c.text: c.key for plan in ("roads-2024", "roads-2026") for c in recs.effective_commitments(plan)}
    recs.link(key[RESURFACE], [key[RESURFACE_NEW]], relation="reversed", rationale="Dropped.",
              confirm=True)
    recs.link(key[LIGHTS], [key[RESURFACE_NEW]], relation="reversed", rationale="Maybe.")
    recs.link(key[FIX], [key[FIX_NEW]], relation="unreviewed", confirm=True)
    wb.sync_index()
    compose.close_workbench(wb)

    window = open_window(root)
    window.focus_search()
    panel = window.search_panel
    with qtbot.waitSignal(panel.search_finished, timeout=15000):
        panel.set_query("every OR resurface", immediately=True)
    heads = {panel.model.index(r).data(HeaderRole) for r in range(panel.model.rowCount())}
    assert any(h.endswith("Commitment · Reversed (✓ confirmed) · Roads") for h in heads), heads
    assert any("Commitment · Reversed (suggested, not yet confirmed)" in h for h in heads), heads
    assert not any("Unreviewed" in h for h in heads), heads  # no relation: nothing to say
