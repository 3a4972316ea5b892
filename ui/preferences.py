"""The user's preferences that the window and the CLI share: who is acting, and which library
opens by default.

A small JSON file in the user's config folder (``<user config dir>/PlanWorkbench/
preferences.json``, found by platformdirs), rewritten atomically. Qt-free, so ``workbench``
reads it without loading PySide6 (import-linter checks this). The window kept both values in
QSettings before (``user/name``, ``library/last``); ``adopt_window_settings`` copies them here
once, the first time the window starts, and never overwrites a value already here.

Why not QSettings: it needs Qt (the CLI must not load it), and its storage differs per platform
(the registry on Windows), so the CLI could not read it portably. Why not the library's
database: the user name is a person's, not a library's (one person, several libraries), and
the default library must be known before any library is opened.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import platformdirs

from workbench.sidecars import write_json_atomic

log = logging.getLogger(__name__)

APP_NAME = "PlanWorkbench"
PREFERENCES_FILE = "preferences.json"
KEY_USER = "user_name"
KEY_LIBRARY = "last_library"


def preferences_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / PREFERENCES_FILE


def load() -> dict[str, Any]:
    """Every preference; an absent, unreadable or damaged file is no preferences (logged)."""
    path = preferences_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("preferences not read from %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _set(**values: str) -> bool:
    """Write ``values`` over the file's; False (logged) if it cannot be written: a preference
    is never worth failing the person's action for."""
    data = load()
    data.update(values)
    try:
        write_json_atomic(preferences_path(), data)
    except OSError as exc:
        log.warning("preferences not saved to %s: %s", preferences_path(), exc)
        return False
    return True


def user_name() -> str:
    """The name the person gave (the window asks on first run); "" if none yet."""
    value = load().get(KEY_USER, "")
    return value.strip() if isinstance(value, str) else ""


def set_user_name(name: str) -> bool:
    name = name.strip()
    if not name:
        raise ValueError("a user name cannot be empty")
    return _set(**{KEY_USER: name})


def last_library() -> Path | None:
    """The library the window had open last, if any."""
    value = load().get(KEY_LIBRARY, "")
    return Path(value) if isinstance(value, str) and value.strip() else None


def set_last_library(root: Path) -> bool:
    if last_library() == Path(root):
        return True
    return _set(**{KEY_LIBRARY: str(root)})


def adopt_window_settings(*, user: object, library: object) -> None:
    """Take the values the window kept in QSettings before, where none is set here yet."""
    data = load()
    adopted = {}
    if isinstance(user, str) and user.strip() and not data.get(KEY_USER):
        adopted[KEY_USER] = user.strip()
    if isinstance(library, str) and library.strip() and not data.get(KEY_LIBRARY):
        adopted[KEY_LIBRARY] = library.strip()
    if adopted:
        _set(**adopted)
