"""Merging verdicts: one live verdict per commitment per later plan, across libraries too.

``workbench.merge`` matches records by UUID. Two officers who each confirm a verdict on the
same commitment about the same later plan create two links with different UUIDs, which a
UUID match alone would merge into two live verdicts, against the rule of
``workbench.links`` ("each commitment has one live verdict per later plan"). This module owns
that second check, which ``plan_merge`` runs after its UUID pass:

- ``twins`` finds, for each incoming link the merge would *add* live, the local live
  link with the same source commitment and ``to_plan`` (as the library will be after the
  merge's fast-forwards, so a verdict the package already retired here is not a twin);
- ``same_verdict``: same relation, state and successors (by commitment key, else by quoted
  text) is agreement: the incoming link is skipped and the local one stays, no question asked;
- anything else is a ``two_verdicts`` conflict, settled by ``settle_verdicts``: the kept
  verdict stays live and the other is kept **in the trash** (soft-deleted, restorable), flagged
  with ``MERGE_FLAG`` naming who gave it and which verdict won. "both" keeps the newer one live
  (by ``updated_at``, then version hash), so two libraries merging each other agree. The
  retired version is *not* marked "decided against" (unlike keep-mine on one record): the
  other officer's next import then moves their own verdict to the trash too, flagged and
  listed as updated, so both libraries end with the same one live verdict.

Qt-free; emits nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from workbench.files import utc_now
from workbench.merge_package import version_hash
from workbench.records import Annotation, Correction, Link, Record, StatusAssessment, with_deleted

MERGE_FLAG = "⚑ Merge conflict"
TWO_VERDICTS = "two_verdicts"

KeyOf = Callable[..., str | None]


def flag(record: Record, text: str) -> Record:
    """``record`` with a "⚑ Merge conflict: text" line in its note or rationale (once)."""
    line = f"{MERGE_FLAG}: {text}"
    if isinstance(record, Annotation | Correction):
        if line in record.note:
            return record
        return replace(record, note=f"{record.note}\n{line}" if record.note else line)
    if isinstance(record, Link | StatusAssessment):
        if line in record.rationale:
            return record
        return replace(record, rationale=f"{record.rationale}\n{line}" if record.rationale
                       else line)
    return record


def _slot(link: Link, key_of: KeyOf) -> tuple[str, str, str] | None:
    key = key_of(link.source)
    return (link.source.plan, key, link.to_plan) if key is not None else None


def _targets(link: Link, key_of: KeyOf) -> list[str]:
    return sorted(key_of(t) or " ".join(t.anchor.exact.split()) for t in link.targets)


def same_verdict(a: Link, b: Link, key_of: KeyOf) -> bool:
    """Both say the same thing: relation, state and successors (rationale and author aside)."""
    return (a.relation, a.state) == (b.relation, b.state) and \
        _targets(a, key_of) == _targets(b, key_of)


def change_word(action: str, local: Record | None, incoming: Record,
                words: Mapping[str, str]) -> str:
    """How a planned add or update is listed; a live record the package retires says so."""
    if action == "fast_forward" and local is not None and incoming.deleted_at \
            and not local.deleted_at:
        return "Moved to the trash by their edit"
    return words[action]


def is_flagged(record: Record) -> bool:
    text = getattr(record, "note", None)
    if text is None:
        text = getattr(record, "rationale", "")
    return MERGE_FLAG in (text or "")


def twins(local: Sequence[Record], after_merge: Mapping[str, Record],
          incoming: Sequence[Record | None], key_of: KeyOf) -> list[tuple[Link, bool] | None]:
    """For each incoming link to be added: (the local live link on the same commitment and
    later plan, whether it is the ``same_verdict``), or None when there is none.

    Args:
        local: every local record (deleted included).
        after_merge: {uuid: value} of local records the merge fast-forwards.
        incoming: the links the merge would add (already re-anchored here).
    """
    live: dict[tuple[str, str, str], Link] = {}
    for rec in local:
        rec = after_merge.get(rec.uuid, rec)
        if isinstance(rec, Link) and not rec.deleted_at and (slot := _slot(rec, key_of)):
            live.setdefault(slot, rec)
    out: list[tuple[Link, bool] | None] = []
    for link in incoming:
        slot = _slot(link, key_of) if isinstance(link, Link) and not link.deleted_at else None
        twin = live.get(slot) if slot else None
        out.append((twin, same_verdict(twin, link, key_of)) if twin and isinstance(
            link, Link) else None)
    return out


def settle_verdicts(mine: Link, theirs: Link, choice: str, mine_by: str,
                    theirs_by: str) -> tuple[Link, Link, bool]:
    """Resolve a ``two_verdicts`` conflict: (mine after, theirs after, theirs won).

    The loser is soft-deleted and flagged (kept in the trash, restorable); the winner is
    unchanged. "both" keeps the newer verdict live.
    """
    if choice == "both":
        newer = max((mine, theirs), key=lambda r: (r.updated_at, version_hash(r)))
        choice = "local" if newer is mine else "incoming"
    stamp = utc_now()
    if choice == "local":
        loser, by, kept, kept_by = theirs, theirs_by, mine, mine_by
    else:
        loser, by, kept, kept_by = mine, mine_by, theirs, theirs_by
    retired = flag(loser, f"{by}'s verdict ({loser.relation}, {loser.state}) on this "
                          f"commitment lost to {kept_by}'s ({kept.relation}, {kept.uuid[:8]}) "
                          "in a merge; kept in the trash.")
    retired = with_deleted(retired, stamp)
    assert isinstance(retired, Link)
    if choice == "local":
        return mine, retired, False
    return retired, theirs, True
