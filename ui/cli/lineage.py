"""CLI commands of issue 5: annotations, corrections, lineage links, statuses, undo.

Registered by ``ui.cli.main.MODULES``. Qt-free. Commitment ids are the numbers printed by
``workbench show`` (extracted commitments) or ``m:<uuid>`` (commitments marked by hand). Undo
history is kept in the database, so ``workbench undo`` undoes the last action of any session.
The actor is ``--user``, else ``$WORKBENCH_USER``, else the OS login name.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui import compose
from ui.cli.output import emit
from ui.compose import records_for
from workbench.errors import InvalidInput
from workbench.lineage import RELATIONS, STATUSES, Suggestion
from workbench.links import earlier_verdicts, link_standing, verdict_state
from workbench.matching.service import passages_of, proposed_next, selected_passage, vector_folder
from workbench.matching.warmup import plan_texts, warm, warmable
from workbench.records import (
    Annotation,
    Change,
    Correction,
    EffectiveCommitment,
    Link,
    Record,
    StatusAssessment,
    Tag,
)
from workbench.review import Coverage, Records, Thread
from workbench.services import Workbench
from workbench.tasks import TaskState
from workbench.threads import ThreadEdge

ENV_USER = "WORKBENCH_USER"


def actor_name(explicit: str | None = None) -> str:
    if explicit and explicit.strip():
        return explicit.strip()
    return compose.default_actor()


# -- parser ----------------------------------------------------------------------------------


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,  # see ui.cli.main
                     help="who is acting (default: $WORKBENCH_USER or the login name)")
    parents = [common, who]

    p = sub.add_parser("annotate", parents=parents, help="highlight a passage, with a note")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--page", metavar="LABEL_OR_INDEX", help="printed page label (or number)")
    p.add_argument("--quote", help="the text to highlight (whitespace-tolerant)")
    p.add_argument("--occurrence", type=int, default=1, help="which match of the quote (1 = first)")
    p.add_argument("--commitment", metavar="ID", help="highlight this commitment instead")
    p.add_argument("--note", default="")
    p.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help='a tag path such as "Climate / Net Zero" (created if new; repeatable)')
    p.add_argument("--colour", default="")

    p = sub.add_parser("annotations", parents=parents, help="list a plan's annotations")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--orphans", action="store_true", help="only those that lost their passage")

    p = sub.add_parser("link", parents=parents, help="record a lineage link between commitments")
    p.add_argument("source", metavar="FROM_COMMITMENT_ID")
    p.add_argument("targets", nargs="*", metavar="TO_ID")
    p.add_argument("--relation", required=True, choices=list(RELATIONS))
    p.add_argument("--rationale", default="")
    p.add_argument("--confirm", action="store_true", help="a confirmed verdict, not a proposal")
    p.add_argument("--to", dest="to_plan", metavar="PLAN",
                   help="the later plan (needed when there is no successor)")

    p = sub.add_parser("status", parents=parents, help="add a dated delivery status")
    p.add_argument("commitment", metavar="COMMITMENT_ID")
    p.add_argument("--status", required=True, choices=list(STATUSES))
    p.add_argument("--as-at", dest="as_at", required=True, metavar="DATE")
    p.add_argument("--rationale", default="")

    p = sub.add_parser("suggest", parents=parents, help="suggest successors in a later plan")
    p.add_argument("--from", dest="from_plan", required=True, metavar="PLAN")
    p.add_argument("--to", dest="to_plan", metavar="PLAN", help="default: the next plan")
    p.add_argument("--limit", type=int, default=3)
    p.add_argument("--passages", action="store_true",
                   help="also suggest for every sentence of the earlier plan that is not marked "
                   "as a commitment")
    p.add_argument("--text", metavar="PASSAGE",
                   help="suggest for this passage (any text you selected) instead")

    p = sub.add_parser("prepare", parents=parents,
                       help="embed the plans' passages now, so suggest, compare and the review "
                       "start without computing them (the window does this by itself)")
    p.add_argument("plan", nargs="*", metavar="PLAN", help="default: every plan")

    p = sub.add_parser("lineage", parents=parents, help="a commitment's chain across editions")
    p.add_argument("commitment", metavar="COMMITMENT_ID")

    p = sub.add_parser("coverage", parents=parents, help="review progress of a plan's links")
    p.add_argument("--from", dest="from_plan", required=True, metavar="PLAN")
    p.add_argument("--to", dest="to_plan", metavar="PLAN")

    p = sub.add_parser("unmark", parents=parents, help="say a commitment is not one")
    p.add_argument("commitment", metavar="COMMITMENT_ID")
    p = sub.add_parser("mark", parents=parents, help="mark a passage as a commitment")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--page", required=True, metavar="LABEL_OR_INDEX")
    p.add_argument("--quote", required=True)
    p = sub.add_parser("split", parents=parents, help="split a compound commitment in two")
    p.add_argument("commitment", metavar="COMMITMENT_ID")
    p.add_argument("--at", required=True, help="character offset, or the text the 2nd part "
                   "starts with")
    p = sub.add_parser("merge", parents=parents, help="merge two commitments into one")
    p.add_argument("first", metavar="ID")
    p.add_argument("second", metavar="ID")
    p = sub.add_parser("reanchor", parents=parents, help="re-anchor a plan's records")
    p.add_argument("plan", metavar="PLAN")

    sub.add_parser("undo", parents=parents, help="undo the last annotation/lineage action")
    sub.add_parser("redo", parents=parents, help="redo the last undone action")
    p = sub.add_parser("delete", parents=parents, help="move a record (by uuid) to the trash")
    p.add_argument("uuid")
    p = sub.add_parser("trash", parents=parents, help="list records in the trash")
    p.add_argument("--restore", metavar="UUID", help="bring this record back")
    p = sub.add_parser("tags", parents=parents, help="list tags, or add one")
    p.add_argument("--add", metavar="PATH", help='e.g. "Climate / Net Zero"')


# -- output helpers -------------------------------------------------------------------------


def cid(key: str | None) -> int | str | None:
    """The id printed for a commitment key: a number, or m:<uuid> for a hand-marked one."""
    if key is None:
        return None
    return int(key[2:]) if key.startswith("c:") else key


def _commitment_json(e: EffectiveCommitment) -> dict[str, Any]:
    return {"id": cid(e.key), "plan": e.plan, "text": e.text, "section": e.heading,
            "section_id": e.section_id, "page_label": e.page_label, "page_index": e.page_index,
            "user_marked": e.user_marked}


def _record_json(r: Record) -> dict[str, Any]:
    return r.to_json()


def _change_json(change: Change) -> dict[str, Any]:
    value = change.value
    if hasattr(value, "to_json"):
        value = value.to_json()
    elif isinstance(value, EffectiveCommitment):
        value = _commitment_json(value)
    elif isinstance(value, tuple):
        value = [_commitment_json(v) if isinstance(v, EffectiveCommitment) else v for v in value]
    return {"action": change.action, "label": change.label, "uuids": list(change.uuids),
            "plans": list(change.plans), "undo_id": change.undo_id, "value": value,
            "description": change.description, "warning": change.warning or None}


def _note(warning: str) -> None:
    """A saved action's after-the-commit problem: a note on stderr; the exit code stays 0."""
    if warning:
        sys.stderr.write(f"workbench: note: {warning}\n")


def _done(args: argparse.Namespace, change: Change, text: str) -> int:
    emit(args, _change_json(change), text)
    _note(change.warning)
    return 0


def _recs(wb: Workbench, args: argparse.Namespace) -> Records:
    recs = records_for(wb, actor_name(getattr(args, "user", None)))
    recs.on_change = lambda change: wb.sync_index()  # notes and rationales are searchable
    return recs


# -- commands -------------------------------------------------------------------------------


def cmd_annotate(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    # tag paths: missing tags are created by the same action, only if the passage is found
    kw = {"note": args.note, "colour": args.colour, "tags": [t for t in args.tag if t.strip()]}
    if args.commitment:
        change = r.annotate_commitment(args.commitment, plan=args.plan, **kw)
    else:
        if not args.quote:
            raise InvalidInput("Give --quote TEXT (with --page) or --commitment ID.")
        change = r.annotate_quote(args.plan, args.quote, page=args.page,
                                  occurrence=max(0, args.occurrence - 1), **kw)
    ann = change.value
    return _done(args, change, f"Annotated p. {ann.anchor.page_label} of {ann.plan} "
                                f"({ann.uuid}).")


def cmd_annotations(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    anns = r.annotations(args.plan, orphans=args.orphans)
    names = {t.uuid: r.tag_path(t) for t in r.tags(include_deleted=True)}
    data = []
    for a in anns:
        item = a.to_json()
        item["tag_names"] = [names.get(t, t) for t in a.tags]
        data.append(item)
    lines = [f"{a.uuid}  p. {a.anchor.page_label:5} {a.anchor.status:8} "
             f"“{a.anchor.exact[:60]}” {a.note}" for a in anns]
    emit(args, data, "\n".join(lines) or "No annotations.")
    return 0


def cmd_link(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    change = r.link(args.source, args.targets, relation=args.relation,
                    rationale=args.rationale, confirm=args.confirm, to_plan=args.to_plan)
    link: Link = change.value
    # qa13: a link confirmed as "unreviewed" said "confirmed", yet it is no verdict
    standing = {True: "confirmed", False: "proposed"}.get(
        verdict_state(link), f"{link.state}; relation not yet reviewed, so no verdict")
    return _done(args, change, f"Linked ({link.relation}, {standing}): {link.uuid}")


def cmd_status(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    change = r.assess(args.commitment, args.status, args.as_at, rationale=args.rationale)
    return _done(args, change, f"Status {args.status} as at {args.as_at} recorded.")


def cmd_prepare(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    known = {p.slug for p in wb.plans()}
    unknown = [slug for slug in args.plan if slug not in known]
    if unknown:
        raise InvalidInput(f"No such plan: {', '.join(unknown)}.")
    if not warmable():
        emit(args, {"plans": [], "embedded": 0},
             "Nothing to prepare: the meaning model is off, missing, or keeps no vectors.")
        return 0
    texts = plan_texts(r, args.plan or None)
    n = warm(texts, vector_folder(wb.store), TaskState())
    emit(args, {"plans": sorted(texts), "embedded": n},
         f"Prepared {len(texts)} plans: {n} passages embedded, the rest were ready.")
    return 0


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        **{k: v for k, v in _commitment_json(s.source).items() if k != "plan"},
        "relation": s.relation,
        "reasons": list(s.reasons),
        "candidates": [
            {"id": cid(c.commitment.key), "text": c.commitment.text,
             "section": c.commitment.heading, "page_label": c.commitment.page_label,
             "score": c.score, "relation": c.relation, "reasons": list(c.reasons),
             "signals": c.signals}
            for c in s.candidates
        ],
    }


def cmd_suggest(wb: Workbench, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 50:
        raise InvalidInput("--limit must be between 1 and 50.")
    r = _recs(wb, args)
    to_plan = args.to_plan or r.next_plan(args.from_plan)
    if to_plan is None:
        raise InvalidInput(f"No plan comes after {args.from_plan}; give --to PLAN.")
    if args.text:
        suggestions = [r.suggester(to_plan).suggest(
            selected_passage(args.from_plan, args.text), args.limit)]
    elif args.passages:
        sources = [p.as_commitment() for p in passages_of(r, args.from_plan)]
        suggestions = r.suggester(to_plan).suggest_all(sources, args.limit)
    else:
        suggestions = r.suggest(args.from_plan, to_plan, limit=args.limit)
    data = {"from": args.from_plan, "to": to_plan,
            "suggestions": [suggestion_json(s) for s in suggestions]}
    lines = []
    for s in suggestions:
        page = f" p. {s.source.page_label}:" if s.source.page_label else ":"  # a typed passage has none
        lines.append(f"[{cid(s.source.key)}]{page} {s.source.text[:90]}")
        for c in s.candidates[:1]:
            lines.append(f"    → {s.relation} [{cid(c.commitment.key)}] p. "
                         f"{c.commitment.page_label} ({c.score:.2f}): {c.commitment.text[:80]}")
        lines.append(f"      because {'; '.join(s.reasons)}")
    emit(args, data, "\n".join(lines) or "No commitments.")
    return 0


def thread_json(r: Records, thread: Thread) -> dict[str, Any]:
    by_uuid: dict[str, dict[str, Any]] = {}
    links = []
    for e in thread.edges:
        item = {"uuid": e.link.uuid, "from": cid(e.source_key), "from_plan": e.link.source.plan,
                "to": [cid(k) for k in e.target_keys], "to_plan": e.link.to_plan,
                "relation": e.link.relation,
                "relation_label": r.relation_labels.get(e.link.relation, e.link.relation),
                "state": e.link.state, "verdict": verdict_state(e.link),
                "rationale": e.link.rationale,
                "confirmed_by": e.link.confirmed_by, "confirmed_at": e.link.confirmed_at,
                "history": [dict(h) for h in e.link.history]}
        links.append(item)
        by_uuid[e.link.uuid] = item
    into = thread.into()  # the link from the origin's own line first (qa13b)
    steps = []
    for n in thread.nodes:
        edges = into.get(n.key or "")
        incoming = by_uuid[edges[0].link.uuid] if edges else None
        steps.append({
            "plan": n.plan, "plan_title": n.plan_title, "published": n.published,
            "stage": n.stage, "not_adopted": n.not_adopted, "id": cid(n.key), "text": n.text,
            "page_label": n.page_label,
            "relation": incoming["relation"] if incoming else None,
            "state": incoming["state"] if incoming else None,
            "verdict": incoming["verdict"] if incoming else None,
            "status": ({"status": n.status.status, "as_at": n.status.as_at,
                        "rationale": n.status.rationale} if n.status else None),
        })
    return {"commitment": cid(thread.origin), "steps": steps, "links": links}


def _arrow(relation: str, verdict: bool | None) -> str:
    """``--reversed--> `` for a confirmed verdict; a recorded proposal is marked as the
    engine's own proposal is, ``?-reversed-> (proposed, not confirmed) `` (qa12: both read
    the same, so a proposal passed for a verdict); a link marked "unreviewed", confirmed or
    not, is no verdict (``workbench.links.verdict_state``; qa13: it read
    ``--unreviewed--> `` like one)."""
    if verdict is None:
        return "--linked--> (relation not yet reviewed, so no verdict) "
    if not verdict:
        return f"?-{relation}-> (proposed, not confirmed) "
    return f"--{relation}--> "


def _who_and_why(link: Link, source: str = "") -> str:
    """"    Confirmed by Alex on 2026-05-01. Why: …", as the window's thread says it (qa13: the
    CLI printed the arrow alone, not who recorded the link nor the officer's rationale);
    "    From [229]: Confirmed by …" when ``source`` names which of a step's links it is."""
    why = f" Why: {link.rationale}" if link.rationale else ""
    return f"    {source}{link_standing(link)}.{why}"


def _step_links(edges: tuple[ThreadEdge, ...]) -> list[str]:
    """Who recorded each link into a step and why. The step's arrow is the first link's (from
    the origin's own line); when other commitments link to the same successor, each line says
    which commitment it is from, and the others' lines their own arrow (qa13b: one link per
    step was kept, and another commitment's officer and rationale credited)."""
    if len(edges) == 1:
        return [_who_and_why(edges[0].link)]
    lines = [_who_and_why(edges[0].link, f"From [{cid(edges[0].source_key)}]: ")]
    for e in edges[1:]:
        arrow = _arrow(e.link.relation, verdict_state(e.link)).strip()
        lines.append(_who_and_why(e.link, f"Also from [{cid(e.source_key)}], {arrow}: "))
    return lines


def cmd_lineage(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    thread = r.thread(args.commitment)
    data = thread_json(r, thread)
    last = next((n.key for n in reversed(thread.nodes) if n.key), None)
    proposal = proposed_next(r, last) if last else None
    data["proposed_next"] = ({"to_plan": proposal.to_plan, **suggestion_json(proposal)}
                             if proposal is not None else None)
    into, own = thread.into(), thread.own_line()
    lines = []
    for node, s in zip(thread.nodes, data["steps"], strict=True):
        flag = " (draft, never adopted)" if s["not_adopted"] else ""
        rel = _arrow(s["relation"], s["verdict"]) if s["relation"] else ""
        status = f" [{s['status']['status']} as at {s['status']['as_at']}]" if s["status"] else ""
        lines.append(f"{rel}{s['plan_title']}{flag} p. {s['page_label']} [{s['id']}]{status}\n"
                     f"    {s['text']}")
        if node.key is not None and node.key in into:
            lines.extend(_step_links(into[node.key]))
    for edge, link in zip(thread.edges, data["links"], strict=True):
        if not link["to"]:
            # another commitment's "no successor" (one linked to a successor of this line)
            # says whose it is (qa13b review: it read as the origin's own)
            whose = "" if edge.source_key in own else f"From [{cid(edge.source_key)}]: "
            lines.append(f"{_arrow(link['relation'], link['verdict'])}"
                         f"(no successor in {link['to_plan']})")
            lines.append(_who_and_why(edge.link, whose))
        lines.extend(f"    earlier verdict on {link['from']} → {link['to_plan']}: {line}"
                     for line in earlier_verdicts(edge.link, r.relation_labels))
    if proposal is not None:
        best = proposal.best
        target = f"p. {best.commitment.page_label}: {best.commitment.text[:80]}" if best \
            else "no close passage"
        lines.append(f"?-{proposal.relation}-> (proposed, not confirmed) {proposal.to_plan} "
                     f"{target}\n    because {'; '.join(proposal.reasons)}")
    emit(args, data, "\n".join(lines))
    return 0


def coverage_json(cov: Coverage) -> dict[str, Any]:
    return {"from": cov.from_plan, "to": cov.to_plan, "total": cov.total,
            "confirmed": cov.confirmed, "proposed": cov.proposed,
            "unreviewed": [cid(k) for k in cov.unreviewed],
            "no_successor": [cid(k) for k in cov.no_successor],
            "no_successor_confirmed": [cid(k) for k in cov.confirmed_no_successor],
            "by_relation": cov.by_relation, "summary": cov.summary()}


def cmd_coverage(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    cov = r.coverage(args.from_plan, args.to_plan)
    data = coverage_json(cov)
    # only the verdicts (qa12: "305 with no successor passage" when one verdict said so and
    # 304 commitments were simply not reviewed yet); --json says the same as
    # ``no_successor_confirmed`` (``no_successor`` keeps its older meaning)
    ruled_out = len(cov.confirmed_no_successor)
    text = cov.summary() + (f" ({cov.proposed} of them with a proposal)" if cov.proposed
                            else "")
    if cov.by_relation:
        text += "\nConfirmed verdicts: " + ", ".join(
            f"{n} {r.relation_labels.get(code, code).casefold()}"
            for code, n in sorted(cov.by_relation.items(), key=lambda kv: (-kv[1], kv[0])))
    text += f"\n{ruled_out} confirmed verdict{'s' if ruled_out != 1 else ''} with no " \
            "successor passage."
    emit(args, data, text)
    return 0


def cmd_unmark(wb: Workbench, args: argparse.Namespace) -> int:
    return _done(args, _recs(wb, args).unmark(args.commitment),
                 f"Un-marked {args.commitment}: it is no longer a commitment "
                 "(`workbench undo` marks it again).")


def cmd_mark(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    from workbench.anchoring import find_quote

    page = r.page_index(args.plan, args.page)
    found = find_quote(r.pages(args.plan), args.quote, page_index=page)
    if found is None:
        raise InvalidInput(f"The quote is not on page {args.page} of {args.plan}.")
    change = r.mark(args.plan, *found)
    return _done(args, change, f"Marked as commitment {cid(change.value.key)}.")


def cmd_split(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    at = args.at
    if not str(at).isdigit():
        text = r.commitment(args.commitment).text
        pos = text.find(at)
        if pos <= 0:
            raise InvalidInput("--at text is not inside the commitment.")
        at = pos
    change = r.split(args.commitment, int(at))
    ids = ", ".join(str(cid(v.key)) for v in change.value)
    return _done(args, change, f"Split into {ids}.")


def cmd_merge(wb: Workbench, args: argparse.Namespace) -> int:
    change = _recs(wb, args).merge(args.first, args.second)
    return _done(args, change, f"Merged into {cid(change.value.key)}.")


def cmd_reanchor(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    report = r.reanchor_plan(args.plan, force=True)
    data = {"plan": report.plan, "exact": report.exact, "moved": report.moved,
            "orphaned": report.orphaned, "fuzzy": report.fuzzy, "summary": report.summary(),
            "warning": r.sidecar_warning or None}
    emit(args, data, report.summary())
    _note(r.sidecar_warning)
    return 0


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def cmd_undo(wb: Workbench, args: argparse.Namespace) -> int:
    change = _recs(wb, args).undo()
    return _done(args, change, f"Undid: {_lower_first(change.description)}.")


def cmd_redo(wb: Workbench, args: argparse.Namespace) -> int:
    change = _recs(wb, args).redo()
    return _done(args, change, f"Redid: {_lower_first(change.description)}.")


def cmd_delete(wb: Workbench, args: argparse.Namespace) -> int:
    change = _recs(wb, args).delete(args.uuid)
    return _done(args, change, f"Moved to the trash (`workbench undo` or `workbench trash "
                               f"--restore {args.uuid}` brings it back).")


def _describe(r: Record) -> str:
    if isinstance(r, Annotation):
        return f"annotation on {r.plan} p. {r.anchor.page_label}: “{r.anchor.exact[:50]}”"
    if isinstance(r, Link):
        return f"link {r.relation} from {r.source.plan}: “{r.source.anchor.exact[:50]}”"
    if isinstance(r, StatusAssessment):
        return f"status {r.status} as at {r.as_at}"
    if isinstance(r, Correction):
        return f"correction {r.kind} on {r.plan}: “{r.anchor.exact[:50]}”"
    if isinstance(r, Tag):
        return f"tag {r.name}"
    return r.KIND


def cmd_trash(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    if args.restore:
        change = r.restore(args.restore)
        return _done(args, change, "Restored.")
    items = r.trash()
    lines = [f"{x.uuid}  {x.deleted_at}  {_describe(x)}" for x in items]
    emit(args, [_record_json(x) for x in items], "\n".join(lines) or "The trash is empty.")
    return 0


def cmd_tags(wb: Workbench, args: argparse.Namespace) -> int:
    r = _recs(wb, args)
    if args.add:
        _, changes = r.ensure_tag(args.add)
        for change in changes:
            _note(change.warning)
    tags = r.tags()
    data = [{**t.to_json(), "path": r.tag_path(t)} for t in tags]
    emit(args, data, "\n".join(sorted(d["path"] for d in data)) or "No tags.")
    return 0


COMMANDS = {
    "annotate": cmd_annotate,
    "annotations": cmd_annotations,
    "link": cmd_link,
    "status": cmd_status,
    "suggest": cmd_suggest,
    "prepare": cmd_prepare,
    "lineage": cmd_lineage,
    "coverage": cmd_coverage,
    "unmark": cmd_unmark,
    "mark": cmd_mark,
    "split": cmd_split,
    "merge": cmd_merge,
    "reanchor": cmd_reanchor,
    "undo": cmd_undo,
    "redo": cmd_redo,
    "delete": cmd_delete,
    "trash": cmd_trash,
    "tags": cmd_tags,
}
