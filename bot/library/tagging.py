"""A chat's tags found by any spelling: ``knowledge management``, ``knowledge-management`` and
``knowledge_management`` are one tag (``bot.parsers.tags.tag_key``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session

from bot.library._sql import insert_ignore
from bot.models import Tag, table_of
from bot.parsers.tags import hashtag_tag, normalize_tag, tag_key, unique_tags

_TAG = table_of(Tag)
_CHUNK = 1000
# One tag in a command: ``tag:`` is optional, quotes keep the spaces of several words.
_TAG_ARGUMENT = re.compile(r'(?:tag:)?(?:"([^"]*)"?|([^\s"]+))', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StoredTag:
    """A tag as the chat has it: its id and the spelling it is shown and exported with."""

    id: int
    name: str


def find_tags(session: Session, *, chat_id: int, names: Iterable[str]) -> dict[str, StoredTag]:
    """The chat's tags with these names, in any spelling, by key; a name it lacks is left out."""
    keys = sorted({tag_key(name) for name in names})
    found: dict[str, StoredTag] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(_TAG.c.key, _TAG.c.id, _TAG.c.name).where(
                _TAG.c.chat_id == chat_id, _TAG.c.key.in_(keys[start : start + _CHUNK])
            )
        )
        found.update({key: StoredTag(tag_id, name) for key, tag_id, name in rows})
    return found


def ensure_tags(session: Session, *, chat_id: int, names: list[str]) -> dict[str, StoredTag]:
    """``find_tags``, creating the tags the chat lacks with the spelling given here.

    A tag stored with ``-`` where this name has spaces (as every tag with spaces was stored
    before tags kept their spelling) takes this spelling: the spaces it lost come back.
    """
    spelled = {tag_key(name): name for name in names}
    insert_ignore(
        session, _TAG, [{"chat_id": chat_id, "name": n, "key": k} for k, n in spelled.items()]
    )
    found = find_tags(session, chat_id=chat_id, names=spelled.values())
    for key, tag in found.items():
        name = spelled[key]
        if tag.name != name and " " in name and tag.name == name.replace(" ", "-"):
            session.execute(update(_TAG).where(_TAG.c.id == tag.id).values(name=name))
            found[key] = StoredTag(tag.id, name)
    return found


def tag_names(text: str) -> list[str]:
    """The tags a command names, each as ``idea``, ``#knowledge_management`` or, with its
    spaces, ``"knowledge management"`` or ``tag:"knowledge management"``."""
    names = [_named(*match.groups()) for match in _TAG_ARGUMENT.finditer(text)]
    return unique_tags(name for name in names if name is not None)


def tag_name(text: str) -> str | None:
    """The one tag a command names: as ``tag_names`` reads it, or several plain words that
    are one tag (``/weight knowledge management 3``)."""
    one = _TAG_ARGUMENT.fullmatch(text.strip())
    return _named(*one.groups()) if one is not None else hashtag_tag(text)


def _named(quoted: str | None, bare: str | None) -> str | None:
    """A tag written quoted keeps its spelling; a bare one is read as a hashtag."""
    if quoted is not None:
        return normalize_tag(quoted)
    return hashtag_tag(bare or "")
