"""The lineage CLI as a user runs it, on the sample library; JSON read back."""

from __future__ import annotations

import json

from tests.conftest import run_cli

F, R = "framing-kents-future-2022", "reforming-kent-2025"


def ok(proc):
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def cli(lib, *args):
    return run_cli(*args, "--json", "--user", "alice", library=lib)


def commitment_id(lib, plan, start):
    show = json.loads(run_cli("show", plan, "--json", library=lib, check=True).stdout)
    return next(c["id"] for c in show["commitments"] if c["text"].startswith(start))


def test_suggest_json_contract(sample_library):
    data = ok(cli(sample_library, "suggest", "--from", F, "--to", R, "--limit", "3"))
    assert data["from"] == F and data["to"] == R
    assert len(data["suggestions"]) > 100
    for s in data["suggestions"]:
        assert {"id", "text", "section", "page_label", "relation", "reasons",
                "candidates"} <= set(s)
        assert len(s["candidates"]) <= 3
        for c in s["candidates"]:
            assert {"id", "text", "page_label", "score", "relation", "reasons"} <= set(c)
            assert 0.0 <= c["score"] <= 1.0, c  # a share (shown as "match NN %"), never 146 %
    net_zero = next(s for s in data["suggestions"]
                    if s["text"].startswith("Our commitment is to work towards Kent being Net"))
    assert net_zero["relation"] == "reversed"
    assert any("reversal cue" in r for r in net_zero["reasons"])


def test_annotate_link_status_lineage_coverage_undo(sample_library):
    lib = sample_library
    src = commitment_id(lib, F, "Our commitment is to work towards Kent being Net Zero")
    tgt = commitment_id(lib, R, "We will rescind the County Councils Climate Emergency")
    ann = ok(cli(lib, "annotate", F, "--commitment", str(src), "--note", "Net Zero 2050",
                 "--tag", "Climate / Net Zero"))
    assert ann["value"]["anchor"]["page_label"] and ann["value"]["tags"]
    quote = ok(cli(lib, "annotate", R, "--page", "11", "--quote", "climate emergency"))
    assert quote["value"]["anchor"]["exact"].casefold() == "climate emergency"
    listed = ok(cli(lib, "annotations", F))
    assert listed[0]["tag_names"] == ["Climate / Net Zero"]
    bad = run_cli("link", str(src), str(tgt), "--relation", "reversed", "--confirm",
                  library=lib)
    assert bad.returncode == 1 and "rationale" in bad.stderr and bad.stderr.count("\n") == 1
    link = ok(cli(lib, "link", str(src), str(tgt), "--relation", "reversed", "--confirm",
                  "--rationale", "Climate emergency declaration rescinded in 2025"))
    assert link["value"]["state"] == "confirmed" and link["value"]["confirmed_by"] == "alice"
    ok(cli(lib, "status", str(src), "--status", "superseded", "--as-at", "2025-05"))
    thread = ok(cli(lib, "lineage", str(src)))
    assert [s["plan"] for s in thread["steps"]] == [F, R]
    assert thread["steps"][1]["relation"] == "reversed"
    assert thread["steps"][0]["status"]["status"] == "superseded"
    cov = ok(cli(lib, "coverage", "--from", F, "--to", R))
    assert cov["confirmed"] == 1 and cov["total"] > 100
    assert cov["summary"].startswith("1 of ")
    found = ok(run_cli("search", "rescinded", "--json", library=lib))
    assert any(h["kind"] == "note" and h["plan"] == F for h in found["hits"])
    undone = ok(cli(lib, "undo"))
    assert undone["action"] == "undo"
    assert ok(cli(lib, "lineage", str(src)))["steps"][0]["status"] is None
    ok(cli(lib, "redo"))
    trashed = ok(cli(lib, "delete", ann["value"]["uuid"]))
    assert trashed["action"] == "delete_annotation"
    assert [t["uuid"] for t in ok(cli(lib, "trash"))] == [ann["value"]["uuid"]]
    ok(cli(lib, "trash", "--restore", ann["value"]["uuid"]))
    assert (lib / "sidecars" / f"{F}.json").is_file()
    assert ok(run_cli("check", "--json", library=lib))["ok"]


def test_errors_are_one_line(sample_library):
    for args, code in ((("link", "999999", "--relation", "continued"), 1),
                       (("status", "1", "--status", "bogus", "--as-at", "2025"), 2),
                       (("undo",), 1),
                       (("annotate", F, "--page", "5", "--quote", "no such words here"), 1)):
        proc = run_cli(*args, library=sample_library)
        assert proc.returncode == code, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_a_plain_link_never_downgrades_a_confirmed_verdict(sample_library):
    """An officer's confirmed verdict survives an unconfirmed ``link`` of the same pair (the
    command says whose verdict it is and how to change it); a deliberate change with
    ``--confirm`` and a rationale keeps the record consistent, the old verdict in the link's
    history, and ``undo`` brings it back."""
    lib = sample_library
    src = str(commitment_id(lib, F, "Our commitment is to work towards Kent being Net Zero"))
    tgt = str(commitment_id(lib, R, "We will rescind the County Councils Climate Emergency"))

    def verdict():
        links = ok(cli(lib, "lineage", src))["links"]
        assert len(links) == 1
        return {k: links[0][k] for k in ("relation", "state", "rationale", "confirmed_by")}

    first = {"relation": "scaled_back", "state": "confirmed", "rationale": "first verdict",
             "confirmed_by": "A. Officer"}
    ok(run_cli("link", src, tgt, "--relation", "scaled_back", "--confirm", "--rationale",
               "first verdict", "--user", "A. Officer", "--json", library=lib))
    assert verdict() == first
    plain = run_cli("link", src, tgt, "--relation", "reversed", "--user", "B. Officer",
                    library=lib)
    assert plain.returncode == 1 and plain.stderr.count("\n") == 1, plain.stderr
    for words in ("confirmed verdict", "Scaled back", "A. Officer", "--confirm", "--rationale"):
        assert words in plain.stderr, (words, plain.stderr)
    assert verdict() == first
    unsaid = run_cli("link", src, tgt, "--relation", "continued", "--confirm", library=lib)
    assert unsaid.returncode == 1 and "rationale" in unsaid.stderr
    assert verdict() == first
    changed = ok(run_cli("link", src, tgt, "--relation", "reversed", "--confirm",
                         "--rationale", "rescinded in 2025", "--user", "B. Officer", "--json",
                         library=lib))
    assert changed["value"]["history"][-1]["rationale"] == "first verdict"
    assert changed["value"]["history"][-1]["relation"] == "scaled_back"
    assert verdict() == {"relation": "reversed", "state": "confirmed",
                         "rationale": "rescinded in 2025", "confirmed_by": "B. Officer"}
    history = ok(cli(lib, "lineage", src))["links"][0]["history"]
    assert [(h["relation"], h["rationale"], h["by"]) for h in history] == [
        ("scaled_back", "first verdict", "A. Officer")]
    told = run_cli("lineage", src, library=lib, check=True).stdout
    assert "earlier verdict" in told and "first verdict" in told and "A. Officer" in told
    sidecar = json.loads((lib / "sidecars" / f"{F}.json").read_text(encoding="utf-8"))
    assert sidecar["links"][0]["history"][-1]["by"] == "A. Officer"
    ok(cli(lib, "undo"))
    assert verdict() == first
