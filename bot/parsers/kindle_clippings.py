"""Kindle ``My Clippings.txt``: every highlight and note a device has recorded.

Each record is a title line, a details line, a blank line, the text, and a line of ten
``=``. The file is append-only, so an edited highlight appears twice and a note is a
separate record that points at its highlight only through its location. _kindle_reader
reads the records into clips as the text arrives; _kindle_resolution joins the edits,
repeats and notes back once the file is read; this module turns the clips kept into
records. See docs/formats.md for the traps this handles and the rules it follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.collector import collector_paused
from bot.parsers import tags
from bot.parsers._kindle_grammars import DetailsReader
from bot.parsers._kindle_reader import SEPARATOR, Clip, ClipReader, chunk_at
from bot.parsers._kindle_resolution import resolve
from bot.parsers.records import Kind, LocationType, ParsedHighlight, ParseError, ParseResult
from bot.parsers.versions import span_of

NAME = "kindle_clippings"


def looks_like(text: str) -> bool:
    """True for text with ``==========`` separators and at least one Kindle details line, or
    for one record with no separator whose second line is a details line."""
    text = "\n" + _normalise(text)
    reader = DetailsReader()
    if SEPARATOR.search(text) is None:
        # One record, whole or cut off, with no separator after it.
        lines = text.lstrip().split("\n", 2)
        return len(lines) > 1 and reader.read(lines[1]) is not None
    position = line = 0
    while position < len(text):
        _start, lines, position, line, _closed = chunk_at(text, position, line)
        if len(lines) > 1 and reader.read(lines[1]) is not None:
            return True
    return False


def parse(text: str) -> ParseResult:
    """Read every highlight and note of a ``My Clippings.txt``.

    Raises ParseError for a file that is cut off or has no Kindle records at all.
    """
    text = _normalise(text)
    return parse_blocks(text[start : start + _BLOCK] for start in range(0, len(text), _BLOCK))


def parse_blocks(blocks: Iterable[str]) -> ParseResult:
    """``parse`` for text that arrives in blocks, with newlines already normalised.

    The records are read as the blocks arrive, so only the clips, never the whole text,
    are held until the edits, repeats and notes are resolved at the end of the file.
    """
    with collector_paused():
        result = ParseResult(format=NAME)
        reader = ClipReader(result.skipped)
        blank = True
        for segment, end in _segments(blocks):
            if blank and not segment[:end].isspace():
                blank = False
            reader.read(segment, end)
        if blank:
            raise ParseError("The file is empty.")
        clips = reader.finish()
        resolve(reader)
        result.highlights = [_record(clip) for clip in clips if clip.kept]
        tags.honour_note_actions(result.highlights)
        if reader.unclosed is not None:
            result.notices.append(
                f"The file's last separator line ('==========') is missing: the last clipping "
                f"(line {reader.unclosed}) was imported as it stands."
            )
        # Freed before the collector is back: it would otherwise go over every clip once.
        del clips, reader
    return result


_BLOCK = 1 << 20
_CLOSED_SEPARATOR = re.compile(r"\n==========[ \t]*\n")


def _segments(blocks: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Cut the text into runs of whole records, each from the newline before its first
    record (a newline is put in front of the text, so a separator on the first line is
    found too) to the end of its last separator line.

    Each run is given as a text and where the run ends in it: the text goes on with the
    start of the next record, which the reader must not look at. Not cutting it off saves
    copying the whole file once more.
    """
    pending = "\n"
    for block in blocks:
        pending += block
        cut = _last_separator_end(pending)
        if cut > 0:
            yield pending, cut
            pending = pending[cut:]
    yield pending, len(pending)


def _last_separator_end(text: str) -> int:
    """Where the newline after the last complete separator line is; 0 if there is none."""
    end = len(text)
    while (found := text.rfind("\n==========", 0, end)) >= 0:
        if (match := _CLOSED_SEPARATOR.match(text, found)) is not None:
            return match.end() - 1
        end = found + len("\n==========") - 1
    return 0


def _normalise(text: str) -> str:
    """Drop BOMs (Kindle starts records mid-file with one) and normalise newlines."""
    text = text.replace("\ufeff", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# What a clip becomes: bookmarks never get this far.
_RECORD_KINDS = {"highlight": Kind.HIGHLIGHT, "note": Kind.NOTE}


def _record(clip: Clip) -> ParsedHighlight:
    page, start, end = clip.page, clip.location_start, clip.location_end
    location: str | None = None
    location_type: LocationType | None = None
    if start is not None:
        location = f"{start}-{end}" if end != start else str(start)
        location_type = LocationType.LOCATION
    elif page is not None:
        location = page
        location_type = LocationType.PAGE
        span = span_of(page)
        if span is not None:
            # One way to write a page range ("12 t/m 13" is 12-13); "26-26" is page 26.
            start = span[0]
            location = str(start) if span[0] == span[1] else f"{start}-{span[1]}"
    return ParsedHighlight(
        book_title=clip.book[0],
        text=clip.text,
        author=clip.book[1],
        kind=_RECORD_KINDS[clip.kind],
        location=location,
        location_type=location_type,
        location_start=start,
        highlighted_at=clip.added,
        notes=clip.notes or [],
        line=clip.line,
    )
