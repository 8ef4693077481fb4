"""Line- and paragraph-level shapes of the Readwise plain-text export.

Kept apart from the parser's state machine so the heuristics that tell a chapter heading
from the first paragraph of a highlight, and the header lines from the body, can be read (and
argued about) in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsers.records import LocationType

# `(Location 491)` / `(Page 12)` closing a paragraph. Readwise often puts a NO-BREAK SPACE
# inside, so any whitespace is accepted. Ranges and roman page numbers are tolerated. The
# digit counts are capped so int() can never hit Python's limit on huge numbers.
_MARKER = re.compile(
    r"\((?P<kind>Location|Page)\s+"
    r"(?P<value>(?P<start>\d{1,9})(?:\s*[-\u2013]\s*\d{1,9})?|[ivxlcdmIVXLCDM]{1,12})"
    r"\)\s*\Z"
)
# The marker is short, so only a paragraph's tail needs searching: constant work per paragraph.
_MARKER_TAIL = 80
_KINDS = {"Location": LocationType.LOCATION, "Page": LocationType.PAGE}

_TOC = "table of contents"
_AUTHOR = re.compile(r"(?:[Bb]y|BY)\s+(?P<by>\S.*)|(?:Authors?|AUTHORS?)\s*:\s*(?P<named>\S.*)")
_MAX_AUTHOR = 100

# Chapter headings, as Readwise writes them from the book's table of contents.
# `2The First Way: ...`: the chapter number glued to a capitalised word.
_GLUED = re.compile(r"(?P<number>\d{1,3})(?P<title>[A-Z][a-z].*)")
# `Part II Introduction`, `Chapter 3`, `Book One: ...`.
_NUMBERED = re.compile(
    r"(?:Part|Chapter|Book|Volume)\s+"
    r"(?:[IVXLCDM]+|\d{1,3}|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve)"
    r"(?=\s|:|\Z).*"
)
# Front and back matter, alone or qualified: `Introduction`, `Conclusion to Part V`, `Appendix A`.
_NAMED = re.compile(
    r"(?:Introduction|Conclusion|Preface|Foreword|Prologue|Epilogue|Afterword|Acknowledge?ments"
    r"|Appendix|Glossary|Bibliography|Epigraph|Postscript)"
    r"(?:\s*:.*|\s+to\s.*|\s+[A-Z0-9].*)?"
)
_MAX_HEADING = 150
# Headings are titles, never sentences or list lead-ins.
_NOT_HEADING_ENDINGS = (".", ",", ";", ":")
# Small words that stay lower case inside a Title Case heading.
_MINOR_WORD_LIST = (
    "a an and as at but by for from in into it its nor of off on onto or over per so than "
    "that the to up upon via vs with yet"
)
_MINOR_WORDS = frozenset(_MINOR_WORD_LIST.split())
_WORD_PUNCTUATION = ",;:()\"'\u2018\u2019\u201c\u201d"
_MAX_TITLE_CASE_WORDS = 10
_MAX_TITLE_CASE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Location:
    """Where a highlight sits in its book, as the export's closing marker gives it."""

    display: str
    start: int | None
    kind: LocationType


def split_location(paragraph: str) -> tuple[str, Location | None]:
    """Take the closing `(Location N)`/`(Page N)` marker off a paragraph, if it has one."""
    match = _MARKER.search(paragraph, max(0, len(paragraph) - _MARKER_TAIL))
    if match is None:
        return paragraph, None
    display = "".join(match["value"].split()).replace("\u2013", "-")
    start = int(match["start"]) if match["start"] else None
    location = Location(display=display, start=start, kind=_KINDS[match["kind"]])
    return paragraph[: match.start()].rstrip(), location


def has_location(paragraph: str) -> bool:
    """Whether a paragraph ends with a location marker."""
    return _MARKER.search(paragraph, max(0, len(paragraph) - _MARKER_TAIL)) is not None


def collapse(text: str) -> str:
    """Collapse every run of whitespace (NO-BREAK SPACE included) into one space."""
    return " ".join(text.split())


def is_contents_line(line: str) -> bool:
    """Whether a line is the export's `Table of Contents` line."""
    return collapse(line).casefold() == _TOC


def author_of(line: str) -> str | None:
    """The author named by a header line such as `by Gene Kim` or `Author: Gene Kim`."""
    text = collapse(line)
    match = _AUTHOR.fullmatch(text)
    if match is None or len(text) > _MAX_AUTHOR or text.endswith(_NOT_HEADING_ENDINGS):
        return None
    return match["by"] or match["named"]


class Header:
    """Recognise the header's lines: title repeats, `Table of Contents`, one author line."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.author = ""
        self._contents_seen = False

    def take_paragraph(self, paragraph: str) -> bool:
        """Consume a whole paragraph if every line of it is a header line."""
        lines = paragraph.split("\n")
        if not all(self._kind(line) for line in lines):
            return False
        for line in lines:
            self.take(line)
        return True

    def take(self, line: str) -> bool:
        """Consume one header line; False when it is not one."""
        kind = self._kind(line)
        if kind == "contents":
            self._contents_seen = True
        elif kind == "author":
            self.author = author_of(line) or ""
        return kind is not None

    def _kind(self, line: str) -> str | None:
        if collapse(line) == self.title:
            return "title"
        if is_contents_line(line):
            return "contents"
        # An author line only before `Table of Contents`: after it, `By then...` is a quote.
        if not self.author and not self._contents_seen and author_of(line) is not None:
            return "author"
        return None


def strong_heading(paragraph: str) -> str | None:
    """The cleaned chapter name when a paragraph has an unmistakable heading shape.

    Shapes: a chapter number glued to its title (`2The First Way` -> `2 The First Way`),
    `Part`/`Chapter`/`Book`/`Volume` and a number, or front/back matter (`Introduction`,
    `Conclusion`, `Appendix A`...). Only single short lines not ending like a sentence count.
    """
    if "\n" in paragraph:
        return None
    text = collapse(paragraph)
    if not text or len(text) > _MAX_HEADING or text.endswith(_NOT_HEADING_ENDINGS):
        return None
    if glued := _GLUED.fullmatch(text):
        return f"{glued['number']} {glued['title']}"
    if _NUMBERED.fullmatch(text) or _NAMED.fullmatch(text):
        return text
    return None


def chapter_heading(paragraph: str) -> str | None:
    """The cleaned chapter name when an unlocated paragraph is a chapter heading.

    A strong heading shape (see `strong_heading`), or a short Title Case line: 2 to 10 words,
    starting with a capital, not all capitals (capitals are sub-headings quoted as part of a
    highlight), every word capitalised except small words like `of`/`and`/`with`.
    """
    if (strong := strong_heading(paragraph)) is not None:
        return strong
    text = collapse(paragraph)
    words = text.split()
    if (
        "\n" in paragraph
        or not 2 <= len(words) <= _MAX_TITLE_CASE_WORDS
        or len(text) > _MAX_TITLE_CASE_CHARS
        or text.endswith(_NOT_HEADING_ENDINGS)
        or not text[0].isupper()
        or text.isupper()
    ):
        return None
    for word in words[1:]:
        initial = word[0]
        bare = word.strip(_WORD_PUNCTUATION).lower()
        if initial.isalpha() and not initial.isupper() and bare not in _MINOR_WORDS:
            return None
    return text
