"""Search queries as a scrutiny member types them on the command line (round 9, qa9).

Why: ``workbench search -housing`` (an exclusion first) was refused with "the following
arguments are required: QUERY", which says nothing of the cause (argparse read the query as an
unknown option); and ``--kind note`` was refused although the query language's ``kind:note``
and the README offer notes (annotations, link and status rationales) as a kind of passage.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from ui.cli.main import _dash_in_query, build_parser, main


@pytest.mark.parametrize("argv", [["search", "-housing"], ["search", "roads", "-housing"],
                                  ["search", "-climate"], ["--json", "search", "net zero", "-2050"]])
def test_a_dashed_word_in_a_query_is_explained(capsys, argv):
    """Before: "-h" read with "ousing", or "QUERY is required", or "unrecognized arguments"."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert argv[-1] in err and "after --: workbench search --limit 5 -- 'roads -housing'" in err


def test_the_advice_works_and_options_are_still_options(capsys):
    args = build_parser().parse_args(["search", "--limit", "5", "--", "roads -housing"])
    assert (args.query, args.limit) == ("roads -housing", 5)
    assert _dash_in_query(build_parser(), ["search", "roads", "--lim", "5", "-h",
                                           "--kind=note", "--", "-x"]) is None
    assert _dash_in_query(build_parser(), ["--library", "search", "plans", "-x"]) is None


def test_kind_note_finds_a_link_rationale(sample_library):
    def first_commitment(plan: str) -> str:
        shown = run_cli("show", plan, "--json", library=sample_library, check=True)
        return str(json.loads(shown.stdout)["commitments"][0]["id"])

    source, target = (first_commitment(p) for p in ("framing-kents-future-2022",
                                                     "reforming-kent-2025"))
    link = run_cli("link", "--json", source, target, "--relation", "reversed", "--confirm",
                   "--rationale", "Scrapped by the incoming administration", library=sample_library)
    assert link.returncode == 0, link.stderr
    proc = run_cli("search", "incoming administration", "--kind", "note", "--json",
                   library=sample_library)
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)["hits"]
    assert hits and {h["kind"] for h in hits} == {"note"}
    assert hits[0]["relation"] == "reversed"


@pytest.mark.parametrize(("argv", "user"), [
    (["--user", "Q. Officer", "annotate", "p", "--page", "1", "--quote", "x"], "Q. Officer"),
    (["annotate", "p", "--page", "1", "--quote", "x", "--user", "R"], "R"),
    (["--user", "Q", "annotate", "p", "--page", "1", "--quote", "x", "--user", "R"], "R"),
    (["annotate", "p", "--page", "1", "--quote", "x"], None),
    (["--user", "Q", "package", "export", "--out", "x.zip"], "Q"),
])
def test_who_is_acting_may_come_before_the_subcommand(argv, user):
    """The README gives ``--user NAME``; before the subcommand it was read as the command
    ("invalid choice: 'Q. Officer'")."""
    assert build_parser().parse_args(argv).user == user
