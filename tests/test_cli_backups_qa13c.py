"""`workbench backups` says when each backup was taken, also in a copied library (qa13c, r13).

Why: the time came from the file's modification time. A library copied with `cp -r`, a sync
client or an archive gives every backup the time of the copy, so all of them showed the same
"taken" time and an officer could not tell which one was from before a merge. The backup's
name carries the UTC time it was taken (``db.connection.backup`` writes it).
"""

from __future__ import annotations

import os

from db import connection
from ui.cli.maintenance import _backup_rows


def test_taken_comes_from_the_name_not_the_copy_time(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "workbench-20240102T030405123456Z-before-merge.db"
    odd = backups / "workbench-manual.db"  # a name without a stamp: its file time is all we have
    for path in (old, odd):
        path.write_bytes(b"x")
        os.utime(path, (1_700_000_000, 1_700_000_000))  # 2023-11-14T22:13:20Z, "the copy"
    taken = {r["name"]: r["taken"] for r in _backup_rows(backups)}
    assert taken[old.name] == "2024-01-02T03:04:05+00:00"
    assert taken[odd.name] == "2023-11-14T22:13:20+00:00"
    assert connection.backup_taken(old).isoformat(timespec="seconds") == taken[old.name]
