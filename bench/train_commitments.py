"""Train the commitment model on every labelled source and write its weights.

    .venv/bin/python bench/train_commitments.py [--out indexing/commitment_model.json]

Renders the layout zoo (the five sample plan texts and the other councils' excerpts, in every
style of ``tests/data/layouts/zoo.py``) plus the bundled sample PDFs into a temporary folder,
reads their candidate units as the import pipeline does, labels them from
``tests/data/labels`` (and the development links' quotes), fits the multinomial logistic
regression (``commitment_data.fit``: class-weighted, L2, cues crossed with the unit's shape;
a council excerpt's unlabelled units are "none"; threshold 0.5, the cover cap in
``indexing/commitments.py`` bounding what a plan keeps) and writes the weights as JSON.

The shipped model is trained on everything; figures on data it was not trained on come from
``bench/eval_segmentation.py``, which trains one model per fold and scores the held-out part.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import commitment_data as cd


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=cd.REPO / "indexing" / "commitment_model.json")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        docs = cd.build_docs(Path(tmp))
    model = cd.fit(docs, {d.source for d in docs})
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {args.out} (threshold {model.threshold}, {len(docs)} documents)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
