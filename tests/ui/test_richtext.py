"""Untrusted text stays text: escaping, highlighting, diffs, UTF-16 offsets, safe browser."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from ui import richtext
from ui.widgets.safe_browser import SafeTextBrowser


def test_snippet_is_escaped_before_markers_become_highlights():
    html = richtext.snippet_html('<img src="file:///etc/passwd"> the [[climate]] & [[<x>]]')
    assert "<img" not in html
    assert "&lt;img" in html
    assert html.count("<b ") == 2
    assert "&lt;x&gt;</b>" in html
    assert richtext.snippet_terms("[[Climate]] and [[climate]] [[emergency]]") == [
        "Climate", "emergency"]


def test_word_diff_marks_insertions_and_deletions():
    html, inserted, deleted = richtext.word_diff_html(
        "We will support <adult> social care", "We will reform adult social care services"
    )
    assert inserted == 3 and deleted == 2
    assert "line-through" in html and "#d7f5dd" in html
    assert "&lt;adult&gt;" in html and "<adult>" not in html


def test_utf16_offsets_count_astral_characters_twice():
    text = "😀 climate"
    assert richtext.utf16_offset(text, 2) == 3
    assert richtext.find_terms("Our Climate Emergency, climates", ["climate emergency"]) == [(4, 21)]
    assert richtext.find_terms("emergencies", ["emergenc"]) == [(0, 11)]


def test_safe_browser_loads_no_local_files(qtbot, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    image = tmp_path / "pic.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(f'<img src="{image.as_uri()}"><a href="{secret.as_uri()}">x</a>')
    assert browser.loadResource(QTextDocument.ResourceType.ImageResource.value,
                                QUrl.fromLocalFile(str(image))) is None
    browser.setSource(QUrl.fromLocalFile(str(secret)))
    assert "TOP SECRET" not in browser.toPlainText()
    assert not browser.openLinks()
