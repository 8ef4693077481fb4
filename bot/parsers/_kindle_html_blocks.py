"""The classed blocks of a Kindle notebook export: the page cut into the text of each element
whose class kindle_html reads, whatever end tags the app closed them with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.parsers.records import ParseError

# The classes (case-folded) of the elements a notebook is read from.
TITLE = "booktitle"
AUTHORS = "authors"
SECTION = "sectionheading"
HEADING = "noteheading"
TEXT = "notetext"
_CLASSES = frozenset({TITLE, AUTHORS, SECTION, HEADING, TEXT})
# End tags that may close a block; inline ones (span, b, i, a...) never do.
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "footer"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "header", "html", "li", "ol", "p", "section"}
    | {"table", "td", "th", "tr", "ul"}
)
_RAW_TEXT_TAGS = frozenset({"script", "style"})
_COLOUR_CLASS = "highlight_"
_CHUNK = 8192
# The most html.parser may hold back unparsed between chunks: a real tag or comment is far
# shorter, and a real <style> block (raw text, held back until its end tag) far smaller.
_MAX_UNCLOSED = 8192
_MAX_RAW_TEXT = 262144


@dataclass(slots=True)
class Block:
    """The text of one classed element, as lines of raw pieces."""

    kind: str
    line: int
    lines: list[list[str]] = field(default_factory=lambda: [[]])
    colour: str | None = None

    def text(self) -> str:
        """Whitespace collapsed within lines, blank lines trimmed and never doubled."""
        out: list[str] = []
        for pieces in self.lines:
            line = " ".join("".join(pieces).split())
            if line or (out and out[-1]):
                out.append(line)
        while out and not out[-1]:
            out.pop()
        return "\n".join(out)

    def add(self, data: str) -> None:
        line = self.lines[-1]
        # Leading blanks would be collapsed away anyway; dropping them here means a line with
        # pieces is a line with text.
        if line or not data.isspace():
            line.append(data)

    def break_line(self, *, hard: bool) -> None:
        """Start a new line: always for ``<br>``, only after some text for block edges."""
        if hard or self.lines[-1]:
            self.lines.append([])

    def one_line(self) -> str:
        return " ".join(self.text().split())


class _Collector(HTMLParser):
    """Cuts the page into classed blocks, tolerating any mismatched end tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._open: Block | None = None
        self._depth = 0
        self._raw_text: str | None = None

    @property
    def in_raw_text(self) -> bool:
        """Inside <script> or <style>, whose text runs unparsed to the end tag."""
        return self._raw_text is not None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _RAW_TEXT_TAGS:
            self._raw_text = tag
        classes = [
            name.casefold()
            for key, value in attrs
            if key == "class" and value
            for name in value.split()
        ]
        kind = next((name for name in classes if name in _CLASSES), None)
        if kind is not None:
            self._open = Block(kind, self.getpos()[0])
            self._depth = 0
            self.blocks.append(self._open)
            return
        block = self._open
        if block is None:
            return
        if tag == "br":
            block.break_line(hard=True)
        elif tag in _BLOCK_TAGS:
            self._depth += 1
            block.break_line(hard=False)
        elif block.kind == HEADING:
            for name in classes:
                if name.startswith(_COLOUR_CLASS) and len(name) > len(_COLOUR_CLASS):
                    block.colour = name[len(_COLOUR_CLASS) :]

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw_text:
            self._raw_text = None
        if self._open is None or tag not in _BLOCK_TAGS:
            return
        if self._depth == 0:
            self._open = None
        else:
            self._depth -= 1
            self._open.break_line(hard=False)

    def handle_data(self, data: str) -> None:
        if self._open is not None and self._raw_text is None:
            self._open.add(data)


def collect(text: str) -> list[Block]:
    """Feed the text in chunks, refusing any tag or comment that never closes.

    html.parser before CPython 3.11.13 (CVE-2025-6069) rescans an unclosed construct once per
    character that follows it at the end of input: hours for a hostile megabyte. Between
    chunks it holds back only an unclosed construct (each chunk ends just after a "<", so no
    text is held back), and capping that backlog keeps the work linear.
    """
    collector = _Collector()
    try:
        for chunk in _chunks(text):
            collector.feed(chunk)
            limit = _MAX_RAW_TEXT if collector.in_raw_text else _MAX_UNCLOSED
            if len(collector.rawdata) > limit:
                raise ParseError(
                    "This HTML file has a tag or comment that is never closed.",
                    line=collector.getpos()[0],
                )
        collector.close()
    except AssertionError:
        # html.parser reports the few constructs it cannot skip (a broken "<![" section or
        # doctype) with assertions; to the user that is simply a damaged file.
        raise ParseError(
            "This HTML file is too damaged to read.", line=collector.getpos()[0]
        ) from None
    return collector.blocks


def _chunks(text: str) -> Iterator[str]:
    """Pieces of at least _CHUNK characters, each but the last ending just after a "<"."""
    start = 0
    while start < len(text):
        cut = text.find("<", start + _CHUNK)
        end = len(text) if cut < 0 else cut + 1
        yield text[start:end]
        start = end
