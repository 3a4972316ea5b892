"""The export manifest's format (qa13). Round 12 added ``with_verdict`` to the selection but
kept format 1, so a round-11 app reading a with-verdict pack's manifest ignored the key it did
not know and compared (or regenerated) a pack of every item. A manifest now says the oldest
format that reads it right: 2 for a with-verdict selection, 1 otherwise; this app reads both.

``tests/data/manifests/pack-format1-r11.json`` is a real older manifest: written by the
round-11 code (main 759f40d, ``workbench.pack.manifest_of``) for ``tests.export.packs
.sample_pack().sanitised()`` as a PDF, then checked in unchanged. Its selection has no
``with_verdict`` key and its item hashes are those of that code, so it also pins
``PackItem.content_hash``: a change there would call every item of every older pack "Changed".
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.export.packs import sample_pack
from workbench.errors import InvalidInput
from workbench.pack_manifest import MANIFEST_FORMAT, diff_packs, manifest_of

OLD = Path(__file__).parents[1] / "data" / "manifests" / "pack-format1-r11.json"


def old_manifest() -> dict:
    return json.loads(OLD.read_text(encoding="utf-8"))


def test_a_round_11_manifest_still_diffs():
    old = old_manifest()
    assert old["format"] == 1 and "with_verdict" not in old["selection"]
    pack = sample_pack().sanitised()
    assert diff_packs(old, pack) == ("No changes since the pack of library revision 412.",)
    fewer = replace(pack, items=pack.items[:2])
    assert diff_packs(old, fewer) == (
        "Removed: Emission reduction pathways to Net Zero by 2050 (Framing Kent's Future · "
        "Priority 3: Environmental step change · p. 19)",)
    edited = replace(pack, items=(replace(pack.items[0], quote="Another quote."),
                                  *pack.items[1:]))
    (changed,) = diff_packs(old, edited)
    assert changed.startswith("Changed: Net Zero for KCC")


def test_a_with_verdict_manifest_is_format_2_and_others_stay_1():
    pack = sample_pack().sanitised()
    assert manifest_of(pack)["format"] == 1  # an older app reads it right: it still may
    verdict = replace(pack, selection=replace(pack.selection, with_verdict=True))
    written = manifest_of(verdict)
    assert written["format"] == 2 == MANIFEST_FORMAT
    assert written["selection"]["with_verdict"] is True
    assert diff_packs(written, verdict) == (
        "No changes since the pack of library revision 412.",)
    with pytest.raises(InvalidInput, match="different selection"):
        diff_packs(written, pack)  # the filter is read, not dropped


def test_a_newer_manifest_is_refused_with_a_reason():
    newer = {**old_manifest(), "format": MANIFEST_FORMAT + 1}
    with pytest.raises(InvalidInput, match="newer version of Plan Workbench"):
        diff_packs(newer, sample_pack().sanitised())
    with pytest.raises(InvalidInput, match="another version"):
        diff_packs({**old_manifest(), "format": "1"}, sample_pack().sanitised())
