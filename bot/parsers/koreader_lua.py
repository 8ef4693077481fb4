"""KOReader's sidecar ``metadata.<ext>.lua``, in the book's ``.sdr`` folder.

docs/formats.md, "KOReader", has the layouts and the traps. The file is Lua source and is
read by ``_lua.read_lua``, never run. Highlights come from up to three tables:

- ``["annotations"]`` (KOReader 2024 and later): a list of ``{text, note, chapter, pageno,
  datetime, color, pos0, pos1}``;
- ``["highlight"][page][i]`` (older): ``{text, chapter, datetime, drawer, pos0, pos1}``, with
  the page number as the key;
- ``["bookmarks"]`` (older): ``{notes, text, highlighted, datetime, pos0, pos1}``, where
  ``notes`` is the passage and ``text`` the reader's note, or KOReader's own
  ``Page 12 <passage> @ 2023-05-14 23:36:07`` when the reader wrote none.

Files that were upgraded keep the old tables beside the new one, so one highlight is counted
once, by its place in the book (``pos0``/``pos1``), else by its date and text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsers import _koreader
from bot.parsers._lua import LuaError, read_lua
from bot.parsers.records import ParseError, ParseResult, Skipped

NAME = "koreader_lua"

_RETURN = re.compile(r"(?:\s|--[^\n]*\n)*(?:return\s*)?\{")
_TABLES = re.compile(r'\[\s*"(?:doc_props|annotations|highlight|bookmarks)"\s*\]\s*=')
_UNKNOWN_AUTHOR = "N/A"  # what KOReader's statistics write for a book with no author
_AUTOMATIC = re.compile(r"@ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s*$")


@dataclass(slots=True)
class _Highlight:
    text: str
    note: str
    page: object
    chapter: str
    color: str
    datetime: str


def looks_like(text: str) -> bool:
    """A Lua table literal with one of KOReader's tables in it."""
    return _RETURN.match(text) is not None and _TABLES.search(text) is not None


def parse(text: str) -> ParseResult:
    """Read a KOReader sidecar into highlight records."""
    try:
        settings = read_lua(text.replace("\r\n", "\n"))
    except LuaError as error:
        raise ParseError(
            f"This KOReader sidecar is not a Lua table KOReader writes: {error.args[0]}"
        ) from None
    if not isinstance(settings, dict):
        raise ParseError("This KOReader sidecar holds no table.")
    props, stats = _table(settings.get("doc_props")), _table(settings.get("stats"))
    title = _koreader.text_of(props.get("title")) or _koreader.text_of(stats.get("title"))
    title = title or _title_from_path(settings.get("doc_path"))
    author = _koreader.authors_of(props.get("authors")) or _koreader.authors_of(
        stats.get("authors")
    )
    if author == _UNKNOWN_AUTHOR:
        author = ""
    result = ParseResult(format=NAME)
    found: dict[object, _Highlight] = {}
    _annotations(_table(settings.get("annotations")), found, result, title)
    _highlights(_table(settings.get("highlight")), found)
    _bookmarks(_table(settings.get("bookmarks")), found, result, title)
    if not found:
        result.notices.append("The sidecar holds no highlights: KOReader saved none for it.")
    elif not title:
        result.notices.append(
            f"The sidecar names no title: its highlights are filed under '{_koreader.UNTITLED}'."
        )
    for line, highlight in enumerate(found.values(), start=1):
        result.highlights.append(
            _koreader.record(
                title=title,
                author=author,
                text=highlight.text,
                note=highlight.note,
                page=highlight.page,
                chapter=highlight.chapter,
                color=highlight.color,
                when=_koreader.device_time(highlight.datetime),
                line=line,
            )
        )
    return result


def _title_from_path(raw: object) -> str:
    """The book's file name without its folder and extension, as KOReader falls back to."""
    name = _koreader.text_of(raw).replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0].strip() if "." in name else name


def _table(raw: object) -> dict[object, object]:
    return raw if isinstance(raw, dict) else {}


def _key(item: dict[object, object]) -> object:
    """What one highlight is, in every table: its place in the book, else its date and text."""
    pos0, pos1 = item.get("pos0"), item.get("pos1")
    if isinstance(pos0, str) and isinstance(pos1, str):
        return ("pos", pos0, pos1)
    text = item.get("notes") if "highlighted" in item else item.get("text")
    return ("at", _koreader.text_of(item.get("datetime")), _koreader.text_of(text))


def _sorted_items(table: dict[object, object]) -> list[tuple[object, dict[object, object]]]:
    """A Lua list's items in their order (the file may write ``[2]`` before ``[1]``)."""
    items = [(key, value) for key, value in table.items() if isinstance(value, dict)]
    return sorted(items, key=lambda item: (not isinstance(item[0], int), str(item[0]).zfill(12)))


def _annotations(
    table: dict[object, object], found: dict[object, _Highlight], result: ParseResult, title: str
) -> None:
    for number, item in _sorted_items(table):
        note = _koreader.text_of(item.get("note"))
        # KOReader keeps page bookmarks in the same list: only a highlight has a style.
        text = _koreader.text_of(item.get("text")) if "drawer" in item else ""
        if not text and not note:
            line = number if isinstance(number, int) else 0
            result.skipped.append(Skipped("bookmark", line, title or _koreader.UNTITLED))
            continue
        # The publisher's page numbers (`pageref`) when the book has them, as KOReader shows.
        pageref = item.get("pageref")
        found.setdefault(
            _key(item),
            _Highlight(
                text=text,
                note=note,
                page=pageref if isinstance(pageref, str) and pageref else item.get("pageno"),
                chapter=_koreader.text_of(item.get("chapter")),
                color=_koreader.text_of(item.get("color")),
                datetime=_koreader.text_of(item.get("datetime")),
            ),
        )


def _highlights(table: dict[object, object], found: dict[object, _Highlight]) -> None:
    for page, items in sorted(table.items(), key=lambda item: str(item[0]).zfill(12)):
        if not isinstance(items, dict):
            continue
        for _, item in _sorted_items(items):
            text = _koreader.text_of(item.get("text"))
            if not text:
                continue
            found.setdefault(
                _key(item),
                _Highlight(
                    text=text,
                    note="",
                    page=page,
                    chapter=_koreader.text_of(item.get("chapter")),
                    color=_koreader.text_of(item.get("color")),
                    datetime=_koreader.text_of(item.get("datetime")),
                ),
            )


def _bookmarks(
    table: dict[object, object], found: dict[object, _Highlight], result: ParseResult, title: str
) -> None:
    # Sidecars from before KOReader wrote positions into bookmarks match by date and text.
    by_date = {(h.datetime, h.text): h for h in found.values()}
    for number, item in _sorted_items(table):
        passage = _koreader.text_of(item.get("notes"))
        note = _reader_note(_koreader.text_of(item.get("text")), passage)
        if item.get("highlighted") is not True or not passage:
            line = number if isinstance(number, int) else 0
            result.skipped.append(Skipped("bookmark", line, title or _koreader.UNTITLED))
            continue
        datetime = _koreader.text_of(item.get("datetime"))
        known = found.get(_key(item)) or by_date.get((datetime, passage))
        if known is None:
            page = item.get("page")
            found[_key(item)] = _Highlight(
                text=passage,
                note=note,
                page=page if isinstance(page, int) else None,
                chapter=_koreader.text_of(item.get("chapter")),
                color="",
                datetime=datetime,
            )
        elif note and not known.note:
            known.note = note


def _reader_note(text: str, passage: str) -> str:
    """A bookmark's ``text``, unless it is KOReader's own ``Page N <passage> @ <date>``."""
    if _AUTOMATIC.search(text) and (passage[:40] in text or text.startswith("Page ")):
        return ""
    return text
