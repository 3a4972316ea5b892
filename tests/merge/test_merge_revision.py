"""A merge re-checks the library revision inside its transaction (read-check-write race)."""

from __future__ import annotations

import pytest

from tests.merge.conftest import FRAMING, export, keys, officer, snapshot
from workbench.errors import InvalidInput
from workbench.merge import apply_merge, plan_merge, read_package


def test_a_change_between_the_check_and_the_commit_refuses_the_merge(libraries, tmp_path):
    with officer(libraries["b"], "Officer B") as r:
        r.annotate_commitment(keys(r, FRAMING)[0], note="B1")
    package = export(libraries["b"], "Officer B", tmp_path / "b.zip")
    before = snapshot(libraries["a"])
    with officer(libraries["a"], "Officer A") as r:
        plan = plan_merge(r, read_package(package))
        r.annotations(FRAMING)  # reading does not invalidate the review
        r.effective_commitments(FRAMING)
        assert r.store.revision() == plan.base_revision
        real_backup = r.store.backup

        def backup_then_someone_edits(reason):
            path = real_backup(reason)  # e.g. the window saves a note meanwhile
            r.annotate_commitment(keys(r, FRAMING)[1], note="written meanwhile")
            return path

        r.store.backup = backup_then_someone_edits
        with pytest.raises(InvalidInput, match="changed while you reviewed the merge"):
            apply_merge(r, plan)
        notes = sorted(a.note for a in r.annotations(FRAMING))
    assert notes == ["written meanwhile"]  # the merge wrote nothing
    assert len(snapshot(libraries["a"])) == len(before) + 1
