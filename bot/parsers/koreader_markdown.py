"""KOReader's exporter plugin, Markdown.

docs/formats.md, "KOReader", has the layout and the traps::

    # The Sound of Water
    ##### Sam Hamill

    ## Translator's Introduction
    ### Page 10 @ 09 September 2023 04:50:29 PM
    *to write a quatrain or a sonnet.*

    ---
    some note
    ### Page 11 @ 09 September 2023 04:50:53 PM
    …

    _Generated at: 09 September 2023 04:51:21 PM_

The passage may be wrapped in the Markdown of its highlight style (``*…*``, ``**…**``,
``~~…~~``, ``++…++``, ``==…==``, ``<u>…</u>``); the wrapping is taken off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.parsers import _koreader
from bot.parsers.records import ParsedHighlight, ParseError, ParseResult, Skipped

NAME = "koreader_markdown"

_ENTRY = re.compile(r"^### Page (\S*) @ (.*?)\s*$")
_GENERATED = re.compile(r"^_Generated at: .*_\s*$")
# "Export backlinks" adds a link back into the book under each entry: `[View in book](<file://…>)`.
_BACKLINK = re.compile(r"^\[[^\]]*\]\(<?file://.*\)\s*$")
_STYLES = (
    ("**_", "_**"),
    ("**", "**"),
    ("*", "*"),
    ("~~", "~~"),
    ("++", "++"),
    ("==", "=="),
    ("<u>", "</u>"),
)
_DATE_FORMAT = "%d %B %Y %I:%M:%S %p"


@dataclass(slots=True)
class _Entry:
    page: str
    when: str
    chapter: str
    line: int
    text: list[str] = field(default_factory=list)
    note: list[str] | None = None


def looks_like(text: str) -> bool:
    """A ``# Title`` first, and KOReader's ``### Page N @ date`` entry headings."""
    first = text.lstrip("\n").split("\n", 1)[0]
    return first.startswith("# ") and any(_ENTRY.match(line) for line in text.split("\n"))


def parse(text: str) -> ParseResult:
    """Read a KOReader Markdown export into highlight records."""
    result = ParseResult(format=NAME)
    title = author = chapter = ""
    entry: _Entry | None = None
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        heading = _ENTRY.match(line)
        if heading or line.startswith(("# ", "## ", "##### ")) or _GENERATED.match(line):
            _finish(entry, title, author, result)
            entry = None
        if heading:
            entry = _Entry(heading.group(1), heading.group(2), chapter, number)
        elif line.startswith("# "):
            title, author, chapter = line[2:].strip(), "", ""
        elif line.startswith("##### "):
            # Several authors are joined with ", ", which a "Last, First" name also has:
            # the line is kept as written.
            author = line[6:].strip()
        elif line.startswith("## ") or line == "##":
            chapter = line[3:].strip()
        elif entry is not None and not _BACKLINK.match(line):
            if line.strip() == "---" and entry.note is None:
                entry.note = []
            else:
                (entry.text if entry.note is None else entry.note).append(line)
    _finish(entry, title, author, result)
    if not title:
        raise ParseError("This KOReader Markdown export has no '# Title' line.")
    return result


def _finish(entry: _Entry | None, title: str, author: str, result: ParseResult) -> None:
    if entry is None:
        return
    text = _unstyled("\n".join(entry.text).strip())
    note = "\n".join(entry.note or []).strip()
    if not text and not note:
        result.skipped.append(Skipped("entry with no text", entry.line, title))
        return
    highlight: ParsedHighlight = _koreader.record(
        title=title,
        author=author,
        text=text,
        note=note,
        page=entry.page,
        chapter=entry.chapter,
        color="",
        when=_date(entry.when),
        line=entry.line,
    )
    result.highlights.append(highlight)


def _unstyled(text: str) -> str:
    for opening, closing in _STYLES:
        if len(text) > len(opening) + len(closing) and text.startswith(opening):
            inner = text[len(opening) : -len(closing)]
            # `*a* and *b*` is two styled words, not one styled passage.
            if text.endswith(closing) and closing not in inner:
                return inner.strip()
    return text


def _date(raw: str) -> datetime | None:
    """The date in KOReader's English wording; another language leaves it undated."""
    try:
        return datetime.strptime(raw, _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
