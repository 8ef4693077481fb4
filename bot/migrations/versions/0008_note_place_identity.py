"""A note with no highlight is one note per place: its place joins its fingerprint.

Readers type the same short note ("V", "!!") at many places; the same words at another place
are another note (bot.library.identity.note_place). Stored notes get the fingerprint an
import now gives them, so importing the same file again still adds nothing. Highlights keep
theirs: a highlight's place is not part of its identity.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from bot.library.identity import fingerprint, note_place

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOTES = text(
    "SELECT highlight.id, book.key, highlight.text, highlight.location_type, highlight.location "
    "FROM highlight JOIN book ON book.id = highlight.book_id "
    "WHERE highlight.kind = 'note' AND highlight.location IS NOT NULL"
)
_SET = text("UPDATE highlight SET fingerprint = :fingerprint WHERE id = :id")


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(_NOTES).all()
    updates = [
        {"id": id_, "fingerprint": fingerprint(key, "note", words, note_place(kind, location))}
        for id_, key, words, kind, location in rows
    ]
    if updates:
        bind.execute(_SET, updates)


def downgrade() -> None:
    # The fingerprints stay: two notes with the same words at two places would get the same
    # one without their places, which the table's unique constraint refuses. An earlier
    # version reads them as notes it has not seen, and imports them once more.
    pass
