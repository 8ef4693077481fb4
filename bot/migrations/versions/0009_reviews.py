"""Daily reviews: a review's size, its highlights fixed at claim time, feedback's schedule.

A delivery becomes a review of one or more highlights, keyed by (chat, review, local date)
so that a chat may one day have more than one review a day; every existing delivery is the
chat's ``daily`` review. Chats keep every setting and get a review of 1, as before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0003 left the (chat, local date) constraint unnamed: SQLite's batch mode names it so.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
_OLD_UNIQUE = {
    "sqlite": "uq_delivery_chat_id_local_date",
    "postgresql": "delivery_chat_id_local_date_key",
}


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, so the search trigger on highlight survives.
    op.add_column(
        "chat", sa.Column("review_size", sa.SmallInteger(), nullable=False, server_default="1")
    )
    op.add_column(
        "chat", sa.Column("streaks", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("chat", sa.Column("feedback_due_at", UTCDateTime(), nullable=True))
    op.add_column("highlight", sa.Column("half_life", sa.Float(), nullable=True))
    op.add_column("highlight", sa.Column("due_at", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_highlight_chat_due",
        "highlight",
        ["chat_id", "due_at"],
        sqlite_where=sa.text("due_at IS NOT NULL"),
        postgresql_where=sa.text("due_at IS NOT NULL"),
    )
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table(
        "delivery",
        recreate="always" if dialect == "sqlite" else "auto",
        naming_convention=_SQLITE_NAMES,
    ) as delivery:
        delivery.add_column(
            sa.Column("review", sa.String(32), nullable=False, server_default="daily")
        )
        delivery.add_column(sa.Column("highlight_ids", sa.Text(), nullable=True))
        delivery.add_column(
            sa.Column("size", sa.SmallInteger(), nullable=False, server_default="1")
        )
        delivery.add_column(
            sa.Column("position", sa.SmallInteger(), nullable=False, server_default="0")
        )
        delivery.drop_constraint(_OLD_UNIQUE[dialect], type_="unique")
        delivery.create_unique_constraint(
            "uq_delivery_chat_review_date", ["chat_id", "review", "local_date"]
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM delivery WHERE review <> 'daily'")
    with op.batch_alter_table(
        "delivery", recreate="always" if dialect == "sqlite" else "auto"
    ) as delivery:
        delivery.drop_constraint("uq_delivery_chat_review_date", type_="unique")
        delivery.drop_column("position")
        delivery.drop_column("size")
        delivery.drop_column("highlight_ids")
        delivery.drop_column("review")
        delivery.create_unique_constraint(_OLD_UNIQUE[dialect], ["chat_id", "local_date"])
    op.drop_index("ix_highlight_chat_due", "highlight")
    with op.batch_alter_table("highlight") as highlight:
        highlight.drop_column("due_at")
        highlight.drop_column("half_life")
    if dialect == "sqlite":
        # Rebuilding the table dropped its trigger; the index needs it back.
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS highlight_fts_delete AFTER DELETE ON highlight BEGIN "
            "DELETE FROM highlight_fts WHERE rowid = old.id; END"
        )
    with op.batch_alter_table("chat") as chat:
        chat.drop_column("feedback_due_at")
        chat.drop_column("streaks")
        chat.drop_column("review_size")
