"""Every kind of inline button, with the ``callback_data`` it carries: built and read here.

Data is ``action`` or ``action:id[:id]``, always within Telegram's 64 bytes. It comes back
from the client and may be forged, so it is read defensively. ``build_application`` pairs
each button with its handler.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    """One kind of button: its action word and how many ids its data carries."""

    action: str
    ids: int = 0

    def data(self, *ids: int) -> str:
        """The ``callback_data`` of a button of this kind."""
        if len(ids) != self.ids:
            raise ValueError(f"a {self.action} button carries {self.ids} ids, not {len(ids)}")
        return ":".join([self.action, *(str(i) for i in ids)])

    def ids_in(self, data: str | None) -> list[int] | None:
        """The ids in ``data`` of this kind, or None if it is not well formed."""
        action, *parts = (data or "").split(":")
        if action != self.action or len(parts) != self.ids:
            return None
        try:
            return [int(part) for part in parts]
        except ValueError:
            return None

    @property
    def pattern(self) -> str:
        """The regular expression that routes this kind's data to its handler."""
        return f"^{self.action}(:|$)"


SAMPLE = Button("sample")
ANOTHER = Button("another")
OPEN = Button("open", 1)  # a numbered search result: highlight id
PAGE = Button("page", 2)  # search id, offset
FAVORITE = Button("fav", 1)
DISCARD = Button("discard", 1)
UNDO = Button("undo", 1)  # undo a discard
TAGS = Button("tags", 1)
ADD_TAG = Button("at", 2)  # highlight id, tag id
REMOVE_TAG = Button("rt", 2)
BOOKS = Button("books", 1)  # a page of /books: offset
BOOK = Button("book", 2)  # a book's own page: book id, the offset of the list it came from
BOOK_FREQUENCY = Button("bookf", 3)  # book id, frequency's place in Frequency, list offset

# A review's card: delivery id, the card's position in the review.
NEXT = Button("next", 2)
SOONER = Button("sooner", 2)
LATER = Button("later", 2)
NEVER = Button("never", 2)
KEEP = Button("keep", 2)  # undo a never
STAR = Button("star", 2)  # favorite from a card

CARD = Button("card", 1)  # the highlight as a quote card
EXPORT = Button("export", 1)  # a format's place in render.EXPORT_CHOICES

ALL = (
    SAMPLE,
    ANOTHER,
    OPEN,
    PAGE,
    FAVORITE,
    DISCARD,
    UNDO,
    TAGS,
    ADD_TAG,
    REMOVE_TAG,
    NEXT,
    SOONER,
    LATER,
    NEVER,
    KEEP,
    STAR,
    BOOKS,
    BOOK,
    BOOK_FREQUENCY,
    CARD,
    EXPORT,
)
ACTIONS = frozenset(button.action for button in ALL)
