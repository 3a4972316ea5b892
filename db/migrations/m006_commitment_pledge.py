"""Migration m006: how pledge-like each commitment unit reads (issue 13).

``commitments.pledge``: the commitment model's probability that the unit is a unit (0-1), which
the import computed anyway to keep it and now stores; the matching engine ranks successors with
it (a pledge's successor is usually a pledge, not the narrative around it). Units stored before
this migration have NULL: the engine gives them a neutral value, so their plan ranks as if the
signal were absent until its PDF is imported again as a new version.
"""

from __future__ import annotations

from sqlite_utils import Database


def m006_commitment_pledge(db: Database) -> None:
    """Store the commitment model's confidence in each unit (NULL for units stored before)."""
    db["commitments"].add_column("pledge", float)
