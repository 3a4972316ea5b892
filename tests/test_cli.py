"""The CLI as a user runs it: real processes, real PDFs, JSON read back."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DIR, run_cli
from ui import compose

PLAN_FIELDS = {"slug", "title", "organisation", "published", "status", "pages", "sections",
               "commitments"}
HIT_FIELDS = {"plan", "plan_title", "kind", "id", "path", "page_label", "page_index", "score",
              "snippet", "text"}


def as_json(proc):
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def library_state(root: Path) -> tuple:
    """Row counts of every table plus the hashes of every stored file."""
    conn = sqlite3.connect(root / "workbench.db")
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN "
            "('import_log', 'sqlite_sequence')")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                  for t in tables}
    finally:
        conn.close()
    files = sorted(
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in (root / "files").rglob("*.pdf")
    )
    return counts, files


def test_plans_json_lists_the_five_sample_plans(sample_library):
    plans = as_json(run_cli("plans", "--json", library=sample_library))
    assert [p["slug"] for p in plans] == [
        "kent-vision-2011",
        "kent-five-year-plan-2020-draft",
        "kent-interim-strategic-plan-2020",
        "framing-kents-future-2022",
        "reforming-kent-2025",
    ]
    for p in plans:
        assert PLAN_FIELDS <= set(p)
        assert p["pages"] > 10 and p["sections"] > 5 and p["commitments"] > 5
    reforming = plans[-1]
    assert reforming["title"] == "Reforming Kent 2025-2028"
    assert reforming["supersedes"] == "framing-kents-future-2022"
    assert reforming["stage"] == "adopted"
    assert plans[1]["stage"] == "draft"


def test_show_json_has_sections_and_commitments_with_printed_pages(sample_library):
    data = as_json(run_cli("show", "framing-kents-future-2022", "--json", library=sample_library))
    headings = [s["heading"] for s in data["sections"]]
    for h in ("Priority 1: Levelling up Kent", "Priority 4: New models of care and support"):
        assert h in headings
    for s in data["sections"]:
        assert {"id", "heading", "level", "path", "page_start", "page_end"} <= set(s)
        assert s["path"][-1] == s["heading"]
    c = data["commitments"][0]
    assert c["kind"] == "commitment" and c["text"] and c["page_label"]
    assert {s["id"] for s in data["sections"]} >= {c["section_id"] for c in data["commitments"]}
    one = data["sections"][3]
    section = as_json(run_cli("show", "framing-kents-future-2022", "--section", str(one["id"]),
                              "--json", library=sample_library))
    assert section["heading"] == one["heading"] and section["text"]


def test_search_json_contract_and_phrase(sample_library):
    data = as_json(run_cli("search", '"climate emergency"', "--json", library=sample_library))
    assert data["hits"], data
    for hit in data["hits"]:
        assert HIT_FIELDS <= set(hit)
        where = " ".join((hit["text"] + " " + " ".join(hit["path"])).casefold().split())
        assert "climate emergency" in where  # in the passage or its heading
    assert any("[[" in hit["snippet"] for hit in data["hits"])
    assert "climate emergency" in " ".join(data["hits"][0]["text"].casefold().split())
    assert "reforming-kent-2025" in {h["plan"] for h in data["hits"]}
    only = as_json(run_cli("search", "climate", "--plan", "kent-vision-2011", "--kind",
                           "commitment", "--json", library=sample_library))
    assert all(h["plan"] == "kent-vision-2011" and h["kind"] == "commitment"
               for h in only["hits"])


def test_search_json_citation_names_a_repeated_heading_by_its_path(sample_library):
    # "Our objectives" heads a section under several aims of the 2025 plan: the citation
    # must say which one, while a heading used once is cited on its own
    data = as_json(run_cli("search", "objectives", "--plan", "reforming-kent-2025", "--kind",
                           "section", "--json", "--limit", "50", library=sample_library))
    cites = {tuple(h["path"]): h["citation"] for h in data["hits"]}
    repeated = [p for p in cites if p[-1] == "Our objectives"]
    assert repeated, cites
    for p in repeated:
        assert cites[p] == " › ".join(p[-2:])
    assert all(c == p[-1] for p, c in cites.items() if p[-1] != "Our objectives")


def test_search_stems_and_filters_by_date(sample_library):
    data = as_json(run_cli("search", "potholes", "--json", "--limit", "50",
                           library=sample_library))
    assert any("pothole" in h["text"].casefold() for h in data["hits"])
    recent = as_json(run_cli("search", "economy", "--from", "2022", "--json", "--limit", "100",
                             library=sample_library))
    assert recent["hits"]
    assert {h["plan"] for h in recent["hits"]} <= {"framing-kents-future-2022",
                                                   "reforming-kent-2025"}


@pytest.mark.parametrize("query", ['"', "((((", "owner:alice", "*:*", "\u202eevil", "a" * 5000, "NOT"])
def test_hostile_queries_never_crash(sample_library, query):
    proc = run_cli("search", query, "--json", library=sample_library)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    json.loads(proc.stdout)


def test_reimport_is_a_no_op_and_renamed_copy_is_recognised(sample_library, tmp_path):
    before = library_state(sample_library)
    copy = tmp_path / "renamed copy.pdf"
    shutil.copy(SAMPLE_DIR / "reforming-kent-2025.pdf", copy)
    data = as_json(run_cli("import", str(copy), "--json", library=sample_library))
    (outcome,) = data["outcomes"]
    assert outcome["status"] == "duplicate" and outcome["slug"] == "reforming-kent-2025"
    assert library_state(sample_library) == before


def test_library_keeps_its_own_copy(tmp_path):
    lib = tmp_path / "lib"
    src = tmp_path / "incoming"
    src.mkdir()
    pdf = src / "plan.pdf"
    shutil.copy(SAMPLE_DIR / "kent-interim-strategic-plan-2020.pdf", pdf)
    run_cli("import", str(pdf), library=lib, check=True)
    pdf.unlink()
    src.rmdir()
    assert as_json(run_cli("check", "--json", library=lib))["ok"]
    hits = as_json(run_cli("search", "recovery", "--json", library=lib))["hits"]
    assert hits and hits[0]["plan"] == "plan"


def bad_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "empty": folder / "empty.pdf",
        "png": folder / "picture.pdf",
        "html": folder / "page.pdf",
        "zip": folder / "archive.pdf",
        "random": folder / "-dash ünïcode name.pdf",
    }
    files["empty"].write_bytes(b"")
    files["png"].write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    )
    files["html"].write_text("<html><body><h1>Not a plan</h1></body></html>", encoding="utf-8")
    files["zip"].write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    files["random"].write_bytes(bytes(range(256)) * 40)
    return files


def test_bad_files_are_refused_with_one_line_and_nothing_changes(sample_library, tmp_path):
    before = library_state(sample_library)
    for name, path in bad_files(tmp_path / "bad").items():
        proc = run_cli("import", str(path), library=sample_library)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, (name, proc.stderr)
        assert "Traceback" not in proc.stderr
        expected = "is empty" if name == "empty" else "not a PDF"
        assert expected in lines[0], (name, lines[0])
        assert path.name in lines[0]
    assert library_state(sample_library) == before
    log = as_json(run_cli("log", "--json", library=sample_library))
    assert sum(1 for r in log if r["outcome"] == "refused") == 5


def test_missing_file_and_usage_errors(tmp_path):
    proc = run_cli("import", str(tmp_path / "nope.pdf"), library=tmp_path / "lib")
    assert proc.returncode == 1 and "no such file" in proc.stderr
    proc = run_cli("frobnicate", library=tmp_path / "lib")
    assert proc.returncode == 2 and "usage error" in proc.stderr
    proc = run_cli("show", "no-such-plan", library=tmp_path / "lib")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "No plan called 'no-such-plan'" in proc.stderr


def test_edit_remove_restore_round_trip(sample_library):
    slug = "kent-interim-strategic-plan-2020"
    edited = as_json(run_cli("edit", slug, "--stage", "withdrawn", "--published", "2020-10",
                             "--json", library=sample_library))
    assert edited["stage"] == "withdrawn" and edited["published"] == "2020-10"
    bad = run_cli("edit", slug, "--published", "October 2020", library=sample_library)
    assert bad.returncode == 1 and "published must be a date" in bad.stderr
    run_cli("remove", slug, library=sample_library, check=True)
    slugs = [p["slug"] for p in as_json(run_cli("plans", "--json", library=sample_library))]
    assert slug not in slugs
    hits = as_json(run_cli("search", "interim", "--plan", slug, "--json",
                           library=sample_library))["hits"]
    assert hits == []
    everything = as_json(run_cli("plans", "--all", "--json", library=sample_library))
    assert slug in [p["slug"] for p in everything]
    run_cli("restore", slug, library=sample_library, check=True)
    hits = as_json(run_cli("search", "interim", "--plan", slug, "--json",
                           library=sample_library))["hits"]
    assert hits


def test_new_version_of_a_plan(sample_library, tmp_path):
    note = as_json(run_cli("annotate", "framing-kents-future-2022", "--page", "19", "--quote",
                           "Kent being Net Zero by 2050", "--note", "check against 2025", "--json",
                           library=sample_library))
    assert note
    reissue = tmp_path / "reissue.pdf"
    shutil.copy(SAMPLE_DIR / "framing-kents-future-2022.pdf", reissue)
    with reissue.open("ab") as f:  # a different file: same content, trailing bytes
        f.write(b"\n% corrected reissue\n")
    data = as_json(run_cli("import", str(reissue), "--replaces", "framing-kents-future-2022",
                           "--json", library=sample_library))
    assert data["outcomes"][0]["status"] == "imported"
    notices = " ".join(data["outcomes"][0]["notices"])
    assert "re-anchored: 1 exact, 0 moved, 0 orphaned" in notices, notices
    plans = {p["slug"]: p for p in as_json(run_cli("plans", "--json", library=sample_library))}
    assert plans["framing-kents-future-2022"]["versions"] == 2
    assert len(plans) == 5
    assert as_json(run_cli("check", "--json", library=sample_library))["ok"]


def test_check_and_reindex_after_index_damage(sample_library):
    assert as_json(run_cli("check", "--json", library=sample_library))["ok"]
    index = sample_library / "index"
    for f in index.iterdir():
        if f.suffix == ".seg" or f.name.endswith(".toc"):
            f.write_bytes(b"garbage")
    proc = run_cli("search", "climate", "--json", library=sample_library)
    assert as_json(proc)["hits"], "search must rebuild a damaged index and still answer"
    assert as_json(run_cli("check", "--json", library=sample_library))["ok"]
    shutil.rmtree(index)
    assert as_json(run_cli("reindex", "--json", library=sample_library))["indexed"] > 100
    assert as_json(run_cli("check", "--json", library=sample_library))["ok"]


def test_check_reports_a_missing_pdf_copy(sample_library):
    victim = next((sample_library / "files").rglob("*.pdf"))
    victim.unlink()
    proc = run_cli("check", "--json", library=sample_library)
    assert proc.returncode == 1
    assert any("missing PDF copy" in p for p in json.loads(proc.stdout)["files"])


def test_search_filters_by_relation_and_status(sample_library):
    lib = sample_library
    hits = as_json(run_cli("search", '"Net Zero by 2050"', "--plan", "framing-kents-future-2022",
                           "--kind", "commitment", "--json", library=lib))["hits"]
    source = hits[0]
    assert source["relation"] == "unreviewed" and source["status"] == "not_assessed"
    target = as_json(run_cli("search", "Net Zero", "--plan", "reforming-kent-2025", "--kind",
                             "commitment", "--json", library=lib))["hits"][0]
    run_cli("link", str(source["id"]), str(target["id"]), "--relation", "reversed",
            "--rationale", "Reforming Kent scraps the Net Zero 2030 target", "--confirm",
            library=lib, check=True)
    run_cli("status", str(source["id"]), "--status", "stalled", "--as-at", "2025-06-01",
            library=lib, check=True)
    reversed_ = as_json(run_cli("search", "net zero", "--relation", "reversed", "--json",
                                library=lib))["hits"]
    kinds = {(h["kind"], h["plan"]) for h in reversed_}
    assert ("commitment", "framing-kents-future-2022") in kinds
    assert ("note", "framing-kents-future-2022") in kinds  # the link's rationale is searchable
    assert all(h["relation"] and "reversed" in h["relation"] for h in reversed_)
    stalled = as_json(run_cli("search", "net zero status:stalled", "--json", library=lib))["hits"]
    assert stalled and {h["status"] for h in stalled} == {"stalled"}
    assert source["id"] in {h["id"] for h in stalled if h["kind"] == "commitment"}
    assert as_json(run_cli("check", "--json", library=lib))["ok"]


def test_search_follows_a_restored_backup(sample_library):
    lib = sample_library
    backup = as_json(run_cli("backup", "--json", library=lib))["backup"]
    run_cli("annotate", "framing-kents-future-2022", "--page", "19", "--quote",
            "Kent being Net Zero by 2050", "--note", "zanzibarian query", library=lib, check=True)
    hits = as_json(run_cli("search", "zanzibarian", "--json", library=lib))["hits"]
    assert [h["kind"] for h in hits] == ["note"]
    run_cli("restore-backup", backup, library=lib, check=True)
    # the index still holds the note; opening the library notices the revision changed
    assert as_json(run_cli("search", "zanzibarian", "--json", library=lib))["hits"] == []
    report = json.loads(run_cli("check", "--json", library=lib).stdout)
    assert report["database"] == [] and report["index"] == []
    # the sidecar still has the note made after the backup: check says so, nothing is lost
    assert any("sidecar" in p and "framing-kents-future-2022" in p for p in report["files"])


def test_check_reports_a_sidecar_that_disagrees_with_the_database(sample_library):
    lib = sample_library
    run_cli("annotate", "framing-kents-future-2022", "--page", "19", "--quote",
            "Kent being Net Zero by 2050", "--note", "sidecar check", library=lib, check=True)
    assert as_json(run_cli("check", "--json", library=lib))["ok"]
    sidecar = lib / "sidecars" / "framing-kents-future-2022.json"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("sidecar check", "tampered"),
                       encoding="utf-8")
    proc = run_cli("check", "--json", library=lib)
    assert proc.returncode == 1
    assert any("sidecar" in p and "framing-kents-future-2022" in p
               for p in json.loads(proc.stdout)["files"])


def test_show_lists_the_commitments_as_corrected_by_hand(tmp_path):
    """`show` listed the extracted commitments whatever the officer had corrected: an
    unmarked passage was still a commitment, the two parts of a split were missing (and
    their m: ids, which link and lineage take, were nowhere to be found), and a heading whose
    level was fixed kept its old level."""
    root = tmp_path / "library"
    run_cli("import", str(SAMPLE_DIR / "reforming-kent-2025.pdf"), library=root,
            check=True)
    slug = "reforming-kent-2025"
    before = as_json(run_cli("show", slug, "--json", library=root))["commitments"]
    gone = before[0]
    whole = next(c for c in before[1:] if len(c["text"].split()) > 12)
    words = whole["text"].split()
    at = " ".join(words[len(words) // 2 : len(words) // 2 + 3])
    run_cli("unmark", str(gone["id"]), "--user", "Cy", library=root, check=True)
    run_cli("split", str(whole["id"]), "--at", at, "--user", "Cy", library=root, check=True)
    sub = next(s for s in as_json(run_cli("show", slug, "--json", library=root))["sections"]
               if s["level"] == 2)
    wb = compose.open_workbench(root)  # the window's "Heading level" menu; the CLI has none
    try:
        compose.records_for(wb, "Cy").set_heading_level(sub["id"], 1)
    finally:
        compose.close_workbench(wb)
    shown = as_json(run_cli("show", slug, "--json", library=root))
    assert next(s for s in shown["sections"] if s["id"] == sub["id"])["level"] == 1
    after = shown["commitments"]
    ids = [c["id"] for c in after]
    assert gone["id"] not in ids and whole["id"] not in ids
    parts = [c for c in after if str(c["id"]).startswith("m:")]
    assert len(parts) == 2 and at in parts[1]["text"]
    assert all(p["page_label"] == whole["page_label"] for p in parts)
    assert len(after) == len(before) - 2 + 2
    text = run_cli("show", slug, library=root, check=True).stdout
    assert f"Commitments: {len(after)}" in text
    lineage = run_cli("lineage", parts[0]["id"], "--json", library=root, check=True)
    assert lineage.returncode == 0


def test_a_locked_pdf_says_how_to_give_its_password(tmp_path):
    """"give its password" did not say how on the command line; the one line now names
    --password, and the library is untouched."""
    from tests.pdfgen import encrypted_pdf

    locked = encrypted_pdf(tmp_path / "locked.pdf", "s3cret")
    root = tmp_path / "library"
    proc = run_cli("import", str(locked), library=root)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "locked.pdf is password-protected; give its password with --password "
        "(it is never stored)"]
    assert as_json(run_cli("plans", "--json", library=root)) == []
    proc = run_cli("import", str(locked), "--password", "s3cret", library=root)
    assert proc.returncode == 0, proc.stderr


def test_a_package_dry_run_names_what_it_would_add(tmp_path):
    """`package import --dry-run` said only "1 new, 0 updated, …": an officer could not tell
    which of a colleague's annotations and verdicts would arrive (or replace theirs)."""
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    run_cli("import", str(SAMPLE_DIR / "reforming-kent-2025.pdf"), library=mine, check=True)
    shutil.copytree(mine, theirs)
    run_cli("annotate", "reforming-kent-2025", "--page", "5", "--quote", "OUR APPROACH",
            "--note", "theirs", "--user", "Ben", library=theirs, check=True)
    package = tmp_path / "ben.zip"
    run_cli("package", "export", "--out", str(package), library=theirs, check=True)
    proc = run_cli("package", "import", str(package), "--dry-run", library=mine, check=True)
    lines = proc.stdout.strip().splitlines()
    assert "1 new" in lines[0]
    assert "  New: Annotation on reforming-kent-2025 p. 5: “OUR APPROACH”" in lines
