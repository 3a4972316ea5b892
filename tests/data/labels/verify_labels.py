"""Check the Kent span labels: schema, vocabulary, and that every quote is verbatim in its plan text.

Usage: python tests/data/labels/verify_labels.py [PLANS_DIR]
PLANS_DIR defaults to ../shared/plans (the sample plan texts and manifest.json).
Prints per-plan counts per label; exits 1 on any problem.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

LABELS = {"commitment", "ask", "target", "measure", "none"}
CONTEXTS = {"narrative", "list", "table", "heading", "other"}
KEYS = {"plan", "section", "quote", "label", "context"}
HERE = Path(__file__).resolve().parent


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def plan_texts(plans_dir: Path) -> dict[str, str]:
    """Slug -> whitespace-collapsed plan text, slugs taken from the PDF names in manifest.json."""
    manifest = json.loads((plans_dir / "manifest.json").read_text(encoding="utf-8"))
    out = {}
    for entry in manifest:
        slug = Path(entry["file"]).stem
        out[slug] = collapse((plans_dir / entry["text_file"]).read_text(encoding="utf-8"))
    return out


def check(plans_dir: Path) -> list[str]:
    texts = plan_texts(plans_dir)
    problems = []
    for path in sorted((HERE / "kent").glob("*.jsonl")):
        counts: Counter[str] = Counter()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{n}"
            row = json.loads(line)
            if set(row) != KEYS:
                problems.append(f"{where}: keys {sorted(row)}")
                continue
            if row["plan"] != path.stem:
                problems.append(f"{where}: plan {row['plan']!r} in file {path.name}")
            if row["label"] not in LABELS:
                problems.append(f"{where}: label {row['label']!r}")
            if row["context"] not in CONTEXTS:
                problems.append(f"{where}: context {row['context']!r}")
            if row["quote"] != collapse(row["quote"]) or not row["quote"]:
                problems.append(f"{where}: quote not whitespace-collapsed")
            if row["quote"] not in texts.get(row["plan"], ""):
                problems.append(f"{where}: quote not found verbatim: {row['quote'][:60]!r}")
            counts[row["label"]] += 1
        print(path.stem, sum(counts.values()), dict(sorted(counts.items())))
    return problems


if __name__ == "__main__":
    default = HERE.parents[2] / ".." / "shared" / "plans"
    plans = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    found = check(plans)
    for p in found:
        print("PROBLEM", p)
    sys.exit(1 if found else 0)
