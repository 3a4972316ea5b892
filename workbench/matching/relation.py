"""Label a pair (earlier passage → its later counterpart) from cues on the pair, with reasons.

Similarity finds the successor; this module says what happened to the commitment. A reversal is
often *more* similar in wording than a faithful paraphrase ("We will reach net zero by 2030" →
"We will scrap the net zero target"), so the label never comes from the similarity score alone:

* cessation and negation new in the later text, in a clause about the source's topic ("rescind", "scrap", "no longer", "withdraw",
  "stop", "end", "resist", "abolish", "reverse", a shift of focus away) → ``reversed``
  (``withdrawn`` when the later text only turns away without naming a replacement);
* firm wording turned tentative ("will deliver" → "will explore", "aim to", "consider") →
  ``scaled_back``; the opposite → ``strengthened``;
* a target date pushed back or a number cut ("2030 → 2050", "500 → 350") → ``scaled_back``;
  brought forward or raised → ``strengthened``;
* a testable pledge (a number or a date) turned into one without → ``scaled_back``;
* scope narrowed (the whole area → "our own estate/operations") → ``scaled_back``;
* otherwise ``continued`` (close wording) or ``modified``.

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
        ("rescind", r"\brescind\w*"),
        ("scrap", r"\bscrap(?:s|ped|ping)?\b"),
        ("no longer", r"\bno longer\b"),
        ("withdraw", r"\bwithdr[ae]w\w*"),
        # not "stop them falling into …": stopping something happening to people is prevention
        ("stop", r"\bstop(?:s|ped|ping)?\b(?!\s+(?:them|us|him|her|people|residents|children|"
                 r"families|anyone|those|it)\s+(?:from\s+)?\w+ing\b)"),
        ("end", r"\b(?:end|ends|ending|ended)\s+(?:the|our|its|this|all|any)\b"),
        ("cease", r"\bceas(?:e|es|ed|ing)\b"),
        ("abolish", r"\babolish\w*"),
        ("reverse", r"\brevers(?:e|es|ed|ing|al)\b"),
        ("scale back", r"\bscal(?:e|ed|ing) back\b"),
        ("resist", r"\bresist\w*"),
        ("oppose", r"\boppos(?:e|es|ed|ing)\b"),
        ("stand against", r"\bstand(?:ing)? (?:firm )?against\b"),
        ("refocus", r"\bre-?focus\w*|\b(?:move|shift)\w* (?:our |the |its )?focus\b"),
        ("move away", r"\b(?:move|moving|step|stepping|turn|turning) away from\b"),
        ("instead", r"\binstead of\b|\brather than\b"),
        ("not right", r"\bcannot be right\b|\bnot (?:be )?(?:right|appropriate|sustainable)\b"),
        ("at the expense", r"\bat the expense of\b"),
        ("will not", r"\b(?:will not|won't|shall not|do not intend to|not pursue)\b"),
        ("exit", r"\b(?:exit|leave|leaving) the\b"),
        ("replace", r"\breplac(?:e|es|ed|ing)\b"),
    )
)

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

CUE_REVERSAL = frozenset({"reversed", "withdrawn"})
REPLACE_ONLY = frozenset({"replace", "instead"})
TURN_AWAY = frozenset({"refocus", "move away", "at the expense", "not right"})


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
    clauses = _cue_clauses(target)
    if not clauses:
        return []
    topic = _topic(source)
    found: list[str] = []
    for words_, cues in clauses:
        if topic & words_:
            found += [c for c in cues if c not in found]
    return found


@lru_cache(maxsize=8192)
def _topic(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


@lru_cache(maxsize=8192)
def _cue_clauses(text: str) -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    """The clauses of ``text`` holding a cue: (their words, their cues). Cached: compare
    labels the same later passage against many sources."""
    if not _ALL_CUES.search(text):
        return ()
    out = []
    for clause in _CLAUSE.split(text):
        cues = _cues(clause) if clause.strip() else ()
        if cues:
            out.append((frozenset(tokens(clause)), cues))
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
    before = set(cessation_cues(source))
    new_cues = [c for c in topical_cues(source, target) if c not in before]
    if new_cues and similarity >= reversal_min:
        reasons += [f"reversal cue in the later text: '{c}'" for c in new_cues]
        if set(new_cues) <= REPLACE_ONLY:
            return Proposal("replaced", tuple(reasons))
        if set(new_cues) <= TURN_AWAY | REPLACE_ONLY:
            return Proposal("withdrawn", tuple(reasons))
        return Proposal("reversed", tuple(reasons))
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
    testable_s = bool(se.years or se.numbers or se.money)
    testable_t = bool(te.years or te.numbers or te.money)
    if not relation and testable_s and not testable_t and wording < 0.85:
        reasons.append("a measurable pledge (a date or figure) became one without")
        relation = "scaled_back"
    elif not relation and testable_t and not testable_s and wording < 0.85:
        reasons.append("a date or figure was added")
        relation = "strengthened"
    if not relation and narrow and not narrow_s and wide_s:
        reasons.append(f"scope narrowed: '{wide_s}' → '{narrow}'")
        relation = "scaled_back"
    if not relation:
        if wording >= 0.85:
            relation = "continued"
            reasons.append(f"near-identical wording ({wording:.0%})")
        else:
            relation = "continued" if similarity >= 0.55 else "modified"
            reasons.append(f"{'close' if relation == 'continued' else 'related'} wording "
                           f"({wording:.0%} alike)")
    return Proposal(relation, tuple(reasons))
