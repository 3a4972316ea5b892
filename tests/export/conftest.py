"""Export fixtures: each synthetic pack is rendered to PDF once per session (about a second
each), then read back by many tests."""

from __future__ import annotations

import shutil

import pymupdf
import pytest

from export.pdf import render_pdf_bytes
from tests.export import packs


def _open(data: bytes) -> pymupdf.Document:
    return pymupdf.open(stream=data, filetype="pdf")


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    return render_pdf_bytes(packs.sample_pack(changes_since=("Added: something",)))


@pytest.fixture(scope="session")
def multiscript_pdf() -> bytes:
    return render_pdf_bytes(packs.multiscript_pack())


@pytest.fixture(scope="session")
def hostile_pdf() -> bytes:
    return render_pdf_bytes(packs.hostile_pack())


@pytest.fixture(scope="session")
def images_pdf() -> bytes:
    return render_pdf_bytes(packs.pack_with_images())


@pytest.fixture
def open_pdf():
    opened: list[pymupdf.Document] = []

    def factory(data: bytes) -> pymupdf.Document:
        doc = _open(data)
        opened.append(doc)
        return doc

    yield factory
    for doc in opened:
        doc.close()


@pytest.fixture
def library(sample_library_master, tmp_path):
    """A copy of the prepared sample library the test may change (the reversed-pack journey
    overrides it with its own links)."""
    root = tmp_path / "library"
    shutil.copytree(sample_library_master, root)
    return root
