"""T-MRG-05 kill9_during_merge: atomic, a pre-merge backup exists, a rerun gives the same result.

A child process applies a merge (a couple of hundred records and a conflict kept twice) and is
SIGKILLed at a random moment after it is ready. After the restart the library holds either the
pre-merge records or the whole merge, SQLite's checks pass, and merging again gives exactly
the uninterrupted result. ``RELIABILITY_TIER=slow`` runs more kills; the seed is in every
failure message (``RELIABILITY_SEED`` replays it).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

from tests.conftest import REPO
from tests.merge.conftest import FRAMING, REFORMING, export, keys, merge, officer, snapshot
from tests.reliability.harness import HANG_GUARD, base_seed, count, fail, sqlite_problems


def _child(root, package, *, delay: float | None) -> tuple[bool, float]:
    """Run the child; kill it ``delay`` s after ``ready``. Returns (finished, seconds used)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.merge.child", str(root), str(package), "both"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, text=True,
        start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "ready", (line, proc.stderr.read() if proc.stderr else "")
    start = time.monotonic()
    if delay is not None:
        time.sleep(delay)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    out, err = proc.communicate(timeout=HANG_GUARD)
    return "done" in out.split(), time.monotonic() - start


def _backups(root) -> list:
    return sorted((root / "backups").glob("*before-merge*.db"))


def test_kill9_during_merge(libraries, tmp_path):
    with officer(libraries["a"], "Officer A") as r:
        shared = r.annotate_commitment(keys(r, FRAMING)[0], note="original").value
    merge(libraries["b"], "Officer B", export(libraries["a"], "Officer A", tmp_path / "s.zip"))
    with officer(libraries["a"], "Officer A") as r:
        r.edit_annotation(shared.uuid, note="A's view")
    with officer(libraries["b"], "Officer B") as r:
        r.edit_annotation(shared.uuid, note="B's view")
        for plan in (FRAMING, REFORMING):
            for key in keys(r, plan)[:100]:
                r.annotate_commitment(key, note=f"B on {key}")
    package = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    pre = snapshot(libraries["a"])

    reference = tmp_path / "reference"
    shutil.copytree(libraries["a"], reference)
    finished, duration = _child(reference, package, delay=None)
    assert finished
    full = snapshot(reference)
    assert len(full) == len(pre) + 201 and _backups(reference)

    seed = base_seed(7)
    rng = random.Random(seed)
    outcomes = {"pre": 0, "full": 0}
    for i in range(count(20, 200)):
        root = tmp_path / f"kill-{i}"
        shutil.copytree(libraries["a"], root)
        delay = rng.uniform(0.0, duration * 1.1)
        label = f"seed {seed} iteration {i} delay {delay:.3f}s"
        _child(root, package, delay=delay)
        problems = sqlite_problems(root / "workbench.db")
        if problems:
            fail(f"{label}: {problems}", root, tmp_path, f"{i}")
        state = snapshot(root)  # opening it again is the restart
        if state not in (pre, full):
            fail(f"{label}: a partial merge ({len(state)} records)", root, tmp_path, f"{i}")
        outcomes["full" if state == full else "pre"] += 1
        if state == full and not _backups(root):
            fail(f"{label}: merged without a pre-merge backup", root, tmp_path, f"{i}")
        merge(root, "Officer A", package, "both")  # the rerun
        if snapshot(root) != full or not _backups(root):
            fail(f"{label}: the rerun differs from an uninterrupted merge", root, tmp_path,
                 f"{i}")
        shutil.rmtree(root)
    print(f"T-MRG-05 seed {seed}: {outcomes}, merge took {duration:.2f} s")
    assert outcomes["pre"] + outcomes["full"] == count(20, 200)
