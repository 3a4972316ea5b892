"""The ONE sanitiser for text taken from a PDF or a file system (RELIABILITY.md bad-file policy).

Every string that comes out of a PDF (page text, titles, metadata, outline entries, font names,
page labels, MuPDF's warnings) or names a file goes through here before it is stored or shown:

* lone surrogates (PyMuPDF decodes broken UTF-16 and undecodable bytes into them, and SQLite,
  stdout and Qt all refuse them) become U+FFFD, valid surrogate pairs become their character;
* control characters are removed (``\\n`` and ``\\t`` are kept where text needs them), as are
  the Unicode non-characters U+FFFE/U+FFFF (XML-invalid, so they would break DOCX export);
* bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are removed: they can
  make a file name or heading display as something else (the "RLO trick").

``safe_text``/``safe_line`` may shorten a string; ``same_length`` never changes its length (it
replaces instead of removing), for a last pass over text whose offsets are already computed.
Pure standard library, no state: safe to call in the PDF worker and in the GUI process alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

__all__ = [
    "MAX_LINE",
    "is_safe",
    "safe_line",
    "safe_mapping",
    "safe_text",
    "same_length",
    "same_length_deep",
]

MAX_LINE = 2000  # a title, a label, a font name or a metadata value longer than this is junk
REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 and C1 controls except \t (x09) and \n (x0a); DEL; bidi controls; non-characters
_REMOVE_KEEP_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ufffe\uffff]")
_REMOVE_ALL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ufffe\uffff]")
_BAD_ONE_FOR_ONE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\r\n\t\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def _as_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if value is None:
        return ""
    return str(value)


def _fix_surrogates(text: str) -> str:
    # UTF-16 with surrogatepass turns each surrogate back into its code unit: a valid pair
    # decodes to its character, a lone one to U+FFFD (the decoder's "replace")
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def safe_text(value: object) -> str:
    """Valid, displayable Unicode for body text: keeps ``\\n`` and ``\\t``; ``\\r\\n`` and
    ``\\r`` become ``\\n``. Accepts ``bytes`` (decoded as UTF-8, bad bytes replaced) and
    ``None`` (becomes ``""``)."""
    text = _as_str(value)
    if text.isascii() and text.isprintable():  # the common case, in well under a microsecond
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _REMOVE_KEEP_LAYOUT.sub("", _fix_surrogates(text))


def safe_line(value: object, max_len: int = MAX_LINE) -> str:
    """Like ``safe_text`` for one-line values (titles, labels, names, messages): line breaks
    and tabs become one space, and the result is cut to ``max_len`` characters (with "…")."""
    text = _fix_surrogates(_as_str(value))
    text = _REMOVE_ALL.sub("", _LINE_BREAKS.sub(" ", text))
    if len(text) > max_len:
        text = text[: max(max_len - 1, 0)].rstrip() + "…"
    return text


def same_length(value: object) -> str:
    """Make ``value`` valid without changing its length (so offsets computed on it stay right):
    every lone surrogate and every control, bidi or non-character is replaced, one for one
    (U+FFFD for a surrogate, a space otherwise). ``\\n`` and ``\\t`` stay."""
    text = _as_str(value)
    if _BAD_ONE_FOR_ONE.search(text) is None:
        return text

    def one(m: re.Match[str]) -> str:
        return REPLACEMENT if "\ud800" <= m.group() <= "\udfff" else " "

    return _BAD_ONE_FOR_ONE.sub(one, text)


def is_safe(text: str, *, multiline: bool = True) -> bool:
    """True when ``text`` needs no sanitising (what the tests check of stored strings)."""
    bad = _REMOVE_KEEP_LAYOUT if multiline else _REMOVE_ALL
    return _SURROGATE.search(text) is None and bad.search(text) is None


def safe_mapping(mapping: Mapping[Any, Any] | None) -> dict[str, str]:
    """A metadata-like mapping with safe one-line keys and values (empty values dropped)."""
    out: dict[str, str] = {}
    for key, value in (mapping or {}).items():
        k, v = safe_line(key, 200), safe_line(value)
        if k and v:
            out[k] = v
    return out


T = TypeVar("T")
_PLAIN = frozenset({int, float, bool, type(None), bytes})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def same_length_deep(value: T) -> T:
    """``same_length`` applied to every string inside ``value`` (frozen dataclasses, tuples,
    lists and dicts, recursively); other values are returned as they are. The last line of
    defence before an extraction is stored: a string the worker missed can never reach SQLite
    invalid, and no offset moves."""
    kind = type(value)
    if kind in _PLAIN:  # most leaves (boxes, offsets): no introspection (issue 12, Speed)
        return value
    if isinstance(value, str):
        return same_length(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        items = [v if type(v) in _PLAIN else same_length_deep(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value  # nothing changed: no copy, and no deep compare by the caller
        return tuple(items)  # type: ignore[return-value]
    if isinstance(value, list):
        return [same_length_deep(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {same_length_deep(k): same_length_deep(v)  # type: ignore[return-value]
                for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
        changes = {}
        for name in names:
            old = getattr(value, name)
            if type(old) in _PLAIN:  # a box's numbers: no call (issue 12, Speed)
                continue
            new = same_length_deep(old)
            if new is not old and new != old:
                changes[name] = new
        return replace(value, **changes) if changes else value  # type: ignore[type-var]
    return value
