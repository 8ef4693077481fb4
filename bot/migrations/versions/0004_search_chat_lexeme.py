"""PostgreSQL search: the chat as a plain lexeme the GIN index answers alone.

The chat used to be a weight-D token (``cp42:D``) in every tsvector. A weight is not stored
in a GIN index, so every candidate row had to be read back (its tsvector detoasted) to check
it: hundreds of milliseconds for a common word in a big chat. The chat is now the lexeme
``'chat 42'`` with no position and no weight; the index intersects it exactly with the
words. No text can forge it: the parser never yields a lexeme with a space in it.
SQLite's FTS5 index keeps its chat column: nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_TOKEN = "CASE WHEN h.chat_id < 0 THEN 'cm' || (-h.chat_id) ELSE 'cp' || h.chat_id END"
_NEW_TOKEN = "array_to_tsvector(ARRAY['chat ' || h.chat_id])"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    # Rewriting every row is much cheaper without the index to maintain: drop, then rebuild.
    op.execute("DROP INDEX ix_highlight_search_document")
    op.execute(
        f"UPDATE highlight_search AS s SET document = {_NEW_TOKEN} "
        f"|| ts_delete(s.document, {_OLD_TOKEN}) "
        "FROM highlight AS h WHERE h.id = s.highlight_id"
    )
    _create_index()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX ix_highlight_search_document")
    op.execute(
        "UPDATE highlight_search AS s SET document = "
        f"setweight(to_tsvector('simple', {_OLD_TOKEN}), 'D') "
        "|| ts_delete(s.document, 'chat ' || h.chat_id) "
        "FROM highlight AS h WHERE h.id = s.highlight_id"
    )
    _create_index()


def _create_index() -> None:
    op.execute("CREATE INDEX ix_highlight_search_document ON highlight_search USING gin (document)")
