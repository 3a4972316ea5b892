"""Characters of PDF text: ligatures, odd spaces, soft hyphens, symbol-font bullets, list
markers, and words hyphenated at line ends.

Pure functions over strings (no PyMuPDF), used by ``pdf_extract`` (per span) and ``cleanup``
(per paragraph). Emits nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["collapse", "fix_symbol_glyph", "has_alpha", "is_numbered", "join_lines",
           "normalise_text", "split_bullet"]

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACES = {
    "\u00a0": " ",  # NBSP
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\t": " ",
}
SOFT_HYPHEN = "\u00ad"
_DROP = {"\u00ad", "\u200b", "\ufeff"}  # soft hyphen, zero-width space, BOM
_CHAR_MAP = str.maketrans({**_LIGATURES, **_SPACES, **{c: None for c in _DROP}})
_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Expand ligatures, turn odd spaces into spaces, drop soft hyphens, NFC-normalise.

    Whitespace runs are *not* collapsed here (spans are concatenated first); see ``collapse``.
    """
    if text.isascii():  # the common case: only tabs can need changing
        return text.replace("\t", " ") if "\t" in text else text
    # a soft hyphen that ends the text marks a word broken at a line end: keep that one, so
    # join_lines can mend the word ("infra\u00ad" + "structure"); drop all others
    broken = text.rstrip().endswith("\u00ad")
    text = text.translate(_CHAR_MAP)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.rstrip() + SOFT_HYPHEN if broken else text


def collapse(text: str) -> str:
    # str.split() splits at exactly the characters ``\s`` matches (str.isspace)
    return " ".join(text.split())


_ASCII_ALPHA = re.compile(r"[A-Za-z]")


def has_alpha(text: str) -> bool:
    """``any(c.isalpha() for c in text)``, fast for ASCII text."""
    if text.isascii():
        return _ASCII_ALPHA.search(text) is not None
    return any(map(str.isalpha, text))


# Symbol fonts draw bullets and ticks with ASCII code points: Wingdings "l" is a black circle,
# "§" a square, "n" a black square, "ü" a tick; Symbol "·" is a bullet.
_SYMBOL_FONT = re.compile(r"wingding|webding|symbol|dingbat|zapf", re.IGNORECASE)
_SYMBOL_BULLETS = {"l": "•", "§": "•", "n": "•", "q": "•", "v": "•", "Ø": "•", "·": "•",
                   "ü": "✓", "þ": "✓", "4": "✓", "3": "✓"}


def fix_symbol_glyph(text: str, font: str) -> str:
    """Map a one-glyph span in a symbol font (Wingdings "l", "ü" ...) to the bullet it draws."""
    stripped = text.strip()
    # only code points a symbol font re-purposes (ASCII/Latin-1, private use); a real "✓" or
    # "•" in "Noto Sans Symbols" is already right
    if (len(stripped) == 1 and (ord(stripped) < 0x100 or 0xE000 <= ord(stripped) <= 0xF8FF)
            and _SYMBOL_FONT.search(font or "")):
        return text.replace(stripped, _SYMBOL_BULLETS.get(stripped, "•"))
    return text


_BULLET_GLYPHS = "•●▪■◦‣⁃∙○□➢►▶➤\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
_TICKS = "✓✔☑"
_DASHES = "-–‐‑"
_BULLET_START = re.compile(rf"^\s*([{re.escape(_BULLET_GLYPHS)}])\s*(?=\S)")
_TICK_START = re.compile(rf"^\s*([{_TICKS}])\s*(?=\S)")
_DASH_START = re.compile(rf"^\s*([{_DASHES}])\s+(?=\S)")
# A lone "l" before a capital is a Wingdings bullet that lost its font (no English word is "l").
_LONE_L = re.compile(r"^\s*l\s+(?=[A-Z])")
# the first characters with which one of the patterns above can match (\s aside)
_MARKER_STARTS = frozenset(_TICKS + _BULLET_GLYPHS + _DASHES + "l")


def split_bullet(text: str, *, dash_allowed: bool) -> tuple[str, str]:
    """Split a leading list marker off a line.

    Returns ``(marker, rest)`` where marker is ``"•"``, ``"✓"`` or ``""``. Dashes count as
    markers only where a new item may start (``dash_allowed``), so a wrapped line that begins
    with an en dash is not turned into a bullet.
    """
    first = text[:1]
    if first not in _MARKER_STARTS and not first.isspace():
        return "", text  # no marker can start here (most lines; issue 12, Speed)
    m = _TICK_START.match(text)
    if m:
        return "✓", text[m.end():]
    m = _BULLET_START.match(text)
    if m:
        return "•", text[m.end():]
    m = _LONE_L.match(text)
    if m:
        return "•", text[m.end():]
    if dash_allowed:
        m = _DASH_START.match(text)
        if m:
            return "•", text[m.end():]
    return "", text


_NUMBERED = re.compile(r"^\s*(\d{1,2}(\.\d{1,2})*[.)]|\(?[a-h][.)]|\([ivx]{1,4}\))\s+(?=\S)")


def is_numbered(text: str) -> bool:
    return bool(_NUMBERED.match(text))


_KEEP_HYPHEN_PREFIXES = {
    "self", "co", "non", "well", "long", "short", "cross", "multi", "anti", "pre", "post",
    "semi", "sub", "inter", "over", "under", "low", "high", "full", "part", "half", "mid",
    "one", "two", "three", "four", "five", "ex", "place", "day", "year", "age", "user",
    "evidence", "cost", "county", "district", "community", "council", "small", "large",
    "far", "wide", "all", "world", "net", "zero", "time", "life", "best", "top", "first",
}
_WORD_BEFORE_HYPHEN = re.compile(r"(\w+)-$")


def join_lines(texts: Iterable[str]) -> str:
    """Join the lines of one paragraph with spaces, mending words hyphenated at a line break.

    "infra-" + "structure" gives "infrastructure"; a compound broken at its own hyphen
    ("long-" + "term", "day-" + "to-day") keeps the hyphen; a hyphen inside a line is never
    touched.
    """
    out = ""
    for raw in texts:
        text = collapse(raw)
        if not text:
            continue
        if not out:
            out = text
            continue
        if out.endswith(SOFT_HYPHEN):  # a word broken with a soft hyphen: always mended
            out = out[:-1] + text
            continue
        # look only at the tail: searching the whole growing paragraph is quadratic
        m = _WORD_BEFORE_HYPHEN.search(out[-64:]) if out.endswith("-") else None
        if m and not out.endswith(" -"):
            before = m.group(1)
            first_word = text.split(" ", 1)[0]
            if (text[0].islower() and before.isalpha() and before[-1].islower()
                    and before.casefold() not in _KEEP_HYPHEN_PREFIXES
                    and "-" not in first_word):
                out = out[:-1] + text
            else:
                out = out + text
            continue
        out = out + " " + text
    return collapse(out.replace(SOFT_HYPHEN, "")) if SOFT_HYPHEN in out else out

