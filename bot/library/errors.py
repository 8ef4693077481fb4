"""Errors the domain raises for the reader to see."""

from __future__ import annotations


class LibraryError(Exception):
    """A request the library refuses; the message is one sentence for the reader."""


class ImportRejected(LibraryError):
    """A file that cannot be imported. Nothing from it was stored."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)
