"""Search terms on the page image: the worker's word boxes, term matching, high-DPI images.

Why: a person who opens a search hit looks at the page, not the text pane, so the terms must be
marked where they are printed. The word boxes come from the render worker process (the GUI never
parses a PDF), in the same coordinates as the rendered image, rotation included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtGui import QImage

from indexing.worker import PdfRenderWorker
from tests.pdfgen import Page, make_pdf, para
from ui.render import PageRenderer
from ui.richtext import normalise_word, term_matcher


def test_term_matcher_normalises_and_matches_prefixes():
    matches = term_matcher(["Climate", "emergencies", "educat*", "of"])
    assert matches("climate,") and matches("CLIMATE") and matches("(climate-related")
    assert matches("emergency") and matches("Emergencies.")  # the same light stem
    assert matches("education") and matches("educated") and matches("Educational")
    assert matches("of") and not matches("often")  # short terms match whole words only
    assert not matches("clime") and not matches("emerge") and not matches("")
    assert normalise_word("“Kent’s”") == "kent's"


def test_worker_lists_words_in_displayed_page_coordinates(tmp_path):
    path = make_pdf(tmp_path / "words.pdf", [Page([para("Climate emergency declared")])])
    with PdfRenderWorker() as worker:
        words = worker.words(path, 0)
        reply = worker.page_words(path, 0)
        rendered = worker.render_page(path, 0, 2.0)
        with pytest.raises(IndexError):
            worker.words(path, 7)
    texts = [w[4] for w in words]
    assert texts[:3] == ["Climate", "emergency", "declared"]
    x0, y0, x1, y1, _ = words[0]
    assert 0 <= x0 < x1 <= reply.page_width and 0 <= y0 < y1 <= reply.page_height
    assert rendered.page_width == reply.page_width
    assert rendered.width == pytest.approx(reply.page_width * 2.0, abs=1)


def test_rotated_page_words_follow_the_rotation(tmp_path):
    import pymupdf

    path = tmp_path / "rotated.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=500)
    page.insert_text((50, 100), "hello world", fontsize=12)
    page.set_rotation(90)
    doc.save(path)
    doc.close()
    with PdfRenderWorker() as worker:
        reply = worker.page_words(path, 0)
    assert (reply.page_width, reply.page_height) == (500, 300)  # as displayed
    x0, y0, x1, y1, text = reply.words[0]
    assert text == "hello"
    # the text now runs downwards near the right-hand edge of the displayed page
    assert x0 > 350 and y1 - y0 > x1 - x0


def test_renderer_draws_at_the_device_pixel_ratio(qtbot, tmp_path):
    path = make_pdf(tmp_path / "dpr.pdf", [Page([para("Crisp text on a high-DPI screen")])])
    renderer = PageRenderer()
    try:
        with qtbot.waitSignal(renderer.page_rendered, timeout=20000) as one:
            renderer.request(path, 0, 1.0, 1.0)
        with qtbot.waitSignal(renderer.page_rendered, timeout=20000) as two:
            renderer.request(path, 0, 1.0, 2.0)
        with qtbot.waitSignal(renderer.words_ready, timeout=20000) as words:
            renderer.request_words(path, 0)
    finally:
        renderer.close()
    image1: QImage = one.args[3]
    image2: QImage = two.args[3]
    assert image2.devicePixelRatio() == 2.0 and image1.devicePixelRatio() == 1.0
    assert image2.width() == pytest.approx(2 * image1.width(), abs=2)  # twice the pixels…
    assert image2.deviceIndependentSize().width() == pytest.approx(image1.width(), abs=1)
    assert one.args[2] == pytest.approx(1.0, abs=0.01) == two.args[2]  # …same logical scale
    assert [w[4] for w in words.args[2]][:2] == ["Crisp", "text"]


def test_open_top_hit_highlights_terms_on_the_page_image(qtbot, open_window, sample_library):
    window = open_window(Path(sample_library))
    panel = window.search_panel
    with qtbot.waitSignal(panel.search_finished, timeout=15000) as blocker:
        panel.set_query("climate emergency")
    top = blocker.args[0].hits[0]
    panel.open_row(0)
    reader = window.reader_panel
    qtbot.waitUntil(lambda: reader.doc is not None and reader.doc.plan.slug == top.plan,
                    timeout=15000)
    qtbot.waitUntil(lambda: bool(reader.page_view.term_rects), timeout=20000)
    qtbot.waitUntil(lambda: not reader.page_view.image.isNull(), timeout=20000)
    # rendered at the screen's pixel ratio (run with QT_SCALE_FACTOR=2 to see 2.0 here)
    view = reader.page_view
    assert view.image.devicePixelRatio() == pytest.approx(view.devicePixelRatioF())
    words = {normalise_word(w) for w in reader.term_words}
    assert any(w.startswith("climate") for w in words)
    assert any(w.startswith("emergenc") for w in words)
    rects = reader.page_view.term_rects
    assert len(rects) == len(reader.term_words)
    # every box lies on the page image (points × logical zoom inside the image's logical size)
    zoom = reader.page_view.zoom
    size = reader.page_view.image.deviceIndependentSize()
    for x0, y0, x1, y1 in rects:
        assert 0 <= x0 < x1 and 0 <= y0 < y1
        assert x1 * zoom <= size.width() + 2 and y1 * zoom <= size.height() + 2
    # paging on keeps the terms and marks them on the next page; a fresh outline click clears
    reader.outline.setCurrentIndex(reader.outline_model.index(0, 0))
    reader._on_outline_activated(reader.outline_model.index(0, 0))
    assert reader.page_view.term_rects == [] and reader.term_words == []
