"""General features of a candidate commitment unit, and the linear model that scores them.

A candidate is a sentence of a narrative paragraph, a list item, a numbered item, a table cell
or a heading. Its features describe what any council plan does when it promises something,
never the wording or layout of one plan:

* shape: list item, numbered item, table cell, sentence (first / only), heading, call-out box;
* the word that opens it: a base-form English verb (imperative, from a general lexicon of
  common verbs), a gerund, "to" + verb, a measure noun phrase ("number of", "percentage of");
* modal and future cues (will, 'll, shall, aim to, committed to, our ambition ...), a first
  person or organisation subject before the modal, past-tense and reported-speech cues;
* dates ("by 2030"), numbers, percentages and amounts;
* context: the lead-in the item hangs from (does it promise?), the heading above it and the
  header cell of its table column, read through small general lexicons (actions / measures /
  context / asks of others).

``Model`` is a multinomial logistic regression over the kinds ``none``, ``commitment``,
``ask``, ``target`` and ``measure``. Its weights are data (``commitment_model.json``),
written by ``bench/train_commitments.py`` from the labelled units in ``tests/data/labels``;
scoring is a handful of dictionary look-ups per candidate (no numerical library at run time).

Emits nothing; pure.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain, compress, islice

__all__ = ["KINDS", "VERBS", "Context", "Model", "base_features", "cross", "features",
           "load_model"]

KINDS = ("none", "commitment", "ask", "target", "measure")

# Common English verbs in their base form (imperative openers of action items). A general
# lexicon: none of these words is taken from a particular plan.
_VERBS = frozenset("""
accelerate accept achieve act adapt add address adopt advance advocate agree align allocate
allow apply appoint argue arrange ask assess assist attract back balance become begin bid
boost bring broaden build buy campaign capture care carry catch celebrate challenge champion
change channel check clarify clean close co-ordinate collaborate collect combine commission
commit communicate compete complete conduct connect conserve consider consolidate consult
continue contribute control convene coordinate create cut decarbonise decide define deliver
demonstrate deploy design develop devise direct discuss drive educate eliminate embed embrace
empower enable encourage end enforce engage enhance ensure enter equip establish evaluate
examine expand expect explore extend facilitate finalise find fix focus follow form foster
fund further gain generate get give grow guarantee halve harness have help hold identify
implement improve include increase influence inform innovate install integrate introduce
invest involve join keep launch lead learn lessen lever leverage lift limit link listen lobby
look lower maintain make manage map market maximise measure meet minimise mitigate mobilise
modernise monitor move negotiate nurture offer open operate optimise organise oversee partner
pilot place plan plant play press prevent prioritise proceed procure produce progress promote
protect provide publish pursue push raise reach realise rebuild recognise recommission recover
recruit redesign reduce reform refresh regenerate reinforce relaunch remain remove renew
reopen replace report represent reshape resist resolve respond restore restructure retain
retrofit review revitalise reward roll run safeguard save scale secure seek select set shape
share shift showcase simplify speak sponsor stand start step stimulate stop streamline
strengthen stress submit supply support sustain tackle take target teach test tighten
trade train transform treat trial turn undertake unlock update upgrade urge use value widen
win work
abolish acquire amend announce approve assure attend audit avoid award bolster brand broker
bridge campaign cap cease certify co-produce codesign commence compile complement consult
convert cooperate cost counter cover crack cultivate curb cycle deal decrease dedicate
defend deepen demolish deter digitise diversify double drive ease elevate enrol erect
escalate exploit export extend fight fill finish forge formulate free freeze gather grant
grit harmonise heal hire host house incentivise inspect inspire instil intervene invite
issue keep lay lend lessen let license light lobby match mend merge mentor modify motivate
nominate notify obtain oppose outline overhaul own pay pave phase pledge police pool power
prepare preserve price print process prosecute prove purchase put rationalise re-establish
rebrand receive reconfigure recycle redevelop redirect reduce refurbish register rehome
reinstate reinvest reintroduce release relocate repair repurpose require research reset
resource resurface retender rethink return revise revisit reward rollout safeguard scrutinise
seize send serve settle sign solve source spend stabilise steer stem streamline subsidise
succeed survey tender tidy track transfer transition translate travel trim underpin
understand unite upskill utilise vary verify visit volunteer welcome widen withdraw write
""".split())
VERBS = _VERBS
_ASK_VERBS = frozenset("ask lobby urge press petition call campaign challenge seek".split())
_GOVERNMENT = re.compile(
    r"\b(?:government|ministers?|whitehall|parliament|secretary of state|department for"
    r"|home office|treasury|national (?:funding|policy|agencies))\b", re.IGNORECASE)
_WILL = re.compile(r"\b(?:will|shall)\b", re.IGNORECASE)
_COMMIT = re.compile(r"\b(?:commit(?:ted|ment|ments|s)?|pledges?|promises?|guarantee)\b",
                     re.IGNORECASE)
_AIM = re.compile(
    r"\b(?:aims?|ambitions?|goals?|intend|intention|plan to|seek to|want to|going to"
    r"|continue to|determined to|strive|endeavour)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|we're|we’re)\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:by|before|until|from|in|within)\s+(?:the\s+end\s+of\s+)?(?:(?:january|february"
    r"|march|april|may|june|july|august|september|october|november|december|spring|summer"
    r"|autumn|winter)\s+)?20\d\d\b|\bby 20\d\d\b|\b20\d\d\s*/\s*\d\d\b", re.IGNORECASE)
_PERCENT = re.compile(r"%|\bper\s?cent\b", re.IGNORECASE)
_MONEY = re.compile(r"[£$€]\s?\d|\b\d+(?:\.\d+)?\s?(?:m|bn|million|billion)\b", re.IGNORECASE)
# what _MONEY needs besides a currency sign: a digit, perhaps a space, then "m" or "b" (a cheap
# test first: the boundary that opens _MONEY's second branch makes re try it at every
# position; issue 12, Speed). Only run on casefolded text, which has no capital M or B.
_DIGIT_UNIT = re.compile(r"\d\s?[mb]")
_NUMBER = re.compile(r"\d")
_TARGET_WORD = re.compile(r"\b(?:targets?|halve|double|at least|net zero|zero|achieve)\b")
_MEASURE_OPEN = re.compile(
    r"^(?:the\s+)?(?:number|numbers|percentage|proportion|rate|level|levels|share|amount"
    r"|%|reduction|increase|improvement|satisfaction|uptake|take-up)\b(?:\s+(?:of|in)\b)?",
    re.IGNORECASE)
_HEAD_ACTION = re.compile(
    r"\b(?:actions?|commit\w*|pledges?|objectives?|priorit\w*|deliver\w*|will|plans?"
    r"|approach|ambitions?|aims?|goals?|outcomes?|what we|how we|strateg\w*|promises?"
    r"|programme|activit\w*|milestones?|tasks?|steps)\b", re.IGNORECASE)
_HEAD_MEASURE = re.compile(
    r"\b(?:measur\w*|indicators?|kpis?|metrics?|success|monitor\w*|performance|targets?"
    r"|track\w*|progress|evidence|know we|data)\b", re.IGNORECASE)
_HEAD_CONTEXT = re.compile(
    r"\b(?:context|background|introduction|foreword|about|overview|facts?|statistics?"
    r"|profile|challenges?|summary|glossary|contents|appendix|case stud\w*|why|story"
    r"|where we are|our county|the county|achievements?|so far|headlines?|key figures)\b",
    re.IGNORECASE)
_HEAD_ASK = re.compile(r"\b(?:asks?|government|lobby\w*|call on|calls|we need from|others)\b",
                       re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Context:
    """Where a candidate stands."""

    shape: str  # "bullet" | "numbered" | "cell" | "sentence" | "heading"
    lead_in: str = ""  # the lead-in of a list item, or the header cell of a table column
    heading: str = ""  # the heading above (and its parents, joined)
    first: bool = False  # first sentence of its paragraph
    only: bool = False  # the whole paragraph is this sentence
    sidebar: bool = False
    first_column: bool = False  # a table cell in the first column
    item_head: bool = False  # the title clause of a long list item


# Cues looked up in the candidate's words and word pairs (one tokenisation per candidate, no
# regex per cue: this runs for every sentence of every imported page).
_ITEM_NUMBER = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]|\(?[a-h][.)]|\([ivx]{1,4}\))\s+")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_WORD_CUES: dict[str, frozenset[str]] = {
    "will": frozenset({"will", "shall"}),
    "we_ll": frozenset({"we'll", "we’ll"}),
    "commit_word": frozenset({"commit", "commits", "committed", "commitment", "commitments",
                              "pledge", "pledges", "promise", "promises", "guarantee"}),
    "aim_word": frozenset({"aim", "aims", "ambition", "ambitions", "goal", "goals", "intend",
                           "intention", "strive", "endeavour"}),
    "need_word": frozenset({"must", "should"}),
    "past": frozenset({"had", "was", "were", "did", "previously", "achieved", "delivered",
                       "completed"}),
    "reported": frozenset({"said", "says", "survey", "respondents", "consultation"}),
    "first_person": frozenset({"we", "our", "us", "we're", "we’re", "we'll", "we’ll"}),
    "government": frozenset({"government", "ministers", "minister", "whitehall", "parliament",
                             "treasury"}),
}
_PAIR_CUES: dict[str, frozenset[tuple[str, str]]] = {
    "aim_word": frozenset({("plan", "to"), ("seek", "to"), ("want", "to"), ("going", "to"),
                           ("continue", "to"), ("determined", "to")}),
    "need_word": frozenset({("need", "to"), ("needs", "to"), ("have", "to"), ("has", "to")}),
    "past": frozenset({("we", "have"), ("has", "been"), ("have", "been"), ("last", "year")}),
    "reported": frozenset({("told", "us"), ("according", "to")}),
    "government": frozenset({("secretary", "of"), ("department", "for"), ("home", "office")}),
    "will_be": frozenset({("will", "be"), ("shall", "be")}),
    "this_document": frozenset({("this", "plan"), ("this", "strategy"), ("this", "document"),
                                ("this", "section"), ("the", "plan"), ("this", "chapter")}),
    "vision_word": frozenset({("our", "vision"), ("our", "mission"), ("our", "ambition"),
                              ("our", "aim"), ("our", "priority"), ("our", "priorities"),
                              ("our", "purpose"), ("our", "focus"), ("vision", "is"),
                              ("vision", "for"), ("focus", "on"), ("focused", "on"),
                              ("a", "vision"), ("a", "focus"), ("exists", "to")}),
}
_SUBJECTS = frozenset({"we", "we'll", "we’ll", "i", "council", "authority", "partners",
                       "partnership"})
_MODALS = frozenset({"will", "shall", "commit", "pledge", "promise", "aim", "intend", "plan",
                     "want", "continue", "propose"})
_PRE_VERB = frozenset({"always", "also", "further", "then", "not", "continually", "jointly",
                       "actively", "directly"})
_BE_MODAL = frozenset({"committed", "determined", "confident", "going"})
_BE_VERBS = frozenset({"are", "is", "have", "am"})
# what may follow a subject near the opening: the modals and their inflections
_MODALS_EARLY = _MODALS | frozenset({"must", "commits", "committed", "pledges", "promises",
                                     "aims", "intends", "plans", "planning", "wants",
                                     "proposes", "continues"})
_MODAL_OR_BE = _MODALS_EARLY | _BE_VERBS


# The same look-ups, indexed (issue 12, Speed): which cue words a sentence holds is one set
# intersection, and word pairs are only formed from a word that can start a cue pair. The
# cues fire in the order of the tables above (word cues, then pair cues), as before.
_CUE_WORDS: dict[str, tuple[str, ...]] = {}
for _name, _vocab in _WORD_CUES.items():
    for _w in _vocab:
        _CUE_WORDS[_w] = (*_CUE_WORDS.get(_w, ()), _name)
_CUE_WORD_SET = frozenset(_CUE_WORDS)
_WORD_ORDER = {name: i for i, name in enumerate(_WORD_CUES)}
_PAIR_ORDER = {name: i for i, name in enumerate(_PAIR_CUES)}
_CUE_PAIRS: dict[str, dict[str, tuple[str, ...]]] = {}
for _pair_name, _pairs in _PAIR_CUES.items():  # (own names: one type each, for mypyc)
    for _a, _b in _pairs:
        _seconds = _CUE_PAIRS.setdefault(_a, {})
        _seconds[_b] = (*_seconds.get(_b, ()), _pair_name)
_CUE_PAIRS.setdefault("we", {})  # "we are" is looked for in the same walk (we_are_doing)
_PAIR_FIRSTS = frozenset(_CUE_PAIRS)
_FIRED: dict[tuple[frozenset[str], frozenset[str]], tuple[str, ...]] = {}
_LOOKED_AT = _CUE_WORD_SET | _PAIR_FIRSTS | _MODAL_OR_BE | {"we're", "we’re"}


def _fired(words: frozenset[str], pairs: frozenset[str]) -> tuple[str, ...]:
    """The cue names fired by word cues ``words`` and pair cues ``pairs``, in the order the
    tables give them (memoised: few combinations occur)."""
    key = (words, pairs)
    names = _FIRED.get(key)
    if names is None:
        names = tuple(dict.fromkeys([*sorted(words, key=_WORD_ORDER.__getitem__),
                                     *sorted(pairs, key=_PAIR_ORDER.__getitem__)]))
        if len(_FIRED) < 4096:
            _FIRED[key] = names
    return names


def _cues(text: str, low: str, words: list[str], opening: list[str], f: dict[str, float],
          ) -> None:
    # only the words some cue looks at are kept: no set of every word (issue 12, Speed)
    present = _LOOKED_AT.intersection(words)
    word_hits = present.intersection(_CUE_WORD_SET)
    fired_words = frozenset(chain.from_iterable(map(_CUE_WORDS.__getitem__, word_hits)))
    fired_pairs: set[str] = set()
    we_are = False
    last = len(words) - 1
    if not present.isdisjoint(_PAIR_FIRSTS):
        # only the positions of words that can start a pair are visited (found in C: most
        # words start none; issue 12, Speed)
        for i in compress(range(last), map(_PAIR_FIRSTS.__contains__, words)):
            a, b = words[i], words[i + 1]
            names = _CUE_PAIRS[a].get(b)  # ("we" starts a cue pair too)
            if names is not None:
                fired_pairs.update(names)
            if b == "are" and a == "we":
                we_are = True
    if fired_words or fired_pairs:
        for name in _fired(fired_words, frozenset(fired_pairs)):
            f[name] = 1.0
    # only a sentence holding a modal or "are/is/have" can fire: skip the walk (and the
    # acronyms) otherwise (issue 12, Speed; same features)
    if not present.isdisjoint(_MODAL_OR_BE):
        # a subject (a pronoun, a council word or an acronym of the text) before a modal:
        # the positions before a modal or "are/is/have" are visited (found in C), and the
        # acronyms are listed only when such a position holds no plain subject (most
        # sentences never need them; the answer is the same; issue 12, Speed)
        acronyms: set[str] | None = None
        found_any = found_early = False
        for i in compress(range(last), map(_MODAL_OR_BE.__contains__, islice(words, 1, None))):
            b = words[i + 1]
            modal = b in _MODALS or (i + 2 < len(words) and words[i + 2] in _BE_MODAL)
            if modal or (i <= 6 and b in _MODALS_EARLY):
                a = words[i]
                # near the opening, any short word will do ("the roads will ...": the
                # sentence's subject promises; once a regex over the text, now this walk)
                if not found_early and i <= 6 and (a in _SUBJECTS or (
                        2 <= len(a) <= 7 and a.isalpha())):
                    f["subject_modal"] = 1.0
                    found_early = True
                if modal and not found_any:
                    if a not in _SUBJECTS:
                        if acronyms is None:
                            acronyms = {w.casefold() for w in text.split()
                                        if w.isupper() and 2 <= len(w) <= 6}
                        if a not in acronyms:
                            continue
                    f["subject_modal_any"] = 1.0
                    found_any = True
                if found_any and (found_early or i >= 6):
                    break
    doing = we_are or "we're" in present or "we’re" in present
    for i in range(len(words) - 1 if doing else 0):  # "we are driving", "we're investing"
        a, b = words[i], words[i + 1]
        if ((a in ("we're", "we’re") and b.endswith("ing")) or (
                a == "we" and b == "are" and i + 2 < len(words) and words[i + 2].endswith("ing"))):
            f["we_are_doing"] = 1.0
            break
    if len(opening) < 3:  # the opening holds the words of letters among the first four
        alpha = len(opening)
        for w in islice(words, 4, None):
            if w[0].isalpha():
                alpha += 1
                if alpha == 3:
                    break
        else:
            f["few_words"] = 1.0
    if words and words[0][0].isdigit():
        f["opens_number"] = 1.0  # "60% are aged over 10", "1 in 4 ...": a statistic
    if words and words[0] in ("how", "what", "why", "where", "when", "who", "which"):
        f["opens_wh"] = 1.0
    if "20" in low and _DATE.search(low):
        f["date"] = 1.0
    if "%" in low or "per" in low:
        if _PERCENT.search(low):
            f["percent"] = 1.0
    if "number" in f and ("£" in low or "$" in low or "€" in low or _DIGIT_UNIT.search(low)) \
            and _MONEY.search(low):
        f["money"] = 1.0
    if "since 20" in low or " in 201" in low or " in 200" in low:
        f["past"] = 1.0


@lru_cache(maxsize=8192)
def _context_features(shape: str, lead: str, heading: str) -> tuple[tuple[str, float], ...]:
    """The features of a candidate's lead-in and heading (shared by many candidates)."""
    f: dict[str, float] = {}
    if lead:
        f["has_lead"] = 1.0
        if _WILL.search(lead) or _COMMIT.search(lead) or _AIM.search(lead):
            f["lead_promise"] = 1.0
        if _HEAD_ACTION.search(lead):
            f["lead_action"] = 1.0
        if _HEAD_MEASURE.search(lead):
            f["lead_measure"] = 1.0
        if _HEAD_ASK.search(lead) or _GOVERNMENT.search(lead):
            f["lead_ask"] = 1.0
        if _FIRST_PERSON.search(lead):
            f["lead_we"] = 1.0
        if lead.rstrip().endswith(":"):
            f["lead_colon"] = 1.0
    if heading:
        if _HEAD_ACTION.search(heading):
            f["head_action"] = 1.0
        if _HEAD_MEASURE.search(heading):
            f["head_measure"] = 1.0
        if _HEAD_CONTEXT.search(heading):
            f["head_context"] = 1.0
        if _HEAD_ASK.search(heading):
            f["head_ask"] = 1.0
    if shape in ("bullet", "numbered", "cell") and "lead_promise" in f:
        f["item_under_promise"] = 1.0
    return tuple(f.items())


def features(text: str, ctx: Context) -> dict[str, float]:
    """The features of one candidate (sparse: only those that fire, with their values),
    each cue also crossed with the candidate's shape group (what the model is trained on)."""
    return cross(base_features(text, ctx), ctx.shape)


def base_features(text: str, ctx: Context) -> dict[str, float]:
    """The features of one candidate before crossing with its shape: what the pipeline keeps
    (``Model.score`` with the shape adds each crossed weight to its feature's own, so the
    crossed names are never built; issue 12, Speed)."""
    f: dict[str, float] = {"bias": 1.0, f"shape_{ctx.shape}": 1.0}
    numbered = _ITEM_NUMBER.match(text)
    if numbered:  # "6. Scrap ...", "(b) Work with ...": read past the printed number
        text = text[numbered.end():]
    n = text.count(" ") + 1
    f["len_short" if n < 5 else "len_mid" if n <= 45 else "len_long"] = 1.0
    if n > 80:
        f["len_vlong"] = 1.0
    if ctx.first:
        f["first_sentence"] = 1.0
    if ctx.only:
        f["only_sentence"] = 1.0
    if ctx.sidebar:
        f["sidebar"] = 1.0
    if ctx.item_head:
        f["item_head"] = 1.0
    # one tokenisation serves the opening words and every cue (issue 12, Speed)
    low = text.casefold()
    words = _TOKEN.findall(low)
    if len(words) > 1 and (words[0] in _PRE_VERB or (
            words[0].endswith("ly") and words[1] in _VERBS)):
        words = words[1:]  # "Always consider ...", "Proactively engage ...", "Not shy ..."
        text = text.split(None, 1)[1] if " " in text.strip() else text
        text = text[:1].upper() + text[1:]
        low = text.casefold()
    opening = [w for w in islice(words, 4) if w[0].isalpha()]
    first = opening[0] if opening else ""
    if text[:1].islower():
        f["opens_lower"] = 1.0
    if first in _VERBS and text[:1].isupper():
        f["opens_verb"] = 1.0
        f[f"opens_verb_{ctx.shape}"] = 1.0
        if first in _ASK_VERBS:
            f["opens_ask_verb"] = 1.0
    elif first.endswith("ing") and (first[:-3] in _VERBS or first[:-3] + "e" in _VERBS):
        f["opens_gerund"] = 1.0
    if first == "to" and len(opening) > 1 and opening[1] in _VERBS:
        f["opens_to_verb"] = 1.0
    if first in ("we", "we'll", "we’ll", "our", "us"):
        f["opens_we"] = 1.0
    if _MEASURE_OPEN.match(text):
        f["opens_measure"] = 1.0
    if "?" in text:
        f["question"] = 1.0
    if _NUMBER.search(text):
        f["number"] = 1.0
    _cues(text, low, words, opening, f)
    if (("target" in low or "zero" in low or "achieve" in low or "halve" in low  # needed by
         or "double" in low or "at least" in low) and _TARGET_WORD.search(low)) or (  # the re
            ("reduc" in low or "increas" in low)
                                    and (" by " in low or " to " in low)):
        f["target_word"] = 1.0
    f.update(_context_features(ctx.shape, ctx.lead_in, ctx.heading))
    if ctx.shape == "cell" and ctx.first_column:
        f["first_column"] = 1.0
    # interactions the linear model cannot form itself
    listy = ctx.shape in ("bullet", "numbered", "cell")
    if listy and ("few_words" in f or "len_short" in f) and (
            "lead_action" in f or "lead_promise" in f or "head_action" in f):
        f["title_item_in_context"] = 1.0  # a theme title listed as a priority
    if listy and "opens_verb" in f and (ctx.lead_in or ctx.heading):
        f["verb_item_in_context"] = 1.0
    if ctx.shape == "sentence" and "subject_modal" in f:
        f["sentence_we_will"] = 1.0
    if "subject_modal" in f and "past" not in f and "reported" not in f:
        f["clean_promise"] = 1.0
    if "date" in f and ("number" in f or "percent" in f or "money" in f):
        f["dated_amount"] = 1.0
    return f


def cross(f: dict[str, float], shape: str) -> dict[str, float]:
    """``f`` with every cue again per shape group (the model's interactions): "will" in a
    sentence is not "will" in a table cell, a short item under an action heading is not a
    short heading. Changes and returns ``f``."""
    crossed = _CROSSED.get(shape)
    if crossed is None:
        crossed = _CROSSED[shape] = _Crossed(_SHAPE_GROUP.get(shape, shape))
    # each name once built (and its hash kept), looked up in C (issue 12, Speed)
    for name in filter(None, map(crossed.__getitem__, list(f))):
        f[name] = 1.0
    return f


class _Crossed(dict[str, str]):
    """feature -> its name crossed with a shape group ("" for a feature never crossed),
    made on first use."""

    def __init__(self, group: str) -> None:
        super().__init__()
        self.group = group

    def __missing__(self, name: str) -> str:
        cross = self[name] = "" if name in _NO_CROSS else f"{self.group}*{name}"
        return cross


_SHAPE_GROUP = {"bullet": "item", "numbered": "item", "cell": "cell", "sentence": "sentence",
                "heading": "heading"}
_CROSSED: dict[str, _Crossed] = {}  # shape -> feature -> its crossed name ("" for none)
_NO_CROSS = frozenset({"bias", "shape_bullet", "shape_numbered", "shape_cell", "shape_sentence",
                       "shape_heading", "opens_verb_bullet", "opens_verb_numbered",
                       "opens_verb_cell", "opens_verb_sentence", "opens_verb_heading"})


@dataclass(frozen=True, slots=True)
class Model:
    """Multinomial logistic regression: ``weights[kind][feature]``; ``threshold`` is the
    largest probability of ``none`` at which a candidate is still kept as a unit."""

    weights: Mapping[str, Mapping[str, float]]
    threshold: float = 0.5

    def probabilities(self, feats: Mapping[str, float], shape: str | None = None,
                      ) -> dict[str, float]:
        """The probability of each kind. ``feats`` are crossed (``features``), or, with the
        candidate's ``shape``, not (``base_features``): each feature's weights then already
        hold those of its crossed name."""
        exp = self._exps(feats, shape)
        total = sum(exp)
        return {kind: e / total for kind, e in zip(KINDS, exp, strict=True)}

    def _exps(self, feats: Mapping[str, float], shape: str | None) -> list[float]:
        """``exp`` of each kind's score less the largest (the probabilities times a constant)."""
        get = self._vectors(shape).get
        s0 = s1 = s2 = s3 = s4 = 0.0  # one per kind (KINDS has five): no inner loop
        for name, value in feats.items():
            vec = get(name)
            if vec is not None:
                w0, w1, w2, w3, w4 = vec
                if value == 1.0:  # every feature's value: w * 1.0 is w, exactly
                    s0 += w0
                    s1 += w1
                    s2 += w2
                    s3 += w3
                    s4 += w4
                else:
                    s0 += w0 * value
                    s1 += w1 * value
                    s2 += w2 * value
                    s3 += w3 * value
                    s4 += w4 * value
        top = max(s0, s1, s2, s3, s4)
        return [math.exp(s0 - top), math.exp(s1 - top), math.exp(s2 - top), math.exp(s3 - top),
                math.exp(s4 - top)]

    def _vectors(self, shape: str | None = None) -> dict[str, tuple[float, ...]]:
        """``{feature: (weight for each kind)}``, built once per model (and shape). For a
        shape, a feature's vector adds that of its name crossed with the shape's group, so a
        candidate's crossed names need not be built or looked up (issue 12, Speed)."""
        key = (id(self), shape)
        cached = _VECTORS.get(key)
        if cached is None or cached[0] is not self:
            names = {n for w in self.weights.values() for n in w}
            vectors = {n: tuple(self.weights.get(k, {}).get(n, 0.0) for k in KINDS)
                       for n in names}
            if shape is not None:
                prefix = f"{_SHAPE_GROUP.get(shape, shape)}*"
                plain = {n for n in names if "*" not in n}
                plain |= {n[len(prefix):] for n in names if n.startswith(prefix)}
                zero = (0.0,) * len(KINDS)
                vectors = {n: vectors.get(n, zero) if n in _NO_CROSS else tuple(
                    a + b for a, b in zip(vectors.get(n, zero), vectors.get(prefix + n, zero),
                                          strict=True)) for n in plain}
            cached = _VECTORS[key] = (self, vectors)
        return cached[1]

    def classify(self, feats: Mapping[str, float]) -> str:
        """``none`` or the kind of unit (commitment, ask, target, measure)."""
        return self.score(feats)[0]

    def score(self, feats: Mapping[str, float], shape: str | None = None,
              ) -> tuple[str, float]:
        """``(kind or "none", probability of none)``. A kind other than ``commitment`` needs
        its own evidence (``_EVIDENCE``): an ask names whom it asks, a target has a number, a
        date or a target word, a measure reads as an indicator. ``shape``: as in
        ``probabilities``."""
        exp = self._exps(feats, shape)
        p_none = exp[0] / sum(exp)  # (no dictionary of probabilities; issue 12, Speed)
        if p_none > self.threshold:
            return "none", p_none
        best, kind = exp[1], "commitment"  # the first of the largest, as ``max`` picks
        for i, name in _EVIDENCED:
            if exp[i] > best and not _EVIDENCE[name].isdisjoint(feats):
                best, kind = exp[i], name
        return kind, p_none

    def to_json(self) -> str:
        return json.dumps({"threshold": self.threshold, "weights": {
            k: {f: round(v, 4) for f, v in sorted(w.items()) if abs(v) >= 1e-4}
            for k, w in self.weights.items()}}, indent=1, sort_keys=True)


_EVIDENCE = {
    "ask": frozenset({"government", "opens_ask_verb", "lead_ask", "head_ask"}),
    "target": frozenset({"number", "date", "percent", "money", "target_word"}),
    "measure": frozenset({"opens_measure", "head_measure", "lead_measure", "number", "percent"}),
}
_EVIDENCED = tuple((i, k) for i, k in enumerate(KINDS) if k in _EVIDENCE)
_MODEL: Model | None = None
_VECTORS: dict[tuple[int, str | None], tuple[Model, dict[str, tuple[float, ...]]]] = {}


def load_model() -> Model:
    """The shipped model (``indexing/commitment_model.json``), loaded once."""
    global _MODEL
    if _MODEL is None:
        data = json.loads(resources.files("indexing").joinpath("commitment_model.json")
                          .read_text(encoding="utf-8"))
        _MODEL = Model(data["weights"], float(data.get("threshold", 0.5)))
    return _MODEL
