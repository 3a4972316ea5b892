"""Migration m003: the kind of each commitment unit (issue 12).

Commitment units found by the new model carry a kind: ``commitment`` (the council's own
promise), ``ask`` (of government or others), ``target`` or ``measure`` (an indicator, not a
promise). Units stored before this migration were all found as promises, so they become
``commitment``; re-importing a plan's PDF as a new version gives it the new units and kinds.
"""

from __future__ import annotations

from sqlite_utils import Database


def m003_commitment_kind(db: Database) -> None:
    """Give every commitment unit a kind (commitment, ask, target or measure)."""
    db["commitments"].add_column("kind", str, not_null_default="commitment")
