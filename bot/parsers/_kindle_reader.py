"""The record reader of ``My Clippings.txt``: records to clips, in file order.

A record is a title line, a details line, a blank line, the text and a separator line of ten
``=``. The reader takes a well-formed record in one regex match (the grammar of the device
language that matched last) and anything else line by line, so that a damaged or unusual
record is still read, skipped with a reason, or reported as a sign of a cut-off file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.parsers._kindle_grammars import DetailsReader
from bot.parsers._kindle_meta import ClipKind, Details, Fields, split_title
from bot.parsers.records import ParseError, Skipped
from bot.parsers.spacing import single_spaced

# Matched with the newline before it: a literal prefix lets the regex engine skip ahead fast,
# which matters on files of 100,000 records. Callers put a newline in front of the text so a
# separator on the first line is found too.
SEPARATOR = re.compile(r"\n==========[ \t]*(?=\n|\Z)")
# The device writes this instead of the text once a publisher's export limit is reached.
_CLIPPING_LIMIT = re.compile(r"<[^<>\n]*(?:clipping|limit|límite|limite|лимит|上限)[^<>\n]*>", re.I)

Book = tuple[str, str]
"""A book as (title, author)."""


@dataclass(slots=True, eq=False)
class Clip:
    """One readable record, before edits, repeats and notes are resolved: where it is, what
    its details line says (see Details) and its text."""

    order: int  # Its place among the readable records, in file order.
    line: int
    book: Book
    kind: ClipKind
    page: str | None
    location_start: int | None
    location_end: int | None
    added: datetime | None
    text: str
    last: int  # Where the text last appeared: a repeat makes it the current version again.
    notes: list[str] | None = None  # Made on the first note: most highlights have none.
    # The highlight with the same text that came first, when this one repeats it. Never the
    # clip itself: the clips form no reference cycles (see collector_paused).
    repeats: Clip | None = None
    kept: bool = False
    folded: str | None = None  # The text as versions are compared, made when first needed.


class ClipReader:
    """Reads the highlight and note records of a file in order, run of records by run."""

    def __init__(self, skipped: list[Skipped]) -> None:
        self.skipped = skipped
        self.clips: list[Clip] = []
        self.books: dict[str, Book] = {}
        self.details = DetailsReader()
        self.recognised = 0
        # The first sign of a cut-off file; raised at the end unless nothing at all was Kindle's.
        self.problem: ParseError | None = None
        self.line = 0
        self.done = False
        self.unclosed: int | None = None  # The line of a last record with no separator.
        # Repeats are found as each clip is read, while its text is fresh: identical text
        # in the same book is one highlight, kept where it first appeared.
        self.notes: list[Clip] = []
        self.first_of: dict[tuple[Book, str], Clip] = {}

    def read(self, text: str, stop: int) -> None:
        """Read the records of one run, ``text[:stop]``: it starts with the newline that ends
        the line the reader is at (the previous separator, or line 0). Nothing is read from
        ``stop`` on: a pattern there sees the end of the text, as it would in a slice."""
        position = 0
        grammar = self.details.grammar
        while position < stop and not self.done:
            # The whole record in one match, else line by line (see _read_lines).
            match = grammar.record.match(text, position, stop)
            if match is None or (details := self.details.details_of(match)) is None:
                position = self._read_lines(text, position, stop)
                grammar = self.details.grammar  # the language that matched last
                continue
            position = match.end()
            start = self.line + 1
            self.line += 5
            self._add(start, match["title"], details, match["body"])

    def _read_lines(self, text: str, position: int, stop: int) -> int:
        """Read the record at ``position`` line by line; where the next record starts."""
        start, lines, position, self.line, closed = chunk_at(text, position, self.line, stop)
        if not lines:
            return position
        details = self.details.read(lines[1]) if len(lines) > 1 else None
        if not closed:
            self.done = True
            cut = _cut_inside(lines, details, start)
            if cut is not None:
                if details is not None:
                    self.recognised += 1
                self._report(cut)
                return position
            self.unclosed = start
        if details is None:
            if len(lines) < 2 or not lines[1].strip():
                self._report(_cut_off("a clipping has a title but no details", start))
            else:
                self.skipped.append(_unrecognised(lines, start))
        elif len(lines) < 3:
            self.recognised += 1
            self._report(_cut_off("a clipping ends right after its details", start))
        else:
            self._add(start, lines[0], details, "\n".join(lines[2:]))
        return position

    def _add(self, line: int, title: str, details: Fields, body: str) -> None:
        """Take one recognised record: skip it with a reason, or keep it as a clip."""
        self.recognised += 1
        book = self.books.get(title)
        if book is None:
            book = self.books[title] = split_title(title)
        body = body.strip()
        kind, page, start, end, added = details
        reason = _skip_reason(kind, body)
        if reason is not None:
            self.skipped.append(Skipped(reason, line, book[0]))
            return
        clip = Clip(
            self.recognised, line, book, kind, page, start, end, added, body, self.recognised
        )
        self.clips.append(clip)
        if kind == "note":
            self.notes.append(clip)
            return
        first = self.first_of.setdefault((book, squash(body)), clip)
        if first is not clip:
            clip.repeats = first
            first.last = self.recognised

    def _report(self, problem: ParseError) -> None:
        """Keep the first sign of a cut-off file."""
        self.problem = self.problem or problem

    def finish(self) -> list[Clip]:
        """Every readable clip in file order, or ParseError for a file that is not whole."""
        if not self.recognised:
            raise ParseError(
                "This is not a Kindle 'My Clippings.txt': no clipping in it has a details "
                "line such as '- Your Highlight on page 1 | Location 10-12 | Added on ...'."
            )
        if self.problem is not None:
            raise self.problem
        return self.clips


def chunk_at(
    text: str, position: int, line: int, end: int | None = None
) -> tuple[int, list[str], int, int, bool]:
    """Read the record from ``position`` (the newline ending ``line``) to the next separator,
    in ``text[:end]``.

    Returns the line of its first non-blank line, its lines from there ([] for a blank
    record), the position and line just after its separator, and whether one was found.
    """
    end = len(text) if end is None else end
    separator = SEPARATOR.search(text, position, end)
    stop = end if separator is None else separator.start()
    chunk = text[position:stop]
    stripped = chunk.lstrip()
    start = line + chunk.count("\n", 0, len(chunk) - len(stripped))
    lines = stripped.split("\n") if stripped else []
    if separator is None:
        return start, lines, stop, line, False
    return start, lines, separator.end(), line + chunk.count("\n") + 1, True


def squash(text: str) -> str:
    """Collapse whitespace runs to one space, so re-spaced repeats compare equal."""
    if single_spaced(text):
        return text
    return " ".join(text.split())


def _cut_off(why: str, line: int) -> ParseError:
    return ParseError(f"The file looks cut off: {why}.", line=line)


def _cut_inside(lines: list[str], details: Details | None, start: int) -> ParseError | None:
    """Why a last record with no separator after it is cut off, or None if it is whole.

    A record that stops in its title or details line has lost what makes it a clipping.
    Its text cannot tell: a text that was cut off looks like a shorter one.
    """
    if len(lines) < 2 or not lines[1].strip():
        return _cut_off("its last clipping stops in its title line", start)
    if len(lines) == 2 or details is None and len(lines) < 4:
        return _cut_off("its last clipping stops in its details line", start + 1)
    if details is not None and details.kind != "bookmark" and not "".join(lines[2:]).strip():
        return _cut_off("its last clipping stops right after its details line", start + 1)
    return None


def _unrecognised(lines: list[str], line: int) -> Skipped:
    shown = lines[1].strip()
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    reason = f"line {line + 1} is not a Kindle details line: {shown!r}"
    return Skipped(reason, line, split_title(lines[0])[0])


def _skip_reason(kind: ClipKind, body: str) -> str | None:
    """Why a record with this kind and text is not imported; None to import it."""
    if kind == "bookmark":
        return "a bookmark, which has no text"
    if not body:
        return f"an empty {kind}"
    if body[0] == "<" and _CLIPPING_LIMIT.fullmatch(body):
        return "Kindle's clipping-limit placeholder instead of the text"
    return None
