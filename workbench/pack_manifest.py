"""The manifest that travels with each exported briefing pack, and "changes since the last pack".

``manifest_of`` is the small JSON record kept inside PDF and DOCX files and in the library's
record of exported packs (the regeneration data); ``diff_packs`` compares a new pack with it.
Split from ``workbench.pack`` (its value types) when that module passed 600 lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.errors import InvalidInput
from workbench.pack import Pack, PackSelection

__all__ = ["MANIFEST_FORMAT", "MANIFEST_SUFFIX", "READ_FORMATS", "diff_packs", "format_needed",
           "manifest_of", "manifest_path_for"]

MANIFEST_FORMAT = 2
"""The newest manifest format this app writes and reads. Each manifest says the oldest format
that reads it right: 1 (round 11 on), or 2 for a selection with ``with_verdict`` (round 12),
which an app that only knows 1 would take without that filter (it ignores keys it does not
know) and so regenerate or compare a pack of every item. Such an app refuses a 2; this one
reads both, and refuses a newer format with a sentence saying so."""
READ_FORMATS = (1, 2)
MANIFEST_SUFFIX = ".pack.json"  # where manifests were written before they moved into the file


def manifest_path_for(out: Path) -> Path:
    """``report.pdf`` → ``report.pdf.pack.json``, in the same folder."""
    out = Path(out)
    return out.with_name(out.name + MANIFEST_SUFFIX)


def format_needed(selection: PackSelection) -> int:
    """The oldest manifest format that reads ``selection`` right (see ``MANIFEST_FORMAT``)."""
    return 2 if selection.with_verdict else 1


def manifest_of(pack: Pack, *, fmt: str = "") -> dict[str, Any]:
    """The small JSON record kept with an export (the regeneration data), read back by
    ``diff_packs``."""
    return {
        "format": format_needed(pack.selection),
        "kind": "plan-workbench-pack",
        "export_format": fmt,
        "title": pack.title,
        "selection": pack.selection.to_json(),
        "selection_key": pack.selection.key(),
        "as_at": pack.as_at,
        "library_revision": pack.library_revision,
        "app_version": pack.app_version,
        "items": [
            {"key": item.key, "heading": item.heading, "citation": item.citation.text(),
             "hash": item.content_hash()}
            for item in pack.items
        ],
    }


def diff_packs(old_manifest: Mapping[str, Any], new_pack: Pack) -> tuple[str, ...]:
    """What changed since a previous export of the same selection, one line per change.

    Args:
        old_manifest: the manifest of the previous export.
        new_pack: the pack about to be written.

    Returns:
        Lines such as ``Added: …``, ``Removed: …``, ``Changed: …``, in the new pack's order
        (removed items last); a single "No changes" line when nothing changed.

    Raises:
        InvalidInput: the manifest is not one of ours, or was made from another selection.
    """
    if not isinstance(old_manifest, Mapping) or old_manifest.get("kind") != "plan-workbench-pack":
        raise InvalidInput("That file is not a Plan Workbench pack manifest.")
    made = old_manifest.get("format")
    if made not in READ_FORMATS or isinstance(made, bool):
        newer = isinstance(made, int) and not isinstance(made, bool) and made > MANIFEST_FORMAT
        raise InvalidInput("That pack was written by a newer version of Plan Workbench: update "
                           "it to compare with that pack." if newer else
                           "That pack manifest was written by another version of the app.")
    old_selection = PackSelection.from_json(old_manifest.get("selection") or {})
    if old_selection.key() != new_pack.selection.key():
        raise InvalidInput(
            f"The previous pack was made from a different selection ({old_selection.describe()})."
        )
    old_items: dict[str, Mapping[str, Any]] = {}
    for entry in old_manifest.get("items") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
            old_items[entry["key"]] = entry
    lines: list[str] = []
    new_keys = set()
    for item in new_pack.items:
        new_keys.add(item.key)
        label = f"{item.heading} ({item.citation.text()})"
        before = old_items.get(item.key)
        if before is None:
            lines.append(f"Added: {label}")
        elif before.get("hash") != item.content_hash():
            lines.append(f"Changed: {label}")
    for key, entry in old_items.items():
        if key not in new_keys:
            heading = str(entry.get("heading", key))
            citation = str(entry.get("citation", ""))
            lines.append(f"Removed: {heading} ({citation})" if citation else f"Removed: {heading}")
    revision = old_manifest.get("library_revision")
    if not lines:
        return (f"No changes since the pack of library revision {revision}.",)
    return tuple(lines)
