"""Benchmark: write a ~30-page briefing pack as PDF, DOCX, CSV and XLSX (target: PDF ≤ 5 s).

Run from the repository root: ``.venv/bin/python -m bench.bench_export [--pages 30]``.
The pack is synthetic but realistic (quotes, lineage tables and statuses from the sample Kent
plans, see ``tests/export/packs.py``). Each format is written REPEAT times through the real
``export.write_pack`` (atomic write and manifest included); the median is reported.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from export import write_pack
from export.pdf import count_pages
from tests.export.packs import long_pack

REPEAT = 3


def _pack_for_pages(target: int):
    """The smallest long pack whose PDF has at least ``target`` pages (about 0.8 items/page)."""
    n = max(1, int(target * 0.75))
    for _ in range(20):
        pack = long_pack(n)
        pages = count_pages(pack)
        if pages >= target:
            return pack, pages
        n += max(1, (target - pages) // 2)
    raise SystemExit(f"could not reach {target} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pack, pages = _pack_for_pages(args.pages)
        print(f"pack: {len(pack.items)} items, {pages} PDF pages")
        for fmt in ("pdf", "docx", "csv", "xlsx"):
            times = []
            for n in range(REPEAT):
                out = folder / f"pack{n}.{fmt}"
                start = time.perf_counter()
                write_pack(pack, out)
                times.append(time.perf_counter() - start)
            size = out.stat().st_size
            print(f"{fmt:5} median {statistics.median(times):6.2f} s  "
                  f"(min {min(times):.2f}, max {max(times):.2f}; {size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
