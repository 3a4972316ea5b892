"""Where the compiled build of the per-page analysis lives, and whether it may be used.

``scripts/build_native.py`` compiles the modules in ``MODULES`` with mypyc into
``indexing/_native/indexing/`` and writes ``indexing/_native/stamp.json``: the sha256 of each
module's source and the interpreter's extension suffix. ``indexing/__init__.py`` puts that
folder first on the package's ``__path__`` only while the stamp matches the sources on disk, so
the compiled extension shadows the ``.py`` file it was built from and nothing else: a source
edited after the build, another Python, or no build at all (a laptop without a C compiler, an
installed wheel) means every one of these modules is imported from its ``.py`` as before. All
or none: compiled modules call each other directly, so one stale module stales them all.
Emits nothing; reads two small files and hashes ~180 KB of source once per process.
"""

from __future__ import annotations

import hashlib
import json
import sysconfig
from pathlib import Path

__all__ = ["MODULES", "STAMP", "native_folder", "source_digests"]

# The per-page analysis a worker runs for every page (issue 12, Speed: profiled, see
# docs/bench/speed11-r11.md). Modules that are not on that path stay pure Python.
MODULES = (
    "lines", "textchars", "running", "rows", "reading_order", "cleanup", "headings",
    "segment", "commitment_features", "commitments", "pdf_regions", "pdf_extract",
)
BUILD = "_native"  # indexing/_native: the build's output (git-ignored)
STAMP = "stamp.json"


def source_digests(package: Path) -> dict[str, str]:
    """sha256 of each compiled module's source in ``package`` ("" for a missing one)."""
    out = {}
    for name in MODULES:
        path = package / f"{name}.py"
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return out


def stamp_for(package: Path) -> dict[str, object]:
    """What a build of ``package`` by this interpreter records (and is later checked with)."""
    return {"suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
            "sources": source_digests(package)}


def native_folder(package: Path) -> Path | None:
    """The folder of a compiled build of ``package`` that is current for these sources and
    this interpreter, else None (then the ``.py`` files are used)."""
    folder = package / BUILD / package.name
    try:
        stamp = json.loads((package / BUILD / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no build (the usual case without a compiler)
        return None
    if not isinstance(stamp, dict) or stamp != stamp_for(package):
        return None
    suffix = str(stamp["suffix"])
    if not all((folder / f"{name}{suffix}").is_file() for name in MODULES):
        return None
    return folder
