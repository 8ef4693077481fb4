"""An Obsidian vault folder as a zip: one Markdown file per book (docs/formats.md,
"Obsidian vault out").

A file's name holds the book's id and each highlight's block id (``^cp-<id>``) its
highlight's id, so unzipping a newer export over the vault replaces these files in place and
links to a highlight keep working. The zip's entries carry a fixed date, so an unchanged
library exports to the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby

from bot.library.views import HighlightView
from bot.parsers.records import Kind

FOLDER = "Commonplace"
_NAME_LENGTH = 80
# Reserved on Windows, or breaking an Obsidian link: \ / : * ? " < > | # ^ [ ] and controls.
_UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)
_TAG_UNSAFE = re.compile(r"[^\w/-]+")
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def file_name(title: str, book_id: int) -> str:
    """A name every OS accepts, unique to the book and the same in every export."""
    name = " ".join(_UNSAFE.sub(" ", title).split())[:_NAME_LENGTH].strip(" .")
    if not name or _RESERVED.fullmatch(name):
        name = f"Book {name}".strip()
    return f"{name} ({book_id}).md"


def obsidian_tag(tag: str) -> str:
    """Obsidian's tags have no spaces and only letters, digits, ``_``, ``-`` and ``/``."""
    cleaned = _TAG_UNSAFE.sub("-", "-".join(tag.split())).strip("-")
    return "" if cleaned.isdigit() else cleaned


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar: JSON's string syntax, which YAML reads the same, with
    the characters YAML counts as line breaks or non-printable escaped too."""
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(f"\\u{ord(char):04x}" if _needs_escape(char) else char for char in quoted)


def _needs_escape(char: str) -> bool:
    code = ord(char)
    if code < 0x7F:
        return False  # json.dumps already escaped the control characters
    return (
        code < 0xA0 or 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
    )


def to_obsidian(views: Iterable[HighlightView], book_ids: Mapping[tuple[str, str], int]) -> bytes:
    """The zip: ``Commonplace/<title> (<book id>).md`` for each book with highlights.

    ``views`` come book by book (``iter_library``); ``book_ids`` maps a book's title and
    author, which are unique within a chat, to its id.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for book, group in groupby(views, key=lambda view: (view.book_title, view.author)):
            entry = zipfile.ZipInfo(f"{FOLDER}/{file_name(book[0], book_ids[book])}", _FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, book_markdown(list(group)))
    return out.getvalue()


def book_markdown(views: list[HighlightView]) -> str:
    """One book's note: front matter, then its highlights chapter by chapter."""
    first = views[0]
    tags = sorted({tag for view in views for tag in map(obsidian_tag, view.tags) if tag})
    lines = ["---", f"title: {yaml_string(first.book_title)}"]
    lines.append(f"author: {yaml_string(first.author)}")
    lines += ["tags:", *(f"  - {yaml_string(tag)}" for tag in tags)] if tags else ["tags: []"]
    lines += ["source: Commonplace", "---", "", f"# {_one_line(first.book_title)}", ""]
    chapter: str | None = None
    for view in views:
        if view.chapter and view.chapter != chapter:
            chapter = view.chapter
            lines += [f"## {_one_line(chapter)}", ""]
        lines += list(_block(view))
    return "\n".join(lines).rstrip() + "\n"


def _one_line(text: str) -> str:
    """A heading is one line: a line break would end it and start a paragraph."""
    return " ".join(text.split())


def _block(view: HighlightView) -> Iterator[str]:
    """A highlight as a quote, its block id on its own line (as Obsidian wants after a
    quote), then what the reader wrote about it."""
    text = view.text.splitlines() or [""]
    if view.kind != Kind.HIGHLIGHT:
        label = "Chapter note" if view.kind == Kind.CHAPTER_NOTE else "Note"
        text[0] = f"**{label}:** {text[0]}"
    yield from (f"> {line}".rstrip() for line in text)
    yield ""
    yield f"^cp-{view.id}"
    yield ""
    details = []
    if view.location:
        details.append(f"{(view.location_type or 'location').capitalize()} {view.location}")
    details += [f"#{tag}" for tag in map(obsidian_tag, view.tags) if tag]
    details += ["⭐ favorite"] if view.favorite else []
    details += ["🙈 discarded"] if view.discarded else []
    if details:
        yield " · ".join(details)
        yield ""
    for note in view.notes:
        first, *rest = note.splitlines() or [""]
        yield f"- {first}".rstrip()
        yield from (f"  {line}".rstrip() for line in rest)
    if view.notes:
        yield ""
