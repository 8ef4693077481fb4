"""What an import did, book by book: the report the reader is shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.parsers import FileRead, Skipped


@dataclass(slots=True)
class BookReport:
    """What one import did to one book."""

    title: str
    author: str
    new: int = 0
    duplicates: int = 0
    updated: int = 0
    notes: int = 0
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(slots=True)
class ImportReport:
    """What one import did, book by book."""

    format: str
    filename: str | None
    books: list[BookReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    """Skipped entries that belong to no particular book."""
    notices: list[str] = field(default_factory=list)
    """What the reader should know about the file as a whole (a missing last separator)."""
    files: list[FileRead] = field(default_factory=list)
    """For a zip, what each of its files was read as, or why it was not."""

    @property
    def new(self) -> int:
        return sum(book.new for book in self.books)

    @property
    def duplicates(self) -> int:
        return sum(book.duplicates for book in self.books)

    @property
    def updated(self) -> int:
        return sum(book.updated for book in self.books)

    @property
    def notes(self) -> int:
        return sum(book.notes for book in self.books)

    @property
    def all_skipped(self) -> list[Skipped]:
        """Every skipped entry, with or without a book."""
        return [*self.skipped, *(s for book in self.books for s in book.skipped)]
