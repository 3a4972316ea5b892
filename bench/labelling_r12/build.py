"""Builds tests/data/links_train12.jsonl from the labels in labels_*.py: each quote is given by a
unique prefix of a sentence or list item of the plan text and completed from the text itself, so
every quote is copied exactly."""
import json, sys, glob, importlib.util
sys.path.insert(0, '/tmp/succ12')
import cands
U = {s: cands.units(s) for s in cands.SHORT.values()}
def find(slug, prefix):
    hits = sorted({u for u in U[slug] if u.startswith(prefix)})
    if len(hits) != 1:
        # allow exact whole-unit match among several that start alike
        exact = [u for u in hits if u == prefix]
        if exact: return exact[0]
        raise SystemExit(f'{slug}: {len(hits)} units start with {prefix!r}: {hits[:3]}')
    return hits[0]
rows = []
for f in sorted(glob.glob('/tmp/succ12/labels_*.py')):
    spec = importlib.util.spec_from_file_location('l', f); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    for (a, fq, b, tq, rel, topic, why) in m.L:
        A, B = cands.SHORT[a], cands.SHORT[b]
        fq2 = find(A, fq)
        tq2 = '' if rel == 'dropped' else find(B, tq)
        tq2 = tq2.rstrip(':').rstrip() if tq2 else tq2
        fq2 = fq2.rstrip(':').rstrip()
        rows.append({"id": f"S{len(rows)+1:03d}", "from_plan": A, "from_quote": fq2, "to_plan": B,
                     "to_quote": tq2, "relation": rel, "topic": topic, "why": why})
seen = set()
for r in rows:
    k = (r['from_plan'], r['from_quote'], r['to_plan'])
    if k in seen: raise SystemExit(f'duplicate source {k}')
    seen.add(k)
with open('/work/wt/succ12/tests/data/links_train12.jsonl', 'w', encoding='utf-8', newline='\n') as fh:
    for r in rows: fh.write(json.dumps(r, ensure_ascii=False) + '\n')
import collections
print(len(rows), collections.Counter(r['relation'] for r in rows))
print(collections.Counter((a[:10], b[:10]) for a, b in ((r['from_plan'], r['to_plan']) for r in rows)))
