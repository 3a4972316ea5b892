"""One sha256 over a library's Whoosh index content: every stored document (by key, all stored
fields) and every term of every field with the keys and frequencies of its postings.

    .venv/bin/python bench/index_digest.py LIBRARY [LIBRARY ...]

Used to prove that a change in how the index is written (issue 12, Speed) writes the same
index. Document numbers are replaced by keys, so segment layout does not matter.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from whoosh import index as windex


def digest(library: Path) -> tuple[str, int, int]:
    ix = windex.open_dir(str(library / "index"), indexname="MAIN")
    h = hashlib.sha256()
    with ix.reader() as r:
        keys = {d: f["key"] for d, f in r.iter_docs()}
        for d in sorted(keys, key=keys.get):
            stored = r.stored_fields(d)
            h.update(repr(sorted(stored.items())).encode("utf-8"))
        terms = 0
        for fieldname, text in r.all_terms():
            m = r.postings(fieldname, text)
            posts = []
            while m.is_active():
                posts.append((keys[m.id()], m.weight()))
                m.next()
            h.update(repr((fieldname, text, sorted(posts))).encode("utf-8"))
            terms += 1
    return h.hexdigest(), len(keys), terms


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        sha, docs, terms = digest(Path(arg))
        print(f"{arg}: {docs} documents, {terms} terms, sha256 {sha}")
