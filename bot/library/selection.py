"""Choosing the daily highlight: fair, weighted when asked, and no repeats within a round.

Every highlight carries a ``shuffle_key``; a round of the library delivers the pending
highlights in key order, so a pick is one indexed lookup whatever the library's size (no
``ORDER BY RANDOM()``). Keys are exponential clocks, ``-ln(U) / weight``: sorting by them
draws a weighted random order without replacement (Efraimidis and Spirakis). With every
weight 1 that is a uniform shuffle. When no highlight is pending the round is over and the
library is reshuffled.

A mode's policy gives each highlight its weight; its book's ``Frequency`` then multiplies it,
in every mode, so a book at Never (weight 0) is held out of every round.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Collection
from enum import StrEnum

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from bot.models import Book, Chat, Highlight, HighlightTag, Tag, table_of

FAVORITE_BOOST = 2.0
"""In weighted mode a favorite counts this many times its tags' weight."""


class Frequency(StrEnum):
    """How often a book's highlights come, in every mode: its weight multiplies theirs."""

    NEVER = "never"
    LESS = "less"
    NORMAL = "normal"
    MORE = "more"

    @property
    def weight(self) -> float:
        return _BOOK_WEIGHTS[self]

    @classmethod
    def of(cls, stored: str) -> Frequency:
        """A stored frequency; anything unreadable is normal."""
        try:
            return cls(stored)
        except ValueError:
            return cls.NORMAL


_BOOK_WEIGHTS = {
    Frequency.NEVER: 0.0,
    Frequency.LESS: 0.5,
    Frequency.NORMAL: 1.0,
    Frequency.MORE: 2.0,
}


class DeliveryMode(StrEnum):
    """How a chat's daily highlight is chosen; each mode's weights are in ``POLICIES``."""

    RANDOM = "random"
    WEIGHTED = "weighted"

    @property
    def follows_tags(self) -> bool:
        """Whether tags and favorites change a highlight's weight in this mode."""
        return self is DeliveryMode.WEIGHTED


_HIGHLIGHT = table_of(Highlight)
_REKEY = (
    update(_HIGHLIGHT)
    .where(_HIGHLIGHT.c.id == bindparam("hid"))
    .values(shuffle_key=bindparam("key"), pending=bindparam("is_pending"))
)


def draw_key(weight: float, rng: random.Random) -> float:
    """A highlight's place in a round: smaller comes first; heavier tends to come earlier."""
    return -math.log(1.0 - rng.random()) / weight


Rows = list[tuple[int, bool]]
"""(highlight id, favorite) of every deliverable highlight a policy weighs."""
Policy = Callable[[Session, int, Rows, Collection[int] | None], dict[int, float]]


def weights(
    session: Session, *, chat_id: int, mode: str, only: Collection[int] | None = None
) -> dict[int, float]:
    """Every deliverable highlight's weight in ``mode`` (``only`` these, if given), times
    its book's frequency weight; discarded and weight-0 ones are left out."""
    mine = [col(Highlight.chat_id) == chat_id]
    if only is not None:
        mine.append(col(Highlight.id).in_(only))
    rows = session.execute(
        select(col(Highlight.id), col(Highlight.favorite), col(Book.frequency))
        .join(Book, col(Book.id) == col(Highlight.book_id))
        .where(*mine, col(Highlight.discarded).is_(False))
    ).all()
    book = {i: Frequency.of(frequency).weight for i, _, frequency in rows}
    own = POLICIES[DeliveryMode(mode)](session, chat_id, [(i, f) for i, f, _ in rows], only)
    return {i: weight * book[i] for i, weight in own.items() if weight * book[i] > 0}


def _uniform(
    session: Session, chat_id: int, rows: Rows, only: Collection[int] | None
) -> dict[int, float]:
    """Random mode: every highlight weighs 1."""
    return {highlight_id: 1.0 for highlight_id, _ in rows}


def _by_tags(
    session: Session, chat_id: int, rows: Rows, only: Collection[int] | None
) -> dict[int, float]:
    """Weighted mode: the highest weight among a highlight's tags (1 when untagged), 0 if any
    of its tags weighs 0, times FAVORITE_BOOST for a favorite."""
    tagged = select(col(HighlightTag.highlight_id), col(Tag.weight)).join(
        Tag, col(Tag.id) == col(HighlightTag.tag_id)
    )
    if only is not None:
        tagged = tagged.where(col(HighlightTag.highlight_id).in_(only))
    tag_weights: dict[int, list[int]] = defaultdict(list)
    for highlight_id, weight in session.execute(tagged.where(col(Tag.chat_id) == chat_id)):
        tag_weights[highlight_id].append(weight)
    result: dict[int, float] = {}
    for highlight_id, favorite in rows:
        own = tag_weights.get(highlight_id, [1])
        if min(own) == 0:
            continue
        result[highlight_id] = max(own) * (FAVORITE_BOOST if favorite else 1.0)
    return result


POLICIES: dict[DeliveryMode, Policy] = {
    DeliveryMode.RANDOM: _uniform,
    DeliveryMode.WEIGHTED: _by_tags,
}


def reshuffle(
    session: Session, *, chat_id: int, mode: str, rng: random.Random, pending_only: bool = False
) -> int:
    """Draw a new order. A new round makes every deliverable highlight pending again;
    ``pending_only`` re-orders the rest of the current round (after weights changed).
    Returns how many highlights are pending afterwards."""
    weighted = weights(session, chat_id=chat_id, mode=mode)
    statement = select(col(Highlight.id), col(Highlight.pending)).where(
        col(Highlight.chat_id) == chat_id
    )
    params = []
    pending = 0
    for highlight_id, was_pending in session.execute(statement):
        weight = weighted.get(highlight_id, 0.0)
        keep = weight > 0 and (was_pending or not pending_only)
        pending += keep
        params.append(
            {
                "hid": highlight_id,
                "key": draw_key(weight, rng) if weight > 0 else math.inf,
                "is_pending": keep,
            }
        )
    if params:
        session.execute(_REKEY, params)
    return pending


def rekey(session: Session, *, chat_id: int, highlight_ids: Collection[int]) -> None:
    """Re-place these highlights in the current round after their weight may have changed:
    new from an import (keyed at weight 1 until their tags were attached), tagged,
    untagged, made a favorite or not. Only weighted mode depends on tags and favorites.

    In random mode only a chat whose books have frequencies other than normal needs it.
    """
    chat = session.get(Chat, chat_id)
    if chat is None or not highlight_ids:
        return
    if DeliveryMode(chat.mode).follows_tags or _has_book_frequencies(session, chat_id):
        replace(session, chat_id=chat_id, mode=chat.mode, highlight_ids=highlight_ids)


def replace(session: Session, *, chat_id: int, mode: str, highlight_ids: Collection[int]) -> None:
    """Re-place these highlights in the current round at their weight now.

    A highlight still due this round gets a key for its new weight; one held out at
    weight 0 joins the round again once it weighs more, and leaves it at weight 0. One
    already delivered this round stays delivered.
    """
    rng = random.Random()
    weighted = weights(session, chat_id=chat_id, mode=mode, only=highlight_ids)
    rows = session.execute(
        select(col(Highlight.id), col(Highlight.pending), col(Highlight.shuffle_key)).where(
            col(Highlight.chat_id) == chat_id,
            col(Highlight.id).in_(highlight_ids),
            col(Highlight.discarded).is_(False),
        )
    )
    params = []
    for highlight_id, pending, key in rows:
        weight = weighted.get(highlight_id, 0.0)
        if weight <= 0:
            params.append({"hid": highlight_id, "key": math.inf, "is_pending": False})
        elif pending or key == math.inf:
            params.append({"hid": highlight_id, "key": draw_key(weight, rng), "is_pending": True})
    if params:
        session.execute(_REKEY, params)


def _has_book_frequencies(session: Session, chat_id: int) -> bool:
    other = session.execute(
        select(col(Book.id))
        .where(col(Book.chat_id) == chat_id, col(Book.frequency) != Frequency.NORMAL)
        .limit(1)
    )
    return other.first() is not None


def new_keys(count: int, rng: random.Random | None = None) -> list[float]:
    """Keys for freshly imported highlights: they join the current round at random places."""
    generator = rng or random.Random()
    return [draw_key(1.0, generator) for _ in range(count)]
