"""CPU of an import, as a ratio to raw ``get_text("dict")`` in the same run (issue 12, Speed).

    .venv/bin/python bench/bench_import_cpu.py whole DIR       # one whole two-worker import
    .venv/bin/python bench/bench_import_cpu.py store DIR [-n 5]  # the parent's add_document

``whole``: raw ``dict`` over the PDFs of DIR (its own process, start-up included, as
``bench_pipeline.raw_dict``), then a two-worker import without the search index; prints the
CPU of the parent (``RUSAGE_SELF``) and of the reaped workers (``RUSAGE_CHILDREN``), their
total as a ratio to raw ``dict``'s CPU, and the wall times. Run it in a fresh process per
measurement, alternating the trees compared (``cd TREE && PYTHONPATH=TREE python ...``): on a
shared 2-core machine the wall says little, the CPU ratio moves a few per cent run to run.

``store``: extracts DIR's PDFs once in this process, then times ``SqliteStore.add_document``
of all of them into a new library, ``-n`` times (process_time, min and median): the parent's
transaction without the workers' noise.

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bench_pipeline  # noqa: E402

from db.store import SqliteStore  # noqa: E402
from workbench.model import PlanMeta  # noqa: E402


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def whole(files: list[Path], work: Path) -> str:
    load = os.getloadavg()[0]
    raw_wall, pages = bench_pipeline.raw_dict(files)
    raw_cpu = bench_pipeline.RAW_CPU[0]
    parent0, kids0 = _cpu()
    wall = bench_pipeline.import_run(files, work / "lib", workers=2, with_index=False)
    parent1, kids1 = _cpu()
    parent, kids = parent1 - parent0, kids1 - kids0
    return (f"{REPO.name} {len(files)} PDFs {pages} pages load={load:.2f} "
            f"raw: wall {raw_wall:.3f} s cpu {raw_cpu:.3f} s | 2 workers: wall {wall:.3f} s "
            f"({100 * raw_wall / wall:.1f} % of raw) cpu parent {parent:.3f} + workers {kids:.3f} "
            f"= {parent + kids:.3f} s = {(parent + kids) / raw_cpu:.3f}x raw")


def store(files: list[Path], work: Path, rounds: int) -> str:
    from indexing.pdf_extract import extract_file  # in this process: the parent is timed alone

    extractions = [extract_file(f) for f in files]
    times = []
    for r in range(rounds):
        root = work / f"store-{r}"
        root.mkdir(parents=True)
        db = SqliteStore(root / "workbench.db", backups_dir=root / "backups")
        t = time.process_time()
        for i, ex in enumerate(extractions):
            db.add_document(slug=f"plan-{i}", meta=PlanMeta(title=ex.title), extraction=ex,
                            file_name=f"{i}.pdf", stored_path=f"files/{i}.pdf", log=("x", "y"))
        times.append(time.process_time() - t)
        db.close()
    return (f"{REPO.name} add_document of {len(extractions)} extractions "
            f"({sum(len(e.commitments) for e in extractions)} units): cpu min {min(times):.3f} s "
            f"median {statistics.median(times):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["whole", "store"])
    parser.add_argument("pdfs", type=Path, help="a folder of PDFs")
    parser.add_argument("-n", type=int, default=5, help="rounds of `store`")
    args = parser.parse_args()
    files = sorted(args.pdfs.glob("*.pdf"))
    work = Path(tempfile.mkdtemp(prefix="import-cpu-"))
    try:
        print(whole(files, work) if args.what == "whole" else store(files, work, args.n),
              flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
