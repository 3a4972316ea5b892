"""Where Tesseract's language data lives, and whether OCR can run here (no PyMuPDF import).

PyMuPDF carries its own copy of Tesseract, so OCR needs only the ``<lang>.traineddata`` files:
Debian's ``tesseract-ocr-eng`` puts them in ``/usr/share/tesseract-ocr/5/tessdata``; on Windows
the UB Mannheim installer uses ``C:\\Program Files\\Tesseract-OCR\\tessdata``. ``TESSDATA_PREFIX``
overrides both (Tesseract's own variable). Safe to import in the GUI process: it only looks at
the file system, so the window can say "OCR is unavailable" without starting a worker.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["INSTALL_HINT", "find_tessdata", "ocr_unavailable_reason"]

INSTALL_HINT = "sudo apt-get install -y tesseract-ocr tesseract-ocr-eng"

_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "C:/Program Files/Tesseract-OCR/tessdata",
    "C:/Program Files (x86)/Tesseract-OCR/tessdata",
)


def _languages(language: str) -> list[str]:
    return [part for part in language.split("+") if part]


def find_tessdata(language: str = "eng") -> Path | None:
    """The folder holding ``<lang>.traineddata`` for every language in ``language``, or None."""
    wanted = _languages(language) or ["eng"]
    candidates: list[Path] = []
    env = os.environ.get("TESSDATA_PREFIX")
    if env:
        candidates += [Path(env), Path(env) / "tessdata"]
    candidates += [Path(c) for c in _CANDIDATES]
    parent = Path("/usr/share/tesseract-ocr")
    try:
        candidates += sorted(parent.glob("*/tessdata"), reverse=True)
    except OSError:
        pass
    for folder in candidates:
        try:
            if all((folder / f"{lang}.traineddata").is_file() for lang in wanted):
                return folder
        except OSError:
            continue
    return None


def ocr_unavailable_reason(language: str = "eng") -> str:
    """"" when OCR can run; otherwise one line saying why and what to install."""
    if not all(part.replace("_", "").isalnum() for part in _languages(language)):
        return f"OCR language {language!r} is not a Tesseract language code (e.g. eng, eng+fra)"
    if find_tessdata(language) is None:
        return (f"OCR is unavailable: Tesseract's {language!r} language data is not installed "
                f"(install it with: {INSTALL_HINT}, or set TESSDATA_PREFIX)")
    return ""
