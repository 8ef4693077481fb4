"""Chat settings, tag weights, the bot's messages and saved searches.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, without rebuilding the table.
    op.add_column("chat", sa.Column("timezone", sa.String(64), nullable=True))
    op.add_column(
        "chat", sa.Column("delivery_time", sa.String(5), nullable=False, server_default="08:00")
    )
    op.add_column("chat", sa.Column("mode", sa.String(16), nullable=False, server_default="random"))
    op.add_column(
        "chat", sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "chat", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("tag", sa.Column("weight", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "bot_message",
        sa.Column(
            "chat_id",
            sa.BigInteger(),
            sa.ForeignKey("chat.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("message_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column(
            "highlight_id",
            sa.Integer(),
            sa.ForeignKey("highlight.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "chat_id", sa.BigInteger(), sa.ForeignKey("chat.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_saved_search_chat_id", "saved_search", ["chat_id"])
    op.create_index("ix_note_source_ref", "note", ["source_ref"])


def downgrade() -> None:
    op.drop_index("ix_note_source_ref", "note")
    op.drop_table("saved_search")
    op.drop_table("bot_message")
    with op.batch_alter_table("tag") as tag:
        tag.drop_column("weight")
    with op.batch_alter_table("chat") as chat:
        for column in ("active", "paused", "mode", "delivery_time", "timezone"):
            chat.drop_column(column)
