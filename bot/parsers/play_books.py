"""Google Play Books: the "Notes from …" document in Google Drive (.docx or HTML) and the
Google Takeout JSON (docs/formats.md, "Google Play Books").

The module reads text (the HTML, the JSON) and bytes (the .docx, which is a zip) alike, so
it is both a ``Parser`` and a ``BytesParser``.
"""

from __future__ import annotations

import io
import json
import zipfile

from bot.parsers import _play_books_layout as layout
from bot.parsers.decoding import decode_bytes
from bot.parsers.records import Kind, ParsedHighlight, ParseError, ParseResult

NAME = "play_books"

_DOCUMENT = "word/document.xml"
_MAX_DOCUMENT = 25 * 1024 * 1024
"""The unpacked size a notes document may have: about 2,000 highlights of one book (real
ones take some 13 kB of XML each); ElementTree holds several times this in memory."""
_TAKEOUT_MARK = '"volume_info"'
SAMPLE_CHARS = 1 << 16
"""Detection looks this far into a text file."""


def looks_like(text: str) -> bool:
    """Whether the text is the notes document as HTML, or a Takeout annotations file."""
    start = text.lstrip()[:1]
    if start == "{":
        return _TAKEOUT_MARK in text[:SAMPLE_CHARS]
    return start == "<" and layout.looks_like_notes(layout.html_blocks(text[:SAMPLE_CHARS]))


def parse(text: str) -> ParseResult:
    """Read the HTML notes document or a Takeout JSON file."""
    if text.lstrip().startswith("{"):
        return _takeout(text)
    blocks = layout.html_blocks(text)
    if not layout.looks_like_notes(blocks):
        raise ParseError("This HTML is not a Play Books notes document.")
    return layout.read_notes(blocks, NAME)


def looks_like_bytes(data: bytes) -> bool:
    """Whether the bytes are the notes document as a .docx."""
    try:
        return layout.looks_like_notes(layout.docx_blocks(_document_xml(data)))
    except ParseError:
        return False


def parse_bytes(data: bytes) -> ParseResult:
    """Read the .docx notes document; any other file is read as text."""
    if not data.startswith(b"PK"):
        return parse(decode_bytes(data))
    return layout.read_notes(layout.docx_blocks(_document_xml(data)), NAME)


def _document_xml(data: bytes) -> bytes:
    """The document part of a .docx, read no further than a notes document can be."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as docx, docx.open(_DOCUMENT) as part:
            xml = part.read(_MAX_DOCUMENT + 1)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError):
        raise ParseError("This .docx is damaged or is not a Play Books notes document.") from None
    if len(xml) > _MAX_DOCUMENT:
        raise ParseError("This .docx is far bigger than a Play Books notes document.")
    return xml


def _takeout(text: str) -> ParseResult:
    """Takeout writes, in one file, the book's metadata, its annotations and its reading
    state as three JSON values one after another."""
    values = _json_values(text)
    meta = next((v for v in values if isinstance(v, dict) and "volume_info" in v), None)
    annotations = next((v for v in values if isinstance(v, list)), [])
    if meta is None:
        raise ParseError("This JSON is not a Google Takeout Play Books file (no volume_info).")
    info = meta["volume_info"] if isinstance(meta["volume_info"], dict) else {}
    title = str(info.get("title") or "Google Play Books").strip()
    authors = info.get("authors")
    author = ", ".join(map(str, authors)) if isinstance(authors, list) else str(authors or "")
    result = ParseResult(format=NAME)
    for line, item in enumerate(annotations, start=1):
        if not isinstance(item, dict):
            continue
        quote = str(item.get("excerpt") or "").strip()
        note = _takeout_note(item.get("note_text"))
        if quote or note:
            result.highlights.append(
                ParsedHighlight(
                    book_title=title,
                    author=author,
                    text=quote or note,
                    kind=Kind.HIGHLIGHT if quote else Kind.NOTE,
                    notes=[note] if quote and note else [],
                    line=line,
                )
            )
    return result


def _json_values(text: str) -> list[object]:
    decoder = json.JSONDecoder()
    values: list[object] = []
    position = 0
    while position < len(text):
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ParseError(f"This JSON is cut off or damaged: {error.msg}.") from None
        values.append(value)
    return values


def _takeout_note(value: object) -> str:
    """``note_text`` is itself JSON text (``{"note": "…"}``), or plain text."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError:
        return value.strip()
    return str(decoded.get("note") or "").strip() if isinstance(decoded, dict) else ""
