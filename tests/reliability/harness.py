"""The crash harness: start a child, SIGKILL it at a chosen moment, read back its acks.

Follows RELIABILITY.md "Harness and conventions": the child prints an ``ack`` line after each
commit the window would report as saved; the parent kills the whole process group (the child
and its PDF worker) or only the worker, then checks the library. Seeds are recorded in every
failure message; ``keep_fixture`` copies a failing library under the test's tmp folder.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

HANG_GUARD = 120.0  # seconds; generous: only a hang may trip it


def count(pr: int, slow: int) -> int:
    """Iterations: the PR tier by default, the slow tier with ``RELIABILITY_TIER=slow``."""
    return slow if os.environ.get("RELIABILITY_TIER") == "slow" else pr


def base_seed(default: int) -> int:
    return int(os.environ.get("RELIABILITY_SEED", default))


@dataclass
class ChildRun:
    acks: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    killed: bool = False
    finished: bool = False
    stderr: str = ""
    returncode: int | None = None


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def run_child(
    args: list[str],
    *,
    delay: float | None,
    kill_worker: bool = False,
    worker_delay: float = 0.0,
) -> ChildRun:
    """Run ``python -m tests.reliability.child *args``; SIGKILL it ``delay`` s after ``ready``.

    Args:
        delay: seconds after ``ready`` before the kill; ``None`` lets it finish.
        kill_worker: kill only the child's own children (the PDF worker) after
            ``worker_delay``, then the whole group after ``delay``.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.child", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, text=True,
        encoding="utf-8", start_new_session=True,
    )
    lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    run = ChildRun()
    deadline = time.monotonic() + HANG_GUARD
    ready_at = None
    eof = False

    def take(timeout: float) -> None:
        nonlocal eof
        try:
            line = lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return
        if line is None:
            eof = True
            return
        run.lines.append(line)
        if line.startswith("ack "):
            run.acks.append(line[4:])

    while ready_at is None and not eof:
        if time.monotonic() > deadline:
            break
        take(0.05)
        if run.lines and run.lines[-1] == "ready":
            ready_at = time.monotonic()
    worker_killed = False
    while not eof and ready_at is not None and time.monotonic() < deadline:
        now = time.monotonic()
        if kill_worker and not worker_killed and now - ready_at >= worker_delay:
            for pid in _children(proc.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                    worker_killed = True
                except ProcessLookupError:
                    pass
        if delay is not None and now - ready_at >= delay:
            break
        take(0.005)
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            run.killed = True
        except ProcessLookupError:
            pass
    run.returncode = proc.wait(30)
    reader.join(30)
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            break
        if line is None:
            continue
        run.lines.append(line)
        if line.startswith("ack "):
            run.acks.append(line[4:])
    assert proc.stderr is not None
    run.stderr = proc.stderr.read()
    proc.stderr.close()
    run.finished = "done" in run.lines or (run.returncode == 0)
    if ready_at is None:
        raise AssertionError(f"child {args} never became ready:\n{run.stderr}")
    return run


def sqlite_problems(db_path: Path) -> list[str]:
    """``integrity_check`` and ``foreign_key_check`` on a plain read-only connection."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = []
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            problems.append(f"integrity_check: {result[:5]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        return problems
    finally:
        conn.close()


def keep_fixture(root: Path, keep_dir: Path, label: str) -> Path:
    """Copy a failing library aside (a regression fixture) and return where it went."""
    dest = keep_dir / f"failed-{label}"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(root, dest)
    return dest


def file_hashes(folder: Path, pattern: str = "*") -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob(pattern)) if p.is_file()
    }


def fail(message: str, root: Path, keep_dir: Path, label: str) -> None:
    where = keep_fixture(root, keep_dir, label)
    pytest.fail(f"{message}\n(library kept at {where})", pytrace=False)
