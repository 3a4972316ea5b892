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


def plain(value: object) -> object:
    """JSON-ready copy of an extraction (dataclasses, tuples, dicts, enums)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple (model.Rect)
        return {name: plain(v) for name, v in zip(value._fields, value, strict=True)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
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
    out = {f.name: plain(extract_file(f)) for f in sorted(folder.glob("*.pdf"))}
    text = json.dumps(out, sort_keys=True, ensure_ascii=False)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    units = sum(len(x["commitments"]) for x in out.values())
    sections = sum(len(x["sections"]) for x in out.values())
    print(f"{len(out)} PDFs, {sections} sections, {units} commitment units")
    print(hashlib.sha256(text.encode("utf-8")).hexdigest())


if __name__ == "__main__":
    main()
