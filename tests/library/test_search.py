"""The query behind /search, on FTS5 and on PostgreSQL full text."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select, text

from bot.db import SessionFactory, unit_of_work
from bot.library.importing import import_records
from bot.library.search import SearchQuery, parse_query, search
from bot.models import Chat, Highlight
from bot.parsers import Kind, ParsedHighlight, ParseResult

CHAT = 7
OTHER = -1007


def load(sessions: SessionFactory, records: list[ParsedHighlight], chat_id: int = CHAT) -> None:
    with unit_of_work(sessions) as session:
        import_records(
            session, chat_id=chat_id, result=ParseResult(format="test", highlights=records)
        )


def h(text: str, **fields: object) -> ParsedHighlight:
    values: dict[str, object] = {"book_title": "The DevOps Handbook", "author": "Gene Kim"}
    values.update(fields)
    return ParsedHighlight(text=text, **values)  # type: ignore[arg-type]


LIBRARY = [
    h("Deployment pipelines make releases boring and safe.", tags=["delivery"]),
    h("Small batch sizes reduce the cost of deployments.", tags=["flow", "delivery"]),
    h("Blameless post-mortems build a culture of learning.", notes=["ask about Etsy"]),
    h("Technical debt compounds like financial debt.", favorite=True),
    h(
        "The constraint determines the throughput of the whole system.",
        book_title="The Goal",
        author="Eliyahu Goldratt",
    ),
    h("Queues grow when utilisation nears one hundred percent.", book_title="The Goal"),
    h("Café culture in Zürich is calm.", book_title="Travel Notes", author="Me"),
    h("Remember to read about deployment again", kind=Kind.NOTE, book_title="The Goal"),
]


def texts(sessions: SessionFactory, query: str, chat_id: int = CHAT, **kw: int) -> list[str]:
    with sessions() as session:
        return [hit.text for hit in search(session, chat_id=chat_id, query=query, **kw).hits]


@pytest.fixture
def loaded(sessions: SessionFactory) -> SessionFactory:
    load(sessions, LIBRARY)
    load(sessions, [h("Deployment in another chat, secret.", tags=["delivery"])], chat_id=OTHER)
    return sessions


def test_parse_query_reads_every_operator() -> None:
    assert parse_query('deploy* "exact words" -boring tag:Flow #culture book:"the goal" x') == (
        SearchQuery(
            terms=("deploy*", "x"),
            phrases=("exact words",),
            excluded=("boring",),
            tags=("flow", "culture"),
            books=("the goal",),
        )
    )
    assert parse_query('-"two words" "unclosed phrase').excluded == ("two words",)
    assert parse_query('-"two words" "unclosed phrase').phrases == ("unclosed phrase",)
    assert parse_query("*** -- \" ' :").is_empty


def test_words_match_text_with_stemming(loaded: SessionFactory) -> None:
    assert set(texts(loaded, "deployment")) == {
        "Deployment pipelines make releases boring and safe.",
        "Small batch sizes reduce the cost of deployments.",
        "Remember to read about deployment again",
    }
    assert texts(loaded, "DEBT technical") == ["Technical debt compounds like financial debt."]


def test_notes_title_and_author_are_searched(loaded: SessionFactory) -> None:
    assert texts(loaded, "etsy") == ["Blameless post-mortems build a culture of learning."]
    assert len(texts(loaded, "goldratt", limit=10)) == 1
    assert len(texts(loaded, "goal", limit=10)) == 3


def test_ranking_prefers_the_quote_and_repetition(loaded: SessionFactory) -> None:
    assert texts(loaded, "debt")[0] == "Technical debt compounds like financial debt."


def test_phrase_exclusion_prefix_and_diacritics(loaded: SessionFactory) -> None:
    assert texts(loaded, '"batch sizes"') == ["Small batch sizes reduce the cost of deployments."]
    assert texts(loaded, '"sizes batch"') == []
    assert set(texts(loaded, "deployment -boring -remember")) == {
        "Small batch sizes reduce the cost of deployments."
    }
    assert texts(loaded, 'culture -"post-mortems"') == ["Café culture in Zürich is calm."]
    assert set(texts(loaded, "thr*")) == {
        "The constraint determines the throughput of the whole system."
    }
    assert texts(loaded, "zurich cafe") == ["Café culture in Zürich is calm."]


def test_tag_and_book_filters(loaded: SessionFactory) -> None:
    assert set(texts(loaded, "tag:delivery")) == {
        "Deployment pipelines make releases boring and safe.",
        "Small batch sizes reduce the cost of deployments.",
    }
    assert texts(loaded, "#flow deployment") == [
        "Small batch sizes reduce the cost of deployments."
    ]
    assert texts(loaded, "tag:nosuchtag") == []
    assert texts(loaded, "#flow tag:delivery #FLOW") == [
        "Small batch sizes reduce the cost of deployments."
    ]
    assert texts(loaded, "#flow tag:nosuchtag") == []
    assert texts(loaded, "deployment tag:delivery", chat_id=OTHER) == [
        "Deployment in another chat, secret."
    ]
    assert set(texts(loaded, 'book:"the goal" -constraint', limit=10)) == {
        "Queues grow when utilisation nears one hundred percent.",
        "Remember to read about deployment again",
    }
    assert texts(loaded, "book:zürich") == []
    assert texts(loaded, "book:travel") == ["Café culture in Zürich is calm."]


def test_a_chat_only_ever_sees_its_own_library(loaded: SessionFactory) -> None:
    assert "Deployment in another chat, secret." not in texts(loaded, "deployment", limit=50)
    assert texts(loaded, "secret") == []
    assert texts(loaded, "deployment", chat_id=OTHER) == ["Deployment in another chat, secret."]
    assert texts(loaded, "tag:delivery", chat_id=OTHER) == ["Deployment in another chat, secret."]
    assert texts(loaded, "deployment", chat_id=424242) == []


def test_paging_and_totals(loaded: SessionFactory) -> None:
    everything = "-xylophone"  # every highlight of the chat, through the full-text index
    with loaded() as session:
        first = search(session, chat_id=CHAT, query=everything, limit=2)
        rest = search(session, chat_id=CHAT, query=everything, limit=50, offset=2)
    assert first.total == rest.total == len(first.hits) + len(rest.hits)
    assert first.total >= 5
    assert not {v.id for v in first.hits} & {v.id for v in rest.hits}


def test_words_postgresql_does_not_index_leave_nothing_to_look_for(
    engine: Engine, loaded: SessionFactory
) -> None:
    with loaded() as session:
        pages = [search(session, chat_id=CHAT, query=q) for q in ("the", '"with a"', "a -the")]
        filtered = search(session, chat_id=CHAT, query="the tag:delivery", limit=50)
    if engine.dialect.name == "postgresql":
        assert [(p.only_common_words, p.total, p.hits) for p in pages] == [(True, 0, [])] * 3
    else:
        # FTS5 indexes every word: "the" is in most of the library, "with a" in none of it.
        assert [(p.only_common_words, p.total > 0) for p in pages[:2]] == [
            (False, True),
            (False, False),
        ]
    # A filter alone still has something to find.
    assert not filtered.only_common_words
    assert {hit.text for hit in filtered.hits} >= {
        "Small batch sizes reduce the cost of deployments."
    }


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NEAR(a b)",
        "body:secret",
        "chat:cp7",
        "a OR b AND NOT c",
        "(((",
        "*",
        "^start",
        "- -- ---",
        "tag:",
        "book:",
        "'; DROP TABLE highlight; --",
        "\x00",
        "ü" * 300,
    ],
)
def test_hostile_queries_never_break_or_leak(loaded: SessionFactory, query: str) -> None:
    with loaded() as session:
        page = search(session, chat_id=CHAT, query=query, limit=50)
    assert all(hit.text != "Deployment in another chat, secret." for hit in page.hits)
    assert page.total == len(page.hits) or page.total > 50


def test_index_follows_deletes(loaded: SessionFactory) -> None:
    with unit_of_work(loaded) as session:
        session.execute(delete(Chat).where(Chat.id == OTHER))  # type: ignore[arg-type]
    with loaded() as session:
        assert session.scalars(select(Highlight).where(Highlight.chat_id == OTHER)).all() == []
        if session.get_bind().dialect.name == "sqlite":
            ghosts = "SELECT count(*) FROM highlight_fts WHERE highlight_fts MATCH 'chat : cm1007'"
        else:
            ghosts = (
                "SELECT count(*) FROM highlight_search s "
                "LEFT JOIN highlight h ON h.id = s.highlight_id WHERE h.id IS NULL"
            )
        assert session.execute(text(ghosts)).scalar_one() == 0
