"""``workbench``, the command line, as a package of Qt-free command modules.

``ui.cli.main`` builds the parser from a static list of command modules (``MODULES``) and runs
one command; ``ui.cli.output`` holds what the command modules share. Each command module
(``library``, ``lineage``, ``maintenance``, ``merge``, ``export``, ``basket``) imports only
``ui.cli.output``, ``ui.compose`` and the layers below: import-linter forbids PySide6 anywhere
in this package (the window is loaded only by ``main`` when no subcommand is given).
The console script is ``workbench = "ui.cli:main"``.
"""

from __future__ import annotations

from ui.cli.main import build_parser, main
from ui.cli.output import plan_json

__all__ = ["build_parser", "main", "plan_json"]
