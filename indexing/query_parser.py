"""The query language's grammar: search-box text to a small tree of nodes, never raising.

``tokens`` splits the text (quoted phrases, parentheses, chunks); ``QueryParser`` is a tolerant
recursive descent that skips what it cannot use and records which limits bit. Turning the tree
into a Whoosh query is ``indexing.query``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from indexing.analysis import TOKEN, acronym_form, stems

__all__ = [
    "MAX_DEPTH",
    "MAX_TERMS",
    "MIN_PREFIX",
    "PROXIMITY_MAX_WORDS",
    "And",
    "Field",
    "Not",
    "Or",
    "Phrase",
    "QueryParser",
    "Word",
    "join_and",
    "joins",
    "near_words",
    "tokens",
]

MAX_TERMS = 64
MAX_DEPTH = 8
MIN_PREFIX = 2
PROXIMITY_MAX_WORDS = 6  # more plain words than this: no nearness re-rank (``near_words``)

_LEX = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_FIELD = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
_ALLOWED_FIELDS = frozenset({"plan", "kind", "stage", "date", "relation", "status"})
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class Word:
    raw: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    child: object


@dataclass(frozen=True, slots=True)
class And:
    children: tuple
    from_chunk: bool = False


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple


class QueryParser:
    """Tolerant recursive descent: unexpected tokens are skipped, never raised on."""

    def __init__(self, tokens: list[str]) -> None:
        self.toks = tokens
        self.i = 0
        self.leaves = 0
        self.flattened = 0
        self.too_many = False
        self.too_deep = False

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self):
        items = []
        while self.peek() is not None:
            node = self.parse_or(0)
            if node is not None:
                items.append(node)
            elif self.peek() is not None:
                self.i += 1  # a token nothing could use (stray OR, ")" ...)
        return join_and(items)

    def parse_or(self, depth: int):
        alts = [self.parse_and(depth)]
        while self.peek() == "OR":
            self.i += 1
            alts.append(self.parse_and(depth))
        alts = [a for a in alts if a is not None]
        if not alts:
            return None
        return alts[0] if len(alts) == 1 else Or(tuple(alts))

    def parse_and(self, depth: int):
        items: list = []
        while (tok := self.peek()) is not None:
            if tok == "OR":
                break
            if tok == ")":
                if depth > 0 and self.flattened == 0:
                    break
                self.i += 1
                if self.flattened:
                    self.flattened -= 1
                continue
            if tok == "AND":
                self.i += 1
                continue
            node = self.parse_unary(depth)
            if isinstance(node, And) and node.from_chunk:
                items.extend(node.children)
            elif node is not None:
                items.append(node)
        return join_and(items)

    def parse_unary(self, depth: int):
        negate = False
        while self.peek() == "NOT":
            self.i += 1
            negate = not negate
        tok = self.peek()
        if tok is None or tok in ("OR", "AND", ")"):
            return None
        self.i += 1
        if tok == "(":
            if depth >= MAX_DEPTH:
                self.flattened += 1
                self.too_deep = True
                return None
            node = self.parse_or(depth + 1)
            if self.peek() == ")":
                self.i += 1
        elif tok.startswith('"'):
            text = tok[1:-1] if len(tok) > 1 and tok.endswith('"') else tok[1:]
            node = self._leaf(Phrase(text)) if TOKEN.search(text) else None
        else:
            stripped = tok.lstrip("-+")
            if tok.startswith("-") and stripped:
                negate = not negate
            node = self._chunk(stripped)
        if node is None:
            return None
        return Not(node) if negate else node

    def _leaf(self, node):
        if self.leaves >= MAX_TERMS:
            self.too_many = True
            return None
        self.leaves += 1
        return node

    def _chunk(self, chunk: str):
        if m := _FIELD.match(chunk):
            name, value = m.group(1).lower(), m.group(2)
            if name in _ALLOWED_FIELDS and value:
                return self._leaf(Field(name, value))
        prefix = (
            chunk.endswith("*")
            and "*" not in chunk[:-1]
            and "?" not in chunk
            and TOKEN.fullmatch(chunk[:-1]) is not None
            and len(chunk) - 1 >= MIN_PREFIX
        )
        if prefix:
            leaf = self._leaf(Word(chunk[:-1], prefix=True))
            return leaf
        words = []
        for m in TOKEN.finditer(chunk.replace("*", " ").replace("?", " ")):
            leaf = self._leaf(Word(m.group(0)))
            if leaf is None:
                break
            words.append(leaf)
        if not words:
            return None
        return words[0] if len(words) == 1 else And(tuple(words), from_chunk=True)


def join_and(items: list):
    if not items:
        return None
    return items[0] if len(items) == 1 else And(tuple(items))




def tokens(text: str) -> Iterator[str]:
    for m in _LEX.finditer(text):
        yield m.group(0)


def _joinable(node) -> str:
    if not isinstance(node, Word) or node.prefix or acronym_form(node.raw) is not None:
        return ""
    raw = node.raw.lower()
    return raw if raw.isalpha() and stems(raw) else ""


def joins(items: list) -> list[tuple[str, ...]]:
    """For each item, the stems of it written together with the plain word before or after it
    ("medium sized" also finds "mediumsized"; the index joins "medium-sized" the same way)."""
    words = [_joinable(x) for x in items]
    out: list[tuple[str, ...]] = []
    for i, w in enumerate(words):
        forms = []
        if w and i and words[i - 1]:
            forms.append(words[i - 1] + w)
        if w and i + 1 < len(words) and words[i + 1]:
            forms.append(w + words[i + 1])
        out.append(tuple(s for f in forms for s in stems(f)[:1]))
    return out


def near_words(children: tuple) -> list[str]:
    """Stems of the plain words of an AND, for ranking the passages where they stand close.

    Whoosh has no proximity scorer for plain words; the index re-ranks the candidates it shows
    by the shortest window of the shown passage that holds all of these
    (``indexing.search_hits.rerank``).
    """
    words: list[str] = []
    for node in children:
        if isinstance(node, Word) and not node.prefix:
            acr = acronym_form(node.raw)
            words += [acr] if acr else stems(node.raw)
    words = list(dict.fromkeys(words))
    return words if 2 <= len(words) <= PROXIMITY_MAX_WORDS else []


# Words that frame a question rather than name its subject ("how will the council fix potholes?",
# "what is done about litter"): left out of an unquoted query that has other words, as Whoosh's
# stop list already leaves out "the", "will", "is". General English, not plan words.
QUESTION_WORDS = frozenset(
    "how what which who whom whose why where does do did doing done was were has had would "
    "should could about any there their they them its our i me my".split()
)
# Generic verbs and nouns of a request ("helping older people live independently"): in a query
# of three or more plain words they rank passages but are not required (a passage saying
# "support independent living" is what was asked for). General English, not plan words.
WEAK_WORDS = frozenset(
    "help helping helps helped support supporting supports provide providing make making "
    "ensure ensuring improve improving deliver delivering get getting give giving keep keeping "
    "use using people new more better good way ways things".split()
)
WEAK_MIN_WORDS = 3


def _plain(node) -> bool:
    return isinstance(node, Word) and not node.prefix


def without_question_words(children: tuple) -> tuple:
    """``children`` less the plain words in ``QUESTION_WORDS``, unless nothing else is left."""
    kept = tuple(c for c in children if not (_plain(c) and c.raw.lower() in QUESTION_WORDS))
    return kept if kept and any(isinstance(c, Word) for c in kept) else children


def split_weak(children: tuple) -> tuple[tuple, tuple]:
    """(the children to require, the ``WEAK_WORDS`` that only rank): split only when at least
    ``WEAK_MIN_WORDS`` plain words were typed and two of them are not weak."""
    plain = [c for c in children if _plain(c) and stems(c.raw)]
    weak = tuple(c for c in plain if c.raw.lower() in WEAK_WORDS)
    if not weak or len(plain) < WEAK_MIN_WORDS or len(plain) - len(weak) < 2:
        return children, ()
    return tuple(c for c in children if not any(c is w for w in weak)), weak
