"""What the CLI says after an officer's edit names what it did and how to take it back (the
lead, round 13, from qa13's and qa13c's walks): `delete` printed the word "UUID" for the id,
`unmark` said only "Un-marked.", and `suggest --text` printed "p. :" for a typed passage."""

from __future__ import annotations

import json

from tests.lineage.synth import FIX
from tests.lineage.synth import ROADS_NEW as NEW
from tests.lineage.synth import ROADS_OLD as OLD
from tests.lineage.test_cli_proposals_qa12 import ids, pair, run  # noqa: F401 - fixture


def test_delete_and_unmark_name_what_they_did(pair, capsys):  # noqa: F811
    old = ids(pair, capsys, OLD)
    said = json.loads(run(pair, capsys, "annotate", OLD, "--commitment", str(old[FIX]),
                          "--note", "check", "--json"))
    uuid = said["value"]["uuid"]
    text = run(pair, capsys, "delete", uuid)
    assert f"workbench trash --restore {uuid}" in text and "workbench undo" in text, text
    text = run(pair, capsys, "unmark", str(old[FIX]))
    assert text.startswith(f"Un-marked {old[FIX]}:"), text
    assert FIX not in ids(pair, capsys, OLD)
    run(pair, capsys, "undo")  # as the message says, undo marks it again
    assert FIX in ids(pair, capsys, OLD)


def test_suggest_for_a_typed_passage_prints_no_empty_page(pair, capsys):  # noqa: F811
    text = run(pair, capsys, "suggest", "--from", OLD, "--to", NEW, "--text",
               "We will fix every pothole quickly.")
    assert "p. :" not in text and text.startswith("["), text
