"""``workbench compare A B --json`` as a user runs it on the sample library (issue 13)."""

from __future__ import annotations

import json

from tests.conftest import run_cli

F, R = "framing-kents-future-2022", "reforming-kent-2025"
ITEM_KEYS = {"kind", "id", "heading", "text", "page_label"}


def test_compare_json_contract(sample_library):
    proc = run_cli("compare", F, R, "--json", library=sample_library)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["earlier"] == F and data["later"] == R
    assert data["pairs"]
    inner = 0
    for pair in data["pairs"]:
        assert {"left", "right", "score", "relation", "reasons", "pairs"} <= set(pair)
        assert pair["left"] is not None or pair["right"] is not None
        for side in (pair["left"], pair["right"]):
            assert side is None or set(side) >= ITEM_KEYS
        for p in pair["pairs"]:
            inner += 1
            assert set(p["left"]) >= ITEM_KEYS and set(p["right"]) >= ITEM_KEYS
            assert isinstance(p["score"], float) and isinstance(p["reasons"], list)
            assert 0.0 <= p["score"] <= 1.0, p  # a share, shown as "match NN %"
    assert inner > 50
    first = data["pairs"][0]
    assert first["left"]["heading"].startswith("Framing")  # title page with title page
    assert first["right"]["heading"].startswith("Reforming")
    forewords = [(p["left"]["heading"], p["right"]["heading"]) for p in data["pairs"]
                 if p["left"] and p["right"] and "FOREWORD" in p["left"]["heading"].upper()]
    assert forewords and "FOREWORD" in forewords[0][1].upper()
    # the Net Zero commitment meets the item that rescinds it, labelled as a reversal
    pairs = [p for sp in data["pairs"] for p in sp["pairs"]]
    net_zero = [p for p in pairs
                if p["left"]["text"].startswith("Our commitment is to work towards Kent being")]
    assert net_zero and net_zero[0]["relation"] in ("reversed", "withdrawn")
    assert any(w in net_zero[0]["right"]["text"].casefold() for w in ("rescind", "scrap"))
    only = {x["text"] for x in data["only_earlier"]}
    assert not only & {p["left"]["text"] for p in pairs}  # "only in" really is unmatched


def test_suggest_for_selected_text_and_for_every_passage(sample_library):
    def run(*extra):
        proc = run_cli("suggest", "--from", F, "--to", R, "--json", *extra, library=sample_library)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["suggestions"]

    (one,) = run("--text", "We will keep the climate emergency declaration and reach net zero "
                           "by 2030.")
    assert one["relation"] in ("reversed", "withdrawn", "replaced")
    assert any(w in one["candidates"][0]["text"].casefold() for w in ("net zero", "climate"))
    commitments = run()
    everything = run("--passages")
    assert len(everything) > len(commitments)
    assert any(str(s["id"]).startswith("p:") for s in everything)
