"""Search parity with a plain-Python oracle over the sample plans (T-SRCH-02), and recovery
from every kind of index damage with parity afterwards (T-COR-01)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from indexing import search_index as si
from indexing.query import body_analyzer, load_default_synonyms
from indexing.search_index import REBUILDING_NOTICE, WhooshSearchIndex
from tests.indexing.search_corpus import Oracle, corpus_docs
from workbench.model import IndexDoc


def keys(result) -> set[str]:
    return {h.key for h in result.hits}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    docs = corpus_docs()
    index = WhooshSearchIndex(tmp_path_factory.mktemp("corpus") / "index")
    index.rebuild(docs)
    yield docs, index, Oracle(docs)
    index.close()


def _sample_terms(docs: list[IndexDoc], n: int, seed: int) -> list[str]:
    table = load_default_synonyms()
    ana = body_analyzer()
    vocab = sorted({w for d in docs for w in re.findall(r"\b[a-z]{3,}\b", d.body)})
    out = []
    rng = random.Random(seed)
    rng.shuffle(vocab)
    for w in vocab:
        if w.upper() in table.acronyms or len([t for t in ana(w)]) != 1:
            continue
        if any(table.alternatives((t.text,)) != ((), ()) for t in ana(w)):
            continue
        out.append(w)
        if len(out) == n:
            break
    return out


def _sample_phrases(docs: list[IndexDoc], n: int, seed: int) -> list[list[str]]:
    table = load_default_synonyms()
    rng = random.Random(seed)
    out: list[list[str]] = []
    ana = body_analyzer()
    while len(out) < n:
        words = re.findall(r"\b[a-z]{3,}\b", rng.choice(docs).body)
        if len(words) < 3:
            continue
        i = rng.randrange(len(words) - 1)
        pair = words[i : i + 2]
        st = [t.text for t in ana(" ".join(pair))]
        if len(st) == 2 and table.alternatives(tuple(st)) == ((), ()):
            out.append(pair)
    return out


def assert_parity(index: WhooshSearchIndex, docs, oracle: Oracle, n_terms=100, n_phrases=50):
    exact = index.synonyms.exact
    for w in _sample_terms(docs, n_terms, seed=1):
        want = oracle.term(w, exact)
        r = index.search(w, limit=si.MAX_LIMIT)
        assert r.total == len(want), w
        if r.total <= si.MAX_LIMIT:
            assert keys(r) == want, w
    for pair in _sample_phrases(docs, n_phrases, seed=2):
        want = oracle.phrase(pair)
        r = index.search('"' + " ".join(pair) + '"', limit=si.MAX_LIMIT)
        assert keys(r) == want and r.total == len(want), pair


def test_search_parity_oracle(corpus):
    docs, index, oracle = corpus
    assert len(docs) > 1000
    assert_parity(index, docs, oracle)


def test_corpus_acronyms(corpus):
    docs, index, _ = corpus
    send = {d.key for d in docs if re.search(r"\bSEND\b", d.body)}
    assert send and send <= keys(index.search("SEND", limit=1000))
    verb = {d.key for d in docs if re.search(r"\b[Ss]end(s|ing)?\b", d.body + " " + d.heading)}
    assert keys(index.search("send", limit=1000)) == verb
    kcc = {d.key for d in docs if "KCC" in d.body or "Kent County Council" in d.body}
    assert kcc == keys(index.search("KCC", limit=1000))


# --- T-COR-01 damage matrix -------------------------------------------------------------------


def _files(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern))


def _garble(p: Path, start_frac: float = 0.0) -> None:
    data = bytearray(p.read_bytes())
    rng = random.Random(3)
    for i in range(int(len(data) * start_frac), len(data)):
        data[i] = rng.randrange(256)
    p.write_bytes(bytes(data))


DAMAGE = {
    "delete_toc": lambda d: [p.unlink() for p in _files(d, "_MAIN_*.toc")],
    "truncate_toc_empty": lambda d: [p.write_bytes(b"") for p in _files(d, "_MAIN_*.toc")],
    "truncate_toc_half": lambda d: [
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]) for p in _files(d, "_MAIN_*.toc")
    ],
    "garble_toc": lambda d: [_garble(p) for p in _files(d, "_MAIN_*.toc")],
    "delete_segments": lambda d: [p.unlink() for p in _files(d, "MAIN_*.seg")],
    "truncate_segments": lambda d: [
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 3]) for p in _files(d, "MAIN_*.seg")
    ],
    "garble_segments": lambda d: [_garble(p) for p in _files(d, "MAIN_*.seg")],
    "garble_segment_tail": lambda d: [_garble(p, 0.5) for p in _files(d, "MAIN_*.seg")],
    "empty_dir": lambda d: [p.unlink() for p in d.iterdir()],
    "delete_dir": lambda d: [p.unlink() for p in d.iterdir()] and d.rmdir(),
    "stale_writelock": lambda d: (d / "MAIN_WRITELOCK").write_text("stale"),
    "other_schema_version": lambda d: (d / si.VERSION_FILE).write_text('{"schema_version": 0}'),
    "garbage_version_file": lambda d: (d / si.VERSION_FILE).write_bytes(b"\xff\x00"),
}


@pytest.fixture(scope="module")
def small_corpus():
    docs = corpus_docs()[:400]
    return docs, Oracle(docs)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_matrix(tmp_path, small_corpus, damage):
    docs, oracle = small_corpus
    wanted = {d.key: d.fingerprint for d in docs}
    by_key = {d.key: d for d in docs}
    directory = tmp_path / "index"
    first = WhooshSearchIndex(directory)
    first.rebuild(docs)
    assert first.search("council").total > 0
    first.close()

    DAMAGE[damage](directory)

    # The open app notices on its next search; a restarted app notices on open.
    for index in (first, WhooshSearchIndex(directory)):
        for q in ("council", "SEND", '"road safety"', "educat*", "KCC OR county"):
            index.search(q)  # never raises
        index.check(wanted)  # never raises
        if index.needs_rebuild:
            assert REBUILDING_NOTICE in index.search("council").notice
            index.sync(wanted, lambda ks: [by_key[k] for k in ks])
        else:
            assert damage in {"stale_writelock", "garble_segment_tail"}, damage
            # undetected damage is still repaired by check + sync (no stale keys possible
            # here, so a full rebuild is what services does when results look wrong)
            index.rebuild(docs)
        assert not index.needs_rebuild
        assert index.check(wanted).ok
        assert_parity(index, docs, oracle, n_terms=30, n_phrases=10)
        index.close()




def test_missing_sample_texts_fail_under_ci_and_skip_elsewhere(tmp_path, monkeypatch):
    from tests.indexing import search_corpus

    monkeypatch.setattr(search_corpus, "PLAN_DIRS", (tmp_path / "nowhere",))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        search_corpus.plans_dir()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        search_corpus.plans_dir()


def test_sample_texts_are_found_relative_to_the_repository():
    from tests.indexing import search_corpus

    repo = search_corpus.REPO
    assert (repo / "indexing" / "search_index.py").is_file()  # REPO is this checkout
    assert search_corpus.PLAN_DIRS == (
        repo.parent / "shared" / "plans",
        repo / "resources" / "sample",
    )
