"""The library: chats, books, highlights, tags, notes, imports and the search index.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _chat_id() -> sa.Column[int]:
    return sa.Column(
        "chat_id", sa.BigInteger(), sa.ForeignKey("chat.id", ondelete="CASCADE"), nullable=False
    )


def _created(name: str = "created_at") -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "chat",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        _created(),
    )
    op.create_table(
        "book",
        sa.Column("id", sa.Integer(), primary_key=True),
        _chat_id(),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        _created(),
        sa.UniqueConstraint("chat_id", "key"),
    )
    op.create_index("ix_book_chat_id", "book", ["chat_id"])
    op.create_table(
        "highlight",
        sa.Column("id", sa.Integer(), primary_key=True),
        _chat_id(),
        sa.Column(
            "book_id", sa.Integer(), sa.ForeignKey("book.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("location_type", sa.String(16), nullable=True),
        sa.Column("location_start", sa.Integer(), nullable=True),
        sa.Column("chapter", sa.Text(), nullable=True),
        sa.Column("color", sa.Text(), nullable=True),
        sa.Column("highlighted_at", UTCDateTime(), nullable=True),
        sa.Column("favorite", sa.Boolean(), nullable=False),
        sa.Column("discarded", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _created(),
        _created("updated_at"),
        sa.UniqueConstraint("chat_id", "fingerprint"),
    )
    op.create_index("ix_highlight_chat_id", "highlight", ["chat_id"])
    op.create_index("ix_highlight_book_location", "highlight", ["book_id", "location_start"])
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), primary_key=True),
        _chat_id(),
        sa.Column("name", sa.String(128), nullable=False),
        sa.UniqueConstraint("chat_id", "name"),
    )
    op.create_index("ix_tag_chat_id", "tag", ["chat_id"])
    op.create_table(
        "highlight_tag",
        sa.Column(
            "highlight_id",
            sa.Integer(),
            sa.ForeignKey("highlight.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "tag_id", sa.Integer(), sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_index("ix_highlight_tag_tag_id", "highlight_tag", ["tag_id"])
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "highlight_id",
            sa.Integer(),
            sa.ForeignKey("highlight.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=True),
        _created(),
    )
    op.create_index("ix_note_highlight_id", "note", ["highlight_id"])
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        _chat_id(),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        _created(),
    )
    op.create_index("ix_import_run_chat_id", "import_run", ["chat_id"])
    _create_search_index()


def _create_search_index() -> None:
    """The full-text index: FTS5 on SQLite, a GIN-indexed tsvector table on PostgreSQL.

    Each document carries a chat token (``chat`` column / a 'simple' lexeme) so that the
    index itself narrows a search to one chat instead of filtering afterwards.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE highlight_fts USING fts5("
            "chat, body, notes, title, author, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        # Cascading deletes (a chat leaving, a book removed) must not leave ghosts in the index.
        op.execute(
            "CREATE TRIGGER highlight_fts_delete AFTER DELETE ON highlight BEGIN "
            "DELETE FROM highlight_fts WHERE rowid = old.id; END"
        )
        return
    # English stemming that also ignores accents, so "cafe" finds "Café" as on SQLite.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH CONFIGURATION commonplace (COPY = english)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION commonplace "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
    )
    op.create_table(
        "highlight_search",
        sa.Column(
            "highlight_id",
            sa.Integer(),
            sa.ForeignKey("highlight.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
    )
    op.create_index(
        "ix_highlight_search_document",
        "highlight_search",
        ["document"],
        postgresql_using="gin",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER highlight_fts_delete")
        op.execute("DROP TABLE highlight_fts")
    else:
        op.drop_table("highlight_search")
        op.execute("DROP TEXT SEARCH CONFIGURATION commonplace")
    for table in ("import_run", "note", "highlight_tag", "tag", "highlight", "book", "chat"):
        op.drop_table(table)
