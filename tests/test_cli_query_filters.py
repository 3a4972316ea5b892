"""Filters typed in a search query that cannot be read, as a user types them (round 9, L6).

Why: ``workbench search 'date:abc climate'`` and ``'plan:nope climate'`` answered "No
matches" with no notice, although ``--from abc`` and ``--plan nope`` are errors: a mistyped
filter looked like an empty library. Now the search says which filter it could not read and
what it takes; readable filters work as before.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def search(library, query: str) -> dict:
    proc = run_cli("search", query, "--json", library=library)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize(("query", "says"), [
    ("date:abc climate", ["date:abc", "not a date", "date:2020"]),
    ("plan:nope climate", ["plan:nope", "no plan", "(e.g. plan:"]),
    ("kind:bogus climate", ["kind:bogus", "section, commitment, note"]),
    ("relation:sideways climate", ["relation:sideways", "reversed"]),
    ("status:vibing climate", ["status:vibing", "stalled"]),
    ("stage:bogus climate", ["stage:bogus", "adopted"]),
])
def test_a_filter_that_cannot_be_read_says_so(sample_library, query, says):
    data = search(sample_library, query)
    assert data["hits"] == []
    for words in says:
        assert words in data["notice"], (words, data["notice"])
    text = run_cli("search", query, library=sample_library)
    assert text.returncode == 0 and query.split()[0] in text.stdout + text.stderr


def test_readable_filters_still_filter(sample_library):
    for query in ("date:2020..2022 climate", "plan:reforming-kent-2025 climate",
                  "kind:commitment climate", "stage:adopted climate",
                  "status:not_assessed climate", "relation:unreviewed climate",
                  "owner:x climate"):
        data = search(sample_library, query)
        assert data["hits"] and "filter" not in data["notice"], (query, data["notice"])
    assert {h["plan"] for h in search(sample_library,
                                      "plan:reforming-kent-2025 climate")["hits"]} == \
        {"reforming-kent-2025"}
