"""SQLModel tables. Every row belongs to one Telegram chat: the chat is the tenant.

The schema itself is owned by Alembic (``bot/migrations``); these classes describe it for
queries. Timestamps are timezone-aware UTC on every backend.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for set-based inserts and updates."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


def _chat_fk() -> Any:
    return Field(
        sa_column=Column(
            BigInteger, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Chat(SQLModel, table=True):
    """A Telegram chat and, with it, one private library."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    created_at: datetime = _created()
    timezone: str | None = Field(default=None, max_length=64)
    """IANA name or ``+HH:MM`` offset; None means the configured default."""
    delivery_time: str = Field(default="08:00", max_length=5)
    mode: str = Field(default="random", max_length=16)
    paused: bool = False
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """The end of a snooze (``/pause 7d``): nothing is scheduled before it; None when none."""
    days: str = Field(default="daily", max_length=32)
    """On which days the review comes, as ``bot.delivery.rhythm.encode`` stores it."""
    active: bool = True
    """False once Telegram said the bot may not write here (blocked, kicked); /start revives."""
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    """When the next daily highlight is due (UTC); None until the scheduler first sees it."""
    next_due_date: date | None = None
    """The chat's local date that ``next_due_at`` belongs to."""
    review_size: int = Field(default=1, sa_type=SmallInteger)
    """How many highlights the daily review holds (1 to 15)."""
    streaks: bool = True
    """Whether the bot shows the reader's streak of reviews done."""
    card_theme: str | None = Field(default=None, max_length=16)
    """The quote cards' theme (``bot.telegram.cards.THEMES``); None means the default."""
    feedback_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """The earliest time feedback made one of the chat's highlights due (None: none is on
    feedback's schedule), so a claim knows whether to look for due ones."""


class Book(SQLModel, table=True):
    """A book of one chat. ``key`` is the normalised title and author, unique per chat."""

    __table_args__ = (UniqueConstraint("chat_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _chat_fk()
    title: str = Field(sa_type=Text)
    author: str = Field(default="", sa_type=Text)
    key: str = Field(sa_type=Text)
    created_at: datetime = _created()
    frequency: str = Field(default="normal", max_length=8)
    """How often the book's highlights come (``bot.library.selection.Frequency``)."""


class Highlight(SQLModel, table=True):
    """A highlighted passage, a note the reader left with no passage (kind ``note``), or the
    reader's note on a chapter (kind ``chapter_note``)."""

    __table_args__ = (
        UniqueConstraint("chat_id", "fingerprint"),
        Index("ix_highlight_book_location", "book_id", "location_start"),
        Index("ix_highlight_chat_pending_shuffle", "chat_id", "pending", "shuffle_key"),
        # Only highlights on feedback's schedule: few, so finding the due ones is cheap.
        Index(
            "ix_highlight_chat_due",
            "chat_id",
            "due_at",
            sqlite_where=text("due_at IS NOT NULL"),
            postgresql_where=text("due_at IS NOT NULL"),
        ),
        # Inline mode's empty query: favorites, then the rest, newest first.
        Index("ix_highlight_chat_favorite", "chat_id", "favorite", "discarded", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _chat_fk()
    book_id: int = Field(
        sa_column=Column(Integer, ForeignKey("book.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(default="highlight", max_length=16)
    text: str = Field(sa_type=Text)
    location: str | None = Field(default=None, sa_type=Text)
    location_type: str | None = Field(default=None, max_length=16)
    location_start: int | None = None
    chapter: str | None = Field(default=None, sa_type=Text)
    chapter_level: int | None = Field(default=None, sa_type=SmallInteger)
    """The level of the heading that opened the chapter (Readwise's ``.h1``..``.h6``)."""
    color: str | None = Field(default=None, sa_type=Text)
    highlighted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    favorite: bool = False
    discarded: bool = False
    fingerprint: str = Field(max_length=64)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    shuffle_key: float = 0.0
    """Position in the chat's current delivery order (smallest first)."""
    pending: bool = True
    """Not yet delivered in the current round of the library."""
    half_life: float | None = None
    """Days until recall falls to one half (``bot.library.recall``); None until feedback."""
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When feedback makes the highlight due again, ahead of the round; None without it."""


class Tag(SQLModel, table=True):
    """A tag of one chat, lower case and spelled as it was first written.

    ``key`` (``bot.parsers.tags.tag_key``) is the same for every spelling of the tag, with
    spaces, ``-`` or ``_`` between its words: a chat has one tag per key.
    """

    __table_args__ = (
        UniqueConstraint("chat_id", "name"),
        Index("ux_tag_chat_key", "chat_id", "key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _chat_fk()
    name: str = Field(max_length=128)
    key: str = Field(max_length=128)
    weight: int = 1
    """How strongly weighted delivery favours this tag; 0 means never."""


class HighlightTag(SQLModel, table=True):
    """Which tags a highlight carries."""

    __tablename__ = "highlight_tag"

    highlight_id: int = Field(
        sa_column=Column(Integer, ForeignKey("highlight.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Note(SQLModel, table=True):
    """A reader's note on a highlight, remembering where it came from.

    ``source`` is the import format or ``telegram``; ``source_ref`` identifies the origin
    within it (for a note written in Telegram, the message that carried it).
    """

    id: int | None = Field(default=None, primary_key=True)
    highlight_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("highlight.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    text: str = Field(sa_type=Text)
    source: str = Field(max_length=32)
    source_ref: str | None = Field(default=None, max_length=128, index=True)
    created_at: datetime = _created()


class ImportRun(SQLModel, table=True):
    """One finished import, for the reader's history and the operator's metrics."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _chat_fk()
    filename: str | None = Field(default=None, sa_type=Text)
    format: str = Field(max_length=32)
    new: int = 0
    duplicates: int = 0
    updated: int = 0
    notes: int = 0
    skipped: int = 0
    created_at: datetime = _created()


class BotMessage(SQLModel, table=True):
    """A message the bot sent that shows a highlight, so replies and buttons find it again."""

    __tablename__ = "bot_message"

    chat_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("chat.id", ondelete="CASCADE"), primary_key=True)
    )
    message_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    highlight_id: int = Field(
        sa_column=Column(Integer, ForeignKey("highlight.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime = _created()


class SavedSearch(SQLModel, table=True):
    """A search a chat ran, kept so result pages can be turned with short button data."""

    __tablename__ = "saved_search"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _chat_fk()
    query: str = Field(sa_type=Text)
    created_at: datetime = _created()


class Delivery(SQLModel, table=True):
    """One review of one chat for one local date: claimed before it is sent.

    ``review`` names which of the chat's reviews it is (``daily``); its ``size`` highlights
    are fixed at claim time (``highlight_ids``, the first also in ``highlight_id``) and
    ``position`` is the one its message shows now.

    ``status``: ``claimed`` (not sent yet), ``sending`` (the request is out), ``sent``,
    ``unknown`` (the process died or the connection dropped mid-send: never resent
    blindly), ``failed`` (Telegram refused), ``empty`` (nothing to send).
    """

    __table_args__ = (
        UniqueConstraint("chat_id", "review", "local_date", name="uq_delivery_chat_review_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False)
    )
    review: str = Field(
        default="daily",
        sa_column=Column(String(32), nullable=False, server_default=text("'daily'")),
    )
    local_date: date
    highlight_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("highlight.id", ondelete="SET NULL"), nullable=True),
    )
    highlight_ids: str | None = Field(default=None, sa_type=Text)
    """The review's highlight ids in order, comma-separated."""
    # Defaults in the database: a claim's insert leaves them out, as cheap as before reviews.
    size: int = Field(
        default=1, sa_column=Column(SmallInteger, nullable=False, server_default=text("1"))
    )
    position: int = Field(
        default=0, sa_column=Column(SmallInteger, nullable=False, server_default=text("0"))
    )
    """The review is done once its message shows its last highlight (``size - 1``)."""
    status: str = Field(max_length=16, index=True)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    claimed_at: datetime = _created()
    updated_at: datetime = _created()


class QuoteCard(SQLModel, table=True):
    """A quote card Telegram already has: sent again by its ``file_id``, never re-uploaded.

    ``fingerprint`` is what the card shows (text, book, author): an edit makes a new card."""

    __tablename__ = "quote_card"

    highlight_id: int = Field(
        sa_column=Column(Integer, ForeignKey("highlight.id", ondelete="CASCADE"), primary_key=True)
    )
    theme: str = Field(max_length=16, primary_key=True)
    fingerprint: str = Field(max_length=64)
    file_id: str = Field(sa_type=Text)


class ReviewTheme(SQLModel, table=True):
    """A chat's themed review: a saved ``/search`` query whose matches make its reviews.

    With a ``delivery_time`` it is also scheduled on its ``days`` (as ``rhythm.encode``
    stores them), due next at ``next_due_at``. ``shown`` holds the ids its reviews have shown
    this round, comma-separated: a match comes again only once the others have come.
    """

    __tablename__ = "review_theme"
    __table_args__ = (UniqueConstraint("chat_id", "name", name="uq_review_theme_chat_name"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("chat.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=24)
    query: str = Field(sa_type=Text)
    delivery_time: str | None = Field(default=None, max_length=5)
    days: str = Field(default="daily", max_length=32)
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    next_due_date: date | None = None
    shown: str = Field(default="", sa_type=Text)
