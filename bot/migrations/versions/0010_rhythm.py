"""A chat's days and snooze, and a book's frequency.

``chat.days`` is the rhythm of the review (``bot.delivery.rhythm``); every existing chat gets
``daily``, which is what it had. ``chat.paused_until`` ends a snooze; none is set. Every book
starts at ``normal`` frequency (weight 1), so picks are what they were.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chat", sa.Column("days", sa.String(32), nullable=False, server_default="daily"))
    op.add_column("chat", sa.Column("paused_until", UTCDateTime(), nullable=True))
    op.add_column(
        "book", sa.Column("frequency", sa.String(8), nullable=False, server_default="normal")
    )


def downgrade() -> None:
    with op.batch_alter_table("book") as book:
        book.drop_column("frequency")
    with op.batch_alter_table("chat") as chat:
        chat.drop_column("paused_until")
        chat.drop_column("days")
