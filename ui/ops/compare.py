"""Compare two plans: align their sections and commitments, off the GUI thread.

``align(left_items, right_items)`` is Qt-free: for every left item it scores the right items of
the same kind that share content words (TF-IDF cosine blended with rapidfuzz ``token_set_ratio``
on the text and heading similarity; see ``align`` for why), then pairs them greedily one-to-one,
best score first, above ``THRESHOLD``. Word-level diffs of the
pairs are computed here too, so the view only displays. ``open_compare`` runs it on the DB
executor (which also loads the items) and calls back with an ``Alignment``.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from ui import richtext
from ui.executor import Job
from ui.ops import OpContext
from workbench.model import Plan
from workbench.services import Workbench

THRESHOLD = 34.0  # tuned on the sample plans: below it pairs stop sharing a topic
MIN_COSINE = 0.12
COSINE_WEIGHT = 0.6
TEXT_WEIGHT = 0.3
HEADING_WEIGHT = 0.1
_MAX_CHARS = 2400  # long sections are compared on their opening, which carries the topic


@dataclass(frozen=True, slots=True)
class AlignItem:
    kind: str  # "section" | "commitment"
    item_id: int
    heading: str
    text: str
    page_index: int
    page_label: str
    path: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        if self.kind == "section":
            return self.heading
        return " ".join(self.text.split())[:120]


@dataclass(frozen=True, slots=True)
class AlignedPair:
    left: AlignItem
    right: AlignItem
    score: float
    diff_html: str
    inserted: int
    deleted: int


@dataclass(frozen=True, slots=True)
class Alignment:
    left_plan: Plan
    right_plan: Plan
    pairs: tuple[AlignedPair, ...]
    only_left: tuple[AlignItem, ...]
    only_right: tuple[AlignItem, ...]
    seconds: float = 0.0


def plan_items(wb: Workbench, slug: str) -> list[AlignItem]:
    """Sections and commitments of a plan's current version, as alignment items."""
    sections = wb.store.sections(slug)
    headings = {int(s.id): s.heading for s in sections}
    paths = {int(s.id): s.path for s in sections}
    items = [
        AlignItem("section", int(s.id), s.heading, s.text, s.page_start, s.label_start, s.path)
        for s in sections
        if s.text.strip() or s.heading.strip()
    ]
    items.extend(
        AlignItem(
            "commitment", int(c.id), headings.get(int(c.section_id), ""), c.text,
            c.page_index, c.page_label, paths.get(int(c.section_id), ()),
        )
        for c in wb.store.commitments(slug)
    )
    return items


def _heading_path(item: AlignItem) -> tuple[str, ...]:
    return item.path or (item.heading,)


def _body(item: AlignItem) -> str:
    text = item.text if item.kind == "commitment" else f"{item.heading} {item.text}"
    return text[:_MAX_CHARS]


_STOP = frozenset(
    """a an and are as at be been but by can for from has have in into is it its of on or our
    that the their them these they this to was we were which will with within would should
    could all also more most other over such than then there through up us you your not no new
    may must per so""".split()
)


def _tokens(text: str, local_stop: frozenset[str] = frozenset()) -> list[str]:
    """Content words, cut to six letters (a crude stem: "services" and "service" agree)."""
    return [
        w[:6]
        for w in utils.default_process(text).split()
        if len(w) > 2 and w not in _STOP and w not in local_stop
    ]


def _tfidf(token_lists: list[list[str]]) -> list[dict[str, float]]:
    df = Counter(w for tokens in token_lists for w in set(tokens))
    n = len(token_lists)
    vectors = []
    for tokens in token_lists:
        weights = {
            w: (1 + math.log(c)) * (math.log(n / (1 + df[w])) + 1) for w, c in Counter(tokens).items()
        }
        norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
        vectors.append({w: x / norm for w, x in weights.items()})
    return vectors


def align(
    left: list[AlignItem], right: list[AlignItem], threshold: float = THRESHOLD
) -> tuple[list[tuple[int, int, float]], list[int], list[int]]:
    """Pair left and right items of the same kind one-to-one, best score first.

    Measured on the sample plans, ``token_set_ratio`` alone cannot tell related passages from
    unrelated ones (a short pledge whose words all occur in a long one scores 80–100), so
    candidates come from a TF-IDF cosine over content words (an inverted index keeps it fast)
    and the score blends that cosine with rapidfuzz ``token_set_ratio`` on the content words
    and ``token_sort_ratio`` on the headings.

    Returns:
        (pairs as (left index, right index, score) in left order, unmatched left indices,
        unmatched right indices).
    """
    words = [_tokens(_body(it)) for it in (*left, *right)]
    vectors = _tfidf(words)
    left_vecs, right_vecs = vectors[: len(left)], vectors[len(left) :]
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for j, vec in enumerate(right_vecs):
        for w, x in vec.items():
            postings[w].append((j, x))
    right_text = [" ".join(words[len(left) + j]) for j in range(len(right))]
    heads = [utils.default_process(" ".join(_heading_path(it))) for it in (*left, *right)]
    candidates: list[tuple[float, int, int]] = []
    for i, vec in enumerate(left_vecs):
        cosines: dict[int, float] = defaultdict(float)
        for w, x in vec.items():
            for j, y in postings.get(w, ()):
                cosines[j] += x * y
        left_text = " ".join(words[i])
        for j, cosine in cosines.items():
            if right[j].kind != left[i].kind or cosine < MIN_COSINE:
                continue
            text_score = fuzz.token_set_ratio(left_text, right_text[j], processor=None)
            head_score = fuzz.token_sort_ratio(heads[i], heads[len(left) + j], processor=None)
            score = (
                COSINE_WEIGHT * 100 * cosine
                + TEXT_WEIGHT * text_score
                + HEADING_WEIGHT * head_score
            )
            if score >= threshold:
                candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for score, i, j in candidates:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        pairs.append((i, j, score))
    pairs.sort()
    only_left = [i for i in range(len(left)) if i not in used_left]
    only_right = [j for j in range(len(right)) if j not in used_right]
    return pairs, only_left, only_right


def build_alignment(wb: Workbench, left_slug: str, right_slug: str) -> Alignment:
    """Load both plans and align them (runs on the DB thread)."""
    started = time.perf_counter()
    left_plan, right_plan = wb.store.plan(left_slug), wb.store.plan(right_slug)
    left, right = plan_items(wb, left_slug), plan_items(wb, right_slug)
    index_pairs, only_left, only_right = align(left, right)
    pairs = []
    for i, j, score in index_pairs:
        html, ins, dele = richtext.word_diff_html(_body(left[i]), _body(right[j]))
        pairs.append(AlignedPair(left[i], right[j], round(score, 1), html, ins, dele))
    return Alignment(
        left_plan,
        right_plan,
        tuple(pairs),
        tuple(left[i] for i in only_left),
        tuple(right[j] for j in only_right),
        time.perf_counter() - started,
    )


def open_compare(
    ctx: OpContext,
    left_slug: str,
    right_slug: str,
    on_done: Callable[[Alignment], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    return ctx.executor.submit(
        lambda wb: build_alignment(wb, left_slug, right_slug), on_done=on_done, on_error=on_error
    )


def default_pair(plans: list[Plan], chosen: str | None = None) -> tuple[str, str] | None:
    """(older, newer) slugs: a plan and the one it supersedes, preferring ``chosen``."""
    by_slug = {p.slug: p for p in plans}
    order = [by_slug[chosen]] if chosen in by_slug else []
    order += sorted(plans, key=lambda p: p.meta.published or "", reverse=True)
    for plan in order:
        older = plan.meta.supersedes
        if older and older in by_slug:
            return older, plan.slug
    if len(plans) >= 2:
        return plans[-2].slug, plans[-1].slug
    return None
