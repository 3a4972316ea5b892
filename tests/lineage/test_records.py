"""The ``Records`` service on synthetic plans: every action undoable and audited, trash,
corrections, links, statuses, re-anchoring after a new version, sidecars, note search docs."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from db.records import SqliteRecords
from db.store import SqliteStore
from tests.lineage.conftest import NEW, OLD
from tests.lineage.synth import add_plan
from workbench.errors import InvalidInput
from workbench.lineage import Candidate, Suggestion
from workbench.matching.passages import passage_key
from workbench.records import Annotation, Correction, Link
from workbench.review import Records

TABLES = ("tags", "annotations", "corrections", "links", "statuses")


def snapshot(store: SqliteStore, skip: frozenset[str] = frozenset()) -> dict[str, list]:
    """Every user-record row (without its id), leaving out the records in ``skip``."""
    out = {}
    for table in TABLES:
        rows = store.db.execute(f"SELECT * FROM {table} ORDER BY uuid").fetchall()  # noqa: S608
        out[table] = [tuple(x for i, x in enumerate(r) if i != 0) for r in rows  # without id
                      if r[1] not in skip]
    return out


def trashed(store: SqliteStore, uuid: str) -> bool:
    for table in TABLES:
        row = store.db.execute(f"SELECT deleted_at FROM {table} WHERE uuid = ?",  # noqa: S608
                               [uuid]).fetchone()
        if row:
            return row[0] is not None
    raise AssertionError(f"{uuid} has no row: undo must never delete one")


def snapshot_before_without(snap: dict[str, list], skip: frozenset[str]) -> dict[str, list]:
    return {table: [row for row in rows if row[0] not in skip] for table, rows in snap.items()}


def keys(recs, plan):
    return [c.key for c in recs.effective_commitments(plan)]


def actions(recs: Records):
    """(name, function) of one of every action type, in an order that makes each valid."""
    old, new = keys(recs, "old-plan"), keys(recs, "new-plan")
    state = {"tag": recs.create_tag("Climate").value.uuid}

    def tag():
        return recs.create_tag("Net Zero", parent=state["tag"])

    def annotate():
        ch = recs.annotate_quote("old-plan", "Net Zero", page="2", note="check this",
                                 tags=[state["tag"]])
        state["ann"] = ch.value.uuid
        return ch

    def link():
        ch = recs.link(old[0], [new[0]], relation="reversed", rationale="rescinded in 2025",
                       confirm=True)
        state["link"] = ch.value.uuid
        return ch

    return [
        ("create_tag", tag),
        ("edit_tag", lambda: recs.edit_tag(state["tag"], name="Environment")),
        ("create_annotation", annotate),
        ("edit_annotation", lambda: recs.edit_annotation(state["ann"], note="checked")),
        ("delete_annotation", lambda: recs.delete(state["ann"])),
        ("restore_annotation", lambda: recs.restore(state["ann"])),
        ("create_link", link),
        ("relation_change", lambda: recs.edit_link(state["link"], relation="replaced")),
        ("status_change", lambda: recs.assess(old[0], "not_delivered", "2025-06",
                                              rationale="target scrapped")),
        ("unmark", lambda: recs.unmark(old[3])),
        ("mark", lambda: recs.mark("old-plan", 0, 5, 40)),
        ("split", lambda: recs.split(old[1], 30)),
        ("merge", lambda: recs.merge(new[2], new[3])),
        ("heading_level", lambda: recs.set_heading_level(
            recs.store.sections("old-plan")[1].id, 2)),
    ]


def test_every_action_round_trips_through_undo_and_redo_with_audit(recs, store):
    for name, act in actions(recs):
        before = snapshot(store)
        change = act()
        assert change.undo_id is not None and change.uuids and change.label
        after = snapshot(store)
        assert after != before, name
        undone = recs.undo()
        created = frozenset(step["uuid"] for step in recs.rs.undo_entries()[-1].steps
                            if step["before"] is None)
        # everything is as before, except that what the action created is in the trash
        assert snapshot(store, created) == snapshot_before_without(before, created), name
        assert all(trashed(store, uuid) for uuid in created), name
        assert undone.action == "undo" and undone.description, name
        recs.redo()
        assert snapshot(store) == after, name
        log = [e.action for e in recs.audit_log(limit=3)]
        assert log[:3] == ["redo", "undo", change.action], name
    assert all(e.actor == "tester" for e in recs.audit_log(limit=500) if e.action != "import")


def test_undo_history_is_persisted_and_a_new_action_drops_redo(recs, store, tmp_path):
    recs.create_tag("SEND")
    recs.create_tag("Highways")
    recs.undo()
    again = Records(store, SqliteRecords(store), actor="someone-else")
    assert again.can_redo() and again.redo_label() == "Add tag"
    again.create_tag("Climate")
    assert not again.can_redo()
    assert sorted(t.name for t in again.tags()) == ["Climate", "SEND"]
    with pytest.raises(InvalidInput):
        again.redo()


def test_trash_and_restore(recs):
    ann = recs.annotate_commitment(keys(recs, "old-plan")[0], note="x").value
    recs.delete(ann.uuid)
    assert recs.annotations("old-plan") == []
    assert [r.uuid for r in recs.trash()] == [ann.uuid]
    with pytest.raises(InvalidInput):
        recs.edit_annotation(ann.uuid, note="y")
    recs.restore(ann.uuid)
    assert [a.uuid for a in recs.annotations("old-plan")] == [ann.uuid]


def test_corrections_change_the_effective_commitments(recs):
    old = recs.effective_commitments("old-plan")
    assert len(old) == 4
    recs.unmark(old[3].key)
    assert [c.key for c in recs.effective_commitments("old-plan")] == [c.key for c in old[:3]]
    parts = recs.split(old[1].key, old[1].text.index("and restore")).value
    texts = [c.text for c in recs.effective_commitments("old-plan")]
    assert "We will plant 1,000 trees in every district" in texts
    assert "and restore the marshes." in texts and old[1].text not in texts
    assert all(p.key.startswith("m:") for p in parts)
    merged = recs.merge(parts[0].key, parts[1].key).value
    now = recs.effective_commitments("old-plan")
    assert [c.text for c in now if c.key == merged.key] == [old[1].text]
    assert len(now) == 3
    recs.undo()
    recs.undo()
    recs.undo()
    assert [c.key for c in recs.effective_commitments("old-plan")] == [c.key for c in old]


def test_heading_level_fix(recs, store):
    section = store.sections("old-plan")[1]
    recs.set_heading_level(section.id, 3)
    fixed = {s.id: s.level for s in recs.effective_sections("old-plan")}
    assert fixed[section.id] == 3
    recs.set_heading_level(section.id, 2)  # edits the same correction, no duplicate
    assert len(recs.corrections("old-plan")) == 1


def test_link_rules(recs):
    old, new = keys(recs, "old-plan"), keys(recs, "new-plan")
    with pytest.raises(InvalidInput, match="rationale"):
        recs.link(old[0], [new[0]], relation="reversed", confirm=True)
    with pytest.raises(InvalidInput, match="later"):
        recs.link(new[0], [old[0]], relation="continued")
    with pytest.raises(InvalidInput, match="no successor"):
        recs.link(old[0], [new[0]], relation="dropped", rationale="x", confirm=True)
    with pytest.raises(InvalidInput, match="which later plan"):
        recs.link(old[0], [], relation="dropped", rationale="gone", confirm=True)
    proposal = recs.link(old[1], [new[1]], relation="continued", confidence=0.8).value
    assert proposal.state == "proposed" and not proposal.confirmed_by
    confirmed = recs.confirm_link(proposal.uuid).value
    assert confirmed.state == "confirmed" and confirmed.confirmed_by == "tester"
    assert confirmed.history[-1]["state"] == "proposed"
    again = recs.link(old[1], [new[1]], relation="modified", confirm=True).value
    assert again.uuid == proposal.uuid and len(again.history) == 2
    dropped = recs.link(old[3], [], relation="dropped", to_plan="new-plan",
                        rationale="not in the 2025 plan", confirm=True).value
    assert dropped.targets == () and dropped.to_plan == "new-plan"


def test_a_verdict_on_a_sentence_is_one_undo_step(recs):
    """Linking to (or accepting) a sentence the segmenter did not mark (a ``p:`` key) marks it
    as a commitment in the same transaction: one undo takes away both the link and the mark,
    one redo brings both back (qa10 L3: it was two steps, the mark first)."""
    old = keys(recs, "old-plan")
    unmarked = keys(recs, "new-plan")
    page = recs.pages("new-plan").texts[0]
    sentence = "This section sets out what we will do about priority 1: environment."
    start = page.index(sentence)
    pkey = passage_key("new-plan", 0, start, start + len(sentence))
    shown = replace(recs.commitment(unmarked[0]), key=pkey, text=sentence, start=start,
                    end=start + len(sentence))
    accepted = Suggestion(recs.commitment(old[1]), (Candidate(shown, 0.7, "continued", (), {}),),
                          "continued", (), "new-plan")
    verdicts = [(old[0], lambda: recs.link(old[0], [pkey], relation="continued", confirm=True)),
                (old[1], lambda: recs.accept(accepted))]
    for source, verdict in verdicts:
        steps = len(recs.rs.undo_entries())
        link = verdict().value
        assert len(recs.rs.undo_entries()) == steps + 1  # one verdict, one undo step

        def live():
            return [(recs.key_of(lk.source), [recs.key_of(t) for t in lk.targets], lk.state)
                    for lk in recs.links("old-plan")]
        (mark,) = [k for k in keys(recs, "new-plan") if k not in unmarked]
        assert mark.startswith("m:") and recs.commitment(mark).text == sentence
        assert live() == [(source, [mark], "confirmed")]
        assert recs.get(link.uuid).targets[0].anchor.exact == sentence

        undone = recs.undo()
        assert "mark" in undone.label.lower()
        assert keys(recs, "new-plan") == unmarked and live() == []
        assert not recs.can_undo()  # the mark went with the link, not left for a second undo
        recs.redo()
        assert set(keys(recs, "new-plan")) == {*unmarked, mark}
        assert live() == [(source, [mark], "confirmed")]
        recs.undo()


def test_coverage_next_unreviewed_and_thread(store, tmp_path):
    add_plan(store, "old-plan", "2020", OLD)
    add_plan(store, "draft-plan", "2021", NEW, stage="draft", salt="d")
    add_plan(store, "new-plan", "2022", NEW)
    recs = Records(store, SqliteRecords(store), actor="t")
    old, draft, new = (keys(recs, p) for p in ("old-plan", "draft-plan", "new-plan"))
    recs.link(old[0], [draft[0]], relation="reversed", rationale="r", confirm=True)
    recs.link(draft[0], [new[0]], relation="continued", confirm=True)
    recs.link(old[1], [], relation="dropped", to_plan="new-plan", rationale="gone",
              confirm=True)
    recs.link(old[2], [new[2]], relation="scaled_back", confidence=0.5)  # proposed only
    cov = recs.coverage("old-plan")
    assert (cov.total, cov.confirmed, cov.proposed) == (4, 2, 1)
    assert cov.summary() == ("2 of 4 commitments of Old Plan have a confirmed verdict; "
                             "2 unreviewed")
    assert set(cov.no_successor) >= {old[1], old[3]}
    assert recs.next_unreviewed("old-plan").key == old[2]
    assert recs.next_unreviewed("old-plan", after=old[2]).key == old[3]
    recs.assess(new[0], "on_track", "2023")
    recs.assess(new[0], "stalled", "2024-05", rationale="no money")
    thread = recs.thread(old[0])
    assert [n.plan for n in thread.nodes] == ["old-plan", "draft-plan", "new-plan"]
    assert [n.not_adopted for n in thread.nodes] == [False, True, False]
    assert thread.nodes[2].status.status == "stalled"
    assert sorted(e.link.relation for e in thread.edges) == ["continued", "reversed"]
    assert [s.status for s in recs.status_history(new[0])] == ["on_track", "stalled"]


def test_new_version_reanchors_and_deletes_nothing(recs, store):
    old = recs.effective_commitments("old-plan")
    new = keys(recs, "new-plan")
    ann = recs.annotate_quote("old-plan", "restore the marshes", note="wetlands").value
    gone = recs.annotate_quote("old-plan", "park and ride for Canterbury").value
    link = recs.link(old[0].key, [new[0]], relation="reversed", rationale="r", confirm=True)
    revised = [(h, [p for p in ps if "park and ride" not in p]) for h, ps in OLD]
    add_plan(store, "old-plan", "2020", revised, replaces="old-plan", salt="v2",
             filler="Updated in 2021. ")
    report = recs.reanchor_plan("old-plan")
    assert (report.exact, report.moved, report.orphaned) == (0, 2, 1)
    assert report.summary() == "0 exact, 2 moved, 1 orphaned"
    assert report.newly_orphaned == (gone.uuid,)
    anns = {a.uuid: a for a in recs.annotations("old-plan")}
    assert set(anns) == {ann.uuid, gone.uuid}  # nothing deleted
    assert anns[gone.uuid].anchor.orphaned
    assert [a.uuid for a in recs.annotations("old-plan", orphans=True)] == [gone.uuid]
    moved = anns[ann.uuid].anchor
    assert recs.pages("old-plan").texts[moved.page_index][moved.start:moved.end] == \
        "restore the marshes"
    # the link's source binds to the commitment of the new version
    source = recs.get(link.value.uuid).source
    assert recs.key_of(source) == recs.effective_commitments("old-plan")[0].key != old[0].key
    # an old commitment id still resolves, through its anchor
    assert recs.commitment(old[0].key).key == recs.effective_commitments("old-plan")[0].key
    # re-attach the orphan by hand
    page = recs.pages("old-plan").texts[1]
    start = page.index("A28")
    recs.reattach(gone.uuid, 1, start, start + 3)
    assert not recs.get(gone.uuid).anchor.orphaned


def test_reads_place_records_of_a_new_version_in_memory_and_the_next_write_persists(
        recs, store):
    """Reads never write (item 7): the placement is shown at once, persisted by a write."""
    recs.annotate_quote("old-plan", "restore the marshes")
    add_plan(store, "old-plan", "2020", OLD, replaces="old-plan", salt="v2", filler="More. ")
    fresh = Records(store, SqliteRecords(store), actor="t")
    revision = store.revision()
    (ann,) = fresh.annotations("old-plan")
    sha = fresh.pages("old-plan").sha
    assert ann.anchor.doc_sha == sha and ann.anchor.status == "moved"
    fresh.effective_commitments("old-plan")
    fresh.effective_sections("old-plan")
    fresh.corrections("old-plan")
    fresh.links("old-plan")
    assert fresh.get(ann.uuid).anchor.doc_sha == sha
    assert store.revision() == revision and fresh.audit_log(limit=1)[0].action == "import"
    assert fresh.rs.get("annotation", ann.uuid).anchor.doc_sha != sha  # stored: untouched
    fresh.edit_annotation(ann.uuid, note="wetlands")  # a write persists the placement
    assert [e.action for e in fresh.audit_log(limit=2)] == ["edit_annotation", "reanchor"]
    stored = fresh.rs.get("annotation", ann.uuid)
    assert stored.anchor.doc_sha == sha and stored.note == "wetlands"
    assert store.revision() == revision + 1  # one transaction


def test_sidecars_are_written_and_rebuild_a_lost_database(recs, store, tmp_path):
    old, new = keys(recs, "old-plan"), keys(recs, "new-plan")
    tag = recs.create_tag("Climate").value
    recs.annotate_commitment(old[0], note="n", tags=[tag.uuid])
    recs.link(old[0], [new[0]], relation="reversed", rationale="r", confirm=True)
    recs.assess(old[0], "not_delivered", "2025")
    recs.split(old[1], 20)
    side = json.loads((tmp_path / "sidecars" / "old-plan.json").read_text(encoding="utf-8"))
    assert len(side["annotations"]) == 1 and len(side["links"]) == 1
    assert len(side["statuses"]) == 1 and len(side["corrections"]) == 3
    assert side["tags"][0]["name"] == "Climate"
    assert json.loads((tmp_path / "sidecars" / "new-plan.json").read_text())["links"] == []
    before = snapshot(store)
    # a new, empty database with the same plans: rebuild it from the sidecars
    (tmp_path / "other").mkdir()
    other = SqliteStore(tmp_path / "other" / "workbench.db")
    add_plan(other, "old-plan", "2020", OLD)
    add_plan(other, "new-plan", "2022", NEW)
    rebuilt = Records(other, SqliteRecords(other), actor="t")
    counts = rebuilt.rebuild_from_sidecars(tmp_path / "sidecars")
    assert counts == {"tag": 1, "annotation": 1, "correction": 3, "link": 1, "status": 1}
    assert snapshot(other) == before
    assert rebuilt.rebuild_from_sidecars(tmp_path / "sidecars") == dict.fromkeys(counts, 0)
    other.close()


def test_notes_rationales_and_tags_are_search_documents(recs, store):
    old, new = keys(recs, "old-plan"), keys(recs, "new-plan")
    tag = recs.create_tag("Climate").value
    ann = recs.annotate_commitment(old[0], note="Compare with the 2019 declaration",
                                   tags=[tag.uuid]).value
    recs.link(old[0], [new[0]], relation="reversed", rationale="rescinded by Reform",
              confirm=True)
    recs.annotate_commitment(old[1])  # no note, no tags: nothing to index
    wanted = {k: v for k, v in store.index_fingerprints().items() if k.startswith("note:")}
    assert len(wanted) == 2
    docs = {d.heading: d for d in store.index_docs(sorted(wanted))}
    assert docs["Annotation"].body == "Compare with the 2019 declaration\nClimate"
    assert docs["Annotation"].plan == "old-plan" and docs["Annotation"].kind == "note"
    assert docs["Link: reversed"].body == "rescinded by Reform"
    table, row_id = store.note_target(docs["Annotation"].item_id)
    assert table == "annotations"
    assert store.db.execute("SELECT uuid FROM annotations WHERE id = ?", [row_id]).fetchone()[0] \
        == ann.uuid
    recs.delete(ann.uuid)
    assert len([k for k in store.index_fingerprints() if k.startswith("note:")]) == 1


def test_records_round_trip_json():
    from workbench.anchoring import Anchor
    from workbench.records import Ref, record_from_json

    a = Anchor("x", "p", "s", 1, "2", 3, 4, "sha")
    for r in (Annotation("u1", "plan", a, tags=("t",)),
              Correction("u2", "plan", "mark", a, group="g"),
              Link("u3", Ref("plan", a), "later", targets=(Ref("later", a),),
                   reasons=("why",), history=({"at": "x"},))):
        assert record_from_json(json.loads(json.dumps(r.to_json()))) == r


def test_review_counts_only_the_councils_own_promises(store, tmp_path):
    """Issue 12: an ask of government and a measure of success are shown and linkable, but the
    review queue and its coverage meter count only commitments and targets."""
    from dataclasses import replace

    from tests.lineage.synth import make_extraction
    from workbench.model import PlanMeta

    ex = make_extraction([("Our priorities", [
        "We will open two new libraries by 2026.",
        "We call on government to fund school transport fairly.",
        "Number of library visits per year.",
        "We will cut waste sent to landfill to 5% by 2030.",
    ])])
    kinds = ("commitment", "ask", "measure", "target")
    ex = replace(ex, commitments=tuple(replace(c, kind=k) for c, k in zip(ex.commitments, kinds,
                                                                          strict=True)))
    store.add_document(slug="kinds-plan", meta=PlanMeta(title="Kinds", published="2021"),
                       extraction=ex, file_name="k.pdf", stored_path=f"files/{ex.sha256}.pdf")
    add_plan(store, "later-plan", "2023", [("Libraries", ["We will keep every library open."])])
    recs = Records(store, SqliteRecords(store), actor="tester", sidecar_dir=tmp_path / "sc")

    shown = {c.text: c.kind for c in recs.effective_commitments("kinds-plan")}
    assert shown["We call on government to fund school transport fairly."] == "ask"
    assert len(shown) == 4  # every kind is shown (and so linkable)
    cov = recs.coverage("kinds-plan", "later-plan")
    assert cov.total == 2
    state = recs.queue.review_state("kinds-plan", "later-plan")
    assert state.total == 2
    walked = [state.current.text]
    while (nxt := recs.queue.next_unreviewed("kinds-plan", after=state.current.key,
                                              to_plan="later-plan")) and nxt.text not in walked:
        walked.append(nxt.text)
        state = replace(state, current=nxt)
    assert sorted(walked) == ["We will cut waste sent to landfill to 5% by 2030.",
                              "We will open two new libraries by 2026."]
