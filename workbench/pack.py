"""The briefing pack: what the pack writers in ``export`` consume, and how packs are compared.

Owns the frozen value types of a briefing pack (``PackSelection``, ``Citation``,
``LineageStep``, ``StatusEntry``, ``Evidence``, ``PageImage``, ``PackItem``, ``Pack``), the
text sanitiser every writer applies (``sanitise_text``) and the pack's own words. The small
JSON manifest that travels with each export (``manifest_of``) and the "changes since the last
pack" comparison (``diff_packs``) are ``workbench.pack_manifest``'s.
Qt-free and engine-free; emits nothing. Collecting items for a selection from the library is
``workbench.pack_builder``'s job.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from workbench.errors import InvalidInput

__all__ = [
    "KICKER",
    "ONLY_WITH_VERDICT",
    "Citation",
    "Evidence",
    "LineageStep",
    "Pack",
    "PackItem",
    "PackSelection",
    "PageImage",
    "StatusEntry",
    "item_heading",
    "quoted",
    "quoted_query",
    "sanitise_text",
    "verdict_label",
    "without_list_mark",
]

REGENERATION_NOTE = ("The exact selection is stored inside this file (PDF and Word) and in the "
                     "library's record of exported packs, so “changes since” can compare with it.")

KICKER = "Briefing pack"
ONLY_WITH_VERDICT = ("Only items with a verdict confirmed by an officer; items with no verdict "
                     "yet, or only a proposal, are left out")

# --- text -----------------------------------------------------------------------------------

# Characters no writer may emit: lone surrogates (not encodable, break lxml and PDF text),
# C0 controls except TAB/LF (XML 1.0 forbids them: pdf2docx #126, Ghostwriter #709), DEL and
# C1 controls (XML-legal but never text; Pango draws them as hex boxes), and the BMP
# non-characters U+FFFE/U+FFFF (XML-invalid). Bidi controls, ZWJ and soft hyphens are text and
# stay.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def sanitise_text(text: str | None) -> str:
    """Make untrusted text safe for every writer, keeping it otherwise literal.

    CR LF and lone CR become LF; characters XML cannot carry (see ``_INVALID``) become U+FFFD;
    the result is NFC. Markup such as ``<b>`` or ``]]>`` is *not* touched here: it is text, and
    each writer escapes it on the way out.

    Args:
        text: any string, possibly with lone surrogates; ``None`` gives "".

    Returns:
        The cleaned, NFC-normalised text.

    >>> sanitise_text("caf\\u0065\\u0301 <b>\\x00\\ud800")
    'café <b>\\ufffd\\ufffd'
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVALID.sub(REPLACEMENT, text)
    return unicodedata.normalize("NFC", text)


def _clean_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sanitise_text(v) for v in values)


# --- selection ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackSelection:
    """Which commitments go into a pack: the saved filter recorded in the colophon.

    Empty fields do not filter. ``basket`` holds the UUIDs (or keys) of hand-picked
    commitments and annotations, in the order the officer picked them. ``with_verdict`` keeps
    only the items with an officer's confirmed verdict (into ``to_plan`` when given): a
    plan-pair pack is otherwise mostly items that only "first appear" (fix11).
    """

    search: str = ""
    saved_search: str = ""  # the name of a saved search, when the pack was made from one
    tag: str = ""
    from_plan: str = ""  # slug
    to_plan: str = ""  # slug
    relation: str = ""
    status: str = ""
    basket: tuple[str, ...] = ()
    with_verdict: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with every field (stable keys, for manifests and colophons)."""
        return {
            "search": self.search,
            "saved_search": self.saved_search,
            "tag": self.tag,
            "from_plan": self.from_plan,
            "to_plan": self.to_plan,
            "relation": self.relation,
            "status": self.status,
            "basket": list(self.basket),
            "with_verdict": self.with_verdict,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackSelection:
        """Read ``to_json`` output; unknown keys are ignored, wrong types refused.

        Raises:
            InvalidInput: a field has the wrong type.
        """
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "basket":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InvalidInput("The pack selection's basket must be a list of ids.")
                values[f.name] = tuple(value)
            elif f.name == "with_verdict":
                if not isinstance(value, bool):
                    raise InvalidInput("The pack selection's with_verdict must be true or "
                                       "false.")
                values[f.name] = value
            else:
                if not isinstance(value, str):
                    raise InvalidInput(f"The pack selection's {f.name} must be text.")
                values[f.name] = value
        return cls(**values)

    def key(self) -> str:
        """A short stable digest: two exports have "the same selection" when keys match."""
        data = self.to_json()
        if not self.with_verdict:  # added in round 12: selections without it keep their keys
            del data["with_verdict"]
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def is_empty(self) -> bool:
        return self == PackSelection()

    def describe(self) -> str:
        """One stable line a person can read, e.g. ``search "net zero"; plans a → b``."""
        parts: list[str] = []
        if self.saved_search:
            parts.append(f"saved search {quoted(self.saved_search)}")
        if self.search:
            parts.append(f"search {quoted_query(self.search)}")
        if self.tag:
            parts.append(f"tag {quoted(self.tag)}")
        if self.from_plan or self.to_plan:
            parts.append(f"plans {self.from_plan or 'any'} → {self.to_plan or 'any'}")
        if self.relation:
            parts.append(f"relation {self.relation}")
        if self.status:
            parts.append(f"status {self.status}")
        if self.basket:
            n = len(self.basket)
            parts.append(f"basket of {n} hand-picked item{'s' if n != 1 else ''}")
        if self.with_verdict:
            parts.append("only items with a verdict")
        return "; ".join(parts) if parts else "all commitments in the library"


_DOUBLE_QUOTES = "\"“”„"  # the phrase marks a query may be typed or pasted with


def quoted(name: str) -> str:
    """A name (a tag, a saved search's name) inside curly quotes, exactly as it is spelt: a
    name is not a query, so its own quote marks stay as they are (``6" pipes`` is shown
    “6" pipes”, not “6‘ pipes”).

    >>> quoted("Climate / Net zero")
    '“Climate / Net zero”'
    """
    return "“" + name.strip() + "”"


def quoted_query(query: str) -> str:
    """A search inside one pair of curly quotes, however it was quoted itself: a phrase typed
    as ``"climate emergency"`` (or pasted as “climate emergency” or „climate emergency“) is
    shown “climate emergency”, not “"climate emergency"”; the phrase marks inside a longer
    query become single quotes, a quotation inside a quotation, paired as the search pairs
    them: in order, whatever their shape („net zero“ opens with „ and closes with “).

    >>> quoted_query('„net zero“ -2050')
    '“‘net zero’ -2050”'
    """
    inner = query.strip()
    if len(inner) >= 2 and inner[0] in _DOUBLE_QUOTES and inner[-1] in _DOUBLE_QUOTES \
            and not any(ch in _DOUBLE_QUOTES for ch in inner[1:-1]):
        inner = inner[1:-1].strip()
    opened = False
    out = []
    for ch in inner:
        if ch in _DOUBLE_QUOTES:
            opened = not opened
            out.append("‘" if opened else "’")
        else:
            out.append(ch)
    return "“" + "".join(out) + "”"


# --- items ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a member can check a passage in the printed plan."""

    plan_title: str
    section: str = ""
    page_label: str = ""

    def text(self) -> str:
        """``Council Plan 2025-2028 · AIM 1: PUTTING RESIDENTS FIRST · p. 6``."""
        parts = [self.plan_title]
        if self.section:
            parts.append(self.section)
        if self.page_label:
            parts.append(f"p. {self.page_label}")
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class LineageStep:
    """One edition's wording of a commitment, and how it relates to the previous edition."""

    plan_title: str
    plan_date: str  # partial ISO date
    stage: str  # a Stage code or free text
    relation: str  # label, e.g. "first appears", "continued", "weakened", "reversed"
    text: str
    citation: Citation
    # True: an officer's confirmed verdict; False: a suggestion no officer has confirmed yet;
    # None: no verdict at all (the edition where it first appears, or nothing reviewed)
    confirmed: bool | None = True
    quoted_above: bool = False  # its wording is the item's quote or successor, printed above

    def verdict(self) -> str:
        """What a reader is told of the step's verdict; "" when there is none to tell."""
        return verdict_label(self.confirmed)


def verdict_label(confirmed: bool | None) -> str:
    """How a pack marks a verdict: confirmed, a suggestion, or "" for none."""
    if confirmed is None:
        return ""
    return "✓ confirmed" if confirmed else "suggested, not yet confirmed"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One delivery-status assessment."""

    status: str
    as_at: str  # partial ISO date
    rationale: str = ""
    by: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """An excerpt that supports an assessment, with where it comes from."""

    quote: str
    citation: Citation


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the page (0–1)


class PageImage(NamedTuple):
    """A rendered page (PNG bytes) and the passage to highlight on it.

    ``item_key`` places the image under its item (else in a closing "Page images" part);
    ``highlights`` are drawn over the image by the PDF writer.
    """

    caption: str
    png: bytes
    item_key: str = ""
    highlights: tuple[Box, ...] = ()


@dataclass(frozen=True, slots=True)
class PackItem:
    """One commitment (or annotation) as the pack shows it."""

    key: str  # the commitment's or annotation's UUID (stable across reindex)
    heading: str
    quote: str
    citation: Citation
    lineage: tuple[LineageStep, ...] = ()
    statuses: tuple[StatusEntry, ...] = ()  # oldest first
    evidence: tuple[Evidence, ...] = ()
    notes: str = ""
    rationale: str = ""
    tags: tuple[str, ...] = ()
    annotator: str = ""
    relation: str = ""  # relation to the successor edition, "" if none
    successor: str = ""  # the successor edition's wording, "" if none
    # Whether the link shown (``relation``) is an officer's confirmed verdict (True) or only a
    # proposal (False); None when there is none ("unreviewed" is none). Set from that one link
    # by the builder: the lineage may hold other steps with the same relation (review, r12).
    # Not in ``content_hash``, so manifests written before it still compare.
    relation_confirmed: bool | None = None

    @property
    def current_status(self) -> StatusEntry | None:
        return self.statuses[-1] if self.statuses else None

    @property
    def quote_in_body(self) -> bool:
        """Whether the quote says more than the heading (else the heading is the quote, and
        writers print it once, as the heading)."""
        return _words(_LIST_MARK.sub("", self.quote, count=1)) != _words(self.heading)

    def content_hash(self) -> str:
        """A digest of everything the pack shows about this item (for "changes since")."""
        shown = _plain(self)
        del shown["relation_confirmed"]  # added later; see the field
        canonical = json.dumps(shown, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()

    def sanitised(self) -> PackItem:
        """A copy whose every text went through ``sanitise_text``."""
        s = sanitise_text
        return PackItem(
            key=s(self.key),
            heading=s(self.heading),
            quote=s(self.quote),
            citation=_clean_citation(self.citation),
            lineage=tuple(
                LineageStep(
                    plan_title=s(step.plan_title),
                    plan_date=s(step.plan_date),
                    stage=s(step.stage),
                    relation=s(step.relation),
                    text=s(step.text),
                    citation=_clean_citation(step.citation),
                    confirmed=step.confirmed,
                    quoted_above=step.quoted_above,
                )
                for step in self.lineage
            ),
            statuses=tuple(
                StatusEntry(s(e.status), s(e.as_at), s(e.rationale), s(e.by))
                for e in self.statuses
            ),
            evidence=tuple(
                Evidence(s(e.quote), _clean_citation(e.citation)) for e in self.evidence
            ),
            notes=s(self.notes),
            rationale=s(self.rationale),
            tags=_clean_tuple(self.tags),
            annotator=s(self.annotator),
            relation=s(self.relation),
            successor=s(self.successor),
            relation_confirmed=self.relation_confirmed,
        )


_LIST_MARK = re.compile(r"^\s*(?:\d+[.)]|[-•–])\s+")  # "3. ", "- ": numbering, not words


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def without_list_mark(text: str) -> str:
    """``text`` without the list numbering or bullet it starts with ("3. ", "• "), as a pack
    numbers its items itself."""
    return _LIST_MARK.sub("", text, count=1)


def item_heading(text: str) -> str:
    """A heading from a commitment's wording: list numbering dropped, then its first sentence
    (up to ". ", "? ", "! " or ": "), whole. Never cut inside a sentence."""
    flat = " ".join(_LIST_MARK.sub("", text, count=1).split())
    found = _SENTENCE_END.search(flat)
    return flat[: found.start() + 1].rstrip(":").rstrip() if found else flat


# a sentence ends at ".", "?" or "!" before a capital or digit ("e.g. foo" goes on), or at ":"
_SENTENCE_END = re.compile(r"(?<=\w)(?:[.?!](?=\s+[^\s\w]*[A-Z0-9])|:(?=\s+\S))")


def _clamp_box(box: Box) -> Box:
    x0, y0, x1, y1 = (min(1.0, max(0.0, float(v))) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _clean_citation(c: Citation) -> Citation:
    return Citation(sanitise_text(c.plan_title), sanitise_text(c.section),
                    sanitise_text(c.page_label))


def _plain(value: Any) -> Any:
    """Dataclasses and tuples to JSON-ready values (bytes as their digest)."""
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Pack:
    """Everything one briefing pack shows, in order. Writers add nothing but layout."""

    title: str
    committee: str
    author: str
    date: str  # the date on the cover, ISO
    as_at: str  # the "as at" date of the facts, ISO
    selection: PackSelection
    library_revision: int
    app_version: str
    items: tuple[PackItem, ...]
    changes_since: tuple[str, ...] | None = None  # None: the option was not asked for
    page_images: tuple[PageImage, ...] = ()
    language: str = "en-GB"
    extra: Mapping[str, str] = field(default_factory=dict)  # more colophon lines, in order
    selection_text: str = ""  # the selection in words, with plan titles ("" = describe())

    def sanitised(self) -> Pack:
        """A copy whose every text went through ``sanitise_text`` (writers call this)."""
        s = sanitise_text
        return Pack(
            title=s(self.title),
            committee=s(self.committee),
            author=s(self.author),
            date=s(self.date),
            as_at=s(self.as_at),
            selection=PackSelection(
                search=s(self.selection.search),
                saved_search=s(self.selection.saved_search),
                tag=s(self.selection.tag),
                from_plan=s(self.selection.from_plan),
                to_plan=s(self.selection.to_plan),
                relation=s(self.selection.relation),
                status=s(self.selection.status),
                basket=_clean_tuple(self.selection.basket),
                with_verdict=bool(self.selection.with_verdict),
            ),
            library_revision=int(self.library_revision),
            app_version=s(self.app_version),
            items=tuple(item.sanitised() for item in self.items),
            changes_since=None if self.changes_since is None else _clean_tuple(
                self.changes_since),
            page_images=tuple(
                PageImage(s(p.caption), bytes(p.png), s(p.item_key),
                          tuple(_clamp_box(b) for b in p.highlights))
                for p in self.page_images
            ),
            language=s(self.language) or "en-GB",
            extra={s(k): s(v) for k, v in self.extra.items()},
            selection_text=s(self.selection_text),
        )

    def kicker(self) -> str:
        """The line over the title on the cover: "Briefing pack", unless the title already
        begins with those words (the default title does), so the cover does not say it twice;
        the title itself stays whole, as the file's metadata title."""
        return "" if self.title.strip().casefold().startswith(KICKER.casefold()) else KICKER

    def cover_rows(self) -> list[tuple[str, str]]:
        """The cover's facts as (label, value), for every writer. A fact nobody gave (no
        author) is left out, not printed as an empty row. The committee is not a row: every
        writer prints it under the title (qa12: the cover said it twice)."""
        rows = [("Date", self.date),
                ("Prepared by", self.author), ("Facts as at", self.as_at),
                ("Commitments covered", str(len(self.items))),
                ("Items included", ONLY_WITH_VERDICT if self.selection.with_verdict else ""),
                ("Verdicts on the next edition", self.verdict_counts())]
        return [(label, value) for label, value in rows if value.strip()]

    def verdict_counts(self) -> str:
        """For a pack about a later plan (``--to``): how many items have each confirmed
        verdict, how many only a proposal and how many none yet, verdicts most frequent first
        ("1 reversed, 1 continued; 2 proposed, not yet confirmed; 327 with no verdict yet"),
        so a clerk sees from the cover that most pages say only "first appears" (fix11).
        A proposal is not a verdict, nor is "unreviewed" (review, round 11). "" for other
        packs."""
        if not self.selection.to_plan:
            return ""
        counts: dict[str, int] = {}
        proposed = none = 0
        for item in self.items:
            confirmed = item.relation_confirmed
            if confirmed is None:
                none += 1
            elif confirmed:
                counts[item.relation] = counts.get(item.relation, 0) + 1
            else:
                proposed += 1
        parts = [", ".join(f"{n} {relation}" for relation, n in
                           sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))]
        if proposed:
            parts.append(f"{proposed} proposed, not yet confirmed")
        if none:
            parts.append(f"{none} with no verdict yet")
        return "; ".join(part for part in parts if part)

    def colophon(self) -> list[tuple[str, str]]:
        """The lines that say, in words, how to regenerate the same pack, as (label, value).
        The exact filter travels as data (``manifest_of``), not printed here."""
        rows = [
            ("Selection", self.selection_text or self.selection.describe()),
            ("As at", self.as_at),
            ("Library revision", str(self.library_revision)),
            ("App version", f"Plan Workbench {self.app_version}"),
            ("Items", str(len(self.items))),
        ]
        rows += list(self.extra.items())
        rows.append(("Regeneration data", REGENERATION_NOTE))
        return rows
