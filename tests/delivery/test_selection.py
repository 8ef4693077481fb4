"""Selection: uniform, weighted, never discarded, no repeats within a round."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import select
from sqlmodel import col

from bot.db import SessionFactory, unit_of_work
from bot.library import annotating, chats
from bot.library.importing import import_records
from bot.library.picking import pick_many
from bot.library.selection import reshuffle
from bot.models import Highlight
from bot.parsers import ParsedHighlight, ParseResult

CHAT = 11


def load(sessions: SessionFactory, records: list[ParsedHighlight]) -> dict[str, int]:
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=CHAT, result=ParseResult(format="t", highlights=records))
        rows = session.execute(select(col(Highlight.text), col(Highlight.id))).all()
    return dict(rows)


def h(text: str, **kw: object) -> ParsedHighlight:
    return ParsedHighlight(book_title="B", text=text, **kw)  # type: ignore[arg-type]


def picks(sessions: SessionFactory, n: int, rng: random.Random) -> list[int]:
    out = []
    with unit_of_work(sessions) as session:
        for _ in range(n):
            chosen = pick_many(session, chat_ids=[CHAT], rng=rng)[CHAT]
            assert chosen is not None
            out.append(chosen)
    return out


def test_no_repeat_until_the_whole_library_went_round(sessions: SessionFactory) -> None:
    ids = load(sessions, [h(f"quote {i}") for i in range(25)])
    rng = random.Random(7)
    first, second = picks(sessions, 25, rng), picks(sessions, 25, rng)
    assert sorted(first) == sorted(ids.values())
    assert sorted(second) == sorted(ids.values())
    assert first != second  # a new round is a new order


def test_discarded_never_and_new_imports_join_the_round(sessions: SessionFactory) -> None:
    ids = load(sessions, [h(f"q{i}") for i in range(10)])
    with unit_of_work(sessions) as session:
        annotating.set_discarded(session, chat_id=CHAT, highlight_id=ids["q3"], discarded=True)
    rng = random.Random(1)
    shown = picks(sessions, 4, rng)
    more = load(sessions, [h("late arrival")])
    rest = picks(sessions, 6, rng)
    # Ten picks: the nine kept highlights and the late arrival, each once.
    assert sorted(shown + rest) == sorted(set(more.values()) - {ids["q3"]})


def test_a_one_highlight_library_repeats(sessions: SessionFactory) -> None:
    ids = load(sessions, [h("only one")])
    assert picks(sessions, 3, random.Random(0)) == [ids["only one"]] * 3


def test_empty_library_picks_nothing(sessions: SessionFactory) -> None:
    with unit_of_work(sessions) as session:
        chats.ensure_chat(session, chat_id=CHAT)
        assert pick_many(session, chat_ids=[CHAT])[CHAT] is None


def first_of_rounds(
    sessions: SessionFactory, mode: str, rounds: int, per_round: int, seed: int
) -> list[int]:
    """The first ``per_round`` picks of several freshly shuffled rounds."""
    rng = random.Random(seed)
    chosen: list[int] = []
    with unit_of_work(sessions) as session:
        for _ in range(rounds):
            reshuffle(session, chat_id=CHAT, mode=mode, rng=rng)
            for _ in range(per_round):
                picked = pick_many(session, chat_ids=[CHAT], rng=rng)[CHAT]
                assert picked is not None
                chosen.append(picked)
    return chosen


def test_random_mode_is_uniform(sessions: SessionFactory) -> None:
    ids = load(sessions, [h(f"u{i}", tags=["x"] if i < 2 else []) for i in range(5)])
    counts = Counter(first_of_rounds(sessions, "random", rounds=500, per_round=1, seed=2024))
    # 500 draws over 5: 100 each, binomial sd ~ 8.9; +-35 is ~4 sd.
    assert sorted(counts) == sorted(ids.values())
    assert all(abs(counts[i] - 100) < 35 for i in ids.values()), counts


def test_weighted_mode_follows_tag_weights_favorites_and_zero(sessions: SessionFactory) -> None:
    records = [h(f"heavy {i}", tags=["core"]) for i in range(100)]
    records += [h(f"plain {i}") for i in range(100)]
    records += [h(f"loved {i}", favorite=True) for i in range(100)]
    records += [h(f"never {i}", tags=["core", "skip"]) for i in range(100)]
    ids = load(sessions, records)
    group = {highlight_id: text.split()[0] for text, highlight_id in ids.items()}
    with unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value="weighted")
        chats.set_tag_weight(session, chat_id=CHAT, tag="core", weight=3)
        chats.set_tag_weight(session, chat_id=CHAT, tag="skip", weight=0)
    shown = first_of_rounds(sessions, "weighted", rounds=30, per_round=10, seed=99)
    counts = Counter(group[i] for i in shown)
    # Weights: heavy 3, loved 1 x 2 (favorite boost), plain 1, never 0 (a tag weighs 0).
    # Early picks of a round follow the weights: shares 1/2, 1/3, 1/6 (sd ~ 0.03 here).
    assert counts["never"] == 0
    for name, share in (("heavy", 1 / 2), ("loved", 1 / 3), ("plain", 1 / 6)):
        assert abs(counts[name] / len(shown) - share) < 0.09, counts


def test_weighted_mode_follows_tags_given_after_the_round_began(sessions: SessionFactory) -> None:
    ids = load(sessions, [h(f"q{i}") for i in range(40)])
    with unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value="weighted")
        chats.set_tag_weight(session, chat_id=CHAT, tag="skip", weight=0)
        chats.set_tag_weight(session, chat_id=CHAT, tag="core", weight=50)
        for text in ("q0", "q1", "q2"):
            annotating.add_tags(session, chat_id=CHAT, highlight_id=ids[text], names=["skip"])
        annotating.add_tags(session, chat_id=CHAT, highlight_id=ids["q3"], names=["core"])
        annotating.add_tags(session, chat_id=CHAT, highlight_id=ids["q2"], names=["core"])
        annotating.remove_tags(session, chat_id=CHAT, highlight_id=ids["q1"], names=["skip"])
    # Tagged in the middle of a round: q0 and q2 (a 0 tag wins) are held out at once, q1
    # is back, and q3 weighs 50 against 36 others at 1: first in most rounds.
    rng = random.Random(3)
    first_round = picks(sessions, 38, rng)
    assert sorted(first_round) == sorted(set(ids.values()) - {ids["q0"], ids["q2"]})
    firsts = [picks(sessions, 38, rng)[0] for _ in range(20)]
    assert firsts.count(ids["q3"]) >= 10, firsts


def test_weighted_mode_weighs_new_imports_by_their_tags(sessions: SessionFactory) -> None:
    load(sessions, [h(f"old {i}") for i in range(20)])
    with unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value="weighted")
        chats.set_tag_weight(session, chat_id=CHAT, tag="skip", weight=0)
    rng = random.Random(5)
    shown = picks(sessions, 5, rng)
    more = load(sessions, [h("late, skipped", tags=["skip"]), h("late, kept", tags=["other"])])
    rest = picks(sessions, 16, rng)
    # The round ends with the 15 old ones left and the late kept one; the skipped never.
    assert sorted(shown + rest) == sorted(set(more.values()) - {more["late, skipped"]})


def load_chat(sessions: SessionFactory, chat_id: int, texts: list[str]) -> list[int]:
    with unit_of_work(sessions) as session:
        result = ParseResult(format="t", highlights=[h(text) for text in texts])
        import_records(session, chat_id=chat_id, result=result)
        rows = session.execute(select(col(Highlight.id)).where(col(Highlight.chat_id) == chat_id))
        return sorted(rows.scalars())


def test_pick_many_picks_for_many_chats_as_for_each_alone(sessions: SessionFactory) -> None:
    mine = load_chat(sessions, 21, [f"a{i}" for i in range(6)])
    spent = load_chat(sessions, 22, ["b0", "b1"])
    with unit_of_work(sessions) as session:
        chats.ensure_chat(session, chat_id=23)  # an empty library
        annotating.set_discarded(session, chat_id=21, highlight_id=mine[0], discarded=True)
        # These two picks end chat 22's round.
        assert {pick_many(session, chat_ids=[22])[22] for _ in range(2)} == set(spent)
    asked = [21, 22, 23, 99]  # 99 does not exist
    with sessions() as session:
        one_by_one = {
            chat_id: pick_many(session, chat_ids=[chat_id], rng=random.Random(8)).get(chat_id)
            for chat_id in asked
        }
        session.rollback()
    with sessions() as session:
        # One generator for the batch, drawn from in chat order: here only 22 draws.
        together = pick_many(session, chat_ids=asked, rng=random.Random(8))
        session.rollback()
    assert together == {c: p for c, p in one_by_one.items() if c != 99}
    assert together[21] in mine[1:] and together[22] in spent and together[23] is None


def test_pick_many_goes_round_each_library_without_repeats(sessions: SessionFactory) -> None:
    libraries = {
        chat_id: load_chat(sessions, chat_id, [f"{chat_id}-{i}" for i in range(4)])
        for chat_id in (31, 32, 33)
    }
    rng = random.Random(4)
    rounds: dict[int, list[int]] = {chat_id: [] for chat_id in libraries}
    with unit_of_work(sessions) as session:
        for _ in range(8):
            for chat_id, picked in pick_many(session, chat_ids=list(libraries), rng=rng).items():
                assert picked is not None
                rounds[chat_id].append(picked)
    for chat_id, shown in rounds.items():
        # Two whole rounds of the chat's own highlights, each highlight once per round.
        assert sorted(shown[:4]) == sorted(shown[4:]) == libraries[chat_id]
