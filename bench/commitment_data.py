"""Shared by ``train_commitments.py`` and ``eval_segmentation.py``: the labelled data, the
layout zoo, candidate extraction, training of the commitment model, and its scores.

Data (read from the repository, never copied):

* ``tests/data/labels/kent/<slug>.jsonl``: labelled units of the five sample plan texts
  (``{"plan", "section", "quote", "label", "context"}``; label commitment|ask|target|measure|none);
* ``tests/data/councils/<id>.json``: other councils' plan excerpts as typed blocks, with
  ``labels`` (``{"quote", "label"}``) on blocks;
* ``../shared/eval/dev_links.jsonl``: the development links (their quotes should lie inside a
  unit of the right plan), scored with ``../shared/eval/score.py``'s ``contains``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pymupdf  # noqa: E402

from indexing import pdf_extract  # noqa: E402
from indexing.commitment_features import KINDS, Model, cross  # noqa: E402
from indexing.commitments import Candidate, candidates, count_words, select  # noqa: E402
from tests.data.layouts.zoo import FILLER, STYLES, council_blocks, plan_blocks, render  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
PLANS = REPO.parent / "shared" / "plans"
LABELS = REPO / "tests" / "data" / "labels" / "kent"
COUNCILS = REPO / "tests" / "data" / "councils"
SLUGS = ["kent-vision-2011", "kent-five-year-plan-2020-draft",
         "kent-interim-strategic-plan-2020", "framing-kents-future-2022", "reforming-kent-2025"]


def _score_module():
    spec = importlib.util.spec_from_file_location("dev_score", EVAL / "score.py")
    assert spec and spec.loader, f"{EVAL / 'score.py'} is missing"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORE = _score_module()
contains = SCORE.contains
norm = SCORE.norm
SEED_OF: dict[str, str] = SCORE.SEED_OF


def plan_text(slug: str) -> Path:
    return PLANS / SEED_OF[slug]


def plan_words(slug: str) -> int:
    return count_words(plan_text(slug).read_text(encoding="utf-8"))


def kent_labels(slug: str) -> list[tuple[str, str]]:
    path = LABELS / f"{slug}.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [(r["quote"], r["label"]) for r in rows if r.get("quote")]


def link_quotes(slug: str) -> list[str]:
    out = []
    for line in (EVAL / "dev_links.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        link = json.loads(line)
        for plan, quote in ((link["from_plan"], link["from_quote"]),
                            (link["to_plan"], link["to_quote"])):
            if plan == slug and quote:
                out.append(quote)
    return out


def council_ids() -> list[str]:
    return sorted(p.stem for p in COUNCILS.glob("*.json")) if COUNCILS.is_dir() else []


def council_labels(cid: str) -> list[tuple[str, str]]:
    data = json.loads((COUNCILS / f"{cid}.json").read_text(encoding="utf-8"))
    return [(lab["quote"], lab["label"]) for b in data.get("blocks", ())
            for lab in b.get("labels", ()) if lab.get("quote")]


def council_words(cid: str) -> int:
    data = json.loads((COUNCILS / f"{cid}.json").read_text(encoding="utf-8"))
    text = []
    for b in data.get("blocks", ()):
        text.append(b.get("text", ""))
        text += list(b.get("header", ()))
        text += [c for row in b.get("rows", ()) for c in row]
    return max(1, count_words(" ".join(text)))


# --- documents ----------------------------------------------------------------------------------


@dataclass
class Doc:
    """One rendered document: its source id, layout name and candidates."""

    source: str  # plan slug or council id
    layout: str
    cands: list[Candidate]
    words: int  # words of the document's page text (the cover cap's base, ``count_words``)


def read_candidates(path: Path) -> tuple[list[Candidate], int]:
    """The candidates of a PDF, as the import pipeline sees them."""
    doc = pymupdf.open(path)
    try:
        gate = pdf_extract.pdf_regions.DrawingsGate()  # the same page reader as extract_file
        raw = [pdf_extract._read_page(doc, i, gate) for i in range(doc.page_count)]
        toc = doc.get_toc(simple=True)
    finally:
        doc.close()
    layouts, sections, roles = pdf_extract.analyse(raw, toc, path.stem)
    return candidates(layouts, sections, roles), sum(count_words(p.text) for p in layouts)


def build_docs(folder: Path, styles: Sequence[str] = tuple(STYLES), *,
               bundled: bool = True, councils: bool = True) -> list[Doc]:
    """Render the zoo into ``folder`` and read every document's candidates."""
    docs: list[Doc] = []
    for slug in SLUGS:
        blocks = plan_blocks(plan_text(slug))
        for name in styles:
            pdf = render(blocks, STYLES[name], folder / f"{slug}-{name}.pdf", "County Council")
            docs.append(Doc(slug, name, *read_candidates(pdf)))
        sample = REPO / "resources" / "sample" / f"{slug}.pdf"
        if bundled and sample.exists():
            docs.append(Doc(slug, "bundled", *read_candidates(sample)))
    if councils:
        for cid in council_ids():
            org, blocks = council_blocks(COUNCILS / f"{cid}.json")
            for name in styles:
                pdf = render(blocks, STYLES[name], folder / f"{cid}-{name}.pdf", org)
                docs.append(Doc(cid, name, *read_candidates(pdf)))
    return docs


# --- labelling and training --------------------------------------------------------------------

_ALNUM = re.compile(r"[^a-z0-9]")


def _squash(text: str) -> str:
    return _ALNUM.sub("", norm(text))


def label_candidates(cands: Sequence[Candidate], labels: Sequence[tuple[str, str]],
                     ) -> list[str | None]:
    """The label of each candidate: that of a labelled quote it holds (a positive one wins),
    or of a quote that holds it; ``None`` when no label says anything about it."""
    quotes = [(_squash(q), lab) for q, lab in labels]
    out: list[str | None] = []
    for c in cands:
        t = _squash(c.text)
        found: str | None = None
        for q, lab in quotes:
            if not q or not t:
                continue
            if q in t or (len(t) >= 25 and t in q):
                if lab != "none":
                    found = lab
                    break
                found = found or "none"
        out.append(found)
    return out


COUNCIL_NEGATIVES = True  # every unit of an excerpt is labelled: the rest are "none"


def _council_negatives(cands: Sequence[Candidate], labs: Sequence[str | None],
                       labels: Sequence[tuple[str, str]]) -> list[str | None]:
    """A council excerpt labels every unit that promises, so a candidate that holds no
    labelled quote and lies in none is "none"; one that overlaps a quote only in part (a
    fragment of a labelled sentence cut differently) stays unlabelled."""
    quotes = [_squash(q) for q, _lab in labels]
    out: list[str | None] = []
    for c, lab in zip(cands, labs, strict=True):
        if lab is None:
            t = _squash(c.text)
            if t and not any(t in q or _overlap(t, q) for q in quotes if q):
                lab = "none"
        out.append(lab)
    return out


def _overlap(a: str, b: str, n: int = 20) -> bool:
    """``a`` and ``b`` share a run of ``n`` characters (a candidate cut across a quote)."""
    if len(a) < n or len(b) < n:
        return False
    return any(a[i:i + n] in b for i in range(0, len(a) - n + 1, max(1, n // 2)))


COUNCIL_WEIGHT = 3.0  # the councils are the varied, unseen-like data: they count more
THRESHOLD = 0.5  # keep a candidate the model finds more likely a unit than not; the cover
# cap (``commitments.COVER_CAP``) bounds what a plan keeps. (Choosing the threshold on
# the training plans' cover, as in round 2, kept 0.30-0.40: too strict on unseen plans.)
COUNCIL_NONE_WEIGHT = 0.3  # their unlabelled units: "none", but a label may be missing


def featurise(docs: Iterable[Doc], labels_of: dict[str, list[tuple[str, str]]],
              ) -> tuple[list[dict[str, float]], list[str], list[float]]:
    xs: list[dict[str, float]] = []
    ys: list[str] = []
    ws: list[float] = []
    for d in docs:
        labs = label_candidates(d.cands, labels_of.get(d.source, []))
        if d.source not in SLUGS and COUNCIL_NEGATIVES:
            labs = _council_negatives(d.cands, labs, labels_of.get(d.source, []))
        if d.layout != "bundled":
            labs = [lab if lab is not None or c.context.shape != "cell" or
                    c.text not in FILLER else "none" for c, lab in zip(d.cands, labs, strict=True)]
        for c, lab in zip(d.cands, labs, strict=True):
            if lab is not None:
                xs.append(cross(dict(c.feats), c.context.shape))
                ys.append(lab)
                ws.append(1.0 if d.source in SLUGS else
                          COUNCIL_WEIGHT if lab != "none" else COUNCIL_NONE_WEIGHT)
    return xs, ys, ws


def train(xs: Sequence[dict[str, float]], ys: Sequence[str], ws: Sequence[float] | None = None,
          *, l2: float = 1e-3, epochs: int = 400, rate: float = 0.5, threshold: float = 0.5,
          ) -> Model:
    """Multinomial logistic regression by full-batch gradient descent (numpy, bench only),
    classes weighted by inverse frequency."""
    import numpy as np

    names = sorted({k for x in xs for k in x})
    col = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(xs), len(names)))
    for i, row in enumerate(xs):
        for k, v in row.items():
            x[i, col[k]] = v
    y = np.array([KINDS.index(lab) for lab in ys])
    counts = np.bincount(y, minlength=len(KINDS)).astype(float)
    weight = np.where(counts > 0, len(y) / (len(KINDS) * np.maximum(counts, 1)), 0.0)[y]
    if ws is not None:
        weight = weight * np.asarray(ws)
    onehot = np.eye(len(KINDS))[y]
    w = np.zeros((len(names), len(KINDS)))
    for _ in range(epochs):
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = x.T @ ((p - onehot) * weight[:, None]) / weight.sum() + l2 * w
        w -= rate * grad
    weights = {kind: {n: float(w[col[n], k]) for n in names} for k, kind in enumerate(KINDS)}
    return Model(weights, threshold)


def units(doc: Doc, model: Model) -> list[tuple[str, str]]:
    """``(text, kind)`` of the units the pipeline keeps (``commitments.select``)."""
    return [(c.text, kind) for c, kind in select(doc.cands, model, doc.words)]


# --- scores -------------------------------------------------------------------------------------


@dataclass
class Tally:
    found: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.found += int(hit)
        self.total += 1

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.share:.2f} ({self.found}/{self.total})"


def _prefilter(texts: Sequence[str]) -> list[tuple[str, set[str]]]:
    return [(t, set(norm(t).split())) for t in texts]


def quote_found(quote: str, unit_texts: Sequence[tuple[str, set[str]]]) -> bool:
    qw = set(norm(quote).split())
    need = 0.6 * len(qw)
    return any(len(qw & ws) >= need and contains(t, quote) for t, ws in unit_texts)


def coverage(unit_texts: Sequence[str], words: int) -> float:
    # the measure of score.py (distinct unit texts' words over the plan's words), counted by the
    # product's own count_words, which the cap uses (tests check it equals score.py's count)
    return sum(count_words(t) for t in dict.fromkeys(unit_texts)) / max(words, 1)


def span_pr(found: Sequence[tuple[str, str]], labels: Sequence[tuple[str, str]],
            ) -> tuple[Tally, Tally]:
    """Precision (units holding a labelled quote that is a positive one, over units holding
    any labelled quote) and recall (positive labels inside a unit)."""
    texts = _prefilter([t for t, _k in found])
    recall = Tally()
    for q, lab in labels:
        if lab != "none":
            recall.add(quote_found(q, texts))
    precision = Tally()
    squashed = [(_squash(q), lab) for q, lab in labels]
    for t, _k in found:
        s = _squash(t)
        labs = [lab for q, lab in squashed if q and (q in s or (len(s) >= 25 and s in q))]
        if labs:
            precision.add(any(lab != "none" for lab in labs))
    return precision, recall


def council_precision(found: Sequence[tuple[str, str]], labels: Sequence[tuple[str, str]],
                      ) -> Tally:
    """Span precision on a council excerpt, where every promise is labelled: the units that
    hold, lie in or overlap a labelled quote, over all units (page furniture counts too)."""
    quotes = [_squash(q) for q, lab in labels if lab != "none"]
    out = Tally()
    for t, _k in found:
        s = _squash(t)
        out.add(bool(s) and any(q in s or s in q or _overlap(s, q) for q in quotes if q))
    return out


def unicode_fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def by_source(docs: Iterable[Doc]) -> dict[str, list[Doc]]:
    out: dict[str, list[Doc]] = defaultdict(list)
    for d in docs:
        out[d.source].append(d)
    return out


def fit(docs: Sequence[Doc], sources: set[str]) -> Model:
    """Train on the documents of ``sources``: their labels plus their link quotes."""
    labels_of: dict[str, list[tuple[str, str]]] = {}
    for s in sources:
        if s in SLUGS:
            labels_of[s] = kent_labels(s) + [(q, "commitment") for q in link_quotes(s)]
        else:
            labels_of[s] = council_labels(s)
    train_docs = [d for d in docs if d.source in sources]
    xs, ys, ws = featurise(train_docs, labels_of)
    return train(xs, ys, ws, threshold=THRESHOLD)
