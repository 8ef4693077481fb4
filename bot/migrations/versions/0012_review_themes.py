"""Themed reviews: a chat's saved queries, each a review of its own, some on a schedule.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_theme",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "chat_id",
            sa.BigInteger(),
            sa.ForeignKey("chat.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("delivery_time", sa.String(length=5), nullable=True),
        sa.Column("days", sa.String(length=32), nullable=False, server_default="daily"),
        sa.Column("next_due_at", UTCDateTime(), nullable=True),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("shown", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("chat_id", "name", name="uq_review_theme_chat_name"),
    )
    op.create_index("ix_review_theme_next_due_at", "review_theme", ["next_due_at"])


def downgrade() -> None:
    op.drop_index("ix_review_theme_next_due_at", table_name="review_theme")
    op.drop_table("review_theme")
