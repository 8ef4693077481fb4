"""/review on demand takes today's review through the scheduler's own claim and CAS."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.db import SessionFactory, unit_of_work
from bot.delivery import claims, on_demand
from bot.library.importing import import_records
from bot.models import Chat
from bot.parsers import ParsedHighlight, ParseResult

CHAT = 31
AT_EIGHT = datetime(2030, 5, 1, 8, 0, 30, tzinfo=UTC)


def library(sessions: SessionFactory) -> None:
    records = [ParsedHighlight(book_title="B", text=f"q{i}") for i in range(6)]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=CHAT, result=ParseResult(format="t", highlights=records))
        chat = session.get(Chat, CHAT)
        assert chat is not None
        chat.review_size = 3
        claims.reschedule(
            session, chat_id=CHAT, now=datetime(2030, 5, 1, 7, tzinfo=UTC), default_timezone="UTC"
        )


def test_a_review_claimed_but_not_yet_sent_is_taken_by_the_reader_and_not_sent_twice(
    sessions: SessionFactory,
) -> None:
    library(sessions)
    with unit_of_work(sessions) as session:
        assert claims.claim_due_batch(session, now=AT_EIGHT, default_timezone="UTC") == (1, 1)
        [claim] = claims.claimed(session)
    with unit_of_work(sessions) as session:
        taken = on_demand.take_today(
            session, chat_id=CHAT, now=AT_EIGHT, default_timezone="UTC", rng=random.Random(1)
        )
    assert isinstance(taken, on_demand.Taken)
    assert (taken.card.delivery_id, taken.card.size) == (claim.delivery_id, 3)
    assert taken.card.view.id == claim.highlight_id  # the review fixed at claim time
    with unit_of_work(sessions) as session:
        # The scheduler's compare-and-set finds it taken: it sends nothing.
        assert claims.claimed(session) == []
        assert (
            claims.start_sending_many(session, delivery_ids=[claim.delivery_id], now=AT_EIGHT)
            == set()
        )
        on_demand.finish(session, card=taken.card, chat_id=CHAT, message_ids=[77], now=AT_EIGHT)
    with unit_of_work(sessions) as session:
        again = on_demand.take_today(session, chat_id=CHAT, now=AT_EIGHT, default_timezone="UTC")
    assert again == on_demand.AlreadySent(77)
