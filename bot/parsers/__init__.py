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

from bot.parsers import (
    apple_books,
    bookcision,
    kindle_clippings,
    kindle_html,
    kobo,
    koreader_json,
    koreader_lua,
    koreader_markdown,
    play_books,
    readwise_csv,
    readwise_markdown,
    readwise_text,
    sqlite_file,
    zip_archive,
)
from bot.parsers.decoding import BLOCK, NotUtf8, decode_bytes, decode_stream
from bot.parsers.protocol import BytesParser, Parser
from bot.parsers.records import (
    FileRead,
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)


@dataclass(frozen=True, slots=True)
class Format:
    """One import format: its parser and how people know it."""

    parser: Parser | BytesParser
    label: str
    """What the file is, for people, as HTML."""
    how: str
    """Where a reader gets the file, as HTML."""
    tried: int
    """Detection tries the most specific shapes first (lowest first)."""
    source: str = ""
    """The device, app or tool the file comes from, as people name it; texts that cannot
    list every file name these instead. A container (a zip) comes from none of them and has
    none."""

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
    Format(
        kobo,
        "Kobo <code>KoboReader.sqlite</code>",
        "connect the Kobo by USB and send <code>.kobo/KoboReader.sqlite</code>, zipped if it "
        "is over 20 MB",
        tried=1,
        source="Kobo",
    ),
    Format(
        apple_books,
        "Apple Books <code>AEAnnotation_….sqlite</code>",
        "on a Mac, in <code>~/Library/Containers/com.apple.iBooksX/Data/Documents/</code>: "
        "zip <code>AEAnnotation/AEAnnotation_….sqlite</code> with "
        "<code>BKLibrary/BKLibrary-….sqlite</code> (for titles and authors)",
        tried=2,
        source="Apple Books",
    ),
    Format(
        play_books,
        "Google Play Books notes (.docx, HTML or Takeout JSON)",
        "in Google Drive, the <i>Play Books Notes</i> folder: download the book's "
        "<i>Notes from …</i> document; or Google Takeout → Play Books",
        tried=1,
        source="Google Play Books",
    ),
    Format(
        zip_archive,
        "a <code>.zip</code> of any of these",
        "zip the files (several at once is fine); needed for a file over 20 MB",
        tried=9,
    ),
)
FORMAT_NAMES: tuple[str, ...] = tuple(entry.name for entry in FORMATS)
_BY_TRIAL = sorted(FORMATS, key=lambda entry: entry.tried)
_DETECTION = tuple(entry.parser for entry in _BY_TRIAL if isinstance(entry.parser, Parser))
_BYTES_DETECTION = tuple(
    entry.parser for entry in _BY_TRIAL if isinstance(entry.parser, BytesParser)
)


def formats_in_words() -> str:
    """Where the files come from, as one phrase: "Kindle, Readwise or KOReader".

    The formats themselves are too many for one sentence; /import and the README list them.
    """
    sources = list(dict.fromkeys(entry.source for entry in FORMATS if entry.source))
    return ", ".join(sources[:-1]) + " or " + sources[-1] if len(sources) > 1 else sources[0]


__all__ = [
    "FORMATS",
    "BytesParser",
    "FileRead",
    "Format",
    "Parser",
    "SAMPLE",
    "apple_books",
    "bookcision",
    "formats_in_words",
    "kindle_clippings",
    "kindle_html",
    "kobo",
    "koreader_json",
    "koreader_lua",
    "koreader_markdown",
    "play_books",
    "readwise_csv",
    "readwise_markdown",
    "readwise_text",
    "zip_archive",
    "FORMAT_NAMES",
    "Kind",
    "LocationType",
    "ParseError",
    "ParseResult",
    "ParsedHighlight",
    "Skipped",
    "decode_bytes",
    "detect_bytes_format",
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
        if name == entry.name and isinstance(entry.parser, Parser):
            return entry.parser.parse(text)
    if name in FORMAT_NAMES:
        raise ParseError(f"A {name} file is binary: it is read from its bytes, not as text.")
    raise ParseError(f"Unknown format {name!r}; known formats: {', '.join(FORMAT_NAMES)}.")


def parse_bytes(data: bytes, *, format: str | None = None) -> ParseResult:
    """Parse a file as it was uploaded: a binary format by its bytes, text once decoded.

    Text is decoded a block at a time: a Kindle file is parsed as it is decoded, so its
    whole text (twice the bytes, or four times, for a file with CJK text) never exists.
    """
    binary = _bytes_parser(data, format)
    if binary is not None:
        return binary.parse_bytes(data)
    return _parse_stream(
        lambda: (data[start : start + BLOCK] for start in range(0, len(data), BLOCK)),
        format=format,
    )


def parse_file(path: Path, *, format: str | None = None) -> ParseResult:
    """Parse a file on disk; text is read a block at a time (see parse_bytes)."""
    with path.open("rb") as file:
        head = file.read(max(len(magic) for magic in CONTAINER_MAGIC))
    if head.startswith(CONTAINER_MAGIC) or format in _BYTES_NAMES:
        return parse_bytes(path.read_bytes(), format=format)

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as file:
            while chunk := file.read(BLOCK):
                yield chunk

    return _parse_stream(chunks, format=format)


CONTAINER_MAGIC: tuple[bytes, ...] = (sqlite_file.MAGIC, *zip_archive.MAGIC)
"""How the binary files the formats read start: these are never decoded as text."""
_BYTES_NAMES = frozenset(parser.NAME for parser in _BYTES_DETECTION)
_UNKNOWN_DATABASE = (
    "This SQLite database is not one Commonplace reads: send a Kobo KoboReader.sqlite or an "
    "Apple Books AEAnnotation_….sqlite."
)


def detect_bytes_format(data: bytes) -> str | None:
    """Name the binary format of a whole file, or None for a file to decode as text; a
    database of no format we know is refused (ParseError)."""
    parser = _bytes_parser(data, None)
    return None if parser is None else parser.NAME


def _bytes_parser(data: bytes, format: str | None) -> BytesParser | None:
    """The binary format of the file (the one named, or the one its bytes show), or None
    for text; a database of no format we know is refused here."""
    if format is not None:
        return next((p for p in _BYTES_DETECTION if format == p.NAME), None)
    if not data.startswith(CONTAINER_MAGIC):
        return None
    for parser in _BYTES_DETECTION:
        if parser.looks_like_bytes(data):
            return parser
    if sqlite_file.is_sqlite(data):
        raise ParseError(_UNKNOWN_DATABASE)
    return None


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
