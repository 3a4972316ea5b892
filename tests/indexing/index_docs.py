"""Small ``IndexDoc`` passages for search tests that build their own index."""

from __future__ import annotations

from workbench.model import IndexDoc


def passage(key: str, body: str, *, plan: str = "plan-a", heading: str = "Aims") -> IndexDoc:
    """A passage ``"kind:number"`` of ``plan`` under one heading, on page 1."""
    kind, _, num = key.partition(":")
    return IndexDoc(
        key=key, kind=kind, item_id=int(num), plan=plan, plan_title=plan.title(),
        plan_date="2022", stage="adopted", path=(heading,), heading=heading, page_label="1",
        page_index=1, body=body, fingerprint=f"fp-{key}-{hash(body) & 0xFFFF}",
    )


def keys(result) -> list[str]:
    """The keys of a search result's hits, in rank order."""
    return [h.key for h in result.hits]
