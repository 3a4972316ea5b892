"""Compile the per-page analysis of ``indexing`` with mypyc (issue 12, Speed); optional.

    .venv/bin/python scripts/build_native.py          (scripts/workbench.sh runs it)

Why mypyc: it is maintained as part of mypy, compiles the ``.py`` files we already have (type
annotations included) into C extensions that shadow them, and needs no second source language
(Cython would need ``.pyx`` files or pure-Python-mode decorators to gain as much). The ``.py``
files stay the source of truth and what runs where no build exists: ``indexing.native`` uses
the build only while its stamp matches every compiled source, this interpreter and the built
files, and the group's library loads.

How (each step because a review found its absence):
- mypy type-checks the modules before mypyc compiles them. It is told to treat PyMuPDF as
  untyped (``follow_imports = skip``): PyMuPDF's own stubs lack names it has at run time
  (``PDF_PERM_COPY``), so reading them failed the build in a venv that has both; untyped, the
  compiled code calls PyMuPDF exactly as the verified build does.
- The build runs in a child process whose output goes to ``build/native/build.log`` (mypy and
  gcc write to the terminal directly), into a new folder beside ``indexing/_native``; it is
  checked (every module imports from it, in another child) and only then renamed into place.
  A build killed half-way leaves only that folder, which the next build removes.
- A lock (``filelock``, maintained and cross-platform, so not our own) stops two launches from
  building at once: the second says so in one line and runs pure Python this time.
- A failed build is recorded (``build/native/failed.json``) with a digest of the sources and
  the tools (this Python, mypy, setuptools, the C compiler, the headers): while that digest is
  unchanged later launches print one line and do not try again (``--retry`` forces it).
  Only a definitive failure is recorded (status 1 with a compiler's or mypy's ``error:`` or a
  missing module); a child killed by a signal, a full disk, a timeout or a failed check is
  tried again next time, and under ``CI`` the record is ignored.
- It says one line before it compiles; the build and its check each have ``TIMEOUT`` s.
  ``--background`` (the set-up's ``app`` mode runs it so) only changes that line: the launch
  does not wait for it.
- ``WORKBENCH_NATIVE=0`` builds nothing (and ``indexing.native`` uses no build).

Writes ``indexing/_native/`` (the extensions and ``stamp.json``) and ``build/native/`` (C
sources, objects, mypy's cache, ``build.log``); both are git-ignored. Quick when the build is
current. Prints one line and exits 1 when it cannot build: the pure-Python modules are then
used, as on a laptop without a compiler. Never raises.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(REPO))

from indexing import native  # noqa: E402

BUSY = 75  # exit status of the child when the lock is taken (EX_TEMPFAIL)
CHECK_FAILED = 3  # exit status of the child when the check of a new build failed or timed out
TIMEOUT = 900  # seconds for the build, and for its check: a timeout means no build this time
# Lines of a failed build's log that say the failure may not recur (a full disk, a compiler
# killed for memory, a check that timed out under load): such a failure is not recorded.
TRANSIENT = ("No space left", "Killed signal", "Cannot allocate memory", "MemoryError",
             "TimeoutExpired", "out of memory", "Resource temporarily unavailable")
TOOLS = ("mypy", "setuptools", "filelock")  # what the build imports (requirements/build.txt)
MYPY_CONFIG = """\
[mypy]
ignore_missing_imports = True
follow_imports = silent
cache_dir = {cache}

[mypy-pymupdf,pymupdf.*,fitz,fitz.*]
follow_imports = skip
"""


def say(text: str) -> None:
    print(f"[workbench] {text}", file=sys.stderr)


class Paths:
    """Where one repository's build goes (a class so tests can point it at a copy)."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.package = repo / "indexing"
        self.out = self.package / native.BUILD
        self.work = repo / "build" / "native"
        self.log = self.work / "build.log"
        self.failed = self.work / "failed.json"
        self.lock = self.work / "build.lock"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _compiler() -> dict[str, object]:
    """The C compiler and headers a build would use (what changes when one is installed)."""
    cc = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "").split()
    found = shutil.which(cc[0]) if cc else None
    stat = Path(found).stat() if found else None
    include = Path(sysconfig.get_path("include") or ".") / "Python.h"
    return {"cc": cc, "found": found, "cc_stat": [stat.st_size, stat.st_mtime_ns] if stat else None,
            "python_h": include.is_file()}


def attempt_key(paths: Paths) -> str:
    """The digest a failed build is recorded under: sources and tools; any change retries."""
    build_txt = paths.repo / "requirements" / "build.txt"
    key = {"stamp": native.stamp_for(paths.package),
           "tools": {dist: _version(dist) for dist in TOOLS},
           "build.txt": build_txt.read_text(encoding="utf-8") if build_txt.is_file() else "",
           "compiler": _compiler(), "platform": sys.platform}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def compile_into(paths: Paths, target: Path) -> None:
    """Build every module of ``native.MODULES`` into ``target`` (in the child; raises)."""
    from mypyc.build import mypycify  # (build requirements: requirements/build.txt)
    from setuptools import setup

    os.chdir(paths.repo)  # module names come from paths relative to the repository
    config = paths.work / "mypy.ini"
    config.write_text(MYPY_CONFIG.format(cache=paths.work / "mypy-cache"), encoding="utf-8")
    sources = [f"indexing/{name}.py" for name in native.MODULES]
    extensions = mypycify([f"--config-file={config}", *sources], opt_level="3",
                          group_name=f"indexing.{native.GROUP.removesuffix('__mypyc')}",
                          target_dir=str(paths.work / "c"))
    setup(name="plan-workbench-native", packages=[], py_modules=[], ext_modules=extensions,
          script_args=["build_ext", "--build-lib", str(target), "--build-temp",
                       str(paths.work / "obj"), "--parallel", str(os.cpu_count() or 1)])


CHECK = """\
import importlib, os, sys
os.environ["WORKBENCH_NATIVE"] = "0"  # not the build in place: the new one
sys.path.insert(0, sys.argv[1])
import indexing
indexing.__path__.insert(0, sys.argv[2])
importlib.import_module("indexing." + sys.argv[3])
for name in sys.argv[4:]:
    module = importlib.import_module("indexing." + name)
    if not module.__file__.startswith(sys.argv[2]):
        sys.exit(f"indexing.{name} came from {module.__file__}")
"""


def _child(paths: Paths) -> None:
    """The build itself, in a child process: lock, compile, check, stamp, swap into place."""
    from filelock import FileLock, Timeout

    try:
        lock = FileLock(str(paths.lock)).acquire(timeout=0)
    except Timeout:
        sys.exit(BUSY)
    with lock:
        # the log is this build's, opened only now: a launch that finds the lock taken must
        # not truncate the log of the build under way (mypy and gcc write to fds 1 and 2)
        sys.stdout.flush()
        sys.stderr.flush()
        with paths.log.open("w", encoding="utf-8") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
        if native.native_folder(paths.package) is not None:
            return  # another launch built it while this one waited to start
        for old in paths.package.glob(f"{native.BUILD}.*"):  # left by a killed build
            shutil.rmtree(old, ignore_errors=True)  # noqa: TID251 (a killed build's own folder)
        stamp = native.stamp_for(paths.package)  # the sources as they are when the build starts
        new = Path(tempfile.mkdtemp(prefix=f"{native.BUILD}.new-", dir=paths.package))
        new.chmod(0o755)  # (mkdtemp makes it private: the build is read by every user)
        try:
            compile_into(paths, new)
            built = new / "indexing"
            stamp["files"] = {f.name: native.file_entry(f) for f in sorted(built.iterdir())
                              if f.is_file()}
            subprocess.run([sys.executable, "-c", CHECK, str(paths.repo), str(built),
                            native.GROUP, *native.MODULES], check=True, cwd=paths.repo,
                           timeout=TIMEOUT)
            if native.stamp_for(paths.package) != {k: v for k, v in stamp.items()
                                                    if k != "files"}:
                raise RuntimeError("a source changed while building")
            (new / native.STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
            if paths.out.exists():  # a stale build: out of the way (a rename), then gone
                old = paths.package / f"{native.BUILD}.old-{os.getpid()}"
                paths.out.rename(old)
                shutil.rmtree(old, ignore_errors=True)  # noqa: TID251 (the stale build, renamed aside)
            new.rename(paths.out)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)  # noqa: TID251 (this build's own folder)
            raise


def build(paths: Paths, *, retry: bool = False, background: bool = False) -> int:
    """Build if needed; 0 when a current build is in place (or another launch is making
    one), 1 when there is none. Says one line before it compiles, and one whenever it does
    not leave a current build. Only a definitive failure (``_definitive``) is recorded; under
    ``CI`` the record is not obeyed (a red CI must not stay red because of one bad run)."""
    if native.disabled():
        say(f"compiled analysis off ({native.ENV}=0): the pure-Python modules are used")
        return 1
    if native.native_folder(paths.package) is not None:
        return 0  # current: nothing to do
    log = paths.log
    try:
        key = attempt_key(paths)
        try:
            failed = json.loads(paths.failed.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            failed = {}
        if not retry and not os.environ.get("CI") and failed.get("key") == key:
            say(f"compiled analysis not built (it failed before with these sources and tools: "
                f"{failed.get('reason', '?')}; see {log.relative_to(paths.repo)}; "
                "--retry to try again): the pure-Python modules are used")
            return 1
        paths.work.mkdir(parents=True, exist_ok=True)
        say("compiling the PDF analysis in the background, about 30 s, once: this launch runs "
            "it as pure Python" if background else
            "compiling the PDF analysis, about 30 s, once (WORKBENCH_NATIVE=0 skips it)")
        status = run_child(paths)
        if status is None:
            say(f"compiled analysis not built (the build took over {TIMEOUT} s; tried again "
                "next time): the pure-Python modules are used")
            return 1
        if status == BUSY:
            say("compiled analysis being built by another launch: pure Python this time")
            return 0
        if status == 0 and native.native_folder(paths.package) is not None:
            paths.failed.unlink(missing_ok=True)
            return 0
        reason = _reason(log)
        if status == 1 and _definitive(log):
            paths.failed.write_text(json.dumps({"key": key, "reason": reason}), encoding="utf-8")
        else:  # killed by a signal, a full disk, a check that failed under load: not recorded
            reason = f"{reason}; status {status}, tried again next time"
    except Exception as exc:  # (never stop the set-up: the build is optional)
        reason = f"{type(exc).__name__}: {exc}"
    say(f"compiled analysis not built ({reason}; see {log.relative_to(paths.repo)}): "
        "the pure-Python modules are used")
    return 1


def run_child(paths: Paths) -> int | None:
    """Run the build (``_child``) in a child process; its status, or None when it took more
    than ``TIMEOUT`` s (then it is killed). The child writes its own log once it holds the
    lock; what it says before that (a missing filelock, say) is added to the log here."""
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(paths.repo)],
            capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL,
            check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    early = (done.stdout or "") + (done.stderr or "")
    if done.returncode != BUSY and early.strip():
        with paths.log.open("a", encoding="utf-8") as fh:
            fh.write(early)
    return done.returncode


def _definitive(log: Path) -> bool:
    """Whether a failed build's log shows a failure that will recur with the same sources
    and tools: a compiler's or mypy's ``error:`` or a missing module, and nothing transient."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if any(mark in text for mark in TRANSIENT):
        return False
    return "No module named" in text or any(
        line.startswith("error:") or ": error:" in line for line in text.splitlines())


def _reason(log: Path) -> str:
    """The first telling line of a failed build's log."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    for line in lines:
        if "No module named" in line:
            return line.split("ModuleNotFoundError: ")[-1].strip()
    for line in lines:  # mypy's "file:line: error: ...", setuptools' "error: ..."
        if line.startswith("error:") or ": error:" in line:
            return line.strip()[:160]
    for line in reversed(lines):  # else the last line that says what went wrong
        if "rror" in line and not line.startswith(" "):
            return line.strip()[:160]
    return lines[-1].strip()[:160] if lines else "no output"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        paths = Paths(Path(argv[1]))
        try:
            _child(paths)
        except subprocess.SubprocessError as exc:  # the check failed or timed out
            print(f"the check of the new build failed: {exc}", file=sys.stderr)
            return CHECK_FAILED
        return 0
    return build(Paths(REPO), retry="--retry" in argv, background="--background" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
