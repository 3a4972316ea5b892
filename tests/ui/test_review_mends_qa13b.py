"""The review of qa13's work (qa13b): the link dialog's refusal names a confirmed link marked
"unreviewed" in ``link_standing``'s words, not as a verdict."""

from __future__ import annotations

from types import SimpleNamespace

from tests.lineage.test_earlier_verdicts import ref
from ui.dialogs import link as link_dialog
from workbench.records import Link


def _dialog(qtbot, monkeypatch, existing: Link) -> link_dialog.LinkDialog:
    monkeypatch.setattr(link_dialog.records_ops, "load_link_choices", lambda *a, **k: None)
    dialog = link_dialog.LinkDialog(None, "Bob", "c:1")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.choices = SimpleNamespace(existing=existing)  # type: ignore[assignment]
    dialog.confirm_check.setChecked(False)
    return dialog


def test_the_dialog_does_not_call_a_confirmed_unreviewed_link_a_verdict(qtbot, monkeypatch):
    linked = Link("l1", ref("a", "We will open a lido."), "b", "unreviewed",
                  (ref("b", "We will keep the lido open."),), "confirmed", confirmed_by="Alex",
                  confirmed_at="2026-12-07T10:00:00Z")
    said = _dialog(qtbot, monkeypatch, linked).problem()
    assert said.startswith("This commitment already has a confirmed link (no verdict) about b: "
                           "Unreviewed, linked by Alex on 2026-12-07; relation not yet "
                           "reviewed, so no verdict: a proposal cannot replace it."), said
    verdict = Link("l2", ref("a", "We will open a lido."), "b", "reversed",
                   (ref("b", "We will keep the lido open."),), "confirmed", confirmed_by="Alex",
                   confirmed_at="2026-12-07T10:00:00Z", rationale="Scrapped.")
    said = _dialog(qtbot, monkeypatch, verdict).problem()
    assert said.startswith("This commitment already has a confirmed verdict about b: Reversed, "
                           "confirmed by Alex on 2026-12-07: a proposal cannot replace it."), said
