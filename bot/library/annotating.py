"""Tags, notes and flags a reader puts on a highlight, always within their own chat."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlmodel import Session, col

from bot.library import search_index, selection
from bot.library._sql import insert_ignore
from bot.library.errors import LibraryError
from bot.library.tagging import ensure_tags, find_tags
from bot.models import Highlight, HighlightTag, Note, Tag, table_of, utcnow
from bot.parsers.tags import hashtag_tag, normalize_tag, tag_key, unique_tags

TELEGRAM = "telegram"
FAVORITE_REACTIONS = frozenset({"❤", "❤️", "👍", "🔥", "⭐", "🌟", "😍", "🥰", "💯"})
_LEADING_TAG = re.compile(
    r'^(-?)(?:[#.](\w[\w-]*)|tag:(?:"([^"]*)"|([^\s"]+)))(?=\s|$)', re.IGNORECASE
)


class NotInLibrary(LibraryError):
    """The highlight does not exist in this chat (it may belong to another one)."""

    def __init__(self) -> None:
        super().__init__("That highlight is not in your library any more.")


@dataclass(slots=True)
class Annotation:
    """What a reply to a highlight asks for: tags to add or remove, and a note."""

    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.add or self.remove or self.note)


@dataclass(slots=True)
class AnnotationResult:
    """What applying an Annotation changed."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    note_saved: bool = False


def parse_annotation(text: str) -> Annotation:
    """Leading ``#word``/``.word``/``tag:"some words"`` tokens add tags, ``-#word`` removes;
    the rest is a note. In a hashtag ``_`` stands for a space (``hashtag_tag``)."""
    result = Annotation()
    rest = text.strip()
    while match := _LEADING_TAG.match(rest):
        negated, hashtag, quoted, bare = match.groups()
        name = normalize_tag(quoted) if quoted is not None else hashtag_tag(hashtag or bare)
        if name is not None:
            (result.remove if negated else result.add).append(name)
        rest = rest[match.end() :].lstrip()
    result.add = unique_tags(result.add)
    result.remove = unique_tags(result.remove)
    result.note = rest
    return result


def owned(session: Session, *, chat_id: int, highlight_id: int) -> Highlight:
    """The chat's highlight, or NotInLibrary; the one gate every change passes."""
    highlight = session.get(Highlight, highlight_id)
    if highlight is None or highlight.chat_id != chat_id:
        raise NotInLibrary
    return highlight


def add_tags(session: Session, *, chat_id: int, highlight_id: int, names: list[str]) -> list[str]:
    """Tag a highlight; returns the tags that were not on it yet, as the chat spells them."""
    owned(session, chat_id=chat_id, highlight_id=highlight_id)
    wanted = unique_tags(names)
    if not wanted:
        return []
    tags = ensure_tags(session, chat_id=chat_id, names=wanted)
    present = set(
        session.execute(
            select(col(HighlightTag.tag_id)).where(col(HighlightTag.highlight_id) == highlight_id)
        ).scalars()
    )
    added = [tags[tag_key(name)] for name in wanted if tags[tag_key(name)].id not in present]
    insert_ignore(
        session,
        table_of(HighlightTag),
        [{"highlight_id": highlight_id, "tag_id": tag.id} for tag in added],
    )
    if added:
        selection.rekey(session, chat_id=chat_id, highlight_ids=[highlight_id])
    return [tag.name for tag in added]


def remove_tags(
    session: Session, *, chat_id: int, highlight_id: int, names: list[str]
) -> list[str]:
    """Untag a highlight; returns the tags that were on it, as the chat spells them."""
    owned(session, chat_id=chat_id, highlight_id=highlight_id)
    tags = find_tags(session, chat_id=chat_id, names=unique_tags(names))
    on_it = set(
        session.execute(
            select(col(HighlightTag.tag_id)).where(
                col(HighlightTag.highlight_id) == highlight_id,
                col(HighlightTag.tag_id).in_([tag.id for tag in tags.values()]),
            )
        ).scalars()
    )
    if on_it:
        session.execute(
            delete(HighlightTag).where(
                col(HighlightTag.highlight_id) == highlight_id,
                col(HighlightTag.tag_id).in_(on_it),
            )
        )
        selection.rekey(session, chat_id=chat_id, highlight_ids=[highlight_id])
    return [tag.name for tag in tags.values() if tag.id in on_it]


def add_note(
    session: Session,
    *,
    chat_id: int,
    highlight_id: int,
    text: str,
    source_ref: str | None = None,
) -> Note:
    """Attach a note written in Telegram; ``source_ref`` names the message that carried it."""
    owned(session, chat_id=chat_id, highlight_id=highlight_id)
    body = text.strip()
    if not body:
        raise LibraryError("A note needs some text.")
    note = Note(highlight_id=highlight_id, text=body, source=TELEGRAM, source_ref=source_ref)
    session.add(note)
    session.flush()
    search_index.refresh(session, highlight_ids=[highlight_id])
    return note


def edit_note(session: Session, *, chat_id: int, source_ref: str, text: str) -> bool:
    """Replace the text of the note a message created; False when there is none in this chat."""
    note = session.execute(
        select(Note)
        .join(Highlight, col(Highlight.id) == col(Note.highlight_id))
        .where(
            col(Note.source) == TELEGRAM,
            col(Note.source_ref) == source_ref,
            col(Highlight.chat_id) == chat_id,
        )
    ).scalar_one_or_none()
    body = text.strip()
    if note is None or not body:
        return False
    note.text = body
    session.flush()
    search_index.refresh(session, highlight_ids=[note.highlight_id])
    return True


def annotate(
    session: Session,
    *,
    chat_id: int,
    highlight_id: int,
    annotation: Annotation,
    source_ref: str | None = None,
) -> AnnotationResult:
    """Apply a reply's tags and note to a highlight."""
    result = AnnotationResult()
    result.added = add_tags(
        session, chat_id=chat_id, highlight_id=highlight_id, names=annotation.add
    )
    result.removed = remove_tags(
        session, chat_id=chat_id, highlight_id=highlight_id, names=annotation.remove
    )
    if annotation.note:
        add_note(
            session,
            chat_id=chat_id,
            highlight_id=highlight_id,
            text=annotation.note,
            source_ref=source_ref,
        )
        result.note_saved = True
    return result


def toggle_tag(
    session: Session, *, chat_id: int, highlight_id: int, tag_id: int, on: bool
) -> list[str]:
    """Put one of the chat's tags (by id) on a highlight or take it off; returns the change."""
    tag = session.get(Tag, tag_id)
    if tag is None or tag.chat_id != chat_id:
        raise NotInLibrary
    change = add_tags if on else remove_tags
    return change(session, chat_id=chat_id, highlight_id=highlight_id, names=[tag.name])


def set_favorite(
    session: Session, *, chat_id: int, highlight_id: int, favorite: bool | None = None
) -> bool:
    """Set (or, with None, toggle) the favorite flag; returns the new value."""
    highlight = owned(session, chat_id=chat_id, highlight_id=highlight_id)
    highlight.favorite = (not highlight.favorite) if favorite is None else favorite
    highlight.updated_at = utcnow()
    session.flush()
    selection.rekey(session, chat_id=chat_id, highlight_ids=[highlight_id])
    return highlight.favorite


def set_discarded(session: Session, *, chat_id: int, highlight_id: int, discarded: bool) -> None:
    """Discard a highlight (never delivered again) or take it back."""
    highlight = owned(session, chat_id=chat_id, highlight_id=highlight_id)
    highlight.discarded = discarded
    highlight.updated_at = utcnow()


def is_favorite_reaction(emoji: str) -> bool:
    """Whether a reaction means "I love this one"."""
    return emoji in FAVORITE_REACTIONS
