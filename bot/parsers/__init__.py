"""Parsers: pure functions from a file's contents to highlight records.

Each format module exposes ``NAME``, ``looks_like(text) -> bool`` and
``parse(text) -> ParseResult``. Nothing here knows about the database or Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from types import ModuleType

from bot.parsers import kindle_clippings, kindle_html, readwise_csv, readwise_text
from bot.parsers.decoding import BLOCK, NotUtf8, decode_bytes, decode_stream
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

# Most specific first: the Readwise text export is the loosest shape and is tried last.
FORMATS: tuple[ModuleType, ...] = (kindle_html, readwise_csv, kindle_clippings, readwise_text)
FORMAT_NAMES: tuple[str, ...] = tuple(module.NAME for module in FORMATS)

__all__ = [
    "FORMATS",
    "SAMPLE",
    "kindle_clippings",
    "kindle_html",
    "readwise_csv",
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
    for module in FORMATS:
        if module.looks_like(sample):
            return None if module is readwise_text else str(module.NAME)
    return None


def _detect(text: str) -> str:
    for module in FORMATS:
        if module.looks_like(text):
            return str(module.NAME)
    raise ParseError(
        "This file is in no format Commonplace knows. Send a Kindle 'My Clippings.txt', "
        "a Readwise export (text or CSV) or a Kindle app notebook export (HTML)."
    )


def parse_text(text: str, *, format: str | None = None) -> ParseResult:
    """Parse decoded text, detecting its format unless one is named."""
    name = format or detect_format(text)
    for module in FORMATS:
        if name == module.NAME:
            result: ParseResult = module.parse(text)
            return result
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
            return parse_text("".join(chain(head, blocks)))
    if name == kindle_clippings.NAME:
        return kindle_clippings.parse_blocks(chain(head, blocks))
    return parse_text("".join(chain(head, blocks)), format=name)
