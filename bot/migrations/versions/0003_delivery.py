"""Daily delivery: due times, the shuffle order, and one claim per chat and local day.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, so the search trigger on highlight survives.
    op.add_column("chat", sa.Column("next_due_at", UTCDateTime(), nullable=True))
    op.add_column("chat", sa.Column("next_due_date", sa.Date(), nullable=True))
    op.create_index("ix_chat_next_due_at", "chat", ["next_due_at"])
    op.add_column(
        "highlight", sa.Column("shuffle_key", sa.Float(), nullable=False, server_default="0")
    )
    op.add_column(
        "highlight",
        sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    # Existing libraries get a random order now; new highlights get theirs on import.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE highlight SET shuffle_key = (abs(random()) % 1000000007) / 1000000007.0")
    else:
        op.execute("UPDATE highlight SET shuffle_key = random()")
    op.create_index(
        "ix_highlight_chat_pending_shuffle", "highlight", ["chat_id", "pending", "shuffle_key"]
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "chat_id", sa.BigInteger(), sa.ForeignKey("chat.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column(
            "highlight_id",
            sa.Integer(),
            sa.ForeignKey("highlight.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", "local_date"),
    )
    op.create_index("ix_delivery_status", "delivery", ["status"])


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_index("ix_highlight_chat_pending_shuffle", "highlight")
    with op.batch_alter_table("highlight") as highlight:
        highlight.drop_column("pending")
        highlight.drop_column("shuffle_key")
    if op.get_bind().dialect.name == "sqlite":
        # Rebuilding the table dropped its trigger; the index needs it back.
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS highlight_fts_delete AFTER DELETE ON highlight BEGIN "
            "DELETE FROM highlight_fts WHERE rowid = old.id; END"
        )
    op.drop_index("ix_chat_next_due_at", "chat")
    with op.batch_alter_table("chat") as chat:
        chat.drop_column("next_due_date")
        chat.drop_column("next_due_at")
