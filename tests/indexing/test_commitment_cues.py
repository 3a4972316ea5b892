"""The subject-before-modal cue of ``commitment_features``: a pronoun, a council word or an
acronym written in the sentence, then a modal or "are/is/have committed" (issue 12)."""

from __future__ import annotations

import pytest

from indexing.commitment_features import Context, features

CTX = Context("sentence")


@pytest.mark.parametrize(("text", "fires"), [
    ("Over the next year we will open two libraries.", True),
    ("The partnership shall publish its accounts.", True),
    ("As the text notes, ABC will build 400 homes.", True),  # an acronym of the text
    ("As the text notes, Abc will build 400 homes.", False),  # not written as an acronym
    ("In 2024 the ABC team said XYZ is committed to it.", True),  # acronym, "is committed"
    ("We are here today.", False),  # "are" without a modal after it
    ("Residents will see more buses.", False),  # no subject before the modal
    ("Since then, the authority have committed to more.", True),
])
def test_subject_before_modal(text: str, fires: bool) -> None:
    assert ("subject_modal_any" in features(text, CTX)) is fires


@pytest.mark.parametrize(("text", "fires"), [
    ("We will publish the results every year.", True),
    ("The roads will be mended.", True),  # any short word as the subject near the opening
    ("The council aims to open two libraries.", True),  # an inflected modal
    ("Residents will see more buses.", False),  # a long word is no subject here
    ("Over the last three years in this busy old county, we will grow.", False),  # too late
    ("We are here today.", False),
])
def test_subject_near_the_opening(text: str, fires: bool) -> None:
    assert ("subject_modal" in features(text, CTX)) is fires
