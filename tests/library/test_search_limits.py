"""/search counts and ranks a bounded set of matches, keeps to its chat, and migrates."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from bot import db
from bot.db import SessionFactory, unit_of_work
from bot.library import search as search_module
from bot.library.importing import import_records
from bot.library.search import search
from bot.parsers import ParsedHighlight, ParseResult

CHAT = 7
OTHER = 8


def load(sessions: SessionFactory, texts: list[str], chat_id: int = CHAT) -> None:
    records = [ParsedHighlight(text=t, book_title="Stones", author="A. Mason") for t in texts]
    with unit_of_work(sessions) as session:
        import_records(
            session, chat_id=chat_id, result=ParseResult(format="test", highlights=records)
        )


def test_past_the_limit_the_total_is_capped_and_the_page_still_ranked(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 4)
    texts = [f"A pebble, number {n}." for n in range(5)]
    load(sessions, texts[:1] + ["Pebble pebble pebble."] + texts[1:])
    with sessions() as session:
        many = search(session, chat_id=CHAT, query="pebble", limit=2)
        numbers = search(session, chat_id=CHAT, query="number", limit=50)
    assert (many.total, many.capped) == (4, True)
    assert (numbers.total, numbers.capped, len(numbers.hits)) == (4, True, 5)
    # Ranked, not listed in order: the densest match is second in the library, first here.
    assert many.hits[0].text == "Pebble pebble pebble."
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 6)
    with sessions() as session:
        whole = search(session, chat_id=CHAT, query="pebble", limit=50)
    assert (whole.total, whole.capped) == (6, False)
    assert whole.hits[0].text == "Pebble pebble pebble."


def test_words_that_look_like_a_chat_token_do_not_cross_chats(sessions: SessionFactory) -> None:
    load(sessions, ["Mine: a quiet harbour."])
    load(sessions, [f"chat {CHAT} cp{CHAT} 'chat {CHAT}' harbour"], chat_id=OTHER)
    with sessions() as session:
        for query in ("harbour", f"cp{CHAT}", f'"chat {CHAT}"', "chat*", f"{CHAT}"):
            page = search(session, chat_id=CHAT, query=query, limit=50)
            assert all(hit.text == "Mine: a quiet harbour." for hit in page.hits), query
            assert page.total == len(page.hits), query
        assert search(session, chat_id=CHAT, query="harbour").total == 1


def test_a_page_past_the_end_still_knows_the_total(sessions: SessionFactory) -> None:
    load(sessions, ["One lantern.", "Two lanterns."])
    with sessions() as session:
        page = search(session, chat_id=CHAT, query="lantern", limit=5, offset=10)
    assert (page.total, page.hits) == (2, [])


@pytest.mark.postgres
def test_the_search_migration_goes_down_and_up_with_the_index(
    engine: Engine, sessions: SessionFactory
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL index only; FTS5 is unchanged")
    load(sessions, ["Walking is a kind of reading."])
    load(sessions, ["Walking elsewhere."], chat_id=OTHER)
    db.downgrade(engine, "0003")
    with engine.connect() as c:
        old = "document @@ (to_tsquery('simple', 'cp7:D') && to_tsquery('english', 'walk'))"
        assert c.execute(text(f"SELECT count(*) FROM highlight_search WHERE {old}")).scalar() == 1
    db.upgrade(engine)
    with sessions() as session:
        assert [h.text for h in search(session, chat_id=CHAT, query="walking").hits] == [
            "Walking is a kind of reading."
        ]


def test_phrases_on_sqlite_rank_text_matches_shortest_first(
    engine: Engine, sessions: SessionFactory
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL ranks phrases with ts_rank_cd like any search")
    short = "A quiet harbour at dusk."
    repeated = "The quiet harbour, then the quiet harbour again, and night over the quiet harbour."
    middle = "Boats rest in the quiet harbour when the wind turns."
    load(sessions, [repeated, "Nothing about water.", middle, short])
    records = [ParsedHighlight(text="Only the title says it.", book_title="The Quiet Harbour")]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=CHAT, result=ParseResult(format="t", highlights=records))
    load(sessions, ["A quiet harbour."], chat_id=OTHER)
    with sessions() as session:
        phrase = search(session, chat_id=CHAT, query='"quiet harbour"', limit=50)
        hyphenated = search(session, chat_id=CHAT, query="quiet-harbour -dusk", limit=50)
        word = search(session, chat_id=CHAT, query="harbour", limit=50)
    # The text's matches first, shortest first; then the one whose title alone has it.
    assert [hit.text for hit in phrase.hits] == [short, middle, repeated, "Only the title says it."]
    assert phrase.total == 4
    assert [hit.text for hit in hyphenated.hits] == [middle, repeated, "Only the title says it."]
    # A plain word is still ranked by bm25, which lifts the repetition.
    assert word.hits[0].text == repeated
    assert word.total == 4


def test_a_filtered_phrase_search_past_the_limit_still_ranks_text_matches_first(
    engine: Engine, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 2)
    load(sessions, [f"The quiet harbour, untagged, number {n}." for n in range(4)])
    records = [
        ParsedHighlight(
            text="In the quiet harbour the tagged boats sleep.", book_title="B", tags=["boats"]
        ),
        ParsedHighlight(text="Tagged too.", book_title="Quiet Harbour", tags=["boats"]),
    ]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=CHAT, result=ParseResult(format="t", highlights=records))
    with sessions() as session:
        page = search(session, chat_id=CHAT, query='"quiet harbour" #boats', limit=5)
    assert (page.total, page.capped) == (2, False)
    expected = ["In the quiet harbour the tagged boats sleep.", "Tagged too."]
    if engine.dialect.name == "sqlite":
        assert [hit.text for hit in page.hits] == expected
    else:
        assert sorted(hit.text for hit in page.hits) == sorted(expected)


@pytest.mark.postgres
def test_a_capped_search_finds_the_same_matches_wherever_another_scan_left_off(
    engine: Engine, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of a "1,000+" search are pages of one list, on a table PostgreSQL scans in sync.

    Past the limit the first matches the scan yields are ranked. A sequential scan of a table
    bigger than a quarter of shared_buffers starts where another scan of it last was
    (synchronized scans), so the same search took a different 1,001 each time and paging
    repeated and skipped highlights.
    """
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads FTS5 matches in rowid order")
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 20)
    load(sessions, [f"A pebble, early number {n}." for n in range(30)])
    # Filler between the early and the late pebbles: another chat's rows, enough to pass the
    # synchronized-scan threshold (shared_buffers / 4: 32 MB at PostgreSQL's default).
    load(sessions, ["Filler."], chat_id=OTHER)
    with engine.begin() as connection:
        size = connection.execute(text("SELECT current_setting('shared_buffers')")).scalar()
        pages = connection.execute(
            text("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'")
        ).scalar_one()
        rows = pages // 4 * 10  # eight rows of about 1 kB fill an 8 kB page
        connection.execute(
            text(
                "INSERT INTO highlight (chat_id, book_id, kind, text, favorite, discarded,"
                " fingerprint, created_at, updated_at, shuffle_key, pending)"
                " SELECT chat_id, book_id, kind, text, favorite, discarded, md5(g::text),"
                " created_at, updated_at, shuffle_key, pending"
                " FROM highlight, generate_series(1, :rows) AS g WHERE chat_id = :other"
            ),
            {"rows": rows, "other": OTHER},
        )
        lexemes = "ARRAY(SELECT 'filler' || n FROM generate_series(1, 80) AS n)"
        connection.execute(
            text(
                f"INSERT INTO highlight_search SELECT id, array_to_tsvector({lexemes})"
                " FROM highlight WHERE chat_id = :other"
                " AND id NOT IN (SELECT highlight_id FROM highlight_search)"
            ),
            {"other": OTHER},
        )
        connection.execute(text("ANALYZE highlight_search"))
    load(sessions, [f"A pebble, late number {n}." for n in range(30)])
    with engine.connect() as connection:
        blocks = connection.execute(
            text("SELECT pg_relation_size('highlight_search') / 8192")
        ).scalar_one()
    assert blocks > pages // 4, f"the filler is too small for synchronized scans ({size})"

    def first_page() -> list[str]:
        with sessions() as session:
            # The plan PostgreSQL takes for a common word in a big chat: a sequential scan.
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            session.execute(text("SET LOCAL enable_indexscan = off"))
            page = search(session, chat_id=CHAT, query="pebble", limit=50)
            assert (page.total, page.capped) == (20, True)
            return sorted(hit.text for hit in page.hits)

    before = first_page()
    with engine.connect() as connection:
        # Another scan of the table, stopped at the late pebbles: the next one starts there.
        connection.execute(text("SET enable_bitmapscan = off"))
        connection.execute(text("SET enable_indexscan = off"))
        connection.execute(
            text(
                "SELECT highlight_id FROM highlight_search"
                " WHERE document @@ to_tsquery('simple', 'late') LIMIT 1"
            )
        ).all()
    assert first_page() == before
    assert all("early" in hit for hit in before)
