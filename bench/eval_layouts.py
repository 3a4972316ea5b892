"""Render the five sample plan texts in layouts that differ from the bundled PDFs.

Used by ``bench/eval_heldout.py`` to build the "unseen layouts" library. The layouts come from
the test-data layout generators, discovered rather than named, so the harness keeps working as
they grow:

1. ``tests/data/layouts/zoo.py`` (the "layout zoo"): when it exposes ``STYLES`` (a dict of
   styles), ``plan_blocks(path)`` and ``render(blocks, style, path, org)``, every style it has
   is available, rendered from the plan texts by its own code.
2. Otherwise (``tests/data/layouts/unseen.py`` only draws small fixed documents, not the plans):
   a few layouts built here from ``tests/pdfgen.py``'s page primitives, echoing unseen.py's
   kinds: two columns with a running header ("pdfgen_two_column") and body-size bold numbered
   headings with "- N -" footers ("pdfgen_numbered_bold").

Each rendered set is written as ``<folder>/<slug>.pdf`` with a ``manifest.json`` beside it (titles,
dates and supersessions from ``resources/sample/manifest.json``), so ``workbench import`` gives
every plan its usual slug (the slug is the PDF's file name; the manifest is keyed by file name).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PLANS = REPO.parent / "shared" / "plans"
SAMPLE_MANIFEST = REPO / "resources" / "sample" / "manifest.json"

Renderer = Callable[[Path, Path, str], Path]  # (plan text, pdf out, organisation) -> pdf


@dataclass(frozen=True)
class Layouts:
    source: str  # where the layouts came from, for the report
    renderers: dict[str, Renderer]
    files: tuple[Path, ...]  # the generator's source files (a change invalidates the cache)


def manifest_entries() -> list[dict]:
    """The sample manifest's entries, in supersession order."""
    return json.loads(SAMPLE_MANIFEST.read_text(encoding="utf-8"))


def discover() -> Layouts:
    """The zoo's styles when it has them, else this module's pdfgen fallback."""
    try:
        zoo = importlib.import_module("tests.data.layouts.zoo")
    except ImportError:
        zoo = None
    styles = getattr(zoo, "STYLES", None)
    if zoo is not None and isinstance(styles, dict) and styles and all(
            callable(getattr(zoo, f, None)) for f in ("plan_blocks", "render")):
        def make(style: object) -> Renderer:
            def run(text: Path, out: Path, org: str) -> Path:
                return zoo.render(zoo.plan_blocks(text), style, out, org)
            return run
        return Layouts("tests/data/layouts/zoo.py",
                       {str(name): make(style) for name, style in styles.items()},
                       (Path(zoo.__file__),))
    pdfgen = importlib.import_module("tests.pdfgen")
    return Layouts("bench/eval_layouts.py on tests/pdfgen.py (no layout zoo in this tree)",
                   {"pdfgen_two_column": _fallback(two_column=True),
                    "pdfgen_numbered_bold": _fallback(two_column=False)},
                   (Path(__file__), Path(pdfgen.__file__)))


def render_set(layouts: Layouts, names: list[str], folder: Path) -> list[Path]:
    """Write every plan in ``folder``: plan ``i`` in layout ``names[i % len(names)]``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = manifest_entries()
    out, manifest = [], []
    for i, entry in enumerate(entries):
        slug = Path(entry["file"]).stem
        name = names[i % len(names)]
        pdf = layouts.renderers[name](PLANS / entry["text_file"], folder / f"{slug}.pdf",
                                      entry.get("organisation") or "Council")
        out.append(pdf)
        manifest.append({**entry, "file": pdf.name, "layout": name})
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False),
                                          encoding="utf-8")
    return out


def fingerprint(layouts: Layouts, names: list[str]) -> str:
    h = hashlib.sha1()
    for path in (*layouts.files, SAMPLE_MANIFEST, *sorted(PLANS.glob("*.txt"))):
        h.update(path.read_bytes())
    h.update(repr(names).encode())
    return h.hexdigest()


# --- the fallback: plan text -> pdfgen pages ---------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-•●▪–\uf0b7\uf0d8\uf0a7]|l(?=\s+[A-Z]))\s+")


def text_blocks(path: Path) -> list[tuple[str, str]]:
    """(kind, text) blocks of a plan text: kind is "heading", "bullet" or "para".

    The texts are extracted line by line with blank lines between many wrapped lines, so a
    chunk that starts in lower case after one without a sentence end is joined to it.
    """
    raw = re.sub(r"</?p>", " ", path.read_text(encoding="utf-8"))
    blocks: list[list[str]] = []
    for chunk in re.split(r"\n[ \t]*\n", raw):
        text = " ".join(chunk.split())
        if not text:
            continue
        if _BULLET.match(text):
            blocks.append(["bullet", _BULLET.sub("", text)])
        elif blocks and blocks[-1][0] != "heading" and text[:1].islower() \
                and not blocks[-1][1].endswith((".", "!", "?", ":")):
            blocks[-1][1] = f"{blocks[-1][1]} {text}"
        else:
            words = text.split()
            head = (len(words) <= 12 and text[:1].isupper()
                    and not text.endswith((".", ",", ";", ":")))
            blocks.append(["heading" if head else "para", text])
    return [(k, t) for k, t in blocks]


def _fallback(*, two_column: bool) -> Renderer:
    def run(text: Path, out: Path, org: str) -> Path:
        from tests.pdfgen import BODY, Page, Para, bullet, heading, make_pdf, para

        # pdfgen lays out fixed pages, so pages are filled here from an estimate of each
        # paragraph's height (DejaVu averages about 0.55 em a character), with a margin
        width = (595.0 - 2 * 56.0 - (24.0 if two_column else 0.0)) / (2 if two_column else 1)
        budget = (842.0 - 2 * 56.0 - 40.0) * (2 if two_column else 1) * 0.72

        def height(text: str, size: float) -> float:
            per_line = max(1, int(width / (0.56 * size)))
            return (len(text) // per_line + 1) * size * 1.3 + 8.0

        pages: list[Page] = []
        current: list[Para] = []
        used, section, number = 0.0, org, 0

        def flush() -> None:
            nonlocal current, used
            if current:
                label = str(len(pages) + 1)
                pages.append(Page(current, columns=2 if two_column else 1,
                                  header=f"{org}  |  {section[:50]}" if two_column else "",
                                  footer="Page {label}" if two_column else "- {label} -",
                                  footer_align="right" if two_column else "center",
                                  label=label))
            current, used = [], 0.0

        for kind, body in text_blocks(text):
            if kind == "heading":
                number += 1
                item = (heading(body, 2) if two_column else
                        Para(f"{number}. {body}", size=BODY, bold=True, gap_before=6.0))
                size = item.size
            elif kind == "bullet":
                item, size = bullet(body, "•" if two_column else "●"), BODY
            else:
                item, size = para(body), BODY
            need = height(item.text, size) * (2 if two_column and item.full_width else 1)
            if used + need > budget:
                flush()
            if kind == "heading":
                section = body
            current.append(item)
            used += need
        flush()
        return make_pdf(out, pages, title=out.stem)
    return run
