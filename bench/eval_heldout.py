"""One repeatable evaluation of the product, through the CLI as a user runs it (docs/bench/eval-heldout.md).

    .venv/bin/python bench/eval_heldout.py [--work DIR] [--only samples|layouts]
        [--sets dev,heldout] [--out report.md] [--json report.json] [--jobs 2] [--rebuild]

Builds two kinds of library with ``workbench import … --json`` / ``workbench sample``: the bundled
sample PDFs ("samples") and the same five plans re-rendered in layouts that differ from them
("layouts", see ``bench/eval_layouts.py``), every plan under its usual slug. Scores each library
on the development set (``../shared/eval/dev_*.jsonl``) and on the held-out set nobody tuned on
(``tests/data/eval_extra/``), with the functions of ``../shared/eval/score.py`` (imported, never
copied): its own figures are read from what its functions print, and the extra measures below are
computed with its ``contains``, ``strings`` and ``_candidates`` in the same loop as its
``score_suggest``. Only aggregate figures are printed: never a held-out item or miss.

Extra suggest measures (on links with a successor unless said otherwise):
- relation accuracy: of the links whose right candidate is in the top 3, the share where that
  candidate's proposed relation is the link's relation;
- false reversals: of the continued/modified links whose right candidate is in the top 3, the
  share where it is proposed as reversed or withdrawn;
- "no successor": the source is proposed with no successor when every suggestion holding
  from_quote has relation "dropped" or no candidates; recall over the dropped links, precision
  over every link so proposed (dropped or not).

Libraries are cached in --work and rebuilt when the product code, the layout generator or the
plan texts change (a fingerprint is stored beside each one). The product is never edited.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "bench") not in sys.path:
    sys.path.insert(0, str(REPO / "bench"))

import eval_layouts  # noqa: E402

SHARED_EVAL = REPO.parent / "shared" / "eval"
HELDOUT = REPO / "tests" / "data" / "eval_extra"
HELDOUT_BRANCH = "links"  # where the held-out set lives before it is merged
SLUGS = ("kent-vision-2011", "kent-five-year-plan-2020-draft", "kent-interim-strategic-plan-2020",
         "framing-kents-future-2022", "reforming-kent-2025")
PRODUCT = ("workbench", "indexing", "db", "ui", "export", "resources")
NEGATIVE = ("reversed", "withdrawn")


def load_score(path: Path = SHARED_EVAL / "score.py") -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load_set(name: str) -> tuple[list[dict], list[dict], str]:
    """(links, queries, where) of the dev or held-out set."""
    if name == "dev":
        return (_jsonl((SHARED_EVAL / "dev_links.jsonl").read_text(encoding="utf-8")),
                _jsonl((SHARED_EVAL / "dev_queries.jsonl").read_text(encoding="utf-8")),
                str(SHARED_EVAL))
    if (HELDOUT / "links.jsonl").is_file():
        return (_jsonl((HELDOUT / "links.jsonl").read_text(encoding="utf-8")),
                _jsonl((HELDOUT / "queries.jsonl").read_text(encoding="utf-8")),
                "tests/data/eval_extra")

    def show(file: str) -> str:  # not merged yet: read it from its branch
        return subprocess.run(["git", "-C", str(REPO), "show",
                               f"{HELDOUT_BRANCH}:tests/data/eval_extra/{file}"],
                              capture_output=True, text=True, check=True).stdout
    try:
        return (_jsonl(show("links.jsonl")), _jsonl(show("queries.jsonl")),
                f"branch {HELDOUT_BRANCH} (not in this tree)")
    except subprocess.CalledProcessError as exc:
        raise SystemExit("the held-out set is neither in tests/data/eval_extra nor on the "
                         f"branch {HELDOUT_BRANCH!r}") from exc


def make_cli(score: ModuleType, exe: str, library: Path) -> Any:
    """score.py's ``Cli`` with every answer kept: both sets ask the same questions."""
    class CachedCli(score.Cli):
        def __init__(self) -> None:
            super().__init__(exe, str(library))
            self.cache: dict[tuple[str, ...], Any] = {}

        def json(self, *args: str) -> Any:
            if args not in self.cache:
                self.cache[args] = super().json(*args)
            return self.cache[args]

        def prefetch(self, calls: Iterable[tuple[str, ...]], jobs: int) -> None:
            todo = [c for c in dict.fromkeys(calls) if c not in self.cache]
            ask = super().json
            with ThreadPoolExecutor(max(1, jobs)) as pool:
                for call, future in [(c, pool.submit(ask, *c)) for c in todo]:
                    with contextlib.suppress(BaseException):  # a failure is met again later
                        self.cache[call] = future.result()
    return CachedCli()


# --- building the libraries --------------------------------------------------------------------


def product_fingerprint() -> str:
    h = hashlib.sha1()
    for top in PRODUCT:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".tsv", ".json", ".pdf"):
                h.update(str(path.relative_to(REPO)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def run_json(exe: str, *args: str) -> dict:
    r = subprocess.run([exe, *args, "--json"], capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise SystemExit(f"workbench {' '.join(args)} failed ({r.returncode}): "
                         f"{(r.stderr or r.stdout).strip()[-400:]}")
    return json.loads(r.stdout)


def build_library(exe: str, library: Path, key: str, import_args: list[str],
                  rebuild: bool) -> bool:
    """Import into ``library`` unless a library built from the same inputs is there.
    Returns True when it was (re)built."""
    stamp = library.parent / f"{library.name}.stamp.json"
    if not rebuild and library.is_dir() and stamp.is_file() and \
            json.loads(stamp.read_text(encoding="utf-8")).get("key") == key:
        return False
    if library.exists():  # only ever a library this script built (it sits in --work)
        shutil.rmtree(library)
    stamp.unlink(missing_ok=True)
    out = run_json(exe, *import_args, "--library", str(library))
    got = {o.get("slug") for o in out.get("outcomes", []) if o.get("status") == "imported"}
    if not set(SLUGS) <= got:
        bad = [f"{o.get('path')}: {o.get('status')} {o.get('message')}"
               for o in out.get("outcomes", []) if o.get("slug") not in SLUGS]
        raise SystemExit(f"{library.name}: expected the slugs {SLUGS}, got {sorted(got)} {bad}")
    stamp.write_text(json.dumps({"key": key}), encoding="utf-8")
    return True


def libraries(args: argparse.Namespace, exe: str, work: Path) -> dict[str, dict]:
    """{name: {"path", "layouts", "built", "seconds"}} of the libraries to score."""
    product = product_fingerprint()
    out: dict[str, dict] = {}
    if args.only in (None, "samples"):
        t = time.perf_counter()
        path = work / "samples"
        built = build_library(exe, path, product, ["sample"], args.rebuild)
        out["samples"] = {"path": path, "layouts": "bundled PDFs", "built": built,
                          "seconds": round(time.perf_counter() - t, 1)}
    if args.only in (None, "layouts"):
        lay = eval_layouts.discover()
        names = [n for n in (args.layouts.split(",") if args.layouts else lay.renderers) if n]
        unknown = [n for n in names if n not in lay.renderers]
        if unknown:
            raise SystemExit(f"unknown layouts {unknown}; {lay.source} has {list(lay.renderers)}")
        groups = [names] if args.layout_mode == "mixed" else [[n] for n in names]
        for group in groups:
            t = time.perf_counter()
            name = "layouts" if args.layout_mode == "mixed" else f"layout-{group[0]}"
            key = hashlib.sha1(f"{product}{eval_layouts.fingerprint(lay, group)}".encode())
            path, pdfs = work / name, work / f"{name}-pdf"
            stamp = work / f"{name}.stamp.json"
            fresh = stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")).get(
                "key") == key.hexdigest()
            if args.rebuild or not fresh or not (pdfs / "manifest.json").is_file():
                if pdfs.exists():
                    shutil.rmtree(pdfs)
                eval_layouts.render_set(lay, group, pdfs)
            built = build_library(exe, path, key.hexdigest(), ["import", str(pdfs)], args.rebuild)
            plans = [f"{e['file'].removesuffix('.pdf')}: {e['layout']}" for e in json.loads(
                (pdfs / "manifest.json").read_text(encoding="utf-8"))]
            out[name] = {"path": path, "layouts": f"{lay.source}; " + ", ".join(plans),
                         "built": built, "seconds": round(time.perf_counter() - t, 1)}
    return out


# --- scoring -----------------------------------------------------------------------------------

_NUM = r"([0-9.]+)"


def printed(fn: Any, *args: Any) -> str:
    """What one of score.py's functions prints (missed items included: never shown)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args)
    return buf.getvalue()


def _match(score: ModuleType, pattern: str, text: str, what: str) -> re.Match:
    m = re.search(pattern, text)
    if m is None:
        raise RuntimeError(f"score.py's {what} output changed; update bench/eval_heldout.py")
    return m


def score_commitments(score: ModuleType, cli: Any, links: list[dict]) -> dict:
    text = printed(score.score_commitments, cli, links)
    m = _match(score, rf"commitments: (\d+)/(\d+) = {_NUM}", text, "score_commitments")
    plans = {p: {"found": int(f), "quotes": int(t), "units": int(u), "cover": float(c)}
             for p, f, t, u, c in re.findall(
                 rf"^\s+(\S+)\s+(\d+)/(\d+)\s+units\s+(\d+)\s+cover {_NUM}", text, re.M)}
    return {"inside": float(m[3]), "found": int(m[1]), "quotes": int(m[2]), "plans": plans}


def best_candidate(score: ModuleType, items: list[dict], link: dict) -> tuple[int | None, str]:
    """score.py's ``score_suggest`` loop for one link: (rank of the right candidate in the
    top 3 or None, its proposed relation)."""
    best, rel = None, ""
    for item in items:
        if not score.contains(item.get("text", ""), link["from_quote"]):
            continue
        for rank, c in enumerate(score._candidates(item)[:3]):
            if score.contains(" ".join(score.strings(c)), link["to_quote"]):
                if best is None or rank < best:
                    best, rel = rank, str(c.get("relation", ""))
                break
    return best, rel


def no_successor(score: ModuleType, items: list[dict], link: dict) -> bool:
    holding = [i for i in items if score.contains(i.get("text", ""), link["from_quote"])]
    return bool(holding) and all(i.get("relation") == "dropped" or not score._candidates(i)
                                 for i in holding)


def _share(k: int, n: int) -> float | None:
    return round(k / n, 3) if n else None


def score_suggest(score: ModuleType, cli: Any, links: list[dict]) -> dict:
    text = printed(score.score_suggest, cli, links)
    m = _match(score, rf"top-1 {_NUM}, top-3 {_NUM} of (\d+) links; reversed/withdrawn "
                      r"proposed as such (\d+)/(\d+)", text, "score_suggest")
    items = {}
    for link in links:
        pair = (link["from_plan"], link["to_plan"])
        if pair not in items:
            items[pair] = cli.json("suggest", "--from", pair[0], "--to", pair[1]).get(
                "suggestions", [])
    top1 = top3 = right = rel_ok = cm_n = cm_neg = drop_n = drop_tp = drop_fp = 0
    for link in links:
        pair = (link["from_plan"], link["to_plan"])
        if not link["to_quote"]:
            drop_n += 1
            drop_tp += no_successor(score, items[pair], link)
            continue
        drop_fp += no_successor(score, items[pair], link)
        best, rel = best_candidate(score, items[pair], link)
        top1 += best == 0
        top3 += best is not None
        if best is None:
            continue
        right += 1
        rel_ok += rel == link["relation"]
        if link["relation"] in ("continued", "modified"):
            cm_n += 1
            cm_neg += rel in NEGATIVE
    n = int(m[3])
    out = {"links": n, "top1": float(m[1]), "top3": float(m[2]),
           "negative_as_such": int(m[4]), "negative": int(m[5]),
           "relation_accuracy": _share(rel_ok, right), "right_in_top3": right,
           "false_reversal": _share(cm_neg, cm_n), "continued_modified_in_top3": cm_n,
           "dropped": drop_n}
    if drop_n:
        out.update(no_successor_recall=_share(drop_tp, drop_n),
                   no_successor_precision=_share(drop_tp, drop_tp + drop_fp),
                   no_successor_proposed=drop_tp + drop_fp)
    # the same loop as score.py: if these differ, the definitions drifted apart
    if n and (round(top1 / n, 2), round(top3 / n, 2)) != (out["top1"], out["top3"]):
        out["warning"] = "top-1/top-3 recomputed here differ from score.py's"
    return out


def compare_exists(exe: str) -> bool:
    r = subprocess.run([exe, "compare", "--help"], capture_output=True, text=True, timeout=300)
    return r.returncode == 0


def score_compare(score: ModuleType, cli: Any, links: list[dict], exists: bool) -> dict:
    if not exists:
        return {"skipped": "`workbench compare` does not exist in this tree"}
    try:
        text = printed(score.score_compare, cli, links)
    except SystemExit as exc:  # score.py's Cli exits on a failed command
        return {"skipped": f"workbench compare failed: {str(exc)[:200]}"}
    m = _match(score, r"compare: pairs hold (\d+)/(\d+) = ", text, "score_compare")
    return {"held": int(m[1]), "links": int(m[2]), "share": _share(int(m[1]), int(m[2]))}


def score_search(score: ModuleType, cli: Any, queries: list[dict]) -> dict:
    text = printed(score.score_search, cli, queries)  # its "missed" lines are dropped here
    m = _match(score, rf"recall@10 {_NUM} \((\d+)/(\d+)\); phrase precision {_NUM} "
                      r"\((\d+)/(\d+)\); hits repeated inside another hit: (\d+)", text,
               "score_search")
    return {"recall10": float(m[1]), "found": int(m[2]), "expected": int(m[3]),
            "phrase_precision": float(m[4]), "phrase_hits": int(m[6]), "nested": int(m[7]),
            "queries": len(queries)}


def calls(links: list[dict], queries: list[dict], compare: bool) -> list[tuple[str, ...]]:
    """Every CLI call scoring will make, to run them ``--jobs`` at a time first."""
    out: list[tuple[str, ...]] = [("show", s) for s in SLUGS]
    pairs = dict.fromkeys((k["from_plan"], k["to_plan"]) for k in links)
    out += [("suggest", "--from", a, "--to", b) for a, b in pairs]
    if compare:
        out += [("compare", a, b) for a, b in pairs]
    out += [("search", q["query"], "--limit", "10") for q in queries]
    return out


def score_library(score: ModuleType, cli: Any, sets: dict[str, tuple], compare: bool,
                  jobs: int = 1) -> dict:
    if jobs > 1:
        cli.prefetch([c for links, queries, _w in sets.values()
                      for c in calls(links, queries, compare)], jobs)
    out: dict[str, dict] = {}
    for name, (links, queries, _where) in sets.items():
        t = time.perf_counter()
        parts = {"commitments": (score_commitments, links), "suggest": (score_suggest, links),
                 "compare": (score_compare, links, compare), "search": (score_search, queries)}
        out[name] = {}
        for part, (fn, *rest) in parts.items():
            try:
                out[name][part] = fn(score, cli, *rest)
            except SystemExit as exc:  # score.py's Cli exits when a command fails
                # its message names the command, so a held-out query would show: not for that set
                out[name][part] = {"failed": str(exc)[:300] if name == "dev" else
                                   "a workbench command failed (not shown: held-out set)"}
        out[name]["seconds"] = round(time.perf_counter() - t, 1)
    return out


# --- the report --------------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def markdown(results: dict, meta: dict) -> str:
    cols = [(lib, s) for lib, sets in results.items() for s in sets]
    head = "| figure | " + " | ".join(f"{lib} · {s}" for lib, s in cols) + " |"
    lines = [f"Evaluation {meta['date']} on {meta['tree']} ({meta['seconds']} s)", "",
             head, "|---|" + "---|" * len(cols)]

    def row(label: str, get: Any) -> None:
        vals = []
        for lib, s in cols:
            try:
                vals.append(_fmt(get(results[lib][s])))
            except (KeyError, TypeError):
                vals.append("–")
        lines.append(f"| {label} | " + " | ".join(vals) + " |")

    row("commitments: link quotes inside a unit", lambda r: r["commitments"]["inside"])
    row("suggest: top-1", lambda r: r["suggest"]["top1"])
    row("suggest: top-3", lambda r: r["suggest"]["top3"])
    row("suggest: reversed/withdrawn proposed as such",
        lambda r: f"{r['suggest']['negative_as_such']}/{r['suggest']['negative']}")
    row("suggest: relation accuracy on the right candidate",
        lambda r: r["suggest"]["relation_accuracy"])
    row("suggest: continued/modified proposed as reversed/withdrawn",
        lambda r: r["suggest"]["false_reversal"])
    row("suggest: no-successor recall (dropped links)",
        lambda r: r["suggest"].get("no_successor_recall"))
    row("suggest: no-successor precision", lambda r: r["suggest"].get("no_successor_precision"))
    row("compare: pairs holding a link",
        lambda r: r["compare"].get("share", r["compare"].get("skipped") and "skipped"))
    row("search: recall@10", lambda r: r["search"]["recall10"])
    row("search: phrase precision", lambda r: r["search"]["phrase_precision"])
    row("search: hits repeated inside another hit", lambda r: r["search"]["nested"])
    lines += ["", "Per plan (link quotes inside a unit; units; share of the plan's words "
              "the units cover):", "", head, "|---|" + "---|" * len(cols)]
    for slug in SLUGS:
        row(slug, lambda r, slug=slug: "{found}/{quotes}; {units}; {cover:.2f}".format(
            **r["commitments"]["plans"][slug]))
    notes = sorted({r["compare"]["skipped"] for sets in results.values() for r in sets.values()
                    if "skipped" in r["compare"]})
    notes += [f"{lib}: {m['layouts']}" for lib, m in meta["libraries"].items()]
    notes += [f"{s}: {w}" for s, w in meta["sets"].items()]
    notes += [f"{lib} · {s}: {r['suggest']['warning']}" for lib, sets in results.items()
              for s, r in sets.items() if "warning" in r["suggest"]]
    notes += [f"{lib} · {s}: {part} FAILED: {v['failed']}" for lib, sets in results.items()
              for s, r in sets.items() for part, v in r.items()
              if isinstance(v, dict) and "failed" in v]
    return "\n".join([*lines, "", *(f"- {n}" for n in notes)]) + "\n"


def tree_name() -> str:
    def git(*a: str) -> str:
        r = subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True)
        return r.stdout.strip()
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--", *PRODUCT) else ""
    return f"{git('rev-parse', '--abbrev-ref', 'HEAD')} {git('rev-parse', '--short', 'HEAD')}{dirty}"


def default_exe() -> str:
    local = REPO / ".venv" / ("Scripts/workbench.exe" if os.name == "nt" else "bin/workbench")
    return str(local) if local.exists() else (shutil.which("workbench") or "workbench")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "workbench-eval")
    ap.add_argument("--only", choices=["samples", "layouts"])
    ap.add_argument("--sets", default="dev,heldout")
    ap.add_argument("--layouts", default="", help="comma-separated layout names (default all)")
    ap.add_argument("--layout-mode", choices=["mixed", "each"], default="mixed",
                    help="mixed: one library, plan i in layout i mod n; each: one per layout")
    ap.add_argument("--workbench", default=default_exe())
    ap.add_argument("--out", type=Path, help="write the Markdown table here too")
    ap.add_argument("--json", type=Path, help="write the JSON here (default: --out as .json)")
    ap.add_argument("--jobs", type=int, default=2, help="CLI calls run at once")
    ap.add_argument("--rebuild", action="store_true", help="re-import even if cached")
    ap.add_argument("--nice", type=int, default=10)
    args = ap.parse_args(argv)
    if args.nice and hasattr(os, "nice"):
        os.nice(args.nice)
    t0 = time.perf_counter()
    score = load_score()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    if not set(names) <= {"dev", "heldout"}:
        ap.error("--sets takes dev and/or heldout")
    sets = {n: load_set(n) for n in names}
    args.work.mkdir(parents=True, exist_ok=True)
    libs = libraries(args, args.workbench, args.work)
    has_compare = compare_exists(args.workbench)
    results = {}
    for name, lib in libs.items():
        print(f"scoring {name} ({'built' if lib['built'] else 'cached'} in {lib['seconds']} s)",
              file=sys.stderr, flush=True)
        cli = make_cli(score, args.workbench, lib["path"])
        results[name] = score_library(score, cli, sets, has_compare, args.jobs)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "tree": tree_name(),
            "seconds": round(time.perf_counter() - t0), "sets": {n: s[2] for n, s in sets.items()},
            "libraries": {n: {k: str(v) for k, v in lib.items()} for n, lib in libs.items()}}
    report = markdown(results, meta)
    print(report)
    data = json.dumps({"meta": meta, "results": results}, indent=1)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    target = args.json or (args.out.with_suffix(".json") if args.out else None)
    if target:
        target.write_text(data, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
