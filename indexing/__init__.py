"""indexing package.

A compiled build of the per-page analysis (``scripts/build_native.py``, mypyc), when one is
present, current for these sources and loadable, is put first on this package's path so its
extension modules shadow the ``.py`` files they were built from; otherwise (no build, a stale
or damaged one, ``WORKBENCH_NATIVE=0``) nothing changes (``indexing.native``)."""

from pathlib import Path

from indexing.native import activate

_native = activate(Path(__file__).resolve().parent, __path__, __name__)
