"""Looking around a library: the highlight /random picks."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import update

from bot.db import SessionFactory, unit_of_work
from bot.library.browsing import random_highlight
from bot.library.importing import import_records
from bot.models import Highlight, table_of
from bot.parsers import ParsedHighlight, ParseResult

CHAT = 7
OTHER = 8


def load(sessions: SessionFactory, chat_id: int, texts: list[str]) -> None:
    records = [ParsedHighlight(book_title="A Book", text=text) for text in texts]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=chat_id, result=ParseResult("test", records))


def discard(sessions: SessionFactory, texts: list[str]) -> None:
    with unit_of_work(sessions) as session:
        session.execute(
            update(table_of(Highlight))
            .where(table_of(Highlight).c.text.in_(texts))
            .values(discarded=True)
        )


def picks(sessions: SessionFactory, times: int, seed: int = 1) -> Counter[str]:
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    with sessions() as session:
        for _ in range(times):
            view = random_highlight(session, chat_id=CHAT, rng=rng)
            counts[view.text if view else None] += 1  # type: ignore[index]
    return counts


def test_every_kept_highlight_comes_up_about_equally_often(sessions: SessionFactory) -> None:
    load(sessions, CHAT, [f"passage {n}" for n in range(10)])
    load(sessions, OTHER, [f"someone else's {n}" for n in range(10)])
    discard(sessions, ["passage 3", "passage 7"])

    counts = picks(sessions, 1600)

    assert set(counts) == {f"passage {n}" for n in range(10)} - {"passage 3", "passage 7"}
    # 200 expected each; the binomial's standard deviation is 13, so 150..250 cannot fail
    # by chance in practice, while a pick biased to the first or last rows would.
    assert all(150 <= count <= 250 for count in counts.values()), counts


def test_a_mostly_discarded_library_still_finds_its_one_kept_highlight(
    sessions: SessionFactory,
) -> None:
    load(sessions, CHAT, [f"passage {n}" for n in range(200)])
    discard(sessions, [f"passage {n}" for n in range(200) if n != 123])

    assert picks(sessions, 20) == Counter({"passage 123": 20})


def test_nothing_to_pick_in_an_empty_or_wholly_discarded_library(
    sessions: SessionFactory,
) -> None:
    load(sessions, OTHER, ["not yours"])
    assert picks(sessions, 3) == Counter({None: 3})

    load(sessions, CHAT, ["gone", "also gone"])
    discard(sessions, ["gone", "also gone"])
    assert picks(sessions, 3) == Counter({None: 3})
