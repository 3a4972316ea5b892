"""Vocabulary the library teaches the search: acronyms its own text defines, derived word forms.

* **Acronyms defined in the text.** Plans spell a name out once and abbreviate it after:
  "Low Carbon Across the Northern Region (LoCANR)", "the only Fast-Track tram line (FT2)".
  ``acronym_definitions`` finds such pairs much as Schwartz & Hearst (2003) do: the short
  form in brackets, the long form the shortest run of words just before it that spells it,
  here by word initials (each capital of the short form starts a word, in order). The index
  keeps every pair it finds (``DEFINED`` field, ``indexing.search_index``); a search for
  either form finds the other (``indexing.query``), so a passage that only says "Low Carbon
  Across the Northern Region" is found by ``LoCANR``. The PyPI package ``abbreviations``
  implements Schwartz & Hearst but is unmaintained since 2019, matches letters anywhere in a
  word (it took "later incorporating North Downs" for LNP, say) and has no notion
  of a digit in a short form (FT2), so this is ours.
* **Derived forms.** Porter stems inflections, not derivations: "academisation" and
  "academies" share no stem, nor do "exclusion" and "excluded". ``derived_stems`` gives the
  stems of a derived noun's base ("-isation" -> "-y", "-usion" -> "-ude"), searched with a
  lower weight.
* **British and American spellings.** "organization", "fiber", "program" and "behavior" find
  "organisation", "fibre", "programme" and "behaviour", and the other way round
  (``spelling_stems``). The table is the ``breame`` package's (about 1,700 words, Apache-2.0):
  rules such as "-or" for "-our" would also turn "four" into "for".
* **Misspelt words.** A plain word that no passage holds in any form ("accomodation",
  "goverment") is searched as the library's closest word within one or two edits
  (``respell``; rapidfuzz's optimal-string-alignment distance over the ``exact`` field's
  words starting with the same letter, ties to the commoner word); the search says so in a
  notice. Quoted phrases are never respelt.

Imports nothing of ours but ``indexing.analysis``; emits no events.
"""

from __future__ import annotations

import re
import weakref

from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.analysis import STOP_WORDS

from indexing.analysis import SynonymTable, phrase_key, porter_stem, stems

__all__ = ["DEFINITION_SEP", "acronym_definitions", "definition_terms", "derived_stems",
           "irregular_stems", "respell", "parse_definition", "spelling_stems"]

DEFINITION_SEP = "="
_SHORT = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9&]{1,9})s?\s*\)")
# "SF (Long Form)": the other way round
_SHORT_FIRST = re.compile(r"\b([A-Za-z][A-Za-z0-9&]{1,9})\s*\(([^()]{3,120})\)")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][a-z]+)?")
_MAX_LONG_WORDS = 10


def _short_form_ok(short: str) -> bool:
    """At least two capitals, mostly capitals: "LoCANR", "FT2", "SMEs" (not "Leeds", "eg")."""
    caps = sum(ch.isupper() for ch in short)
    return caps >= 2 and caps * 2 >= sum(ch.isalpha() for ch in short)


def _long_form(words: list[str], short: str) -> list[str] | None:
    """The fewest trailing ``words`` that spell ``short`` by their initials (``_initials_ok``),
    the first word starting with its first letter; None if no run of at most
    min(n + 5, 2n) words does (n: the short form's letters and digits, Schwartz & Hearst's
    bound)."""
    n = sum(ch.isalnum() for ch in short)
    first = short[0].lower()
    for k in range(1, min(len(words), n + 5, 2 * n) + 1):
        long = words[-k:]
        if long[0][0].lower() == first and long[0].lower() not in STOP_WORDS and _initials_ok(
            long, short
        ):
            return long
    return None


def _singular(short: str) -> str:
    """"SMEs" -> "SME": a plural s after capitals is not part of the short form."""
    return short[:-1] if short.endswith("s") and short[:-1].upper() == short[:-1] else short


def _initials_ok(long: list[str], short: str) -> bool:
    """Each capital of the short form starts a word of the long form (or is a capital inside
    one: "UK"), in order; at most one other word besides stop words is skipped, and the long
    form ends on a matched word unless a digit of the short form stands for its tail ("FT2",
    "Fast Track tram line")."""
    caps = [c.lower() for c in short if c.isupper()]
    wi, ci, skipped, last = 0, 0, 0, -1
    while ci < len(caps) and wi < len(long):
        word = long[wi]
        if word[0].lower() == caps[ci]:
            ci += 1
            last = wi
            # capitals inside the same word ("UK") match the next letters of the short form
            for ch in word[1:]:
                if ci < len(caps) and ch.isupper() and ch.lower() == caps[ci]:
                    ci += 1
        elif word.lower() not in STOP_WORDS:
            skipped += 1
        wi += 1
    if ci < len(caps) or skipped > 1:
        return False
    tail = [w for w in long[last + 1 :] if w.lower() not in STOP_WORDS]
    return not tail or short[-1].isdigit()


def acronym_definitions(text: str) -> list[tuple[str, str]]:
    """(short form, long form) pairs the text defines as "Long Form (SF)" or "SF (Long Form)"."""
    out: list[tuple[str, str]] = []
    if "(" not in text:
        return out
    for m in _SHORT.finditer(text):
        short = _singular(m.group(1))
        if not _short_form_ok(short):
            continue
        before = text[max(0, m.start() - 200) : m.start()]
        before = re.split(r"[.;:()\n\u2022]", before)[-1]
        words = _WORD.findall(before.replace("-", " "))[-_MAX_LONG_WORDS:]
        long = _long_form(words, short)
        if long:
            out.append((short, " ".join(long)))
    for m in _SHORT_FIRST.finditer(text):
        short = _singular(m.group(1))
        if not _short_form_ok(short):
            continue
        words = _WORD.findall(m.group(2).replace("-", " "))
        long = _long_form(words, short) if len(words) <= _MAX_LONG_WORDS else None
        if long and len(long) == len(words):  # the brackets hold the long form and no more
            out.append((short, " ".join(long)))
    return out


def definition_terms(text: str) -> str:
    """The ``DEFINED`` field of a passage: "SF=long form" per definition, comma-separated."""
    return ",".join(dict.fromkeys(f"{s}{DEFINITION_SEP}{lf}" for s, lf in acronym_definitions(text)))


def parse_definition(term: str) -> tuple[str, str] | None:
    short, sep, long = term.partition(DEFINITION_SEP)
    return (short, long) if sep and short and long else None


# --- derived forms ----------------------------------------------------------------------------

# a derived noun's suffix -> endings of its base that Porter stems differently from it
_DERIVED = (("isations", ("y", "ies")), ("izations", ("y", "ies")),
            ("isation", ("y", "ies")), ("ization", ("y", "ies")),
            # exclusion -> exclude, decision -> decide, extension -> extend, expansion -> expand
            ("usions", ("ude",)), ("usion", ("ude",)), ("isions", ("ide",)), ("ision", ("ide",)),
            ("ensions", ("end",)), ("ension", ("end",)), ("ansions", ("and",)),
            ("ansion", ("and",)))


def derived_stems(word: str) -> list[str]:
    """Stems of the base a derived word comes from, other than its own ("academisation" ->
    "academi", the stem of "academy" and "academies"). Empty for most words."""
    lower = word.lower()
    own = porter_stem(lower)
    out: list[str] = []
    for suffix, endings in _DERIVED:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= (4 if "at" in suffix else 3):
            base = lower[: -len(suffix)]
            out += [porter_stem(base + e) for e in endings]
            break
    return [s for s in dict.fromkeys(out) if s != own]


def spelling_stems(word: str) -> list[str]:
    """Stems of the word's other spelling, British or American, other than its own
    ("organizations" -> "organis", the stem of "organisations"). Empty for most words."""
    lower = word.lower()
    other = AMERICAN_ENGLISH_SPELLINGS.get(lower) or BRITISH_ENGLISH_SPELLINGS.get(lower)
    if not other or " " in other:
        return []
    own = porter_stem(lower)
    alt = porter_stem(other)
    return [alt] if alt != own and alt.isalpha() else []


# Irregular English plurals (general English, not plan words): the Porter stem of one form is
# not the other's ("women" -> women, "woman" -> woman), so each finds the other, at full weight.
_IRREGULAR = dict(
    pair
    for a, b in (("man", "men"), ("woman", "women"), ("child", "children"), ("foot", "feet"),
                 ("tooth", "teeth"), ("mouse", "mice"), ("goose", "geese"), ("life", "lives"),
                 ("wife", "wives"), ("half", "halves"), ("leaf", "leaves"), ("knife", "knives"),
                 ("shelf", "shelves"), ("thief", "thieves"), ("crisis", "crises"),
                 ("analysis", "analyses"), ("criterion", "criteria"),
                 ("phenomenon", "phenomena"))
    for pair in ((a, b), (b, a))
)


def irregular_stems(word: str) -> list[str]:
    """The stem of the word's irregular singular or plural ("women" -> "woman"), other than
    its own. Empty for most words."""
    lower = word.lower()
    other = _IRREGULAR.get(lower)
    if other is None:
        return []
    own, alt = porter_stem(lower), porter_stem(other)
    return [alt] if alt != own else []


# --- misspelt words ----------------------------------------------------------------------------

RESPELL_MIN_LETTERS = 5  # shorter words are too often another real word one edit away
_RESPELLABLE = re.compile(rf"(?<![\w:*\-])[A-Za-z]{{{RESPELL_MIN_LETTERS},}}(?![\w:*\-])")
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_WORDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # searcher -> its words


def _library_words(searcher, field: str) -> list[str]:
    """The alphabetic words of ``field`` (the unstemmed ``exact`` field), once per searcher."""
    words = _WORDS.get(searcher)
    if words is None:
        words = []
        for term in searcher.reader().lexicon(field):
            w = term.decode("utf-8") if isinstance(term, bytes) else term
            if w.isalpha() and len(w) >= RESPELL_MIN_LETTERS - 1:
                words.append(w)
        _WORDS[searcher] = words
    return words


def _known(word: str, searcher, body: str, exact: str, table: SynonymTable) -> bool:
    lower = word.lower()
    # is the term in the lexicon (a key lookup; its postings' statistics are not decoded): the
    # body terms first, which the search looks up anyway
    reader = searcher.reader()
    forms = [*stems(lower), *spelling_stems(lower), *irregular_stems(lower), *derived_stems(lower)]
    if any((body, st) in reader for st in forms) or (exact, lower) in reader:
        return True
    # a synonym or acronym the table knows is searched through the table, not respelt
    return any(table.alternatives(phrase_key(lower))) or bool(table.expansions(word.upper()))


def _closest(word: str, searcher, exact: str) -> str | None:
    lower = word.lower()
    most = 1 if len(lower) <= 7 else 2
    found = [(w, d) for w, d, _ in process.extract(
        lower, _library_words(searcher, exact), scorer=OSA.distance, score_cutoff=most,
        limit=None) if w[0] == lower[0]]  # a typo rarely hits the first letter ("seperate")
    if not found:
        return None
    best = min(d for _, d in found)
    return max((w for w, d in found if d == best),
               key=lambda w: (searcher.doc_frequency(exact, w), w))


def respell(text: str, searcher, table: SynonymTable, *, body: str = "body",
            exact: str = "exact") -> tuple[str, str] | None:
    """``text`` with each plain word no passage holds in any form (outside quotes, not an
    operator, acronym, prefix, field or exclusion) replaced by the library's closest word, and
    a notice naming the changes; None when nothing was changed."""
    changes: dict[str, str] = {}
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside quotes (an unclosed quote runs to the end)
        for m in _RESPELLABLE.finditer(parts[i]):
            word = m.group(0)
            if word in _OPERATORS or not (word.islower() or word.istitle()) or word in changes:
                continue
            if not _known(word, searcher, body, exact, table):
                fix = _closest(word, searcher, exact)
                if fix is not None:
                    changes[word] = fix
    if not changes:
        return None
    for i in range(0, len(parts), 2):
        parts[i] = _RESPELLABLE.sub(lambda m: changes.get(m.group(0), m.group(0)), parts[i])
    said = ", ".join(f'"{fix}" (no passage has "{word}")' for word, fix in changes.items())
    return '"'.join(parts), f"Searched for {said}"
