"""When two highlights at overlapping places are versions of one: an edit on the device.

A Kindle edit appends the new version and keeps the old one. The reader may move either end
of the passage, both, or trim it, so the new text holds the old one, or the old one holds
the new, or (both ends moved the same way) the end of one is the start of the other. Two
passages that only differ inside, such as "... (US) ..." and "... (UK) ...", are two
highlights. The parser folds versions within a file; the import finds a stored earlier
version for a new one. Both compare texts folded the same way (case and white space).
"""

from __future__ import annotations

import re
import unicodedata

# The shortest run of text an end of one version and the start of another must share. A
# few letters in common ("the ") say nothing; a whole phrase says the reader moved both ends.
MIN_OVERLAP = 16

# Between the ends of a range: a dash, an EN DASH (Russian) or "t/m" (Dutch).
_PAGE_DASH = re.compile(r"\s*(?:[-\u2013]|t/m)\s*")


def same_passage(older: str, newer: str) -> bool:
    """Whether two folded texts at overlapping places are versions of one highlight."""
    if _holds_words(newer, older) or _holds_words(older, newer):
        return True
    return _end_starts(older, newer) or _end_starts(newer, older)


def _holds_words(outer: str, inner: str) -> bool:
    """Whether ``inner`` stands in ``outer`` as whole words.

    A Kindle selection snaps to whole words, so a version cut inside a word is none: a stray
    two-letter highlight "Da" at the end of a passage is not that passage trimmed, though
    "Dann" in it holds the letters.
    """
    if not inner:
        return False
    start = outer.find(inner)
    while start >= 0:
        end = start + len(inner)
        if (start == 0 or not _joined(outer[start - 1], inner[0])) and (
            end == len(outer) or not _joined(inner[-1], outer[end])
        ):
            return True
        start = outer.find(inner, start + 1)
    return False


def _joined(left: str, right: str) -> bool:
    """Whether two neighbouring characters are inside one word (CJK text has no spaces
    between words, so any character there may end one)."""
    return _in_word(left) and _in_word(right)


def _in_word(char: str) -> bool:
    return char.isalnum() and unicodedata.east_asian_width(char) not in ("W", "F")


def _end_starts(first: str, second: str) -> bool:
    """Whether ``first`` ends with at least MIN_OVERLAP characters that ``second`` starts with."""
    head = second[:MIN_OVERLAP]
    if len(head) < MIN_OVERLAP:
        return False
    found = first.find(head, 1)
    while found >= 0:
        if second.startswith(first[found:]):
            return True
        found = first.find(head, found + 1)
    return False


def span_of(place: str) -> tuple[int, int] | None:
    """The first and last number of a place as written (``"26"``, ``"26-27"``,
    ``"1375-1376"``); None when they are not numbers (``"xii"``), a place that only
    overlaps itself."""
    parts = _PAGE_DASH.split(place, maxsplit=1)
    first, last = parts[0].strip(), parts[-1].strip()
    if not (first.isdecimal() and last.isdecimal()):
        return None
    return int(first), max(int(first), int(last))


def last_page(page: str) -> str:
    """The page a page range ends on (``"26-27"`` -> ``"27"``), where its notes are put."""
    return _PAGE_DASH.split(page)[-1] if not page.isdecimal() else page
