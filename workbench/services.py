"""Use cases that cross packages: import, search, check and reindex a library.

``Workbench`` takes the ports (``Store``, ``SearchIndex``, ``Extractor``) and the library
folder; the composition roots (``ui/compose.py`` for the CLI and the window) build it. Nothing
here knows about Qt, SQLite, PyMuPDF or Whoosh.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.errors import Cancelled, ExtractError, ExtractFailure, InvalidInput
from workbench.library import (
    LibraryPaths,
    ManifestEntry,
    find_pdfs,
    read_manifest,
    sha256_of,
    slugify,
    store_copy,
    stored_sizes,
    unique_slug,
    validate_meta,
)
from workbench.model import (
    Extraction,
    OcrSettings,
    Plan,
    PlanMeta,
    SearchFilters,
    SearchResult,
)
from workbench.ports import Extractor, IndexFeed, SearchIndex, Store
from workbench.safe_extraction import sanitised
from workbench.safe_text import safe_line, safe_text
from workbench.tasks import SubState, TaskState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to one file."""

    path: Path
    status: str  # "imported" | "duplicate" | "refused" | "cancelled"
    message: str
    slug: str = ""
    reason: str = ""  # an ExtractFailure code when refused
    notices: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # file names in messages may hold surrogates (issue 15)
        object.__setattr__(self, "message", safe_text(self.message))
        object.__setattr__(self, "notices", tuple(safe_text(n) for n in self.notices))


@dataclass(slots=True)
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.status == "refused"]


@dataclass(frozen=True, slots=True)
class CheckReport:
    database: tuple[str, ...]
    files: tuple[str, ...]
    index: tuple[str, ...]
    #: things worth knowing that are not damage (e.g. a PDF copy no document uses); ``ok``
    #: ignores them
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.database or self.files or self.index)


@dataclass(slots=True)
class _Job:
    path: Path
    entry: ManifestEntry | None
    sha: str
    outcome: ImportOutcome | None  # set when decided before extraction
    reread: bool = False  # OCR of a file already in the plan being replaced (issue 15)


class Workbench:
    """The headless application: every user-visible operation, without a window."""

    def __init__(
        self,
        paths: LibraryPaths,
        store: Store,
        index: SearchIndex,
        extractor: Extractor,
        make_extractor: Callable[[], Extractor] | None = None,
    ) -> None:
        self.make_extractor = make_extractor
        #: called with a plan's slug after a new version of it is stored; returns a line for the
        #: user (the re-anchoring report "N exact, M moved, K orphaned")
        #: (``force=True`` after an OCR re-reading of the same file, whose anchors name the
        #: same file hash and would otherwise be taken as current)
        self.on_new_version: Callable[..., str] | None = None
        #: more file checks for ``check()``, each returning problem lines
        self.extra_file_checks: list[Callable[[], list[str]]] = []
        self.paths = paths
        self.store = store
        self.index = index
        self.extractor = extractor
        # (library revision, {plan: {page index: OCR confidence}}): search marks its hits from
        # this instead of a query per search (~2 ms at the 20x tier)
        self._ocr_pages: tuple[int, dict[str, dict[int, float]]] = (-1, {})
        #: during an import: the index writer fed each document as it commits (issue 12)
        self._index_feed: IndexFeed | None = None

    # -- import ----------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[Path],
        *,
        password: str | None = None,
        replaces: str | None = None,
        state: TaskState | None = None,
        on_outcome: Callable[[ImportOutcome], None] | None = None,
        workers: int = 1,
        ocr: OcrSettings | None = None,
    ) -> ImportReport:
        """Import PDFs and folders of PDFs. A refused file leaves the library unchanged.

        With ``workers`` > 1 (and an extractor factory), PDFs are parsed in that many worker
        processes at once; the database writes stay on the calling thread, in file order.

        With ``ocr``, pages without a text layer are OCR'd in the worker (issue 15). With
        ``ocr`` and ``replaces``, the plan's own file may be given again: its OCR reading is
        stored as a new version (a re-extraction; records re-anchor).
        """
        state = state or TaskState()
        if replaces and not self.store.slug_exists(replaces):  # before anything is written
            raise InvalidInput(f"No plan called {replaces!r} to replace; "
                               "`workbench plans` lists them.")
        files = find_pdfs(list(paths))
        if replaces and len(files) != 1:
            raise InvalidInput("--replaces takes exactly one PDF.")
        manifests: dict[Path, dict[str, ManifestEntry]] = {}
        report = ImportReport()
        extractors = [self.extractor]
        if workers > 1 and self.make_extractor is not None:
            extractors += [self.make_extractor() for _ in range(min(workers, len(files)) - 1)]
        for extractor in extractors:  # worker processes start while the files are hashed
            warm_up = getattr(extractor, "warm_up", None)
            if warm_up is not None and files:
                warm_up()
        jobs: list[_Job] = []
        sizes = stored_sizes(self.paths)
        try:
            for path in files:
                folder = path.parent
                if folder not in manifests:
                    manifests[folder] = read_manifest(folder)
                jobs.append(self._prepare(path, manifests[folder].get(path.name),
                                          replaces if ocr is not None else None, sizes))
        except BaseException:
            for extractor in extractors[1:]:  # the extra workers end with this call
                extractor.close()
            raise
        total = max(1, len(jobs))
        # two threads an extractor: while one thread sanitises and copies (fsync) a file, the
        # other already waits on the worker for the next one (issue 12, Speed)
        pool = ThreadPoolExecutor(max_workers=2 * len(extractors), thread_name_prefix="extract")
        free: queue.SimpleQueue[Extractor] = queue.SimpleQueue()
        for extractor in extractors:
            free.put(extractor)

        def extract(job: _Job, sub: TaskState) -> tuple[Extraction, str | None]:
            extractor = free.get()
            try:
                if ocr is not None:
                    extraction = extractor.extract(job.path, password=password, state=sub,
                                                   ocr=ocr)
                else:
                    extraction = extractor.extract(job.path, password=password, state=sub)
            finally:
                free.put(extractor)
            # per-file work that needs no database runs here, beside the other workers, not
            # on the thread that writes (issue 12, Speed): the last line of defence (the
            # worker sanitised every string it read, but one it missed must never reach
            # SQLite invalid; offsets stay: same_length) and the durable copy of the file
            extraction = sanitised(extraction)  # same_length_deep, checked in one pass
            sha = job.sha or extraction.sha256  # not hashed before: the worker's hash names it
            if extraction.sha256 != sha:
                return extraction, None  # refused by _finish
            return extraction, store_copy(self.paths, job.path, sha)

        futures: list[Future[tuple[Extraction, str | None]] | None] = []
        for n, job in enumerate(jobs):
            sub = SubState(state, n / total, (n + 1) / total)
            futures.append(pool.submit(extract, job, sub) if job.outcome is None else None)
        # the index is written on its own thread as documents commit, while the workers
        # extract the next files (issue 12, Speed); not for a new version (re-anchoring)
        feed = self._index_feed = (self.index.begin_feed() if replaces is None
                                   and any(f is not None for f in futures) else None)
        imported_any = False
        try:
            for n, (job, future) in enumerate(zip(jobs, futures, strict=True)):
                state.report(n / total, f"Importing {job.path.name} ({n + 1} of {total})")
                outcome = job.outcome or self._finish(job, future, replaces)
                imported_any |= outcome.status == "imported"
                report.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
                if outcome.status == "cancelled" or state.cancel_requested:
                    state.request_cancel()
                    break
        except BaseException:
            if feed is not None:
                feed.cancel()  # the index keeps its last commit; the next open syncs it
            raise
        finally:
            self._index_feed = None
            for future in futures:
                if future is not None:
                    future.cancel()
            pool.shutdown(wait=True)
            for extractor in extractors[1:]:
                extractor.close()
        if imported_any or feed is not None:
            state.report(status="Updating the search index")
            if feed is not None:
                feed.finish()  # then the sync finds the fed passages current
            if imported_any:
                self.sync_index(state=None)
        state.report(1.0, "Import finished")
        return report

    def _prepare(self, path: Path, entry: ManifestEntry | None,
                 ocr_replaces: str | None = None, sizes: set[int] | None = None) -> _Job:
        """Hash the file and look for it in the library (cheap; on the calling thread).
        ``ocr_replaces``: an OCR run that may re-read a file of that plan. ``sizes``: the byte
        sizes of the library's PDF copies (``stored_sizes``); a file of another size is new
        and is not hashed here: the worker hashes the bytes it parses, and that hash names it
        (one read and one hash of the file less; issue 12, Speed)."""
        if sizes is not None and ocr_replaces is None:
            try:
                if path.stat().st_size not in sizes:
                    return _Job(path, entry, "", None)
            except OSError:
                pass  # sha256_of says what is wrong with it
        try:
            sha = sha256_of(path)
        except ExtractError as exc:
            self._log(path, "", "refused", exc.message)
            return _Job(path, entry, "", ImportOutcome(path, "refused", exc.message,
                                                       reason=str(exc.reason)))
        existing = self.store.document_by_sha(sha)
        if existing is not None and ocr_replaces is not None:
            if self._slug_of_plan_id(existing.plan_id) == ocr_replaces:
                return _Job(path, entry, sha, None, reread=True)
        if existing is not None:
            slug = self._slug_of_plan_id(existing.plan_id)
            message = f"{path.name} is already in the library as {slug}."
            return _Job(path, entry, sha, ImportOutcome(path, "duplicate", message, slug))
        return _Job(path, entry, sha, None)

    def _finish(
        self, job: _Job, future: Future[tuple[Extraction, str | None]] | None,
        replaces: str | None,
    ) -> ImportOutcome:
        """Wait for the extraction, then store it in one transaction."""
        path, sha = job.path, job.sha
        assert future is not None
        try:
            try:
                extraction, stored = future.result()  # sanitised and copied by extract()
            except CancelledError:
                return ImportOutcome(path, "cancelled", "Import cancelled.")
            sha = sha or extraction.sha256  # a new file's size: not hashed before extraction
            if extraction.sha256 != sha or stored is None:
                raise ExtractError(
                    ExtractFailure.UNREADABLE, f"{path.name} changed while it was being imported"
                )
            if not job.reread and self.store.document_by_sha(sha) is not None:
                # the same file twice in one batch
                message = f"{path.name} is already in the library."
                return ImportOutcome(path, "duplicate", message)
            if replaces:
                meta = self.store.plan(replaces).meta
                slug = replaces
            else:
                entry = job.entry
                meta = entry.meta if entry else self._meta_from_extraction(path, extraction.title)
                base = entry.slug if entry else slugify(path.name)
                slug = unique_slug(base, exists=self.store.slug_exists)
            verb = "as a new version of" if replaces else "as"
            message = (  # the counts are the plan's once stored: its pages, sections, units
                f"Imported {path.name} {verb} {slug}: {extraction.page_count} pages, "
                f"{len(extraction.sections)} sections, {len(extraction.commitments)} commitments."
            )
            plan = self.store.add_document(  # the import log's row in the same transaction
                slug=slug,
                meta=meta,
                extraction=extraction,
                file_name=safe_line(path.name),
                stored_path=stored,
                replaces=replaces,
                log=(safe_line(str(path)), safe_text(message)),
            )
            self._feed_index(plan)
        except Cancelled:
            return ImportOutcome(path, "cancelled", "Import cancelled.")
        except ExtractError as exc:
            if exc.reason == ExtractFailure.CANCELLED:
                return ImportOutcome(path, "cancelled", "Import cancelled.")
            self._log(path, sha, "refused", exc.message)
            return ImportOutcome(path, "refused", exc.message, reason=str(exc.reason))
        notices = []
        if extraction.repaired:
            notices.append(f"{path.name} was damaged and has been repaired; check its text.")
        notices += ocr_notices(extraction, plan.slug)
        if extraction.copy_restricted:
            notices.append("The PDF's permissions forbid copying; the restriction is recorded.")
        if replaces and self.on_new_version is not None:
            try:  # the import has committed: a re-anchoring failure is a notice, not a failure
                notices.append(self.on_new_version(plan.slug, force=True) if job.reread
                               else self.on_new_version(plan.slug))
            except Exception as exc:  # reported and logged, never fatal
                log.exception("re-anchoring %s after a new version failed", plan.slug)
                notices.append(f"The new version was imported, but its notes and links could "
                               f"not be re-anchored ({type(exc).__name__}: {exc}).")
        return ImportOutcome(path, "imported", message, plan.slug, notices=tuple(notices))

    def _feed_index(self, plan: Plan) -> None:
        """Hand a just-committed document's passages to the import's index feed."""
        if self._index_feed is None or plan.document_id is None:
            return
        try:
            self._index_feed.put(self.store.index_docs_of_document(plan.document_id))
        except Exception:  # the index is a cache: the sync after the import writes them
            log.exception("could not feed %s to the search index", plan.slug)

    def resegment(self, slug: str, state: TaskState | None = None) -> str:
        """Read a plan's current PDF again with this version's analysis (after an upgrade of
        the segmenter, issue 12), replace its sections and commitment units, and re-anchor the
        plan's notes, corrections and links. Returns the report to show."""
        docs = self.store.documents(slug)
        if not docs:
            raise InvalidInput(f"Plan {slug} has no document to read again.")
        doc = docs[-1]
        if self.store.ocr_confidences(doc.id):  # its text came from OCR, not from its file
            return (f"Left {slug} as it is: some of its pages were read by OCR, and reading "
                    f"its file again without OCR would empty them; `workbench ocr {slug}` "
                    f"reads it again with OCR and this version's analysis.")
        extraction = self.extractor.extract(self.paths.stored_file(doc.stored_path),
                                            state=state or TaskState())
        before = {c.id for c in self.store.commitments(slug)}
        plan = self.store.resegment(slug, extraction)
        self.sync_index()
        message = (f"Re-segmented {slug}: {plan.sections} sections, "
                   f"{plan.commitments} commitments. "
                   + _ids_report(before, {c.id for c in self.store.commitments(slug)}))
        if self.on_new_version is not None:
            message += " " + self.on_new_version(slug)
        return message

    def ocr_plan(
        self, slug: str, settings: OcrSettings | None = None, *, state: TaskState | None = None
    ) -> ImportOutcome:
        """OCR the scanned pages of a plan's current version: the plan's own file is read
        again with OCR and stored as a new version (annotations and links re-anchor, with the
        usual report). The extraction runs in the worker, under its limits."""
        plan = self.store.plan(slug)
        if plan.document_id is None:
            raise InvalidInput(f"{slug} has no document to OCR.")
        if not plan.needs_ocr_pages and not self.store.ocr_confidences(plan.document_id):
            raise InvalidInput(f"{slug} has a text layer on every page: nothing to OCR.")
        document = self.store.document(plan.document_id)
        source = self.paths.stored_file(document.stored_path)
        # read it under its own name (the stored copy is named by its hash), so the title and
        # messages a file name feeds come out as at its first import
        with tempfile.TemporaryDirectory(prefix="workbench-ocr-") as folder:
            named = Path(folder) / (Path(document.file_name).name or "plan.pdf")
            try:
                os.link(source, named)
            except OSError:  # another file system, or no hard links: copy
                shutil.copyfile(source, named)
            report = self.import_paths([named], replaces=slug, ocr=settings or OcrSettings(),
                                       state=state)
        if not report.outcomes:
            return ImportOutcome(source, "cancelled", "OCR cancelled.")
        return replace(report.outcomes[0], path=source)  # not the temporary name

    def _log(self, path: Path, sha: str, outcome: str, message: str) -> None:
        try:
            self.store.log_import(safe_line(str(path)), sha, outcome, safe_text(message))
        except Exception:  # the log is a convenience; never let it turn a result into a crash
            log.exception("could not write the import log")

    def _slug_of_plan_id(self, plan_id: int) -> str:
        for plan in self.store.plans(include_removed=True):
            if plan.id == plan_id:
                return plan.slug
        return "?"

    @staticmethod
    def _meta_from_extraction(path: Path, title: str) -> PlanMeta:
        return PlanMeta(title=title.strip() or path.stem)

    # -- plans -----------------------------------------------------------------------------

    def plans(self, *, include_removed: bool = False) -> list[Plan]:
        return self.store.plans(include_removed=include_removed)

    def edit_plan(self, slug: str, **changes: str) -> Plan:
        """Change some metadata fields of a plan; the rest stay as they are."""
        meta = self.store.plan(slug).meta
        unknown = set(changes) - set(PlanMeta.__dataclass_fields__)
        if unknown:
            raise InvalidInput(f"Unknown plan field(s): {', '.join(sorted(unknown))}.")
        new = validate_meta(replace(meta, **{k: v.strip() for k, v in changes.items()}))
        plan = self.store.update_plan_meta(slug, new)
        self.sync_index()
        return plan

    def remove_plan(self, slug: str) -> Plan:
        plan = self.store.remove_plan(slug)
        self.sync_index()
        return plan

    def restore_plan(self, slug: str) -> Plan:
        plan = self.store.restore_plan(slug)
        self.sync_index()
        return plan

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        sort: str = "relevance",
    ) -> SearchResult:
        """Search, rebuilding the index from SQLite first if it is missing or damaged."""
        if self.index.needs_rebuild:
            self.rebuild_index()
        result = self.index.search(query, filters, limit, sort=sort)
        if self.index.needs_rebuild:  # it broke during the search
            self.rebuild_index()
            result = self.index.search(query, filters, limit, sort=sort)
        return self._mark_ocr_hits(result)

    def _mark_ocr_hits(self, result: SearchResult) -> SearchResult:
        """Hits on pages read by OCR carry the page's confidence (issue 15)."""
        if not result.hits:
            return result
        revision = self.store.revision()
        if self._ocr_pages[0] != revision:
            self._ocr_pages = (revision, {})
        known = self._ocr_pages[1]
        missing = [p for p in dict.fromkeys(h.plan for h in result.hits) if p not in known]
        if missing:
            for plan in missing:
                known[plan] = {}
            for (plan, page), confidence in self.store.ocr_pages_of_plans(missing).items():
                known[plan][page] = confidence
        if not any(known[h.plan] for h in result.hits):
            return result
        hits = tuple(replace(h, ocr_confidence=known[h.plan].get(h.page_index))
                     for h in result.hits)
        return replace(result, hits=hits)

    def sync_index(self, state: TaskState | None = None) -> int:
        revision = self.store.revision()  # read first: a later write is synced next time
        written = self.index.sync(self.store.index_fingerprints(), self.store.index_docs, state)
        self.index.mark_synced(revision)
        return written

    def rebuild_index(self, state: TaskState | None = None) -> int:
        revision = self.store.revision()
        wanted = self.store.index_fingerprints()
        docs = self.store.index_docs(sorted(wanted))
        written = self.index.rebuild(docs, state)
        self.index.mark_synced(revision)
        return written

    def ensure_index_current(self, state: TaskState | None = None) -> int:
        """Sync the index if it does not reflect the library's revision: after a crash between
        a commit and its index update, a restored backup, or another process's writes."""
        if self.index.synced_revision() == self.store.revision():
            return 0
        return self.sync_index(state)

    # -- health ----------------------------------------------------------------------------

    def check(self) -> CheckReport:
        """The database's integrity and invariants, the file store, and the index."""
        database = tuple(self.store.check())
        files = []
        stored = self.store.stored_files()
        for stored_path, sha in stored:
            target = self.paths.stored_file(stored_path)
            if not target.is_file():
                files.append(f"missing PDF copy {stored_path}")
            else:
                try:
                    if sha256_of(target) != sha:
                        files.append(f"PDF copy {stored_path} does not match its hash")
                except ExtractError as exc:
                    files.append(exc.message)
        for extra in self.extra_file_checks:  # e.g. the annotation sidecars (composition root)
            try:
                files.extend(extra())
            except Exception as exc:  # a check must report, never crash
                files.append(f"could not check: {type(exc).__name__}: {exc}")
        index_check = self.index.check(self.store.index_fingerprints())
        index = []
        if index_check.error:
            index.append(f"search index unusable: {index_check.error}")
        for label, keys in (
            ("missing from", index_check.missing),
            ("out of date in", index_check.stale),
            ("left over in", index_check.extra),
        ):
            if keys:
                index.append(f"{len(keys)} passage(s) {label} the search index")
        return CheckReport(database, tuple(files), tuple(index),
                           notes=tuple(self._unreferenced_copies(stored)))

    def _unreferenced_copies(self, stored: Sequence[tuple[str, str]]) -> list[str]:
        """PDFs in ``files/`` that no document references (left by an import that failed
        after copying, or by hand); not damage, just space."""
        referenced = {Path(p).as_posix() for p, _sha in stored}
        notes = []
        try:
            found = sorted(self.paths.files.rglob("*.pdf"))
        except OSError:
            return notes
        for path in found:
            rel = path.relative_to(self.paths.root).as_posix()
            if rel not in referenced and path.is_file():
                notes.append(f"unreferenced PDF copy {rel} (no document uses it; "
                             "it may be deleted)")
        return notes


def _page_list(labels: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def ocr_notices(extraction: Extraction, slug: str) -> list[str]:
    """The import's notices about scanned pages: which pages still have no text layer (by
    their printed labels, however few), a one-line verdict for an entirely scanned plan, and
    what OCR read."""
    out: list[str] = []
    labels = {p.index: p.label for p in extraction.pages}
    missing = extraction.needs_ocr_pages
    hint = f"OCR them with `workbench ocr {slug}` or the window's \"OCR the scanned pages\""
    if missing and len(missing) == len(extraction.pages):
        out.append(f"No page of this plan has a text layer (a scan?): none of its "
                   f"{len(missing)} page(s) can be searched. {hint}.")
    elif missing:
        out.append(f"{len(missing)} of {len(extraction.pages)} page(s) have no text layer and "
                   f"need OCR (page {_page_list([labels[i] for i in missing])}). {hint}.")
    out += [w + "." for w in extraction.warnings if w.startswith(("OCR ", "page ")) and "OCR" in w]
    read = extraction.ocr_pages
    if read:
        conf = [p.ocr_confidence or 0.0 for p in extraction.pages if p.ocr_confidence is not None]
        out.append(f"OCR read {len(read)} scanned page(s) ({extraction.ocr}; mean confidence "
                   f"{sum(conf) / len(conf):.0f}/100): page {_page_list([labels[i] for i in read])}.")
    return out


def _ids_report(before: set[int], after: set[int]) -> str:
    """What a re-segment did to the commitment ids ``show`` prints: units found again with the
    same text and place keep theirs; an id that no longer names a unit is never reused."""
    kept, new, gone = len(before & after), len(after - before), len(before - after)
    if not new and not gone:
        return "Every commitment kept its id."
    return (f"Commitment ids: {kept} kept (text and place unchanged), {new} new, {gone} no "
            f"longer used (a noted c:<id> of a changed unit now names nothing; no id is "
            f"reused).")
