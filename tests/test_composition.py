"""tests/composition.py (for domain tests, without ``ui``) composes what ``ui.compose`` does."""

from __future__ import annotations

from tests import composition
from ui import compose


def test_the_test_composition_matches_the_app_composition(tmp_path):
    made = []
    for module, name in ((compose, "app"), (composition, "tests")):
        wb = module.open_workbench(tmp_path / name, actor="alice")
        try:
            made.append((type(wb.store), type(wb.index), type(wb.extractor),
                         wb.make_extractor, len(wb.extra_file_checks),
                         wb.on_new_version is not None, wb.store.actor,
                         type(module.records_for(wb, "alice")), wb.check().ok))
        finally:
            module.close_workbench(wb)
    assert made[0] == made[1]
