"""Loading highlights as a reader sees them: the words, the book, the tags and the notes."""

from __future__ import annotations

from sqlalchemy import select

from bot.db import SessionFactory, unit_of_work
from bot.library.annotating import add_note, add_tags
from bot.library.importing import import_records
from bot.library.views import load_owned_views, load_views
from bot.models import Highlight, table_of
from bot.parsers import ParsedHighlight, ParseResult

CHAT = 11
OTHER = 12
_HIGHLIGHT = table_of(Highlight)


def _import(sessions: SessionFactory, chat_id: int, records: list[ParsedHighlight]) -> list[int]:
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=chat_id, result=ParseResult("test", records))
        return list(
            session.execute(
                select(_HIGHLIGHT.c.id)
                .where(_HIGHLIGHT.c.chat_id == chat_id)
                .order_by(_HIGHLIGHT.c.id)
            ).scalars()
        )


def test_tags_come_sorted_and_notes_in_the_order_they_were_written(
    sessions: SessionFactory,
) -> None:
    tagged, plain = _import(
        sessions,
        CHAT,
        [
            ParsedHighlight(
                book_title="Walden",
                author="Henry David Thoreau",
                text="I went to the woods",
                tags=["zen", "nature"],
                notes=["a note from the file"],
            ),
            ParsedHighlight(book_title="Walden", text="Simplify, simplify"),
        ],
    )
    with unit_of_work(sessions) as session:
        add_tags(session, chat_id=CHAT, highlight_id=tagged, names=["ästhetik", "Calm"])
        # Notes that would sort the other way by their text: the order is when they came.
        add_note(session, chat_id=CHAT, highlight_id=tagged, text="Z: written second")
        add_note(session, chat_id=CHAT, highlight_id=tagged, text="A: written third")

    with sessions() as session:
        views = load_views(session, chat_id=CHAT, ids=[plain, tagged])

    assert [view.id for view in views] == [plain, tagged]
    assert (views[0].tags, views[0].notes) == ([], [])
    assert views[1].tags == ["calm", "nature", "zen", "ästhetik"]
    assert views[1].notes == ["a note from the file", "Z: written second", "A: written third"]
    assert (views[1].book_title, views[1].author, views[1].text) == (
        "Walden",
        "Henry David Thoreau",
        "I went to the woods",
    )


def test_a_highlight_is_loaded_only_for_its_own_chat(sessions: SessionFactory) -> None:
    (mine,) = _import(sessions, CHAT, [ParsedHighlight(book_title="Mine", text="mine", tags=["t"])])
    (theirs,) = _import(
        sessions, OTHER, [ParsedHighlight(book_title="Theirs", text="theirs", notes=["n"])]
    )

    with sessions() as session:
        asked_by_me = load_views(session, chat_id=CHAT, ids=[theirs, mine, 10**9])
        owned = load_owned_views(session, owners={mine: CHAT, theirs: CHAT})
        both = load_owned_views(session, owners={mine: CHAT, theirs: OTHER})

    assert [view.text for view in asked_by_me] == ["mine"]
    assert list(owned) == [mine]
    assert {view.text: (view.tags, view.notes) for view in both.values()} == {
        "mine": (["t"], []),
        "theirs": ([], ["n"]),
    }
