"""A book's frequency: Never, Less, Normal, More weigh its highlights 0, ½, 1 and 2 in every
mode, multiplying their tags' weight."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.db import SessionFactory, unit_of_work
from bot.library import chats
from bot.library.books import BookNotInLibrary, book_page, set_frequency
from bot.library.importing import import_records
from bot.library.picking import pick_many, refresh_due
from bot.library.selection import Frequency, reshuffle, weights
from bot.models import Book, Highlight, utcnow
from bot.parsers import ParsedHighlight, ParseResult

CHAT, OTHER = 11, 12


def load(sessions: SessionFactory, chat_id: int, records: list[ParsedHighlight]) -> None:
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=chat_id, result=ParseResult(format="t", highlights=records))


def book_of(sessions: SessionFactory) -> dict[int, str]:
    """Each highlight's book title, by highlight id."""
    with unit_of_work(sessions) as session:
        rows = session.execute(
            select(col(Highlight.id), col(Book.title)).join(
                Book, col(Book.id) == col(Highlight.book_id)
            )
        ).all()
    return dict(rows)


def set_books(sessions: SessionFactory, frequencies: dict[str, Frequency]) -> None:
    with unit_of_work(sessions) as session:
        for entry in book_page(session, chat_id=CHAT, limit=100).entries:
            if entry.title in frequencies:
                set_frequency(
                    session, chat_id=CHAT, book_id=entry.id, frequency=frequencies[entry.title]
                )


def library(books: dict[str, int], **kw: object) -> list[ParsedHighlight]:
    return [
        ParsedHighlight(book_title=title, text=f"{title} {i}", **kw)  # type: ignore[arg-type]
        for title, count in books.items()
        for i in range(count)
    ]


def picks(sessions: SessionFactory, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    with unit_of_work(sessions) as session:
        chosen = [pick_many(session, chat_ids=[CHAT], rng=rng)[CHAT] for _ in range(n)]
    assert None not in chosen
    return [c for c in chosen if c is not None]


@pytest.mark.parametrize("mode", ["random", "weighted"])
def test_a_book_at_never_never_comes(sessions: SessionFactory, mode: str) -> None:
    load(sessions, CHAT, library({"Never": 30, "Normal": 5, "More": 5}))
    with unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value=mode)
    set_books(sessions, {"Never": Frequency.NEVER, "More": Frequency.MORE})
    books = book_of(sessions)
    # 200 picks are 20 whole rounds of the ten highlights left: reshuffles never bring it back.
    counts = Counter(books[i] for i in picks(sessions, 200, seed=17))
    assert counts == {"Normal": 100, "More": 100}


@pytest.mark.parametrize("mode", ["random", "weighted"])
def test_less_normal_more_weigh_half_one_and_two(sessions: SessionFactory, mode: str) -> None:
    load(sessions, CHAT, library({"Less": 2, "Normal": 2, "More": 2, "Never": 2}))
    with unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value=mode)
    set_books(sessions, {"Less": Frequency.LESS, "More": Frequency.MORE, "Never": Frequency.NEVER})
    books = book_of(sessions)
    with unit_of_work(sessions) as session:
        weighed = weights(session, chat_id=CHAT, mode=mode)
    assert sorted((books[i], w) for i, w in weighed.items()) == [
        ("Less", 0.5),
        ("Less", 0.5),
        ("More", 2.0),
        ("More", 2.0),
        ("Normal", 1.0),
        ("Normal", 1.0),
    ]


def test_the_first_picks_of_rounds_follow_the_books_weights(sessions: SessionFactory) -> None:
    load(sessions, CHAT, library({"Less": 3, "Normal": 3, "More": 3}))
    set_books(sessions, {"Less": Frequency.LESS, "More": Frequency.MORE})
    books = book_of(sessions)
    rng = random.Random(2026)
    firsts: list[int] = []
    with unit_of_work(sessions) as session:
        for _ in range(500):
            reshuffle(session, chat_id=CHAT, mode="random", rng=rng)
            picked = pick_many(session, chat_ids=[CHAT], rng=rng)[CHAT]
            assert picked is not None
            firsts.append(picked)
    counts = Counter(books[i] for i in firsts)
    # The first pick of a round follows the weights: shares 1/7, 2/7, 4/7 (sd ~ 0.022).
    for title, share in (("Less", 1 / 7), ("Normal", 2 / 7), ("More", 4 / 7)):
        assert abs(counts[title] / len(firsts) - share) < 0.07, counts


def test_tag_weights_multiply_the_books(sessions: SessionFactory) -> None:
    records = library({"More": 1}, tags=["core"]) + library({"Plain": 1})
    records += library({"Halved": 1}, tags=["core"], favorite=True)
    records += library({"Skipped": 1}, tags=["skip"])
    load(sessions, CHAT, records)
    with unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value="weighted")
        chats.set_tag_weight(session, chat_id=CHAT, tag="core", weight=3)
        chats.set_tag_weight(session, chat_id=CHAT, tag="skip", weight=0)
    set_books(
        sessions, {"More": Frequency.MORE, "Halved": Frequency.LESS, "Skipped": Frequency.MORE}
    )
    books = book_of(sessions)
    with unit_of_work(sessions) as session:
        weighed = weights(session, chat_id=CHAT, mode="weighted")
    # More: tag 3 x book 2; Halved: tag 3 x favorite 2 x book 0.5; a tag at 0 stays 0.
    assert {books[i]: w for i, w in weighed.items()} == {"More": 6.0, "Halved": 3.0, "Plain": 1.0}


def test_never_mid_round_holds_the_book_out_at_once_and_normal_brings_it_back(
    sessions: SessionFactory,
) -> None:
    load(sessions, CHAT, library({"A": 6, "B": 6}))
    books = book_of(sessions)
    first = picks(sessions, 2, seed=1)
    set_books(sessions, {"A": Frequency.NEVER})
    rest = picks(sessions, 12, seed=2)
    shown_b = [i for i in first if books[i] == "B"]
    # The round goes on with B alone, then B alone again.
    assert {books[i] for i in rest} == {"B"}
    assert sorted(shown_b + rest[: 6 - len(shown_b)]) == sorted(
        i for i, t in books.items() if t == "B"
    )
    set_books(sessions, {"A": Frequency.NORMAL})
    assert "A" in {books[i] for i in picks(sessions, 12, seed=3)}


def test_a_highlight_feedback_made_due_does_not_come_once_its_book_is_at_never(
    sessions: SessionFactory,
) -> None:
    load(sessions, CHAT, library({"A": 3, "B": 3}))
    books = book_of(sessions)
    due_in_a = min(i for i, title in books.items() if title == "A")
    with unit_of_work(sessions) as session:
        highlight = session.get(Highlight, due_in_a)
        assert highlight is not None
        # As 🔁 Sooner left it, a while ago: due now, ahead of the round.
        highlight.half_life = 1.0
        highlight.due_at = utcnow() - timedelta(days=1)
        refresh_due(session, chat_ids=[CHAT])
    assert picks(sessions, 1, seed=1) == [due_in_a]
    with unit_of_work(sessions) as session:
        session.get(Highlight, due_in_a).due_at = utcnow() - timedelta(days=1)  # type: ignore[union-attr]
        refresh_due(session, chat_ids=[CHAT])
    set_books(sessions, {"A": Frequency.NEVER})

    assert {books[i] for i in picks(sessions, 6, seed=2)} == {"B"}


def test_new_highlights_of_a_book_at_never_do_not_come_in_random_mode(
    sessions: SessionFactory,
) -> None:
    load(sessions, CHAT, library({"Skipped": 1, "Kept": 3}))
    set_books(sessions, {"Skipped": Frequency.NEVER})
    load(sessions, CHAT, [ParsedHighlight(book_title="Skipped", text="late")])
    books = book_of(sessions)
    assert {books[i] for i in picks(sessions, 9, seed=4)} == {"Kept"}


def test_another_chats_book_is_refused_and_unchanged(sessions: SessionFactory) -> None:
    load(sessions, OTHER, library({"Theirs": 2}))
    with unit_of_work(sessions) as session:
        [theirs] = book_page(session, chat_id=OTHER).entries
    with unit_of_work(sessions) as session, pytest.raises(BookNotInLibrary):
        set_frequency(session, chat_id=CHAT, book_id=theirs.id, frequency=Frequency.NEVER)
    with unit_of_work(sessions) as session:
        assert book_page(session, chat_id=OTHER).entries[0].frequency is Frequency.NORMAL
        assert book_page(session, chat_id=CHAT).total == 0
