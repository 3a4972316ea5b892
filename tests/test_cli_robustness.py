"""The CLI's edges as a user meets them: outputs that must not land in the library, options
before the subcommand, internal errors, the ``--json`` error contract, a closed pipe and
input that must be refused before anything is written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_DIR, WORKBENCH, run_cli
from tests.test_cli import as_json, library_state
from workbench.errors import InvalidInput
from workbench.library import LibraryPaths

FRAMING = "framing-kents-future-2022"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(proc, code: int = 1) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def json_error(proc, code: int = 1) -> str:
    one_line_error(proc, code)
    return json.loads(proc.stdout)["error"]


def inject(tmp_path: Path, monkeypatch, code: str) -> None:
    """Make the next ``run_cli`` processes run ``code`` at start-up (a ``sitecustomize``):
    the way to give a real process a bug to report."""
    folder = tmp_path / "inject"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(code, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(folder))


# -- 1. outputs never land in the library ---------------------------------------------------


@pytest.mark.parametrize("target", ["workbench.db", "workbench.db-wal", "files/x.csv",
                                    "backups/pack.csv", "index/pack.csv", "sidecars/p.csv",
                                    "cache/p.csv", "../library/workbench.db", "pack.csv"])
def test_export_refuses_any_path_inside_the_library(sample_library, target):
    before = digest(sample_library / "workbench.db")
    out = sample_library / target
    proc = run_cli("export", "--out", str(out), "--format", "csv", "--json",
                   library=sample_library)
    assert "inside the library folder" in json_error(proc)
    assert "Writing" not in proc.stderr
    assert digest(sample_library / "workbench.db") == before
    assert as_json(run_cli("check", "--json", library=sample_library))["ok"]


def test_export_through_a_symlink_into_the_library_is_refused(sample_library, tmp_path):
    link = tmp_path / "innocent"
    link.symlink_to(sample_library, target_is_directory=True)
    before = digest(sample_library / "workbench.db")
    proc = run_cli("export", "--out", str(link / "workbench.db"), "--format", "csv",
                   library=sample_library)
    assert "inside the library folder" in one_line_error(proc)
    assert digest(sample_library / "workbench.db") == before


def test_package_export_refuses_the_database(sample_library):
    before = digest(sample_library / "workbench.db")
    for out in ("workbench.db", "files/mine.zip"):
        proc = run_cli("package", "export", "--out", str(sample_library / out), "--json",
                       library=sample_library)
        assert "inside the library folder" in json_error(proc)
        # even with --force
        proc = run_cli("package", "export", "--out", str(sample_library / out), "--force",
                       library=sample_library)
        assert "inside the library folder" in one_line_error(proc)
    assert digest(sample_library / "workbench.db") == before
    assert as_json(run_cli("check", "--json", library=sample_library))["ok"]


def test_refuse_output_sees_hard_links_and_allows_elsewhere(tmp_path):
    root = tmp_path / "library"
    root.mkdir()
    (root / "workbench.db").write_bytes(b"db")
    paths = LibraryPaths(root)
    linked = tmp_path / "elsewhere.db"
    os.link(root / "workbench.db", linked)
    with pytest.raises(InvalidInput):
        paths.refuse_output(linked)
    with pytest.raises(InvalidInput):
        paths.refuse_output(root)
    with pytest.raises(InvalidInput):
        paths.refuse_output(tmp_path / "x" / ".." / "library" / "new" / "pack.pdf")
    assert paths.refuse_output(tmp_path / "pack.pdf") == (tmp_path / "pack.pdf").resolve()
    assert paths.refuse_output(tmp_path / "library-2" / "p.pdf").name == "p.pdf"


def test_existing_file_of_another_format_needs_force(sample_library, tmp_path):
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"my notes")
    proc = run_cli("export", "--out", str(notes), "--format", "csv", library=sample_library)
    assert "--force" in one_line_error(proc)
    assert notes.read_bytes() == b"my notes"
    data = as_json(run_cli("export", "--out", str(notes), "--format", "csv", "--force",
                           "--json", library=sample_library))
    assert data["format"] == "csv" and notes.read_bytes() != b"my notes"
    # the same suffix is an ordinary overwrite
    pack = tmp_path / "pack.csv"
    pack.write_text("old")
    assert as_json(run_cli("export", "--out", str(pack), "--json",
                           library=sample_library))["format"] == "csv"

    other = tmp_path / "report.pdf"
    other.write_bytes(b"%PDF keep")
    proc = run_cli("package", "export", "--out", str(other), library=sample_library)
    assert "--force" in one_line_error(proc)
    assert other.read_bytes() == b"%PDF keep"
    as_json(run_cli("package", "export", "--out", str(other), "--force", "--json",
                    library=sample_library))
    assert zipfile.is_zipfile(other)


def test_unknown_format_is_refused_before_any_work(sample_library, tmp_path):
    proc = run_cli("export", "--out", str(tmp_path / "x.txt"), library=sample_library)
    assert "Unknown export format 'txt'" in one_line_error(proc)
    assert "Writing" not in proc.stdout + proc.stderr
    assert not (tmp_path / "x.txt").exists()


# -- 2. --library and --json before the subcommand ---------------------------------------------


def _default_library() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "PlanWorkbench" / "library"


def test_library_and_json_before_the_subcommand(sample_library):
    after = as_json(run_cli("plans", "--json", "--library", str(sample_library)))
    before = as_json(run_cli("--library", str(sample_library), "--json", "plans"))
    mixed = as_json(run_cli("--json", "plans", "--library", str(sample_library)))
    assert before == after == mixed and len(before) == 5
    text = run_cli("--library", str(sample_library), "plans")
    assert text.returncode == 0 and FRAMING in text.stdout
    assert not _default_library().exists()  # the default library was never opened


def test_options_before_nested_package_subcommands(sample_library, tmp_path):
    out = tmp_path / "mine.zip"
    data = as_json(run_cli("--library", str(sample_library), "--json", "package",
                           "--user", "alice", "export", "--out", str(out)))
    assert Path(data["package"]) == out
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read(next(n for n in zf.namelist() if "manifest" in n)))
    assert manifest["author"] == "alice"
    assert {p["slug"] for p in manifest["plans"]} >= {FRAMING}
    assert not _default_library().exists()


# -- 3. internal errors ----------------------------------------------------------------------

_BUG = """
import workbench.services as services

def plans(self, **kwargs):
    raise OverflowError("Python int too large to convert to SQLite INTEGER")

services.Workbench.plans = plans
"""


def test_internal_error_is_one_line_exit_3_and_logged(sample_library, tmp_path, monkeypatch):
    inject(tmp_path, monkeypatch, _BUG)
    proc = run_cli("plans", library=sample_library)
    line = one_line_error(proc, 3)
    assert line.startswith("workbench: internal error: OverflowError: Python int too large")
    log = Path(line.rsplit("details in ", 1)[1].rstrip(")"))
    assert log.is_file() and log.is_relative_to(Path(os.environ["XDG_DATA_HOME"]))
    assert "Traceback" in log.read_text(encoding="utf-8")
    error = json_error(run_cli("plans", "--json", library=sample_library), 3)
    assert error.startswith("internal error: OverflowError")


def test_internal_error_traceback_on_stderr_with_debug(sample_library, tmp_path, monkeypatch):
    inject(tmp_path, monkeypatch, _BUG)
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")
    proc = run_cli("plans", library=sample_library)
    assert proc.returncode == 3
    assert "Traceback" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("workbench: internal error:")


@pytest.mark.parametrize("value", ["99999999999999999999", "0", "-1", "x"])
def test_section_id_is_checked_when_parsed(sample_library, value):
    proc = run_cli("show", FRAMING, "--section", value, library=sample_library)
    assert "--section" in one_line_error(proc, 2)


@pytest.mark.parametrize("args", [
    ("lineage", "99999999999999999999"),
    ("link", "99999999999999999999", "99999999999999999998", "--relation", "continued"),
])
def test_huge_ids_never_print_a_traceback(sample_library, args):
    proc = run_cli(*args, library=sample_library)
    assert proc.returncode in (1, 2, 3)
    one_line_error(proc, proc.returncode)


# -- 4. the --json error contract, folders and pipes ------------------------------------------


def test_library_that_is_a_file(tmp_path):
    a_file = tmp_path / "passwd"
    a_file.write_text("root:x:0:0")
    error = json_error(run_cli("plans", "--json", "--library", str(a_file)))
    assert error == f"{a_file} is not a folder (--library takes the library's folder)."
    # an OSError (a file where a folder should be, further down) has its {"error"} too
    error = json_error(run_cli("plans", "--json", "--library", str(a_file / "sub")))
    assert str(a_file / "sub") in error
    assert a_file.read_text() == "root:x:0:0"


def test_closed_pipe_is_quiet(sample_library):
    cmd = [str(WORKBENCH), "search", "council", "--limit", "1000", "--json",
           "--library", str(sample_library)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # like `| head -c 100`
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert code in (0, 141), (code, err)
    assert err == ""


# -- 5. bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value"), [
    ("--published", "2011-02-30"), ("--published", "2011-13"), ("--period-start", "2023-04-31"),
])
def test_edit_refuses_impossible_dates(sample_library, option, value):
    proc = run_cli("edit", FRAMING, option, value, library=sample_library)
    assert value in one_line_error(proc)
    plan = as_json(run_cli("show", FRAMING, "--json", library=sample_library))
    assert plan["published"] != value and plan["period_start"] != value


def test_edit_refuses_a_period_that_ends_before_it_starts(sample_library):
    proc = run_cli("edit", FRAMING, "--period-start", "2024", "--period-end", "2022-12",
                   library=sample_library)
    assert "period_start (2024) is after period_end (2022-12)" in one_line_error(proc)
    data = as_json(run_cli("edit", FRAMING, "--period-start", "2022-04", "--period-end", "2022",
                           "--json", library=sample_library))
    assert (data["period_start"], data["period_end"]) == ("2022-04", "2022")
    data = as_json(run_cli("edit", FRAMING, "--published", "2024-02-29", "--json",
                           library=sample_library))
    assert data["published"] == "2024-02-29"  # a leap day is a real date


def test_edit_stage_none_clears_and_help_explains(sample_library):
    assert as_json(run_cli("edit", FRAMING, "--stage", "none", "--json",
                           library=sample_library))["stage"] == ""
    assert as_json(run_cli("edit", FRAMING, "--stage", "adopted", "--json",
                           library=sample_library))["stage"] == "adopted"
    proc = run_cli("edit", FRAMING, "--stage", "bogus", library=sample_library)
    assert "none" in one_line_error(proc, 2)
    help_text = run_cli("edit", "--help").stdout
    assert "{draft,consultation,adopted,withdrawn,none}" in help_text
    assert ",}" not in help_text
    for option in ("--published", "--period-end", "--supersedes", "--title"):
        line = next(x for x in help_text.splitlines() if x.strip().startswith(option))
        assert len(line.split()) > 2, line  # has a help text


def test_search_refuses_unknown_plans_relations_statuses_and_dates(sample_library):
    proc = run_cli("search", "council", "--plan", "nope", "--json", library=sample_library)
    assert json_error(proc) == "No plan called 'nope'; `workbench plans` lists them."
    for option in ("--relation", "--status"):
        proc = run_cli("search", "council", option, "bogus", library=sample_library)
        assert "invalid choice: 'bogus'" in one_line_error(proc, 2)
    for value in ("2020-13", "2021-02-29", "soon"):
        proc = run_cli("search", "council", "--from", value, library=sample_library)
        assert f"--from takes a date like 2020, 2020-03 or 2020-03-31 (not '{value}')" in \
            one_line_error(proc)
    ok = as_json(run_cli("search", "council", "--plan", FRAMING, "--relation", "unreviewed",
                         "--status", "not_assessed", "--from", "2020", "--to", "2023-12-31",
                         "--json", library=sample_library))
    assert ok["hits"] and {h["plan"] for h in ok["hits"]} == {FRAMING}


# -- 6. import and check ---------------------------------------------------------------------


def _reissue(tmp_path: Path) -> Path:
    reissue = tmp_path / "reissue.pdf"
    reissue.write_bytes((SAMPLE_DIR / f"{FRAMING}.pdf").read_bytes() + b"\n% corrected\n")
    return reissue


def test_replaces_unknown_plan_writes_nothing(sample_library, tmp_path):
    before = library_state(sample_library)
    proc = run_cli("import", str(_reissue(tmp_path)), "--replaces", "nope", "--json",
                   library=sample_library)
    assert "No plan called 'nope'" in json_error(proc)
    assert library_state(sample_library) == before
    assert as_json(run_cli("check", "--json", library=sample_library))["notes"] == []


def test_reanchor_failure_after_import_is_a_notice(sample_library, tmp_path, monkeypatch):
    inject(tmp_path, monkeypatch, """
import workbench.review as review

def reanchor_plan(self, slug, **options):
    raise RuntimeError("anchoring exploded")

review.Records.reanchor_plan = reanchor_plan
""")
    data = as_json(run_cli("import", str(_reissue(tmp_path)), "--replaces", FRAMING, "--json",
                           library=sample_library))
    outcome = data["outcomes"][0]
    assert outcome["status"] == "imported"
    assert any("could not be re-anchored" in n and "anchoring exploded" in n
               for n in outcome["notices"]), outcome
    monkeypatch.delenv("PYTHONPATH")
    plans = {p["slug"]: p for p in as_json(run_cli("plans", "--json", library=sample_library))}
    assert plans[FRAMING]["versions"] == 2


def test_check_notes_unreferenced_pdf_copies(sample_library):
    stray = sample_library / "files" / "zz" / ("0" * 64 + ".pdf")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4 left over")
    data = as_json(run_cli("check", "--json", library=sample_library))
    assert data["ok"] is True and data["files"] == []
    assert data["notes"] == [f"unreferenced PDF copy files/zz/{stray.name} (no document uses "
                             "it; it may be deleted)"]
    text = run_cli("check", library=sample_library)
    assert text.returncode == 0
    assert "All checks passed." in text.stdout and "note: unreferenced PDF copy" in text.stdout


_FULL_DISK = """
import errno
import workbench.merge as merge

def write_package(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")

merge.write_package = write_package
"""


def test_package_export_on_a_full_disk_names_the_package_not_the_library(tmp_path,
                                                                         monkeypatch):
    """A write error without a file name (ENOSPC) was reported against the library folder
    ("No space left on device (/…/library)"): an officer would think the library's disk was
    full, not the USB stick the package was going to."""
    inject(tmp_path, monkeypatch, _FULL_DISK)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path / "inject"), str(REPO)]))
    library, out = tmp_path / "library", tmp_path / "stick" / "mine.zip"
    line = one_line_error(run_cli("package", "export", "--out", str(out), library=library))
    assert line == f"workbench: Could not write {out}: No space left on device"
    assert not out.exists()
