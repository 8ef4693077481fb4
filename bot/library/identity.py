"""How the library recognises the same book and the same highlight again."""

from __future__ import annotations

import hashlib
import unicodedata

from bot.parsers.spacing import single_spaced


def normalize_text(text: str) -> str:
    """Fold case, Unicode forms and white space so trivially different copies compare equal."""
    if text.isascii():
        # NFKC leaves ASCII as it is and casefold is lower; nearly every text is single
        # spaced already, and checking that is cheaper than splitting and joining.
        if text.startswith(" ") or text.endswith(" ") or not single_spaced(text):
            text = " ".join(text.split())
        return text.lower()
    # str.split() breaks at every white-space character (str.isspace) and leaves no run at
    # either end.
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def book_key(title: str, author: str) -> str:
    """The identity of a book within a chat."""
    return f"{normalize_text(title)}\x1f{normalize_text(author)}"


def fingerprint(key: str, kind: str, text: str, place: str = "") -> str:
    """The identity of a highlight within a chat: its book, its kind and its words; for a
    note with no highlight, also its place (see note_place)."""
    payload = f"{key}\x1e{kind}\x1e{normalize_text(text)}"
    if place:
        payload += f"\x1e{place}"
    return hashlib.sha256(payload.encode()).hexdigest()


def note_place(location_type: str | None, location: str | None) -> str:
    """Where a note with no highlight is, as part of its identity: readers type the same
    short note ("V", "!!") at many places, and each is a note of its own. The same highlight
    is one highlight wherever it is, so a highlight's place is not part of its identity."""
    return f"{location_type}:{location}" if location else ""
