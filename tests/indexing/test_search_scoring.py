"""FastBM25F scores exactly as Whoosh's BM25F (speed only), and really reads its own table."""

from __future__ import annotations

import random

import pytest
from whoosh import index as windex
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.scoring import BM25F

from indexing import search_scoring
from indexing.search_scoring import FastBM25F, top_docs

WORDS = ["care", "social", "roads", "young", "people", "housing", "growth", "plan", "the"]


def _index(tmp_path):
    ix = windex.create_in(str(tmp_path), Schema(key=ID(stored=True, unique=True), body=TEXT,
                                                 other=TEXT))
    rng = random.Random(5)
    for seg in range(3):  # three segments, lengths from 1 to ~600 words (coarse length bytes)
        w = ix.writer()
        for i in range(120):
            n = rng.choice([1, 2, 5, 17, 60, 250, 600])
            body = " ".join(rng.choice(WORDS) for _ in range(n))
            w.add_document(key=f"{seg}-{i}", body=body,
                           other="" if i % 3 else "care plan")  # most passages lack "other"
        w.commit(merge=False)
    w = ix.writer()  # a deleted passage, then one added after the column's last entry
    w.delete_by_term("key", "1-7")
    w.add_document(key="late", body="care")
    w.commit(merge=False)
    return ix


def _scores(ix, weighting, q):
    with ix.searcher(weighting=weighting) as s:
        return [(hit.docnum, hit.score) for hit in s.search(q, limit=None)]


def test_same_scores_as_whoosh_bm25f(tmp_path):
    ix = _index(tmp_path)
    queries = [
        wq.Term("body", "care"),
        wq.And([wq.Term("body", "social"), wq.Term("body", "care")]),
        wq.Or([wq.Term("body", "young", boost=2.0), wq.Term("other", "plan")]),
        wq.Phrase("body", ["young", "people"]),
    ]
    for q in queries:
        ours, whoosh = _scores(ix, FastBM25F(), q), _scores(ix, BM25F(), q)
        assert ours and ours == whoosh  # same passages, order and float scores
    for limit in (1, 5, 20):  # the limited search (block-quality skipping) too
        with ix.searcher(weighting=FastBM25F()) as s, ix.searcher() as w:
            q = wq.Term("body", "housing")
            assert ([(h.docnum, h.score) for h in s.search(q, limit=limit)]
                    == [(h.docnum, h.score) for h in w.search(q, limit=limit)])


def test_lengths_come_from_the_table(tmp_path):
    ix = _index(tmp_path)
    with ix.searcher(weighting=FastBM25F()) as s:
        for sub, _ in s.leaf_searchers():
            scorer = s.weighting.scorer(sub, "body", "care")
            assert getattr(scorer.dfl, "__self__", None).__class__ is tuple  # not Whoosh's lambda
            reader = sub.reader()
            for docnum in range(reader.doc_count_all()):
                assert scorer.dfl(docnum) == sub.doc_field_length(docnum, "body", 1)


def _top(results):
    return (results.top_n, results.scored_length(), results.estimated_length(),
            results.has_exact_length())


TOP_QUERIES = [
    wq.Term("body", "care"),
    wq.Term("body", "absent"),
    wq.And([wq.Term("body", "social"), wq.Term("body", "care")]),
    wq.Or([wq.Term("body", "young", boost=2.0), wq.Term("other", "plan")]),
    wq.Or([wq.And([wq.Or([wq.Term("body", "social"), wq.Term("other", "care")]),
                   wq.Or([wq.Term("body", "care"), wq.Term("other", "plan")])]),
           wq.Term("body", "people", boost=2.0)]),
    wq.AndMaybe(wq.Term("body", "housing"), wq.Term("body", "growth", boost=3.0)),
    wq.And([wq.Term("body", "roads"), wq.Not(wq.Term("body", "plan"))]),
    wq.AndNot(wq.Term("body", "young"), wq.Term("other", "care")),
    wq.Or([wq.Term("body", w) for w in WORDS], boost=1.5),
    wq.Phrase("body", ["young", "people"]),
    wq.And([wq.Phrase("body", ["social", "care"]), wq.Term("other", "plan")]),
    wq.Prefix("body", "pe"),
]


def test_top_docs_as_whoosh_search(tmp_path):
    """The numpy top hits: the same documents, float scores, order (ties by document number),
    counts and estimates as Whoosh's own search, with both scorers' length lookups, over
    three segments and a deleted passage, with and without a mask."""
    ix = _index(tmp_path)
    for weighting in (FastBM25F(), BM25F()):
        with ix.searcher(weighting=weighting) as s:
            assert len(s.leaf_searchers()) > 1
            for q in TOP_QUERIES:
                for limit in (1, 5, 20, 100):
                    assert _top(top_docs(s, q, limit)) == _top(s.search(q, limit=limit)), (q, limit)
                mask = {d for d in range(0, s.doc_count_all(), 3)}
                for limit in (5, 40):
                    assert (top_docs(s, q, limit, mask=mask).top_n
                            == s.search(q, limit=limit, mask=mask).top_n), (q, limit)


def test_top_docs_reads_postings_with_numpy(tmp_path, monkeypatch):
    """Terms, AND, OR, AND-maybe and NOT are combined from whole posting lists: Whoosh's
    one-passage-at-a-time walk is left to nodes it does not know (Whoosh's preloaded OR here;
    phrases in a segment with deletions)."""
    ix = _index(tmp_path)

    def no_walk(m, scored):
        raise AssertionError(f"walked {type(m).__name__}")

    monkeypatch.setattr(search_scoring, "_walk", no_walk)
    with ix.searcher(weighting=FastBM25F()) as s:
        for q in TOP_QUERIES[:8]:
            top_docs(s, q, 10)
        with pytest.raises(AssertionError, match="walked"):
            top_docs(s, TOP_QUERIES[8], 10)  # an OR of nine words: preloaded on a small index


def test_phrases_as_whoosh(tmp_path, monkeypatch):
    """Phrases over random text (words repeated, reversed, a word apart): the passages
    where the words stand side by side in order, scored as Whoosh's span matcher scores,
    found without walking the span matcher."""
    ix = windex.create_in(str(tmp_path), Schema(key=ID(stored=True), body=TEXT))
    rng = random.Random(11)
    w = ix.writer()
    for i in range(900):
        w.add_document(key=str(i), body=" ".join(rng.choice(WORDS[:5])
                                                 for _ in range(rng.choice([2, 3, 8, 40]))))
    w.commit()
    phrases = [["social", "care"], ["care", "social"], ["care", "care"], ["roads", "young", "people"],
               ["young", "care", "young", "care"], ["social", "absent"]]
    walked = []
    monkeypatch.setattr(search_scoring, "_walk", lambda m, scored: walked.append(m))
    with ix.searcher(weighting=FastBM25F()) as s:
        for words in phrases:
            q = wq.Phrase("body", words)
            for limit in (5, 50, 800):
                assert _top(top_docs(s, q, limit)) == _top(s.search(q, limit=limit)), words
    assert not walked


def test_cached_postings_are_whole_lists(tmp_path, monkeypatch):
    """Kept postings (``POSTINGS_CACHE``) answer later queries exactly as Whoosh does, even a
    term first read inside an AND whose partner starts late (its matcher skipped blocks)."""
    ix = windex.create_in(str(tmp_path), Schema(key=ID(stored=True), body=TEXT))
    w = ix.writer()
    for i in range(1200):  # "care" in every passage (ten blocks), "late" in the last ones
        w.add_document(key=str(i), body="care " * (1 + i % 4) + ("late" if i >= 1000 else "x"))
    w.commit()
    monkeypatch.setattr(search_scoring, "POSTINGS_CACHE", 100_000)
    queries = [wq.And([wq.Term("body", "late"), wq.Term("body", "care")]),
               wq.Term("body", "care"), wq.Or([wq.Term("body", "care"), wq.Term("body", "x")])]
    with ix.searcher(weighting=FastBM25F()) as s:
        for _ in range(2):  # read, then kept
            for q in queries:
                for limit in (10, 1100):
                    assert _top(top_docs(s, q, limit)) == _top(s.search(q, limit=limit)), q
        assert search_scoring._CACHES[s].items  # the second round came from the cache


def test_long_lists_read_where_the_short_side_is(tmp_path, monkeypatch):
    """An AND of a rare and a common word reads the common word's postings only where the
    rare one is (Whoosh's own skipping), with the same answers as Whoosh's search."""
    ix = windex.create_in(str(tmp_path), Schema(key=ID(stored=True), body=TEXT))
    w = ix.writer()
    for i in range(6000):
        w.add_document(key=str(i), body=("common " * (1 + i % 3) + "other" if i % 997
                                         else "rare common" if i % 2 else "rare alone"))
    w.commit()
    sparse = []
    read_where = search_scoring._read_where
    monkeypatch.setattr(search_scoring, "_read_where",
                        lambda m, targets, values: sparse.append(m) or read_where(
                            m, targets, values=values))
    rare, common = wq.Term("body", "rare"), wq.Term("body", "common")
    queries = [wq.And([common, rare]), wq.And([rare, common]), wq.AndMaybe(rare, common),
               wq.AndNot(rare, common), wq.Phrase("body", ["rare", "common"]),
               wq.Phrase("body", ["common", "rare"]), wq.Phrase("body", ["common", "common"])]
    with ix.searcher(weighting=FastBM25F()) as s:
        for q in queries:
            for limit in (3, 50):
                assert _top(top_docs(s, q, limit)) == _top(s.search(q, limit=limit)), q
    assert sparse
