"""What the CLI shares with the window: the user name it records, the default library, and
saved searches (library records, not window settings).

Runs ``ui.cli.main`` in-process on a small synthetic library (no PDFs); the user folders are
temporary (tests/conftest.py), so nothing real is read or written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.records import SqliteRecords
from db.store import SqliteStore
from tests.lineage.conftest import NEW, OLD
from tests.lineage.synth import add_plan
from ui import compose, preferences
from ui.cli import main
from workbench.review import Records


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    store = SqliteStore(root / "workbench.db")
    try:
        add_plan(store, "old-plan", "2020", OLD)
        add_plan(store, "new-plan", "2022", NEW)
    finally:
        store.close()
    return root


@pytest.fixture
def cli(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def commitment_ids(cli, library, plan):
    code, out, _ = cli("show", plan, "--json", "--library", str(library))
    assert code == 0
    return [c["id"] for c in json.loads(out)["commitments"]]


def test_cli_links_carry_the_name_the_window_asked_for(cli, library, monkeypatch):
    monkeypatch.delenv("WORKBENCH_USER", raising=False)
    assert preferences.set_user_name("Alex Officer")  # what the window's name prompt does
    old, new = (commitment_ids(cli, library, p) for p in ("old-plan", "new-plan"))
    code, _, err = cli("link", str(old[0]), str(new[0]), "--relation", "reversed", "--confirm",
                       "--rationale", "Scrapped.", "--library", str(library))
    assert code == 0, err
    store = SqliteStore(library / "workbench.db")
    try:
        [link] = Records(store, SqliteRecords(store), actor="x",
                         sidecar_dir=library / "sidecars").links()
    finally:
        store.close()
    assert (link.created_by, link.confirmed_by) == ("Alex Officer", "Alex Officer")


def test_an_explicit_user_still_wins(monkeypatch):
    preferences.set_user_name("Alex Officer")
    monkeypatch.setenv("WORKBENCH_USER", "Sam Session")
    assert compose.default_actor() == "Sam Session"
    monkeypatch.delenv("WORKBENCH_USER")
    assert compose.default_actor() == "Alex Officer"


def test_a_damaged_preferences_file_is_no_preferences(monkeypatch):
    monkeypatch.delenv("WORKBENCH_USER", raising=False)
    path = preferences.preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert preferences.user_name() == ""
    assert compose.default_actor()  # the login name, not a crash
    assert preferences.set_user_name("Alex")
    assert json.loads(path.read_text(encoding="utf-8"))["user_name"] == "Alex"


def test_the_cli_opens_the_library_the_window_had_open_last(cli, library, tmp_path):
    assert compose.default_library() != library
    preferences.set_last_library(library)  # what the window does when it opens a library
    assert compose.default_library() == library
    code, out, _ = cli("plans", "--json")
    assert code == 0 and [p["slug"] for p in json.loads(out)] == ["old-plan", "new-plan"]
    preferences.set_last_library(tmp_path / "gone")  # a library that was moved away
    assert compose.default_library() == compose.data_dir() / "library"


def test_search_save_then_searches_lists_it_with_its_filters(cli, library):
    lib = ["--library", str(library)]
    code, out, err = cli("search", "potholes", "--plan", "old-plan", "--kind", "commitment",
                         "--relation", "unreviewed", "--sort", "date", "--save", "Potholes then",
                         "--json", *lib)
    assert code == 0, err
    assert json.loads(out)["hits"]  # the results' contract is unchanged by --save
    code, out, _ = cli("searches", "--json", *lib)
    [saved] = json.loads(out)
    assert (saved["name"], saved["query"], saved["sort"]) == ("Potholes then", "potholes", "date")
    assert saved["filters"]["plans"] == ["old-plan"]
    assert saved["filters"]["kinds"] == ["commitment"]
    assert saved["filters"]["relations"] == ["unreviewed"]
    code, out, _ = cli("searches", *lib)
    assert out.startswith("Potholes then: 'potholes' (plan old-plan, kind commitment")
    assert "sorted by date" in out


def test_a_saved_name_is_refused_twice_and_removal_keeps_the_row(cli, library):
    lib = ["--library", str(library)]
    assert cli("search", "trees", "--save", "Trees", *lib)[0] == 0
    code, _, err = cli("search", "marshes", "--save", "trees", *lib)
    assert code == 1 and "exists already" in err
    code, out, _ = cli("searches", "--remove", "Trees", "--json", *lib)
    assert code == 0 and json.loads(out)["removed"]["query"] == "trees"
    assert json.loads(cli("searches", "--json", *lib)[1]) == []
    store = SqliteStore(library / "workbench.db")
    try:
        rows = store.db.execute("SELECT name, deleted_at FROM saved_searches").fetchall()
        audit = [r[0] for r in store.db.execute("SELECT action FROM audit_log")]
    finally:
        store.close()
    assert len(rows) == 1 and rows[0][1] is not None  # in the trash, not deleted
    assert "save_search" in audit and "remove_saved_search" in audit
    assert cli("search", "marshes", "--save", "Trees", *lib)[0] == 0  # the name is free again
