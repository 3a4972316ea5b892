"""Fingerprint of everything the extraction produces on the layout zoo, for speed work that
must not change the output (issue 12, Speed).

    .venv/bin/python bench/zoo_units.py [--zoo DIR] [--out units.json]

Renders the layout zoo (``tests/data/layouts/zoo.py``: five sample plans and the councils'
excerpts in every layout) unless ``--zoo`` names a folder of it already rendered, runs
``indexing.pdf_extract.extract_file`` on every PDF in this process, and prints one sha256 over
every field of every ``Extraction`` (pages and their texts, sections, commitment units with
kinds, lead-ins, offsets and boxes, warnings, metadata). Run it on the code before and after a
change: the same digest means the same units. ``--out`` keeps the JSON to diff.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import hashlib
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexing.pdf_extract import extract_file  # noqa: E402

SCORES = frozenset({"pledge"})
"""Fields that hold a model's score of a unit, not the unit (issue 13: the commitment model's
confidence, stored since round 10): left out of the units' digest, so it still says whether the
units changed, and digested on their own line."""


def plain(value: object, *, scores: bool = False) -> object:
    """JSON-ready copy of an extraction (dataclasses, tuples, dicts, enums), without the
    ``SCORES`` fields (``scores``: with them)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), scores=scores)
                for f in dataclasses.fields(value) if scores or f.name not in SCORES}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple (model.Rect)
        return {name: plain(v, scores=scores)
                for name, v in zip(value._fields, value, strict=True)}
    if isinstance(value, list | tuple):
        return [plain(v, scores=scores) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v, scores=scores) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zoo", type=Path, default=None, help="the zoo already rendered")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    folder = args.zoo
    if folder is None:
        from tests.data.layouts.zoo import COUNCILS, PLANS, zoo

        folder = Path(tempfile.mkdtemp(prefix="wb-zoo-"))
        zoo(folder, sorted(PLANS.glob("*.txt")), sorted(COUNCILS.glob("*.json")))
    extractions = {f.name: extract_file(f) for f in sorted(folder.glob("*.pdf"))}
    out = {name: plain(x) for name, x in extractions.items()}
    confidence = {name: [getattr(u, "pledge", None) for u in x.commitments]
                  for name, x in extractions.items()}
    text = json.dumps(out, sort_keys=True, ensure_ascii=False)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    units = sum(len(x["commitments"]) for x in out.values())
    sections = sum(len(x["sections"]) for x in out.values())
    print(f"{len(out)} PDFs, {sections} sections, {units} commitment units")
    print(hashlib.sha256(text.encode("utf-8")).hexdigest())
    scored = json.dumps(confidence, sort_keys=True)
    print(f"unit scores ({', '.join(sorted(SCORES))}): "
          f"{hashlib.sha256(scored.encode('utf-8')).hexdigest()}")


if __name__ == "__main__":
    main()
