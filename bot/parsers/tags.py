"""Tags and the Readwise action tags in notes, as every format and the bot read them."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.parsers.records import Kind, ParsedHighlight

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

FAVORITE = "favorite"
DISCARD = "discard"
_FLAG_TAGS = {FAVORITE, DISCARD}
_HEADING = re.compile(r"h[1-6]")
_CONCAT = re.compile(r"c(\d+)")
_ACTION_TOKEN = re.compile(r"\.([^\s.]\S*)")
_WORD_SEPARATORS = re.compile(r"[\s_-]+")
MAX_TAG_LENGTH = 64


def normalize_tag(raw: str) -> str | None:
    """A tag as it is stored: lower case, without its ``#``/``.`` prefix, its words one space
    apart; None when nothing is left.

    Spaces, ``-`` and ``_`` are kept as written (``knowledge management`` stays so in every
    export); ``tag_key`` is what makes those spellings one tag. Very long tags are cut to
    MAX_TAG_LENGTH characters.
    """
    name = " ".join(raw.strip().lstrip("#.").lower().split())[:MAX_TAG_LENGTH].rstrip()
    return name if name and tag_key(name) else None


def tag_key(name: str) -> str:
    """What two spellings of one tag share: ``knowledge management``, ``knowledge-management``
    and ``Knowledge_Management`` are one tag."""
    return " ".join(_WORD_SEPARATORS.sub(" ", name.casefold()).split())


def hashtag_tag(raw: str) -> str | None:
    """A tag typed as a Telegram hashtag: a hashtag cannot hold a space, so ``_`` stands for one
    (``#knowledge_management`` is the tag ``knowledge management``)."""
    return normalize_tag(raw.replace("_", " "))


def split_tags(raw: str) -> list[str]:
    """Split a comma-joined tag list (``"a, b,c"``) into normalised, unique tags."""
    return unique_tags(raw.split(","))


def unique_tags(raws: Iterable[str]) -> list[str]:
    """Normalise tags, dropping empties and other spellings of a tag already seen (the first
    spelling is kept), in their order."""
    seen: dict[str, str] = {}
    for raw in raws:
        name = normalize_tag(raw)
        if name is not None:
            seen.setdefault(tag_key(name), name)
    return list(seen.values())


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
    heading_level: int | None = None
    concat_group: int | None = None

    @property
    def heading(self) -> bool:
        """Whether the note makes its highlight a chapter heading (``.h1``..``.h6``)."""
        return self.heading_level is not None


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
            result.heading_level = int(token[1])
        elif concat := _CONCAT.fullmatch(token):
            result.concat_group = int(concat.group(1)[:9])
        else:
            result.tags.append(token)
        position = match.end()
        while position < len(rest) and rest[position].isspace():
            position += 1
    result.text = rest[position:]
    result.tags = unique_tags(result.tags)
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


def honour_note_actions(records: Iterable[ParsedHighlight]) -> None:
    """Readwise action tags in notes typed on a Kindle, the one place every Kindle format
    honours them: ``.stoicism .favorite on control`` tags its highlight ``stoicism``, makes it
    a favorite and leaves the note ``on control``; a lone note is read the same way.

    Only tags and the ``favorite``/``discard`` flags are honoured here. A note that asks for a
    heading or a concatenation (``.h1``, ``.c1``) is kept as written: the Kindle formats have
    chapters of their own, and their order is not the reading order Readwise's chains follow.
    """
    for record in records:
        if record.kind is Kind.HIGHLIGHT:
            if record.notes and any(note.startswith(".") for note in record.notes):
                record.notes = [text for note in record.notes if (text := _take(record, note))]
        elif record.text.startswith("."):
            # A lone note that is nothing but tags keeps its text: there is nothing to tag.
            action = _tag_actions(record.text)
            if action is not None and action.text:
                _take(record, record.text)
                record.text = action.text


def _tag_actions(note: str) -> ActionNote | None:
    """The note taken apart, when it starts with tags and asks for nothing else."""
    if not note.startswith("."):
        return None
    action = parse_action_note(note)
    if not action.tags or action.heading or action.concat_group is not None:
        return None
    return action


def _take(record: ParsedHighlight, note: str) -> str:
    """Apply a note's action tags to its record; returns the note's text without them."""
    action = _tag_actions(note)
    if action is None:
        return note
    names, favorite, discarded = pop_flags(action.tags)
    record.tags = unique_tags([*record.tags, *names])
    record.favorite = record.favorite or favorite
    record.discarded = record.discarded or discarded
    return action.text
