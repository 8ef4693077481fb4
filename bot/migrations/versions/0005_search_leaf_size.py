"""SQLite search: FTS5 index leaves as large as the database's pages.

FTS5 writes its index in leaves of about 4,000 bytes (``pgsz``), sized for SQLite's default
4096-byte page. A database made with larger pages (``db.SQLITE_PAGE_SIZE``) gets leaves that
fill them: fewer leaves and fewer merges while an import indexes its highlights. A leaf must
fit in one page, or SQLite spills it onto overflow pages: the margin is FTS5's own (4096 -
4050). Leaves already written stay as they are. PostgreSQL: nothing changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS5_DEFAULT_LEAF = 4050
_MARGIN = 4096 - _FTS5_DEFAULT_LEAF


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    page_size = int(bind.execute(text("PRAGMA page_size")).scalar_one())
    _set_leaf_size(max(page_size - _MARGIN, _FTS5_DEFAULT_LEAF))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _set_leaf_size(_FTS5_DEFAULT_LEAF)


def _set_leaf_size(size: int) -> None:
    op.execute(
        text("INSERT INTO highlight_fts (highlight_fts, rank) VALUES ('pgsz', :size)").bindparams(
            size=size
        )
    )
