"""Issue 15 "done when": a scanned extract of a plan imports with a needs-OCR notice; after OCR
its distinctive words are found by search on the right printed pages, marked as OCR text, and
its commitments appear. Through the real CLI and worker, with Tesseract.

The scan is generated: two pages of a sample plan rendered at 150 dpi into an image-only PDF.
Without Tesseract's language data the test is skipped locally, but under CI=true it fails: the
set-up script installs ``tesseract-ocr tesseract-ocr-eng``.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from indexing import pdf_extract
from indexing.ocr import estimate_confidence
from indexing.ocr_data import ocr_unavailable_reason
from tests.conftest import run_cli
from tests.reliability.hostile_files import scan_of

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample" / \
    "framing-kents-future-2022.pdf"
PAGES = (14, 15)  # 0-based pages of the sample; full of numbered "We will" commitments


@pytest.fixture(scope="module")
def tesseract():
    reason = ocr_unavailable_reason("eng")
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must have Tesseract (scripts/workbench.sh installs it): {reason}")
        pytest.skip(reason)


def _distinctive(texts: dict[int, str], page: int, n: int = 6) -> list[str]:
    """Long words on ``page`` found on no other page of the extract."""
    def words(t: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[A-Za-z]{9,}", t)}
    others = set().union(*(words(t) for i, t in texts.items() if i != page))
    return sorted(words(texts[page]) - others)[:n]


def test_a_scanned_plan_is_searchable_after_ocr(tesseract, tmp_path):
    original = pdf_extract.extract_file(SAMPLE)
    labels = {i: original.pages[i].label for i in PAGES}
    texts = {i: original.pages[i].text for i in PAGES}
    scan = scan_of(SAMPLE, tmp_path / "scanned-extract.pdf", PAGES, dpi=150)
    library = tmp_path / "library"

    first = json.loads(run_cli("import", str(scan), "--json", library=library,
                               check=True).stdout)["outcomes"][0]
    assert first["status"] == "imported", first
    assert any("No page of this plan has a text layer" in n for n in first["notices"]), first
    slug = first["slug"]
    words = [w for i in PAGES for w in _distinctive(texts, i)]
    assert not json.loads(run_cli("search", words[0], "--json", library=library,
                                  check=True).stdout)["hits"]

    ocr = json.loads(run_cli("ocr", slug, "--json", library=library, check=True).stdout)
    outcome = ocr["outcomes"][0]
    assert outcome["status"] == "imported" and "new version" in outcome["message"], outcome
    assert any(n.startswith("OCR read 2 scanned page(s)") for n in outcome["notices"]), outcome
    assert any("re-anchored" in n for n in outcome["notices"]), outcome

    found = 0
    for page in PAGES:
        for word in _distinctive(texts, page):
            hits = json.loads(run_cli("search", word, "--plan", slug, "--json",
                                      library=library, check=True).stdout)["hits"]
            # the printed page: a commitment's own page, or a section's first page
            right = [h for h in hits if h["page_label"] == labels[page] or (
                h["kind"] == "section" and int(h["page_label"]) < int(labels[page]))]
            if right:
                found += 1
                assert all(h["ocr_confidence"] is not None and h["ocr_confidence"] > 50
                           for h in right), right
    assert found >= 0.8 * len(words), (found, words, labels)

    shown = json.loads(run_cli("show", slug, "--json", library=library, check=True).stdout)
    # the text PDF gives 6 and 9 commitments on these pages
    assert len(shown["commitments"]) >= 12, shown["commitments"]
    assert {c["page_label"] for c in shown["commitments"]} <= set(labels.values())
    plan = json.loads(run_cli("plans", "--json", library=library, check=True).stdout)[0]
    assert plan["needs_ocr_pages"] == [] and plan["versions"] == 2
    typed = run_cli("import", str(SAMPLE), "--json", library=library, check=True)
    typed_slug = json.loads(typed.stdout)["outcomes"][0]["slug"]
    refused = run_cli("ocr", typed_slug, library=library)  # nothing to OCR: said, not done
    assert refused.returncode == 1 and "nothing to OCR" in refused.stderr


def test_ocr_unavailable_is_said_in_one_line(tmp_path, monkeypatch):
    """Without Tesseract's data the app still runs and says OCR is unavailable."""
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "nowhere"))
    monkeypatch.setattr("indexing.ocr_data._CANDIDATES", ())
    monkeypatch.setattr("indexing.ocr_data.Path.glob", lambda self, pattern: iter(()))
    reason = ocr_unavailable_reason("eng")
    assert reason.startswith("OCR is unavailable") and "tesseract-ocr-eng" in reason
    assert "\n" not in reason
    assert ocr_unavailable_reason("eng;rm -rf").startswith("OCR language")


def test_confidence_estimate_separates_clean_from_garbled_text():
    assert estimate_confidence("We will repair every reported pothole within 28 days.") > 95
    assert estimate_confidence("Tl1e c0unci| wi11 ~~% rcpalr pthl ,,;") < 40
    assert estimate_confidence("") == 0.0


def test_ocr_reports_progress_and_cancel_leaves_the_plan_as_it_was(tesseract, tmp_path):
    """OCR runs in the worker under its limits: progress comes page by page, and Cancel kills
    the worker at once (the plan keeps its one version, still flagged)."""
    import threading

    from ui import compose
    from workbench.tasks import TaskState

    scan = scan_of(SAMPLE, tmp_path / "long-scan.pdf", range(14, 20), dpi=150)
    state = TaskState()
    result: list = []

    def run() -> None:  # the library's connection lives in this thread, as in the window
        wb = compose.open_workbench(tmp_path / "lib")
        try:
            assert wb.import_paths([scan]).outcomes[0].status == "imported"
            result.append(wb.ocr_plan("long-scan", state=state))
            plan = wb.store.plan("long-scan")
            result.append((plan.versions, len(plan.needs_ocr_pages)))
        finally:
            compose.close_workbench(wb)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 120
    # 6 pages read (the first half), then 6 OCR'd: wait for the first OCR'd page
    while state.progress < 7 / 12 - 1e-6 and time.monotonic() < deadline and worker.is_alive():
        time.sleep(0.05)
    assert 7 / 12 - 1e-6 <= state.progress < 1.0, state.progress
    asked = time.monotonic()
    state.request_cancel()
    while not result and time.monotonic() - asked < 30:
        time.sleep(0.01)
    assert time.monotonic() - asked < 2.0
    worker.join(30)
    assert result[0].status == "cancelled", result
    assert result[1] == (1, 6)  # one version, still flagged
