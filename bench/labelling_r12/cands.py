"""Labelling aid (not product code): split plans into sentence/list-item quotes, and for sources of
plan A list the top lexical (TF-IDF) passages of plan B. Independent of the engine."""
import json, re, sys, math, collections
from pathlib import Path
P = Path('/work/shared/plans'); man = json.load(open(P/'manifest.json'))
SLUG = {Path(m['file']).stem: m['text_file'] for m in man}
SHORT = {'v11':'kent-vision-2011','d20':'kent-five-year-plan-2020-draft','i20':'kent-interim-strategic-plan-2020','f22':'framing-kents-future-2022','r25':'reforming-kent-2025'}
def collapse(t): return ' '.join(t.split())
ITEM=set()
def units(slug):
    raw = (P/SLUG[slug]).read_text()
    out = []
    for para in re.split(r'\n\s*\n', raw):
        para = collapse(para)
        if not para: continue
        # split into sentences / list items
        parts = re.split(r'(?<=[.!?;:])\s+(?=(?:[A-Z0-9•\-]))|\s+(?=\d{1,2}\.\s+[A-Z])|\s+(?=- [A-Z])|\s+(?=l\s+[A-Z])|\s+(?=\uf0b7)', para)
        for s in parts:
            s = s.strip()
            item = bool(re.match(r'^(\d{1,2}\.|-|•|l|\uf0b7)\s+', s)) or bool(re.search(r'\b(we will|we are committed|our commitment|we\'ll|KCC will|we intend|we aim)\b', s, re.I))
            s = re.sub(r'^(\d{1,2}\.|-|•|l|\uf0b7)\s+', '', s)
            n = len(s.split())
            if 7 <= n <= 55: out.append(s); (ITEM.add(s) if item else None)
    return out
STOP = set('the a an and or of to in for on with by our we will is are be as at that this from it its their which kent kcc council county all more new'.split())
def toks(s): return [w for w in re.findall(r'[a-z0-9]+', s.lower()) if w not in STOP and len(w) > 2]
def used(pair):
    u = set()
    for f in ['/work/shared/eval/dev_links.jsonl','/work/wt/succ12/tests/data/links_train.jsonl','/work/wt/succ12/tests/data/links_train_rev.jsonl','/work/wt/succ12/tests/data/links_train12.jsonl']:
        try:
            for l in open(f):
                if l.strip():
                    r = json.loads(l)
                    if (r['from_plan'], r['to_plan']) == pair: u.add(collapse(r['from_quote']).lower())
        except FileNotFoundError: pass
    return u
import os
ALL=os.environ.get('ALL')
if __name__ == '__main__':
    a, b = SHORT[sys.argv[1]], SHORT[sys.argv[2]]
    pat = sys.argv[3] if len(sys.argv) > 3 else None
    k = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    A, B = units(a), units(b)
    df = collections.Counter(w for s in A + B for w in set(toks(s)))
    N = len(A) + len(B)
    def vec(s):
        c = collections.Counter(toks(s)); v = {w: (1+math.log(n))*math.log(N/df[w]) for w, n in c.items()}
        z = math.sqrt(sum(x*x for x in v.values())) or 1; return {w: x/z for w, x in v.items()}
    BV = [vec(s) for s in B]
    u = used((a, b))
    for i, s in enumerate(A):
        if pat and not re.search(pat, s, re.I): continue
        if s not in ITEM and not ALL: continue
        if any(s.lower() in q or q in s.lower() for q in u): continue
        v = vec(s)
        sc = sorted(((sum(v.get(w,0)*x for w, x in bv.items()), j) for j, bv in enumerate(BV)), reverse=True)[:k]
        print(f'\n### A{i}: {s}')
        for x, j in sc: print(f'   B{j} {x:.2f}: {B[j]}')
