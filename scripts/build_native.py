"""Compile the per-page analysis of ``indexing`` with mypyc (issue 12, Speed); optional.

    .venv/bin/python scripts/build_native.py          (scripts/workbench.sh runs it)

Why mypyc: it is maintained as part of mypy, compiles the ``.py`` files we already have (type
annotations included) into C extensions that shadow them, and needs no second source language
(Cython would need ``.pyx`` files or pure-Python-mode decorators to gain as much). The ``.py``
files stay the source of truth and what runs where no build exists: ``indexing.native`` uses
the build only while its stamp matches every compiled source and this interpreter.

Writes ``indexing/_native/`` (the extensions and ``stamp.json``) and ``build/native/`` (C
sources, objects, mypy's cache, ``build.log``); both are git-ignored. Quick when the build is
current. Prints one line and exits 1 when it cannot build (no mypy, no C compiler or Python
headers): the pure-Python modules are then used, as on a laptop without a compiler.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing import native  # noqa: E402

PACKAGE = REPO / "indexing"
OUT = PACKAGE / native.BUILD
WORK = REPO / "build" / "native"


def say(text: str) -> None:
    print(f"[workbench] {text}", file=sys.stderr)


def build() -> None:
    """Build every module of ``native.MODULES`` into ``OUT`` (raises on any failure)."""
    from mypyc.build import mypycify  # (mypy is a build requirement: requirements/build.txt)
    from setuptools import setup

    sources = [f"indexing/{name}.py" for name in native.MODULES]
    options = ["--ignore-missing-imports", "--follow-imports=silent",
               f"--cache-dir={WORK / 'mypy-cache'}", *sources]
    extensions = mypycify(options, opt_level="3",
                          group_name="indexing.page_analysis", target_dir=str(WORK / "c"))
    setup(name="plan-workbench-native", packages=[], py_modules=[], ext_modules=extensions,
          script_args=["build_ext", "--build-lib", str(OUT), "--build-temp", str(WORK / "obj"),
                       "--parallel", str(os.cpu_count() or 1)])


def main() -> int:
    os.chdir(REPO)  # module names come from paths relative to the repository
    if native.native_folder(PACKAGE) is not None:
        return 0  # current: nothing to do
    shutil.rmtree(OUT, ignore_errors=True)  # a stale build is never left to shadow new sources
    WORK.mkdir(parents=True, exist_ok=True)
    log = WORK / "build.log"
    try:
        with log.open("w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh), \
                contextlib.redirect_stderr(fh):
            stamp = native.stamp_for(PACKAGE)  # the sources as they are when the build starts
            build()
            (OUT / native.STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    except (Exception, SystemExit) as exc:  # setuptools exits on a compiler error
        shutil.rmtree(OUT, ignore_errors=True)
        reason = f"{exc.name} is not installed" if isinstance(exc, ImportError) else \
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        say(f"compiled analysis not built ({reason}; see {log.relative_to(REPO)}): "
            "the pure-Python modules are used")
        return 1
    if native.native_folder(PACKAGE) is None:  # a source changed during the build
        shutil.rmtree(OUT, ignore_errors=True)
        say("compiled analysis not kept (a source changed while building): pure Python is used")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
