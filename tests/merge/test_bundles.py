"""T-MRG-06 malformed_bundle, T-SEC-01 zip_slip_bundle, T-SEC-02 zip_bomb_bundle.

Every hostile package is refused by ``read_package`` with a one-line message, within 5 s and
with little memory, and the CLI refuses it before opening the library: the database and every
file around it are unchanged. The zips are built here with ``zipfile`` (and a few byte patches
for what ``zipfile`` will not write: NUL names, lying sizes).
"""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.reliability.harness import file_hashes
from workbench.merge import PackageError, read_package

MANIFEST = {"format": "plan-workbench-package", "schema_version": 1, "app_version": "0.1.0",
            "created_at": "2025-01-01T00:00:00+00:00", "author": "Officer B",
            "library_id": "x", "plans": []}
RECORDS = {"schema_version": 1, "tags": [], "annotations": [], "corrections": [], "links": [],
           "statuses": []}
GOOD = [("manifest.json", json.dumps(MANIFEST)), ("records.json", json.dumps(RECORDS))]


def _zip(path: Path, entries, *, compression=zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of one case
        with zipfile.ZipFile(path, "w", compression=compression) as zf:
            for entry in entries:
                if isinstance(entry, zipfile.ZipInfo):
                    zf.writestr(entry, "x")
                else:
                    zf.writestr(*entry)
    return path


def _patched(path: Path, entries, old: bytes, new: bytes) -> Path:
    _zip(path, entries)
    path.write_bytes(path.read_bytes().replace(old, new))
    return path


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)
    return info


def _declared_2gb(path: Path) -> Path:
    _zip(path, GOOD, compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    c = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)  # records.json's directory entry
    struct.pack_into("<I", data, c + 24, 0x80000000)
    path.write_bytes(bytes(data))
    return path


def _ratio_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(MANIFEST))
        with zf.open("records.json", "w") as f:
            block = b"\0" * (1 << 20)
            for _ in range(20):
                f.write(block)
    return path


def _many_entries(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"{i}", b"")
    return path


def _schema(version) -> list:
    return [("manifest.json", json.dumps({**MANIFEST, "schema_version": version})),
            GOOD[1]]


UNSAFE = "has an unsafe file name"
NOT_OURS = "is not a Plan Workbench package"
TOO_LARGE = "is too large when unpacked"
CASES = {
    "truncated": (lambda p: p.write_bytes(_zip(p, GOOD).read_bytes()[:150]) and p, NOT_OURS),
    "random_bytes": (lambda p: p.write_bytes(b"\x13\x37" * 500) and p, NOT_OURS),
    "empty": (lambda p: p.write_bytes(b"") is not None and p, NOT_OURS),
    "newer_schema": (lambda p: _zip(p, _schema(2)), "was made by a newer version"),
    "no_schema": (lambda p: _zip(p, _schema("1")), NOT_OURS),
    "extra_entry": (lambda p: _zip(p, [*GOOD, ("notes.txt", "hi")]), NOT_OURS),
    "bad_record": (lambda p: _zip(p, [GOOD[0], ("records.json", json.dumps(
        {**RECORDS, "annotations": [{"data": {"record": "annotation", "uuid": "x"}}]}))]),
        NOT_OURS),
    "dotdot": (lambda p: _zip(p, [*GOOD, ("../x", "x")]), UNSAFE),
    "absolute": (lambda p: _zip(p, [*GOOD, ("/abs/x", "x")]), UNSAFE),
    "drive": (lambda p: _zip(p, [*GOOD, ("C:\\x", "x")]), UNSAFE),
    "unc": (lambda p: _zip(p, [*GOOD, ("\\\\srv\\share\\x", "x")]), UNSAFE),
    "inner_dotdot": (lambda p: _zip(p, [*GOOD, ("a/../../x", "x")]), UNSAFE),
    "symlink": (lambda p: _zip(p, [GOOD[0], _symlink("records.json")]), UNSAFE),
    "duplicate": (lambda p: _zip(p, [*GOOD, GOOD[1]]), UNSAFE),
    "case_collision": (lambda p: _zip(p, [*GOOD, ("MANIFEST.json", "{}")]), UNSAFE),
    "long_name": (lambda p: _zip(p, [*GOOD, ("n" * 300, "x")]), UNSAFE),
    "nul": (lambda p: _patched(p, [GOOD[0], ("records.jsonXevil", GOOD[1][1])],
                               b"records.jsonXevil", b"records.json\0evil"), UNSAFE),
    "ratio_bomb": (_ratio_bomb, TOO_LARGE),
    "declared_2gb": (_declared_2gb, TOO_LARGE),
    "100k_entries": (_many_entries, TOO_LARGE),
}


def test_a_good_package_is_accepted(tmp_path):
    package = read_package(_zip(tmp_path / "good.zip", GOOD))
    assert package.manifest.author == "Officer B" and package.records == ()


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_package_is_refused_in_process(case, tmp_path):
    build, message = CASES[case]
    path = build(tmp_path / f"{case}.zip")
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(PackageError) as info:
            read_package(path)
        elapsed = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message in info.value.message and "\n" not in info.value.message
    assert info.value.message.startswith(path.name)
    assert elapsed < 5.0, f"{case} took {elapsed:.1f} s"  # hang guard, per T-SEC-02
    assert peak < 200 * 1024 * 1024, f"{case} peaked at {peak / 1e6:.0f} MB"


def test_cli_refuses_before_writing_anything(sample_library, tmp_path):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    for case in ("truncated", "newer_schema", "dotdot", "symlink", "nul", "ratio_bomb",
                 "declared_2gb"):
        CASES[case][0](hostile / f"{case}.zip")
    before = file_hashes(tmp_path)
    for path in sorted(hostile.iterdir()):
        proc = run_cli("package", "import", str(path), "--resolve", "both",
                       library=sample_library)
        assert proc.returncode == 1, (path.name, proc.stdout, proc.stderr)
        assert proc.stderr.startswith(f"workbench: {path.name} "), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert file_hashes(tmp_path) == before  # the database, sidecars, backups: all untouched
