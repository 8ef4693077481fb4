"""Readwise's Markdown export: one file per book.

docs/formats.md, "Readwise Markdown", has the layout and the traps::

    # Building Microservices

    ![rw-book-cover](https://…)

    ## Metadata
    - Author: [[Sam Newman]]
    - Full Title: Building Microservices
    - Category: #books

    ## Highlights
    - The risk of a service … is high. ([Location 597](https://readwise.io/to_kindle?…))
        - Tags: [[favorite]] [[microservices]]
        - Note: .resilience worth a second look

A highlight is a top-level ``- `` item; its text may go on over unindented lines. The
indented ``Tags:`` and ``Note:`` items belong to it (``**Tags:**`` in some templates). A
heading inside the highlights (``### Part One``) is the chapter of what follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.parsers import tags as tagging
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

NAME = "readwise_markdown"

_SECTION = re.compile(r"^#{2,3}\s+(Metadata|Highlights)\b.*$", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_ITEM = re.compile(r"^- (.*)$")
_SUB_ITEM = re.compile(r"^\s+- (?:\*\*)?(Tags|Note):(?:\*\*)?\s*(.*)$", re.IGNORECASE)
_META = re.compile(r"^- ([A-Za-z ]+):\s*(.*)$")
_PLACE = re.compile(
    r"\s*\((?:\[(?:(Location|Page)\s+([0-9]+)|[^\]]*)\]\([^)\s]*\)"
    r"|(Location|Page)\s+([0-9]+))\)\s*$"
)
_WIKI_LINK = re.compile(r"\[\[([^\]]*)\]\]")
_HASHTAG = re.compile(r"#([^\s#,]+)")


@dataclass(slots=True)
class _Draft:
    book: str
    author: str
    chapter: str | None
    line: int
    text: list[str]
    tags: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    # Where a line that is no item goes on: the text, the note, or nowhere after `Tags:`.
    into: list[str] | None = None


def looks_like(text: str) -> bool:
    """A ``# Title`` first (after any YAML front matter), then a ``## Highlights`` section."""
    lines = text.split("\n")
    first = next((line for line in lines[_body_start(lines) :] if line.strip()), "")
    return first.startswith("# ") and any(
        (match := _SECTION.match(line)) is not None and match.group(1).lower() == "highlights"
        for line in text.split("\n")
    )


def parse(text: str) -> ParseResult:
    """Read a Readwise Markdown export into highlight records."""
    reader = _Reader()
    lines = text.replace("\r\n", "\n").split("\n")
    start = _body_start(lines)
    for number, line in enumerate(lines[start:], start=start + 1):
        reader.feed(line, number)
    reader.close()
    if not reader.titled:
        raise ParseError("This Readwise Markdown export has no '# Title' line.")
    tagging.honour_note_actions(reader.result.highlights)
    return reader.result


def _body_start(lines: list[str]) -> int:
    """The index of the first line after YAML front matter (``---`` … ``---``), which
    templates that readers edit may put before the title."""
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    return 0 if end is None else end + 1


class _Reader:
    def __init__(self) -> None:
        self.result = ParseResult(format=NAME)
        self.title = ""
        self.author = ""
        self.titled = False
        self.section = ""
        self.chapter: str | None = None
        self.draft: _Draft | None = None

    def feed(self, line: str, number: int) -> None:
        section = _SECTION.match(line)
        heading = _HEADING.match(line)
        if section or heading:
            self.close()
        if section:
            self.section = section.group(1).lower()
        elif heading and len(heading.group(1)) == 1:
            self.title, self.author, self.titled = heading.group(2), "", True
            self.section, self.chapter = "", None
        elif heading and self.section == "highlights":
            self.chapter = heading.group(2) or None
        elif heading and not self.section and not self.author and len(heading.group(1)) == 2:
            # Older templates put the author in a heading right under the title.
            self.author = heading.group(2)
        elif self.section == "metadata":
            meta = _META.match(line)
            if meta and meta.group(1).strip().lower() == "author":
                self.author = _WIKI_LINK.sub(r"\1", meta.group(2)).strip()
        elif self.section == "highlights":
            self.highlight_line(line, number)

    def highlight_line(self, line: str, number: int) -> None:
        item = _ITEM.match(line)
        sub = _SUB_ITEM.match(line)
        if item:
            self.close()
            self.draft = _Draft(self.title, self.author, self.chapter, number, [item.group(1)])
            self.draft.into = self.draft.text
        elif self.draft is None:
            return
        elif sub and sub.group(1).lower() == "tags":
            self.draft.tags += _tags(sub.group(2))
            self.draft.into = None
        elif sub:
            self.draft.note.append(sub.group(2))
            self.draft.into = self.draft.note
        elif self.draft.into is not None:
            self.draft.into.append(line.strip() if self.draft.into is self.draft.note else line)

    def close(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        text = "\n".join(draft.text).strip()
        place = _PLACE.search(text)
        location = None
        kind = LocationType.LOCATION
        if place:
            text = text[: place.start()].rstrip()
            word, number = place.group(1) or place.group(3), place.group(2) or place.group(4)
            if number:
                location = int(number)
                kind = LocationType.PAGE if word == "Page" else LocationType.LOCATION
        if not text:
            self.result.skipped.append(Skipped("highlight with no text", draft.line, draft.book))
            return
        names, favorite, discarded = tagging.pop_flags(tagging.unique_tags(draft.tags))
        note = "\n".join(draft.note).strip()
        self.result.highlights.append(
            ParsedHighlight(
                book_title=draft.book or "Untitled",
                author=draft.author,
                text=text,
                kind=Kind.HIGHLIGHT,
                location=str(location) if location is not None else None,
                location_type=kind if location is not None else None,
                location_start=location,
                chapter=draft.chapter,
                tags=names,
                notes=[note] if note else [],
                favorite=favorite,
                discarded=discarded,
                line=draft.line,
            )
        )


def _tags(raw: str) -> list[str]:
    """``[[a]] [[b c]]``, ``#a #b`` or ``a, b``: Readwise's templates write all three."""
    links = _WIKI_LINK.findall(raw)
    if links:
        return links
    hashtags = _HASHTAG.findall(raw)
    if hashtags:
        return hashtags
    return raw.split(",")
