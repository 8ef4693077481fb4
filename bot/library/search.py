"""Full-text search of one chat's library, the query behind ``/search``.

Syntax: plain words (all must match; ``word*`` for a prefix), ``"exact phrase"``,
``-excluded`` (a word or a phrase), ``tag:NAME`` or ``#NAME``, and ``book:WORDS`` (the book's
title or author contains these words; quote several).

Ranking: FTS5's bm25 on SQLite, ``ts_rank_cd`` on PostgreSQL, with two trade-offs.
On SQLite a search with a phrase of two or more words is ordered by ``_phrase_order``
(matches in the highlight's own text first, shortest first) instead of bm25, whose phrase
statistics read word positions across every chat. And a search ranks at most
``MATCH_LIMIT`` + 1 matches, the same ones every time, so a very common word shows "1,000+"
and its pages are pages of one stable list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlmodel import Session, col

from bot.library import snippets
from bot.library.identity import normalize_text
from bot.library.search_index import chat_lexeme, chat_token
from bot.library.views import HighlightView, load_views
from bot.models import Book, Highlight, HighlightTag, Tag
from bot.parsers.tags import hashtag_tag, normalize_tag, tag_key

_TOKEN = re.compile(r'(-?)(?:(tag|book):|(#))?(?:"([^"]*)"?|([^\s"]+))', re.IGNORECASE)
_WORD = re.compile(r"\w+")
MATCH_LIMIT = 1000
_PG_CONFIG = "commonplace"  # English stemming + unaccent, created by the first migration
_FTS = table("highlight_fts", column("rowid", Integer), column("body", Text))
_BODY = _FTS.alias("body_fts")
_TEXT_COLUMNS = "{body notes title author}"
# bm25 weights follow the FTS5 columns: chat, body, notes, title, author.
_BM25: ColumnElement[float] = literal_column("bm25(highlight_fts, 0.0, 1.0, 0.6, 0.4, 0.4)")
_PG_SEARCH = table(
    "highlight_search", column("highlight_id", Integer), column("document", TSVECTOR)
)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed search: what must match, what must not, and the filters."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    """Tag keys (``tag_key``): any spelling of a tag finds it."""
    books: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the query asks for nothing at all."""
        return not (self.terms or self.phrases or self.excluded or self.tags or self.books)

    @property
    def has_text(self) -> bool:
        """True when the full-text index is needed."""
        return bool(self.terms or self.phrases or self.excluded)


@dataclass(slots=True)
class SearchPage:
    """One page of results and the total number of matches (``capped``: more than that)."""

    query: SearchQuery
    total: int
    offset: int
    hits: list[HighlightView] = field(default_factory=list)
    capped: bool = False
    only_common_words: bool = False  # PostgreSQL ignores words like "the": nothing to look for
    snippets: dict[int, str] = field(default_factory=dict)
    """Highlight id -> the passage around its first match, the matched words marked with
    ``MATCH_START``/``MATCH_END`` (see ``bot.library.snippets``); only for the hits shown."""


def parse_query(raw: str) -> SearchQuery:
    """Read the ``/search`` syntax. Never fails: what cannot be used is ignored."""
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    tags: list[str] = []
    books: list[str] = []
    for match in _TOKEN.finditer(raw):
        negated, prefix, hash_sign, quoted, bare = match.groups()
        value = (quoted if quoted is not None else bare or "").strip()
        if not _WORD.search(value):
            continue
        if hash_sign or (prefix and prefix.lower() == "tag"):
            name = normalize_tag(value) if quoted is not None else hashtag_tag(value)
            if name is not None:
                tags.append(tag_key(name))
        elif prefix:
            books.append(value)
        elif negated:
            excluded.append(value)
        elif quoted is not None:
            phrases.append(value)
        else:
            terms.append(value)
    return SearchQuery(
        terms=tuple(terms),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        tags=tuple(tags),
        books=tuple(books),
    )


def search(
    session: Session,
    *,
    chat_id: int,
    query: str | SearchQuery,
    limit: int = 5,
    offset: int = 0,
    with_snippets: bool = True,
) -> SearchPage:
    """Find highlights of this chat, best first; ``limit``/``offset`` page through them.
    ``with_snippets``: mark where each hit of the page matched (``SearchPage.snippets``)."""
    parsed = parse_query(query) if isinstance(query, str) else query
    page = SearchPage(query=parsed, total=0, offset=offset)
    if parsed.is_empty:
        return page
    try:
        ranked, words = _ranked(session, chat_id, parsed)
    except _OnlyCommonWords:
        page.only_common_words = True
        return page
    if ranked is None:
        return page
    matches = ranked.limit(MATCH_LIMIT + 1).subquery()
    # One pass over the matches gives the page and, as a window count, the total. (The
    # score is computed inside the subquery, only for the rows the limit lets through; FTS5
    # allows bm25() only in a query of its own table anyway.)
    rows = session.execute(
        select(matches.c.id, func.count().over())
        .order_by(matches.c.score, matches.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        page.total = rows[0][1]
    elif offset:
        # A page past the end (the library shrank since the search): count on its own.
        page.total = session.execute(select(func.count()).select_from(matches)).scalar_one()
    if page.total > MATCH_LIMIT:
        page.total, page.capped = MATCH_LIMIT, True
    page.hits = load_views(session, chat_id=chat_id, ids=[row[0] for row in rows])
    if words and page.hits and with_snippets:
        page.snippets = snippets.around_matches(
            session,
            chat_id=chat_id,
            words=words,
            ids=[hit.id for hit in page.hits],
            prefix=any(term.endswith("*") for term in parsed.terms),
        )
    return page


def matching_ids(session: Session, *, chat_id: int, query: SearchQuery) -> list[int]:
    """The ids of the search's matches, best first: at most ``MATCH_LIMIT``."""
    if query.is_empty:
        return []
    try:
        ranked, _ = _ranked(session, chat_id, query)
    except _OnlyCommonWords:
        return []
    if ranked is None:
        return []
    matches = ranked.limit(MATCH_LIMIT).subquery()
    rows = session.execute(select(matches.c.id).order_by(matches.c.score, matches.c.id))
    return list(rows.scalars())


class _OnlyCommonWords(Exception):
    """The words of a search are all ones PostgreSQL's text search ignores, like "the"."""


def _ranked(
    session: Session, chat_id: int, query: SearchQuery
) -> tuple[Select[Any, Any] | None, str]:
    """The matches as (id, score) rows, best score lowest (None: nothing can match), and the
    words to mark in their snippets ("" when the search has no words: nothing to mark).

    The words are the FTS5 MATCH expression on SQLite and the tsquery on PostgreSQL."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    filters: list[ColumnElement[bool]] = []
    if query.tags:
        tag_ids = session.execute(
            select(col(Tag.name), col(Tag.id)).where(
                col(Tag.chat_id) == chat_id, col(Tag.key).in_(query.tags)
            )
        ).all()
        if len(tag_ids) < len(set(query.tags)):
            return None, ""
        # Each tag's id is written into the SQL so that PostgreSQL plans with that tag's own
        # frequency; looked up by name inside the query, a frequent tag is estimated as rare
        # and every highlight it carries is checked against the words.
        filters.extend(
            select(col(HighlightTag.highlight_id))
            .where(
                col(HighlightTag.highlight_id) == col(Highlight.id),
                col(HighlightTag.tag_id) == bindparam(None, tag_id, literal_execute=True),
            )
            .exists()
            for _, tag_id in tag_ids
        )
    if query.books:
        book_ids = _matching_books(session, chat_id, query.books)
        if not book_ids:
            return None, ""
        filters.append(col(Highlight.book_id).in_(book_ids))

    if not query.has_text:
        return _in_order(chat_id, filters), ""
    if sqlite:
        expression = _fts5_expression(chat_id, query)
        return _sqlite_match(chat_id, expression, query, filters), expression
    return _postgres_match(session, chat_id, query, filters)


def _in_order(chat_id: int, filters: list[ColumnElement[bool]]) -> Select[Any, Any]:
    """Every highlight of the chat that passes the filters, oldest first."""
    ident = col(Highlight.id)
    return select(ident.label("id"), ident.label("score")).where(
        col(Highlight.chat_id) == chat_id, *filters
    )


def _matching_books(session: Session, chat_id: int, words: tuple[str, ...]) -> list[int]:
    """Books whose title or author contains every one of these words (Unicode-aware)."""
    wanted = [normalize_text(word) for word in words]
    rows = session.execute(
        select(col(Book.id), col(Book.title), col(Book.author)).where(col(Book.chat_id) == chat_id)
    )
    return [
        book_id
        for book_id, title, author in rows
        if all(word in normalize_text(f"{title} {author}") for word in wanted)
    ]


def _fts5_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _fts5_expression(chat_id: int, query: SearchQuery, columns: str = _TEXT_COLUMNS) -> str:
    """An FTS5 MATCH expression in which every user word is a quoted string: no injection.

    ``columns`` is where the wanted words and phrases must be found (exclusions always look
    at every text column).
    """
    parts = [f"chat : {_fts5_string(chat_token(chat_id))}"]
    for term in query.terms:
        if term.endswith("*") and _WORD.search(term[:-1]):
            parts.append(f"{columns} : {_fts5_string(term[:-1])} *")
        else:
            parts.append(f"{columns} : {_fts5_string(term)}")
    parts.extend(f"{columns} : {_fts5_string(p)}" for p in query.phrases)
    expression = "(" + " AND ".join(parts) + ")"
    for value in query.excluded:
        expression = f"({expression} NOT {_TEXT_COLUMNS} : {_fts5_string(value)})"
    return expression


def _has_long_phrase(query: SearchQuery) -> bool:
    """True when FTS5 reads some part of the query as a phrase of two or more words."""
    return any(
        len(_WORD.findall(value)) > 1 for value in (*query.terms, *query.phrases, *query.excluded)
    )


def _sqlite_match(
    chat_id: int, expression: str, query: SearchQuery, filters: list[ColumnElement[bool]]
) -> Select[Any, Any]:
    match = text("highlight_fts MATCH :match").bindparams(match=expression)
    # The chat token in the MATCH already keeps the search in this chat, so the FTS table is
    # read alone unless a tag or book filter needs the highlight row. Joined, the chat test is
    # written as an expression so that it cannot use ix_highlight_chat_id: SQLite then starts
    # from the FTS index instead of running the MATCH for every highlight of the chat.
    score = _phrase_order(chat_id, query, bool(filters)) if _has_long_phrase(query) else _BM25
    statement: Select[Any, Any] = select(_FTS.c.rowid.label("id"), score.label("score")).where(
        match
    )
    if filters:
        statement = statement.join(Highlight, col(Highlight.id) == _FTS.c.rowid).where(
            (col(Highlight.chat_id) + 0) == chat_id, *filters
        )
    return statement


def _phrase_order(chat_id: int, query: SearchQuery, filtered: bool) -> ColumnElement[Any]:
    """The score of a phrase search: 0 plus the text's length when the highlight's own text
    has every wanted word and phrase, 10^9 plus it when only its notes, title or author do.

    The highlights with the words in their text are the rows of the same search with the
    words looked for in ``body`` alone: a subset of the matches that, in id order, never
    runs past the matches the limit lets through, so it is capped alike. Not when a tag or
    book filter thins the matches out: those text matches are all read.
    """
    in_text = select(_BODY.c.rowid).where(
        text("body_fts.highlight_fts MATCH :in_text").bindparams(
            in_text=_fts5_expression(chat_id, query, columns="body")
        )
    )
    if not filtered:
        in_text = in_text.limit(MATCH_LIMIT + 1)
    return case((_FTS.c.rowid.in_(in_text), 0), else_=1_000_000_000) + func.length(_FTS.c.body)


def _postgres_match(
    session: Session, chat_id: int, query: SearchQuery, filters: list[ColumnElement[bool]]
) -> tuple[Select[Any, Any], str]:
    parts: list[ColumnElement[Any]] = []
    for term in query.terms:
        if term.endswith("*") and (stem := "".join(_WORD.findall(term[:-1]))):
            parts.append(func.to_tsquery(_PG_CONFIG, stem + ":*"))
        else:
            parts.append(func.plainto_tsquery(_PG_CONFIG, term))
    parts.extend(func.phraseto_tsquery(_PG_CONFIG, phrase) for phrase in query.phrases)
    parts.extend(
        func.tsquery_not(func.phraseto_tsquery(_PG_CONFIG, value)) for value in query.excluded
    )
    combined = parts[0]
    for part in parts[1:]:
        combined = func.tsquery_and(combined, part)
    # The query is built first, on its own. Words that are all stop words ("the", "with a")
    # leave it empty: with a tag or book filter the search is the filter's highlights in
    # order, and without one there is nothing to look for. Bound as a constant, the query
    # also plans alike whether or not psycopg has prepared the statement.
    # The same round trip makes the scan below yield its matches in one order, so that a
    # search capped at MATCH_LIMIT takes the same matches every time and its pages are pages
    # of one list: a sequential scan of a big table starts where another scan of it last
    # was (synchronized scans), and a parallel one yields in the workers' order. Both
    # settings last until the end of this transaction.
    built = session.execute(
        select(
            cast(combined, Text),
            func.set_config("synchronize_seqscans", "off", True),
            func.set_config("max_parallel_workers_per_gather", "0", True),
        )
    ).scalar()
    if not built:
        if not filters:
            raise _OnlyCommonWords
        return _in_order(chat_id, filters), ""
    words = cast(literal(built, Text), TSQUERY)
    # The chat lexeme has no weight, so the GIN index alone keeps the search in this chat
    # (a weight would make PostgreSQL read every candidate back to check it). It is left
    # out of the rank: every document of the chat has it.
    chat = cast(literal(f"'{chat_lexeme(chat_id)}'", Text), TSQUERY)
    document = _PG_SEARCH.c.document
    statement: Select[Any, Any] = select(
        _PG_SEARCH.c.highlight_id.label("id"),
        (-func.ts_rank_cd(document, words)).label("score"),
    ).where(document.op("@@")(func.tsquery_and(chat, words)))
    if filters:
        statement = statement.join(Highlight, col(Highlight.id) == _PG_SEARCH.c.highlight_id).where(
            col(Highlight.chat_id) == chat_id, *filters
        )
    return statement, built
