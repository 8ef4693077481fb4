"""Readwise-style plain-text export: one book, paragraphs separated by blank lines.

Layout (the blank lines between paragraphs are left out; the action tags in notes are in
docs/formats.md, "Readwise action tags")::

    The DevOps Handbook            <- title, possibly repeated; then `by ...`/`Author: ...`
    Table of Contents
    2The First Way: The Principles of Flow          <- chapter heading (context)
    To transmit code ... including:                 <- earlier paragraphs of a highlight
    - information security (Location 1059)          <- a highlight ends with its marker
    Tags: deployment
    Note: .deployment there are often many teams involved

How paragraphs are read:

- A paragraph ending with `(Location N)`/`(Page N)` closes a highlight, even if it starts
  with `Note:` (only highlights carry the marker). The unlocated paragraphs just before it
  belong to the same highlight, except that a chapter heading (see
  `_readwise_text_layout.chapter_heading`) cuts them off: what comes before the last
  heading of such a run is text of its own (kept as a highlight without location).
- `Tags:` and `Note:` paragraphs belong to the highlight before them, in either order and
  any number of times. A note is one paragraph: a second paragraph after it is the start
  of the next highlight, which is how the export writes it. If unlocated paragraphs come
  right before a `Tags:`/`Note:` paragraph, they are a highlight without location, even
  when the last of them looks like a heading (the reader annotated it, so it is a quote).
- A located highlight is a heading instead when its note has `.h1`..`.h6`, or when it is a
  single paragraph with an unmistakable heading shape and no tags or note (the sample has
  `Part III Introduction (Location 2377)`). Headings are reported in `skipped`. The text
  after a heading's `.h1` (`Note: .h1 Life is short…`) is the reader's note on the chapter:
  a `Kind.CHAPTER_NOTE` record at the heading's place, as in the Readwise CSV.
- Notes use Readwise action tags; `.c1` starts a concatenation and `.c2`, `.c3`... append
  to it (https://docs.readwise.io/readwise/guides/action-tags).
- The chapter of a highlight is the last heading before it, whatever its level; the level
  is kept when a `.h1`..`.h6` gave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.parsers import tags as tagging
from bot.parsers._readwise_text_layout import (
    Header,
    Location,
    chapter_heading,
    collapse,
    has_location,
    is_contents_line,
    split_location,
    strong_heading,
)
from bot.parsers.records import Kind, ParsedHighlight, ParseError, ParseResult, Skipped

NAME = "readwise_text"

_TAGS_PREFIX = "Tags:"
_NOTE_PREFIX = "Note:"
_MAX_TITLE = 300
_SNIFF_PARAGRAPHS = 6
# Other formats' unmistakable marks; this loose format must not claim their files.
_CLIPPINGS_SEPARATOR = re.compile(r"^[^\S\n]*={10}[^\S\n]*$", re.MULTILINE)
_CSV_HEADER = "Highlight,Book Title"


@dataclass(slots=True)
class _Paragraph:
    text: str
    line: int
    # For unlocated paragraphs: whether it separates highlights, and the chapter it names.
    structural: bool = False
    chapter: str | None = None


@dataclass(slots=True)
class _Draft:
    """A highlight being assembled; it becomes a record once nothing more can attach."""

    text: str
    line: int
    chapter: str | None
    chapter_level: int | None = None
    location: Location | None = None
    paragraphs: int = 1
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    annotated: bool = False
    heading_level: int | None = None  # `.h1`..`.h6` in its note: a heading, not a highlight
    concat_group: int | None = None
    note_only: bool = False
    chapter_note: bool = False
    # Texts of later highlights concatenated onto this one (`.c2`, `.c3`...).
    joined: list[str] = field(default_factory=list)


def looks_like(text: str) -> bool:
    """Whether text looks like a Readwise plain-text export.

    A title line, then either a paragraph closed by `(Location N)`/`(Page N)` or a
    `Table of Contents` line near the top with paragraphs after it. Kindle clippings
    (`==========` lines), the Readwise CSV, Markdown and HTML are refused.
    """
    text = _normalise(text)
    if _CLIPPINGS_SEPARATOR.search(text):
        return False
    paragraphs = _paragraphs(text)
    if len(paragraphs) < 2:
        return False
    title = paragraphs[0].text.split("\n", 1)[0]
    if title.startswith(("<", "# ", _CSV_HEADER)) or has_location(paragraphs[0].text):
        return False
    if any(has_location(p.text) for p in paragraphs[1:]):
        return True
    for index, paragraph in enumerate(paragraphs[:_SNIFF_PARAGRAPHS]):
        if any(is_contents_line(line) for line in paragraph.text.split("\n")):
            return any(
                collapse(p.text) != collapse(title) and not is_contents_line(p.text)
                for p in paragraphs[index + 1 :]
            )
    return False


def parse(text: str) -> ParseResult:
    """Read a Readwise plain-text export into highlight records."""
    paragraphs = _paragraphs(_normalise(text))
    if not paragraphs:
        raise ParseError("The file is empty.")
    result = ParseResult(format=NAME)
    title, author, body = _read_header(paragraphs, result.skipped)
    reader = _Reader(title=title, skipped=result.skipped)
    for paragraph in body:
        reader.feed(paragraph)
    for draft in _concatenate(reader.finish()):
        result.highlights.append(_record(draft, title=title, author=author))
    return result


def _normalise(text: str) -> str:
    """Drop BOMs and turn CRLF/CR newlines into LF (decode_bytes does it too; callers may not)."""
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


def _paragraphs(text: str) -> list[_Paragraph]:
    """Split text on blank lines, remembering the 1-based line each paragraph starts on."""
    paragraphs: list[_Paragraph] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line.strip())
        elif lines:
            paragraphs.append(_Paragraph("\n".join(lines), start))
            lines = []
    if lines:
        paragraphs.append(_Paragraph("\n".join(lines), start))
    return paragraphs


def _read_header(
    paragraphs: list[_Paragraph], skipped: list[Skipped]
) -> tuple[str, str, list[_Paragraph]]:
    """Take the title, the author and the header lines off the top: (title, author, body)."""
    first = paragraphs[0]
    if has_location(first.text):
        raise ParseError(
            "The file should start with the book's title, but it starts with a highlight.",
            line=first.line,
        )
    first_lines = first.text.split("\n")
    title = collapse(first_lines[0])
    if len(title) > _MAX_TITLE:
        raise ParseError(
            "The first line should be the book's title, but it is far too long for one.",
            line=first.line,
        )
    header = Header(title)
    for offset, line in enumerate(first_lines[1:], start=1):
        if not header.take(line):
            skipped.append(
                Skipped("unrecognised line in the book's header", first.line + offset, title)
            )
    index = 1
    while index < len(paragraphs) and header.take_paragraph(paragraphs[index].text):
        index += 1
    return title, header.author, paragraphs[index:]


class _Reader:
    """Walk the body's paragraphs, assembling drafts in file order."""

    def __init__(self, *, title: str, skipped: list[Skipped]) -> None:
        self._title = title
        self._skipped = skipped
        self._chapter: str | None = None
        self._chapter_level: int | None = None
        self._run: list[_Paragraph] = []  # unlocated paragraphs not yet assigned
        self._pending: _Draft | None = None  # the draft Tags:/Note: paragraphs attach to
        self._drafts: list[_Draft] = []

    def feed(self, paragraph: _Paragraph) -> None:
        """Take the next paragraph of the body."""
        quote, location = split_location(paragraph.text)
        if location is not None:
            self._close_pending()
            tail = self._take_run(keep_last=False)
            self._pending = self._draft([*tail, _Paragraph(quote, paragraph.line)], location)
        elif paragraph.text.startswith((_TAGS_PREFIX, _NOTE_PREFIX)):
            self._annotate(paragraph)
        else:
            is_filler = collapse(paragraph.text) == self._title or is_contents_line(paragraph.text)
            paragraph.chapter = None if is_filler else chapter_heading(paragraph.text)
            paragraph.structural = is_filler or paragraph.chapter is not None
            self._run.append(paragraph)

    def finish(self) -> list[_Draft]:
        """Close everything still open and return the drafts in file order."""
        self._close_pending()
        self._flush(self._run)
        self._run = []
        return self._drafts

    def _annotate(self, paragraph: _Paragraph) -> None:
        if self._run:
            self._close_pending()
            self._pending = self._draft(self._take_run(keep_last=True), None)
        is_tags = paragraph.text.startswith(_TAGS_PREFIX)
        prefix = _TAGS_PREFIX if is_tags else _NOTE_PREFIX
        body = paragraph.text[len(prefix) :].strip()
        if self._pending is None:
            if is_tags:
                reason = "tags with no highlight before them"
                self._skipped.append(Skipped(reason, paragraph.line, self._title))
                return
            self._pending = self._draft([_Paragraph("", paragraph.line)], None)
            self._pending.note_only = True
        draft = self._pending
        draft.annotated = True
        if is_tags:
            draft.tags.extend(tagging.split_tags(body.replace("\n", ",")))
            return
        action = tagging.parse_action_note(body)
        draft.tags.extend(action.tags)
        draft.heading_level = draft.heading_level or action.heading_level
        if draft.concat_group is None:
            draft.concat_group = action.concat_group
        if action.text:
            draft.notes.append(action.text)

    def _take_run(self, *, keep_last: bool) -> list[_Paragraph]:
        """Split the unlocated run: return the paragraphs after its last heading.

        Everything up to that heading is settled now. With keep_last, the run's last
        paragraph is a quote whatever it looks like (an annotation follows it).
        """
        run = self._run
        self._run = []
        searchable = len(run) - 1 if keep_last else len(run)
        cut = next((i for i in range(searchable - 1, -1, -1) if run[i].structural), -1)
        self._flush(run[: cut + 1])
        return run[cut + 1 :]

    def _flush(self, paragraphs: list[_Paragraph]) -> None:
        """Settle unlocated paragraphs: headings set the chapter, text between them is kept."""
        segment: list[_Paragraph] = []
        for paragraph in paragraphs:
            if not paragraph.structural:
                segment.append(paragraph)
                continue
            if segment:
                self._drafts.append(self._draft(segment, None))
                segment = []
            if paragraph.chapter is not None:
                self._chapter, self._chapter_level = paragraph.chapter, None
        if segment:
            self._drafts.append(self._draft(segment, None))

    def _draft(self, paragraphs: list[_Paragraph], location: Location | None) -> _Draft:
        return _Draft(
            text="\n\n".join(p.text for p in paragraphs if p.text),
            line=paragraphs[0].line,
            chapter=self._chapter,
            chapter_level=self._chapter_level,
            location=location,
            paragraphs=len(paragraphs),
        )

    def _close_pending(self) -> None:
        """Nothing more can attach to the pending draft: decide what it is."""
        draft = self._pending
        self._pending = None
        if draft is None:
            return
        shape = strong_heading(draft.text) if draft.paragraphs == 1 else None
        heading = draft.heading_level is not None
        if heading or (draft.location is not None and shape and not draft.annotated):
            self._chapter = shape or collapse(draft.text) or self._chapter
            self._chapter_level = draft.heading_level
            self._skipped.append(
                Skipped(
                    "chapter heading (kept as the chapter of what follows)", draft.line, self._title
                )
            )
            if draft.notes:
                # The text after the heading's `.h1`: the reader's note on the chapter.
                draft.text, draft.notes = draft.notes[0], draft.notes[1:]
                draft.chapter, draft.chapter_level = self._chapter, self._chapter_level
                draft.chapter_note = True
                self._drafts.append(draft)
        elif draft.note_only:
            draft.text = "\n\n".join(draft.notes)
            draft.notes = []
            if draft.text:
                self._drafts.append(draft)
            else:
                self._skipped.append(Skipped("note with no text", draft.line, self._title))
        elif not draft.text:
            self._skipped.append(Skipped("highlight with no text", draft.line, self._title))
        else:
            self._drafts.append(draft)


def _concatenate(drafts: list[_Draft]) -> list[_Draft]:
    """Apply Readwise's `.c1`, `.c2`... chains (tagging.chain_head): one book, one key."""
    joined: list[_Draft] = []
    chains: dict[None, _Draft] = {}
    for draft in drafts:
        group = draft.concat_group
        head = (
            None
            if group is None or draft.note_only
            else tagging.chain_head(chains, None, group, draft)
        )
        if head is None:
            joined.append(draft)
        else:
            head.joined.append(draft.text)
            head.tags.extend(draft.tags)
            head.notes.extend(draft.notes)
    return joined


def _record(draft: _Draft, *, title: str, author: str) -> ParsedHighlight:
    tags, favorite, discarded = tagging.pop_flags(tagging.unique_tags(draft.tags))
    location = draft.location
    return ParsedHighlight(
        book_title=title,
        text="\n\n".join([draft.text, *draft.joined]),
        author=author,
        kind=_kind(draft),
        location=location.display if location else None,
        location_type=location.kind if location else None,
        location_start=location.start if location else None,
        chapter=draft.chapter,
        chapter_level=draft.chapter_level,
        tags=tags,
        notes=draft.notes,
        favorite=favorite,
        discarded=discarded,
        line=draft.line,
    )


def _kind(draft: _Draft) -> Kind:
    if draft.chapter_note:
        return Kind.CHAPTER_NOTE
    return Kind.NOTE if draft.note_only else Kind.HIGHLIGHT
