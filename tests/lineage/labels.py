"""The hand-checked lineage pairs (tests/data/lineage_labels.json) and the suggester's accuracy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbench.review import Records

LABELS = Path(__file__).resolve().parent.parent / "data" / "lineage_labels.json"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve(recs: Records, plan: str, quote: str) -> str:
    """The key of the effective commitment of ``plan`` whose text contains ``quote``."""
    wanted = _norm(quote)
    hits = [c.key for c in recs.effective_commitments(plan) if wanted in _norm(c.text)]
    if len(hits) != 1:
        raise AssertionError(f"{quote!r} matches {len(hits)} commitments of {plan}")
    return hits[0]


@dataclass
class Accuracy:
    total: int = 0
    top1: int = 0
    top3: int = 0
    relation: int = 0  # proposed relation of the right candidate equals the label
    misses: list[str] | None = None


def accuracy(recs: Records) -> Accuracy:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    acc = Accuracy(misses=[])
    cache: dict[tuple[str, str], dict[str, object]] = {}
    for item in labels:
        pair = (item["from_plan"], item["to_plan"])
        if pair not in cache:
            cache[pair] = {s.source.key: s for s in recs.suggest(*pair, limit=3)}
        source = resolve(recs, item["from_plan"], item["from_quote"])
        suggestion = cache[pair][source]
        acc.total += 1
        ranked = [c.commitment.key for c in suggestion.candidates]
        if item["to_quote"] is None:
            ok = suggestion.relation == "dropped"
            acc.top1 += ok
            acc.top3 += ok
            acc.relation += ok
            continue
        target = resolve(recs, item["to_plan"], item["to_quote"])
        if ranked[:1] == [target]:
            acc.top1 += 1
        if target in ranked[:3]:
            acc.top3 += 1
            cand = suggestion.candidates[ranked.index(target)]
            acc.relation += cand.relation == item["relation"]
        else:
            acc.misses.append(f"{item['from_quote'][:40]} -> {item['to_quote'][:40]}")
    return acc
