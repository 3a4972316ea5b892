"""The search-box query language, its text analysis, and the synonym/acronym table.

This module owns turning what a person types into a Whoosh query object. It never raises on
user input: hostile or empty text gives ``ParsedQuery.query is None`` plus a notice. It emits
no events.

Query syntax (for the README)
-----------------------------
* ``pothole repairs``      both words (AND is the default) in the passage's own text (a heading
  only ranks). A short page is filled, after every full match, with passages missing one or
  two of the plain words (``ParsedQuery.relaxed``; never a phrase, filter or exclusion).
* ``"net zero carbon"``    an exact phrase: these words, in this order, in the passage's own text
  (not its heading, which only ranks), unstemmed and never expanded by the synonym table; an
  unclosed quote runs to the end of the query.
* ``roads OR transport``   either word. ``AND`` may be written but is implied.
* ``NOT housing``, ``-housing``   exclude a word, phrase or group. A query that only excludes
  finds nothing (you get a notice).
* ``(roads OR rail) bus``  grouping with parentheses (unbalanced ones are tolerated).
* ``educat*``              prefix search; at least two characters before the ``*``. A ``*`` or
  ``?`` anywhere else is ignored (no leading wildcards).
* Words are stemmed: ``potholes`` finds "pothole", ``educating`` finds "education"; a derived
  noun also finds its base, ranked lower (``academisation`` finds "academies"); two words
  typed apart also find them written together (``medium sized`` finds "mediumsized"). Plain
  words standing side by side rank first (the ``pairs`` field), then words close together
  (``ParsedQuery.near``; see ``indexing.search_hits``).
* Acronyms the library's own text defines ("Low Carbon Across the Northern Region (LoCANR)")
  work both ways, like the table's: ``LoCANR`` finds the long form written out elsewhere, and
  the long form typed finds the acronym (``indexing.search_terms``).
* Numbers, money and hyphenated words: see ``indexing.analysis``.
* Operators are only ``AND``/``OR``/``NOT`` in capitals; lower-case and/or/not are words.
* Acronyms are case-sensitive on the acronym side: ``SEND`` finds the acronym SEND and "special
  educational needs and disabilities"; ``send`` finds the verb only. Typing an expansion
  unquoted (``special educational needs``) also finds its acronym (SEN). Other acronyms are
  found from lower case too (``covid`` finds COVID) unless the table marks them ``case``.
  The table is ``resources/synonyms.tsv`` (``ACRONYM<TAB>expansion[<TAB>case]``, or a
  ``phrase<TAB>phrase`` pair such as ``net zero<TAB>carbon neutral``, which work both ways).
* Filters (no spaces in values): ``plan:kent-vision-2011``, ``kind:section`` /
  ``kind:commitment`` / ``kind:note``, ``stage:adopted``, and dates on the plan's (possibly
  partial) date: ``date:2020``, ``date:2020-03``, ``date:2020..2022``, ``date:2020..``,
  ``date:..2022``, ``date:>=2020``, ``date:<2022``. A partial date is a period: ``2020`` means
  any day in 2020, and ranges match plans whose period overlaps them.
  A filter whose value cannot be read (``date:abc``, ``kind:bogus``, a ``plan:`` the library
  lacks) runs no search and gives a notice saying so (``indexing.query_filters``).
  Any other ``name:value`` is just words (``owner:alice`` searches "owner" and "alice").
* Limits: 512 characters, 64 terms, 8 levels of parentheses; control, zero-width and
  bidi-override characters are removed. Each limit that bites adds a notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from whoosh import query as wq

from indexing.analysis import (
    MAX_QUERY_CHARS,
    NOTICE_SHORTENED,
    TOKEN,
    DropAcronymsFilter,
    HighlightFormFilter,
    SynonymTable,
    acronym_form,
    acronym_tokens,
    body_analyzer,
    clean_query_text,
    exact_words,
    highlight_analyzer,
    load_default_synonyms,
    load_synonyms,
    pairs_analyzer,
    phrase_key,
    porter_stem,
    stems,
    word_parts,
)
from indexing.dates import (
    DATE_END,
    DATE_START,
    date_bounds,
    date_range_query,
    parse_date_filter,
)
from indexing.query_filters import filter_problem
from indexing.query_parser import (
    MAX_DEPTH,
    MAX_TERMS,
    QueryParser,
    tokens,
)
from indexing.query_parser import And as _And
from indexing.query_parser import Field as _Field
from indexing.query_parser import Not as _Not
from indexing.query_parser import Or as _Or
from indexing.query_parser import Phrase as _Phrase
from indexing.query_parser import Word as _Word
from indexing.query_parser import joins as _joins
from indexing.query_parser import near_words as _near_words
from indexing.query_parser import split_weak as _split_weak
from indexing.query_parser import without_question_words as _without_question_words
from indexing.search_terms import derived_stems, irregular_stems, spelling_stems
from workbench.model import Kind

__all__ = [
    "ACRONYMS",
    "BODY",
    "DATE_END",
    "DATE_START",
    "HEADING",
    "KIND",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "NOTICE_SHORTENED",
    "PLAN", "STAGE", "RELATION", "STATUS", "EXACT", "DEFINED", "PAIRS", "PAIR_SEP",
    "pairs_analyzer",
    "DropAcronymsFilter",
    "HighlightFormFilter",
    "ParsedQuery",
    "SynonymTable",
    "acronym_form",
    "acronym_tokens",
    "body_analyzer",
    "clean_query_text",
    "date_bounds",
    "date_range_query",
    "highlight_analyzer",
    "load_default_synonyms",
    "load_synonyms",
    "parse_query",
    "stems",
]

# Field names shared with indexing.search_index (which defines the schema).
BODY = "body"
HEADING = "heading"
ACRONYMS = "acronyms"
EXACT = "exact"  # every word, unstemmed, with positions: quoted phrases
PAIRS = "pairs"  # each two neighbouring body stems as one term ("social_care"): nearness
PAIR_SEP = "_"
DEFINED = "defined"  # acronyms the passage defines, "SF=long form" (indexing.search_terms)
PLAN = "plan"
KIND = "kind"
STAGE = "stage"
RELATION = "relation"
STATUS = "status"

_KINDS = frozenset(k.value for k in Kind)
_PAIR_TERMS = pairs_analyzer(PAIR_SEP)
ADJACENT_BOOST = 2.0  # weight of the optional "words side by side" clause (``pairs``; 0: off)
RELAX_MAX_WORDS = 6  # the soft AND (``_relaxed``) is built for at most this many plain words
RELAX_MISSING = 2  # how many of them a passage of the soft AND may miss
# a synonym's pair terms: scored as one or two rare terms, a passage holding only the synonym
# ranked far below passages holding the typed words (tuning queries; 3.0 gave the same)
EXPANSION_BOOST = 2.0
DERIVED_BOOST = 0.5  # a derived word's base ("academisation" -> academy) ranks below the word

NOTICE_TOO_MANY_TERMS = f"Only the first {MAX_TERMS} terms were used"
NOTICE_EMPTY = "Type a word or phrase to search for"
NOTICE_ONLY_NOT = "Add a word to search for: NOT and - only exclude"
NOTICE_DEEP = f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored"

# --- compiling to Whoosh ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query ready to run, or ``query is None`` with a notice saying why not."""

    query: wq.Query | None
    interpreted: str
    notices: tuple[str, ...] = ()
    highlight_terms: frozenset[str] = frozenset()
    highlight_prefixes: tuple[tuple[str, str], ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()  # quoted phrases, as ``exact_words`` gives them
    near: tuple[str, ...] = ()  # stems of the plain words, for ranking by proximity
    # passages holding most, not all, of the plain words: shown after every full match when
    # the full matches do not fill the page (see ``_relaxed``); None when nothing can relax
    relaxed: tuple[wq.Query, ...] = ()  # [i]: all but i + 1 of the plain words
    # relaxed[0]'s ANDs one by one: with every full match masked, a passage matches at most one
    # (holding two, it holds every word), so the tier's best hits are theirs merged, and one
    # search each is cheaper than Whoosh's union over all of them (``search_fetch._fill``)
    relaxed_parts: tuple[wq.Query, ...] = ()

    @property
    def notice(self) -> str:
        return "; ".join(self.notices)


@dataclass
class _Ctx:
    table: SynonymTable
    terms: set[str] = field(default_factory=set)
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    near: list[str] = field(default_factory=list)
    plans: frozenset[str] | None = None  # the library's plan names, for plan: filters
    refused: list[str] = field(default_factory=list)  # notices of filters that cannot be read


def _text_clause(st: list[str]) -> wq.Query:
    """Words match the passage's own text only: its heading ranks (``search_hits.rerank``),
    never matches (issue 13). Searching ``body OR heading`` for every word also made Whoosh's
    part of a search about 1.5x raw Whoosh's."""
    return wq.Term(BODY, st[0]) if len(st) == 1 else wq.Phrase(BODY, st)


def _expansion_text(text: str, st: list[str]) -> wq.Query:
    """A synonym's words as the ``pairs`` terms the index holds for them, all required: a
    phrase over common words walked long posting lists (~12 ms each at 20x); pairs are rare."""
    pairs = [wq.Term(PAIRS, t, boost=EXPANSION_BOOST)
             for t in dict.fromkeys(t.text for t in _PAIR_TERMS(text))]
    if len(st) < 2 or not pairs:
        return _text_clause(st)
    return pairs[0] if len(pairs) == 1 else wq.And(pairs)


def _quote(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


def _expansion_clauses(
    ctx: _Ctx, acronyms: Iterable[str], phrases: Iterable[str], hl: bool, *, tagged: bool = False
) -> tuple[list[wq.Query], list[str]]:
    """Clauses for synonyms of what was typed. With ``tagged`` (the phrases are expansions of
    an acronym already in the query), a phrase the index tags with its acronym
    (``SynonymTable.tags``) needs no clause of its own: the acronym's term finds it."""
    clauses: list[wq.Query] = []
    shown: list[str] = []
    for a in acronyms:
        if acronym_form(a) == a:
            clauses.append(wq.Term(ACRONYMS, a))
            if hl:
                ctx.terms.add(a)
        else:  # a mixed-case short form the text defines ("LoCANR") is indexed as a word
            st = stems(a)
            if not st:
                continue
            clauses.append(_text_clause(st))
            if hl:
                ctx.terms.update(st)
        shown.append(a)
    for p in phrases:
        st = stems(p)
        acr = acronym_tokens(p)
        if tagged and ctx.table.is_tagged(p):
            shown.append(_quote(p))
            if hl:
                ctx.terms.update(st)
            continue
        parts = ([_expansion_text(p, st)] if st else []) + [wq.Term(ACRONYMS, a) for a in acr]
        if not parts:
            continue
        clauses.append(parts[0] if len(parts) == 1 else wq.And(parts))
        shown.append(_quote(p))
        if hl:
            ctx.terms.update(st)
            ctx.terms.update(acr)
    return clauses, shown


def _compile_word(
    w: _Word, ctx: _Ctx, hl: bool, joined: tuple[str, ...] = ()
) -> tuple[wq.Query, str] | None:
    """One plain word. ``joined``: stems of this word written together with a neighbour
    ("medium sized" -> "mediumsized"), also matched."""
    table = ctx.table
    if w.prefix:
        lower = w.raw.lower()
        clauses: list[wq.Query] = []
        for p in dict.fromkeys((lower, porter_stem(lower))):
            clauses.append(wq.Prefix(BODY, p))
            if hl:
                ctx.prefixes.append((BODY, p))
        # The index holds stems, and a stem can be shorter than the typed prefix ("educat*":
        # education -> "educ"), so also try the prefix cut by one or two letters, as exact terms.
        if len(lower) >= 5:
            for k in range(max(4, len(lower) - 2), len(lower)):
                clauses.append(wq.Term(BODY, lower[:k]))
                if hl:
                    ctx.terms.add(lower[:k])
        if w.raw.isupper():
            clauses.append(wq.Prefix(ACRONYMS, w.raw))
            if hl:
                ctx.prefixes.append((ACRONYMS, w.raw))
        return wq.Or(clauses), w.raw + "*"
    acr = acronym_form(w.raw)
    if acr is not None:
        expansions = table.expansions(acr)
        clauses = [wq.Term(ACRONYMS, acr)]
        if hl:
            ctx.terms.add(acr)
        if expansions:
            more, shown = _expansion_clauses(ctx, (), expansions, hl, tagged=True)
            clauses += more
            return wq.Or(clauses), "(" + " OR ".join([acr, *shown]) + ")"
        st = stems(w.raw.lower())
        if st:
            clauses.append(_text_clause(st))
            if hl:
                ctx.terms.update(st)
        return (wq.Or(clauses) if len(clauses) > 1 else clauses[0]), w.raw
    st = stems(w.raw)
    if not st:
        return None  # a stop word
    clauses = [_text_clause(st)]
    if hl:
        ctx.terms.update(st)
    # joined forms and the other spelling count as the word itself; a derived base ranks lower
    same = [*joined, *((*spelling_stems(w.raw), *irregular_stems(w.raw)) if len(st) == 1 else ())]
    extra_stems = [*same, *(derived_stems(w.raw) if len(st) == 1 else ())]
    for n, js in enumerate(extra_stems):
        boost = 1.0 if n < len(same) else DERIVED_BOOST
        clauses.append(wq.Term(BODY, js, boost=boost))
        if hl:
            ctx.terms.add(js)
    if not w.raw.islower() and not w.raw.istitle():
        learned = table.expansions(w.raw)  # a mixed-case short form ("LoCANR")
        if learned:
            more, _ = _expansion_clauses(ctx, (), learned, hl, tagged=True)
            clauses += more
    upper = acronym_form(w.raw.upper())
    shown = [w.raw]
    if upper is not None and upper not in table.exact:
        clauses.append(wq.Term(ACRONYMS, upper))
        if hl:
            ctx.terms.add(upper)
        more, extra = _expansion_clauses(ctx, (), table.expansions(upper), hl, tagged=True)
        clauses += more
        shown += [upper] * bool(more or extra) + extra
    q = wq.Or(clauses) if len(clauses) > 1 else clauses[0]
    text = shown[0] if len(shown) == 1 else "(" + " OR ".join(shown) + ")"
    return q, text


def _compile_phrase(p: _Phrase, ctx: _Ctx, hl: bool) -> tuple[wq.Query, str] | None:
    """A quoted phrase: passages whose own text holds these words in this order.

    Matched on the unstemmed ``exact`` field, stop words included, never through a heading and
    never expanded by the synonym table. A heading that holds the phrase only raises the rank.
    A quoted ALL-CAPS word is that acronym only.
    """
    words = exact_words(p.text)
    if not words:
        return None
    raws = [f for m in TOKEN.finditer(p.text) for f, _, _, _ in word_parts(m.group(0))]
    acr = [a for a in (acronym_form(r) for r in raws) if a]
    if len(raws) == 1 and acr:
        if hl:
            ctx.terms.add(acr[0])
        return wq.Term(ACRONYMS, acr[0]), _quote(p.text)
    own: wq.Query = wq.Term(EXACT, words[0]) if len(words) == 1 else wq.Phrase(EXACT, words)
    if acr:  # SEND, not "send": the acronym must be there as capitals too
        own = wq.And([own, *(wq.Term(ACRONYMS, a) for a in dict.fromkeys(acr))])
    st = stems(p.text)
    if hl:
        ctx.terms.update(st)
        ctx.terms.update(acr)
        ctx.phrases.append(tuple(words))
    # a heading that holds the phrase ranks its passages first: in the re-rank (search_fetch),
    # since an AndMaybe(heading) clause kept Whoosh from skipping blocks (~15 ms at 20x)
    return own, _quote(p.text)


def _compile_field(f: _Field, ctx: _Ctx, hl: bool) -> tuple[wq.Query, str] | None:
    value = f.value
    if problem := filter_problem(f.name, value, ctx.plans):
        ctx.refused.append(problem)  # no search runs: the notice says why (parse_query)
        return None
    if f.name == "date":
        q = parse_date_filter(value)
        if q is not None:
            return q, f"date:{value}"
    elif f.name == "kind":
        v = value.lower()
        if v in _KINDS:
            return wq.Term(KIND, v), f"kind:{v}"
    elif f.name in ("plan", "stage", "relation", "status"):
        v = value.lower()
        field = {"plan": PLAN, "stage": STAGE, "relation": RELATION, "status": STATUS}[f.name]
        return wq.Term(field, v), f"{f.name}:{v}"
    # Not a usable filter value: search the text as plain words.
    words = [_Word(m.group(0)) for m in TOKEN.finditer(f"{f.name} {value}")]
    return _compile_and(tuple(words), ctx, hl)


def _synonym_groups(children: tuple, ctx: _Ctx) -> list:
    """Replace runs of plain words that spell a table phrase with a group node."""
    limit = ctx.table.max_key_len
    if not limit:
        return list(children)
    out: list = []
    i = 0
    n = len(children)
    while i < n:
        node = children[i]
        matched = False
        if isinstance(node, _Word) and not node.prefix:
            key: list[str] = []
            best = None
            for j in range(i, min(n, i + 2 * limit + 1)):
                w = children[j]
                if not isinstance(w, _Word) or w.prefix:
                    break
                st = stems(w.raw.lower())
                if not key and not st:
                    break
                key += st
                if len(key) > limit:
                    break
                if st and any(ctx.table.alternatives(tuple(key))):
                    best = j
            if best is not None:
                out.append(("syn", children[i : best + 1]))
                i = best + 1
                matched = True
        if not matched:
            out.append(node)
            i += 1
    return out


def _compile_and(children: tuple, ctx: _Ctx, hl: bool) -> tuple[wq.Query, str] | None:
    typed = _without_question_words(children)
    children, weak = _split_weak(typed)
    parts: list[tuple[wq.Query, str]] = []
    items = _synonym_groups(children, ctx)
    joins = _joins(items)
    for n, item in enumerate(items):
        if isinstance(item, tuple) and item[0] == "syn":
            words = item[1]
            wj = _joins(list(words))
            inner = [c for c in (_compile_word(w, ctx, hl, wj[i]) for i, w in enumerate(words))
                     if c]
            text = " ".join(w.raw for w in words)
            base = inner[0][0] if len(inner) == 1 else wq.And([q for q, _ in inner])
            alt_acr, alt_phr = ctx.table.alternatives(phrase_key(text))
            more, extra = _expansion_clauses(ctx, alt_acr, alt_phr, hl)
            parts.append((wq.Or([base, *more]), "(" + " OR ".join([text, *extra]) + ")"))
            continue
        c = (_compile_word(item, ctx, hl, joins[n]) if isinstance(item, _Word)
             else _compile(item, ctx, hl))
        if c is not None:
            parts.append(c)
    if not parts:
        return None
    # a query that is one table phrase ("working from home") is ranked by nearness too
    q: wq.Query = parts[0][0] if len(parts) == 1 else wq.And([q for q, _ in parts])
    shown = parts[0][1] if len(parts) == 1 else " AND ".join(t for _, t in parts)
    words = _near_words(children)
    if hl and words and not ctx.near:
        ctx.near = words
    if weak:  # a weak word side by side with another ("older people") still ranks first
        words = _near_words(typed)
    if ADJACENT_BOOST and len(plain := [w for w in words if acronym_form(w) is None]) >= 2:
        # two of the words side by side, in the order typed (stop words between them do not
        # count): such a passage ranks above one that scatters them through a long section.
        # One term of the ``pairs`` field per pair: a phrase query cost four times the search
        pairs = [wq.Term(PAIRS, f"{a}{PAIR_SEP}{b}", boost=ADJACENT_BOOST)
                 for a, b in zip(plain, plain[1:], strict=False)]
        if _pair_implies(items, plain):  # same hits and scores, and Whoosh's Or is cheaper
            q = wq.Or([q, pairs[0]])
        else:
            q = wq.AndMaybe(q, pairs[0] if len(pairs) == 1 else wq.Or(pairs))
    if weak:  # generic words of a long query only rank (``query_parser.split_weak``)
        opt = [c for c in (_compile_word(w, ctx, hl) for w in weak) if c]
        if opt:
            q = wq.AndMaybe(q, opt[0][0] if len(opt) == 1 else wq.Or([o for o, _ in opt]))
            shown += " (ranked by: " + ", ".join(t for _, t in opt) + ")"
    return q, shown


def _pair_implies(items: list, plain: list[str]) -> bool:
    """Just two plain words of one stem each: a passage holding their pair matches anyway, so
    ``Or(query, pair)`` finds what ``AndMaybe(query, pair)`` finds, with the same scores."""
    return (len(items) == 2 == len(plain)
            and all(isinstance(w, _Word) and not w.prefix and len(stems(w.raw)) == 1
                    for w in items))


def _compile(node, ctx: _Ctx, hl: bool) -> tuple[wq.Query, str] | None:
    if isinstance(node, _Word):
        return _compile_and((node,), ctx, hl)  # a lone word may be a table synonym too
    if isinstance(node, _Phrase):
        return _compile_phrase(node, ctx, hl)
    if isinstance(node, _Field):
        return _compile_field(node, ctx, hl)
    if isinstance(node, _Not):
        c = _compile(node.child, ctx, False)
        return None if c is None else (wq.Not(c[0]), f"NOT {c[1]}")
    if isinstance(node, _And):
        return _compile_and(node.children, ctx, hl)
    if isinstance(node, _Or):
        parts = [c for c in (_compile(ch, ctx, hl) for ch in node.children) if c]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return wq.Or([q for q, _ in parts]), "(" + " OR ".join(t for _, t in parts) + ")"
    return None


def _relaxed(
    children: tuple, table: SynonymTable
) -> tuple[tuple[wq.Query, ...], tuple[wq.Query, ...]]:
    """The "soft AND" of a top-level AND, one query per number of plain words (or table
    phrases) missing, 1 to ``RELAX_MISSING``, at least one word kept; phrases, filters,
    exclusions and groups stay required, so a quoted phrase is never relaxed. Whoosh's
    ``Or(minmatch=)`` is not implemented, so "all but one of n" is the Or of the n ANDs that
    each leave one word out (n is at most ``RELAX_MAX_WORDS``). Returns (the tiers, the first
    tier's ANDs one by one: ``ParsedQuery.relaxed_parts``).
    """
    ctx = _Ctx(table)
    optional: list[wq.Query] = []
    required: list[wq.Query] = []
    items = _synonym_groups(_split_weak(_without_question_words(children))[0], ctx)
    joins = _joins(items)
    for n, item in enumerate(items):
        if isinstance(item, tuple) and item[0] == "syn":
            c = _compile_and(item[1], ctx, False)
            if c is not None:
                optional.append(c[0])
            continue
        c = _compile_word(item, ctx, False, joins[n]) if isinstance(item, _Word) else _compile(
            item, ctx, False)
        if c is not None:
            (optional if isinstance(item, _Word) else required).append(c[0])
    n = len(optional)
    if not 2 <= n <= RELAX_MAX_WORDS:
        return (), ()
    out: list[wq.Query] = []
    parts: list[wq.Query] = []
    for need in range(n - 1, max(0, n - RELAX_MISSING - 1), -1):
        combos = [wq.And(list(combo)) if len(combo) > 1 else combo[0]
                  for combo in combinations(optional, need)]
        q = wq.And([*required, wq.Or(combos)]) if required else wq.Or(combos)
        if _is_positive(q):
            if need == n - 1:
                parts = [(wq.And([*required, c]) if required else c).normalize() for c in combos]
            out.append(q.normalize())
    return tuple(out), tuple(parts)


def _is_positive(q: wq.Query) -> bool:
    """False when the query can only exclude (NOT x, or an AND of NOTs)."""
    if isinstance(q, wq.Not):
        return False
    if isinstance(q, wq.And):
        return any(_is_positive(c) for c in q.subqueries)
    if isinstance(q, wq.Or):
        return all(_is_positive(c) for c in q.subqueries)
    return True


def parse_query(text: str, synonyms: SynonymTable | None = None,
                plans: frozenset[str] | None = None) -> ParsedQuery:
    """Turn what a person typed into a Whoosh query. Never raises on any string.

    Args:
        text: the search-box text, untrusted.
        synonyms: acronym/phrase table; ``None`` means no expansion.
        plans: the library's plan short names, to refuse a ``plan:`` naming none of them.

    Returns:
        A ``ParsedQuery``; ``query`` is None when there is nothing to search for, and
        ``notices`` then says why (as it does when the input was cut or simplified).
    """
    table = synonyms if synonyms is not None else SynonymTable.empty()
    cleaned, notices = clean_query_text(text)
    parser = QueryParser(list(tokens(cleaned)))
    tree = parser.parse()
    if parser.too_deep:
        notices.append(NOTICE_DEEP)
    if parser.too_many:
        notices.append(NOTICE_TOO_MANY_TERMS)
    ctx = _Ctx(table, plans=plans)
    compiled = _compile(tree, ctx, True) if tree is not None else None
    if ctx.refused:  # a filter that cannot be read is an error, as the CLI's --from abc is
        return ParsedQuery(None, cleaned, (*notices, *ctx.refused))
    if compiled is None:
        return ParsedQuery(None, cleaned, (*notices, NOTICE_EMPTY))
    q, shown = compiled
    if not _is_positive(q):
        return ParsedQuery(None, shown, (*notices, NOTICE_ONLY_NOT))
    relaxed, parts = _relaxed(tree.children, table) if isinstance(tree, _And) else ((), ())
    return ParsedQuery(
        q.normalize(),
        shown,
        tuple(notices),
        frozenset(ctx.terms),
        tuple(dict.fromkeys(ctx.prefixes)),
        tuple(dict.fromkeys(ctx.phrases)),
        tuple(ctx.near),
        relaxed,
        parts,
    )
