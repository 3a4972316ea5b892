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


def test_an_older_name_without_microseconds_is_read_whole(tmp_path):
    """The first backups were named to the second: their stamp is read as it is, not with the
    last digit of the seconds taken for a fraction (the review: 10:10:10 read as 10:10:01)."""
    for stamp, when in (("20261125T101010Z", "2026-11-25T10:10:10+00:00"),
                        ("20261125T235959Z", "2026-11-25T23:59:59+00:00"),
                        ("20261125T235959000007Z", "2026-11-25T23:59:59.000007+00:00")):
        path = tmp_path / f"workbench-{stamp}-daily.db"
        path.write_bytes(b"x")
        assert connection.backup_taken(path).isoformat() == when
    short = tmp_path / "workbench-20240102T0304Z-daily.db"  # no stamp of ours: the file's time
    short.write_bytes(b"x")
    os.utime(short, (1_700_000_000, 1_700_000_000))
    assert connection.backup_taken(short).isoformat() == "2023-11-14T22:13:20+00:00"
