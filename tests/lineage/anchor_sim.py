"""A re-anchoring simulator: random documents, random selections, random edits, known answers.

A document is a list of pages, each a list of paragraphs (joined by newlines). Every paragraph
has an identity, so after edits we know where each selection *should* be: the same paragraph
(with offsets shifted by typos before or inside it), or nowhere if its paragraph was deleted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from workbench.anchoring import ORPHANED, Anchor, DocumentText, make_anchor, place

_SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "ve", "dor", "qui", "pal", "nex", "bo", "ith",
              "ar", "el", "om", "ut", "zy", "fen", "gra"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))


@dataclass
class Para:
    pid: int
    text: str


@dataclass
class Selection:
    pid: int
    start: int  # within the paragraph
    end: int
    anchor: Anchor | None = None
    deleted: bool = False


@dataclass
class Doc:
    pages: list[list[Para]]
    next_pid: int = 0
    selections: list[Selection] = field(default_factory=list)

    def page_texts(self) -> list[tuple[int, str, str]]:
        return [(i, str(i + 1), "\n".join(p.text for p in paras))
                for i, paras in enumerate(self.pages)]

    def locate(self, pid: int) -> tuple[int, int] | None:
        """(page index, offset of the paragraph in its page)."""
        for i, paras in enumerate(self.pages):
            off = 0
            for p in paras:
                if p.pid == pid:
                    return i, off
                off += len(p.text) + 1
        return None


def _sentence(rng: random.Random, vocab: list[str]) -> str:
    words = [rng.choice(vocab) for _ in range(rng.randint(5, 16))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, vocab: list[str], stock: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(1, 5)):
        # a few sentences recur across the document, as boilerplate does in real plans
        if stock and rng.random() < 0.08:
            sentences.append(rng.choice(stock))
        else:
            sentences.append(_sentence(rng, vocab))
    return " ".join(sentences)


def random_doc(rng: random.Random, n_pages: int = 6, paras_per_page: int = 6) -> Doc:
    vocab = [_word(rng) for _ in range(300)]
    stock = [_sentence(rng, vocab) for _ in range(4)]
    doc = Doc(pages=[])
    for _ in range(n_pages):
        paras = []
        for _ in range(rng.randint(max(1, paras_per_page - 2), paras_per_page + 2)):
            paras.append(Para(doc.next_pid, _paragraph(rng, vocab, stock)))
            doc.next_pid += 1
        doc.pages.append(paras)
    doc.vocab = vocab  # type: ignore[attr-defined]
    doc.stock = stock  # type: ignore[attr-defined]
    return doc


def select(rng: random.Random, doc: Doc, n: int) -> None:
    """Make ``n`` selections of 2–25 whole words and anchor them in the current version."""
    pages = DocumentText(doc.page_texts(), "v1")
    all_paras = [p for paras in doc.pages for p in paras]
    for _ in range(n):
        para = rng.choice(all_paras)
        bounds = [0] + [i + 1 for i, ch in enumerate(para.text) if ch == " "]
        i = rng.randrange(len(bounds))
        j = min(len(bounds), i + rng.randint(2, 25))
        start = bounds[i]
        end = bounds[j] - 1 if j < len(bounds) else len(para.text)
        if end <= start:
            continue
        page, off = doc.locate(para.pid)  # type: ignore[misc]
        sel = Selection(para.pid, start, end)
        sel.anchor = make_anchor(pages, page, off + start, off + end)
        doc.selections.append(sel)


def edit(rng: random.Random, doc: Doc, rate: float) -> None:
    """Edit about ``rate`` of the paragraphs: insert, delete, typo, or reflow."""
    vocab, stock = doc.vocab, doc.stock  # type: ignore[attr-defined]
    by_pid = {s.pid: [] for s in doc.selections}
    for s in doc.selections:
        by_pid[s.pid].append(s)
    reflow = False
    for page in doc.pages:
        for para in list(page):
            if rng.random() >= rate:
                continue
            op = rng.choice(["insert", "delete", "typo", "typo", "reflow"])
            if op == "insert":
                new = Para(doc.next_pid, _paragraph(rng, vocab, stock))
                doc.next_pid += 1
                page.insert(page.index(para) + rng.randint(0, 1), new)
            elif op == "delete":
                page.remove(para)
                for s in by_pid.get(para.pid, []):
                    s.deleted = True
            elif op == "typo":
                _typo(rng, para, by_pid.get(para.pid, []))
            else:
                reflow = True
    if reflow:  # re-typeset: the same paragraphs, new page breaks
        flat = [p for page in doc.pages for p in page]
        per = max(1, round(len(flat) / max(1, len(doc.pages)) + rng.choice([-1, 1])))
        doc.pages = [flat[i : i + per] for i in range(0, len(flat), per)] or [[]]


def _typo(rng: random.Random, para: Para, sels: list[Selection]) -> None:
    text = para.text
    pos = rng.randrange(len(text))
    kind = rng.choice(["sub", "ins", "del"])
    if kind == "sub":
        ch = "x" if text[pos] != "x" else "y"
        para.text = text[:pos] + ch + text[pos + 1 :]
        return
    delta = 1 if kind == "ins" else -1
    para.text = text[:pos] + "e" + text[pos:] if kind == "ins" else text[:pos] + text[pos + 1 :]
    for s in sels:
        if pos < s.start or (pos == s.start and kind == "ins"):
            s.start += delta
            s.end += delta
        elif pos < s.end:
            s.end += delta


@dataclass
class Tally:
    correct: int = 0
    wrong: int = 0
    missed: int = 0  # orphaned although the passage is still there
    lost: int = 0
    total: int = 0

    def add(self, other: Tally) -> None:
        for f in ("correct", "wrong", "missed", "lost", "total"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


def reanchor_and_score(doc: Doc) -> Tally:
    pages = DocumentText(doc.page_texts(), "v2")
    tally = Tally()
    for s in doc.selections:
        tally.total += 1
        if s.anchor is None:
            tally.lost += 1
            continue
        result = place(s.anchor, pages).anchor
        if s.deleted:
            if result.status == ORPHANED:
                tally.correct += 1
            else:
                tally.wrong += 1
            continue
        where = doc.locate(s.pid)
        assert where is not None
        page, off = where
        if result.status == ORPHANED:
            tally.missed += 1
        elif (result.page_index, result.start, result.end) == (page, off + s.start, off + s.end):
            tally.correct += 1
        else:
            tally.wrong += 1
    return tally


def simulate(seed: int, rate: float, selections: int = 40) -> Tally:
    rng = random.Random(seed)
    doc = random_doc(rng)
    select(rng, doc, selections)
    edit(rng, doc, rate)
    return reanchor_and_score(doc)
