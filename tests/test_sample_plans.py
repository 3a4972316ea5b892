"""``sample_plans_dir`` finds the plans through the repository and fails, not skips, in CI."""

from __future__ import annotations

import pytest

from tests import conftest


def test_the_bundled_plans_are_found_through_the_repository():
    folder = conftest.sample_plans_dir()
    assert folder == conftest.REPO / "resources" / "sample"
    assert len(list(folder.glob("*.pdf"))) == 5


def test_missing_plans_fail_in_ci_and_skip_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SHARED_PLANS", tmp_path / "nowhere")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest.sample_plans_dir("texts")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        conftest.sample_plans_dir("texts")
