"""The Whoosh full-text index: one schema, always rebuildable, synced by fingerprint (STYLE R9).

``WhooshSearchIndex`` implements ``workbench.ports.SearchIndex``. SQLite is the truth and this
index is a cache: any exception while opening or searching (missing or damaged files, a schema
or ``SCHEMA_VERSION`` mismatch) wipes it, recreates it empty and sets ``needs_rebuild``; the
caller (``workbench.services``) then calls ``rebuild(docs)`` or ``sync(wanted, load)``. Searches
meanwhile return no hits and the notice ``REBUILDING_NOTICE``.

Concurrency: one writer at a time (a ``threading.Lock`` in this process, Whoosh's own file lock
across processes; a busy lock is waited on for ``LOCK_WAIT_S`` and then reported as
``LibraryLocked``). Every writer ends in ``commit()`` or ``cancel()``. Searches share one searcher,
refreshed when the index changes, behind a lock. This departs from R9's searcher per thread: a
single searcher can be closed before the files are wiped, which Windows requires (open or mapped
files cannot be deleted there), and searches are short and human-paced.

Emits no events; long operations report to a ``TaskState``.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import IDAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.writing import CLEAR

from indexing.analysis import exact_analyzer
from indexing.index_feed import IndexFeed
from indexing.query import (
    ACRONYMS,
    BODY,
    DATE_END,
    DATE_START,
    DEFINED,
    EXACT,
    HEADING,
    KIND,
    PAIR_SEP,
    PAIRS,
    PLAN,
    RELATION,
    STAGE,
    STATUS,
    ParsedQuery,
    SynonymTable,
    acronym_tokens,
    body_analyzer,
    date_bounds,
    date_range_query,
    load_default_synonyms,
    pairs_analyzer,
    parse_query,
    stems,
)
from indexing.query_filters import known_plans
from indexing.search_fetch import FILL_MAX_LIMIT, MAX_LIMIT, NOTICE_SOME_WORDS, collect
from indexing.search_hits import SNIPPET_CHARS, TAILS, Citations, tail_terms, to_hit
from indexing.search_scoring import FastBM25F
from indexing.search_terms import definition_terms, parse_definition, respell
from workbench.errors import Cancelled, LibraryLocked
from workbench.model import IndexDoc, SearchFilters, SearchResult, is_partial_iso_date
from workbench.ports import IndexCheck, LoadDocs
from workbench.tasks import TaskState

__all__ = [
    "FILL_MAX_LIMIT",
    "INDEX_NAME",
    "LOCK_WAIT_S",
    "MAX_LIMIT",
    "NOTICE_SOME_WORDS",
    "REBUILDING_NOTICE",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SNIPPET_CHARS",
    "VERSION_FILE",
    "WhooshSearchIndex",
    "doc_fields",
    "filter_query",
]

log = logging.getLogger(__name__)

#: Bump whenever SCHEMA or the analyzers change: a stored index with another version is rebuilt
#: (what each version changed: docs/ARCHITECTURE.md, "Search index versions").
SCHEMA_VERSION = 7
VERSION_FILE = "workbench-index-version.json"
STATE_FILE = "workbench-index-state.json"  # the library revision the index reflects
INDEX_NAME = "MAIN"
LOCK_WAIT_S = 3.0
LIMIT_MB = 512  # 128 spilled sorted runs to disk on a 700-page import: -20 % CPU, +100 MB
LOAD_BATCH = 200
MAX_PREFIX_HIGHLIGHT = 50
# a learned long form is searched if a word of it is in at most this share of the passages (or
# this many); 1.0: always, since expansions are word pairs (cheap even for common words)
LEARNED_MAX_SHARE = 1.0
LEARNED_MIN_DF = 20
REBUILDING_NOTICE = "Rebuilding the search index…"

SCHEMA = Schema(
    **{
        "key": ID(stored=True, unique=True, sortable=True),
        KIND: ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        "item_id": STORED(),
        PLAN: ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        "plan_title": STORED(),
        "plan_date": ID(stored=True, sortable=True),  # as given: "2011", "2020-03", ""
        DATE_START: ID(sortable=True),  # "2020" -> "2020-01-01": range filters and sorting
        DATE_END: ID(sortable=True),  # "2020" -> "2020-12-31"
        STAGE: ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        # every relation of the links from a commitment, space-separated ("reversed modified")
        RELATION: KEYWORD(stored=True, lowercase=True),
        STATUS: ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        "path": STORED(),  # JSON list of headings
        HEADING: TEXT(analyzer=body_analyzer(), stored=True, field_boost=2.0),
        "page_label": STORED(),
        "page_index": STORED(),
        BODY: TEXT(analyzer=body_analyzer(), stored=True),  # stored for snippets
        ACRONYMS: KEYWORD(lowercase=False, scorable=True),  # ALL-CAPS tokens, verbatim
        EXACT: TEXT(analyzer=exact_analyzer()),  # the body's words unstemmed: quoted phrases
        PAIRS: TEXT(analyzer=pairs_analyzer(PAIR_SEP), phrase=False),  # nearness, one term
        TAILS: KEYWORD(),  # sections only: hashed (plan, path tail) terms, for citations
        # "SF=long form" per acronym the passage defines; the field's lexicon is the library's
        # own acronym table (``WhooshSearchIndex._table``)
        DEFINED: KEYWORD(commas=True, lowercase=False),
        "fingerprint": ID(stored=True, sortable=True),
    }
)

_WHOOSH_FILE_PREFIXES = (f"{INDEX_NAME}_", f"_{INDEX_NAME}_")


def doc_fields(doc: IndexDoc, synonyms: SynonymTable | None = None) -> dict[str, object]:
    """The Whoosh document for one passage; ``synonyms`` tags the acronyms of the expansions
    it holds (``SynonymTable.tags``)."""
    body = unicodedata.normalize("NFC", doc.body)
    heading = unicodedata.normalize("NFC", doc.heading)
    fields: dict[str, object] = {
        "key": doc.key,
        "kind": doc.kind,
        "item_id": doc.item_id,
        "plan": doc.plan,
        "plan_title": doc.plan_title,
        "plan_date": doc.plan_date,
        "stage": doc.stage,
        "relation": doc.relation,
        "status": doc.status,
        "path": json.dumps(list(doc.path), ensure_ascii=False),
        "heading": heading,
        "page_label": doc.page_label,
        "page_index": doc.page_index,
        "body": body,
        "acronyms": " ".join(
            acronym_tokens(heading) + acronym_tokens(body)
            + (synonyms.tags(heading) + synonyms.tags(body) if synonyms is not None else [])
        ),
        "exact": body,
        "pairs": body,
        "defined": ",".join(x for x in (definition_terms(heading), definition_terms(body)) if x),
        "tails": tail_terms(doc.kind, doc.plan, doc.path),
        "fingerprint": doc.fingerprint,
    }
    if doc.plan_date and is_partial_iso_date(doc.plan_date):
        fields["date_start"], fields["date_end"] = date_bounds(doc.plan_date)
    return fields


def filter_query(filters: SearchFilters | None) -> tuple[wq.Query | None, list[str]]:
    """The Whoosh filter for the ``SearchFilters``, and notices for values it ignored."""
    if filters is None:
        return None, []
    notices: list[str] = []
    clauses: list[wq.Query] = []
    for values, fieldname in (
        (filters.plans, PLAN),
        (filters.kinds, KIND),
        (filters.stages, STAGE),
        (filters.relations, RELATION),
        (filters.statuses, STATUS),
    ):
        terms = [wq.Term(fieldname, v.lower()) for v in values if v]
        if terms:
            clauses.append(terms[0] if len(terms) == 1 else wq.Or(terms))
    dates = []
    for d in (filters.date_from, filters.date_to):
        if d and not is_partial_iso_date(d):
            notices.append(f"Ignored the date {d!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
            d = ""
        dates.append(d)
    if dq := date_range_query(dates[0], dates[1]):
        clauses.append(dq)
    if not clauses:
        return None, notices
    return (clauses[0] if len(clauses) == 1 else wq.And(clauses)), notices


class WhooshSearchIndex:
    """A ``SearchIndex`` stored in ``directory`` (created if missing).

    Args:
        directory: a folder owned by this index. Only Whoosh's ``MAIN_*`` files and the
            version file are ever deleted from it.
        synonyms: the acronym/phrase table; ``None`` loads ``resources/synonyms.tsv``.
    """

    def __init__(self, directory: Path, synonyms: SynonymTable | None = None) -> None:
        self.directory = Path(directory)
        self.synonyms = synonyms if synonyms is not None else load_default_synonyms()
        self._write_lock = threading.Lock()
        self._read_lock = threading.RLock()
        self._ix: windex.Index | None = None
        self._searcher = None
        self._citations: Citations | None = None  # cached against the current searcher
        self._learned: tuple[object, SynonymTable] | None = None  # (searcher, table)
        self._feed: IndexFeed | None = None  # a writer fed during an import (begin_feed)
        self.needs_rebuild = False
        self.last_error = ""
        with self._write_lock:
            self._open()

    # --- lifecycle ---------------------------------------------------------------------------

    def _open(self) -> None:
        """Open the stored index, or recreate it empty when anything is wrong with it."""
        # Whoosh leaves the file it failed to read open (and unreferenced once the traceback
        # goes): silence that ResourceWarning here; _reset() collects such files.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                if self._stored_version() == self._version() and windex.exists_in(
                    self.directory, INDEX_NAME
                ):
                    ix = windex.open_dir(self.directory, indexname=INDEX_NAME)
                    if sorted(ix.schema.names()) != sorted(SCHEMA.names()):
                        raise ValueError("schema differs")
                    with ix.searcher() as s:
                        s.doc_count()
                    self._ix = ix
                    return
                reason = "missing or other schema version"
            except Exception as exc:  # any damage means: throw the cache away
                reason = f"{type(exc).__name__}: {exc}"
        fresh = not any(self.directory.glob("*")) if self.directory.exists() else True
        # a new library has no index yet: that is normal, not worth a warning
        (log.info if fresh else log.warning)(
            "search index at %s unusable (%s); recreating it", self.directory, reason
        )
        self.last_error = reason
        self._reset()

    def _version(self) -> dict[str, object]:
        """What the version file must say for the stored index to be used as it is."""
        return {"schema_version": SCHEMA_VERSION, "synonyms": self.synonyms.fingerprint}

    def _stored_version(self) -> dict[str, object] | None:
        try:
            data = json.loads((self.directory / VERSION_FILE).read_text("utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError, TypeError):
            return None

    def _close_searcher(self) -> None:
        with self._read_lock:
            if self._searcher is not None:
                try:
                    self._searcher.close()
                except Exception:  # a damaged index may fail to close; it is going anyway
                    log.debug("closing a searcher failed", exc_info=True)
                self._searcher = None

    def _reset(self) -> None:
        """Wipe our files and create an empty index. Caller holds the write lock."""
        self._close_searcher()
        self._ix = None
        self.needs_rebuild = True
        # Whoosh leaks the file objects of a TOC or segment it failed to read; collect them now
        # so they are closed before the files are deleted (Windows cannot delete open files).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        self.directory.mkdir(parents=True, exist_ok=True)
        for p in self.directory.iterdir():
            if p.name in (VERSION_FILE, STATE_FILE) or p.name.startswith(_WHOOSH_FILE_PREFIXES):
                if p.is_file() or p.is_symlink():
                    try:
                        p.unlink()
                    except PermissionError:  # Windows: another process still has it open
                        # harmless: the new index starts a new generation and never reads it
                        log.info("left %s in place: it is still open elsewhere", p.name)
        self._ix = windex.create_in(self.directory, SCHEMA, indexname=INDEX_NAME)
        tmp = self.directory / (VERSION_FILE + ".tmp")
        tmp.write_text(json.dumps(self._version()), "utf-8")
        tmp.replace(self.directory / VERSION_FILE)

    # -- which library revision the index reflects -------------------------------------------

    def synced_revision(self) -> int | None:
        """The library revision recorded by the last complete sync or rebuild (None: unknown)."""
        try:
            data = json.loads((self.directory / STATE_FILE).read_text("utf-8"))
            return int(data["revision"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def mark_synced(self, revision: int) -> None:
        """Record that the index now matches library revision ``revision`` (atomic write)."""
        tmp = self.directory / (STATE_FILE + ".tmp")
        try:
            tmp.write_text(json.dumps({"revision": int(revision)}), "utf-8")
            tmp.replace(self.directory / STATE_FILE)
        except OSError as exc:  # a cache note only: the next open syncs again
            log.warning("could not record the index revision: %s", exc)

    def _recover_after_read_error(self, exc: BaseException) -> None:
        """A search failed: recreate the index unless a writer is busy (it will replace it)."""
        log.warning("search failed (%s: %s); recreating the index", type(exc).__name__, exc)
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.needs_rebuild = True
        if self._write_lock.acquire(blocking=False):
            try:
                self._reset()
            except Exception:
                log.exception("could not recreate the search index at %s", self.directory)
            finally:
                self._write_lock.release()

    def close(self) -> None:
        """Release the searcher. The object may still be used; it reopens on demand."""
        self._close_searcher()

    def __enter__(self) -> WhooshSearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def doc_count(self) -> int:
        with self._read_lock:
            return self._current_searcher().doc_count()

    # --- writing -----------------------------------------------------------------------------

    def _writer(self):
        if self._ix is None:
            self._reset()
        assert self._ix is not None
        try:
            return self._ix.writer(procs=1, limitmb=LIMIT_MB, timeout=LOCK_WAIT_S, delay=0.1)
        except windex.LockError as exc:
            raise LibraryLocked(
                "The search index is being updated by another Plan Workbench; try again shortly."
            ) from exc

    def begin_feed(self) -> IndexFeed | None:
        """An ``index_feed.IndexFeed`` for an import, or None; sync/rebuild finish it first."""
        self._feed = IndexFeed.open(self._write_lock, self._writer,
                                    lambda doc: doc_fields(doc, self.synonyms),
                                    lambda: setattr(self, "_feed", None))
        return self._feed

    def _settle_feed(self) -> None:
        if (feed := self._feed) is not None:
            feed.finish()

    def _stored_fingerprints(self) -> dict[str, str]:
        assert self._ix is not None
        with self._ix.reader() as r:
            keys = r.column_reader("key", translate=True)
            fps = r.column_reader("fingerprint", translate=True)
            return {keys[d]: fps[d] for d in r.all_doc_ids()}

    def sync(
        self, wanted: Mapping[str, str], load: LoadDocs, state: TaskState | None = None
    ) -> int:
        """Make the index hold exactly ``wanted`` ({key: fingerprint}).

        New or changed keys are loaded in batches and written with ``update_document``; keys
        no longer wanted are deleted. Nothing is visible until the single commit.

        Returns:
            The number of documents written (deletions not counted).

        Raises:
            Cancelled: ``state`` asked to cancel; the index is left as it was.
            LibraryLocked: another process held the index lock for ``LOCK_WAIT_S``.
        """
        state = state or TaskState()
        self._settle_feed()
        with self._write_lock:
            try:
                have = self._stored_fingerprints()
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._reset()
                have = {}
            extra = [k for k in have if k not in wanted]
            todo = [k for k, fp in wanted.items() if have.get(k) != fp]
            if not extra and not todo:  # e.g. after an import's feed: no empty commit
                self.needs_rebuild = False
                return 0
            writer = self._writer()
            written = 0
            try:
                for key in extra:
                    writer.delete_by_term("key", key)
                for start in range(0, len(todo), LOAD_BATCH):
                    if state.cancel_requested:
                        raise Cancelled()
                    batch = todo[start : start + LOAD_BATCH]
                    loaded = load(batch)
                    for doc in loaded:
                        writer.update_document(**doc_fields(doc, self.synonyms))
                        written += 1
                    for key in set(batch) - {d.key for d in loaded}:
                        writer.delete_by_term("key", key)  # vanished since `wanted` was read
                    state.report(
                        progress=min(1.0, (start + len(batch)) / len(todo)),
                        status=f"Indexing {start + len(batch)} of {len(todo)} passages",
                    )
                if state.cancel_requested:
                    raise Cancelled()
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self.needs_rebuild = False
            return written

    def rebuild(self, docs: Iterable[IndexDoc], state: TaskState | None = None) -> int:
        """Replace the whole index with ``docs`` in one commit.

        Searches keep seeing the old contents until the commit. A cancel leaves them.

        Raises:
            Cancelled: ``state`` asked to cancel; the index is left as it was.
            LibraryLocked: another process held the index lock for ``LOCK_WAIT_S``.
        """
        state = state or TaskState()
        total = len(docs) if isinstance(docs, Sequence) else None
        self._settle_feed()
        with self._write_lock:
            try:
                writer = self._writer()
            except LibraryLocked:
                raise
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._reset()
                writer = self._writer()
            seen: set[str] = set()
            try:
                for n, doc in enumerate(docs, 1):
                    if n % 50 == 0 and state.cancel_requested:
                        raise Cancelled()
                    if doc.key in seen:
                        writer.update_document(**doc_fields(doc, self.synonyms))
                    else:
                        writer.add_document(**doc_fields(doc, self.synonyms))
                        seen.add(doc.key)
                    if n % 200 == 0:
                        state.report(
                            progress=n / total if total else None,
                            status=f"Indexed {n} passages",
                        )
                if state.cancel_requested:
                    raise Cancelled()
                writer.commit(mergetype=CLEAR)
            except BaseException:
                writer.cancel()
                raise
            state.report(progress=1.0, status=f"Indexed {len(seen)} passages")
            self.needs_rebuild = False
            return len(seen)

    def check(self, wanted: Mapping[str, str]) -> IndexCheck:
        """Compare the index with ``wanted``; a damaged index reports ``error`` (and is reset)."""
        try:
            have = self._stored_fingerprints()  # a reader: fine while a writer is busy
        except Exception as exc:
            self._recover_after_read_error(exc)
            return IndexCheck(
                missing=tuple(sorted(wanted)),
                stale=(),
                extra=(),
                error=f"The search index was damaged and must be rebuilt ({type(exc).__name__}).",
            )
        return IndexCheck(
            missing=tuple(sorted(k for k in wanted if k not in have)),
            stale=tuple(sorted(k for k, fp in wanted.items() if k in have and have[k] != fp)),
            extra=tuple(sorted(k for k in have if k not in wanted)),
        )

    # --- searching ---------------------------------------------------------------------------

    def _current_searcher(self):
        """The shared searcher, refreshed if a commit happened. Caller holds the read lock."""
        if self._ix is None:
            raise RuntimeError("search index is not open")
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): its reader reuse kept the segments that a
            # commit(mergetype=CLEAR) had dropped (seen with whoosh-reloaded 2.7.5), and it fails
            # on a never-committed index. A fresh searcher per commit is cheap enough.
            old, self._searcher = self._searcher, None
            old.close()
        if self._searcher is None:  # Whoosh's BM25F, lengths read once a segment: same scores
            self._searcher = self._ix.searcher(weighting=FastBM25F())
        return self._searcher

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        *,
        sort: str = "relevance",
    ) -> SearchResult:
        """Run a search-box query. Never raises on user input or index damage.

        Args:
            query: the user's text (see ``indexing.query`` for the syntax).
            filters: plan/kind/stage/date restrictions, combined with AND.
            limit: at most this many hits (1..1000).
            sort: ``"relevance"`` (BM25F, default) or ``"date"`` (newest plan first).

        Returns:
            Hits with ``[[``/``]]`` snippets, the total (exact when it fits in ``limit``, else
            Whoosh's estimate), the interpreted query and the notices joined by "; ".
        """
        fq, notices = filter_query(filters)
        limit = max(1, min(int(limit), MAX_LIMIT))
        try:
            with self._read_lock:
                s = self._current_searcher()
                # plan:nope gets a notice, not a silent nothing; the lexicon is read only
                # for a query that names a plan (not on every search's path)
                plans = known_plans(s) if "plan:" in query.casefold() else None
                parsed = parse_query(query, self._table(s), plans)
                # a misspelt word is searched as the closest word the library has (recall)
                fixed = respell(query, s, self._table(s)) if parsed.query is not None else None
                if fixed is not None:
                    parsed = parse_query(fixed[0], self._table(s), plans)
                    notices.insert(0, fixed[1])
                notices = list(parsed.notices) + notices
                if parsed.query is None:
                    return SearchResult((), 0, parsed.interpreted, "; ".join(notices))
                terms = self._highlight_terms(s, parsed)
                shown, total = collect(s, parsed, fq, terms, limit, sort)
                if self._citations is None or self._citations.searcher is not s:
                    self._citations = Citations(s)
                hits = tuple(to_hit(c, terms, self._citations) for c in shown)
                full = sum(1 for c in shown if c.tier == 0)
                if full < len(shown):
                    notices.append(NOTICE_SOME_WORDS.format(full))
        except Exception as exc:
            self._recover_after_read_error(exc)
            parsed = parse_query(query, self.synonyms)
            notices = list(parsed.notices) + notices
            return SearchResult((), 0, parsed.interpreted, "; ".join([REBUILDING_NOTICE, *notices]))
        if self.needs_rebuild:
            notices.insert(0, REBUILDING_NOTICE)
        return SearchResult(hits, total, parsed.interpreted, "; ".join(notices))

    def _table(self, searcher) -> SynonymTable:
        """The synonym table plus the acronyms the library's own text defines (the ``DEFINED``
        field's lexicon: one entry per distinct definition), read once per searcher."""
        if self._learned is None or self._learned[0] is not searcher:
            pairs = []
            cap = max(LEARNED_MIN_DF, LEARNED_MAX_SHARE * searcher.doc_count())
            for term in searcher.reader().lexicon(DEFINED):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                pair = parse_definition(text)
                # searched as a phrase: only when one of its words is rare enough for that to
                # be cheap ("City Council Office" is all common words: its acronym finds it)
                if pair is not None and min(
                    (searcher.doc_frequency(BODY, st) for st in stems(pair[1])), default=cap + 1
                ) <= cap:
                    pairs.append(pair)
            self._learned = (searcher, self.synonyms.with_definitions(pairs))
        return self._learned[1]

    @staticmethod
    def _highlight_terms(searcher, parsed: ParsedQuery) -> frozenset[str]:
        if not parsed.highlight_prefixes:
            return parsed.highlight_terms
        terms = set(parsed.highlight_terms)
        reader = searcher.reader()
        for fieldname, prefix in parsed.highlight_prefixes:
            for n, btext in enumerate(reader.expand_prefix(fieldname, prefix)):
                if n >= MAX_PREFIX_HIGHLIGHT:
                    break
                terms.add(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
        return frozenset(terms)
