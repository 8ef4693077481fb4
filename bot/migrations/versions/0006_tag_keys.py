"""Tags keep their spelling: a key that every spelling of a tag shares.

A tag was stored with its spaces turned into ``-`` (``knowledge-management``); it is now
stored as written (``knowledge management``) and found by its key, the name in lower case
with its words one space apart whether ``-``, ``_`` or spaces separated them. Existing names
stay as they are: which of them had spaces cannot be known.

Two existing tags of a chat with the same key (``deep-work`` and ``deep_work``) become one:
the older keeps its name and takes over the other's highlights, and the weight of the first
of them, oldest first, whose weight is not the default 1.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# bot.parsers.tags.tag_key as it is at this revision: a migration must not change with the code.
_SEPARATORS = re.compile(r"[\s_-]+")


def _key(name: str) -> str:
    return " ".join(_SEPARATORS.sub(" ", name.casefold()).split())


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, without rebuilding the table.
    op.add_column("tag", sa.Column("key", sa.String(128), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, chat_id, name, weight FROM tag ORDER BY id")).all()
    kept: dict[tuple[int, str], tuple[int, int]] = {}  # (chat, key) -> (tag id, weight)
    for tag_id, chat_id, name, weight in rows:
        key = _key(name) or name
        first = kept.get((chat_id, key))
        if first is None:
            kept[chat_id, key] = (tag_id, weight)
            bind.execute(
                sa.text("UPDATE tag SET key = :key WHERE id = :id"), {"key": key, "id": tag_id}
            )
            continue
        _merge(bind, into=first[0], tag_id=tag_id)
        if first[1] == 1 and weight != 1:
            kept[chat_id, key] = (first[0], weight)
            bind.execute(
                sa.text("UPDATE tag SET weight = :weight WHERE id = :id"),
                {"weight": weight, "id": first[0]},
            )
    op.create_index("ux_tag_chat_key", "tag", ["chat_id", "key"], unique=True)


def _merge(bind: sa.Connection, *, into: int, tag_id: int) -> None:
    """Move a tag's highlights to another tag of the same key, then drop it."""
    bind.execute(
        sa.text(
            "INSERT INTO highlight_tag (highlight_id, tag_id) "
            "SELECT highlight_id, :into FROM highlight_tag AS moving "
            "WHERE moving.tag_id = :tag AND NOT EXISTS ("
            "SELECT 1 FROM highlight_tag AS present "
            "WHERE present.tag_id = :into AND present.highlight_id = moving.highlight_id)"
        ),
        {"into": into, "tag": tag_id},
    )
    bind.execute(sa.text("DELETE FROM highlight_tag WHERE tag_id = :tag"), {"tag": tag_id})
    bind.execute(sa.text("DELETE FROM tag WHERE id = :tag"), {"tag": tag_id})


def downgrade() -> None:
    op.drop_index("ux_tag_chat_key", "tag")
    with op.batch_alter_table("tag") as tag:
        tag.drop_column("key")
