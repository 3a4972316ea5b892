"""Sidecars: each plan's user records as a human-readable JSON file (RELIABILITY rule 7).

``<library>/sidecars/<slug>.json`` holds the plan's annotations, corrections, statuses, the
links *from* it (a link lives with its earlier plan) and every tag. They are rewritten
atomically after each commit by ``workbench.review.Records``; SQLite stays the truth, and the
sidecars are only read to rebuild a lost or damaged database (``rebuild_from_sidecars``) and to
check agreement (``check_sidecars``). A sidecar that cannot be written never turns a saved
action into "not saved": the failure is audited ("sidecars_stale") and returned as a warning.

``Sidecars`` is a collaborator of ``Records``: it reads the library through the ``Store`` and
``RecordStore`` ports of the shared ``Session`` (``workbench.plan_index``), the plans' document
versions through a ``PlanIndex``, and tells ``on_rebuilt`` when it wrote records back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.errors import InvalidInput, NotFound
from workbench.files import utc_now, write_json_atomic
from workbench.plan_index import PlanIndex, Session
from workbench.records import KINDS, Record, Tag, record_from_json

log = logging.getLogger(__name__)

SIDECAR_FORMAT = 1
SIDECAR_GROUPS = {"tags": "tag", "annotations": "annotation", "corrections": "correction",
                  "links": "link", "statuses": "status"}
SIDECAR_AUDIT_TARGET = "sidecars"  # audit rows "sidecars_stale" / "sidecars_rewritten"


class Sidecars:
    """The sidecar files of one library: written after commits, checked, rebuilt from."""

    def __init__(self, session: Session, plans: PlanIndex, sidecar_dir: Path | None, *,
                 on_rebuilt: Callable[[], None] = lambda: None) -> None:
        self.session = session
        self.plans = plans
        self.sidecar_dir = sidecar_dir
        self.on_rebuilt = on_rebuilt
        #: the last sidecar write's problem ("" if it worked): also in ``Change.warning``
        self.warning = ""

    def _tags(self) -> list[Tag]:
        return [t for t in self.session.rs.records("tag", include_deleted=True)
                if isinstance(t, Tag)]

    def sidecar(self, slug: str) -> dict[str, Any]:
        """The plan's user records as JSON (what ``<library>/sidecars/<slug>.json`` holds)."""
        try:
            sha = self.plans.sha(slug)
        except NotFound:
            sha = ""

        def dump(kind: str, keep: Callable[[Any], bool] = lambda r: True) -> list[Any]:
            return [r.to_json() for r in self.session.rs.records(kind, plan=slug, include_deleted=True)
                    if keep(r)]

        return {
            "format": SIDECAR_FORMAT,
            "plan": slug,
            "doc_sha": sha,
            "written_at": utc_now(),
            "annotations": dump("annotation"),
            "corrections": dump("correction"),
            "links": dump("link", lambda r: r.source.plan == slug),
            "statuses": dump("status"),
            "tags": [t.to_json() for t in self._tags()],
        }

    def write(self, plans: set[str] | None) -> str:
        """Rewrite the sidecars of ``plans`` (``None`` or empty: every plan's) after a commit.

        Never raises for a file problem: the commit stands, so the failure is logged and
        audited ("sidecars_stale") and a one-line warning is returned (also kept in
        ``warning``) for the caller to show as a note ("" if every sidecar was
        written)."""
        self.warning = ""
        if self.sidecar_dir is None:
            return ""
        if not plans:  # tags: they are copied into every sidecar
            plans = {p.slug for p in self.session.store.plans(include_removed=True)}
        failed: list[tuple[str, BaseException]] = []
        for slug in sorted(plans):
            try:
                write_json_atomic(self.sidecar_dir / f"{slug}.json", self.sidecar(slug))
            except Exception as exc:  # the commit stands; say so, audit, go on
                log.info("the sidecar of %s was not written: %s", slug, exc)  # audited below
                failed.append((slug, exc))
        if not failed:
            return ""
        reason = _reason(failed[0][1])
        names = ", ".join(f"sidecars/{slug}.json" for slug, _ in failed)
        self._mark_sidecars_stale([slug for slug, _ in failed], reason)
        self.warning = (f"Saved; the backup copy (sidecar) could not be written: "
                                f"{reason} ({names}). `workbench check` reports it until the "
                                "sidecars are rewritten.")
        return self.warning

    def _mark_sidecars_stale(self, plans: list[str], reason: str) -> None:
        try:
            with self.session.rs.atomic():
                self.session.rs.audit("sidecars_stale", SIDECAR_AUDIT_TARGET,
                                      {"plans": plans, "error": reason},
                                      actor=self.session.actor)
        except Exception:  # the action is saved; check_sidecars still sees it
            log.exception("could not record that the sidecars of %s are stale", plans)

    def stale_sidecars(self) -> list[str]:
        """Plans whose sidecar failed to be written since ``write_all_sidecars`` last ran."""
        stale: set[str] = set()
        for entry in self.session.rs.audit_log(target=SIDECAR_AUDIT_TARGET, limit=10_000):
            if entry.action == "sidecars_rewritten":
                break
            if entry.action == "sidecars_stale":
                stale.update(str(p) for p in entry.detail.get("plans", []))
        return sorted(stale)

    def write_all_sidecars(self) -> int:
        """Rewrite every plan's sidecar and clear the stale marker. Raises ``OSError`` if one
        cannot be written (after trying them all; the marker then stays)."""
        if self.sidecar_dir is None:
            return 0
        plans = {p.slug for p in self.session.store.plans(include_removed=True)}
        errors: list[OSError] = []
        for slug in sorted(plans):
            try:
                write_json_atomic(self.sidecar_dir / f"{slug}.json", self.sidecar(slug))
            except OSError as exc:
                log.warning("the sidecar of %s was not written: %s", slug, exc)
                errors.append(exc)
        if errors:
            raise errors[0]
        with self.session.rs.atomic():
            self.session.rs.audit("sidecars_rewritten", SIDECAR_AUDIT_TARGET, {"plans": len(plans)},
                          actor=self.session.actor)
        self.warning = ""
        return len(plans)

    def check_sidecars(self) -> list[str]:
        """One line per plan whose sidecar disagrees with the database: missing (while the
        plan has records), unreadable, or with records missing, extra or different. Empty when
        all agree. Reads every sidecar once and each record table once (no anchoring)."""
        if self.sidecar_dir is None:
            return []
        expected: dict[str, dict[str, dict[str, str]]] = {}
        tags = {t.uuid: _canonical(t.to_json()) for t in self._tags()}
        for group, kind in SIDECAR_GROUPS.items():
            if kind == "tag":
                continue
            for r in self.session.rs.records(kind, include_deleted=True):
                home = r.plans[0] if r.plans else ""
                expected.setdefault(home, {g: {} for g in SIDECAR_GROUPS})[group][r.uuid] = \
                    _canonical(r.to_json())
        problems: list[str] = []
        for plan in self.session.store.plans(include_removed=True):
            slug = plan.slug
            want = expected.get(slug, {g: {} for g in SIDECAR_GROUPS})
            own = sum(len(v) for v in want.values())
            want["tags"] = tags
            path = self.sidecar_dir / f"{slug}.json"
            name = f"sidecars/{slug}.json"
            if not path.exists():
                if own:
                    problems.append(f"{slug}: the sidecar {name} is missing ({own} record"
                                    f"{'s are' if own != 1 else ' is'} only in the database).")
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                have = {g: {item["uuid"]: _canonical(item) for item in data.get(g) or []}
                        for g in SIDECAR_GROUPS}
            except (OSError, ValueError, TypeError, KeyError) as exc:
                problems.append(f"{slug}: the sidecar {name} cannot be read ({_reason(exc)}).")
                continue
            missing = extra = different = 0
            for g in SIDECAR_GROUPS:
                w, h = want[g], have[g]
                missing += len(w.keys() - h.keys())
                extra += len(h.keys() - w.keys())
                different += sum(1 for u in w.keys() & h.keys() if w[u] != h[u])
            if missing or extra or different:
                parts = [f"{n} {what}" for n, what in ((missing, "missing"),
                         (different, "different"), (extra, "not in the database")) if n]
                problems.append(f"{slug}: the sidecar {name} differs from the database "
                                f"(records: {', '.join(parts)}).")
        return problems

    def rebuild_from_sidecars(self, folder: Path | None = None) -> dict[str, int]:
        """Restore records missing from the database from the sidecars (one transaction).
        Records already present (same uuid) are left as they are."""
        folder = folder or self.sidecar_dir
        if folder is None or not folder.is_dir():
            raise InvalidInput("There is no sidecar folder to rebuild from.")
        counts = dict.fromkeys(KINDS, 0)
        records: dict[str, Record] = {}
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InvalidInput(f"{path.name} is not a readable sidecar: {exc}") from exc
            for group in ("tags", "annotations", "corrections", "links", "statuses"):
                for item in data.get(group, []):
                    rec = record_from_json(item)
                    records.setdefault(rec.uuid, rec)
        missing = [r for r in records.values() if self.session.rs.get(r.KIND, r.uuid) is None]
        missing.sort(key=lambda r: KINDS.index(r.KIND))
        if missing:
            with self.session.rs.atomic():
                for r in missing:
                    self.session.rs.put(r)
                    counts[r.KIND] += 1
                self.session.rs.audit("rebuild_from_sidecars", "library", counts, actor=self.session.actor)
                self.session.rs.bump_revision()
            self.on_rebuilt()
        return counts


def _reason(exc: BaseException) -> str:
    """A one-line reason for a file problem: "Is a directory", "No space left on device"."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _canonical(data: Any) -> str:
    """A record's JSON in one comparable form (key order and tuples vs lists do not matter)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
