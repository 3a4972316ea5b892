"""Label a pair (earlier passage → its later counterpart) from cues on the pair, with reasons.

Similarity finds the successor; this module says what happened to the commitment. A reversal is
often *more* similar in wording than a faithful paraphrase ("We will reach net zero by 2030" →
"We will scrap the net zero target"), so the label never comes from the similarity score alone:

* cessation and negation new in the later text ("rescind", "scrap", "no longer", "withdraw",
  "abandon", "stop", "end", "resist", "abolish", "reverse", "instead of", "rather than",
  "replace", a shift of focus away) → ``reversed`` (``withdrawn`` when the later text only
  turns away; ``replaced`` when it only names something in its place). A cue counts when its
  *scope* (the words right after it in its clause: what is scrapped or moved away from) names
  the source's topic, however far the rest of the wording; a cue elsewhere in a clause on the
  topic counts only when the pair is close. Statements are not refusals ("will not be suitable"),
  turning round a bad trend is not a reversal ("reverse the decline"), and opposing what the
  source already opposed continues it ("challenge inappropriate development" → "resist …");
* firm wording turned tentative ("will deliver" → "will explore", "aim to", "consider") →
  ``scaled_back``; the opposite → ``strengthened``;
* a target date pushed back or a number cut ("2030 → 2050", "500 → 350") → ``scaled_back``;
  brought forward or raised → ``strengthened``;
* a testable pledge (a number or a date) turned into one without, or a date or figure added, is
  given as a reason but sets no relation (on the tuning links it was mostly "continued");
* scope narrowed (the whole area → "our own estate/operations") → ``scaled_back``;
* the opening verb two steps firmer or weaker ("Consider …" → "Establish …", "Invest …" →
  "Review …"), or escalating wording new in the later text ("expand", "accelerate") →
  ``strengthened`` / ``scaled_back``;
* otherwise ``continued``. "Modified" is not proposed from wording closeness: on the tuning
  links it did not tell a modified pledge from a continued one (an officer chooses it).

The lexicons are general English; nothing names a place, a council or a plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.text import Entities, entities, number_value, tokens

CESSATION: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(rx, re.IGNORECASE)) for label, rx in (
        ("rescind", r"\brescind\w*|\brevok(?:e|es|ed|ing)\b|\brepeal\w*"),
        ("scrap", r"\bscrap(?:s|ped|ping)?\b|\bdo(?:ing)? away with\b"),
        ("no longer", r"\bno longer\b|\bnot (?:be )?(?:continu|renew|extend)\w*"),
        ("withdraw", r"\bwithdr[ae]w\w*"),
        ("abandon", r"\babandon\w*|\bdiscontinu\w*|\bphas(?:e|es|ed|ing) out\b|"
                    r"\bwind(?:s|ing)? (?:down|up)\b|\bhalt(?:s|ed|ing)?\b|\bterminat\w*"),
        # not "stop them falling into …": stopping something happening to people is prevention
        ("stop", r"\bstop(?:s|ped|ping)?\b(?!\s+(?:them|us|him|her|people|residents|children|"
                 r"families|anyone|those|it)\s+(?:from\s+)?\w+ing\b)"),
        ("end", r"\b(?:end|ends|ending|ended)\s+(?:the|our|its|this|all|any)\b"),
        ("cease", r"\bceas(?:e|es|ed|ing)\b"),
        ("abolish", r"\babolish\w*"),
        # not "reverse the decline": turning round a bad trend is no change of policy
        ("reverse", r"\brevers(?:e|es|ed|ing|al)\b(?!(?:\s+(?:of\s+)?\S+){0,4}?\s+(?:declin\w*|"
                    r"trends?|loss\w*|damage|effects?|fall|deteriorat\w*|drift))"),
        ("scale back", r"\bscal(?:e|ed|ing) back\b"),
        ("resist", r"\bresist\w*"),
        ("oppose", r"\boppos(?:e|es|ed|ing)\b"),
        ("stand against", r"\bstand(?:ing)? (?:firm )?against\b"),
        ("push back", r"\bpush(?:es|ing)? back (?:on|against)\b"),
        ("refocus", r"\bre-?focus\w*|\b(?:move|shift)\w* (?:our |the |its )?focus\b"),
        ("move away", r"\b(?:move|moving|step|stepping|turn|turning) away from\b"),
        ("less focus", r"\bless (?:of an? )?(?:focus|emphasis|reliance|dependence) on\b"),
        ("instead", r"\binstead of\b|\brather than\b"),
        ("not right", r"\bcannot be right\b|\bnot (?:be )?(?:right|appropriate|sustainable)\b"),
        ("at the expense", r"\bat the expense of\b"),
        # a refusal ("will not fund"), not a statement ("will not be suitable for everyone")
        ("will not", r"\b(?:will not|won't|shall not|do not intend to|not pursue)\b"
                     r"(?!\s+(?:be|been|have|always|only|necessarily|just|simply|need)\b)"),
        ("exit", r"\b(?:exit|leave|leaving) the\b"),
        ("replace", r"\breplac(?:e|es|ed|ing)\b"),
    )
)
OPPOSE = frozenset({"resist", "oppose", "stand against", "push back", "stop"})
"""Cues of opposition: new only when the source was not already against something."""
AGAINST = re.compile(
    r"\b(?:challeng\w*|tackl\w*|prevent\w*|combat\w*|fight\w*|resist\w*|oppos\w*|"
    r"stop\w*|reduc\w*|against|crack(?:ing)? down)\b", re.IGNORECASE)
SCOPE_WORDS = 6
"""How many content words after a cue are its scope: what is rescinded, resisted, refocused."""

FIRM = re.compile(
    r"\b(?:will (?:deliver|ensure|provide|build|introduce|create|guarantee|achieve|complete|"
    r"invest|open|establish|implement|reduce|increase|double|halve|meet|reach|maintain|protect)"
    r"|commit(?:s|ted)? to|pledge|guarantee|must|deliver|ensure|achieve)\b",
    re.IGNORECASE,
)
TENTATIVE = re.compile(
    r"\b(?:explore|consider|look (?:at|into)|investigate|review(?:ing)? (?:whether|options)|"
    r"seek(?:ing)? to|aim(?:ing)? to|try to|work(?:ing)? towards|encourage|where possible|"
    r"where appropriate|subject to|hope to|ambition to|aspire|examine|assess whether|"
    r"as far as possible|options for|opportunities for|when resources allow|lobby)\b",
    re.IGNORECASE,
)
NARROW = re.compile(
    r"\b(?:our own|its own|the council's own|own (?:estate|operations|buildings|fleet)|"
    r"directly (?:controls?|delivers?)|where we (?:can|have control)|a (?:small )?number of|"
    r"targeted|selected|pilot)\b",
    re.IGNORECASE,
)
WIDE = re.compile(r"\b(?:all|every|across the|whole|county-?wide|nationwide|region-?wide)\b",
                  re.IGNORECASE)

CONTINUED_FROM = 0.0
"""Closeness (0.5: just close enough to be a successor) from which a pair without cues is
"continued" rather than "modified". 0: a pair without cues is "continued". Chosen by
leave-one-plan-pair-out CV on the tuning links (docs/bench/relations-r4.md): wording closeness
does not tell "modified" from "continued" (the 10 pairs the old bar of 0.4 called "modified" in
the first three were all labelled otherwise, 8 of them "continued"); "modified" still comes
from the officer; the cues above say how a pledge moved."""
FIGURES_SET_RELATION = False
"""Whether a date or figure gained (``strengthened``) or lost (``scaled_back``) sets the relation
or is only a reason. Off: chosen by leave-one-plan-pair-out CV (``bench/eval_relations.py
--cv``); on the tuning links those labels were right 2 times in 19."""
CUE_REVERSAL = frozenset({"reversed", "withdrawn"})
REPLACE_ONLY = frozenset({"replace", "instead"})
TURN_AWAY = frozenset({"refocus", "move away", "less focus", "at the expense", "not right"})


@dataclass(frozen=True, slots=True)
class Proposal:
    relation: str
    reasons: tuple[str, ...]


_ALL_CUES = re.compile("|".join(f"(?P<c{n}>{rx.pattern})" for n, (_, rx) in enumerate(CESSATION)),
                       re.IGNORECASE)


@lru_cache(maxsize=8192)
def _cues(text: str) -> tuple[str, ...]:
    found = {int(m.lastgroup[1:]) for m in _ALL_CUES.finditer(text) if m.lastgroup}
    return tuple(CESSATION[n][0] for n in sorted(found))


@lru_cache(maxsize=8192)
def _modality(text: str) -> tuple[str, str, str, str]:
    """The first firm, tentative, narrowing and widening phrases of ``text`` ("" if none)."""
    found = [rx.search(text) for rx in (FIRM, TENTATIVE, NARROW, WIDE)]
    return tuple(m.group(0) if m else "" for m in found)  # type: ignore[return-value]


def cessation_cues(text: str) -> list[str]:
    """Cessation and negation cues in ``text``, in lexicon order (one scan of the text)."""
    return list(_cues(text))


_CLAUSE = re.compile(r"\n|(?<=[.;!?])\s+")


def topical_cues(source: str, target: str) -> list[str]:
    """Cessation cues of ``target`` that sit in a clause (a line, or a sentence) sharing a
    content word with ``source``: a passage that lists several items ("… coastal communities /
    … stand firm against large developments") reverses only the item about the source's topic,
    not every commitment it happens to sit next to."""
    topic = _topic(source)
    found: list[str] = []
    for cue, clause, _ in _cue_hits(target):
        if topic & clause and cue not in found:
            found.append(cue)
    return found


def scoped_cues(source: str, target: str) -> list[str]:
    """Cessation cues of ``target`` whose scope (the words right after the cue in its clause:
    what is scrapped, resisted, moved away from) shares a content word with ``source``.

    Stricter than ``topical_cues``: "stop waste discharge" in a passage about coastlines does
    not reverse a pledge to protect the coast, "stopping smoking" does not reverse a health
    pledge; "scrap the net zero target" does reverse a net zero pledge."""
    topic = subject_words(source)
    found: list[str] = []
    for cue, _, scope in _cue_hits(target):
        if topic & scope and cue not in found:
            found.append(cue)
    return found


def new_cues(source: str, cues: Sequence[str]) -> list[str]:
    """The cues a later text adds: not already in ``source``, and (for opposition: resist,
    oppose, stop) only when the source was not already against something ("challenge
    inappropriate development" → "resist inappropriate development" continues it)."""
    before, against = _stance(source)
    return [c for c in cues if c not in before and not (against and c in OPPOSE)]


@lru_cache(maxsize=8192)
def _stance(source: str) -> tuple[frozenset[str], bool]:
    """The source's own cues, and whether it is already against something (cached: contrast
    retrieval asks this for every cue passage of the later plan)."""
    return frozenset(cessation_cues(source)), bool(AGAINST.search(source))


def cue_scopes(text: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """(cue, the words of its clause, the words of its scope) for every cue of ``text``."""
    return _cue_hits(text)


@lru_cache(maxsize=8192)
def _topic(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


_LEAD_MARK = re.compile(r"^\W*(?:\(?[0-9]{1,2}[.)]|\(?[a-z][.)])?\W*")


@lru_cache(maxsize=8192)
def subject_words(text: str) -> frozenset[str]:
    """What ``text`` is about: its content words without the verb opening a list item or an
    imperative ("Develop …", "Support …": the action, not the topic)."""
    body = _LEAD_MARK.sub("", text)
    words, first = tokens(body), body.split()[:1]
    if words and first and tokens(first[0]) == words[:1]:
        words = words[1:]
    return frozenset(words)


@lru_cache(maxsize=8192)
def _cue_hits(text: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Each cue of ``text`` with its clause's words and its scope's words. Cached: compare
    labels the same later passage against many sources."""
    if not _ALL_CUES.search(text):
        return ()
    out = []
    for clause in _CLAUSE.split(text):
        if not clause.strip():
            continue
        words_ = None
        for m in _ALL_CUES.finditer(clause):
            if not m.lastgroup:
                continue
            words_ = words_ if words_ is not None else frozenset(tokens(clause))
            scope = frozenset(tokens(clause[m.end():])[:SCOPE_WORDS])
            out.append((CESSATION[int(m.lastgroup[1:])][0], words_, scope))
    return tuple(out)


def _years(e: Entities) -> list[int]:
    return sorted(int(y) for y in e.years)


def _moved(source: Entities, target: Entities, reasons: list[str]) -> str:
    """Dates and numbers that changed between the two texts: ``scaled_back``, ``strengthened``
    or "" (a reason is added for each change seen)."""
    verdict = ""
    gone, came = sorted(set(source.years) - target.years), sorted(set(target.years) - source.years)
    if gone and came:
        old, new = int(gone[-1]), int(came[-1])
        if new > old:
            reasons.append(f"date moved later: {old} → {new}")
            verdict = "scaled_back"
        elif new < old:
            reasons.append(f"date brought forward: {old} → {new}")
            verdict = "strengthened"
    for kind, a, b in (("amount", source.money, target.money),
                       ("number", source.numbers, target.numbers)):
        lost, new_ = sorted(a - b), sorted(b - a)
        if lost and new_:
            x, y = number_value(lost[0]), number_value(new_[0])
            if x is not None and y is not None and x != y:
                reasons.append(f"{kind} changed: {lost[0]} → {new_[0]}")
                verdict = verdict or ("scaled_back" if y < x else "strengthened")
    return verdict


STRONGER = re.compile(
    r"\b(?:expand\w*|accelerat\w*|scal(?:e|ing) up|step(?:ping)? up|intensif\w*|"
    r"re-?invigorat\w*|unrelenting|rigorous\w*|large-scale|go(?:ing)? further|double|"
    r"statutory dut\w*|every opportunit\w*|all opportunit\w*)\b", re.IGNORECASE)
"""Wording that escalates a pledge: new in the later text → ``strengthened``."""
# the subject a promise opens with: "we", the council or authority, or the body's own acronym
_LEAD = re.compile(_LEAD_MARK.pattern + r"(?:we will |we shall |(?-i:[A-Z]{2,6}) will |"
                   r"the (?:council|authority) will |to )?(\w+)", re.IGNORECASE)
LADDER: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"(?:explor|consider|monitor|examin|investigat|look|seek|lobby|aim|hope|"
                   r"encourag|review|assess)\w*", re.IGNORECASE)),
    (3, re.compile(r"(?:deliver|establish|implement|introduc|build|creat|invest|provid|ensur|"
                   r"guarante|incentivis|prioritis|meet|complet|open|launch|fund)\w*",
                   re.IGNORECASE)),
)
"""How firmly an item opens: 1 tentative ("Explore …"), 3 firm ("Deliver …"), else 2."""


def _lead_level(text: str) -> tuple[int, str]:
    m = _LEAD.match(text)
    if not m:
        return 2, ""
    verb = m.group(1)
    for level, rx in LADDER:
        if rx.fullmatch(verb):
            return level, verb
    return 2, verb


def _step(source: str, target: str, reasons: list[str]) -> str:
    """``strengthened``/``scaled_back`` from the opening verb's firmness moving two steps
    ("Consider …" → "Establish …") or from escalating wording new in the later text; "" if
    neither."""
    (ls, vs), (lt, vt) = _lead_level(source), _lead_level(target)
    if lt - ls >= 2:
        reasons.append(f"opens more firmly: '{vs}' → '{vt}'")
        return "strengthened"
    if ls - lt >= 2:
        reasons.append(f"opens more tentatively: '{vs}' → '{vt}'")
        return "scaled_back"
    m = STRONGER.search(target)
    if m and not STRONGER.search(source):
        reasons.append(f"escalating wording in the later text: '{m.group(0)}'")
        return "strengthened"
    return ""


def cue_relation(cues: Sequence[str], *, scoped: bool) -> str:
    """The relation that cessation ``cues`` (new in the later text) propose: ``withdrawn`` when
    they only turn away (refocus, move away, instead of …), ``replaced`` when "instead of /
    rather than / replace" is about something else than the source (``scoped`` False: it names
    what takes the source's place), else ``reversed``."""
    if set(cues) <= REPLACE_ONLY and not scoped:
        return "replaced"
    if set(cues) <= TURN_AWAY | REPLACE_ONLY:
        return "withdrawn"
    return "reversed"


def propose(
    source: str,
    target: str,
    *,
    similarity: float,
    wording: float,
    shared: Sequence[str] = (),
    reversal_min: float = 0.0,
) -> Proposal:
    """A relation for ``source`` (earlier) → ``target`` (later), with the cues behind it.

    Args:
        source, target: the two passages' texts.
        similarity: how close the pair is, 0–1 (0.5: just close enough to be a successor).
        wording: rapidfuzz similarity of the two texts (0–1).
        shared: named things both texts mention (shown as a reason).
        reversal_min: a cessation cue counts only when the pair is at least this similar (a
            cue in an unrelated passage is not a reversal of this commitment).
    """
    reasons: list[str] = []
    if shared:
        reasons.append("both mention " + ", ".join(f"'{s}'" for s in list(shared)[:4]))
    # a cue about what the source pledged (in its scope) counts however the rest of the
    # wording differs; a cue elsewhere in a clause on the topic only when the pair is close
    scoped = new_cues(source, scoped_cues(source, target))
    cues = list(scoped)
    if similarity >= reversal_min:
        cues += [c for c in new_cues(source, topical_cues(source, target)) if c not in cues]
    if cues:
        reasons += [f"reversal cue in the later text: '{c}'" for c in cues]
        return Proposal(cue_relation(cues, scoped=bool(scoped)), tuple(reasons))
    se, te = entities(source), entities(target)
    relation = _moved(se, te, reasons)
    firm_s, tent_s, narrow_s, wide_s = _modality(source)
    firm_t, tent_t, narrow, _ = _modality(target)
    if firm_s and tent_t and not tent_s:
        reasons.append(f"firm wording turned tentative: '{firm_s}' → '{tent_t}'")
        relation = "scaled_back"
    elif tent_s and firm_t and not firm_s and not tent_t:
        reasons.append(f"tentative wording made firm: '{tent_s}' → '{firm_t}'")
        relation = relation or "strengthened"
    # a date or figure dropped or added is shown; it sets the relation only when
    # FIGURES_SET_RELATION (off: mostly "continued" on the tuning links)
    testable_s = bool(se.years or se.numbers or se.money)
    testable_t = bool(te.years or te.numbers or te.money)
    if not relation and testable_s and not testable_t and wording < 0.85:
        reasons.append("a measurable pledge (a date or figure) became one without")
        relation = "scaled_back" if FIGURES_SET_RELATION else ""
    elif not relation and testable_t and not testable_s and wording < 0.85:
        reasons.append("a date or figure was added")
        relation = "strengthened" if FIGURES_SET_RELATION else ""
    if not relation and narrow and not narrow_s and wide_s:
        reasons.append(f"scope narrowed: '{wide_s}' → '{narrow}'")
        relation = "scaled_back"
    if not relation:
        relation = _step(source, target, reasons)
    if not relation:
        if wording >= 0.85:
            relation = "continued"
            reasons.append(f"near-identical wording ({wording:.0%})")
        else:
            relation = "continued" if similarity >= CONTINUED_FROM else "modified"
            # says what was found (no cue of change) rather than calling the wording close:
            # with CONTINUED_FROM at 0 every pair without a cue lands here, close or not
            reasons.append(f"no cue of change; wording {wording:.0%} alike")
    return Proposal(relation, tuple(reasons))
