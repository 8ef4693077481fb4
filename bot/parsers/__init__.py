"""Parsers: pure functions from a file's contents to highlight records.

Each format module exposes ``NAME``, ``looks_like(text) -> bool`` and
``parse(text) -> ParseResult``. Nothing here knows about the database or Telegram.
"""

from __future__ import annotations

from types import ModuleType

from bot.parsers import kindle_clippings, kindle_html, readwise_csv, readwise_text
from bot.parsers.decoding import decode_bytes
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
    "parse_bytes",
    "parse_text",
]


def detect_format(text: str) -> str:
    """Name the format of an export, or raise ParseError if it is none we know."""
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
    """Decode and parse a file as it was uploaded."""
    return parse_text(decode_bytes(data), format=format)
