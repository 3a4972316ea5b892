"""T-PDF-05 and T-PDF-06 at full size: a 10,000-page plan and a batch of 1,000 PDFs.

Run with ``bash scripts/workbench.sh slow``. They assert behaviour (finished, cancelled,
nothing lost, every failure explained); the times and memory are measured in bench/.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import run_cli
from ui import compose
from workbench.tasks import TaskState

pytestmark = pytest.mark.slow


def _pdf(path: Path, pages: int, seed: int) -> Path:
    rng = random.Random(seed)
    words = ["council", "roads", "schools", "care", "climate", "housing", "budget", "waste",
             "libraries", "transport", "children", "economy", "health", "skills", "rural"]
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        if i % 25 == 0:
            page.insert_text((56, 70), f"Chapter {i // 25 + 1}: {rng.choice(words)}",
                             fontname="hebo", fontsize=18)
        page.insert_text((56, 110), "We will:", fontname="helv", fontsize=10)
        for k in range(3):
            text = " ".join(rng.choice(words) for _ in range(12))
            page.insert_text((56, 130 + 16 * k), f"- {text} {seed}-{i}-{k}", fontname="helv",
                             fontsize=10)
        page.insert_text((500, 810), f"Page {i + 1}", fontname="helv", fontsize=8)
    doc.save(path, garbage=3, deflate=True)
    doc.close()
    return path


def test_ten_thousand_page_plan_imports_and_can_be_cancelled(tmp_path):
    big = _pdf(tmp_path / "big.pdf", 10_000, 1)
    root = tmp_path / "library"
    # cancel first: the import stops within 2 s and leaves nothing behind
    wb = compose.open_workbench(root)
    try:
        state = TaskState()
        done = {}

        def cancel_later() -> None:
            time.sleep(3.0)
            done["asked"] = time.monotonic()
            state.request_cancel()

        threading.Thread(target=cancel_later, daemon=True).start()
        report = wb.import_paths([big], state=state)
        stopped = time.monotonic()
        assert report.outcomes[0].status == "cancelled"
        assert stopped - done["asked"] < 2.0 * 10  # hang guard: 10x the 2 s target
        assert wb.plans() == []
    finally:
        compose.close_workbench(wb)
    proc = run_cli("import", str(big), "--json", library=root, timeout=3600)
    assert proc.returncode == 0, proc.stderr
    plans = run_cli("plans", "--json", library=root, check=True)
    assert '"pages": 10000' in plans.stdout
    assert run_cli("check", library=root).returncode == 0


def test_thousand_pdf_batch_imports_every_valid_file_and_explains_every_failure(tmp_path):
    src = tmp_path / "batch"
    src.mkdir()
    rng = random.Random(6)
    damaged = set()
    for n in range(1000):
        path = _pdf(src / f"plan-{n:04d}.pdf", rng.randint(5, 50), n)
        if n % 50 == 7:  # 2 % damaged: cut in half, garbage after the header
            data = path.read_bytes()
            path.write_bytes(data[:9] + bytes(rng.randrange(256) for _ in range(len(data) // 2)))
            damaged.add(path.name)
    root = tmp_path / "library"
    proc = run_cli("import", str(src), "--json", library=root, timeout=5400)
    import json

    outcomes = json.loads(proc.stdout)["outcomes"]
    assert len(outcomes) == 1000
    by_name = {Path(o["path"]).name: o for o in outcomes}
    for name, o in by_name.items():
        if name in damaged:
            assert o["status"] in {"refused", "imported"}, o
            if o["status"] == "refused":
                assert o["reason"] and o["message"]
        else:
            assert o["status"] == "imported", o
    log = json.loads(run_cli("log", "--json", library=root, check=True).stdout)
    refused = {Path(r["path"]).name for r in log if r["outcome"] == "refused"}
    assert refused == {n for n, o in by_name.items() if o["status"] == "refused"}
    assert run_cli("check", library=root).returncode == 0
