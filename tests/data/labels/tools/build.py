import importlib.util
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seg import units

HERE = Path(__file__).resolve().parent
PLANS = str(HERE.parents[3] / ".." / "shared" / "plans") + "/"
FILES = {
    "kent-vision-2011": "003_cfdf0846c7aaebc6.txt",
    "kent-five-year-plan-2020-draft": "000_c47427a21133f53b.txt",
    "kent-interim-strategic-plan-2020": "001_ae4621af7f12e085.txt",
    "framing-kents-future-2022": "002_772f8d51a8355b4c.txt",
    "reforming-kent-2025": "004_88493c43608dda89.txt",
}
LAB = {"n": "none", "c": "commitment", "a": "ask", "t": "target", "m": "measure", "h": "none"}
CTX = {"N": "narrative", "L": "list", "T": "table", "H": "heading", "O": "other"}


def expand(codes, n=None):
    if ":" in codes:
        out = [None] * n
        for tok in codes.split():
            rng, code = tok.split(":")
            a, _, z = rng.partition("-")
            for i in range(int(a), int(z or a) + 1):
                assert out[i] is None, ("dup", i)
                out[i] = expand(code)[0]
        assert None not in out, ("missing", out.index(None))
        return out
    out = []
    for tok in codes.split():
        m = re.fullmatch(r"([NLTHO]?)([ncatmh])(?:\*(\d+))?", tok)
        if not m:
            raise SystemExit("bad token " + tok)
        ctx, lab, k = m.groups()
        if lab == "h":
            ctx = "H"
        out += [(ctx, lab)] * int(k or 1)
    return out


def sec_units(slug, s):
    us = units(
        PLANS + FILES[slug],
        s["a"],
        s["b"],
        s.get("mode", "block"),
        s.get("l", False),
        s.get("md", False),
    )
    for i in sorted(s.get("join", []), reverse=True):
        us[i : i + 2] = [[us[i][0], us[i][1] + " " + us[i + 1][1]]]
    for i in sorted(s.get("split", {}), reverse=True):
        ctx, t = us[i]
        pieces = [t]
        for sub in s["split"][i]:
            last = pieces.pop()
            k = last.index(sub)
            pieces += [last[:k].strip(), last[k:].strip()]
        us[i : i + 1] = [[ctx, p] for p in pieces if p]
    us = [[c, t.strip("*").strip()] for c, t in us]
    for i in sorted(s.get("drop", []), reverse=True):
        del us[i]
    return us


def load(slug):
    spec = importlib.util.spec_from_file_location("s", str(HERE / f"spec_{slug}.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m.SECTIONS


def main():
    slug, cmd = sys.argv[1], sys.argv[2]
    secs = load(slug)
    if cmd == "show":
        k = int(sys.argv[3])
        s = secs[k]
        us = sec_units(slug, s)
        cs = expand(s.get("codes", ""), len(us)) if s.get("codes") else []
        for i, (ctx, t) in enumerate(us):
            c = cs[i] if i < len(cs) else ("?", "?")
            print(
                f"{i}\t{ctx}\t{c[0] or '-'}{c[1]}\t{t[: int(sys.argv[4]) if len(sys.argv) > 4 else 400]}"
            )
        print("units", len(us), "codes", len(cs))
        return
    flat = re.sub(r"\s+", " ", open(PLANS + FILES[slug], encoding="utf-8").read())
    rows = []
    for s in secs:
        us = sec_units(slug, s)
        cs = expand(s["codes"], len(us))
        assert len(us) == len(cs), (s["heading"], len(us), len(cs))
        for (actx, t), (ctx, lab) in zip(us, cs, strict=True):
            assert t in flat, t
            ctxname = CTX[ctx] if ctx else ("list" if actx == "L" else "narrative")
            rows.append(
                {
                    "plan": slug,
                    "section": s["heading"],
                    "quote": t,
                    "label": LAB[lab],
                    "context": ctxname,
                }
            )
    out = str(HERE.parent / "kent" / f"{slug}.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter

    print(slug, len(rows), Counter(r["label"] for r in rows), Counter(r["context"] for r in rows))


main()
