"""The process T-MRG-05 SIGKILLs: plans a merge, prints ``ready``, applies it, prints ``done``.

Run as ``python -m tests.merge.child LIBRARY PACKAGE RESOLUTION``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    from tests.composition import close_workbench, open_workbench, records_for
    from workbench.merge import apply_merge, plan_merge, read_package

    root, package, resolution = Path(argv[0]), Path(argv[1]), argv[2]
    wb = open_workbench(root)
    records = records_for(wb, "Officer A")
    plan = plan_merge(records, read_package(package))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    apply_merge(records, plan, resolution)
    sys.stdout.write("ack merged\n")
    sys.stdout.flush()
    close_workbench(wb)
    sys.stdout.write("done\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
