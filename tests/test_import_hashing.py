"""An import hashes a file before extraction only when the library could already hold it
(issue 12, Speed): a file whose size no stored copy has is new, and the worker's hash of the
bytes it parses names it; a file of a stored copy's size is hashed first, so a duplicate is
still refused without being read again."""

from __future__ import annotations

import hashlib
import shutil

import workbench.services as services
from tests.composition import open_workbench
from tests.conftest import sample_plans_dir
from workbench.library import LibraryPaths, stored_sizes


def test_only_a_file_of_a_stored_size_is_hashed_before_extraction(tmp_path, monkeypatch):
    sample = sample_plans_dir("pdfs")
    small = sorted(sample.glob("*.pdf"), key=lambda p: p.stat().st_size)[:2]
    first, second = (shutil.copy(p, tmp_path / p.name) for p in small)
    hashed: list[str] = []
    real = services.sha256_of
    monkeypatch.setattr(services, "sha256_of", lambda p: hashed.append(p.name) or real(p))
    wb = open_workbench(tmp_path / "lib")
    try:
        (outcome,) = wb.import_paths([first]).outcomes
        assert outcome.status == "imported" and hashed == []  # nothing stored: no size matches

        extracted: list[str] = []
        real_extract = wb.extractor.extract
        monkeypatch.setattr(wb.extractor, "extract",
                            lambda p, **kw: extracted.append(p.name) or real_extract(p, **kw))
        (again,) = wb.import_paths([first]).outcomes
        assert again.status == "duplicate" and "already in the library" in again.message
        assert hashed == [first.name] and extracted == []  # refused before extraction

        (other,) = wb.import_paths([second]).outcomes
        assert other.status == "imported" and hashed == [first.name]
        assert extracted == [second.name]
    finally:
        wb.store.close()
        wb.extractor.close()
    # each copy is named by the hash of its bytes, whoever computed it
    paths = LibraryPaths(tmp_path / "lib")
    for pdf in (first, second):
        sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        copy = paths.files / sha[:2] / f"{sha}.pdf"
        assert copy.read_bytes() == pdf.read_bytes()
    assert stored_sizes(paths) == {first.stat().st_size, second.stat().st_size}


def test_stored_sizes_of_an_empty_library(tmp_path):
    assert stored_sizes(LibraryPaths(tmp_path / "none")) == set()
