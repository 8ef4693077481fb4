"""What a format module provides: a text format reads decoded text, a binary one the bytes."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.parsers.records import ParseResult


@runtime_checkable
class Parser(Protocol):
    """What a text format's module provides."""

    NAME: str

    def looks_like(self, text: str) -> bool:
        """Whether ``text`` (maybe only the start of a file) is in this format."""
        ...

    def parse(self, text: str) -> ParseResult:
        """The records of a whole file's text; ParseError if it cannot be read."""
        ...


@runtime_checkable
class BytesParser(Protocol):
    """What a binary format's module provides (a database, a zip): it reads the file's bytes,
    which are never decoded as text."""

    NAME: str

    def looks_like_bytes(self, data: bytes) -> bool:
        """Whether the whole file ``data`` is in this format."""
        ...

    def parse_bytes(self, data: bytes) -> ParseResult:
        """The records of the file; ParseError if it cannot be read."""
        ...
