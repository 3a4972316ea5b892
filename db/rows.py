"""How ``workbench.model`` values become rows of the library database, and back.

Pure functions over a sqlite-utils ``Database`` and row dicts: the converters used by
``db.store`` (plans, documents, sections, commitments), the insert of one extracted document,
and the small helpers both need (the UTC clock of the database, content fingerprints, the
chronological order of plans). No transactions are opened here: callers hold them.
"""

from __future__ import annotations

import hashlib
import json
from json import encoder as _json_encoder
from typing import Any

from sqlite_utils import Database

from workbench.files import utc_now
from workbench.model import (
    META_FIELDS,
    Commitment,
    CommitmentId,
    Document,
    DocumentId,
    Extraction,
    Plan,
    PlanId,
    PlanMeta,
    Rect,
    Section,
    SectionId,
)


def fingerprint(*parts: object) -> str:
    """sha1 of each part's text followed by a unit separator (one encode and one update: the
    bytes are those of the part-by-part updates it replaced; issue 12, Speed)."""
    text = "\x1f".join([str(part) for part in parts]) + "\x1f"
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def chronological_key(plans: list[Plan]):
    """Order plans by year published, then along their supersedes chain, then by date and slug.

    Partial dates ("2020" and "2020-03") do not order themselves: within one year, a plan that
    supersedes another comes after it.
    """
    by_slug = {p.slug: p for p in plans}

    def depth(plan: Plan) -> int:
        seen, n = {plan.slug}, 0
        while plan.meta.supersedes in by_slug and plan.meta.supersedes not in seen:
            plan = by_slug[plan.meta.supersedes]
            seen.add(plan.slug)
            n += 1
        return n

    def key(plan: Plan) -> tuple:
        published = plan.meta.published or "9999"
        return (published[:4], depth(plan), published, plan.slug)

    return key


def plan_from_row(r: dict[str, Any]) -> Plan:
    meta = PlanMeta(**{f: r[f] or "" for f in META_FIELDS})
    ocr = tuple(int(x) for x in (r["ocr_pages"] or "").split(",") if x)
    return Plan(
        id=PlanId(r["id"]),
        slug=r["slug"],
        meta=meta,
        pages=r["page_count"] or 0,
        sections=r["n_sections"] or 0,
        commitments=r["n_commitments"] or 0,
        document_id=DocumentId(r["doc_id"]) if r["doc_id"] else None,
        versions=r["versions"] or 0,
        needs_ocr_pages=ocr,
        repaired=bool(r["repaired"]),
        copy_restricted=bool(r["copy_restricted"]),
    )


def document_from_row(r: dict[str, Any]) -> Document:
    return Document(
        id=DocumentId(r["id"]),
        plan_id=PlanId(r["plan_id"]),
        sha256=r["sha256"],
        file_name=r["file_name"],
        stored_path=r["stored_path"],
        page_count=r["page_count"],
        version=r["version"],
        imported_at=r["imported_at"] or "",
        repaired=bool(r["repaired"]),
        warnings=tuple(json.loads(r["warnings"] or "[]")),
        copy_restricted=bool(r["copy_restricted"]),
    )


def section_from_row(r: dict[str, Any]) -> Section:
    return Section(
        id=SectionId(r["id"]),
        document_id=DocumentId(r["document_id"]),
        ordinal=r["ordinal"],
        heading=r["heading"],
        level=r["level"],
        path=tuple(json.loads(r["path"])),
        page_start=r["page_start"],
        page_end=r["page_end"],
        label_start=r["label_start"] or "",
        label_end=r["label_end"] or "",
        text=r["text"],
    )


def commitment_from_row(r: dict[str, Any]) -> Commitment:
    return Commitment(
        id=CommitmentId(r["id"]),
        document_id=DocumentId(r["document_id"]),
        section_id=SectionId(r["section_id"]),
        ordinal=r["ordinal"],
        text=r["text"],
        page_index=r["page_index"],
        page_label=r["page_label"] or "",
        char_start=r["char_start"] or 0,
        char_end=r["char_end"] or 0,
        lead_in=r["lead_in"] or "",
        kind=r.get("kind") or "commitment",
        pledge=r.get("pledge"),
    )














def insert_extraction(
    db: Database, plan_id: int, version: int, ex: Extraction, file_name: str, stored_path: str
) -> int:
    """Write one extracted document (pages, sections, commitments); the caller's transaction."""
    doc_id = insert_row(
            db, "documents", {
                "plan_id": plan_id,
                "sha256": ex.sha256,
                "pdf_id": ex.pdf_id,
                "file_name": file_name,
                "stored_path": stored_path,
                "page_count": ex.page_count,
                "version": version,
                "imported_at": utc_now(),
                "repaired": int(ex.repaired),
                "warnings": json.dumps(list(ex.warnings), ensure_ascii=False),
                "copy_restricted": int(ex.copy_restricted),
                "pdf_title": ex.title,
                "ocr": ex.ocr,  # issue 15 (migration m004)
            })
    insert_content(db, int(doc_id), ex)
    return int(doc_id)


def insert_row(db: Database, table: str, row: dict[str, str | int | float | None]) -> int:
    """One plain INSERT of ``row`` (scalar values: sqlite-utils' ``insert`` turned none of
    them into JSON), returning its rowid. Replaces ``db[table].insert(row).last_pk`` on the
    import path, which opened a savepoint and looked the table up each time (issue 12,
    Speed). Never replaces an existing row."""
    names, marks = ", ".join(f"[{c}]" for c in row), ", ".join("?" * len(row))
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({marks})"  # noqa: S608 (constant names)
    cursor = db.conn.execute(sql, list(row.values()))
    return int(cursor.lastrowid or 0)


def _insert_many(db: Database, table: str, columns: tuple[str, ...], rows) -> None:
    """One prepared INSERT run over every row (``executemany``): an import writes hundreds of
    rows a document, and sqlite-utils' per-row ``insert`` (a savepoint and a column check
    each) was most of the parent's time (issue 12, Speed). Plain inserts only: never replace."""
    names, marks = ", ".join(f"[{c}]" for c in columns), ", ".join("?" * len(columns))
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({marks})"  # noqa: S608 (constant names)
    db.conn.executemany(sql, rows)


def _boxes_encoder() -> Any:
    """The C encoder json.dumps makes at every call, made once (stateless: no circular check,
    which a tuple of boxes of numbers cannot need). None where Python has no C accelerator or
    its private signature has changed (a later Python): ``boxes_json`` then uses json.dumps,
    so a library always opens."""
    try:
        return _json_encoder.c_make_encoder(
            None, None, _json_encoder.encode_basestring_ascii, None, ": ", ", ", False, False,
            True)
    except Exception:  # None (no accelerator: TypeError) or a changed signature
        return None


_ENCODE_BOXES = _boxes_encoder()


_FLOAT_TEXT: dict[float, str] = {}  # repr of a box coordinate already written (boxes_json)
_FLOAT_TEXT_LIMIT = 1 << 16  # entries (about 9 MB full); then it starts again: clearing at once
# costs only some repr calls again on a very large import, so no LRU is needed


def _float_text(value: float) -> str | None:
    """What ``json.dumps`` writes for a finite float (its ``repr``), remembered; None for
    infinity and NaN, which it writes otherwise. A zero is not remembered: 0.0 and -0.0 are
    the same key with different texts."""
    if value - value != 0.0:  # inf - inf and nan - nan are nan
        return None
    text = repr(value)
    if value:
        if len(_FLOAT_TEXT) >= _FLOAT_TEXT_LIMIT:
            _FLOAT_TEXT.clear()
        _FLOAT_TEXT[value] = text
    return text


def boxes_json(rects: tuple) -> str:
    """``json.dumps(rects)``, the same text, without its per-call set-up: an import writes one
    for every commitment unit, and that set-up was a fifth of it (issue 12, Speed).

    A tuple of boxes of an int and four floats (what every unit holds) is written here, each
    coordinate's text looked up before it is made: ``repr`` of a float is an exact
    shortest-digits search, nearly all of the cost, and a document's boxes share most of
    their coordinates (margins, line positions; about two in three in the long corpus).
    Anything else (another type, infinity, NaN) goes to the encoder below (issue 13, Speed).
    """
    if type(rects) is tuple:
        known = _FLOAT_TEXT.get
        parts = []
        for r in rects:
            if not ((type(r) is Rect or type(r) is tuple) and len(r) == 5):
                break
            page, x0, y0, x1, y1 = r
            if not (type(page) is int and type(x0) is float and type(y0) is float
                    and type(x1) is float and type(y1) is float):
                break
            t0 = known(x0) or _float_text(x0)
            t1 = known(y0) or _float_text(y0)
            t2 = known(x1) or _float_text(x1)
            t3 = known(y1) or _float_text(y1)
            if t0 is None or t1 is None or t2 is None or t3 is None:
                break
            parts.append(f"[{page}, {t0}, {t1}, {t2}, {t3}]")
        else:
            return "[" + ", ".join(parts) + "]"
    if _ENCODE_BOXES is not None:
        try:
            return "".join(_ENCODE_BOXES(rects, 0))
        except Exception:  # json.dumps then raises its own error (a cycle, a non-number)
            pass
    return json.dumps(rects)


_PAGE_COLUMNS = ("document_id", "page_index", "label", "text", "needs_ocr", "width", "height",
                 "ocr_confidence")  # ocr_confidence: issue 15, None for a text layer
_SECTION_COLUMNS = ("id", "document_id", "ordinal", "heading", "level", "path", "page_start",
                    "page_end", "label_start", "label_end", "char_start", "text", "fingerprint")
_COMMITMENT_COLUMNS = ("id", "document_id", "section_id", "ordinal", "text", "page_index",
                       "page_label", "char_start", "char_end", "lead_in", "kind", "rects",
                       "fingerprint", "pledge")


KeptIds = dict[str, dict[tuple[Any, ...], list[int]]]
"""Per table (``sections``, ``commitments``): the ids of the replaced rows, by their key, in
reading order (two rows may share a key where places are unknown)."""


def _section_key(heading: str, page_start: int, char_start: int, text: str) -> tuple[Any, ...]:
    return (heading, page_start, char_start, text)


def _commitment_key(text: str, page_index: int, char_start: int, char_end: int) \
        -> tuple[Any, ...]:
    return (text, page_index, char_start, char_end)


def _ids_by_key(rows: Any, key: Any) -> dict[tuple[Any, ...], list[int]]:
    out: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        out.setdefault(key(*row[1:]), []).append(row[0])
    return out


def ids_in(db: Database, doc_id: int) -> KeptIds:
    """The ids of a document's sections and commitment units, by their text and place: what a
    re-segment hands to ``insert_content`` so the units it finds again keep their ids."""
    return {
        "sections": _ids_by_key(db.conn.execute(
            "SELECT id, heading, page_start, char_start, text FROM sections "
            "WHERE document_id = ? ORDER BY ordinal, id", (doc_id,)), _section_key),
        "commitments": _ids_by_key(db.conn.execute(
            "SELECT id, text, page_index, char_start, char_end FROM commitments "
            "WHERE document_id = ? ORDER BY ordinal, id", (doc_id,)), _commitment_key),
    }


_FLOOR = "highest_id_given:"  # meta key prefix: the highest id the table has given


def _highest_id(db: Database, table: str) -> int:
    """The highest id ``table`` holds or has held (the larger of its max(id) and the mark
    ``retire_ids`` left)."""
    held = db.conn.execute(f"SELECT coalesce(max(id), 0) FROM [{table}]").fetchone()[0]  # noqa: S608 (constant names)
    mark = db.conn.execute("SELECT value FROM meta WHERE key = ?", (_FLOOR + table,)).fetchone()
    return max(int(held), int(mark[0]) if mark else 0)


def retire_ids(db: Database) -> None:
    """Before rows of ``sections``/``commitments`` are deleted (a re-segment): remember the
    highest id each table has given, so no later row is given an id a removed one had (SQLite
    hands out max(id) + 1, which would name another passage with an id an officer noted)."""
    for table in ("sections", "commitments"):
        db.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_FLOOR + table, str(_highest_id(db, table))))


def _new_ids(db: Database, table: str, keys: list[tuple[Any, ...]],
             kept: dict[tuple[Any, ...], list[int]]) -> list[int]:
    """An id for each new row of ``table``: the replaced row's where its key (text and place)
    is unchanged (rows sharing a key take their ids in reading order), else a fresh one above
    every id the table has given (``retire_ids``)."""
    given = [i for ids in kept.values() for i in ids]
    top, out = max(_highest_id(db, table), *given, 0), []
    left = {key: list(ids) for key, ids in kept.items()}
    for key in keys:
        ids = left.get(key)
        if ids:
            out.append(ids.pop(0))
        else:
            top += 1
            out.append(top)
    return out


def unit_fingerprint(unit: Any, section: Any, page_label: str | None) -> str:
    """What a commitment unit's search entry shows: its own text, place, lead-in and kind, and
    its section's heading and path and its page label, so a re-segment that keeps the unit's id
    but mends its heading or label re-writes its entry (review, round 11: a kept id kept a
    stale path in the index)."""
    return fingerprint(unit.text, unit.page_index, unit.section_ordinal, unit.lead_in,
                       unit.kind, section.heading, tuple(section.path), page_label)


def insert_content(db: Database, doc_id: int, ex: Extraction, kept: KeptIds | None = None) \
        -> None:
    """Write the pages, sections and commitment units of one document (the caller's
    transaction); also used when a document is re-segmented (issue 12), with ``kept`` the
    replaced rows' ids (``ids_in``): a section or unit whose text and place are unchanged keeps
    its id, so ``c:123`` noted from ``workbench show`` still names the same passage; any other
    gets an id never given before (fix11).

    Each table is one batched insert; the ids are chosen here, so the commitments' section ids
    need no read-back."""
    kept = kept or {"sections": {}, "commitments": {}}
    labels = {p.index: p.label for p in ex.pages}
    _insert_many(db, "pages", _PAGE_COLUMNS, [
        (doc_id, p.index, p.label, p.text, int(p.needs_ocr), p.width, p.height,
         p.ocr_confidence)
        for p in ex.pages
    ])
    ids = _new_ids(db, "sections", [
        _section_key(s.heading, s.page_start, s.char_start, s.text) for s in ex.sections],
        kept["sections"])
    _insert_many(db, "sections", _SECTION_COLUMNS, [
        (sid, doc_id, s.ordinal, s.heading, s.level,
         json.dumps(list(s.path), ensure_ascii=False),
         s.page_start, s.page_end, labels.get(s.page_start, str(s.page_start + 1)),
         labels.get(s.page_end, str(s.page_end + 1)), s.char_start, s.text,
         fingerprint(s.heading, s.level, s.path, s.text, s.page_start,
                     labels.get(s.page_start), labels.get(s.page_end)))
        for sid, s in zip(ids, ex.sections, strict=True)
    ])
    section_ids = {s.ordinal: sid for sid, s in zip(ids, ex.sections, strict=True)}
    places = {s.ordinal: s for s in ex.sections}
    ids = _new_ids(db, "commitments", [
        _commitment_key(c.text, c.page_index, c.char_start, c.char_end) for c in ex.commitments],
        kept["commitments"])
    _insert_many(db, "commitments", _COMMITMENT_COLUMNS, [
        (cid, doc_id, section_ids[c.section_ordinal], c.ordinal, c.text, c.page_index,
         labels.get(c.page_index, str(c.page_index + 1)), c.char_start, c.char_end, c.lead_in,
         c.kind, boxes_json(c.rects),  # a Rect is a tuple: [[page_index, x0, y0, x1, y1], ...]
         unit_fingerprint(c, places[c.section_ordinal], labels.get(c.page_index)), c.pledge)
        for cid, c in zip(ids, ex.commitments, strict=True)
    ])
