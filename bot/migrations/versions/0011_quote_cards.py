"""Quote cards and inline mode: the theme a chat chose, the file_id of every card Telegram
already has, and an index for inline mode's favorites-then-newest list.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat") as batch:
        batch.add_column(sa.Column("card_theme", sa.String(length=16), nullable=True))
    op.create_table(
        "quote_card",
        sa.Column(
            "highlight_id",
            sa.Integer(),
            sa.ForeignKey("highlight.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("theme", sa.String(length=16), primary_key=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_highlight_chat_favorite", "highlight", ["chat_id", "favorite", "discarded", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_highlight_chat_favorite", table_name="highlight")
    op.drop_table("quote_card")
    with op.batch_alter_table("chat") as batch:
        batch.drop_column("card_theme")
