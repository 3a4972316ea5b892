"""Errors a person can act on. Each carries a one-line message fit for a status bar or stderr.

Anything not derived from ``WorkbenchError`` is a bug, and is reported as one.
"""

from __future__ import annotations

from enum import StrEnum

from workbench.safe_text import safe_text


class WorkbenchError(Exception):
    """A failure caused by input or environment, with a one-line message for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # file names and PDF strings end up in messages: never let one carry a surrogate or a
        # control character to stderr, a log or the window (issue 15)
        message = safe_text(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ExtractFailure(StrEnum):
    """Why a PDF was refused. Stable codes, recorded in the import log."""

    MISSING = "missing"
    NOT_A_FILE = "not_a_file"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    NOT_PDF = "not_pdf"
    DAMAGED = "damaged"
    NEEDS_PASSWORD = "needs_password"
    WRONG_PASSWORD = "wrong_password"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    TOO_BIG = "too_big"
    CANCELLED = "cancelled"
    OCR_UNAVAILABLE = "ocr_unavailable"  # OCR was asked for, but Tesseract's data is missing


class ExtractError(WorkbenchError):
    """A PDF could not be imported. ``reason`` says why, ``message`` says it to a person."""

    def __init__(self, reason: ExtractFailure, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(WorkbenchError):
    """A plan, section or commitment named by the user does not exist."""


class InvalidInput(WorkbenchError):
    """A value typed by the user is not acceptable (bad date, unknown stage, ...)."""


class LibraryError(WorkbenchError):
    """The library folder or its database cannot be used."""


class DatabaseTooNew(LibraryError):
    """The database was written by a newer Plan Workbench."""


class LibraryLocked(LibraryError):
    """Another Plan Workbench is using this library."""


class Cancelled(WorkbenchError):
    """The user cancelled a long job."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class LibraryDamaged(LibraryError):
    """The library database is damaged. ``backups`` lists the verified backups (newest first)
    that ``workbench restore-backup`` (or the window's recovery dialog) can restore from."""

    def __init__(self, message: str, backups: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.backups = tuple(backups)


class LibraryReadOnly(LibraryError):
    """The library folder or database cannot be written; it may still be read."""


class DiskFull(LibraryError):
    """A save failed for lack of space; nothing was changed."""

    def __init__(self, message: str = "Not saved: the disk is full. Your previous work is safe."
                 ) -> None:
        super().__init__(message)
