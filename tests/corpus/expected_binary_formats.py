"""A second, simple reading of the Kobo and Google Play Books corpus files.

Like expected_counts.py it shares no code with `bot/`. Each reader takes the file's bytes
and returns plain rows (book, kind, place, text): kind is "highlight", "note" or "bookmark"
(anything the importer should skip); a note's place is its highlight's.

- Kobo: one query on `Bookmark` by hand, no join with `content` (the book is its VolumeID).
- Play Books: the document flattened to its paragraphs in order, with no notion of tables;
  an annotation is recognised by its English date paragraph followed by the page paragraph,
  and the document's own "N notes/highlights • M bookmarks" line is checked against it.
"""

from __future__ import annotations

import html
import io
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

Row = tuple[str, str, int, str]

DATE = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|"
    r"December) \d{1,2}, \d{4}$"
)
PAGE = re.compile(r"^([0-9]+|[ivxlcdm]+)?$", re.IGNORECASE)
COUNT = re.compile(r"^(?:(\d+) notes?/highlights?)?(?: • )?(?:(\d+) bookmarks?)?$")


def read_kobo(data: bytes) -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "kobo.sqlite"
        path.write_bytes(data)
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            columns = {row[1] for row in connection.execute("PRAGMA table_info(Bookmark)")}
            kind = "Type" if "Type" in columns else "NULL"
            rows = connection.execute(
                f"SELECT VolumeID, {kind}, Text, Annotation, Hidden FROM Bookmark"
            ).fetchall()
        finally:
            connection.close()
    out: list[Row] = []
    for place, (book, type_, text, annotation, hidden) in enumerate(rows):
        text, annotation = (text or "").strip(), (annotation or "").strip()
        if str(hidden).lower() in ("true", "1") or type_ == "dogear" or not (text or annotation):
            out.append((book, "bookmark", place, ""))
            continue
        out.append((book, "highlight" if text else "note", place, text or annotation))
        if text and annotation:
            out.append((book, "note", place, annotation))
    return out


Paragraph = tuple[str, bool]
"""A paragraph's text, and whether it is a quote: Play Books sets quotes in italics on the
highlight's colour (a shaded run in the .docx; pandoc's HTML keeps only the italics, and
chapter headings, also italic, are its h1-h6)."""


def _paragraphs_docx(data: bytes) -> list[Paragraph]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>|<w:p/>", xml, re.DOTALL)
    return [
        (
            html.unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p))),
            '<w:i w:val="1"/>' in p and re.search(r'<w:shd w:fill="(?!auto)', p) is not None,
        )
        for p in paragraphs
    ]


def _paragraphs_html(data: bytes) -> list[Paragraph]:
    text = data.decode("utf-8")
    pieces = re.split(r"(</?(?:p|td|h\d|tr|table|tbody|li|div)\b[^>]*>)", text)
    out: list[Paragraph] = []
    opened = ""
    for piece in pieces:
        if piece.startswith("<") and re.match(r"</?(?:p|td|h\d|tr|table|tbody|li|div)\b", piece):
            opened = piece
            continue
        heading = re.match(r"<h\d", opened) is not None
        whole_em = piece.strip().startswith("<em>") and piece.strip().endswith("</em>")
        out.append((html.unescape(re.sub(r"<[^>]+>", "", piece)), whole_em and not heading))
    return out


def read_play_books(paragraphs: list[Paragraph]) -> list[Row]:
    """Each date followed by a page closes an annotation: its quote is the last italic
    paragraph since the one before, the plain ones after the quote are its note."""
    nonblank = [(" ".join(p.split()), italic) for p, italic in paragraphs if p.strip()]
    book = nonblank[0][0] if nonblank else "?"
    out: list[Row] = []
    last = 0
    for i, (paragraph, _) in enumerate(nonblank):
        following = nonblank[i + 1][0] if i + 1 < len(nonblank) else "-"
        if not DATE.match(paragraph) or not PAGE.match(following):
            continue
        since = nonblank[last:i]
        quotes = [n for n, (_, italic) in enumerate(since) if italic]
        if not quotes:
            out.append((book, "bookmark", i, ""))
        else:
            q = quotes[-1]
            out.append((book, "highlight", i, since[q][0]))
            note = "\n".join(text for text, _ in since[q + 1 :])
            if note:
                out.append((book, "note", i, note))
        last = i + 2
    return out


def declared(data: bytes, fmt: str) -> tuple[int, int] | None:
    """The document's own counts: (notes/highlights, bookmarks)."""
    paragraphs = _paragraphs_docx(data) if fmt.endswith("docx") else _paragraphs_html(data)
    for paragraph, _ in paragraphs:
        match = COUNT.match(" ".join(paragraph.split()))
        if match and (match.group(1) or match.group(2)):
            return int(match.group(1) or 0), int(match.group(2) or 0)
    return None


def read_play_books_docx(data: bytes) -> list[Row]:
    return read_play_books(_paragraphs_docx(data))


def read_play_books_html(data: bytes) -> list[Row]:
    return read_play_books(_paragraphs_html(data))


BINARY_FORMATS = {
    "kobo": read_kobo,
    "play-books-docx": read_play_books_docx,
    "play-books-html": read_play_books_html,
}
