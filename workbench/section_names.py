"""How to name one section of a plan unambiguously when the plan repeats a heading.

Owns the one rule every citation follows (search hits, the reader, briefing packs): the
shortest tail of the section's heading path that no other section of the plan ends with
("Aim 2 › Our objectives"), or, when even the whole path repeats, its last two headings and
"(n of N)" in reading order. ``indexing.search_hits.Citations`` applies the same rule to the
search index's stored paths. Pure functions; emits nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["section_label"]


def section_label(paths: Sequence[Sequence[str]], i: int) -> str:
    """How to name section ``i`` of a plan whose sections have ``paths``, unambiguously.

    Args:
        paths: every section's heading path (outermost first), in reading order.
        i: the index of the section to name.

    Returns:
        The shortest tail of its path that no other section's path ends with ("Aim 2 › Our
        objectives"), or, when even the whole path repeats, its last two headings and
        "(n of N)"; "" for a section without a heading.
    """
    path = tuple(paths[i])
    if not path:
        return ""
    for k in range(1, len(path) + 1):
        if sum(1 for p in paths if tuple(p)[-k:] == path[-k:]) <= 1:
            return " › ".join(path[-k:])
    same = [j for j, p in enumerate(paths) if tuple(p) == path]
    return " › ".join(path[-2:]) + f" ({same.index(i) + 1} of {len(same)})"
