"""How close OCR'd scans come to the text layer (issue 15; an evaluation, not a test).

For each plan named: render every page at 150 dpi into an image-only PDF, extract it with OCR
(the app's pipeline, in-process), and compare with the extraction of the original text layer:

* word recall / precision: words (3+ letters or digits, case-folded) per page, as multisets;
* page labels: the share of pages whose printed label OCR recovered;
* commitments: counts, and the share of the text layer's commitments that have an OCR
  commitment on the same page with the same text (rapidfuzz ratio >= 90).

The OCR line-size steadying (``indexing.ocr.steady_sizes``) was tuned on pages 15-17 of Framing
Kent's Future; report on the other plans.

    .venv/bin/python bench/eval_ocr.py resources/sample/reforming-kent-2025.pdf [...]
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing import pdf_extract  # noqa: E402
from tests.reliability.hostile_files import scan_of  # noqa: E402
from workbench.model import OcrSettings  # noqa: E402

WORD = re.compile(r"[a-z0-9]{3,}")


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text.casefold()))


def evaluate(pdf: Path, dpi: int = 150) -> dict[str, float]:
    original = pdf_extract.extract_file(pdf)
    with tempfile.TemporaryDirectory() as tmp:
        scan = scan_of(pdf, Path(tmp) / pdf.name, range(original.page_count), dpi=dpi)
        t0 = time.perf_counter()
        ocr = pdf_extract.extract_file(scan, ocr=OcrSettings("eng", dpi))
        seconds = time.perf_counter() - t0
    found = total = read = 0
    for a, b in zip(original.pages, ocr.pages, strict=True):
        wa, wb = words(a.text), words(b.text)
        found += sum((wa & wb).values())
        total += sum(wa.values())
        read += sum(wb.values())
    labels = sum(a.label == b.label for a, b in zip(original.pages, ocr.pages, strict=True))
    by_page: dict[int, list[str]] = {}
    for c in ocr.commitments:
        by_page.setdefault(c.page_index, []).append(c.text)
    matched = sum(any(fuzz.ratio(c.text, t) >= 90 for t in by_page.get(c.page_index, ()))
                  for c in original.commitments)
    confidences = [p.ocr_confidence for p in ocr.pages if p.ocr_confidence is not None]
    return {
        "pages": original.page_count,
        "seconds": seconds,
        "recall": found / max(total, 1),
        "precision": found / max(read, 1),
        "labels": labels / original.page_count,
        "commitments_text": len(original.commitments),
        "commitments_ocr": len(ocr.commitments),
        "commitments_matched": matched / max(len(original.commitments), 1),
        "confidence": sum(confidences) / max(len(confidences), 1),
    }


def main() -> int:
    paths = [Path(p) for p in sys.argv[1:]] or [
        REPO / "resources" / "sample" / "reforming-kent-2025.pdf"]
    print("| Plan | Pages | Word recall | Word precision | Labels | Commitments (text → OCR) "
          "| Same commitment found | Mean confidence | OCR time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        r = evaluate(path)
        print(f"| {path.stem} | {r['pages']} | {r['recall']:.1%} | {r['precision']:.1%} | "
              f"{r['labels']:.0%} | {r['commitments_text']} → {r['commitments_ocr']} | "
              f"{r['commitments_matched']:.0%} | {r['confidence']:.0f} | {r['seconds']:.0f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
