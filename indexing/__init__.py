"""indexing package.

A compiled build of the per-page analysis (``scripts/build_native.py``, mypyc), when one is
present and current for these sources, is put first on this package's path so its extension
modules shadow the ``.py`` files they were built from; otherwise nothing changes
(``indexing.native``)."""

from pathlib import Path

from indexing.native import native_folder

_native = native_folder(Path(__file__).resolve().parent)
if _native is not None:
    __path__.insert(0, str(_native))  # the package's own __path__
