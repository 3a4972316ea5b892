"""Sentence vectors remembered by text: in memory, and on disk in the library's cache folder.

A sentence encoder costs about a millisecond a sentence, so a plan of 3,000 passages would cost
seconds every time a process first ranks or searches it. ``VectorCache`` keys each vector by a
hash of its text and the model's id, keeps it for the process and (given a folder) writes every
batch it computes as one small shard file, so the next process, or the next run of the CLI,
reads it back instead. The vectors are derived data: the folder can be deleted at any time and
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


class VectorCache:
    """Unit vectors of texts from one model, computed once and remembered."""

    def __init__(self, model: Embedder, folder: Path | None = None) -> None:
        self.model = model
        self.model_id = str(getattr(model, "model_id", type(model).__name__))
        self.folder = folder / self.model_id if folder is not None else None
        self._rows: dict[bytes, int] = {}
        self._blocks: list[Any] = []  # float32 arrays; row r of the cache is in one of them
        self._matrix: Any = None  # the blocks stacked, rebuilt lazily
        self._count = 0
        self._dim = 0
        self._read: set[Path] = set()
        self._loaded = False
        self._lock = threading.RLock()

    # -- reading ---------------------------------------------------------------------------

    def vectors(self, texts: Sequence[str]) -> Any:
        """A (len(texts) × dimensions) float32 array of unit vectors, in the order given."""
        keys = [text_key(t) for t in texts]
        with self._lock:
            self._load()
            missing: dict[bytes, str] = {}
            for k, t in zip(keys, texts, strict=True):
                if k not in self._rows and k not in missing:
                    missing[k] = t
        if missing:
            new = np.asarray(self.model.embed(list(missing.values())), dtype=np.float32)
            with self._lock:
                self._add(list(missing), new)
            self._write(list(missing), new)
        with self._lock:
            if not keys:
                return np.zeros((0, self._dim), dtype=np.float32)
            matrix = self._stacked()
            return matrix[[self._rows[k] for k in keys]]

    def __len__(self) -> int:
        with self._lock:
            self._load()
            return self._count

    def _stacked(self) -> Any:
        if self._matrix is None or len(self._matrix) != self._count:
            self._matrix = np.concatenate(self._blocks) if self._blocks else \
                np.zeros((0, self._dim), dtype=np.float32)
            self._blocks = [self._matrix]
        return self._matrix

    def _add(self, keys: list[bytes], vecs: Any) -> None:
        fresh = [n for n, k in enumerate(keys) if k not in self._rows]
        if not fresh:
            return
        if self._dim and vecs.shape[1] != self._dim:
            raise ValueError(f"vectors of {vecs.shape[1]} dimensions in a cache of {self._dim}")
        self._dim = int(vecs.shape[1])
        block = vecs[fresh].astype(np.float32)
        for n, i in enumerate(fresh):
            self._rows[keys[i]] = self._count + n
        self._blocks.append(block)
        self._count += len(fresh)

    # -- the folder ------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.folder is None or not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.npz")):
            got = _read_shard(path)
            if got is None:
                continue
            keys, vecs = got
            try:
                self._add(keys, vecs)
            except ValueError:
                log.warning("vector cache: %s is from another model; ignored", path.name)
                continue
            self._read.add(path)
        if len(self._read) >= MERGE_AT:
            self._merge()

    def _write(self, keys: list[bytes], vecs: Any) -> None:
        if self.folder is None or not keys:
            return
        name = hashlib.blake2b(b"".join(keys), digest_size=12).hexdigest()
        path = _write_shard(self.folder, name, keys, vecs)
        if path is not None:
            with self._lock:
                self._read.add(path)

    def _merge(self) -> None:
        """All shards read so far as one file; the merged ones removed after it is in place."""
        if self.folder is None:
            return
        keys = [b""] * self._count
        for k, r in self._rows.items():
            keys[r] = k
        merged = _write_shard(self.folder, f"all-{os.getpid()}-{self._count}", keys,
                              self._stacked())
        if merged is None:
            return
        for path in self._read - {merged}:
            try:
                path.unlink()
            except OSError:  # another process may hold it open (Windows): merged next time
                continue
        self._read = {merged}


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
_CACHES_LOCK = threading.Lock()


def cache_for(model: Embedder, folder: Path | None) -> VectorCache:
    """The process's cache of ``model``'s vectors in ``folder`` (None: memory only)."""
    key = (str(getattr(model, "model_id", type(model).__name__)), str(folder))
    with _CACHES_LOCK:
        found = _CACHES.get(key)
        if found is None or found.model is not model:
            found = _CACHES[key] = VectorCache(model, folder)
        return found
