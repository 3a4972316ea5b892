"""Optional "meaning" signal: a static sentence-embedding model whose weights ship in its wheel.

The model is WordLlama (``pip install "plan-workbench[meaning]"``): about 20 MB of token
embeddings inside the wheel, numpy only, thousands of sentences a second on a laptop CPU. It is
an optional extra because the package says MIT but its weights are derived from Llama 2 / Phi-3
token embeddings and it states no licence for them (README, "Optional: meaning signal").

It is loaded once per process from the package's own folder with downloads disabled, so nothing
is fetched at run time. It is used only when installed **and** switched on
(``WORKBENCH_EMBEDDINGS=on``): measured on the held-out links it did not improve top-1/top-3
(docs/bench/engine.md), so by default the engine runs on its lexical, fuzzy, named-thing and
structural signals alone.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

ENV_SWITCH = "WORKBENCH_EMBEDDINGS"


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Any:
        """Unit-length vectors, one row per text (a numpy array)."""


class WordLlamaEmbedder:
    """WordLlama loaded from the weights inside its wheel; never downloads."""

    def __init__(self) -> None:
        wordllama = importlib.import_module("wordllama")
        folder = Path(wordllama.__file__).resolve().parent
        self._model = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)

    def embed(self, texts: Sequence[str]) -> Any:
        return self._model.embed(list(texts), norm=True)


_LOCK = threading.Lock()
_LOADED: dict[str, Embedder | None] = {}


def enabled() -> bool:
    """Off unless ``WORKBENCH_EMBEDDINGS=on``: on the held-out links the model did not improve
    the engine's figures (docs/bench/engine.md), so it is kept as an opt-in to re-measure."""
    return os.environ.get(ENV_SWITCH, "off").strip().casefold() in ("1", "on", "yes", "true")


def load_embedder() -> Embedder | None:
    """The process's embedding model, loaded on first use; None when unavailable or off."""
    if not enabled():
        return None
    with _LOCK:
        if "model" not in _LOADED:
            try:
                _LOADED["model"] = WordLlamaEmbedder()
            except (ImportError, FileNotFoundError, OSError, ValueError):
                _LOADED["model"] = None  # not installed, or its weights are missing: run without
        return _LOADED["model"]
