"""An Anki deck as a plain-text note file (docs/formats.md, "Anki deck out").

Anki reads the ``#`` header lines: tab-separated, fields are HTML, the first column is the
note's GUID and the last its tags. The GUID is the highlight's id in this library, so
importing a newer export again updates the cards it made instead of adding copies. No
``#notetype`` line: Anki names its "Basic" note type in the reader's language.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from html import escape

from bot.library.views import HighlightView
from bot.parsers.records import Kind
from bot.parsers.tags import DISCARD, FAVORITE

DECK = "Commonplace"
HEADER = (
    "#separator:tab",
    "#html:true",
    f"#deck:{DECK}",
    "#columns:GUID\tFront\tBack\tTags",
    "#guid column:1",
    "#tags column:4",
)
_SPACES = re.compile(r"\s+")


def guid(view: HighlightView) -> str:
    """The note's identity in Anki: the highlight's id, whatever the export's order."""
    return f"commonplace-{view.id}"


def anki_tag(tag: str) -> str:
    """Anki separates tags by spaces, so a tag's own spaces become ``_``."""
    return _SPACES.sub("_", tag.strip())


def to_anki(views: Iterable[HighlightView]) -> str:
    """One note per highlight: the passage in front, where it is from and its notes behind."""
    out = io.StringIO()
    out.write("\n".join(HEADER) + "\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for view in views:
        flags = [FAVORITE] if view.favorite else []
        flags += [DISCARD] if view.discarded else []
        tags = [anki_tag(tag) for tag in [*view.tags, *flags]]
        writer.writerow([guid(view), _front(view), _back(view), " ".join(t for t in tags if t)])
    return out.getvalue()


def _html(text: str) -> str:
    """Escaped, with line breaks Anki shows and no tab or raw line break to split the row."""
    return "<br>".join(escape(text).replace("\t", " ").splitlines())


def _front(view: HighlightView) -> str:
    if view.kind == Kind.HIGHLIGHT:
        return _html(view.text)
    label = "Chapter note" if view.kind == Kind.CHAPTER_NOTE else "Note"
    return f"<i>{label}:</i> {_html(view.text)}"


def _back(view: HighlightView) -> str:
    source = f"<i>{_html(view.book_title)}</i>"
    if view.author:
        source += f" — {_html(view.author)}"
    lines = [source]
    if view.chapter:
        lines.append(_html(view.chapter))
    if view.location:
        place = (view.location_type or "location").capitalize()
        lines.append(f"{_html(place)} {_html(view.location)}")
    lines += [f"📝 {_html(note)}" for note in view.notes]
    return "<br>".join(lines)
