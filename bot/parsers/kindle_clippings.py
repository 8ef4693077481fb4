"""Kindle ``My Clippings.txt``: every highlight and note a device has recorded.

Each record is a title line, a details line, a blank line, the text, and a line of ten
``=``. The file is append-only, so an edited highlight appears twice and a note is a
separate record that points at its highlight only through its location; both are joined
back here. See docs/formats.md for the traps this handles and the rules it follows.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter

from bot.collector import collector_paused
from bot.parsers import tags
from bot.parsers._kindle_grammars import DetailsReader, details_of
from bot.parsers._kindle_meta import ClipKind, Details, split_title
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)
from bot.parsers.spacing import single_spaced
from bot.parsers.versions import last_page, same_passage, span_of

NAME = "kindle_clippings"

# Matched with the newline before it: a literal prefix lets the regex engine skip ahead fast,
# which matters on files of 100,000 records. Callers put a newline in front of the text so a
# separator on the first line is found too.
_SEPARATOR = re.compile(r"\n==========[ \t]*(?=\n|\Z)")
# The device writes this instead of the text once a publisher's export limit is reached.
_CLIPPING_LIMIT = re.compile(r"<[^<>\n]*(?:clipping|limit|límite|limite|лимит|上限)[^<>\n]*>", re.I)
_ORDER = attrgetter("order")
# Enum members for the code that runs once per record: reading one off its class costs
# more than building a small tuple.
_BOOKMARK, _NOTE = ClipKind.BOOKMARK, ClipKind.NOTE
_HIGHLIGHT_RECORD, _NOTE_RECORD = Kind.HIGHLIGHT, Kind.NOTE
_LOCATION, _PAGE = LocationType.LOCATION, LocationType.PAGE

_Book = tuple[str, str]
# A note finds its highlight by (book, location end) or, on page-only records, (book, last
# page): an int location never equals a str page.
_Anchor = tuple[_Book, int | str]
# Where a highlight is, to find its versions: the kind of place ("L" for locations, "P" for
# numbered pages, "P:xii" for another page), its first and its last location or page.
_Place = tuple[str, int, int]
# The highlights standing in each bucket of places (see _resolve); most buckets hold one.
_Standing = dict[tuple[_Book, str, int], "_Clip | list[_Clip]"]


@dataclass(slots=True, eq=False)
class _Clip:
    """One readable record, before edits, repeats and notes are resolved."""

    order: int  # Its place among the readable records, in file order.
    line: int
    book: _Book
    details: Details
    text: str
    last: int  # Where the text last appeared: a repeat makes it the current version again.
    notes: list[str] | None = None  # Made on the first note: most highlights have none.
    # The highlight with the same text that came first, when this one repeats it. Never the
    # clip itself: the clips form no reference cycles (see collector_paused).
    repeats: _Clip | None = None
    kept: bool = False
    folded: str | None = None  # The text as versions are compared, made when first needed.


def looks_like(text: str) -> bool:
    """True for text with ``==========`` separators and at least one Kindle details line, or
    for one record with no separator whose second line is a details line."""
    text = "\n" + _normalise(text)
    reader = DetailsReader()
    if _SEPARATOR.search(text) is None:
        # One record, whole or cut off, with no separator after it.
        lines = text.lstrip().split("\n", 2)
        return len(lines) > 1 and reader.read(lines[1]) is not None
    position = line = 0
    while position < len(text):
        _start, lines, position, line, _closed = _chunk_at(text, position, line)
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
        reader = _ClipReader(result.skipped)
        blank = True
        for segment, end in _segments(blocks):
            if blank and not segment[:end].isspace():
                blank = False
            reader.read(segment, end)
        if blank:
            raise ParseError("The file is empty.")
        clips = reader.finish()
        _resolve(reader)
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


class _ClipReader:
    """Reads the highlight and note records of a file in order, run of records by run."""

    def __init__(self, skipped: list[Skipped]) -> None:
        self.skipped = skipped
        self.clips: list[_Clip] = []
        self.books: dict[str, _Book] = {}
        self.reader = DetailsReader()
        self.recognised = 0
        # The first sign of a cut-off file; raised at the end unless nothing at all was Kindle's.
        self.problem: ParseError | None = None
        self.line = 0
        self.done = False
        self.unclosed: int | None = None  # The line of a last record with no separator.
        # The first half of resolving is done as each clip is read, so the clips are gone
        # over once and each text is read while it is fresh. Identical text in the same
        # book is one highlight, kept where it first appeared. Every version of a highlight
        # is a target for notes, so a note on an old range still lands.
        self.notes: list[_Clip] = []
        self.first_of: dict[tuple[_Book, str], _Clip] = {}
        # Most anchors hold one clip: a list is made only for a second.
        self.anchors: dict[_Anchor, _Clip | list[_Clip]] = {}

    def read(self, text: str, stop: int) -> None:
        """Read the records of one run, ``text[:stop]``: it starts with the newline that ends
        the line the reader is at (the previous separator, or line 0). Nothing is read from
        ``stop`` on: a pattern there sees the end of the text, as it would in a slice."""
        if self.done:
            return
        clips = self.clips
        skipped = self.skipped
        books = self.books
        reader = self.reader
        recognised = self.recognised
        line = self.line
        notes, first_of, anchors = self.notes, self.first_of, self.anchors
        # The whole record in the last language in one match (the grammar's record pattern),
        # else line by line through the DetailsReader: this loop runs once per record.
        grammar = reader.grammar
        position = 0
        size = stop
        while position < size:
            details: Details | None
            match = grammar.record.match(text, position, size)
            if match is not None and (details := details_of(match)) is not None:
                title, body, position = match["title"], match["body"], match.end()
                start = line + 1
                line += 5
            else:
                start, lines, position, line, closed = _chunk_at(text, position, line, size)
                if not lines:
                    continue
                details = reader.read(lines[1]) if len(lines) > 1 else None
                grammar = reader.grammar  # the language that matched last
                if not closed:
                    self.done = True
                    cut = _cut_inside(lines, details, start)
                    if cut is not None:
                        if details is not None:
                            recognised += 1
                        self.problem = self.problem or cut
                        break
                    self.unclosed = start
                if details is None:
                    if len(lines) < 2 or not lines[1].strip():
                        why = "a clipping has a title but no details"
                        self.problem = self.problem or _cut_off(why, start)
                    else:
                        skipped.append(_unrecognised(lines, start))
                    continue
                if len(lines) < 3:
                    recognised += 1
                    why = "a clipping ends right after its details"
                    self.problem = self.problem or _cut_off(why, start)
                    continue
                title, body = lines[0], "\n".join(lines[2:])
            recognised += 1
            book = books.get(title)
            if book is None:
                book = books[title] = split_title(title)
            body = body.strip()
            kind = details.kind
            if kind is _BOOKMARK or not body or body[0] == "<":
                reason = _skip_reason(kind, body)
                if reason is not None:
                    skipped.append(Skipped(reason, start, book[0]))
                    continue
            clip = _Clip(recognised, start, book, details, body, recognised)
            clips.append(clip)
            if kind is _NOTE:
                notes.append(clip)
                continue
            # _squash and _anchor, written out: this runs once per clip.
            if not single_spaced(body):
                body = " ".join(body.split())
            first = first_of.setdefault((book, body), clip)
            if first is not clip:
                clip.repeats = first
                first.last = recognised
            if (end := details.location_end) is not None:
                anchor: _Anchor = (book, end)
            elif (page := details.page) is not None:
                anchor = (book, last_page(page))
            else:
                continue
            if (targets := anchors.setdefault(anchor, clip)) is not clip:
                if isinstance(targets, _Clip):
                    anchors[anchor] = [targets, clip]
                else:
                    targets.append(clip)
        self.recognised = recognised
        self.line = line

    def finish(self) -> list[_Clip]:
        """Every readable clip in file order, or ParseError for a file that is not whole."""
        if not self.recognised:
            raise ParseError(
                "This is not a Kindle 'My Clippings.txt': no clipping in it has a details "
                "line such as '- Your Highlight on page 1 | Location 10-12 | Added on ...'."
            )
        if self.problem is not None:
            raise self.problem
        return self.clips


def _chunk_at(
    text: str, position: int, line: int, end: int | None = None
) -> tuple[int, list[str], int, int, bool]:
    """Read the record from ``position`` (the newline ending ``line``) to the next separator,
    in ``text[:end]``.

    Returns the line of its first non-blank line, its lines from there ([] for a blank
    record), the position and line just after its separator, and whether one was found.
    """
    end = len(text) if end is None else end
    separator = _SEPARATOR.search(text, position, end)
    stop = end if separator is None else separator.start()
    chunk = text[position:stop]
    stripped = chunk.lstrip()
    start = line + chunk.count("\n", 0, len(chunk) - len(stripped))
    lines = stripped.split("\n") if stripped else []
    if separator is None:
        return start, lines, stop, line, False
    return start, lines, separator.end(), line + chunk.count("\n") + 1, True


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
    if details is not None and details.kind is not _BOOKMARK and not "".join(lines[2:]).strip():
        return _cut_off("its last clipping stops right after its details line", start + 1)
    return None


def _unrecognised(lines: list[str], line: int) -> Skipped:
    shown = lines[1].strip()
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    reason = f"line {line + 1} is not a Kindle details line: {shown!r}"
    return Skipped(reason, line, split_title(lines[0])[0])


def _normalise(text: str) -> str:
    """Drop BOMs (Kindle starts records mid-file with one) and normalise newlines."""
    text = text.replace("\ufeff", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _skip_reason(kind: ClipKind, body: str) -> str | None:
    if kind is ClipKind.BOOKMARK:
        return "a bookmark, which has no text"
    if not body:
        return f"an empty {kind.value}"
    if body[0] == "<" and _CLIPPING_LIMIT.fullmatch(body):
        return "Kindle's clipping-limit placeholder instead of the text"
    return None


# A highlight's earlier versions are looked for at the places its range overlaps, through
# buckets of 2**_BUCKET_BITS locations (or pages). A clip is listed under every bucket its
# range touches, its range counted to at most _REACH past its start: a wider one is garbage.
_BUCKET_BITS = 4
_REACH = 4096
_LAST = attrgetter("last")


def _resolve(reader: _ClipReader) -> None:
    """Mark the clips to keep and attach the notes; repeats and old edits are folded in."""
    anchors = reader.anchors
    # An edit on the device appends the new version: taken in the order they were last
    # written, each text replaces the versions of its passage still standing. A text that
    # repeats an earlier one is its latest version again (long, short, long keeps the long).
    live: _Standing = {}
    replaced: dict[int, _Clip] = {}
    for clip in sorted(reader.first_of.values(), key=_LAST):
        clip.kept = True
        # The common cases written out: a location range in buckets that hold no other
        # clip, or one clip that lies apart. Pages are few: they always take the long way.
        details = clip.details
        if (start := details.location_start) is None:
            if details.page is not None:
                _replace_versions(clip, live, replaced)
            continue
        end = details.location_end or start
        bucket = start >> _BUCKET_BITS
        where = (clip.book, "L", bucket)
        standing = live.setdefault(where, clip)
        if end >> _BUCKET_BITS == bucket:
            if standing is clip:
                continue
            if type(standing) is _Clip:
                # One clip there already: if it lies apart, it cannot be a version.
                other = standing.details
                if (other.location_end or 0) < start or end < (other.location_start or 0):
                    live[where] = [standing, clip]
                    continue
        elif (
            end >> _BUCKET_BITS == bucket + 1
            and standing is clip
            and live.setdefault((clip.book, "L", bucket + 1), clip) is clip
        ):
            continue
        # The long way, which also finds the clip already listed where this put it.
        _replace_versions(clip, live, replaced)

    lone: set[tuple[_Anchor | None, _Book, str]] = set()
    attached: dict[int, set[str]] = {}
    for note in reader.notes:
        anchor = _anchor(note)
        found = anchors.get(anchor) if anchor is not None else None
        squashed = _squash(note.text)
        if found is None:
            # The same note saved again (same book, place and text) is one note; the same
            # words at another place are another note.
            key = (anchor, note.book, squashed)
            note.kept = key not in lone
            lone.add(key)
            continue
        if isinstance(found, _Clip):
            target = found
        else:
            # Several highlights may end at one place: a note is written right after its
            # highlight, so it takes the latest one before it, else the first after it.
            index = bisect_left(found, note.order, key=_ORDER)
            target = found[index - 1 if index else 0]
        target = target.repeats or target
        while target.order in replaced:
            target = replaced[target.order]
        seen = attached.setdefault(target.order, set())
        if squashed not in seen:
            seen.add(squashed)
            if target.notes is None:
                target.notes = []
            target.notes.append(note.text)


def _place(clip: _Clip) -> _Place:
    """Where a clip with a location or a page is: its location range, else its pages."""
    details = clip.details
    if (start := details.location_start) is not None:
        return "L", start, details.location_end or start
    page = details.page or ""
    span = span_of(page)
    if span is None:
        return f"P:{page.casefold()}", 0, 0
    return "P", span[0], span[1]


def _replace_versions(clip: _Clip, live: _Standing, replaced: dict[int, _Clip]) -> None:
    """List the clip under its buckets, replacing the versions of its passage found there."""
    place = _place(clip)
    keys = _buckets(clip.book, place)
    versions: list[_Clip] = []
    for key in keys:
        standing = live.get(key)
        for older in (standing,) if isinstance(standing, _Clip) else standing or ():
            if (
                older is not clip
                and (other := _place(older))[1] <= place[2]
                and place[1] <= other[2]
                and older not in versions
                and same_passage(_folded(older), _folded(clip))
            ):
                versions.append(older)
    for older in versions:
        older.kept = False
        replaced[older.order] = clip
        for key in _buckets(older.book, _place(older)):
            standing = live[key]
            if isinstance(standing, _Clip):
                del live[key]
            else:
                standing.remove(older)
    for key in keys:
        standing = live.setdefault(key, clip)
        if standing is clip:
            continue
        if isinstance(standing, _Clip):
            live[key] = [standing, clip]
        else:
            standing.append(clip)


def _buckets(book: _Book, place: _Place) -> list[tuple[_Book, str, int]]:
    kind, first, last = place
    low = first >> _BUCKET_BITS
    high = min(last, first + _REACH) >> _BUCKET_BITS
    if low == high:
        return [(book, kind, low)]
    return [(book, kind, bucket) for bucket in range(low, high + 1)]


def _folded(clip: _Clip) -> str:
    """The clip's text as versions are compared: white space squashed, case folded."""
    folded = clip.folded
    if folded is None:
        folded = clip.folded = _squash(clip.text).casefold()
    return folded


def _anchor(clip: _Clip) -> _Anchor | None:
    """Where notes on a clip point: its range end, or its last page."""
    details = clip.details
    if details.location_end is not None:
        return clip.book, details.location_end
    if details.page is not None:
        return clip.book, last_page(details.page)
    return None


def _squash(text: str) -> str:
    """Collapse whitespace runs to one space, so re-spaced repeats compare equal."""
    if single_spaced(text):
        return text
    return " ".join(text.split())


def _record(clip: _Clip) -> ParsedHighlight:
    kind, page, start, end, added = clip.details
    location: str | None = None
    location_type: LocationType | None = None
    if start is not None:
        location = f"{start}-{end}" if end != start else str(start)
        location_type = _LOCATION
    elif page is not None:
        location = page
        location_type = _PAGE
        span = span_of(page)
        if span is not None:
            # One way to write a page range ("12 t/m 13" is 12-13); "26-26" is page 26.
            start = span[0]
            location = str(start) if span[0] == span[1] else f"{start}-{span[1]}"
    # Every field goes by position: building 100,000 records by keyword alone took twice
    # as long. The tests pin this order of ParsedHighlight's fields.
    return ParsedHighlight(
        clip.book[0],  # book_title
        clip.text,  # text
        clip.book[1],  # author
        _NOTE_RECORD if kind is _NOTE else _HIGHLIGHT_RECORD,  # kind
        location,  # location
        location_type,  # location_type
        start,  # location_start
        None,  # chapter
        None,  # color
        added,  # highlighted_at
        [],  # tags
        clip.notes or [],  # notes
        False,  # favorite
        False,  # discarded
        clip.line,  # line
    )
