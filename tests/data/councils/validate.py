"""Validate the other-councils excerpts: schema, vocabularies, size, and that every quote is in its block.

Usage: python tests/data/councils/validate.py   (prints one line per excerpt; exits 1 on any problem)
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = {
    "county",
    "district",
    "unitary",
    "london_borough",
    "metropolitan",
    "welsh",
    "scottish",
    "northern_irish",
    "combined_authority",
}
BLOCK_TYPES = {"title", "heading", "subheading", "para", "bullet", "numbered", "table"}
LABELS = {"commitment", "ask", "target", "measure"}
KEYS = {"id", "council", "kind", "title", "year", "source_url", "licence", "blocks"}
MIN_WORDS, MAX_WORDS = 200, 1200


def block_texts(block: dict) -> list[str]:
    """The strings a quote of this block may lie in: its text, or each header and body cell of a table."""
    if block["type"] == "table":
        return list(block["header"]) + [cell for row in block["rows"] for cell in row]
    return [block["text"]]


def check_file(path: Path) -> list[str]:
    where = path.name
    problems: list[str] = []
    doc = json.loads(path.read_text(encoding="utf-8"))
    if set(doc) != KEYS:
        return [f"{where}: keys {sorted(doc)}"]
    if doc["id"] != path.stem:
        problems.append(f"{where}: id {doc['id']!r} differs from file name")
    if doc["kind"] not in KINDS:
        problems.append(f"{where}: kind {doc['kind']!r}")
    if not str(doc["source_url"]).startswith(("http://", "https://")):
        problems.append(f"{where}: source_url {doc['source_url']!r}")
    for key in ("council", "title", "year", "licence"):
        if not isinstance(doc[key], str) or not doc[key].strip():
            problems.append(f"{where}: empty {key}")
    words = 0
    for i, block in enumerate(doc["blocks"]):
        at = f"{where} block {i}"
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            problems.append(f"{at}: type {kind!r}")
            continue
        expected = {"type", "labels"} | ({"header", "rows"} if kind == "table" else {"text"})
        if set(block) != expected:
            problems.append(f"{at}: keys {sorted(block)}")
            continue
        if kind == "table" and any(len(row) != len(block["header"]) for row in block["rows"]):
            problems.append(f"{at}: a row's length differs from the header's")
        texts = block_texts(block)
        words += sum(len(re.findall(r"\S+", t)) for t in texts)
        for label in block["labels"]:
            if set(label) != {"quote", "label"} or label["label"] not in LABELS:
                problems.append(f"{at}: bad label {label}")
            elif not label["quote"].strip() or not any(label["quote"] in t for t in texts):
                problems.append(f"{at}: quote not in block: {label['quote'][:60]!r}")
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"{where}: {words} words, outside {MIN_WORDS}-{MAX_WORDS}")
    return problems


def main() -> int:
    problems: list[str] = []
    kinds: Counter[str] = Counter()
    councils = set()
    for path in sorted(HERE.glob("*.json")):
        found = check_file(path)
        problems += found
        doc = json.loads(path.read_text(encoding="utf-8"))
        kinds[doc.get("kind", "?")] += 1
        councils.add(doc.get("council"))
        labels = Counter(lab["label"] for b in doc.get("blocks", []) for lab in b.get("labels", []))
        print(f"{path.stem:50s} {doc.get('kind', '?'):18s} {dict(sorted(labels.items()))}")
    print(
        f"{sum(kinds.values())} excerpts, {len(councils)} councils, by kind {dict(sorted(kinds.items()))}"
    )
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
