"""Lineage links and delivery statuses: the verdicts a person records about a commitment.

A link goes from a commitment of an earlier plan to 0..n passages of one later plan, with a
relation (``workbench.lineage.RELATIONS``), a state (proposed, confirmed, rejected) and, for
some relations, a rationale. Each commitment has one live verdict per later plan: linking again
edits it, and the old values go to the link's history. Status assessments append (dated
"as at"); the newest wins. Qt-free; writes go through ``workbench.actions.Actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from workbench.actions import Pairs, RecordService
from workbench.errors import InvalidInput, NotFound
from workbench.files import utc_now
from workbench.lineage import NO_TARGET_RELATIONS, RATIONALE_REQUIRED, RELATIONS, STATUSES
from workbench.model import (
    CommitmentId,
    SearchHit,
    SearchResult,
    is_partial_iso_date,
    source_covers,
)
from workbench.records import Change, Link, Ref, StatusAssessment, new_uuid

__all__ = ["Links", "check_relation", "earlier_verdicts", "hit_relation_words", "is_verdict",
           "link_standing", "link_summary", "verdict_state"]


def is_verdict(link: Link | None) -> bool:
    """Whether ``link`` is an officer's verdict: confirmed, and not marked "unreviewed". A
    proposal is no verdict, nor is a confirmed "unreviewed" (review, round 11). The one place
    this rule is written: selection, packs, the preview and review coverage all ask it."""
    return link is not None and link.state == "confirmed" and link.relation != "unreviewed"


def verdict_state(link: Link | None) -> bool | None:
    """True for a verdict (``is_verdict``), False for a proposal of a relation, None when there
    is no link or it is marked "unreviewed" (no relation to confirm)."""
    if link is None or link.relation == "unreviewed":
        return None
    return is_verdict(link)


def link_standing(link: Link) -> str:
    """Who recorded ``link`` and whether it is a verdict, in the words every screen and the CLI
    use (the lineage thread, the review screen, ``workbench lineage``), by ``verdict_state``:
    "Confirmed by Alex on 2026-05-01" for a verdict; "Proposed by the machine; not confirmed"
    for the engine's proposal (only the engine scores and explains), "Proposed by clerk on
    2026-05-01; not confirmed" for a person's; "Linked by Alex on 2026-05-01; relation not yet
    reviewed, so no verdict" for a link marked "unreviewed", confirmed or not (qa13: a
    confirmed one read "Confirmed by Alex" while packs and coverage count it as no verdict);
    "Rejected" for a rejected proposal."""
    if link.state == "rejected":
        return "Rejected" + _by_on("", link.updated_at)
    if verdict_state(link) is None:
        who = link.confirmed_by or link.created_by
        when = link.confirmed_at or link.created_at
        return "Linked" + _by_on(who, when) + "; relation not yet reviewed, so no verdict"
    if is_verdict(link):
        who = link.confirmed_by or link.created_by or "someone"
        return "Confirmed" + _by_on(who, link.confirmed_at or link.updated_at or link.created_at)
    if link.confidence is not None or link.reasons:
        return "Proposed by the machine; not confirmed"
    return "Proposed" + _by_on(link.created_by, link.created_at) + "; not confirmed"


def link_summary(link: Link, labels: dict[str, str] | None = None) -> str:
    """"a confirmed verdict about P: Reversed, confirmed by Alex on 2026-05-01", in
    ``link_standing``'s words: a confirmed link marked "unreviewed" is "a confirmed link (no
    verdict) about P: Unreviewed, linked by Alex on …; relation not yet reviewed, so no
    verdict" (qa13b: the messages refusing to overwrite it called it a verdict)."""
    kind = "a confirmed verdict" if is_verdict(link) else (
        "a confirmed link (no verdict)" if link.state == "confirmed" else "a link")
    standing = link_standing(link)
    label = (labels or RELATIONS).get(link.relation, link.relation)
    return f"{kind} about {link.to_plan}: {label}, {standing[:1].lower()}{standing[1:]}"


def hit_relation_words(hit: SearchHit, labels: dict[str, str] | None = None) -> str:
    """A commitment hit's relations in the words packs use: "Reversed (✓ confirmed)",
    "Modified (suggested, not yet confirmed)", joined by "; "; "" when it has none."""
    words = labels or RELATIONS
    return "; ".join(f"{words.get(r, r)} ({_SURE if r in hit.confirmed else _UNSURE})"
                     for r in hit.relations)


_SURE, _UNSURE = "✓ confirmed", "suggested, not yet confirmed"  # as ``pack.verdict_label``


def _by_on(who: str, stamp: str) -> str:
    """" by Alex on 2026-05-01", leaving out what is unknown."""
    who = who if who and who != "unknown" else ""
    return (f" by {who}" if who else "") + (f" on {stamp[:10]}" if stamp else "")


def earlier_verdicts(link: Link, labels: dict[str, str] | None = None,
                     day: Any = None) -> list[str]:
    """One line per value ``link`` held before, oldest first: "Scaled back (confirmed, by
    Alice, 2026-12-07): first verdict", with the successor it then named when that differs from
    today's, so a verdict moved to another passage is never silent. The CLI's lineage and the
    window's thread both say these lines. ``day`` shortens a time stamp (default: as stored)."""
    now = [t.anchor.exact for t in link.targets]
    lines = []
    for old in link.history:
        code = str(old.get("relation", ""))
        at = str(old.get("at", ""))
        state, unsure = str(old.get("state", "")), ""
        if code == "unreviewed" and state == "confirmed":  # no verdict (``verdict_state``)
            state, unsure = "linked", "; relation not yet reviewed, so no verdict"
        facts = ", ".join(x for x in (state,
                                      f"by {old['by']}" if old.get("by") else "",
                                      day(at) if day else at) if x)
        why = f": {old['rationale']}" if old.get("rationale") else ""
        then = [str(t) for t in old.get("targets") or ()]
        moved = ""
        if then != now:
            named = "; ".join(f"“{_short(t)}”" for t in then)
            moved = f"; then to {named}" if named else "; then no successor"
        lines.append(f"{(labels or {}).get(code, code)} ({facts}{unsure}){why}{moved}")
    return lines


def _label(label: str, also: Pairs) -> str:
    """The undo label of a link action that also marks sentences as commitments."""
    return f"{label} and mark commitment" if also else label


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def check_relation(relation: str, targets: Sequence[Ref], rationale: str,
                   confirmed: bool) -> None:
    """Refuse a verdict that does not make sense (unknown relation, missing rationale, …).

    Raises:
        InvalidInput: with a sentence saying what to give instead.
    """
    if relation not in RELATIONS:
        raise InvalidInput(f"Unknown relation {relation!r}; use one of: "
                           f"{', '.join(RELATIONS)}.")
    if confirmed and relation in RATIONALE_REQUIRED and not rationale.strip():
        raise InvalidInput(f"A {relation} verdict needs a rationale (--rationale).")
    if relation == "dropped" and targets:
        raise InvalidInput("A dropped commitment has no successor; give no targets.")
    if relation == "new" and targets:
        raise InvalidInput("'new' marks a commitment of the later plan on its own; "
                           "give no targets.")
    if not targets and relation not in NO_TARGET_RELATIONS | {"new"}:
        raise InvalidInput(f"A {relation} link needs at least one successor.")


def _guard_confirmed(link: Link, relation: str, targets: Sequence[Ref], rationale: str,
                     state: str, key_of: Any) -> str | None:
    """What rationale an edit of ``link`` through ``link()`` may write; refuse a downgrade.

    An officer's confirmed verdict is changed only deliberately: by another confirmed verdict
    with a rationale saying why (the old one goes to the link's history; undo restores it).
    A proposal or a rejection never overwrites it, and an empty rationale never erases the
    officer's (a changed verdict then needs its own).

    Returns:
        The rationale to write, or None to keep the link's own.

    Raises:
        InvalidInput: naming the confirmed verdict, who confirmed it and how to change it.
    """
    if link.state != "confirmed":
        return rationale
    if state != "confirmed":
        raise InvalidInput(
            f"This commitment already has {link_summary(link)}; it is left as it is. "
            "To change it, "
            "record the new verdict as confirmed with a rationale saying why "
            "(--confirm --rationale \"…\").")
    same = relation == link.relation and \
        [key_of(t) for t in targets] == [key_of(t) for t in link.targets]
    if rationale.strip() or not link.rationale:
        return rationale
    if same:
        return None  # re-confirming the same verdict keeps the officer's words
    raise InvalidInput(
        f"A rationale saying why (--rationale) is needed to change {link_summary(link)}.")


class Links(RecordService):
    """Lineage links and status assessments of one library."""

    # -- links -------------------------------------------------------------------------------

    def links(self, plan: str | None = None, *, include_rejected: bool = False,
              include_deleted: bool = False) -> list[Link]:
        """Links from or to ``plan`` (all links if None)."""
        out = [r for r in self.actions.anchoring.records("link", plan=plan,
                                                         include_deleted=include_deleted)
               if isinstance(r, Link)]
        return [r for r in out if include_rejected or r.state != "rejected"]

    def mark_verdicts(self, result: SearchResult) -> SearchResult:
        """``result`` with each commitment hit's confirmed relations (``SearchHit.confirmed``):
        the search index finds a relation whether it is a verdict or only proposed, as packs
        made with ``relation`` do, so the hit says which (qa13). A relation is confirmed when a
        verdict of it gives the hit that relation by the index's own rule (``source_covers``:
        the link's source overlaps the commitment at all; qa13b: deciding by the commitment a
        link binds to called a verdict from a hand-marked passage "suggested"). Binds the
        links of the hits' plans once; nothing to do when no hit has a relation."""
        wanted = [h for h in result.hits if h.kind == "commitment" and h.relations]
        if not wanted:
            return result
        sure: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
        for plan in {h.plan for h in wanted}:
            for link in self.links(plan):
                if link.source.plan == plan and is_verdict(link):
                    a = link.source.anchor
                    sure.setdefault((plan, a.page_index), []).append((a.start, a.end,
                                                                      link.relation))
        confirmed: dict[str, tuple[str, ...]] = {}
        for h in wanted:
            try:
                c = self.session.store.commitment(CommitmentId(h.item_id))
            except NotFound:  # the index is behind the database: no verdict to show
                confirmed[h.key] = ()
                continue
            near = sure.get((h.plan, c.page_index), ())
            found = {r for s, e, r in near if source_covers((s, e), (c.char_start, c.char_end))}
            confirmed[h.key] = tuple(r for r in h.relations if r in found)
        hits = tuple(replace(h, confirmed=confirmed[h.key]) if h.key in confirmed else h
                     for h in result.hits)
        return replace(result, hits=hits)

    def links_from(self, key: str | int, to_plan: str | None = None) -> list[Link]:
        ref = self.effective.ref_for(key)
        key_of = self.effective.key_of
        wanted = key_of(ref)
        return [link for link in self.links(ref.plan)
                if link.source.plan == ref.plan and key_of(link.source) == wanted
                and (to_plan is None or link.to_plan == to_plan)]

    def link(
        self,
        source: str | int,
        targets: Sequence[str | int] = (),
        *,
        relation: str = "unreviewed",
        to_plan: str | None = None,
        rationale: str = "",
        evidence: Sequence[Ref] = (),
        confirm: bool = False,
        confidence: float | None = None,
        reasons: Sequence[str] = (),
        state: str | None = None,
        also: Pairs = (),
    ) -> Change:
        """Record a lineage verdict: ``source`` (earlier) → ``targets`` (one later plan).

        If the source already has a live link to that plan, it is edited instead (its old
        values go to the link's history), so each commitment has one verdict per later plan.
        ``also`` are more (before, after) changes written in the same transaction and undo
        step, after the link: the marks that make ``p:`` targets commitments
        (``Corrections.marks_for``), so one verdict is one undo step.
        """
        key_of = self.effective.key_of
        src = self.effective.ref_for(source)
        tgt = tuple(self.effective.ref_for(t) for t in targets)
        if relation == "new":
            to_plan = src.plan
        to_plan = to_plan or (tgt[0].plan if tgt else None)
        if to_plan is None:
            raise InvalidInput("Say which later plan this verdict is about (--to PLAN).")
        self.plans.plan(to_plan)
        if any(t.plan != to_plan for t in tgt):
            raise InvalidInput("All successors of one link must be in the same plan.")
        if relation != "new":
            if to_plan == src.plan:
                raise InvalidInput("A link goes from an earlier plan to a later one.")
            if to_plan not in self.plans.later_plans(src.plan):
                raise InvalidInput(f"{to_plan} is not later than {src.plan}.")
        state = state or ("confirmed" if confirm else "proposed")
        check_relation(relation, tgt, rationale, state == "confirmed")
        existing = [link for link in self.links(src.plan, include_rejected=True)
                    if link.source.plan == src.plan and link.to_plan == to_plan
                    and key_of(link.source) == key_of(src) and key_of(src) is not None]
        if existing:
            kept = _guard_confirmed(existing[0], relation, tgt, rationale, state, key_of)
            return self._edit(existing[0], relation=relation, targets=tgt,
                              rationale=kept, evidence=tuple(evidence), state=state,
                              confidence=confidence, reasons=tuple(reasons), also=also)
        stamp = utc_now()
        actor = self.session.actor
        link = Link(
            uuid=new_uuid(), source=src, to_plan=to_plan, relation=relation, targets=tgt,
            state=state, confidence=confidence, rationale=rationale.strip(),
            evidence=tuple(evidence), reasons=tuple(reasons),
            confirmed_by=actor if state == "confirmed" else "",
            confirmed_at=stamp if state == "confirmed" else "",
            created_at=stamp, created_by=actor, updated_at=stamp,
        )
        return self.actions.commit("create_link", _label("Add link", also),
                                   [(None, link), *also],
                                   {"relation": relation, "to_plan": to_plan, "state": state},
                                   value=link)

    def _edit(self, link: Link, also: Pairs = (), **changes: Any) -> Change:
        stamp = utc_now()
        history_item = {
            "at": link.updated_at or link.created_at, "by": link.confirmed_by or link.created_by,
            "relation": link.relation, "state": link.state, "rationale": link.rationale,
            "targets": [t.anchor.exact for t in link.targets],
            "confidence": link.confidence,
        }
        new = link
        for field_name, value in changes.items():
            if value is not None:
                new = replace(new, **{field_name: value})
        if new.relation != "new":
            check_relation(new.relation, new.targets, new.rationale, new.state == "confirmed")
        if new.state == "confirmed" and (link.state != "confirmed" or new != link):
            new = replace(new, confirmed_by=self.session.actor, confirmed_at=stamp)
        elif new.state != "confirmed":  # a verdict no longer confirmed names no confirmer
            new = replace(new, confirmed_by="", confirmed_at="")
        if new == link:
            raise InvalidInput("Nothing to change.")
        new = replace(new, history=(*link.history, history_item), updated_at=stamp)
        action = "relation_change" if new.relation != link.relation else "edit_link"
        if new.state != link.state:
            action = {"confirmed": "confirm_link", "rejected": "reject_link"}.get(new.state,
                                                                                  action)
        return self.actions.commit(action, _label("Edit link", also), [(link, new), *also],
                                   {"relation": [link.relation, new.relation],
                                    "state": [link.state, new.state]}, value=new)

    def _live_link(self, uuid: str) -> Link:
        link = self.actions.live(uuid)
        if not isinstance(link, Link):
            raise InvalidInput(f"{uuid} is not a link.")
        return link

    def edit_link(self, uuid: str, *, relation: str | None = None,
                  targets: Sequence[str | int] | None = None, rationale: str | None = None,
                  evidence: Sequence[Ref] | None = None) -> Change:
        link = self._live_link(uuid)
        tgt = tuple(self.effective.ref_for(t) for t in targets) if targets is not None else None
        if tgt and any(t.plan != link.to_plan for t in tgt):
            raise InvalidInput("All successors of one link must be in the same plan.")
        return self._edit(link, relation=relation, targets=tgt, rationale=rationale,
                          evidence=tuple(evidence) if evidence is not None else None)

    def confirm_link(self, uuid: str, *, relation: str | None = None,
                     rationale: str | None = None) -> Change:
        return self._edit(self._live_link(uuid), state="confirmed", relation=relation,
                          rationale=rationale)

    def reject_link(self, uuid: str) -> Change:
        """Reject a machine proposal (kept, so it is not proposed again)."""
        return self._edit(self._live_link(uuid), state="rejected")

    # -- statuses ----------------------------------------------------------------------------

    def assess(self, key: str | int, status: str, as_at: str, *, rationale: str = "",
               evidence: Sequence[Ref] = ()) -> Change:
        """Append a dated delivery status (never overwrites an earlier assessment)."""
        if status not in STATUSES:
            raise InvalidInput(f"Unknown status {status!r}; use one of: {', '.join(STATUSES)}.")
        if not is_partial_iso_date(as_at):
            raise InvalidInput("--as-at must be a date like 2025, 2025-03 or 2025-03-31.")
        subject = self.effective.ref_for(key)
        stamp = utc_now()
        record = StatusAssessment(uuid=new_uuid(), subject=subject, status=status, as_at=as_at,
                                  rationale=rationale.strip(), evidence=tuple(evidence),
                                  created_at=stamp, created_by=self.session.actor,
                                  updated_at=stamp)
        return self.actions.commit("status_change", "Set delivery status", [(None, record)],
                                   {"status": status, "as_at": as_at})

    def status_history(self, key: str | int) -> list[StatusAssessment]:
        """Every assessment of a commitment, oldest as-at first."""
        ref = self.effective.ref_for(key)
        wanted = self.effective.key_of(ref)
        out = [s for s in self.actions.anchoring.records("status", plan=ref.plan)
               if isinstance(s, StatusAssessment) and self.effective.key_of(s.subject) == wanted]
        return sorted(out, key=lambda s: (s.as_at, s.created_at))

    def current_status(self, key: str | int) -> StatusAssessment | None:
        history = self.status_history(key)
        return history[-1] if history else None
