"""A review as the reader goes through it: its cards, Next ▶, and the feedback on each card.

A review is a delivery row: its highlights were fixed when it was claimed, and its
``position`` is the card its one message shows. Next ▶ moves the position on with a
compare-and-set, so a double tap, an old message or another replica never skips a card; a
button names the card it was shown on, and a tap on any other card changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session

from bot.library import annotating, picking, recall
from bot.library.errors import LibraryError
from bot.library.streaks import current_streak
from bot.library.themes import theme_of
from bot.library.views import HighlightView, load_views
from bot.models import BotMessage, Chat, Delivery, table_of


class UnknownReview(LibraryError):
    """The review is not this chat's, or no longer exists."""

    def __init__(self) -> None:
        super().__init__("That review is not in your library any more.")


class StaleReview(LibraryError):
    """The tap came from a card the review has moved past."""

    def __init__(self) -> None:
        super().__init__("This review has moved on: use the buttons under its latest card.")


class CardAction(StrEnum):
    """What a reader can do with a card besides going on."""

    SOONER = "sooner"
    LATER = "later"
    NEVER = "never"
    KEEP = "keep"
    """Undo a 🙈 Never."""
    FAVORITE = "favorite"


@dataclass(frozen=True, slots=True)
class Card:
    """One highlight of a review, as its message shows it."""

    delivery_id: int
    position: int
    size: int
    view: HighlightView
    streak: int | None = None
    """The reader's streak, on the last card of a review where streaks are shown."""
    theme: str | None = None
    """The theme whose review this is; None for the daily review."""

    @property
    def last(self) -> bool:
        """Whether this card ends the review."""
        return self.position >= self.size - 1


def ids_of(delivery: Delivery) -> list[int]:
    """The review's highlights in order (a delivery from before reviews holds its one)."""
    if delivery.highlight_ids:
        return [int(part) for part in delivery.highlight_ids.split(",")]
    return [delivery.highlight_id] if delivery.highlight_id is not None else []


def _owned(session: Session, chat_id: int, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.chat_id != chat_id:
        raise UnknownReview
    return delivery


def _card(session: Session, delivery: Delivery, position: int) -> Card:
    assert delivery.id is not None
    ids = ids_of(delivery)
    if not 0 <= position < len(ids):
        raise UnknownReview
    views = load_views(session, chat_id=delivery.chat_id, ids=[ids[position]])
    if not views:
        raise UnknownReview  # the highlight was deleted since the review was claimed
    size = len(ids)
    streak = None
    if size > 1 and position == size - 1:
        chat = session.get(Chat, delivery.chat_id)
        if chat is not None and chat.streaks:
            streak = current_streak(session, chat_id=delivery.chat_id, today=delivery.local_date)
    return Card(delivery.id, position, size, views[0], streak, theme_of(delivery.review))


def first_card(session: Session, *, chat_id: int, delivery_id: int) -> Card:
    """The card a review's message shows first."""
    return _card(session, _owned(session, chat_id, delivery_id), 0)


def advance(
    session: Session, *, chat_id: int, delivery_id: int, position: int, message_id: int
) -> Card:
    """Next ▶ on the card at ``position``: the review's next card, which ``message_id`` now
    shows. StaleReview if the review is not at ``position`` (any more) or is done."""
    delivery_table = table_of(Delivery)
    moved = session.execute(
        update(delivery_table)
        .where(
            delivery_table.c.id == delivery_id,
            delivery_table.c.chat_id == chat_id,
            delivery_table.c.position == position,
            delivery_table.c.position < delivery_table.c.size - 1,
        )
        .values(position=position + 1)
        .returning(delivery_table.c.id)
    ).first()
    delivery = _owned(session, chat_id, delivery_id)
    if moved is None:
        raise StaleReview
    session.refresh(delivery)
    card = _card(session, delivery, position + 1)
    messages = table_of(BotMessage)
    session.execute(
        update(messages)
        .where(messages.c.chat_id == chat_id, messages.c.message_id == message_id)
        .values(highlight_id=card.view.id)
    )
    return card


def act(
    session: Session,
    *,
    chat_id: int,
    delivery_id: int,
    position: int,
    action: CardAction,
    now: datetime,
) -> tuple[Card, float | None]:
    """Apply ``action`` to the highlight of the card at ``position``; the card as it is now,
    and for 🔁 Sooner and ⏩ Later the days until the highlight is due again."""
    delivery = _owned(session, chat_id, delivery_id)
    if delivery.position != position:
        raise StaleReview
    card = _card(session, delivery, position)
    highlight_id = card.view.id
    days = None
    if action in (CardAction.SOONER, CardAction.LATER):
        highlight = annotating.owned(session, chat_id=chat_id, highlight_id=highlight_id)
        highlight.half_life = recall.next_half_life(
            highlight.half_life, recall.Feedback(action.value)
        )
        highlight.due_at = recall.due_at(now, highlight.half_life)
        days = highlight.half_life
        session.flush()
        picking.refresh_due(session, chat_ids=[chat_id])
    elif action is CardAction.FAVORITE:
        annotating.set_favorite(session, chat_id=chat_id, highlight_id=highlight_id)
    else:
        annotating.set_discarded(
            session,
            chat_id=chat_id,
            highlight_id=highlight_id,
            discarded=action is CardAction.NEVER,
        )
    session.flush()
    return _card(session, delivery, position), days
