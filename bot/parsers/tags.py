"""Tag and Readwise action-tag conventions shared by the Readwise formats."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

FAVORITE = "favorite"
DISCARD = "discard"
_FLAG_TAGS = {FAVORITE, DISCARD}
_HEADING = re.compile(r"h[1-6]")
_CONCAT = re.compile(r"c(\d+)")
_ACTION_TOKEN = re.compile(r"\.([^\s.]\S*)")
MAX_TAG_LENGTH = 64


def normalize_tag(raw: str) -> str | None:
    """Lower-case a tag and drop its ``#``/``.`` prefix; None when nothing is left.

    Inner white space becomes ``-`` (a tag is one word in Telegram) and very long tags are
    cut to MAX_TAG_LENGTH characters.
    """
    name = raw.strip().lstrip("#.").strip().lower()
    name = re.sub(r"\s+", "-", name)[:MAX_TAG_LENGTH].rstrip("-")
    return name or None


def split_tags(raw: str) -> list[str]:
    """Split a comma-joined tag list (``"a, b,c"``) into normalised, unique tags."""
    return unique_tags(raw.split(","))


def unique_tags(raws: Iterable[str]) -> list[str]:
    """Normalise tags, dropping empties and repeats while keeping their order."""
    seen: dict[str, None] = {}
    for raw in raws:
        name = normalize_tag(raw)
        if name is not None:
            seen.setdefault(name, None)
    return list(seen)


def pop_flags(tags: list[str]) -> tuple[list[str], bool, bool]:
    """Take Readwise's ``favorite``/``discard`` tags out as flags: (tags, favorite, discarded)."""
    return (
        [t for t in tags if t not in _FLAG_TAGS],
        FAVORITE in tags,
        DISCARD in tags,
    )


@dataclass(slots=True)
class ActionNote:
    """A Readwise note taken apart: its leading action tags and the remaining text."""

    text: str
    tags: list[str] = field(default_factory=list)
    heading: bool = False
    concat_group: int | None = None


def parse_action_note(note: str) -> ActionNote:
    """Split the leading ``.word`` tokens off a Readwise note.

    Every leading ``.word`` is a tag, except ``.h1``..``.h6`` (the highlight is a heading)
    and ``.c1``, ``.c2``… (the highlight is part of a chain: see ``chain_head``).
    """
    rest = note.strip()
    result = ActionNote(text="")
    position = 0
    # Match at a moving position instead of re-slicing: linear in the note's length.
    while (match := _ACTION_TOKEN.match(rest, position)) is not None:
        token = match.group(1).lower()
        if _HEADING.fullmatch(token):
            result.heading = True
        elif concat := _CONCAT.fullmatch(token):
            result.concat_group = int(concat.group(1)[:9])
        elif (name := normalize_tag(token)) is not None and name not in result.tags:
            result.tags.append(name)
        position = match.end()
        while position < len(rest) and rest[position].isspace():
            position += 1
    result.text = rest[position:]
    return result


def chain_head(open_chains: dict[K, T], key: K, group: int, item: T) -> T | None:
    """Readwise's ``.c1``, ``.c2``… joins, as Readwise documents them.

    ``.c1`` opens a chain (per ``key``, a book); ``.c2``, ``.c3``… continue the chain that is
    open. Returns the chain's first item, to append ``item`` to, or None when ``item`` opens
    a chain itself (also for a continuation with no open chain).
    """
    head = open_chains.get(key)
    if group <= 1 or head is None:
        open_chains[key] = item
        return None
    return head
