"""Re-segmenting an imported plan (after an upgrade of the segmenter) keeps user work.

Through the CLI as a user runs it: import a plan, annotate a passage and mark a sentence as a
commitment by hand, make the stored units stale (as an older segmenter would have left them),
then ``workbench resegment``: the units and their kinds come back, the report says the records
were re-anchored, and the annotation and the hand mark are still anchored.
"""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

from db.rows import unit_fingerprint
from tests.conftest import run_cli
from tests.pdfgen import Page, bullet, heading, make_pdf, para


def _plan(path):
    return make_pdf(path, [Page([
        heading("Priority 1: Roads", 1),
        para("The county has 5,000 miles of road and residents told us potholes matter most."),
        para("We will:"),
        bullet("Resurface 250 miles of road by 2027"),
        bullet("Fix every reported pothole within 28 days"),
        para("Progress will be reported to Cabinet. Our libraries stay open on Saturdays."),
        heading("How we will measure success", 2),
        bullet("Number of potholes repaired each year"),
    ], footer="Page {label}")], title="Roads plan")


def _show(lib):
    return json.loads(run_cli("show", "roads", "--json", library=lib, check=True).stdout)


def test_resegment_restores_units_and_reanchors_user_records(tmp_path):
    lib = tmp_path / "lib"
    pdf = _plan(tmp_path / "roads.pdf")
    run_cli("import", str(pdf), library=lib, check=True)
    run_cli("edit", "roads", "--title", "Roads plan", library=lib, check=True)
    before = _show(lib)["commitments"]
    texts = {c["text"]: c for c in before}
    item = texts["Resurface 250 miles of road by 2027"]
    assert item["kind"] in ("commitment", "target") and item["lead_in"] == "We will:"
    assert all(c["kind"] in ("commitment", "ask", "target", "measure") for c in before)
    run_cli("annotate", "roads", "--page", "1", "--quote", "potholes matter most",
            "--note", "check", library=lib, check=True)
    run_cli("mark", "roads", "--page", "1", "--quote", "Our libraries stay open on Saturdays.",
            library=lib, check=True)
    with sqlite3.connect(lib / "workbench.db") as db:  # what an older segmenter left behind
        db.execute("DELETE FROM commitments")
    assert [c["text"] for c in _show(lib)["commitments"]] == [  # only the hand mark is left
        "Our libraries stay open on Saturdays."]

    proc = run_cli("resegment", "roads", library=lib, check=True)
    assert "Re-segmented roads" in proc.stdout and "re-anchored" in proc.stdout

    after = [c for c in _show(lib)["commitments"] if not str(c["id"]).startswith("m:")]
    assert [(c["text"], c["kind"], c["lead_in"]) for c in after] == \
        [(c["text"], c["kind"], c["lead_in"]) for c in before]
    with sqlite3.connect(lib / "workbench.db") as db:
        states = [r[0] for r in db.execute(
            "SELECT anchor_status FROM annotations UNION ALL SELECT anchor_status FROM corrections")]
        audit = [r[0] for r in db.execute("SELECT action FROM audit_log")]
    assert len(states) == 2 and "orphaned" not in states
    assert "resegment" in audit


def test_resegment_leaves_a_plan_read_by_ocr_as_it_is(tmp_path):
    """Review (round 10): resegment read the stored file again without OCR, so an OCR'd
    plan's scanned pages came back empty and its units vanished. It now leaves such a plan
    alone and says how to read it again (``workbench ocr``); other plans go on."""
    lib = tmp_path / "lib"
    run_cli("import", str(_plan(tmp_path / "roads.pdf")), library=lib, check=True)
    with sqlite3.connect(lib / "workbench.db") as db:  # as an OCR reading stores its pages
        db.execute("UPDATE pages SET ocr_confidence = 0.91")
        db.execute("UPDATE pages SET text = 'Read by OCR: we will fix every pothole.'")
    before = _show(lib)
    proc = run_cli("resegment", library=lib, check=True)
    assert "Left roads as it is" in proc.stdout and "workbench ocr roads" in proc.stdout
    with sqlite3.connect(lib / "workbench.db") as db:
        texts = [r[0] for r in db.execute("SELECT text FROM pages")]
    assert texts == ["Read by OCR: we will fix every pothole."]
    assert _show(lib) == before


def test_resegment_keeps_the_ids_of_units_it_finds_again_and_never_reuses_one(tmp_path):
    """fix11: an officer notes ``c:<id>`` from ``workbench show``; after a resegment that id
    names the same passage (its text and place unchanged) or nothing, never another passage.
    The older segmenter here missed one list item and cut another short; reading the file again
    finds both, which shifted every later unit's id when ids were handed out afresh."""
    lib = tmp_path / "lib"
    run_cli("import", str(_plan(tmp_path / "roads.pdf")), library=lib, check=True)
    first = {c["text"]: c["id"] for c in _show(lib)["commitments"]}
    missed, cut = "Fix every reported pothole within 28 days", "Number of potholes repaired"
    with sqlite3.connect(lib / "workbench.db") as db:  # what an older segmenter left behind
        db.execute("DELETE FROM commitments WHERE id = ?", [first[missed]])
        db.execute("UPDATE commitments SET text = ?, char_end = char_start + ? WHERE id = ?",
                   [cut, len(cut), first[cut + " each year"]])
    noted = {c["id"]: c["text"] for c in _show(lib)["commitments"]}  # what the officer saw
    assert noted[first[cut + " each year"]] == cut

    proc = run_cli("resegment", "roads", library=lib, check=True)

    now = {c["id"]: c["text"] for c in _show(lib)["commitments"]}
    assert sorted(now.values()) == sorted(first)  # every unit found again
    for cid, text in noted.items():
        assert now.get(cid, text) == text, (cid, text, now.get(cid))
    unchanged = {cid for cid, text in noted.items() if text != cut}
    assert unchanged <= set(now)  # found again with the same text and place: the same id
    assert first[cut + " each year"] not in now  # the cut unit's id names nothing now
    assert first[missed] not in now  # nor does an id a removed row once had
    assert f"{len(unchanged)} kept" in proc.stdout and "2 new" in proc.stdout, proc.stdout


def test_an_id_a_resegment_retires_is_not_given_to_a_later_import(tmp_path):
    """fix11: a spurious unit an older segmenter stored last (the highest id) is gone after a
    resegment; SQLite would hand its id (max + 1) to the next plan imported, so a noted
    ``c:<id>`` would name a passage of another plan. The library remembers the highest id."""
    lib = tmp_path / "lib"
    run_cli("import", str(_plan(tmp_path / "roads.pdf")), library=lib, check=True)
    with sqlite3.connect(lib / "workbench.db") as db:  # a spurious unit, stored last
        db.execute("INSERT INTO commitments (document_id, section_id, ordinal, text, "
                   "page_index, page_label, char_start, char_end, fingerprint) SELECT document_id, "
                   "section_id, 99, 'Page 1', page_index, page_label, 0, 6, 'x' "
                   "FROM commitments LIMIT 1")
        spurious = db.execute("SELECT max(id) FROM commitments").fetchone()[0]
    assert "Page 1" in {c["text"] for c in _show(lib)["commitments"]}
    run_cli("resegment", "roads", library=lib, check=True)
    assert spurious not in {c["id"] for c in _show(lib)["commitments"]}
    other = make_pdf(tmp_path / "libraries.pdf", [Page([
        heading("Priority 2: Libraries", 1), para("We will:"),
        bullet("Keep every library open on Saturdays")])], title="Libraries plan")
    run_cli("import", str(other), library=lib, check=True)
    with sqlite3.connect(lib / "workbench.db") as db:
        assert db.execute("SELECT count(*) FROM commitments WHERE id = ?",
                          [spurious]).fetchone()[0] == 0



def test_a_unit_that_keeps_its_id_is_found_under_its_mended_heading(tmp_path):
    """Review (round 11): a unit that keeps its id through a resegment kept its old heading in
    the search index, since its stored fingerprint covered only its own text and place; the
    heading a resegment mends is now part of it, so the search shows the new path."""
    lib = tmp_path / "lib"
    run_cli("import", str(_plan(tmp_path / "roads.pdf")), library=lib, check=True)
    old = SimpleNamespace(heading="Roads (old)", path=["Roads (old)"])
    with sqlite3.connect(lib / "workbench.db") as db:  # as an import under an older heading
        db.execute("UPDATE sections SET heading = ?, path = ? WHERE heading = ?",
                   [old.heading, json.dumps(old.path), "Priority 1: Roads"])
        units = db.execute("SELECT c.id, c.text, c.page_index, s.ordinal, c.lead_in, c.kind, "
                           "c.page_label FROM commitments c JOIN sections s "
                           "ON s.id = c.section_id").fetchall()
        for cid, text, page, ordinal, lead_in, kind, label in units:
            unit = SimpleNamespace(text=text, page_index=page, section_ordinal=ordinal,
                                   lead_in=lead_in, kind=kind)
            db.execute("UPDATE commitments SET fingerprint = ? WHERE id = ?",
                       [unit_fingerprint(unit, old, label), cid])
    run_cli("reindex", library=lib, check=True)

    def hit():
        out = run_cli("search", "Resurface", "--json", library=lib, check=True).stdout
        return json.loads(out)["hits"][0]

    before = hit()
    assert before["path"] == old.path
    run_cli("resegment", "roads", library=lib, check=True)
    after = hit()
    assert after["id"] == before["id"]  # the same unit, found again
    assert after["path"] == ["Priority 1: Roads"], after
