"""Compare two plans: sections aligned in order, and the engine's passage pairs inside them.

Strategy:

1. **Compare units**: a section as it is when short, else its consecutive parts of at most
   ``chunks.UNIT_WORDS`` words (cut between sentences), so each side of a pair can be read
   at a glance. Contents-page entries ("Priority 2: Homes 20") are never units or passages.
2. **Unit pairs**: every unit of either plan beside its most similar unit of the other (TF-IDF
   cosine of their words, a bonus for alike section headings and for the two opening units,
   i.e. the title pages), when at least ``UNIT_FLOOR`` similar. "Best counterpart both ways"
   pairs a plan that reorders its sections as well as one that keeps their order; a pair
   where each side is the other's best is marked ``mutual``. A further pair is shown where
   each unit is among the other's few closest and nearly as close (``UNIT_NEAR``): a
   section the later plan split in two or merged with another. (An in-order dynamic-programming
   alignment of the units held far fewer of the tuning links: 27 of 189 against 94.)
3. **Section alignment in order** by dynamic programming (``align_sections``: one section
   with one, one with two or two with one, skips; a fallback for moved sections) still feeds
   the engine's ``section`` signal and the lineage's section affinity.
4. **Passage pairs**: every commitment of the earlier plan is ranked by the one matching
   engine against every passage of the later plan (the same candidates as ``suggest``); the
   best, and a second nearly as good, are kept when close enough (``COMPARE_BAR``). A pair is
   grouped under the unit pair holding both its passages when there is one, else under its
   earlier passage's unit (a counterpart across the aligned units).

Emits nothing; pure. ``compare_plans`` is what ``workbench compare`` and the compare view show.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from workbench.matching.chunks import Unit, bag_cache_clear, tfidf_cosine, unit_of, units_of
from workbench.matching.engine import PlanIndex, Query, Ranking, closeness, fingerprint
from workbench.matching.passages import Passage
from workbench.model import Section
from workbench.text import fold

LINKED_NO_VERDICT = "linked by an officer; relation not yet reviewed, so no verdict"
"""The reason of a pair placed by a confirmed "unreviewed" link (not a verdict)."""
GAP = 0.12
"""A section pair must be at least this similar to be aligned (below it, both are skipped)."""
MOVED = 0.35
"""An unpaired section is paired out of order only with a partner at least this similar."""
SENTENCE_BAR = 1.0
"""A sentence of the earlier plan is paired when its closeness reaches this multiple of the
no-successor bar (1.0, the same bar as a commitment, held more links on the tuning half)."""
COMPARE_BAR = 0.5
"""A pair is shown in compare when its closeness reaches this share of a plainly related pair's
(``engine.CLOSE``). Tuned on the tuning half for links held (0.44 against 0.42 at 1.0); the
price is more weak pairs (about 500 against 320 for one sample plan pair) and short "only
in" lists, so every pair carries its score and reasons and weak ones read as "modified"."""
PAIR_SENTENCES = False
"""Whether the earlier plan's narrative sentences (not only its commitments) are paired too.
Off: on the tuning links they added 3 of 189 links held, for about 1,400 more pairs per plan
pair and twice the time; a sentence's counterpart is still in the aligned units beside it."""
SENTENCE_MIN_WORDS = 8
"""Shorter sentences of the earlier plan ("That plan was never adopted.") are context, not
statements worth pairing in compare."""
COMPARE_SHORTLIST = 15
UNIT_FLOOR = 0.12
"""Two compare units are paired only when at least this similar (below it, the words they
share are the plan's everyday vocabulary, not a topic)."""
UNIT_NEAR = 5
"""Besides each unit's closest counterpart, a pair is shown where each unit is among the
other's ``UNIT_NEAR`` closest ("mutual top 5") and nearly as similar as the weaker side's best
(``UNIT_NEAR_WITHIN``). On the tuning links this held 231 of 342 (from 206) for 1,966 unit pairs
(from 1,303) on the samples, and 217 (from 195) in unseen layouts; "top 2 for every unit"
held 220 for 1,927 pairs, top 3 240 for 2,483, mutual top 3 / 4 held 217 / 222."""
UNIT_NEAR_WITHIN = 0.8
SECOND_LIMIT = 2
"""At most this many counterparts per passage in compare ..."""
SECOND_WITHIN = 0.9
"""... the second only when it scores at least this share of the best."""
"""Candidates per source that get the (costlier) wording signal in compare."""
_MAX_CHARS = 4000
_EMBED_CHARS = 1500  # a section's topic is in its opening; the model averages tokens anyway


@dataclass(frozen=True, slots=True)
class SectionPair:
    """Two compare units (a section, or a part of a long one; see ``chunks.Unit``) side by
    side, and the passage pairs whose earlier passage lies in the left one."""

    left: tuple[Unit, ...]  # () when only in the later plan
    right: tuple[Unit, ...]  # () when only in the earlier plan
    score: float
    moved: bool = False
    passages: list[PassagePair] = field(default_factory=list)
    mutual: bool = True  # each unit is the other's closest (else the closest of one side)
    near: bool = False  # neither's closest: each among the other's closest (``UNIT_NEAR``)


def unit_pair_reason(sp: SectionPair) -> str:
    """Why two units are side by side, in words (the compare view and ``compare --json``)."""
    if sp.mutual:
        return "each is the other's closest part"
    if sp.near:
        return "each is among the other's closest parts, nearly as close"
    return "the closest part for one side only"


@dataclass(frozen=True, slots=True)
class PassagePair:
    left: Passage
    right: Passage
    score: float
    relation: str
    reasons: tuple[str, ...]
    # True: an officer's verdict; False: the engine's proposal; None: placed by a link an
    # officer confirmed without a relation ("unreviewed"), so no verdict (qa13)
    confirmed: bool | None = False


@dataclass(frozen=True, slots=True)
class Comparison:
    sections: tuple[SectionPair, ...]
    only_left: tuple[Passage, ...]  # commitments of the earlier plan with no counterpart
    only_right: tuple[Passage, ...]  # commitments of the later plan no one points at


_CONTENTS_ENTRY = re.compile(r"[A-Za-z:)]\s+\d{1,3}(?:\s+(?=[A-Z])|\s*$)")
_ENDS_WITH_PAGE = re.compile(r"(\w+)\s+\d{1,3}$")
_NOT_A_TITLE_END = frozenset("to by of at from than over under around about up and or the a "
                             "an per in on for with".split())
_CONTENTS_WORDS = 12


@lru_cache(maxsize=65536)  # asked of every passage of both plans at every compare
def is_contents_line(text: str) -> bool:
    """An entry or a run of a contents page ("Priority 2: Homes 20 Priority 3: Roads 24"):
    short titles each ended by a bare page number, the last one ending the text. Not a
    statement to pair or align. ("Raise the rate to 50" ends with a number, not a page.)"""
    text = text.strip()
    if not text[-1:].isdigit() or len(text) > 40 * _CONTENTS_WORDS:
        return False
    end = _ENDS_WITH_PAGE.search(text[-60:])
    if end is None or end.group(1).casefold() in _NOT_A_TITLE_END:
        return False
    hits = len(_CONTENTS_ENTRY.findall(text))
    return hits * _CONTENTS_WORDS >= len(text.split())


def _body(s: Section) -> str:
    return f"{' '.join(s.path) or s.heading} {s.text[:_MAX_CHARS]}"


def section_text(s: Section) -> str:
    """What the meaning model reads of a section (``warmup`` embeds the same ahead of use)."""
    return _body(s)[:_EMBED_CHARS]


_SIM_LOCK = threading.Lock()
_PAIR_CACHES: tuple[OrderedDict, ...] = (OrderedDict(), OrderedDict(), OrderedDict(),
                                         OrderedDict())
_SIM_CACHE, _ALIGNED, _UNIT_CACHE, _RANKINGS = _PAIR_CACHES
"""Per plan pair (section and unit similarity, the in-order alignment, the engine's
rankings); each keyed by the content it was computed from, so an edited plan is recomputed."""
_UNITS: OrderedDict = OrderedDict()
"""Per plan: its compare units."""


def _cached(cache: OrderedDict, key: Any, build: Any, size: int = 16) -> Any:
    """``cache[key]``, built by ``build()`` when absent (least recently used dropped)."""
    with _SIM_LOCK:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    found = build()
    with _SIM_LOCK:
        cache[key] = found
        while len(cache) > size:
            cache.popitem(last=False)
    return found


def reset_caches(*, per_plan: bool = False) -> None:
    """Forget what was computed for plan pairs (and, with ``per_plan``, for single plans: their
    units and the stems of their texts), e.g. to time a compare as if opened first."""
    with _SIM_LOCK:
        for cache in _PAIR_CACHES:
            cache.clear()
        if per_plan:
            _UNITS.clear()
            bag_cache_clear()
            is_contents_line.cache_clear()


def _sections_key(sections: Sequence[Section]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for s in sections:
        h.update(f"{s.id}\x1f{s.ordinal}\x1f{s.heading}\x1f{s.text}\x1e".encode("utf-8",
                                                                              "replace"))
    return h.hexdigest()


def section_similarity(left: Sequence[Section], right: Sequence[Section],
                       embedder: Any = None) -> Any:
    """A len(left) × len(right) matrix of similarities in 0–1 (cached by content)."""
    key = (_sections_key(left), _sections_key(right), embedder is not None)
    return _cached(_SIM_CACHE, key, lambda: _section_similarity(left, right, embedder))


def _section_similarity(left: Sequence[Section], right: Sequence[Section],
                        embedder: Any = None) -> Any:
    if not left or not right:
        return np.zeros((len(left), len(right)))
    sim = tfidf_cosine([_body(s) for s in left], [_body(s) for s in right])
    if embedder is not None:
        vecs = embedder.embed([section_text(s) for s in (*left, *right)])
        sim = 0.6 * sim + 0.4 * np.clip(vecs[: len(left)] @ vecs[len(left):].T, 0, 1)
    sim = sim + _heading_bonus(left, right)
    sim[0, 0] += 0.15  # the opening sections (title pages) face each other
    return np.clip(sim, 0.0, 1.0)


_STEPS = ((1, 0, "skip_l"), (0, 1, "skip_r"), (1, 1, "1:1"), (1, 2, "1:2"), (2, 1, "2:1"))
"""The alignment's moves, by code: (left sections taken, right sections taken, name)."""


def _dp_back(sim: Any, gap: float) -> Any:
    """The in-order alignment's back-pointers (codes into ``_STEPS``), one row of the dynamic
    programme at a time in numpy: a cell is the best of skipping the left section, skipping
    the right one (a running maximum along the row), 1:1, 1:2 or 2:1, ties going to the
    earlier move in ``_STEPS``."""
    n, m = sim.shape
    dp = np.zeros((n + 1, m + 1))
    back = np.zeros((n + 1, m + 1), dtype=np.int8)
    back[0, 1:] = 1
    none = np.full(m, -np.inf)
    for i in range(1, n + 1):
        here = sim[i - 1]
        skip_l = dp[i - 1, 1:]
        one = dp[i - 1, :-1] + here - gap
        one_two = none.copy()
        one_two[1:] = dp[i - 1, :-2] + here[:-1] + here[1:] - 2 * gap
        two_one = dp[i - 2, :-1] + sim[i - 2] + here - 2 * gap if i >= 2 else none
        best = np.maximum(np.maximum(skip_l, one), np.maximum(one_two, two_one))
        row = np.maximum.accumulate(np.concatenate(([0.0], best)))
        dp[i, 1:] = row[1:]
        value, before = row[1:], row[:-1]
        code = np.where(two_one == value, 4, 0)
        for k, option in ((3, one_two), (2, one), (1, before), (0, skip_l)):
            code = np.where(option == value, k, code)
        back[i, 1:] = code
    return back


def align_sections(sim: Any, gap: float = GAP, moved: float = MOVED
                   ) -> list[tuple[tuple[int, ...], tuple[int, ...], float, bool]]:
    """Pairs ((left indices), (right indices), score, moved) in reading order of the left plan;
    unpaired sections come as ((i,), (), 0) or ((), (j,), 0)."""
    n, m = sim.shape
    back = _dp_back(np.asarray(sim, dtype=float), gap)
    steps = []
    i, j = n, m
    while i > 0 or j > 0:
        di, dj, how = _STEPS[int(back[i, j])]
        steps.append((i - di, j - dj, i, j, how))
        i, j = i - di, j - dj
    steps.reverse()
    pairs: list[tuple[tuple[int, ...], tuple[int, ...], float, bool]] = []
    for pi, pj, i, j, how in steps:
        lefts, rights = tuple(range(pi, i)), tuple(range(pj, j))
        if how in ("1:1", "1:2", "2:1"):
            score = max(float(sim[a, b]) for a in lefts for b in rights)
            pairs.append((lefts, rights, score, False))
        elif how == "skip_l":
            pairs.append((lefts, (), 0.0, False))
        else:
            pairs.append(((), rights, 0.0, False))
    # fallback for plans that reorder their sections: an unpaired earlier section meets its
    # best partner anywhere, if that partner is clearly similar and itself unpaired
    paired_r = {j for ls, rs, _, _ in pairs if ls for j in rs}
    out = []
    for lefts, rights, score, mv in pairs:
        if lefts and not rights and m:
            i = lefts[0]
            j = int(np.argmax(sim[i]))
            if sim[i, j] >= moved and j not in paired_r:
                paired_r.add(j)
                out.append((lefts, (j,), float(sim[i, j]), True))
                continue
        out.append((lefts, rights, score, mv))
    moved_r = {rs[0] for _, rs, _, mv in out if mv}
    return [p for p in out if p[0] or p[1][0] not in moved_r]


def _aligned_sections(left: Sequence[Section], right: Sequence[Section], sim: Any) -> list:
    """``align_sections(sim)``, cached by the two plans' sections."""
    return _cached(_ALIGNED, (_sections_key(left), _sections_key(right)),
                   lambda: align_sections(sim))


def section_affinity(left: Sequence[Section], right: Sequence[Section], embedder: Any = None
                     ) -> dict[int, dict[int, float]]:
    """{left section id: {right section id: 0–1}}: half for being aligned with it, half for
    its similarity relative to the left section's best partner. The ``section`` signal."""
    left_s = sorted(left, key=lambda s: s.ordinal)
    right_s = sorted(right, key=lambda s: s.ordinal)
    if not left_s or not right_s:
        return {}
    sim = section_similarity(left_s, right_s, embedder)
    aligned = {(i, j) for ls, rs, _, _ in align_sections(sim) for i in ls for j in rs}
    out: dict[int, dict[int, float]] = {}
    for i, s in enumerate(left_s):
        top = float(sim[i].max()) or 1.0
        out[int(s.id)] = {int(r.id): round(0.5 * ((i, j) in aligned) + 0.5 * float(sim[i, j]) / top,
                                           3)
                          for j, r in enumerate(right_s)}
    return out


def _unit_body(u: Unit) -> str:
    return f"{' '.join(u.path) or u.heading} {u.text[:_MAX_CHARS]}"


def unit_similarity(left_u: Sequence[Unit], right_u: Sequence[Unit]) -> Any:
    """len(left) × len(right) similarity of compare units in 0–1: TF-IDF cosine of their
    words, plus a bonus when their sections' headings are alike and for the two opening
    units (title pages face each other). Cached by content."""
    return _cached(_UNIT_CACHE, (_units_key(left_u), _units_key(right_u)),
                   lambda: _unit_similarity(left_u, right_u))


def _unit_similarity(left_u: Sequence[Unit], right_u: Sequence[Unit]) -> Any:
    sim = tfidf_cosine([_unit_body(u) for u in left_u], [_unit_body(u) for u in right_u])
    if sim.size:
        sec_l = {u.id: u.section for u in left_u}
        sec_r = {u.id: u.section for u in right_u}
        row_of = {sid: k for k, sid in enumerate(sec_l)}
        col_of = {sid: k for k, sid in enumerate(sec_r)}
        bonus = _heading_bonus(list(sec_l.values()), list(sec_r.values()))
        sim = sim + bonus[np.ix_([row_of[u.id] for u in left_u], [col_of[u.id] for u in right_u])]
        sim[0, 0] += 0.15
    return np.clip(sim, 0.0, 1.0)


def _units_key(units: Sequence[Unit]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for u in units:
        h.update(f"{u.id}\x1f{u.start}\x1f{u.end}\x1f{u.heading}\x1f{u.text}\x1e".encode(
            "utf-8", "replace"))
    return h.hexdigest()


def pair_units(sim: Any, floor: float | None = None, near: int | None = None
               ) -> list[tuple[int, int, float, str]]:
    """(left unit, right unit, similarity, how) in reading order of the left plan: every unit
    of either plan beside its most similar unit of the other (at least ``floor``), so a
    reordered plan pairs as well as one that kept its order. ``how`` is "mutual" when each is
    the other's best, "closest" when one is the other's best only, and "near" for a further
    pair where each unit is among the other's ``near`` closest and the pair is at least
    ``UNIT_NEAR_WITHIN`` as similar as the weaker side's best pair (a section the later plan
    split in two, or merged with another)."""
    n, m = sim.shape
    if not n or not m:
        return []
    floor = UNIT_FLOOR if floor is None else floor
    near = UNIT_NEAR if near is None else near
    row = sim.argmax(axis=1)
    col = sim.argmax(axis=0)
    cells = {(i, int(row[i])) for i in range(n)} | {(int(col[j]), j) for j in range(m)}
    if near > 1:
        rank_in_row = np.argsort(np.argsort(-sim, axis=1, kind="stable"), axis=1, kind="stable")
        rank_in_col = np.argsort(np.argsort(-sim, axis=0, kind="stable"), axis=0, kind="stable")
        weaker_best = np.minimum(sim.max(axis=1)[:, None], sim.max(axis=0)[None, :])
        close = (rank_in_row < near) & (rank_in_col < near) & (
            sim >= UNIT_NEAR_WITHIN * weaker_best)
        cells |= {(int(i), int(j)) for i, j in zip(*np.nonzero(close), strict=True)}

    def how(i: int, j: int) -> str:
        best_l, best_r = int(row[i]) == j, int(col[j]) == i
        return "mutual" if best_l and best_r else "closest" if best_l or best_r else "near"

    return sorted(((i, j, float(sim[i, j]), how(i, j)) for i, j in cells if sim[i, j] >= floor),
                  key=lambda c: (c[0], c[1]))


def _units(sections: Sequence[Section], passages: Sequence[Passage]
           ) -> tuple[list[Unit], dict[str, int]]:
    """A plan's compare units and {passage key: unit index}, cached by content."""
    def build() -> tuple[list[Unit], dict[str, int]]:
        units = units_of(sections, passages)
        return units, unit_of(units, passages)

    return _cached(_UNITS, (_sections_key(sections), fingerprint(passages)), build)


def _heading_bonus(left: Sequence[Section], right: Sequence[Section]) -> Any:
    """len(left) × len(right): 0.15 × the headings' token-set similarity where it is at least
    0.8 (both headings non-empty), else 0. One rapidfuzz ``cdist`` call, not a Python loop."""
    heads_l = [fold(s.heading) for s in left]
    heads_r = [fold(s.heading) for s in right]
    if not heads_l or not heads_r:
        return np.zeros((len(heads_l), len(heads_r)))
    h = process.cdist(heads_l, heads_r, scorer=fuzz.token_set_ratio, dtype=np.float64) / 100.0
    h[[not a for a in heads_l], :] = 0.0
    h[:, [not b for b in heads_r]] = 0.0
    return np.where(h >= 0.8, 0.15 * h, 0.0)


def compare_plans(
    left_sections: Sequence[Section],
    right_sections: Sequence[Section],
    left_passages: Sequence[Passage],
    right_index: PlanIndex,
    *,
    confirmed: Sequence[tuple[str, str, str]] = (),
    linked: Sequence[tuple[str, str, str]] = (),
) -> Comparison:
    """Align two plans and pair their passages.

    Args:
        left_sections, right_sections: the two plans' sections, in reading order.
        left_passages: the earlier plan's passages (commitments first, then sentences).
        right_index: the later plan's engine index.
        confirmed: confirmed links as (earlier key, later key, relation); they replace the
            engine's proposal for their source.
        linked: links a person confirmed without a verdict (relation "unreviewed"), in the
            same shape: they place the pair as well, but it is not marked confirmed.
    """
    left_s = sorted(left_sections, key=lambda s: s.ordinal)
    right_s = sorted(right_sections, key=lambda s: s.ordinal)
    sim = section_similarity(left_s, right_s, right_index.embedder)
    aligned: dict[int, dict[int, float]] = {}
    section_pairs: set[tuple[int, int]] = set()
    for ls, rs, _, _ in _aligned_sections(left_s, right_s, sim):
        for i in ls:
            aligned[int(left_s[i].id)] = {int(right_s[j].id): 1.0 for j in rs}
            section_pairs.update((int(left_s[i].id), int(right_s[j].id)) for j in rs)
    by_key = {p.key: p for p in right_index.passages}
    sure = {a: (b, rel, False) for a, b, rel in linked if b in by_key}
    sure.update({a: (b, rel, True) for a, b, rel in confirmed if b in by_key})
    left_passages = [p for p in left_passages if not is_contents_line(p.text)]
    to_pair = [p for p in left_passages if p.kind == "commitment" or (
        PAIR_SENTENCES and len(p.text.split()) >= SENTENCE_MIN_WORDS)]
    to_rank = [p for p in to_pair if p.key not in sure]
    rankings = _rankings(right_index, to_rank, aligned)
    weights = right_index.closeness_weights()  # what compare's bar was calibrated on
    right_passages = [p for p in right_index.passages if not is_contents_line(p.text)]
    left_u, l_of = _units(left_s, left_passages)
    right_u, r_of = _units(right_s, right_passages)
    usim = unit_similarity(left_u, right_u)
    cells = pair_units(usim)
    pairs: list[SectionPair] = []
    cell: dict[tuple[int, int], SectionPair] = {}
    first: dict[int, SectionPair] = {}
    for i, j, sc, how in cells:
        sp = SectionPair((left_u[i],), (right_u[j],), round(sc, 3), mutual=how == "mutual",
                         near=how == "near")
        pairs.append(sp)
        cell[(i, j)] = sp
        if how != "near":  # a unit's passage pairs go under its closest counterpart
            first.setdefault(i, sp)
    seen_l = {i for i, _, _, _ in cells}
    seen_r = {j for _, j, _, _ in cells}
    for i, u in enumerate(left_u):
        if i not in seen_l:
            first[i] = SectionPair((u,), (), 0.0)
            pairs.append(first[i])
    pairs.extend(SectionPair((), (u,), 0.0) for j, u in enumerate(right_u) if j not in seen_r)
    cut = COMPARE_BAR * right_index.close()
    used_right: set[str] = set()
    only_left: list[Passage] = []
    for src in to_pair:
        if src.key in sure:
            target_key, rel, verdict = sure[src.key]
            why = "confirmed link" if verdict else LINKED_NO_VERDICT
            found = [PassagePair(src, by_key[target_key], 1.0, rel, (why,),
                                 True if verdict else None)]
        else:
            found = _proposals(src, rankings[src.key], weights, cut)
            if not found:
                if src.kind == "commitment":
                    only_left.append(src)
                continue
        for f in found:
            used_right.add(f.right.key)
            i, j = l_of.get(src.key), r_of.get(f.right.key)
            home = cell.get((i, j)) if i is not None and j is not None else None
            if home is None:
                home = first.get(i) if i is not None else None
            if home is None:
                home = SectionPair((), (), 0.0)
                pairs.append(home)
                if i is not None:
                    first[i] = home
            home.passages.append(f)
    only_right = [p for p in right_passages
                  if p.kind == "commitment" and p.key not in used_right]
    return Comparison(tuple(pairs), tuple(only_left), tuple(only_right))


def _rankings(right_index: PlanIndex, to_rank: Sequence[Passage],
              aligned: dict[int, dict[int, float]]) -> dict[str, Ranking]:
    """The engine's ranking of each passage to pair, by key: one ``rank_many`` per plan pair,
    remembered for this index of the later plan and these exact queries (opening the same
    pair again does not rank again; an edit to either plan changes the key)."""
    queries = [Query(p.text, " ".join(p.path) or p.heading,
                     aligned.get(int(p.section_id)) if p.section_id is not None else None)
               for p in to_rank]
    digest = hashlib.blake2b(digest_size=16)
    for p, q in zip(to_rank, queries, strict=True):
        digest.update(repr((p.key, q.text, q.heading, sorted((q.sections or {}).items())))
                      .encode("utf-8", "replace"))

    def build() -> tuple[PlanIndex, dict[str, Ranking]]:
        ranked = right_index.rank_many(queries, limit=SECOND_LIMIT, shortlist=COMPARE_SHORTLIST)
        return right_index, dict(zip((p.key for p in to_rank), ranked, strict=True))

    # the entry holds the index itself, so its id() cannot be reused while the entry lives
    key = (id(right_index), digest.hexdigest(), SECOND_LIMIT, COMPARE_SHORTLIST)
    return _cached(_RANKINGS, key, build)[1]


def _proposals(src: Passage, ranking: Ranking, weights: dict[str, float], cut: float
               ) -> list[PassagePair]:
    """The engine's best candidate for ``src``, and a second nearly as good (a pledge split
    in two), each only when close enough to show."""
    if ranking.no_successor:
        return []
    bar = (SENTENCE_BAR if src.kind == "sentence" else 1.0) * cut
    shown = [m for m in ranking.matches
             if closeness(m.signals, weights) >= bar and not is_contents_line(m.passage.text)]
    if not shown:
        return []
    top = shown[0].score
    return [PassagePair(src, m.passage, m.score, m.relation, m.reasons)
            for n, m in enumerate(shown[:SECOND_LIMIT]) if n == 0 or m.score >= SECOND_WITHIN * top]
