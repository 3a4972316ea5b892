"""How PDF worker processes start: forked from a preloaded fork server on Linux, spawned
elsewhere (issue 12, Speed), with the same environment and limits either way.

The kill, crash, timeout, memory and recycling paths are exercised by ``test_worker.py`` and
``tests/reliability`` with whichever start method the platform uses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

from indexing import worker
from indexing.worker import PdfWorkerExtractor
from tests.indexing.test_worker import run_script, small_pdf

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the fork server is used on Linux only")


@pytest.mark.parametrize(("platform", "frozen", "expected"), [
    ("linux", False, "forkserver"),
    ("win32", False, "spawn"),  # no fork
    ("darwin", False, "spawn"),  # system libraries not fork-safe
    ("linux", True, "spawn"),  # a frozen executable cannot run the server's `python -c`
])
def test_start_method_by_platform(monkeypatch, platform, frozen, expected):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "frozen", frozen, raising=False)
    if expected == "forkserver" and "forkserver" not in worker.multiprocessing.get_all_start_methods():
        pytest.skip("this Python has no fork server")
    assert worker.start_method() == expected


@linux_only
def test_workers_are_forked_from_a_server_that_has_mupdf_loaded(tmp_path):
    """Two workers come from one server process (not from us), and that server loaded MuPDF
    before forking them, so neither child imports it again."""
    path = small_pdf(tmp_path / "a.pdf")
    with PdfWorkerExtractor() as one, PdfWorkerExtractor() as two:
        assert one.extract(path).page_count == 3
        assert two.extract(path).page_count == 3
        parents = {psutil.Process(w.pid).ppid() for w in (one, two)}
        assert len(parents) == 1
        server = psutil.Process(parents.pop())
        assert server.pid != os.getpid() and server.ppid() == os.getpid()
        libraries = {Path(m.path).name for m in server.memory_maps()}
        assert any("mupdf" in name for name in libraries), sorted(libraries)


def test_a_child_takes_the_environment_it_is_given(tmp_path):
    """A forked child has the fork server's environment (from when the server started):
    ``child_main`` replaces it with the parent's current one, as a spawned child has it."""
    out = run_script(
        tmp_path / "environ.py",
        "import os, sys\n"
        "from indexing import worker_child\n"
        "os.environ['WB_PROBE_OLD'] = 'server'\n"
        "class Conn:\n"
        "    def recv(self):\n"
        "        print(os.environ.get('WB_PROBE_NEW'), os.environ.get('WB_PROBE_OLD'),"
        " file=sys.stderr)\n"
        "        return None\n"
        "env = {k: v for k, v in os.environ.items() if k != 'WB_PROBE_OLD'}\n"
        "worker_child.child_main(Conn(), 0, use_rlimit=False,"
        " environ={**env, 'WB_PROBE_NEW': 'parent'})\n")
    assert out.returncode == 0, out.stderr
    assert "parent None" in out.stderr


@linux_only
def test_a_forked_child_is_given_our_current_environment(monkeypatch):
    """The parent sends its environment as it is when the child starts, not as it was when the
    server started."""
    sent = {}

    class Process:
        def __init__(self, *, target, args, name, daemon):
            sent["environ"] = args[3]

        def start(self):
            pass

    context = worker._context()
    monkeypatch.setattr(type(context), "Process", lambda self, **kw: Process(**kw))
    monkeypatch.setenv("WB_PROBE_NOW", "yes")
    child = worker._Child(0)
    child.conn.close()
    assert sent["environ"]["WB_PROBE_NOW"] == "yes"
