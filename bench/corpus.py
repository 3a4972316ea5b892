"""Generate benchmark corpora: the sample plans at 1×, and re-typeset variants at 20× and 200×.

Variants are new PDFs typeset from the sample plans' text with about 10 % of the words swapped
for words drawn from the whole corpus (so the index sees a growing vocabulary), headings in a
larger bold font and a running footer with the page number, as real plans have.
Run in a child process by the benchmarks so the benchmark's own process stays PyMuPDF-free
where it measures the app.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "resources" / "sample"
TEXTS = REPO.parent / "shared" / "plans"


_ASCII = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\u2022": "-", "\u2713": "*"})


def _paragraphs() -> list[list[str]]:
    manifest = json.loads((TEXTS / "manifest.json").read_text(encoding="utf-8"))
    plans = []
    for entry in manifest:
        text = (TEXTS / entry["text_file"]).read_text(encoding="utf-8")
        plans.append([p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()])
    return plans


def _typeset(path: Path, title: str, paras: list[str]) -> None:
    import pymupdf  # only in the generator process

    doc = pymupdf.open()
    width, height, margin = 595, 842, 60
    page = None
    y = height
    page_no = 0

    def new_page():
        nonlocal page, y, page_no
        page = doc.new_page(width=width, height=height)
        page_no += 1
        page.insert_text((margin, height - 30), f"{title}    Page {page_no}", fontsize=8)
        y = margin

    for para in paras:
        heading = len(para) < 80 and not para.endswith(".") and not para.startswith("-")
        size = 15 if heading else 10.5
        font = "hebo" if heading else "helv"
        rect_h = (len(para) // 80 + 2) * size * 1.35
        if page is None or y + rect_h > height - 70:
            new_page()
        rect = pymupdf.Rect(margin, y, width - margin, min(y + rect_h, height - 70))
        spare = page.insert_textbox(rect, para, fontsize=size, fontname=font)
        used = rect.height - spare if spare >= 0 else rect.height
        y += used + size * 0.8
    doc.set_metadata({"title": title})
    doc.save(path, garbage=3, deflate=True)
    doc.close()


def make_corpus(out: Path, factor: int, seed: int = 7) -> list[Path]:
    """Write the corpus for ``factor`` (1 = the sample PDFs themselves); return the PDFs."""
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(out.glob("*.pdf"))
    expected = 5 * factor
    if len(files) == expected:
        return files
    for f in files:
        f.unlink()
    if factor == 1:
        for pdf in sorted(SAMPLE.glob("*.pdf")):
            shutil.copy(pdf, out / pdf.name)
        return sorted(out.glob("*.pdf"))
    for path, title, varied in variants(out, factor, seed):
        _typeset(path, title, varied)
    return sorted(out.glob("*.pdf"))


def variants(out: Path, factor: int, seed: int = 7) -> Iterator[tuple[Path, str, list[str]]]:
    """(file, title, paragraphs) of every variant plan of the corpus for ``factor``, in the order
    its random word swaps are drawn (``bench_search`` typesets the same files in processes)."""
    rng = random.Random(seed)
    plans = _paragraphs()
    vocab = sorted({w for paras in plans for p in paras for w in p.split() if w.isalpha()})
    for n in range(factor):
        for i, paras in enumerate(plans):
            varied = []
            for para in paras:
                words = para.split()
                for j in range(len(words)):
                    if rng.random() < 0.1:
                        words[j] = rng.choice(vocab)
                # Base-14 fonts lack curly quotes and dashes: keep the generated text encodable
                varied.append(" ".join(words).translate(_ASCII))
            yield out / f"plan-{i}-{n:03d}.pdf", f"Variant plan {i}-{n}", varied


if __name__ == "__main__":
    factor = int(sys.argv[2])
    for p in make_corpus(Path(sys.argv[1]), factor):
        print(p)
