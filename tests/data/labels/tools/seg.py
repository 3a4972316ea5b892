"""Segment a line range of a plan text into candidate units for labelling."""

import re
import sys

GLYPH = r"[\uf0b7\uf0d8\uf0a7•●▪◦]"


def collapse(s):
    return re.sub(r"\s+", " ", s).strip()


SENT = re.compile(r'(?<=[.!?])["”’)]?\s+(?=[A-Z‘“"(£0-9])')
ABBR = re.compile(r"(\b(e\.g|i\.e|etc|Mr|Dr|St|No|vs|approx)|^[0-9]+)\.$")


def sentences(text):
    out = []
    for p in SENT.split(text):
        if out and ABBR.search(out[-1]):
            out[-1] += " " + p
        else:
            out.append(p)
    return [o.strip() for o in out if o.strip()]


def units(path, a, b, mode="block", lglyph=False, md=False):
    lines = open(path, encoding="utf-8").read().split("\n")[a - 1 : b]
    if mode == "flow":
        return flow(lines)
    if mode == "line":
        blocks = [ln for ln in lines if ln.strip()]
    else:
        blocks = [x for x in re.split(r"\n\s*\n", "\n".join(lines)) if x.strip()]
    out = []
    for blk in blocks:
        c = collapse(blk)
        if md:
            m = re.match(r"^(?:- |\d+\. )(.*)$", c)
            if m:
                item = re.sub(r"^(?:✓\s*|\d+\.\s+)", "", m.group(1).strip())
                if md == "long" and len(item.split()) > 40:
                    head, sep, rest = item.partition(": ")
                    if sep and len(head.split()) < 25:
                        out.append(["H", head])
                        item = rest
                    out += [["N", x] for x in sentences(item)]
                    continue
                b = re.match(r"^\*\*([^*]+)\*\*\s*(.*)$", item)
                if b:
                    out.append(["H", b.group(1).strip()])
                    item = b.group(2)
                item = item.strip("*").strip()
                if item:
                    out.append(["L", item])
                continue
            if re.fullmatch(r"\*+[^*]+\*+", c):
                c = c.strip("*").strip()
        if re.match(GLYPH, c) or re.search(r"\s" + GLYPH + r"\s", c):
            for x in re.split(GLYPH, c):
                if collapse(x):
                    out.append(["L", collapse(x)])
            continue
        if lglyph and re.match(r"^l\s+[A-Z]", c):
            parts = re.split(r"(?:^|\s)l\s+(?=[A-Z])", c)
            for x in parts:
                if collapse(x):
                    out.append(["L", collapse(x)])
            continue
        for s in sentences(c):
            out.append(["N", s])
    return out


if __name__ == "__main__":
    path, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "block"
    for i, (ctx, t) in enumerate(units(path, a, b, mode, lglyph="l" in sys.argv[5:])):
        print(f"{i}\t{ctx}\t{t}")

GL = re.compile(r"^\s*[\uf0b7\uf0d8\uf0a7•●▪◦]\s*")


def headlike(line):
    w = line.split()
    return 0 < len(w) <= 9 and not re.search(r"[.!?;,:]$", line) and line[:1].isupper()


def flow(lines):
    lines_ = [collapse(x) for x in lines if x.strip()]
    raw = [(bool(GL.match(x)), GL.sub("", x)) for x in lines_]
    groups = []
    for i, (isb, t) in enumerate(raw):
        nxt = raw[i + 1][1] if i + 1 < len(raw) else ""
        prev = groups[-1] if groups else None
        if isb or prev is None:
            groups.append(["L" if isb else "N", t])
            continue
        pk, pt = prev
        new = False
        if re.search(r"[.!?:]$", pt) and t[:1].isupper():
            new = True
        elif pk == "H":
            new = True
        elif headlike(t) and (nxt[:1].isupper() or not nxt) and not t.startswith(("Kent", "KCC")):
            new = True
        elif (
            pk == "L"
            and t[:1].isupper()
            and not t.startswith(("Kent", "KCC", "Government", "Medway", "London"))
        ):
            new = True
        if new:
            groups.append(["H" if headlike(t) and (nxt[:1].isupper() or not nxt) else "N", t])
        else:
            prev[1] = prev[1] + " " + t
    out = []
    for k, t in groups:
        if k == "N":
            out += [["N", x] for x in sentences(t)]
        else:
            out.append([k, t])
    return out
