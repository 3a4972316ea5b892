"""Lineage vocabularies, explainable cues and the successor suggester. Pure; no I/O.

The suggester ranks, for every commitment of an earlier plan, the commitments of a later plan by
a weighted mix of four signals, each explainable:

* ``bm25``: an in-memory BM25 "more like this" over the candidates' texts (a light stemmer,
  stop words dropped). This is the "more like this" signal of the issue; it deliberately does
  not use the Whoosh index, which is a rebuildable cache owned by ``indexing``.
* ``fuzzy``: rapidfuzz token-sort / token-set similarity of the two quotes.
* ``heading``: similarity of the section headings.
* ``entities``: shared numbers, years, money, acronyms and capitalised names ("Net Zero").

It then proposes a relation from cheap cues (reversal words, number/date drift, hedging) and
says why, in short strings a person can check.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from workbench.records import EffectiveCommitment

# -- vocabularies (codes are stable; labels are the defaults a person may edit) -------------

RELATIONS: dict[str, str] = {
    "unreviewed": "Unreviewed",
    "continued": "Continued",
    "strengthened": "Strengthened",
    "modified": "Modified",
    "scaled_back": "Scaled back",
    "merged": "Merged",
    "split": "Split",
    "replaced": "Replaced",
    "reversed": "Reversed",
    "withdrawn": "Withdrawn",
    "dropped": "Dropped (no successor, no statement)",
    "deferred": "Deferred",
    "transferred": "Transferred",
    "delivered": "Delivered",
    "new": "New (later side only)",
}
RATIONALE_REQUIRED = frozenset({"scaled_back", "replaced", "reversed", "withdrawn", "dropped"})
NO_TARGET_RELATIONS = frozenset({"dropped", "withdrawn", "delivered", "unreviewed"})
"""Relations that may have no successor passage."""

STATUSES: dict[str, str] = {
    "not_assessed": "Not assessed",
    "on_track": "On track",
    "at_risk": "At risk",
    "stalled": "Stalled",
    "delivered": "Delivered",
    "partly_delivered": "Partly delivered",
    "not_delivered": "Not delivered",
    "superseded": "Superseded",
}
LINK_STATES = ("proposed", "confirmed", "rejected")

# -- text features --------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
_STOP = frozenset(
    """a about above after again all also am an and any are as at be been being both but by can
    could did do does doing down during each for from further had has have having he her here
    him his how i if in into is it its itself just me more most my no nor not of off on once
    only or other our ours out over own same she should so some such than that the their them
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your kent kcc council county""".split()
)


def stem(word: str) -> str:
    """A deliberately small suffix stripper (enough to match "deliver/delivering/delivery")."""
    w = word.casefold().strip("'’-")
    for suffix in ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied",
                   "ness", "ers", "er", "ed", "es", "ly", "s", "y", "e"):
        if len(w) - len(suffix) >= 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text) if w.casefold() not in _STOP and len(w) > 1]


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-9]\d)\b")
_MONEY = re.compile(r"£\s?\d[\d,.]*\s?(?:bn|billion|m|million|k)?", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w£.])\d[\d,]*(?:\.\d+)?%?(?![\w])")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
_NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -](?:[A-Z][a-z]+|[A-Z]{2,}|\d{4}))+\b")
_BORING_ACRONYMS = frozenset({"KCC", "UK", "THE", "WE", "OUR", "AND", "NHS"})
_BORING_NAMES = frozenset({"kent county council", "we will", "the council", "our priorities"})


@dataclass(frozen=True, slots=True)
class Entities:
    years: frozenset[str]
    numbers: frozenset[str]  # not years, not money
    money: frozenset[str]
    names: frozenset[str]  # casefolded multiword names and acronyms

    @property
    def all(self) -> frozenset[str]:
        return self.years | self.numbers | self.money | self.names


def entities(text: str) -> Entities:
    years = frozenset(_YEAR.findall(text))
    money = frozenset(m.group(0).replace(" ", "").casefold() for m in _MONEY.finditer(text))
    stripped = _MONEY.sub(" ", text)
    numbers = frozenset(
        n.rstrip(".,") for n in _NUMBER.findall(stripped)
        if n.rstrip(".,") not in years and len(n.rstrip(".,%")) > 0
        and not (len(n) <= 2 and n.rstrip(".,").isdigit() and int(n.rstrip(".,")) < 10)
    )
    names = set()
    for m in _NAME.finditer(text):
        name = m.group(0).casefold()
        if name not in _BORING_NAMES and not name.startswith(("we ", "our ", "the ")):
            names.add(name)
    for m in _ACRONYM.finditer(text):
        a = m.group(0).rstrip("s") if m.group(0).endswith("s") and len(m.group(0)) > 2 else m.group(0)
        if a not in _BORING_ACRONYMS:
            names.add(a.casefold())
    return Entities(years, numbers, money, frozenset(names))


def _num(text: str) -> float | None:
    try:
        return float(text.rstrip("%").replace(",", ""))
    except ValueError:
        return None


# -- cues -----------------------------------------------------------------------------------

REVERSAL_CUES = (
    ("rescind", re.compile(r"\brescind\w*", re.I)),
    ("scrap", re.compile(r"\bscrap\w*", re.I)),
    ("no longer", re.compile(r"\bno longer\b", re.I)),
    ("end", re.compile(r"\b(?:end|ending|ended)\s+(?:the|our|its|this|all)\b", re.I)),
    ("withdraw", re.compile(r"\bwithdr[ae]w\w*", re.I)),
    ("cease", re.compile(r"\bceas(?:e|ed|ing)\b", re.I)),
    ("replace", re.compile(r"\breplac\w*", re.I)),
    ("abolish", re.compile(r"\babolish\w*", re.I)),
    ("reverse", re.compile(r"\brevers\w*", re.I)),
)
_STRONG = re.compile(
    r"\b(?:will (?:deliver|ensure|provide|build|introduce|create|guarantee|achieve|complete|"
    r"invest|open|establish|implement)|commit(?:ted)? to|we pledge)\b",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:will (?:explore|consider|look (?:at|into)|investigate|review|seek|aim|try|work towards|"
    r"encourage|support|lobby)|aim to|seek to|work towards|where possible|where appropriate|"
    r"subject to|hope to|ambition to|explore|investigate)\b",
    re.I,
)


REVERSAL_MIN_SCORE = 0.3  # a reversal cue counts only in a pair that is otherwise related


def reversal_cues(text: str) -> list[str]:
    return [name for name, rx in REVERSAL_CUES if rx.search(text)]


@dataclass(frozen=True, slots=True)
class Proposal:
    relation: str
    reasons: tuple[str, ...]


def propose_relation(
    source: str, target: str, *, score: float, fuzzy: float, shared: Sequence[str] = ()
) -> Proposal:
    """A relation for the pair (``source`` earlier, ``target`` later) with the cues behind it."""
    reasons: list[str] = []
    if shared:
        reasons.append("shares " + ", ".join(f"'{s}'" for s in list(shared)[:5]))
    src_cues, tgt_cues = set(reversal_cues(source)), reversal_cues(target)
    new_cues = [c for c in tgt_cues if c not in src_cues]
    if new_cues and (score >= REVERSAL_MIN_SCORE or shared):
        reasons += [f"reversal cue: '{c}'" for c in new_cues]
        relation = "replaced" if new_cues == ["replace"] else "reversed"
        return Proposal(relation, tuple(reasons))
    se, te = entities(source), entities(target)
    relation = ""
    dropped_years = sorted(se.years - te.years)
    if dropped_years:
        later = sorted(te.years - se.years)
        if later and later[-1] > dropped_years[-1]:
            reasons.append(f"date moved: {dropped_years[-1]} → {later[-1]}")
            relation = "scaled_back"
        elif later:
            reasons.append(f"date brought forward: {dropped_years[-1]} → {later[-1]}")
            relation = "strengthened"
        else:
            reasons.append(f"date dropped: {', '.join(dropped_years)}")
            relation = "modified"
    for kind, a, b in (("number", se.numbers, te.numbers), ("money", se.money, te.money)):
        gone, came = sorted(a - b), sorted(b - a)
        if gone and came:
            old, new = _num(gone[0].lstrip("£")), _num(came[0].lstrip("£"))
            reasons.append(f"{kind} changed: {gone[0]} → {came[0]}")
            if old is not None and new is not None and new != old:
                relation = relation or ("scaled_back" if new < old else "strengthened")
    strong_s, hedge_t = _STRONG.search(source), _HEDGE.search(target)
    if strong_s and hedge_t and not _HEDGE.search(source):
        reasons.append(f"hedging: '{strong_s.group(0)}' → '{hedge_t.group(0)}'")
        relation = "scaled_back"
    elif _HEDGE.search(source) and _STRONG.search(target) and not _STRONG.search(source):
        reasons.append(
            f"firmer wording: '{_HEDGE.search(source).group(0)}' → "  # type: ignore[union-attr]
            f"'{_STRONG.search(target).group(0)}'"  # type: ignore[union-attr]
        )
        relation = relation or "strengthened"
    if not relation:
        if fuzzy >= 0.85:
            relation = "continued"
            reasons.append(f"near-identical wording ({fuzzy:.0%})")
        elif score >= 0.45:
            relation = "continued"
            reasons.append(f"similar wording ({fuzzy:.0%})")
        else:
            relation = "modified"
            reasons.append(f"related wording ({fuzzy:.0%})")
    return Proposal(relation, tuple(reasons))


# -- BM25 -----------------------------------------------------------------------------------


class Bm25:
    """A small in-memory BM25 over candidate passages (the "more like this" signal)."""

    def __init__(self, docs: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.lengths = [len(d) for d in docs]
        self.avg = (sum(self.lengths) / self.n) if self.n else 1.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                self.postings.setdefault(term, []).append((i, tf))
        self.idf = {
            t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5))
            for t, p in self.postings.items()
        }

    def _weight(self, tf: int, length: int) -> float:
        return tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avg))

    def scores(self, query: list[str]) -> dict[int, float]:
        """{doc index: score normalised by the query's score against itself (about 0–1)}."""
        out: dict[int, float] = {}
        counts = Counter(query)
        for term in counts:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, tf in self.postings[term]:
                out[i] = out.get(i, 0.0) + idf * self._weight(tf, self.lengths[i])
        self_score = sum(
            self.idf.get(t, math.log(1 + (self.n + 0.5) / 0.5)) * self._weight(tf, len(query))
            for t, tf in counts.items()
        )
        if self_score <= 0:
            return {}
        return {i: min(1.0, s / self_score) for i, s in out.items()}


# -- the suggester --------------------------------------------------------------------------

WEIGHTS = {"bm25": 0.60, "fuzzy": 0.20, "heading": 0.10, "entities": 0.10}  # tuned on tests/data
DROP_BELOW = 0.22  # best combined score under this: propose "dropped"
SHORTLIST = 25  # candidates per commitment that get the costlier fuzzy signals


@dataclass(frozen=True, slots=True)
class Candidate:
    commitment: EffectiveCommitment
    score: float
    relation: str
    reasons: tuple[str, ...]
    signals: dict[str, float]


@dataclass(frozen=True, slots=True)
class Suggestion:
    source: EffectiveCommitment
    candidates: tuple[Candidate, ...]  # best first
    relation: str  # proposed relation with the best candidate ("dropped" if none)
    reasons: tuple[str, ...]
    to_plan: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def _shared_entities(a: Entities, b: Entities) -> tuple[float, list[str]]:
    shared = []
    weight = 0.0
    for group, w in ((a.names & b.names, 0.45), (a.years & b.years, 0.35),
                     (a.money & b.money, 0.5), (a.numbers & b.numbers, 0.3)):
        for item in sorted(group):
            shared.append(item)
            weight += w
    return min(1.0, weight), shared


def _display(item: str, text: str) -> str:
    """The original casing of a casefolded entity, for the reasons shown to people."""
    m = re.search(re.escape(item), text, re.IGNORECASE)
    return m.group(0) if m else item


class Suggester:
    """Suggests successors in one later plan; per-plan token stats are computed once."""

    def __init__(self, candidates: Sequence[EffectiveCommitment], plan_title: str = "") -> None:
        self.candidates = list(candidates)
        self.plan_title = plan_title or (candidates[0].plan if candidates else "")
        self._tokens = [tokens(c.text + " " + c.heading) for c in self.candidates]
        self._bm25 = Bm25(self._tokens)
        self._entities = [entities(c.text) for c in self.candidates]
        self._by_entity: dict[str, list[int]] = {}
        for i, ent in enumerate(self._entities):
            for item in ent.all:
                self._by_entity.setdefault(item, []).append(i)

    def suggest(self, source: EffectiveCommitment, limit: int = 5) -> Suggestion:
        to_plan = self.candidates[0].plan if self.candidates else ""
        query = tokens(source.text + " " + source.heading)
        bm = self._bm25.scores(query)
        src_ent = entities(source.text)
        pre: list[tuple[float, int]] = []
        ent_cache: dict[int, tuple[float, list[str]]] = {}
        sharing = {i for item in src_ent.all for i in self._by_entity.get(item, ())}
        for i in sharing | bm.keys():  # only candidates with a word or an entity in common
            ent = _shared_entities(src_ent, self._entities[i]) if i in sharing else (0.0, [])
            ent_cache[i] = ent
            quick = bm.get(i, 0.0) + 0.5 * ent[0]
            if quick > 0:
                pre.append((quick, i))
        pre.sort(reverse=True)
        scored: list[Candidate] = []
        for _, i in pre[:SHORTLIST]:
            cand = self.candidates[i]
            fz = max(fuzz.token_sort_ratio(source.text, cand.text),
                     0.9 * fuzz.token_set_ratio(source.text, cand.text)) / 100.0
            hd = (fuzz.token_set_ratio(source.heading, cand.heading) / 100.0
                  if source.heading and cand.heading else 0.0)
            ent_score, shared = ent_cache[i]
            signals = {"bm25": round(bm.get(i, 0.0), 3), "fuzzy": round(fz, 3),
                       "heading": round(hd, 3), "entities": round(ent_score, 3)}
            score = sum(WEIGHTS[k] * v for k, v in signals.items())
            shown = [_display(s, source.text) for s in shared]
            proposal = propose_relation(source.text, cand.text, score=score, fuzzy=fz,
                                        shared=shown)
            reasons = list(proposal.reasons)
            if signals["bm25"] >= 0.3:
                reasons.append(f"more-like-this {signals['bm25']:.2f}")
            if hd >= 0.8:
                reasons.append("similar heading")
            scored.append(Candidate(cand, round(score, 4), proposal.relation, tuple(reasons),
                                    signals))
        scored.sort(key=lambda c: (-c.score, c.commitment.page_index, c.commitment.start))
        top = tuple(scored[:limit])
        if not top or top[0].score < DROP_BELOW:
            title = self.plan_title or to_plan
            reasons = (f"no similar commitment in {title}",)
            return Suggestion(source, top, "dropped", reasons, to_plan)
        return Suggestion(source, top, top[0].relation, top[0].reasons, to_plan)

    def suggest_all(
        self, sources: Sequence[EffectiveCommitment], limit: int = 5
    ) -> list[Suggestion]:
        return [self.suggest(s, limit) for s in sources]
