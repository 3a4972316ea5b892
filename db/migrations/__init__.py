"""Numbered schema migrations of the library database (sqlite-utils 4 ``Migrations``).

One module per migration, ``db/migrations/m00N_subject.py``, holding one function of the same
name that takes the ``Database``; its docstring is its user-facing description. The modules
import nothing of ours, so there is no import circle: this package imports them, never the
other way round.

To add a migration: write the module, then add its function at the end of ``ORDER``. That is
all; ``db.connection.migrate`` applies what a database lacks, in this order, each in its own
transaction, and ``KNOWN`` (derived from ``ORDER``) lets it refuse a database written by a newer
app. Never edit or reorder a migration that has shipped; tests/db/test_upgrade.py upgrades the
checked-in databases of every earlier schema to the current one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from db.migrations.m001_library import m001_library
from db.migrations.m002_lineage import m002_lineage
from db.migrations.m003_commitment_kind import m003_commitment_kind
from db.migrations.m004_ocr import m004_ocr
from db.migrations.m005_saved_searches import m005_saved_searches
from db.migrations.m006_commitment_pledge import m006_commitment_pledge

Migration = Callable[[Database], None]

# The registry: every migration this app knows, in the order they apply. Append only.
ORDER: tuple[Migration, ...] = (
    m001_library,
    m002_lineage,
    m005_saved_searches,
    m004_ocr,  # issue 15; after m005 because ORDER is append-only (the lead may reorder)
    m003_commitment_kind,  # issue 12; appended last for the same reason (the lead may reorder)
    m006_commitment_pledge,  # issue 13
)

MIGRATIONS = Migrations("workbench")
for _fn in ORDER:
    MIGRATIONS()(_fn)

KNOWN: list[str] = [fn.__name__ for fn in ORDER]

__all__ = ["KNOWN", "MIGRATIONS", "ORDER", "Migration"]
