"""Migration m002: user records for annotations, corrections and lineage (issue 5).

Every user record has a ``uuid`` (unique from creation) and points at a plan (``plan_id``) plus
an anchor (JSON: quote + context + position selectors, see ``workbench.anchoring``), never at
the row id of one document version. ``deleted_at`` is the trash: nothing is hard-deleted except
by undoing the record's own creation (the undo log keeps the snapshot, so redo brings it back).
"""

from __future__ import annotations

from sqlite_utils import Database

_WHO = {"created_at": str, "created_by": str, "updated_at": str, "deleted_at": str}


def m002_lineage(db: Database) -> None:
    """Add tags, annotations, segmentation corrections, lineage links, delivery statuses and
    the persisted undo history."""
    db["tags"].create(
        {"id": int, "uuid": str, "name": str, "parent": str, "colour": str, **_WHO},
        pk="id",
        not_null={"uuid", "name", "created_at"},
        defaults={"colour": ""},
    )
    db["tags"].create_index(["uuid"], unique=True)
    db["annotations"].create(
        {
            "id": int, "uuid": str, "plan_id": int, "anchor": str, "anchor_status": str,
            "page_index": int, "note": str, "colour": str, "tags": str, **_WHO,
        },
        pk="id",
        foreign_keys=[("plan_id", "plans", "id")],
        not_null={"uuid", "plan_id", "anchor", "anchor_status", "page_index", "created_at"},
        defaults={"note": "", "colour": "", "tags": "[]"},
    )
    db["annotations"].create_index(["uuid"], unique=True)
    db["annotations"].create_index(["plan_id", "page_index"])
    db["corrections"].create(
        {
            "id": int, "uuid": str, "plan_id": int, "kind": str, "anchor": str,
            "anchor_status": str, "page_index": int, "level": int, "grp": str, "note": str,
            **_WHO,
        },
        pk="id",
        foreign_keys=[("plan_id", "plans", "id")],
        not_null={"uuid", "plan_id", "kind", "anchor", "anchor_status", "created_at"},
        defaults={"grp": "", "note": ""},
    )
    db["corrections"].create_index(["uuid"], unique=True)
    db["corrections"].create_index(["plan_id"])
    db["links"].create(
        {
            "id": int, "uuid": str, "from_plan_id": int, "to_plan_id": int, "source": str,
            "targets": str, "evidence": str, "relation": str, "state": str,
            "confidence": float, "rationale": str, "reasons": str, "confirmed_by": str,
            "confirmed_at": str, "history": str, **_WHO,
        },
        pk="id",
        foreign_keys=[("from_plan_id", "plans", "id"), ("to_plan_id", "plans", "id")],
        not_null={"uuid", "from_plan_id", "to_plan_id", "source", "relation", "state",
                  "created_at"},
        defaults={"targets": "[]", "evidence": "[]", "rationale": "", "reasons": "[]",
                  "history": "[]", "relation": "unreviewed", "state": "proposed"},
    )
    db["links"].create_index(["uuid"], unique=True)
    db["links"].create_index(["from_plan_id", "to_plan_id"])
    db["links"].create_index(["to_plan_id"])
    db["statuses"].create(
        {
            "id": int, "uuid": str, "plan_id": int, "subject": str, "status": str,
            "as_at": str, "rationale": str, "evidence": str, **_WHO,
        },
        pk="id",
        foreign_keys=[("plan_id", "plans", "id")],
        not_null={"uuid", "plan_id", "subject", "status", "as_at", "created_at"},
        defaults={"rationale": "", "evidence": "[]"},
    )
    db["statuses"].create_index(["uuid"], unique=True)
    db["statuses"].create_index(["plan_id"])
    db["undo_log"].create(
        {"id": int, "at": str, "actor": str, "action": str, "label": str, "state": str,
         "steps": str},
        pk="id",
        not_null={"at", "action", "label", "state", "steps"},
    )
    db["undo_log"].create_index(["state"])
