"""The sample plans' texts as index passages, and a plain-Python oracle of what a search finds.

The texts live in the shared data folder next to the repository (``../shared/plans``, found
relative to this file, never by an absolute path). Without them the tests that need them skip,
except under ``CI=true``, where a missing corpus is a failure: a CI run must not pass by
silently testing nothing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from indexing.analysis import body_analyzer, exact_analyzer, exact_words
from indexing.search_hits import norm_text
from workbench.model import IndexDoc, Stage

REPO = Path(__file__).resolve().parents[2]
PLAN_DIRS = (REPO.parent / "shared" / "plans", REPO / "resources" / "sample")


def plans_dir() -> Path:
    """The first folder holding the plan texts; skip (fail under CI=true) when there is none."""
    for folder in PLAN_DIRS:
        manifest = folder / "manifest.json"
        if manifest.exists() and all(
            (folder / e.get("text_file", "")).is_file()
            for e in json.loads(manifest.read_text(encoding="utf-8"))
        ):
            return folder
    where = ", ".join(str(p) for p in PLAN_DIRS)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"sample plan texts not found in {where}")
    pytest.skip(f"sample plan texts not found in {where}")


def corpus_docs() -> list[IndexDoc]:
    """Every paragraph of the five plans as a passage; a paragraph inside another is left out.

    Search shows a passage that sits inside another one once (``search_hits.collapse``); the
    oracle below knows nothing of that, so the corpus holds no such pairs.
    """
    folder = plans_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    paras = []
    for entry in manifest:
        text = (folder / entry["text_file"]).read_text(encoding="utf-8")
        for para in re.split(r"\n\s*\n", text):
            body = " ".join(para.split())
            if len(body) >= 20:
                paras.append((entry, body, norm_text(body)))
    joined = " \x00 ".join(n for _, _, n in paras)
    docs = []
    n = 0
    for entry, body, normed in paras:
        if joined.count(f" {normed} ") + joined.startswith(f"{normed} ") > 1:
            continue  # repeated, or inside another paragraph
        n += 1
        stage = Stage.guess(entry["status"])
        heading = body.split(".")[0][:60] if n % 7 == 0 else ""
        kind = "commitment" if n % 5 == 0 else "section"
        docs.append(
            IndexDoc(
                key=f"{kind}:{n}",
                kind=kind,
                item_id=n,
                plan=Path(entry["file"]).stem,
                plan_title=entry["title"],
                plan_date=entry["published"],
                stage=stage.value if stage else "",
                path=(entry["title"],),
                heading=heading,
                page_label=str(n % 40 + 1),
                page_index=n % 40,
                body=body,
                fingerprint=f"v1-{n}",
            )
        )
    return docs


_WORD = re.compile(r"\w+(?:\.?\w+)*")
ORACLE_ACRONYM = re.compile(r"^[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*s?$")


def _oracle_acronyms(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text):
        if ORACLE_ACRONYM.match(w):
            out.add(w[:-1] if w.endswith("s") else w)
    return out


class Oracle:
    """A plain scan over the passages, using the same analyzers as the index.

    A word is found in the text or heading (stemmed) or as an acronym; a quoted phrase only
    in the passage's own text, word for word (``exact`` field positions).
    """

    def __init__(self, docs: list[IndexDoc]) -> None:
        ana = body_analyzer()
        exact = exact_analyzer()
        self.ana = ana
        self.rows = []
        for d in docs:
            seqs = [
                {t.text for t in ana(d.body, mode="index")},
                {t.text for t in ana(d.heading, mode="index")},
            ]
            at: dict[int, set[str]] = {}
            for t in exact(d.body, positions=True, mode="index"):
                at.setdefault(t.pos, set()).add(t.text)
            acrs = _oracle_acronyms(d.body) | _oracle_acronyms(d.heading)
            self.rows.append((d.key, seqs, at, acrs))

    def term(self, word: str, exact: frozenset[str]) -> set[str]:
        (s,) = [t.text for t in self.ana(word)]
        up = word.upper()
        acr = up if ORACLE_ACRONYM.match(up) and up not in exact else None
        return {k for k, seqs, _, acrs in self.rows if any(s in q for q in seqs) or acr in acrs}

    def phrase(self, words: list[str]) -> set[str]:
        want = exact_words(" ".join(words))
        return {
            k
            for k, _, at, _ in self.rows
            if any(all(w in at.get(p + i, ()) for i, w in enumerate(want)) for p in at)
        }
