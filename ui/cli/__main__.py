"""``python -m ui.cli``: the same as the ``workbench`` command."""

import sys

from ui.cli.main import main

sys.exit(main())
