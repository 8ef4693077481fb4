"""Parsers: pure functions from a file's contents to highlight records.

Each format is a module that satisfies ``Parser`` and has one entry in ``FORMATS``, with the
words people know it by; detection, the CLI's ``--format`` and every text that lists the
formats come from there. Nothing here knows about the database or Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Protocol

from bot.parsers import (
    bookcision,
    kindle_clippings,
    kindle_html,
    koreader_json,
    koreader_lua,
    koreader_markdown,
    readwise_csv,
    readwise_markdown,
    readwise_text,
)
from bot.parsers.decoding import BLOCK, NotUtf8, decode_bytes, decode_stream
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)


class Parser(Protocol):
    """What a format module provides."""

    NAME: str

    def looks_like(self, text: str) -> bool:
        """Whether ``text`` (maybe only the start of a file) is in this format."""
        ...

    def parse(self, text: str) -> ParseResult:
        """The records of a whole file's text; ParseError if it cannot be read."""
        ...


@dataclass(frozen=True, slots=True)
class Format:
    """One import format: its parser and how people know it."""

    parser: Parser
    label: str
    """What the file is, for people, as HTML."""
    how: str
    """Where a reader gets the file, as HTML."""
    tried: int
    """Detection tries the most specific shapes first (lowest first)."""
    source: str = ""
    """The device, app or tool the file comes from, as people name it; texts that cannot
    list every file name these instead (the label when empty)."""

    @property
    def name(self) -> str:
        """The name ``--format`` takes."""
        return self.parser.NAME


# In the order they are listed to people.
FORMATS: tuple[Format, ...] = (
    Format(
        kindle_clippings,
        "Kindle <code>My Clippings.txt</code>",
        "connect the Kindle by USB and send <code>documents/My Clippings.txt</code> (any "
        "device language)",
        tried=3,
        source="Kindle",
    ),
    Format(
        readwise_text,
        "Readwise text export",
        "in Readwise, Export → Text",
        tried=4,
        source="Readwise",
    ),
    Format(
        readwise_csv,
        "Readwise CSV export",
        "in Readwise, Export → CSV",
        tried=2,
        source="Readwise",
    ),
    Format(
        kindle_html,
        "Kindle app notebook (HTML)",
        "in the Kindle app, Notebook → Export notebook",
        tried=1,
        source="Kindle",
    ),
    Format(
        koreader_json,
        "KOReader highlights export (JSON)",
        "in KOReader, Export highlights with JSON chosen (one book or all of them)",
        tried=0,
        source="KOReader",
    ),
    Format(
        koreader_markdown,
        "KOReader highlights export (Markdown)",
        "in KOReader, Export highlights with Markdown chosen",
        tried=0,
        source="KOReader",
    ),
    Format(
        koreader_lua,
        "KOReader book sidecar <code>metadata.epub.lua</code>",
        "connect the reader by USB and send the <code>metadata.*.lua</code> file from the "
        "book's <code>.sdr</code> folder",
        tried=0,
        source="KOReader",
    ),
    Format(
        bookcision,
        "Bookcision JSON",
        "on Amazon's Kindle notebook page, run Bookcision and download the JSON",
        tried=0,
        source="Bookcision",
    ),
    Format(
        readwise_markdown,
        "Readwise Markdown export",
        "in Readwise, Export → Markdown (one <code>.md</code> file per book)",
        tried=0,
        source="Readwise",
    ),
)
FORMAT_NAMES: tuple[str, ...] = tuple(entry.name for entry in FORMATS)
_DETECTION = tuple(entry.parser for entry in sorted(FORMATS, key=lambda entry: entry.tried))


def formats_in_words() -> str:
    """Where the files come from, as one phrase: "Kindle, Readwise or KOReader".

    The formats themselves are too many for one sentence; /import and the README list them.
    """
    sources = list(dict.fromkeys(entry.source or entry.label for entry in FORMATS))
    return ", ".join(sources[:-1]) + " or " + sources[-1] if len(sources) > 1 else sources[0]


__all__ = [
    "FORMATS",
    "Format",
    "Parser",
    "SAMPLE",
    "bookcision",
    "formats_in_words",
    "kindle_clippings",
    "kindle_html",
    "koreader_json",
    "koreader_lua",
    "koreader_markdown",
    "readwise_csv",
    "readwise_markdown",
    "readwise_text",
    "FORMAT_NAMES",
    "Kind",
    "LocationType",
    "ParseError",
    "ParseResult",
    "ParsedHighlight",
    "Skipped",
    "decode_bytes",
    "detect_format",
    "detect_format_of_sample",
    "parse_bytes",
    "parse_file",
    "parse_text",
]


SAMPLE = 1 << 16
"""Characters from the start of a file that detection looks at first."""


def detect_format(text: str) -> str:
    """Name the format of an export, or raise ParseError if it is none we know.

    The first ``SAMPLE`` characters decide when they show a format; only a file whose start
    shows none is looked at whole.
    """
    if len(text) > SAMPLE:
        name = detect_format_of_sample(text[:SAMPLE])
        if name is not None:
            return name
    return _detect(text)


def detect_format_of_sample(sample: str) -> str | None:
    """Name the format the start of a file shows, or None if it shows none.

    A cut-off last line is left out, so a record cut in half cannot mislead. The loosest
    format, Readwise text, is never decided from a sample: a Kindle separator further on
    would rule it out.
    """
    cut = sample.rfind("\n")
    if cut > 0:
        sample = sample[:cut]
    for parser in _DETECTION:
        if parser.looks_like(sample):
            return None if parser is readwise_text else parser.NAME
    return None


def _detect(text: str) -> str:
    for parser in _DETECTION:
        if parser.looks_like(text):
            return parser.NAME
    plain = formats_in_words().replace("<code>", "").replace("</code>", "")
    raise ParseError(
        f"This file is in no format Commonplace knows. Send a highlights export from {plain}."
    )


def parse_text(text: str, *, format: str | None = None) -> ParseResult:
    """Parse decoded text, detecting its format unless one is named."""
    name = format or detect_format(text)
    for entry in FORMATS:
        if name == entry.name:
            return entry.parser.parse(text)
    raise ParseError(f"Unknown format {name!r}; known formats: {', '.join(FORMAT_NAMES)}.")


def parse_bytes(data: bytes, *, format: str | None = None) -> ParseResult:
    """Decode and parse a file as it was uploaded.

    The bytes are decoded a block at a time: a Kindle file is parsed as it is decoded, so
    its whole text (twice the bytes, or four times, for a file with CJK text) never exists.
    """
    return _parse_stream(
        lambda: (data[start : start + BLOCK] for start in range(0, len(data), BLOCK)),
        format=format,
    )


def parse_file(path: Path, *, format: str | None = None) -> ParseResult:
    """Decode and parse a file on disk, reading it a block at a time (see parse_bytes)."""

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as file:
            while chunk := file.read(BLOCK):
                yield chunk

    return _parse_stream(chunks, format=format)


def _parse_stream(
    chunks: Callable[[], Iterable[bytes]], *, format: str | None = None
) -> ParseResult:
    try:
        return _parse_blocks(decode_stream(chunks()), format=format)
    except NotUtf8:
        # Not UTF-8 after all: a legacy single-byte export, as decode_bytes reads it.
        return _parse_blocks(decode_stream(chunks(), legacy=True), format=format)


def _parse_blocks(blocks: Iterator[str], *, format: str | None) -> ParseResult:
    """Parse decoded text arriving in blocks; only a Kindle file is parsed as it arrives."""
    name = format
    head: list[str] = []
    if name is None:
        size = 0
        for block in blocks:
            head.append(block)
            size += len(block)
            if size >= SAMPLE:
                break
        else:
            return parse_text("".join(head))
        name = detect_format_of_sample("".join(head)[:SAMPLE])
        if name is None:
            return parse_text(_whole(chain(head, blocks)))
    if name == kindle_clippings.NAME:
        return kindle_clippings.parse_blocks(chain(head, blocks))
    return parse_text(_whole(chain(head, blocks)), format=name)


def _whole(pieces: Iterable[str]) -> str:
    """The text of a file decoded in pieces, for the parsers that read a file whole.

    It is gathered as UTF-8 and decoded once: joining the pieces themselves would hold them
    all beside the result, and a text with one character beyond Latin-1 takes two or four
    bytes a character, so a big export would be held two and a half times over.
    """
    gathered = bytearray()
    for piece in pieces:
        gathered += piece.encode("utf-8", "surrogatepass")
    return gathered.decode("utf-8", "surrogatepass")
