"""A copy of the sample library with records written first, for export tests that need a
lineage (a reversal, its predecessor) to be there before the window or the CLI opens it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.composition import close_workbench, open_workbench, records_for
from workbench.review import Records


def library_with(master: Path, dest: Path, write: Callable[[Records], object],
                 actor: str = "alice") -> tuple[Path, object]:
    """``master`` copied to ``dest``, then ``write(records)`` run on it as ``actor``; returns
    the folder and what ``write`` returned."""
    shutil.copytree(master, dest)
    wb = open_workbench(dest, actor=actor)
    try:
        return dest, write(records_for(wb, actor))
    finally:
        close_workbench(wb)
