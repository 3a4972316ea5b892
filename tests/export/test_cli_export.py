"""``workbench export`` on the sample library, run in-process with the module registered as
``ui/cli.py`` will register it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import docx
import openpyxl
import pymupdf
import pytest

import ui.cli
from tests.export.readback import norm, pdf_text


@pytest.fixture
def cli(library, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = ui.cli.main([*args, "--library", str(library)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_export_is_a_command_of_workbench(cli, capsys):
    """``workbench export`` exists on the real parser, with its own options (break it by
    leaving the export module out of the CLI's registration: this fails)."""
    with pytest.raises(SystemExit) as exit_:
        cli("export", "--help")
    assert exit_.value.code == 0
    assert "--changes-since" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli("export", "--out", "x.pdf", "--no-such-option")
    assert exit_.value.code == 2


NET_ZERO = ["--search", "net zero"]  # every plan: --from/--to now select a plan pair's links


def test_export_pdf_then_changes_since(cli, library, tmp_path):
    out = tmp_path / "pack.pdf"
    code, stdout, err = cli("export", "--format", "pdf", "--out", str(out), *NET_ZERO,
                            "--committee", "Scrutiny Committee", "--author", "A. Clerk",
                            "--as-at", "2025-09-30", "--json")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["items"] >= 3 and data["format"] == "pdf"
    assert data["selection"]["search"] == "net zero"
    with pymupdf.open(out) as doc:
        text = norm(pdf_text(doc))
        assert "Scrutiny Committee" in text
        assert "Scrap unattainable Net Zero 2030" in text
        assert "Reforming Kent 2025-2028 ·" in text
        assert "search “net zero”" in text  # colophon
        assert doc.xref_get_key(doc.pdf_catalog(), "StructTreeRoot")[0] == "xref"
    assert not (tmp_path / "pack.pdf.pack.json").exists()  # nothing beside the clerk's file
    kept = Path(data["manifest"])
    assert kept.parent == library / "packs"
    manifest = json.loads(kept.read_text(encoding="utf-8"))
    assert manifest["library_revision"] == data["library_revision"]

    again = tmp_path / "again.pdf"
    code, stdout, err = cli("export", "--out", str(again), *NET_ZERO, "--changes-since",
                            str(out), "--json")
    assert code == 0, err
    assert json.loads(stdout)["changes_since"] == [
        f"No changes since the pack of library revision {data['library_revision']}."]
    with pymupdf.open(again) as doc:
        assert "Changes since the last pack" in [t for _, t, _ in doc.get_toc()]


def test_export_docx_csv_xlsx(cli, tmp_path):
    for fmt in ("docx", "csv", "xlsx"):
        out = tmp_path / f"pack.{fmt}"
        code, _out, err = cli("export", "--out", str(out), "--search", "climate emergency",
                              "--title", "Climate emergency")
        assert code == 0, err
    document = docx.Document(str(tmp_path / "pack.docx"))
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)
    assert document.core_properties.title == "Climate emergency"
    with (tmp_path / "pack.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:6] == ["Key", "Heading", "Plan", "Section", "Printed page", "Text"]
    assert len(rows) > 1 and all(r[0].startswith("commitment:") for r in rows[1:])
    ws = openpyxl.load_workbook(tmp_path / "pack.xlsx")["Commitments"]
    assert [c.value for c in ws[2]][:3] == rows[1][:3]


def test_unknown_tag_relation_status_are_refused_clearly(cli, tmp_path):
    for flag, value, says in (("--tag", "climate", "No tag called"),
                              ("--relation", "sideways", "Unknown relation"),
                              ("--status", "vibing", "Unknown status")):
        code, _out, err = cli("export", "--out", str(tmp_path / "p.pdf"), flag, value)
        assert code == 1
        assert says in err and value in err
        assert not (tmp_path / "p.pdf").exists()
        assert "Writing" not in err, err  # refused before "Writing the pack to …" is said


def test_unknown_plan_and_bad_date(cli, tmp_path):
    code, _out, err = cli("export", "--out", str(tmp_path / "p.csv"), "--from", "nope")
    assert code == 1 and "nope" in err
    code, _out, err = cli("export", "--out", str(tmp_path / "p.csv"), "--as-at", "30/09/2025")
    assert code == 1 and "--as-at" in err


def test_page_images_highlight_the_passage(cli, tmp_path):
    out = tmp_path / "pack.pdf"
    code, _out, err = cli("export", "--out", str(out), "--search", "rescind",
                          "--from", "reforming-kent-2025", "--page-images")
    assert code == 0, err
    with pymupdf.open(out) as doc:
        assert sum(len(page.get_images()) for page in doc) >= 1
        assert "the passage is highlighted" in pdf_text(doc)
