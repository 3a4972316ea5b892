"""Tags: an editable hierarchy of themes ("Climate / Net Zero") that annotations carry.

Reads (``tags``, ``tag_path``, ``tag_named``), writes as actions (``create_tag``, ``ensure_tag``,
``edit_tag``) and ``resolve``, which turns tag uuids or paths into uuids plus the ``Tag`` records
still to create, so an annotation creates its missing tags in its own action (undone with it).
Qt-free; writes go through ``workbench.actions.Actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from workbench.actions import Actions
from workbench.errors import InvalidInput, NotFound
from workbench.files import utc_now
from workbench.plan_index import Session
from workbench.records import Change, Tag, new_uuid

__all__ = ["Tags", "looks_like_uuid"]


def looks_like_uuid(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


class Tags:
    """The tag hierarchy of one library."""

    def __init__(self, session: Session, actions: Actions) -> None:
        self.session = session
        self.actions = actions

    def tags(self, *, include_deleted: bool = False) -> list[Tag]:
        return [t for t in self.session.rs.records("tag", include_deleted=include_deleted)
                if isinstance(t, Tag)]

    def tag_path(self, tag: Tag) -> str:
        """"Climate / Net Zero": the tag's place in the hierarchy."""
        by_uuid = {t.uuid: t for t in self.tags(include_deleted=True)}
        names, seen, cur = [], set(), tag
        while cur is not None and cur.uuid not in seen:
            seen.add(cur.uuid)
            names.append(cur.name)
            cur = by_uuid.get(cur.parent) if cur.parent else None
        return " / ".join(reversed(names))

    def tag_named(self, name: str) -> Tag | None:
        """A live tag by name or path ("Climate / Net Zero"), case-insensitively."""
        wanted = " / ".join(p.strip() for p in name.split("/")).casefold()
        for t in self.tags():
            if t.name.casefold() == wanted or self.tag_path(t).casefold() == wanted:
                return t
        return None

    def _new(self, name: str, parent: str | None, colour: str = "") -> Tag:
        stamp = utc_now()
        return Tag(uuid=new_uuid(), name=name, parent=parent, colour=colour, created_at=stamp,
                   created_by=self.session.actor, updated_at=stamp)

    def create_tag(self, name: str, *, parent: str | None = None, colour: str = "") -> Change:
        name = name.strip()
        if not name or "/" in name:
            raise InvalidInput("A tag needs a name without '/'.")
        if parent is not None:
            self.live_tag(parent)
        siblings = [t for t in self.tags() if t.parent == parent]
        if any(t.name.casefold() == name.casefold() for t in siblings):
            raise InvalidInput(f"There is already a tag called {name!r} there.")
        return self.actions.commit("create_tag", "Add tag",
                                   [(None, self._new(name, parent, colour))], {"name": name})

    def ensure_tag(self, path: str) -> tuple[Tag, list[Change]]:
        """The tag at ``path`` ("Climate / Net Zero"), creating missing levels in one action
        (the list holds its ``Change``, or is empty if the tag existed)."""
        uuids, new = self.resolve([path])
        if not new:
            return self.live_tag(uuids[0]), []
        change = self.actions.commit("create_tag", "Add tag", [(None, t) for t in new],
                                     {"name": path.strip()})
        return new[-1], [change]

    def resolve(self, tags: Sequence[str]) -> tuple[tuple[str, ...], list[Tag]]:
        """Tag uuids for ``tags`` (uuids of live tags, or paths like "Climate / Net Zero"), and
        the ``Tag`` records still to create for missing path levels. Writes nothing: the caller
        commits the new tags with its own action, so a failed action leaves no stray tag."""
        live = self.tags()
        known = {t.uuid for t in self.tags(include_deleted=True)}
        new: list[Tag] = []
        out: list[str] = []
        for item in tags:
            text = str(item).strip()
            if text in known or looks_like_uuid(text):
                out.append(self.live_tag(text).uuid)
                continue
            parts = [p.strip() for p in text.split("/") if p.strip()]
            if not parts:
                raise InvalidInput("A tag needs a name.")
            parent: str | None = None
            for part in parts:
                tag = next((t for t in (*live, *new) if t.parent == parent
                            and t.name.casefold() == part.casefold()), None)
                if tag is None:
                    tag = self._new(part, parent)
                    new.append(tag)
                parent = tag.uuid
            assert parent is not None
            out.append(parent)
        return tuple(dict.fromkeys(out)), new

    def live_tag(self, uuid: str) -> Tag:
        tag = self.session.rs.get("tag", uuid)
        if not isinstance(tag, Tag) or tag.deleted_at:
            raise NotFound(f"No tag {uuid}.")
        return tag

    def edit_tag(self, uuid: str, *, name: str | None = None, parent: str | None | bool = False,
                 colour: str | None = None) -> Change:
        """Rename, recolour or move a tag (``parent=None`` moves it to the top level)."""
        tag = self.live_tag(uuid)
        new = tag
        if name is not None:
            if not name.strip() or "/" in name:
                raise InvalidInput("A tag needs a name without '/'.")
            new = replace(new, name=name.strip())
        if colour is not None:
            new = replace(new, colour=colour)
        if parent is not False:
            target = parent if isinstance(parent, str) else None
            cur = target
            while cur is not None:
                if cur == uuid:
                    raise InvalidInput("A tag cannot be moved under itself.")
                cur = self.live_tag(cur).parent
            new = replace(new, parent=target)
        if new == tag:
            raise InvalidInput("Nothing to change.")
        return self.actions.commit("edit_tag", "Edit tag",
                                   [(tag, replace(new, updated_at=utc_now()))])
