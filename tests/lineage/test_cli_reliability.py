"""The lineage CLI's reliability contract, as a user runs it on the sample library: a saved
action whose sidecar could not be written exits 0 with a note; undo says exactly what it
undid; a failed annotate leaves no tag behind; ids are checked (one line, exit 1)."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.lineage.test_cli_lineage import F, R, cli, commitment_id, ok


def one_line_error(proc):
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    return proc.stderr


def test_a_sidecar_failure_after_the_commit_is_a_note_with_exit_0(sample_library):
    lib = sample_library
    (lib / "sidecars" / f"{F}.json").mkdir(parents=True)
    src = commitment_id(lib, F, "Our commitment is to work towards Kent being Net Zero")
    proc = run_cli("annotate", F, "--commitment", str(src), "--note", "saved", library=lib)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Annotated p. ")
    assert proc.stderr.startswith("workbench: note: Saved; the backup copy (sidecar) could "
                                  "not be written: ")
    assert [a["note"] for a in ok(cli(lib, "annotations", F))] == ["saved"]  # once, no retry
    data = ok(cli(lib, "annotate", F, "--page", "2", "--quote", "Kent"))
    assert data["warning"].startswith("Saved;")


def test_undo_says_exactly_what_it_undid_and_keeps_the_record_in_the_trash(sample_library):
    lib = sample_library
    ann = ok(cli(lib, "annotate", R, "--page", "11", "--quote", "climate emergency"))["value"]
    run_cli("edit", R, "--title", "Renamed plan", library=lib, check=True)
    proc = run_cli("undo", library=lib)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Undid: add annotation on p. 11 of {R}.\n"
    assert [t["uuid"] for t in ok(cli(lib, "trash"))] == [ann["uuid"]]
    redo = run_cli("redo", library=lib, check=True)
    assert redo.stdout == f"Redid: add annotation on p. 11 of {R}.\n"
    assert [a["uuid"] for a in ok(cli(lib, "annotations", R))] == [ann["uuid"]]


def test_a_failed_annotate_leaves_no_new_tag(sample_library):
    lib = sample_library
    err = one_line_error(run_cli("annotate", F, "--page", "5", "--quote", "zzzz", "--tag",
                                 "Brand New Tag", library=lib))
    assert "quote is not in" in err
    assert ok(cli(lib, "tags")) == []
    assert "Nothing to undo" in one_line_error(run_cli("undo", library=lib))
    made = ok(cli(lib, "annotate", F, "--page", "2", "--quote", "Kent", "--tag",
                  "Brand New Tag"))
    assert [t["path"] for t in ok(cli(lib, "tags"))] == ["Brand New Tag"]
    assert made["description"].endswith("(and 1 new tag)")


def test_annotate_refuses_a_commitment_of_another_plan(sample_library):
    lib = sample_library
    other = commitment_id(lib, R, "We will rescind the County Councils Climate Emergency")
    err = one_line_error(run_cli("annotate", F, "--commitment", str(other), library=lib))
    assert f"is in {R}, not {F}" in err
    assert ok(cli(lib, "annotations", R)) == []


def test_huge_and_malformed_ids_are_one_line_errors(sample_library):
    for args in (("lineage", "99999999999999999999"), ("status", "99999999999999999999",
                 "--status", "on_track", "--as-at", "2025"), ("lineage", "c:abc"),
                 ("unmark", "0")):
        one_line_error(run_cli(*args, library=sample_library))
    err = run_cli("lineage", "99999999999999999999", library=sample_library).stderr
    assert err == "workbench: No commitment 99999999999999999999.\n"
    data = json.loads(run_cli("lineage", "99999999999999999999", "--json",
                              library=sample_library).stdout)
    assert data == {"error": "No commitment 99999999999999999999."}
