"""The recovery dialog's list of backups shows the time each was taken, not the time the
library folder was copied (qa13c, round 13): see tests/test_cli_backups_qa13c.py."""

from __future__ import annotations

import datetime as dt
import os

from ui.dialogs.recovery import backup_rows


def test_backup_rows_show_the_time_in_the_name(tmp_path):
    path = tmp_path / "workbench-20240102T030405123456Z-before-merge.db"
    path.write_bytes(b"x")
    os.utime(path, (1_700_000_000, 1_700_000_000))  # the time of a copy
    [(_path, taken, reason, _size)] = backup_rows([path])
    local = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC).astimezone()
    assert taken == local.strftime("%Y-%m-%d %H:%M")
    assert reason == "before merge"
