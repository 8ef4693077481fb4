"""Keeping the full-text index in step with the library.

SQLite uses the FTS5 table ``highlight_fts`` (rowid = highlight id); PostgreSQL the
``highlight_search`` table of weighted tsvectors. Both carry a per-chat token so the index
itself restricts a search to one chat.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import text
from sqlmodel import Session

from bot.library._sql import chunked

# The ids travel as one JSON array: an expanding IN would render a placeholder per id,
# a thousand per statement.
_SQLITE_IDS = "(SELECT value FROM json_each(:ids))"
_SQLITE_DELETE = text(f"DELETE FROM highlight_fts WHERE rowid IN {_SQLITE_IDS}")
_SQLITE_INSERT = text(
    f"""
    INSERT INTO highlight_fts (rowid, chat, body, notes, title, author)
    SELECT h.id,
           CASE WHEN h.chat_id < 0 THEN 'cm' || (-h.chat_id) ELSE 'cp' || h.chat_id END,
           h.text,
           COALESCE((SELECT group_concat(n.text, char(10)) FROM note AS n
                     WHERE n.highlight_id = h.id), ''),
           b.title,
           b.author
    FROM highlight AS h JOIN book AS b ON b.id = h.book_id
    WHERE h.id IN {_SQLITE_IDS}
    """
)

# Each book's title and author are tokenised once per chunk, not once per highlight (an
# import brings hundreds of highlights per book). MATERIALIZED: inlined, the planner may
# tokenise every book once per joined row.
_POSTGRES_UPSERT = text(
    """
    WITH h AS (SELECT id, chat_id, book_id, text FROM highlight WHERE id = ANY(:ids)),
    b AS MATERIALIZED (
        SELECT b.id, setweight(to_tsvector('commonplace', b.title || ' ' || b.author), 'C') AS v
        FROM book AS b WHERE b.id IN (SELECT book_id FROM h)),
    n AS (SELECT highlight_id, string_agg(text, E'\\n') AS text FROM note
          WHERE highlight_id = ANY(:ids) GROUP BY highlight_id)
    INSERT INTO highlight_search (highlight_id, document)
    SELECT h.id,
           array_to_tsvector(ARRAY['chat ' || h.chat_id])
           || setweight(to_tsvector('commonplace', h.text), 'A')
           || setweight(to_tsvector('commonplace', COALESCE(n.text, '')), 'B')
           || b.v
    FROM h JOIN b ON b.id = h.book_id LEFT JOIN n ON n.highlight_id = h.id
    ON CONFLICT (highlight_id) DO UPDATE SET document = EXCLUDED.document
    """
)


def chat_token(chat_id: int) -> str:
    """The FTS5 token that stands for one chat (group chat ids are negative)."""
    return f"cm{-chat_id}" if chat_id < 0 else f"cp{chat_id}"


def chat_lexeme(chat_id: int) -> str:
    """The PostgreSQL lexeme that stands for one chat: no text yields it (it has a space)."""
    return f"chat {chat_id}"


def refresh(session: Session, *, highlight_ids: Iterable[int]) -> None:
    """Re-index these highlights from their current text, notes and book."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    for chunk in chunked(highlight_ids):
        if sqlite:
            ids = json.dumps(chunk)
            session.execute(_SQLITE_DELETE, {"ids": ids})
            session.execute(_SQLITE_INSERT, {"ids": ids})
        else:
            session.execute(_POSTGRES_UPSERT, {"ids": chunk})
