"""The optional meaning model loads from its wheel and never touches the network (issue 13)."""

from __future__ import annotations

import socket
import sys

import pytest

from workbench.matching import embedding


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every way out of the process fails loudly, whichever library tries it."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(embedding, "_LOADED", {})
    monkeypatch.setenv(embedding.ENV_SWITCH, "wordllama")


def test_model_loads_and_embeds_with_the_network_cut_off(no_network):
    pytest.importorskip("wordllama")
    model = embedding.load_embedder()
    assert model is not None
    vectors = model.embed(["We will scrap the bus pass.", "We will keep the bus pass."])
    assert vectors.shape[0] == 2
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-3
    assert embedding.load_embedder() is model  # loaded once per process


def test_the_socket_guard_would_catch_a_download(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 443))


def test_without_the_package_the_engine_runs_without_meaning(no_network, monkeypatch):
    monkeypatch.setitem(sys.modules, "wordllama", None)  # import raises ImportError
    assert embedding.load_embedder() is None


def test_switched_off_by_the_environment(no_network, monkeypatch):
    monkeypatch.setenv(embedding.ENV_SWITCH, "off")
    assert embedding.load_embedder() is None
    monkeypatch.delenv(embedding.ENV_SWITCH)
    # unset (or "on"): a shipped sentence encoder (MiniLM, else USE), never the optional
    # WordLlama
    shipped = (embedding.paraphrase_model(), embedding.sentence_model())
    assert embedding.load_embedder() in shipped
    monkeypatch.setenv(embedding.ENV_SWITCH, "on")
    assert embedding.load_embedder() in shipped
    assert embedding.load_embedder() is not None
