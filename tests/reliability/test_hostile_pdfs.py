"""Hostile PDFs (T-PDF-07, T-PDF-08, T-SEC-07), built at test time with PyMuPDF.

Every outcome must be one of: imported, imported with a "repaired" notice, or refused with a
specific ``ExtractFailure`` reason and a one-line message; the parent process survives; a
refusal leaves the library unchanged (row counts and file hashes). The headline cases go
through the real CLI.
"""

from __future__ import annotations

import json
import random
import socket
import zlib
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import run_cli
from tests.pdfgen import Page, encrypted_pdf, heading, image_only_pdf, make_pdf, para
from tests.reliability import hostile_files
from tests.reliability.harness import base_seed, count
from tests.test_cli import library_state
from ui import compose
from workbench.errors import ExtractFailure
from workbench.safe_text import is_safe

REASONS = {r.value for r in ExtractFailure}


def _plain(path: Path, title: str = "Hostile plan") -> Path:
    return make_pdf(path, [Page([heading(title), para("We will keep residents safe."),
                                 para("We will: publish the plan.")]),
                           Page([heading("Priority 2"), para("We will deliver roads.")])],
                    title=title)


def _bomb(path: Path, gib: float = 1.0) -> Path:
    """One page whose FlateDecode content stream inflates to ``gib`` GiB of ``q Q`` operators."""
    co = zlib.compressobj(9)
    chunk = b"q Q " * (1 << 18)
    data = b"".join(co.compress(chunk) for _ in range(int(1024 * gib))) + co.flush()
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((56, 80), "A plan with a bomb", fontsize=12)
    xref = page.get_contents()[0]
    doc.update_stream(xref, data, compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    doc.save(path)
    doc.close()
    return path


def _huge_image(path: Path, side: int = 40000) -> Path:
    """A page showing a ``side`` x ``side`` grey image (1.6 GB decoded from ~1.6 MB)."""
    co = zlib.compressobj(9)
    row = b"\x80" * side
    data = b"".join(co.compress(row) for _ in range(side)) + co.flush()
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((56, 80), "A plan with a huge picture", fontsize=12)
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 2, 2), False)
    page.insert_image(pymupdf.Rect(50, 100, 550, 600), pixmap=pix)
    img = page.get_images()[0][0]
    doc.update_stream(img, data, compress=False)
    for key, value in (("Width", str(side)), ("Height", str(side)), ("BitsPerComponent", "8"),
                       ("ColorSpace", "/DeviceGray"), ("Filter", "/FlateDecode"),
                       ("DecodeParms", "null"), ("SMask", "null")):
        doc.xref_set_key(img, key, value)
    doc.save(path)
    doc.close()
    return path


def _page_tree(path: Path, how: str) -> Path:
    """Edit the page tree's bytes (PyMuPDF refuses to save such a file; MuPDF must repair the
    shifted offsets when it reads it, as it does for real damaged files)."""
    base = _plain(path.with_suffix(".base.pdf"))
    doc = pymupdf.open(base)
    pages = int(doc.xref_get_key(doc.pdf_catalog(), "Pages")[1].split()[0])
    old = doc.xref_object(pages, compressed=True)
    doc.save(path, garbage=0, deflate=False, expand=255, use_objstms=0)
    doc.close()
    count_value = pymupdf.open(path).xref_get_key(pages, "Count")[1]
    if how == "billion":
        new = old.replace(f"/Count {count_value}", "/Count 1000000000")
    else:  # a cycle: the page tree lists itself among its kids
        new = old.replace("/Kids[", f"/Kids[{pages} 0 R ").replace(
            f"/Count {count_value}", "/Count 3")
    data = path.read_bytes()
    old_b = pymupdf.open(path).xref_object(pages, compressed=True).encode()
    assert old_b in data and new != old, (old, data[:2000])
    path.write_bytes(data.replace(old_b, new.encode(), 1))
    return path


def _active(path: Path, *, port: int, launch_target: Path) -> Path:
    """OpenAction JavaScript, a Launch link, a URI to a local listener, a file: link, an EXE."""
    doc = pymupdf.open(_plain(path.with_suffix(".base.pdf"), "Active content plan"))
    page = doc[0]
    page.insert_link({"kind": pymupdf.LINK_LAUNCH, "from": pymupdf.Rect(50, 50, 200, 70),
                      "file": str(launch_target)})
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 80, 200, 100),
                      "uri": f"http://127.0.0.1:{port}/beacon"})
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 110, 200, 130),
                      "uri": f"file://{launch_target}"})
    js = doc.get_new_xref()
    doc.update_object(js, f"<</S/JavaScript/JS(app.launchURL\\('http://127.0.0.1:{port}/js'\\);"
                          f" this.exportDataObject\\({{cName: 'evil.exe', nLaunch: 2}}\\);)>>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")
    doc.embfile_add("evil.exe", b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run",
                    filename="evil.exe")
    doc.save(path)
    doc.close()
    return path


def _one_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and "Traceback" not in stderr


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "library"
    run_cli("import", str(_plain(tmp_path / "seed.pdf", "Seed plan")), library=root, check=True)
    return root


# --- through the real CLI -----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["billion", "cycle"])
def test_broken_page_trees_are_refused_or_repaired_by_the_cli(library, tmp_path, how):
    pdf = _page_tree(tmp_path / f"{how}.pdf", how)
    before = library_state(library)
    proc = run_cli("import", str(pdf), library=library)
    if proc.returncode == 1:  # refused
        assert _one_line(proc.stderr) and pdf.name in proc.stderr, proc.stderr
        assert library_state(library) == before
    else:
        assert proc.returncode == 0 and "Imported" in proc.stdout, proc.stderr
        assert "repaired" in proc.stdout
    assert run_cli("check", library=library).returncode == 0


def test_json_output_stays_clean_when_mupdf_complains(library, tmp_path):
    pdf = _page_tree(tmp_path / "cycle.pdf", "cycle")
    proc = run_cli("import", str(pdf), "--json", library=library)
    (outcome,) = json.loads(proc.stdout)["outcomes"]
    # the policy: a page-tree cycle is repaired (imported with a notice) or refused as damaged
    assert _policy_outcome(outcome) in {"imported", "unreadable"}, outcome
    if outcome["status"] == "imported":
        assert any("repaired" in n for n in outcome["notices"]), outcome


# --- every fixture gets its policy outcome (RELIABILITY.md "What happens to each kind of bad
# --- file"), judged on the CLI's --json report -------------------------------------------------

_REFUSAL_OUTCOME = {
    "needs_password": "password", "wrong_password": "password", "not_pdf": "not_pdf",
    "damaged": "unreadable", "empty": "unreadable", "unreadable": "unreadable",
}


def _policy_outcome(o: dict) -> str:
    """One of: imported, needs_ocr, password, not_pdf, unreadable (or the raw status)."""
    if o["status"] == "imported":
        needs = any("text layer" in n for n in o["notices"])
        return "needs_ocr" if needs else "imported"
    if o["status"] == "refused":
        return _REFUSAL_OUTCOME.get(o["reason"], f"refused:{o['reason']}")
    return o["status"]


def _policy_fixtures(folder: Path) -> dict[str, str]:
    """Write the collection; return {file name: the outcome the policy demands}."""
    folder.mkdir()
    _plain(folder / "plain.pdf", "Plain plan")
    hostile_files.one_page_scan(folder / "one-page-scan.pdf")
    image_only_pdf(folder / "three-page-scan.pdf", 3)
    image_only_pdf(folder / "mixed-scan.pdf", 3, text_pages=[1])
    hostile_files.form_without_text(folder / "form-without-text.pdf")
    hostile_files.many_images(folder / "page-of-37-images.pdf", 37)
    hostile_files.bad_font_names(folder / "bad-font-names.pdf")
    hostile_files.surrogate_metadata(folder / "surrogate-metadata.pdf")
    encrypted_pdf(folder / "encrypted.pdf")
    (folder / "html-renamed.pdf").write_text("<html><body><p>We will fix roads.</p></body></html>")
    (folder / "zip-renamed.pdf").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    (folder / "random-bytes.pdf").write_bytes(random.Random(15).randbytes(4096))
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "header-only.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    sources = sorted(folder.glob("*.src.pdf"))  # the one-page scan's text original
    for src in sources:
        src.unlink()
    return {
        "plain.pdf": "imported",
        "one-page-scan.pdf": "needs_ocr",
        "three-page-scan.pdf": "needs_ocr",
        "mixed-scan.pdf": "needs_ocr",
        "form-without-text.pdf": "needs_ocr",
        "page-of-37-images.pdf": "needs_ocr",
        "bad-font-names.pdf": "imported",
        "surrogate-metadata.pdf": "imported",
        "encrypted.pdf": "password",
        "html-renamed.pdf": "not_pdf",
        "zip-renamed.pdf": "not_pdf",
        "random-bytes.pdf": "not_pdf",
        "empty.pdf": "unreadable",
        "header-only.pdf": "unreadable",
    }


def test_every_hostile_file_gets_its_policy_outcome(library, tmp_path):
    """Issue 15: judged on outcomes, not on parsable output. No file may cause an internal
    error; each one is imported, imported with a needs-OCR notice, or refused for the reason
    the policy gives (password, not a PDF, unreadable)."""
    expected = _policy_fixtures(tmp_path / "collection")
    proc = run_cli("import", str(tmp_path / "collection"), "--json", "--workers", "1",
                   library=library)
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    outcomes = {Path(o["path"]).name: o for o in json.loads(proc.stdout)["outcomes"]}
    got = {name: _policy_outcome(o) for name, o in outcomes.items()}
    assert got == expected
    for name, o in outcomes.items():
        assert "\n" not in o["message"] and o["message"], (name, o)
        for text in (o["message"], *o["notices"]):
            assert is_safe(text), (name, text)
    scanned = outcomes["one-page-scan.pdf"]["notices"]
    assert any("No page of this plan has a text layer" in n and "ocr" in n for n in scanned)
    mixed = outcomes["mixed-scan.pdf"]["notices"]
    assert any("2 of 3 page(s) have no text layer" in n and "page 1, 3" in n for n in mixed)
    plans = json.loads(run_cli("plans", "--json", library=library, check=True).stdout)
    by_slug = {p["slug"]: p for p in plans}
    assert by_slug["page-of-37-images"]["needs_ocr_pages"] == [1]
    assert by_slug["mixed-scan"]["needs_ocr_pages"] == [1, 3]
    for p in plans:  # every string the PDFs carried reached the library valid
        assert is_safe(p["title"], multiline=False), p
    assert run_cli("check", library=library).returncode == 0


def test_active_content_is_imported_inert(library, tmp_path):
    """T-SEC-07: nothing runs, nothing connects, nothing is written outside the library."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    marker = tmp_path / "launched"
    target = tmp_path / "evil.sh"
    target.write_text(f"#!/bin/sh\ntouch {marker}\n")
    target.chmod(0o755)
    pdf = _active(tmp_path / "active.pdf", port=port, launch_target=target)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    try:
        proc = run_cli("import", str(pdf), library=library)
        assert proc.returncode == 0, proc.stderr
        search = run_cli("search", "residents", "--json", library=library)
        assert search.returncode == 0
        with pytest.raises(BlockingIOError):
            listener.accept()  # no connection ever reached the listener
    finally:
        listener.close()
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    assert not any(p.name == "evil.exe" for p in library.rglob("*"))
    assert not (Path.cwd() / "evil.exe").exists()
    assert run_cli("check", library=library).returncode == 0


# --- resource limits (worker limits made small so the test is quick) ----------------------------


@pytest.fixture
def workbench(tmp_path):
    from indexing.worker import PdfWorkerExtractor

    wb = compose.open_workbench(tmp_path / "lib")
    wb.extractor.close()
    wb.extractor = PdfWorkerExtractor(timeout=3, stall=3, memory_limit=768 << 20)
    yield wb
    compose.close_workbench(wb)


@pytest.mark.parametrize("maker", [_bomb, _huge_image], ids=["flate-bomb", "huge-image"])
def test_decompression_bombs_hit_a_limit_and_the_parent_lives(workbench, tmp_path, maker):
    """T-PDF-08: the worker hits its time or memory cap; a clean one-line error; no change."""
    pdf = maker(tmp_path / f"{maker.__name__}.pdf")
    before = workbench.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    outcome = workbench.import_paths([pdf]).outcomes[0]
    if outcome.status == "refused":
        assert outcome.reason in {"timeout", "too_big", "crashed"}, outcome
        assert "\n" not in outcome.message and pdf.name in outcome.message
        after = workbench.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert after == before
    else:
        assert outcome.status == "imported", outcome  # MuPDF streamed it within the limits
    ok = workbench.import_paths([_plain(tmp_path / "after.pdf", "After the bomb")]).outcomes[0]
    assert ok.status == "imported", "the worker must be replaced and keep working"
    assert workbench.store.check() == []


# --- mutated seeds (T-PDF-07) ---------------------------------------------------------------------


def _mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    kind = rng.choice(["flip", "flip", "truncate", "splice", "zero", "dup", "head", "stub"])
    if kind == "head":  # the %PDF header is gone
        b[0:8] = bytes(rng.randrange(256) for _ in range(8))
    elif kind == "stub":  # a download cut off almost at once
        b = b[: rng.randint(1, 400)]
    elif kind == "flip":
        for _ in range(rng.randint(1, 64)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == "truncate":
        b = b[: rng.randrange(1, len(b))]
    elif kind == "splice":
        i, j = sorted(rng.sample(range(len(b)), 2))
        k = rng.randrange(len(b))
        b[k:k] = b[i:j]
    elif kind == "zero":
        i = rng.randrange(len(b))
        b[i: i + rng.randint(1, 2048)] = b"\x00" * len(b[i: i + 2048])
    else:
        i = rng.randrange(len(b))
        b = b[:i] + b[i:] + b[i:]
    return bytes(b)


def test_mutated_pdfs_have_one_of_the_allowed_outcomes(workbench, tmp_path):
    seed = base_seed(7030)
    rng = random.Random(seed)
    base = _plain(tmp_path / "base.pdf", "Mutation seed plan").read_bytes()
    n = count(100, 2000)
    folder = tmp_path / "mutants"
    folder.mkdir()
    tally: dict[str, int] = {}
    for i in range(n):
        pdf = folder / f"mutant-{i:04}.pdf"
        pdf.write_bytes(_mutate(base, rng))
        before = workbench.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        outcome = workbench.import_paths([pdf]).outcomes[0]
        after = workbench.store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        where = f"seed {seed} mutant {i} (kept at {pdf})"
        if outcome.status == "imported":
            repaired = any("repaired" in n for n in outcome.notices)
            key = "imported-repaired" if repaired else "imported"
            assert after == before + 1, where
        elif outcome.status == "duplicate":
            key = "duplicate"
        else:
            assert outcome.status == "refused", where
            assert outcome.reason in REASONS, where
            assert "\n" not in outcome.message and outcome.message, where
            assert after == before, where
            key = f"refused:{outcome.reason}"
        tally[key] = tally.get(key, 0) + 1
    print(f"\nT-PDF-07 seed={seed} files={n}: {dict(sorted(tally.items()))}")
    assert workbench.store.check() == []
    assert sum(tally.values()) == n
