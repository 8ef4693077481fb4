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

# The shortest run of text an end of one version and the start of another must share. A
# few letters in common ("the ") say nothing; a whole phrase says the reader moved both ends.
MIN_OVERLAP = 16

# Between the ends of a range: a dash, an EN DASH (Russian) or "t/m" (Dutch).
_PAGE_DASH = re.compile(r"\s*(?:[-\u2013]|t/m)\s*")


def same_passage(older: str, newer: str) -> bool:
    """Whether two folded texts at overlapping places are versions of one highlight."""
    if older in newer or newer in older:
        return True
    return _end_starts(older, newer) or _end_starts(newer, older)


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
