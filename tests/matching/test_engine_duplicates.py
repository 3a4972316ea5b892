"""A plan that says the same thing twice (a pledge in a summary list and again as its section's
numbered lead) is offered once among the candidates, so the first three hold three different
passages."""

from __future__ import annotations

from workbench.matching import PlanIndex, plan_passages
from workbench.records import EffectiveCommitment


def _c(key: str, text: str) -> EffectiveCommitment:
    return EffectiveCommitment(key=key, plan="later", text=text, page_index=0, page_label="1",
                               start=0, end=len(text), section_id=None, heading="")


def test_the_same_words_twice_are_one_candidate():
    index = PlanIndex(plan_passages("later", [_c(f"c:{n}", text) for n, text in enumerate([
        "Support local businesses to attract investment and create skilled jobs.",
        "3. Support local businesses to attract investment and create skilled jobs:",
        "Help local businesses find skilled staff through new apprenticeships.",
        "Plant more trees along main roads.",
    ])]))
    ranking = index.rank("Help local businesses attract investment and create jobs.", limit=3)
    keys = [m.passage.key for m in ranking.matches]
    assert keys[0] in {"c:0", "c:1"}
    assert not {"c:0", "c:1"} <= set(keys)  # one of the two, not both
    assert "c:2" in keys
