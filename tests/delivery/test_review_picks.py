"""Picking a review: distinct highlights, feedback's due ones first, the round otherwise."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from bot.db import SessionFactory, unit_of_work
from bot.library.importing import import_records
from bot.library.picking import _DUE_CHATS_PER_STATEMENT, pick_reviews, refresh_due
from bot.library.streaks import streaks
from bot.models import Chat, Delivery, Highlight
from bot.parsers import ParsedHighlight, ParseResult

CHAT, OTHER = 11, 12
NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)


def load(sessions: SessionFactory, chat_id: int, count: int) -> list[int]:
    records = [ParsedHighlight(book_title="B", text=f"q{chat_id}-{i}") for i in range(count)]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=chat_id, result=ParseResult(format="t", highlights=records))
        return list(
            session.execute(
                select(col(Highlight.id))
                .where(col(Highlight.chat_id) == chat_id)
                .order_by(col(Highlight.id))
            ).scalars()
        )


def review(
    sessions: SessionFactory, sizes: dict[int, int], rng: random.Random
) -> dict[int, list[int]]:
    with unit_of_work(sessions) as session:
        return pick_reviews(session, sizes=sizes, now=NOW, rng=rng)


def test_reviews_go_round_the_library_without_repeats(sessions: SessionFactory) -> None:
    ids = load(sessions, CHAT, 12)
    rng = random.Random(3)
    first = [review(sessions, {CHAT: 5}, rng)[CHAT] for _ in range(2)]
    assert all(len(r) == 5 == len(set(r)) for r in first)
    # The third review takes the round's last two and three from a new round.
    third = review(sessions, {CHAT: 5}, rng)[CHAT]
    assert len(third) == 5 == len(set(third))
    assert sorted(first[0] + first[1] + third[:2]) == ids


def test_a_review_larger_than_the_library_holds_the_library(sessions: SessionFactory) -> None:
    ids = load(sessions, CHAT, 3)
    assert sorted(review(sessions, {CHAT: 5}, random.Random(1))[CHAT]) == ids
    assert review(sessions, {OTHER: 5}, random.Random(1)) == {}


def test_feedback_due_highlights_come_first_and_are_due_again_a_half_life_on(
    sessions: SessionFactory,
) -> None:
    ids = load(sessions, CHAT, 20)
    others = load(sessions, OTHER, 5)
    early, late, future = ids[7], ids[3], ids[9]
    with unit_of_work(sessions) as session:
        for highlight_id, due, half_life in (
            (late, NOW - timedelta(days=1), 7.0),
            (early, NOW - timedelta(days=2), 28.0),
            (future, NOW + timedelta(days=1), 7.0),
        ):
            row = session.get(Highlight, highlight_id)
            assert row is not None
            row.due_at, row.half_life = due, half_life
        session.flush()
        refresh_due(session, chat_ids=[CHAT])
    picked = review(sessions, {CHAT: 4, OTHER: 1}, random.Random(5))
    assert picked[CHAT][:2] == [early, late]
    assert future not in picked[CHAT]
    assert len(set(picked[CHAT])) == 4 and picked[OTHER][0] in others
    with unit_of_work(sessions) as session:
        assert session.get(Highlight, early).due_at == NOW + timedelta(days=28)  # type: ignore[union-attr]
        assert session.get(Highlight, late).due_at == NOW + timedelta(days=7)  # type: ignore[union-attr]
    # No longer due: the next review follows the round.
    assert not {early, late} & set(review(sessions, {CHAT: 4}, random.Random(5))[CHAT])


def test_a_discarded_highlight_is_never_due(sessions: SessionFactory) -> None:
    ids = load(sessions, CHAT, 4)
    with unit_of_work(sessions) as session:
        row = session.get(Highlight, ids[0])
        assert row is not None
        row.due_at, row.half_life, row.discarded = NOW - timedelta(days=1), 7.0, True
        session.flush()
        refresh_due(session, chat_ids=[CHAT])
    for _ in range(3):
        assert ids[0] not in review(sessions, {CHAT: 3}, random.Random())[CHAT]


def test_streaks_count_reviews_done_in_a_row(sessions: SessionFactory) -> None:
    load(sessions, CHAT, 1)
    days = [date(2030, 5, d) for d in range(1, 8)]
    # Done, done, not finished, done, done, done, today under way.
    positions = [2, 2, 0, 2, 2, 2, 0]
    with unit_of_work(sessions) as session:
        for day, position in zip(days, positions, strict=True):
            session.add(
                Delivery(chat_id=CHAT, local_date=day, status="sent", size=3, position=position)
            )
        session.add(Delivery(chat_id=CHAT, local_date=date(2030, 4, 30), status="empty"))
    with unit_of_work(sessions) as session:
        today = streaks(session, chat_id=CHAT, today=days[-1])
        tomorrow = streaks(session, chat_id=CHAT, today=days[-1] + timedelta(days=1))
    assert (today.done, today.current, today.longest) == (5, 3, 3)
    assert today.days == [days[i] for i in (0, 1, 3, 4, 5)]
    assert tomorrow.current == 0  # yesterday's review was left unfinished


def test_many_chats_at_once_each_get_their_own_earliest_due_first(
    sessions: SessionFactory,
) -> None:
    # More chats than one statement looks up, with more due than their review takes.
    chats = range(100, 101 + _DUE_CHATS_PER_STATEMENT)
    due_order = {chat_id: load(sessions, chat_id, 4) for chat_id in chats}
    with unit_of_work(sessions) as session:
        for ids in due_order.values():
            ids.insert(0, ids.pop())  # the last imported is the earliest due
            for days, highlight_id in enumerate(ids[:3]):
                row = session.get(Highlight, highlight_id)
                assert row is not None
                row.due_at, row.half_life = NOW - timedelta(days=10 - days), 7.0
        session.flush()
        refresh_due(session, chat_ids=list(chats))
    picked = review(sessions, dict.fromkeys(chats, 2), random.Random(2))
    assert {c: picked[c] for c in chats} == {c: due_order[c][:2] for c in chats}
    with unit_of_work(sessions) as session:
        left = dict(session.execute(select(col(Chat.id), col(Chat.feedback_due_at))).all())
    assert all(left[c] == NOW - timedelta(days=8) for c in chats)
