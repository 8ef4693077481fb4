"""The level of a highlight's chapter heading, so that an export writes ``.h3`` back as ``.h3``.

Existing highlights have none: their export writes ``.h1``, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, without rebuilding the table.
    op.add_column("highlight", sa.Column("chapter_level", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("highlight") as highlight:
        highlight.drop_column("chapter_level")
    if op.get_bind().dialect.name == "sqlite":
        # Rebuilding the table dropped its trigger; the index needs it back.
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS highlight_fts_delete AFTER DELETE ON highlight BEGIN "
            "DELETE FROM highlight_fts WHERE rowid = old.id; END"
        )
