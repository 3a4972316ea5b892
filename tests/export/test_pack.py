"""The pack model: sanitising, selections, citations, manifests and "changes since"."""

from __future__ import annotations

import dataclasses
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from export import read_manifest, write_pack
from tests.export import packs
from workbench.errors import InvalidInput
from workbench.pack import (
    Citation,
    PackSelection,
    quoted,
    quoted_query,
    sanitise_text,
)
from workbench.pack_builder import describe_selection
from workbench.pack_manifest import diff_packs, manifest_of

_XML_OK = {0x9, 0xA}


def _xml_char(ch: str) -> bool:
    cp = ord(ch)
    return (cp in _XML_OK or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD
            or 0x10000 <= cp <= 0x10FFFF)


def test_sanitise_examples():
    assert sanitise_text("cafe\u0301") == "café"
    assert sanitise_text("a\x00b\x1bc\x7fd\x85e") == "a\ufffdb\ufffdc\ufffdd\ufffde"
    assert sanitise_text("lone \ud800 and \udfff") == "lone \ufffd and \ufffd"
    assert sanitise_text("\ufffe\uffff") == "\ufffd\ufffd"
    assert sanitise_text("line\r\nnext\rlast\tcol") == "line\nnext\nlast\tcol"
    hostile = '<b>x</b> <img src="file:///etc/passwd"> ]]> &amp; ‮rtl‬ \u200d \u00ad'
    assert sanitise_text(hostile) == hostile  # markup and format characters stay literal
    assert sanitise_text(None) == ""


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF,
                                       exclude_categories=()), max_size=60))
def test_sanitise_output_is_xml_safe_nfc_and_stable(text):
    out = sanitise_text(text)
    assert all(_xml_char(ch) for ch in out)
    assert unicodedata.is_normalized("NFC", out)
    assert sanitise_text(out) == out
    out.encode("utf-8")  # no lone surrogates left


def test_citation_text():
    c = Citation("Reforming Kent 2025-2028", "AIM 1: PUTTING KENT RESIDENTS FIRST", "6")
    assert c.text() == "Reforming Kent 2025-2028 · AIM 1: PUTTING KENT RESIDENTS FIRST · p. 6"
    assert Citation("Plan", "", "iv").text() == "Plan · p. iv"
    assert Citation("Plan").text() == "Plan"


def test_selection_json_round_trip_and_description():
    sel = PackSelection(search="net zero", tag="climate", from_plan="a", to_plan="b",
                        relation="reversed", status="abandoned", basket=("u1", "u2"))
    assert PackSelection.from_json(json.loads(json.dumps(sel.to_json()))) == sel
    assert sel.describe() == ("search “net zero”; tag “climate”; plans a → b; relation reversed; "
                              "status abandoned; basket of 2 hand-picked items")
    assert PackSelection().describe() == "all commitments in the library"
    assert sel.key() == PackSelection.from_json(sel.to_json()).key()
    assert sel.key() != PackSelection(search="net zero").key()
    with pytest.raises(InvalidInput):
        PackSelection.from_json({"basket": "not a list"})
    with pytest.raises(InvalidInput):
        PackSelection.from_json({"search": 3})


@pytest.mark.parametrize(("query", "shown"), [
    ('"climate emergency"', "“climate emergency”"),
    ("“climate emergency”", "“climate emergency”"),
    ("climate emergency", "“climate emergency”"),
    ('"net zero" -2050', "“‘net zero’ -2050”"),
    ('"a" OR "b"', "“‘a’ OR ‘b’”"),
    ("„Klimanotstand“", "“Klimanotstand”"),
    ("„net zero“ -2050", "“‘net zero’ -2050”"),  # „ opens and “ closes (qa12: ‘net zero‘)
    ("„a“ OR „b“", "“‘a’ OR ‘b’”"),
])
def test_a_search_is_quoted_once_whatever_its_own_quotes(query, shown):
    assert quoted_query(query) == shown
    assert PackSelection(search=query).describe() == f"search {shown}"
    words = describe_selection(PackSelection(search=query), {})
    assert words.endswith(f"found by the search {shown}"), words


@pytest.mark.parametrize("name", ['6" pipes', '"Quick wins"', "„Klima“", "Climate / Net zero"])
def test_a_tag_or_saved_search_name_is_quoted_as_it_is_spelt(name):
    """qa12: a name is not a query; its quote marks are part of it, never phrase marks."""
    assert quoted(name) == f"“{name}”"
    words = describe_selection(PackSelection(tag=name, search="roads", saved_search=name), {})
    assert f"tagged “{name}” (or a tag under it)" in words, words
    assert words.endswith(f"(the saved search “{name}”)"), words
    assert PackSelection(tag=name).describe() == f"tag “{name}”"


def test_a_pack_about_a_later_plan_counts_its_verdicts_on_the_cover(tmp_path):
    """fix11: a plan-pair pack lists every commitment of the earlier plan, most with no
    verdict yet; the cover says how many have each verdict, so a clerk knows before page 27.
    Packs not about a later plan have no such row."""
    import docx

    pack = packs.sample_pack()  # one reversed, one reversal proposed, one with no verdict
    said = "1 reversed; 1 proposed, not yet confirmed; 1 with no verdict yet"
    assert dict(pack.cover_rows())["Verdicts on the next edition"] == said
    write_pack(pack, tmp_path / "pack.docx")
    cover = {row.cells[0].text: row.cells[1].text
             for row in docx.Document(str(tmp_path / "pack.docx")).tables[0].rows}
    assert cover["Verdicts on the next edition"] == said
    plain = dataclasses.replace(pack, selection=PackSelection(search="net zero"))
    assert "Verdicts on the next edition" not in dict(plain.cover_rows())
    unreviewed = dataclasses.replace(pack, items=pack.items[2:])
    assert dict(unreviewed.cover_rows())["Verdicts on the next edition"] == \
        "1 with no verdict yet"
    # review, round 11; the builder sets relation_confirmed from the link shown (review, r12)
    marked = dataclasses.replace(pack.items[0], relation="unreviewed", relation_confirmed=None)
    assert dataclasses.replace(pack, items=(marked,)).verdict_counts() == \
        "1 with no verdict yet"


def test_colophon_records_what_regenerates_the_pack():
    pack = packs.sample_pack()
    rows = dict(pack.colophon())
    assert rows["Library revision"] == "412"
    assert rows["As at"] == "2025-09-30"
    assert rows["App version"] == "Plan Workbench 0.1.0"
    assert rows["Selection"] == pack.selection.describe()  # words, never a JSON filter
    assert not any(value.lstrip().startswith("{") for value in rows.values())
    # the exact filter travels as data instead, and reads back to the same selection
    assert PackSelection.from_json(manifest_of(pack)["selection"]) == pack.selection


def test_content_hash_changes_with_what_the_pack_shows():
    item = packs.net_zero_item()
    assert item.content_hash() == packs.net_zero_item().content_hash()
    changed = dataclasses.replace(item, notes=item.notes + " Asked on 3 October.")
    assert changed.content_hash() != item.content_hash()


def test_diff_lists_added_removed_and_changed():
    old = packs.sample_pack()
    manifest = json.loads(json.dumps(manifest_of(old)))
    a, b, c = old.items
    b2 = dataclasses.replace(b, statuses=b.statuses + (dataclasses.replace(b.statuses[0],
                                                                           as_at="2025-10-01"),))
    new_item = dataclasses.replace(packs.pathways_item(), key="new-key", heading="A new one")
    new = dataclasses.replace(old, items=(a, b2, new_item))
    lines = diff_packs(manifest, new)
    assert lines == (
        f"Changed: {b.heading} ({b.citation.text()})",
        f"Added: A new one ({new_item.citation.text()})",
        f"Removed: {c.heading} ({c.citation.text()})",
    )
    assert diff_packs(manifest, old) == ("No changes since the pack of library revision 412.",)


def test_diff_refuses_another_selection_or_a_foreign_file():
    manifest = manifest_of(packs.sample_pack())
    other = dataclasses.replace(packs.sample_pack(), selection=PackSelection(tag="housing"))
    with pytest.raises(InvalidInput, match="different selection"):
        diff_packs(manifest, other)
    with pytest.raises(InvalidInput):
        diff_packs({"kind": "something else"}, packs.sample_pack())
    with pytest.raises(InvalidInput):
        diff_packs({**manifest, "format": 99}, packs.sample_pack())


def test_every_export_keeps_a_manifest_the_next_export_reads(tmp_path):
    """The regeneration manifest goes to the library's archive (every format) and inside PDF
    and DOCX files, never beside the clerk's file; ``read_manifest`` finds it in each place."""
    archive, out_dir = tmp_path / "packs", tmp_path / "out"
    for fmt in ("csv", "pdf", "docx"):
        out = out_dir / f"pack.{fmt}"
        result = write_pack(packs.sample_pack(), out, archive=archive)
        assert result.manifest.parent == archive and result.manifest.is_file()
        data = read_manifest(out, archive=archive)
        assert data["library_revision"] == 412 and data["export_format"] == fmt
        assert [i["key"] for i in data["items"]] == [i.key for i in packs.sample_pack().items]
        if fmt != "csv":  # carried inside the file: found with no archive at all
            assert read_manifest(out) == data
    assert sorted(p.name for p in out_dir.iterdir()) == ["pack.csv", "pack.docx", "pack.pdf"]
    with pytest.raises(InvalidInput, match="No pack manifest"):
        read_manifest(out_dir / "pack.csv")  # a CSV carries none; its copy is in the archive
    with pytest.raises(InvalidInput):
        read_manifest(tmp_path / "missing.pdf")
    (tmp_path / "old.pdf").write_bytes(b"%PDF-1.7 written by an earlier version")
    (tmp_path / "old.pdf.pack.json").write_text(json.dumps(manifest_of(packs.sample_pack())),
                                                encoding="utf-8")
    assert read_manifest(tmp_path / "old.pdf")["library_revision"] == 412  # the old place
    (tmp_path / "bad.pdf.pack.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput):
        read_manifest(tmp_path / "bad.pdf.pack.json")


def test_a_pack_for_a_pasted_paragraph_writes_its_docx(tmp_path):
    """Review (round 11): a search over about 200 characters stopped the DOCX export ("exceeded
    255 char limit for property"); the selection is in the comments, cut to Word's limit."""
    import docx

    query = "we will work with partners to " * 12
    pack = dataclasses.replace(packs.sample_pack(), selection=PackSelection(search=query))
    write_pack(pack, tmp_path / "pack.docx")
    comments = docx.Document(str(tmp_path / "pack.docx")).core_properties.comments
    assert comments.startswith("Selection: search") and len(comments) <= 255
