"""Compare two plans: sections aligned in order, and the engine's passage pairs inside them.

Strategy:

1. **Section similarity**: TF-IDF cosine over the one tokenizer's stems (heading + text), blended
   with the embedding cosine when the optional model is loaded and with heading similarity
   (rapidfuzz); the two opening sections (title pages) get a small positional bonus.
2. **Alignment in order** by dynamic programming (Needleman–Wunsch style): a step may pair one
   section with one, one with two or two with one, or skip a section on either side; a pair
   earns its similarity minus ``GAP``, so weak pairs are skipped rather than forced.
3. **Fallback for reordered plans**: a section left unpaired whose best partner (anywhere) is
   clearly similar (``MOVED``) is paired with it as a moved section.
4. **Passage pairs**: every commitment (and every sentence) of the earlier plan is ranked by the
   matching engine against the later plan, with a bonus for passages in the sections aligned
   with its own; a pair is kept when the engine does not say "no successor" (for sentences, with
   a stricter bar). Pairs are grouped under the section pair of their earlier passage.

Emits nothing; pure. ``compare_plans`` is what ``workbench compare`` and the compare view show.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from workbench.matching.engine import PlanIndex, Query, closeness
from workbench.matching.passages import Passage
from workbench.model import Section
from workbench.text import fold, tokens

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
SENTENCE_MIN_WORDS = 8
"""Shorter sentences of the earlier plan ("That plan was never adopted.") are context, not
statements worth pairing in compare."""
COMPARE_SHORTLIST = 15
SECOND_LIMIT = 2
"""At most this many counterparts per passage in compare ..."""
SECOND_WITHIN = 0.9
"""... the second only when it scores at least this share of the best."""
"""Candidates per source that get the (costlier) wording signal in compare."""
_MAX_CHARS = 4000
_EMBED_CHARS = 1500  # a section's topic is in its opening; the model averages tokens anyway


@dataclass(frozen=True, slots=True)
class SectionPair:
    left: tuple[Section, ...]  # () when only in the later plan
    right: tuple[Section, ...]  # () when only in the earlier plan
    score: float
    moved: bool = False
    passages: list[PassagePair] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PassagePair:
    left: Passage
    right: Passage
    score: float
    relation: str
    reasons: tuple[str, ...]
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class Comparison:
    sections: tuple[SectionPair, ...]
    only_left: tuple[Passage, ...]  # commitments of the earlier plan with no counterpart
    only_right: tuple[Passage, ...]  # commitments of the later plan no one points at


def _body(s: Section) -> str:
    return f"{' '.join(s.path) or s.heading} {s.text[:_MAX_CHARS]}"


_SIM_CACHE: OrderedDict[tuple[str, str, bool], Any] = OrderedDict()
_SIM_LOCK = threading.Lock()


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
    with _SIM_LOCK:
        if key in _SIM_CACHE:
            _SIM_CACHE.move_to_end(key)
            return _SIM_CACHE[key]
    sim = _section_similarity(left, right, embedder)
    with _SIM_LOCK:
        _SIM_CACHE[key] = sim
        while len(_SIM_CACHE) > 16:
            _SIM_CACHE.popitem(last=False)
    return sim


def _section_similarity(left: Sequence[Section], right: Sequence[Section],
                        embedder: Any = None) -> Any:
    if not left or not right:
        return np.zeros((len(left), len(right)))
    docs = [tokens(_body(s)) for s in (*left, *right)]
    df = Counter(t for d in docs for t in set(d))
    vocab = {t: i for i, t in enumerate(df)}
    n = len(docs)
    mat = np.zeros((n, len(vocab)))
    for r, d in enumerate(docs):
        for t, c in Counter(d).items():
            mat[r, vocab[t]] = (1 + math.log(c)) * math.log(1 + n / df[t])
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    mat = mat / np.where(norms == 0, 1, norms)
    sim = mat[: len(left)] @ mat[len(left):].T
    if embedder is not None:
        vecs = embedder.embed([_body(s)[:_EMBED_CHARS] for s in (*left, *right)])
        sim = 0.6 * sim + 0.4 * np.clip(vecs[: len(left)] @ vecs[len(left):].T, 0, 1)
    heads_l = [fold(s.heading) for s in left]
    heads_r = [fold(s.heading) for s in right]
    for i, a in enumerate(heads_l):
        for j, b in enumerate(heads_r):
            if a and b:
                h = fuzz.token_set_ratio(a, b) / 100.0
                if h >= 0.8:
                    sim[i, j] += 0.15 * h
    sim[0, 0] += 0.15  # the opening sections (title pages) face each other
    return np.clip(sim, 0.0, 1.0)


def align_sections(sim: Any, gap: float = GAP, moved: float = MOVED
                   ) -> list[tuple[tuple[int, ...], tuple[int, ...], float, bool]]:
    """Pairs ((left indices), (right indices), score, moved) in reading order of the left plan;
    unpaired sections come as ((i,), (), 0) or ((), (j,), 0)."""
    n, m = sim.shape
    neg = -1e9
    dp = np.full((n + 1, m + 1), neg)
    back: dict[tuple[int, int], tuple[int, int, str]] = {}
    dp[0, :] = 0.0
    dp[:, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                if i > 0:
                    back[(i, j)] = (i - 1, j, "skip_l")
                elif j > 0:
                    back[(i, j)] = (i, j - 1, "skip_r")
                continue
            options = [
                (dp[i - 1, j], (i - 1, j, "skip_l")),
                (dp[i, j - 1], (i, j - 1, "skip_r")),
                (dp[i - 1, j - 1] + sim[i - 1, j - 1] - gap, (i - 1, j - 1, "1:1")),
            ]
            if j >= 2:
                options.append((dp[i - 1, j - 2] + sim[i - 1, j - 2] + sim[i - 1, j - 1]
                                - 2 * gap, (i - 1, j - 2, "1:2")))
            if i >= 2:
                options.append((dp[i - 2, j - 1] + sim[i - 2, j - 1] + sim[i - 1, j - 1]
                                - 2 * gap, (i - 2, j - 1, "2:1")))
            best = max(options, key=lambda o: o[0])
            dp[i, j] = best[0]
            back[(i, j)] = best[1]
    steps = []
    i, j = n, m
    while i > 0 or j > 0:
        pi, pj, how = back[(i, j)]
        steps.append((pi, pj, i, j, how))
        i, j = pi, pj
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


def compare_plans(
    left_sections: Sequence[Section],
    right_sections: Sequence[Section],
    left_passages: Sequence[Passage],
    right_index: PlanIndex,
    *,
    confirmed: Sequence[tuple[str, str, str]] = (),
) -> Comparison:
    """Align two plans and pair their passages.

    Args:
        left_sections, right_sections: the two plans' sections, in reading order.
        left_passages: the earlier plan's passages (commitments first, then sentences).
        right_index: the later plan's engine index.
        confirmed: confirmed links as (earlier key, later key, relation); they replace the
            engine's proposal for their source.
    """
    left_s = sorted(left_sections, key=lambda s: s.ordinal)
    right_s = sorted(right_sections, key=lambda s: s.ordinal)
    sim = section_similarity(left_s, right_s, right_index.embedder)
    raw = align_sections(sim)
    pairs = [SectionPair(tuple(left_s[i] for i in ls), tuple(right_s[j] for j in rs), round(sc, 3),
                         mv) for ls, rs, sc, mv in raw]
    aligned: dict[int, dict[int, float]] = {}
    home: dict[int, SectionPair] = {}
    for p in pairs:
        for s in p.left:
            home[int(s.id)] = p
            aligned[int(s.id)] = {int(r.id): 1.0 for r in p.right}
    by_key = {p.key: p for p in right_index.passages}
    sure = {a: (b, rel) for a, b, rel in confirmed}
    used_right: set[str] = set()
    only_left: list[Passage] = []
    left_passages = [p for p in left_passages
                     if p.kind != "sentence" or len(p.text.split()) >= SENTENCE_MIN_WORDS]
    to_rank = [p for p in left_passages if not (p.key in sure and sure[p.key][0] in by_key)]
    rankings = dict(zip(
        (p.key for p in to_rank),
        right_index.rank_many(
            [Query(p.text, " ".join(p.path) or p.heading,
                   aligned.get(int(p.section_id)) if p.section_id is not None else None)
             for p in to_rank], limit=SECOND_LIMIT, shortlist=COMPARE_SHORTLIST),
        strict=True))
    weights, _ = right_index.defaults()
    cut = COMPARE_BAR * right_index.close()
    for src in left_passages:
        found: list[PassagePair] = []
        if src.key not in rankings:
            target_key, rel = sure[src.key]
            found.append(PassagePair(src, by_key[target_key], 1.0, rel, ("confirmed link",),
                                     True))
        else:
            ranking = rankings[src.key]
            bar = (SENTENCE_BAR if src.kind == "sentence" else 1.0) * cut
            if not ranking.no_successor:
                top = ranking.matches[0].score
                # the best counterpart, and a second one nearly as good (a pledge split in two)
                found = [PassagePair(src, m.passage, m.score, m.relation, m.reasons)
                         for k, m in enumerate(ranking.matches[:SECOND_LIMIT])
                         if closeness(m.signals, weights) >= bar
                         and (k == 0 or m.score >= SECOND_WITHIN * top)]
            if not found:
                if src.kind == "commitment":
                    only_left.append(src)
                continue
        pair = home.get(int(src.section_id)) if src.section_id is not None else None
        if pair is None:
            pair = SectionPair((), (), 0.0)
            pairs.append(pair)
            if src.section_id is not None:
                home[int(src.section_id)] = pair
        for f in found:
            used_right.add(f.right.key)
            pair.passages.append(f)
    only_right = [p for p in right_index.passages
                  if p.kind == "commitment" and p.key not in used_right]
    return Comparison(tuple(pairs), tuple(only_left), tuple(only_right))
