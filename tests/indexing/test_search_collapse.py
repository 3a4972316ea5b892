"""Collapsing's text tests, rewritten for speed, answer as the plain forms they replaced."""

from __future__ import annotations

import random
from pathlib import Path

from indexing.search_hits import TOKEN, _inside, _quick_regex, _span, token_stems

PLANS = Path(__file__).resolve().parents[2].parent / "shared" / "plans"  # may be absent
WORDS = ["social", "care", "value", "social-value", "adults", "caring", "2,900", "the", "and",
         "residents", "www.example.org/social-care", "Social", "CARE", "of"]


def _inside_plain(small: str, big: str) -> bool:
    return bool(small) and f" {small} " in f" {big} "


def _span_plain(text: str, words: list[str]) -> int:
    """Every stem's hits first, then the shortest stretch over all of them (no early stop)."""
    want = set(words)
    quick = _quick_regex(frozenset(want))
    if quick is None:
        return 0
    hits = [(t.start(), t.end(), st) for q in quick.finditer(text)
            if (t := TOKEN.match(text, q.start())) for st in token_stems(t.group(0)) if st in want]
    last: dict[str, int] = {}
    best = 0
    for start, end, st in hits:
        last[st] = start
        if len(last) == len(want):
            span = max(text.count(" ", min(last.values()), end) + 1, len(want))
            best = span if not best else min(best, span)
    return best


def test_inside_is_whole_words_inside():
    rng = random.Random(1)
    parts = ["a", "b", " ", "ab", "ba", "a b"]
    for _ in range(50_000):
        small = "".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))
        big = "".join(rng.choice(parts) for _ in range(rng.randint(0, 10)))
        assert _inside(small, big) == _inside_plain(small, big), (small, big)
    assert _inside("care", "social care") and not _inside("car", "social care")


def _plan_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(PLANS.glob("*.txt"))][:3]
    rng = random.Random(3)  # and made-up text, for a checkout without the sample plans
    made = " ".join(rng.choice(WORDS) + rng.choice([" ", " ", ", ", ".\n"]) for _ in range(30_000))
    return [*texts, made]


def test_span_as_the_two_pass_count():
    rng = random.Random(2)
    checked = found = 0
    for text in _plan_texts():
        for at in range(0, min(len(text), 120_000), 3_000):
            piece = text[at:at + rng.choice([200, 1_000, 4_000])]
            stems = [st for m in TOKEN.finditer(piece) for st in token_stems(m.group(0))]
            for _ in range(4):
                words = [rng.choice(stems) if stems and rng.random() < 0.8 else "zzz"
                         for _ in range(rng.choice([1, 2, 2, 3, 4]))]
                want = _span_plain(piece, words)
                assert _span(piece, words) == want, (words, piece[:80])
                checked += 1
                found += want > 0
    assert checked > 50 and found > 20
