"""Sentence vectors remembered by text: in memory, and on disk in the library's cache folder.

A sentence encoder costs about a millisecond a sentence, so a plan of 3,000 passages would cost
seconds every time a process first ranks or searches it. ``VectorCache`` keys each vector by a
hash of its text and the model's id, keeps it for the process (one store per model, whichever
library asked first) and (given a folder) writes every batch that folder lacked as one small
shard file, so the next process, or the next run of the CLI, reads it back instead. The vectors are derived data: the folder can be deleted at any time and
is refilled from the texts in SQLite on the next use (the brief's first rule).

Shards are written whole to a temporary name and renamed into place (``os.replace``, atomic on
Windows too), so a killed process leaves at most a stray temporary file, never half a shard; a
damaged or foreign file is skipped and its vectors computed again. When many shards pile up
they are merged into one; only files this process has read are removed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.matching.embedding import Embedder

log = logging.getLogger(__name__)

KEY_BYTES = 16
MERGE_AT = 48
"""Shards in a model's folder before they are merged into one."""


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


class _Memory:
    """Every vector one model has made in this process, by text key (shared by all folders,
    so a text is embedded once per process whichever library asks). Rows live in one array
    that doubles when full, so adding one vector does not copy the others."""

    def __init__(self) -> None:
        self.rows: dict[bytes, int] = {}
        # texts a thread is embedding right now: another thread that needs them waits for
        # that one instead of running the model on them too (a warm-up and a review at once)
        self.inflight: dict[bytes, threading.Event] = {}
        self.matrix: Any = np.zeros((0, 0), dtype=np.float32)
        self.count = 0
        self.dim = 0

    def add(self, keys: list[bytes], vecs: Any) -> None:
        """Remember new rows, rounded to float16 as a shard stores them, so a vector reads the
        same whether it was just computed or read back from disk."""
        fresh = [n for n, k in enumerate(keys) if k not in self.rows]
        if not fresh:
            return
        if self.dim and vecs.shape[1] != self.dim:
            raise ValueError(f"vectors of {vecs.shape[1]} dimensions in a cache of {self.dim}")
        need = self.count + len(fresh)
        if need > len(self.matrix) or not self.dim:
            grown = np.zeros((max(need, 2 * len(self.matrix), 64), vecs.shape[1]),
                             dtype=np.float32)
            if self.count:
                grown[:self.count] = self.matrix[:self.count]
            self.matrix, self.dim = grown, int(vecs.shape[1])
        block = np.asarray(vecs, dtype=np.float32)[fresh].astype(np.float16)
        self.matrix[self.count:need] = block
        for n, i in enumerate(fresh):
            self.rows[keys[i]] = self.count + n
        self.count = need

    def take(self, keys: list[bytes]) -> Any:
        return self.matrix[[self.rows[k] for k in keys]]


_MEMORY: dict[str, _Memory] = {}
_LOCK = threading.RLock()


class VectorCache:
    """Unit vectors of texts from one model, computed once and remembered: in the process
    (shared by every folder) and in ``folder`` (None: the process only)."""

    def __init__(self, model: Embedder, folder: Path | None = None) -> None:
        self.model = model
        self.model_id = str(getattr(model, "model_id", type(model).__name__))
        self.folder = folder / self.model_id if folder is not None else None
        with _LOCK:
            self._memory = _MEMORY.setdefault(self.model_id, _Memory())
        self._stored: set[bytes] = set()  # keys this folder holds
        self._read: set[Path] = set()
        self._loaded = False

    def vectors(self, texts: Sequence[str]) -> Any:
        """A (len(texts) × dimensions) float32 array of unit vectors, in the order given."""
        keys = [text_key(t) for t in texts]
        self._compute(keys, texts)
        with _LOCK:
            unstored = list(dict.fromkeys(k for k in keys if k not in self._stored))
            fresh = self._memory.take(unstored) if unstored and self.folder else None
            out = self._memory.take(keys) if keys else \
                np.zeros((0, self._memory.dim), dtype=np.float32)
        if fresh is not None:
            self._write(unstored, fresh)
        return out

    def _compute(self, keys: list[bytes], texts: Sequence[str]) -> None:
        """Embed the texts with no vector yet. The model runs outside the lock, so other
        threads read meanwhile; texts another thread is already embedding are waited for, and
        taken over if that thread failed."""
        while True:
            claim: dict[bytes, str] = {}
            waits: list[threading.Event] = []
            with _LOCK:
                self._load()
                for k, t in zip(keys, texts, strict=True):
                    if k in self._memory.rows or k in claim:
                        continue
                    busy = self._memory.inflight.get(k)
                    if busy is not None:
                        waits.append(busy)
                    else:
                        claim[k] = t
                done = threading.Event()
                for k in claim:
                    self._memory.inflight[k] = done
            if claim:
                try:
                    new = np.asarray(self.model.embed(list(claim.values())), dtype=np.float32)
                    with _LOCK:
                        self._memory.add(list(claim), new)
                finally:
                    with _LOCK:
                        for k in claim:
                            self._memory.inflight.pop(k, None)
                    done.set()
            if not waits:
                return
            for busy in dict.fromkeys(waits):
                busy.wait()

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts among ``texts`` that this cache's folder does not hold yet (or,
        without a folder, the process), in first-seen order: what a warm-up still has to do.
        A text the process embedded for another library counts as missing here: ``vectors``
        then writes it to this folder without running the model again."""
        with _LOCK:
            self._load()
            have = self._stored if self.folder is not None else self._memory.rows
            out: dict[bytes, str] = {}
            for t in texts:
                k = text_key(t)
                if k not in have and k not in out:
                    out[k] = t
        return list(out.values())

    def __len__(self) -> int:
        """How many vectors this folder holds (or, without a folder, the process)."""
        with _LOCK:
            self._load()
            return len(self._stored) if self.folder is not None else self._memory.count

    # -- the folder ------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.folder is None or not self.folder.is_dir():
            return
        _sweep(self.folder)
        for path in sorted(self.folder.glob("*.npz")):
            got = _read_shard(path)
            if got is None:
                continue
            keys, vecs = got
            try:
                self._memory.add(keys, vecs)
            except ValueError:
                log.warning("vector cache: %s is from another model; ignored", path.name)
                continue
            self._stored.update(keys)
            self._read.add(path)
        if len(self._read) >= MERGE_AT:
            self._merge()

    def _write(self, keys: list[bytes], vecs: Any) -> None:
        if self.folder is None or not keys:
            return
        name = hashlib.blake2b(b"".join(keys), digest_size=12).hexdigest()
        path = _write_shard(self.folder, name, keys, vecs)
        if path is not None:
            with _LOCK:
                self._stored.update(keys)
                self._read.add(path)
                if len(self._read) >= MERGE_AT:  # a long session ranking one source at a time
                    self._merge()

    def _merge(self) -> None:
        """All shards read so far as one file; the merged ones removed after it is in place."""
        if self.folder is None:
            return
        keys = sorted(self._stored)
        merged = _write_shard(self.folder, f"all-{os.getpid()}-{len(keys)}", keys,
                              self._memory.take(keys))
        if merged is None:
            return
        for path in self._read - {merged}:
            try:
                path.unlink()
            except OSError:  # another process may hold it open (Windows): merged next time
                continue
        self._read = {merged}


STRAY_AFTER_S = 3600.0
"""A temporary file this old was left by a killed process (a write takes milliseconds)."""


def _sweep(folder: Path) -> None:
    """Remove temporary files that killed processes left behind."""
    now = time.time()
    for tmp in folder.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STRAY_AFTER_S:
                tmp.unlink()
        except OSError:  # gone already, or held open by its writer
            continue


def _read_shard(path: Path) -> tuple[list[bytes], Any] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            raw, vecs = data["keys"], data["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        log.warning("vector cache: %s is unreadable; its vectors will be computed again",
                    path.name)
        return None
    if raw.ndim != 2 or raw.shape[1] != KEY_BYTES or vecs.ndim != 2 or len(raw) != len(vecs):
        log.warning("vector cache: %s is not a vector shard; ignored", path.name)
        return None
    return [bytes(r) for r in raw], vecs


def _write_shard(folder: Path, name: str, keys: list[bytes], vecs: Any) -> Path | None:
    """One shard, whole or not at all; None when the disk refuses (the cache is optional)."""
    path = folder / f"{name}.npz"
    tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        raw = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
        with open(tmp, "wb") as fh:
            np.savez(fh, keys=raw, vectors=np.asarray(vecs, dtype=np.float16))
        os.replace(tmp, path)
        return path
    except OSError as exc:
        log.warning("vector cache: could not write %s (%s); vectors kept in memory only",
                    path.name, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return None


_CACHES: dict[tuple[str, str], VectorCache] = {}


def cache_for(model: Embedder, folder: Path | None) -> VectorCache:
    """The process's cache of ``model``'s vectors in ``folder`` (None: memory only)."""
    key = (str(getattr(model, "model_id", type(model).__name__)), str(folder))
    with _LOCK:
        found = _CACHES.get(key)
        if found is None or found.model is not model:
            found = _CACHES[key] = VectorCache(model, folder)
        return found
