"""Turning untrusted plan text into safe rich text, and counting offsets in Qt's unit.

Everything that reaches a rich-text widget is escaped first (``html.escape``); only the markup
added here (``<b>``, ``<span style>``) is ever interpreted. Offsets: Python counts code points,
``QTextCursor`` counts UTF-16 code units (RELIABILITY rule 12), so convert with ``utf16_len``.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable

HIGHLIGHT_BG = "#ffe58a"
INSERT_STYLE = "background-color:#d7f5dd;color:#0b5d1e;"
DELETE_STYLE = "background-color:#fbdada;color:#8a1111;text-decoration:line-through;"

_MARK = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def tooltip(text: str | None) -> str:
    """A tool tip that shows ``text`` literally: Qt renders any tool tip that
    ``Qt.mightBeRichText()`` accepts as HTML, so untrusted text is escaped inside ``<qt>``
    (line breaks kept). Empty text gives "" (no tool tip)."""
    if not text:
        return ""
    return "<qt>" + escape(text).replace("\n", "<br>") + "</qt>"


def snippet_terms(snippet: str) -> list[str]:
    """The distinct terms the index marked with ``[[`` ``]]`` in a snippet, in order."""
    seen: dict[str, None] = {}
    for match in _MARK.finditer(snippet):
        term = " ".join(match.group(1).split())
        if term and term.casefold() not in {t.casefold() for t in seen}:
            seen[term] = None
    return list(seen)


def snippet_html(snippet: str) -> str:
    """Escape a snippet, then turn its ``[[term]]`` markers into highlighted bold runs."""
    out: list[str] = []
    pos = 0
    for match in _MARK.finditer(snippet):
        out.append(escape(snippet[pos : match.start()]))
        out.append(
            f'<b style="background-color:{HIGHLIGHT_BG};">{escape(match.group(1))}</b>'
        )
        pos = match.end()
    out.append(escape(snippet[pos:]))
    return "".join(out)


def strip_markers(snippet: str) -> str:
    return _MARK.sub(lambda m: m.group(1), snippet)


def word_diff_html(old: str, new: str) -> tuple[str, int, int]:
    """A word-level diff of two texts as escaped HTML.

    Returns:
        (html, words inserted, words deleted). Deletions are red and struck through,
        insertions green; unchanged words are plain.
    """
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    parts: list[str] = []
    inserted = deleted = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            deleted += i2 - i1
            parts.append(f'<span style="{DELETE_STYLE}">{escape(" ".join(a[i1:i2]))}</span>')
        if op in ("insert", "replace"):
            inserted += j2 - j1
            parts.append(f'<span style="{INSERT_STYLE}">{escape(" ".join(b[j1:j2]))}</span>')
    return " ".join(parts), inserted, deleted


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what ``QTextCursor`` positions count)."""
    return len(text.encode("utf-16-le")) // 2


def utf16_offset(text: str, codepoint_offset: int) -> int:
    return utf16_len(text[: max(0, codepoint_offset)])


def find_terms(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Code-point spans of every case-insensitive, word-bounded occurrence of each term.

    A term also matches longer word forms starting with it ("emergenc" in "emergency"), since
    the index marks stemmed matches.
    """
    spans: list[tuple[int, int]] = []
    for term in terms:
        words = term.split()
        if not words:
            continue
        pattern = r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\w*"
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            spans.append((match.start(), match.end()))
    spans.sort()
    return spans


def words(text: str) -> list[str]:
    return _WORD.findall(text)


# -- matching search terms against the words of a page image ------------------------------

_PARTS = re.compile(r"[^\W_]+", re.UNICODE)


def normalise_word(word: str) -> str:
    """Lower-case, apostrophes unified, punctuation stripped from both ends."""
    return re.sub(r"^\W+|\W+$", "", word.casefold().replace("’", "'"))


def light_stem(word: str) -> str:
    """A small suffix stripper, so "emergencies" and "emergency" meet ("emergenci")."""
    for suffix, repl in (("ies", "i"), ("y", "i"), ("es", ""), ("s", ""), ("ing", ""),
                         ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def term_matcher(terms: list[str]) -> Callable[[str], bool]:
    """A predicate: does a word of the page match any search term?

    Terms and words are normalised (``normalise_word``); a term ending in ``*`` matches words
    starting with it ("educat*" → "education"); other terms match the same light stem, or a
    longer word form starting with them (as ``find_terms`` does, since the index stems);
    terms of one or two letters match whole words only. A hyphenated word matches when any
    part does. Phrases are split into their words.
    """
    exact: set[str] = set()
    prefixes: list[str] = []
    stems: set[str] = set()
    for term in terms:
        for raw in term.split():
            is_prefix = raw.endswith("*")
            norm = normalise_word(raw.rstrip("*"))
            if not norm:
                continue
            if is_prefix or len(norm) >= 3:
                prefixes.append(norm)
            exact.add(norm)
            if not is_prefix:
                stems.add(light_stem(norm))

    def matches(word: str) -> bool:
        norm = normalise_word(word)
        if not norm:
            return False
        for part in {norm, *_PARTS.findall(norm)}:
            if part in exact or light_stem(part) in stems:
                return True
            if any(part.startswith(p) for p in prefixes):
                return True
        return False

    return matches
