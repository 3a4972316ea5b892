"""A pack by tag takes every tag of that name, as a library merge leaves two (qa13c, round 13).

Why: merging a colleague's package adds their "Climate" tag beside ours (tags are matched by
UUID), so the library holds two tags called "Climate". `workbench export --tag Climate` took
only the first, and the colleague's annotations were silently missing from the pack.
"""

from __future__ import annotations

import shutil

import pytest

from tests.composition import close_workbench, open_workbench, records_for
from workbench.pack import PackSelection
from workbench.pack_builder import build_pack
from workbench.pack_export import search_fn

R = "reforming-kent-2025"


@pytest.fixture
def merged_tags(sample_library_master, tmp_path):
    root = tmp_path / "library"
    shutil.copytree(sample_library_master, root)
    wb = open_workbench(root, actor="alice")
    recs = records_for(wb, "alice")
    ours, _ = recs.ensure_tag("Climate")
    # what a merge leaves: the colleague's own "Climate" (create_tag refuses a twin by hand)
    theirs = recs.tagging._new("Climate", None)
    recs.tagging.actions.commit("create_tag", "Add tag", [(None, theirs)], {"name": "Climate"})
    child, _ = recs.ensure_tag("Climate / Net Zero")  # under one of the two
    text = recs.effective_commitments(R)
    mine = recs.annotate_commitment(text[0].key, note="mine", tags=[ours.uuid]).value
    colleague = recs.annotate_commitment(text[1].key, note="theirs", tags=[theirs.uuid]).value
    nested = recs.annotate_commitment(text[2].key, note="nested", tags=[child.uuid]).value
    yield wb, recs, (mine, colleague, nested)
    close_workbench(wb)


def test_every_tag_called_so_is_taken(merged_tags):
    wb, recs, notes = merged_tags
    assert len([t for t in recs.tags() if t.name == "Climate"]) == 2
    pack = build_pack(recs, wb.store, PackSelection(tag="Climate"), as_at="2025-09-30",
                      search=search_fn(wb), version="test")
    got = " ".join(i.notes for i in pack.items)
    assert all(n.note in got for n in notes), got


def test_a_tag_path_that_exists_narrows_to_that_path(merged_tags):
    """A full path names only the tags at that path; a bare name that is some tag's path (a
    top-level tag) names only that one: a "Net Zero" elsewhere in the tree is not taken."""
    wb, recs, (_mine, _colleague, nested) = merged_tags
    other, _ = recs.ensure_tag("Transport / Net Zero")
    text = recs.effective_commitments(R)
    elsewhere = recs.annotate_commitment(text[3].key, note="elsewhere", tags=[other.uuid]).value

    def notes(tag: str) -> str:
        pack = build_pack(recs, wb.store, PackSelection(tag=tag), as_at="2025-09-30",
                          search=search_fn(wb), version="test")
        return " ".join(i.notes for i in pack.items)

    for tag in ("Climate / Net Zero", "  climate/NET ZERO "):
        got = notes(tag)
        assert nested.note in got and elsewhere.note not in got, (tag, got)
    got = notes("Transport / Net Zero")
    assert elsewhere.note in got and nested.note not in got, got
    got = notes("Net Zero")  # no top-level "Net Zero": every tag so called
    assert nested.note in got and elsewhere.note in got, got
    top, _ = recs.ensure_tag("Net Zero")
    only = recs.annotate_commitment(text[4].key, note="top", tags=[top.uuid]).value
    got = notes("Net Zero")  # now a tag's path: only that one
    assert only.note in got and nested.note not in got and elsewhere.note not in got, got
