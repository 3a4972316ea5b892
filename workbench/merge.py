"""Offline collaboration: merging an annotation package (``workbench.merge_package``) by UUID.

Owns the merge rules (below) and is the one place callers import a merge from. The work is in
three modules along its seams: ``merge_values`` (the ``MergePlan`` a conflict-review screen
shows, the ``MergeReport``, and the one text that says what a planned or finished merge does,
used by the CLI and the merge dialog alike), ``merge_planner`` (``plan_merge``, reads only) and
``merge_apply`` (``apply_merge``, writes); the package file is ``merge_package`` and a second
verdict on one commitment ``merge_verdicts``. Qt-free; emits nothing.

**Merge rules** (``plan_merge``). Records match by UUID only, never by name or text. A
record's *version hash* is the SHA-256 of its JSON without plan slugs and anchor placement
(which re-anchoring changes without a person editing anything; every person's edit also moves
``updated_at`` or ``deleted_at``). A library knows the hashes of every version of a record that
its undo log has seen (the undo log is never pruned; merges store what they learned in their
undo steps). For a package record I and the local record L:

1. absent locally → **add**; same hash → **skip**; I's hash already decided against in an
   earlier merge → **skip**;
2. I's hash known locally and L's hash not in I's history → **skip** (I is older);
3. L's hash in I's history and I's hash not known locally → **fast-forward** to I;
4. otherwise (both edited, or an undo/restore brought one side back to an older state) →
   **conflict** (one side deleted: ``delete_vs_edit``); two deletions take the newer one;
5. an added link that would be a second live verdict on a commitment and later plan → **skip**
   (the same verdict) or a ``two_verdicts`` **conflict** (``workbench.merge_verdicts``).

Unknown ancestry therefore gives a conflict, never a silent overwrite. A conflict resolves to
``local``, ``incoming`` or ``both``. ``both`` is order-independent: the newer version (by
``updated_at``, then hash) keeps the UUID and the other becomes a copy with
``uuid5(uuid, hash)``, both flagged in their note; for ``delete_vs_edit`` it resurrects the edited
version, flagged. Plans match by document SHA-256, then by slug; records of plans missing here
are listed as pending and written to a pending file, not dropped. Incoming anchors go through
``Records.refreshed`` (the normal re-anchoring path); what cannot be placed is listed as orphaned.

``apply_merge`` takes a verified backup ("before-merge"), then writes the whole merge as one
transaction with one audit row (``merge_package``, with counts) and one undo entry, then the
sidecars. Merging the same package twice changes nothing the second time.
"""

from __future__ import annotations

from workbench.merge_apply import COPY_NAMESPACE, apply_merge, copy_uuid
from workbench.merge_package import (
    FORMAT,
    MANIFEST,
    RECORDS,
    SCHEMA_VERSION,
    History,
    Manifest,
    Package,
    PackageError,
    PackagePlan,
    PackageRecord,
    read_package,
    record_history,
    version_hash,
    write_package,
)
from workbench.merge_planner import plan_merge, title_of
from workbench.merge_values import (
    RESOLUTIONS,
    Conflict,
    FieldDiff,
    MergeItem,
    MergePlan,
    MergeReport,
    PlanMatch,
    Version,
    counts_text,
    plan_details,
)
from workbench.merge_verdicts import MERGE_FLAG, is_flagged

__all__ = ["COPY_NAMESPACE", "FORMAT", "MANIFEST", "MERGE_FLAG", "RECORDS", "RESOLUTIONS",
           "SCHEMA_VERSION", "Conflict", "FieldDiff", "History", "Manifest", "MergeItem",
           "MergePlan", "MergeReport", "Package", "PackageError", "PackagePlan", "PackageRecord",
           "PlanMatch", "Version", "apply_merge", "copy_uuid", "counts_text", "is_flagged",
           "plan_details", "plan_merge", "read_package", "record_history", "title_of",
           "version_hash", "write_package"]
