"""Where the compiled build of the per-page analysis lives, and whether it may be used.

``scripts/build_native.py`` compiles the modules in ``MODULES`` with mypyc into
``indexing/_native/indexing/`` and writes ``indexing/_native/stamp.json``: the sha256 of every
source of ``indexing`` and ``workbench`` (what the compiled code was type-checked against), this interpreter (its extension suffix and version), and the size and sha256
of every file the build made (the group's shared library included). ``indexing/__init__.py``
calls ``activate``, which puts that folder first on the package's ``__path__`` only while the
stamp matches the sources and the files on disk and the group's library loads, so the compiled
extensions shadow the ``.py`` files they were built from and nothing else. A source edited after
the build, another Python, a missing, truncated or unloadable library, ``WORKBENCH_NATIVE=0``, or
no build at all (a laptop without a C compiler, Windows, an installed wheel) means every one of
these modules is imported from its ``.py`` as before. All or none: compiled modules call each
other directly, so one stale module stales them all.
Logs one warning when a build that looked current fails to load; otherwise emits nothing. Costs
one small JSON file and the sha256 of ~0.9 MB of source (every ``.py`` of ``indexing`` and
``workbench``) and ~2.4 MB of build (~4-6 ms) once per process.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import sysconfig
from pathlib import Path

__all__ = ["ENV", "GROUP", "MODULES", "STAMP", "activate", "native_folder", "source_digests"]

# The per-page analysis a worker runs for every page (issue 12, Speed: profiled, see
# docs/bench/speed11-r11.md). Modules that are not on that path stay pure Python.
MODULES = (
    "lines", "textchars", "running", "rows", "reading_order", "cleanup", "headings",
    "segment", "commitment_features", "commitments", "pdf_regions", "pdf_extract",
)
GROUP = "page_analysis__mypyc"  # the group's shared library: the compiled code of all of them
BUILD = "_native"  # indexing/_native: the build's output (git-ignored)
STAMP = "stamp.json"
ENV = "WORKBENCH_NATIVE"  # "0": never use the build (and scripts/build_native.py builds none)


def disabled() -> bool:
    return os.environ.get(ENV, "").strip() == "0"


def suffix() -> str:
    return sysconfig.get_config_var("EXT_SUFFIX") or ""


def source_digests(package: Path) -> dict[str, str]:
    """sha256 of every ``.py`` under ``package`` and under ``workbench/`` beside it (by path
    relative to their parent, the build's own folders left out), and "" for a missing compiled
    module. Not only the 12 compiled files: compiled code checks the return types of its calls
    into ``workbench`` and the other ``indexing`` modules, and copies their ``Final``
    constants at build time, so an edit there must stale the build too (review S1)."""
    root = package.parent
    out = {f"{package.name}/{name}.py": "" for name in MODULES}
    for folder in (package, root / "workbench"):
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(root)
            if rel.parts[1].startswith(BUILD):  # indexing/_native*, a build's own output
                continue
            out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def interpreter() -> dict[str, str]:
    """What a build is tied to besides the sources: the extension suffix and the exact
    interpreter (mypyc's C uses CPython internals, so a patch upgrade rebuilds too)."""
    return {"suffix": suffix(), "python": sys.version}


def stamp_for(package: Path) -> dict[str, object]:
    """What a build of ``package`` by this interpreter is checked against (its ``files``
    entry, the built files' sizes and digests, is added by the build)."""
    return {**interpreter(), "sources": source_digests(package)}


def file_entry(path: Path) -> list[object]:
    """[size, sha256] of one built file, as the stamp records it."""
    data = path.read_bytes()
    return [len(data), hashlib.sha256(data).hexdigest()]


def native_folder(package: Path) -> Path | None:
    """The folder of a compiled build of ``package`` that is current for these sources and
    this interpreter and intact on disk, else None (then the ``.py`` files are used).
    Every file the build made must be there with the size and sha256 it had (a
    half-deleted, truncated or altered build is not used); ``activate`` then loads it."""
    if disabled():
        return None
    folder = package / BUILD / package.name
    try:
        stamp = json.loads((package / BUILD / STAMP).read_text(encoding="utf-8"))
        files = stamp.pop("files")
        if stamp != stamp_for(package):
            return None
        ext = suffix()
        needed = {f"{name}{ext}" for name in (*MODULES, GROUP)}
        if not needed <= set(files):
            return None
        for name, entry in files.items():  # (all 13 files: ~1.5 ms)
            if file_entry(folder / name) != entry:
                return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # no build (the usual case without a compiler), or a damaged stamp
    return folder


def activate(package: Path, path: list[str], name: str) -> Path | None:
    """Put a current build of ``package`` (the package ``name`` with search path ``path``)
    first on ``path`` if its group library loads; else leave ``path`` as it was. Never
    raises: the build is optional."""
    try:
        folder = native_folder(package)
        if folder is None:
            return None
        path.insert(0, str(folder))
        try:
            importlib.import_module(f"{name}.{GROUP}")
        except Exception as exc:  # a damaged library, a missing system library, ...
            path.remove(str(folder))
            sys.modules.pop(f"{name}.{GROUP}", None)
            import logging  # (only here: a worker that never needs it does not import it)

            logging.getLogger(__name__).warning("the compiled analysis in %s does not load (%s): pure Python is used",
                        folder, exc)
            return None
        return folder
    except Exception:  # (never let the optional build stop `import indexing`)
        return None
