"""import_file: a file on disk imports exactly as its bytes do, a block at a time."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

import bot.parsers
from bot.db import SessionFactory, unit_of_work
from bot.library.errors import ImportRejected
from bot.library.exporting import iter_library
from bot.library.importing import import_bytes, import_file
from bot.models import Highlight
from bot.parsers import kindle_clippings

KINDLE = Path(__file__).parents[1] / "fixtures" / "kindle"
SEED = Path(__file__).parents[2] / "seeds" / "the-devops-handbook.txt"
LIMIT = 10 * 1024 * 1024


def library(sessions: SessionFactory, chat_id: int) -> list[tuple[object, ...]]:
    """The chat's highlights without their ids and timestamps, which differ between chats."""
    with sessions() as session:
        views = list(iter_library(session, chat_id=chat_id))
    skip = {"id", "created_at", "updated_at", "chat_id", "book_id"}
    return [
        tuple(v for k, v in dataclasses.asdict(view).items() if k not in skip) for view in views
    ]


@pytest.mark.parametrize("name", ["en.txt", "notes.txt", "edits.txt", "utf16.txt", "cp1252.txt"])
def test_a_file_imports_as_its_bytes_do(
    sessions: SessionFactory, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small blocks, so that even these short files are read in many pieces.
    monkeypatch.setattr(bot.parsers, "BLOCK", 50)
    monkeypatch.setattr(kindle_clippings, "_BLOCK", 50)
    path = KINDLE / name
    with unit_of_work(sessions) as session:
        by_bytes = import_bytes(
            session, chat_id=1, data=path.read_bytes(), max_bytes=LIMIT, filename=name
        )
    with unit_of_work(sessions) as session:
        by_path = import_file(session, chat_id=2, path=path, max_bytes=LIMIT, filename=name)
    assert by_path == by_bytes
    assert library(sessions, 2) == library(sessions, 1)
    assert by_path.new > 0


def test_a_second_import_of_a_file_adds_nothing(sessions: SessionFactory) -> None:
    with unit_of_work(sessions) as session:
        first = import_file(session, chat_id=3, path=SEED, max_bytes=LIMIT)
    with unit_of_work(sessions) as session:
        second = import_file(session, chat_id=3, path=SEED, max_bytes=LIMIT)
    assert first.new > 100
    assert (second.new, second.updated, second.notes) == (0, 0, 0)
    assert second.duplicates == first.new + first.duplicates
    with sessions() as session:
        stored = session.execute(
            select(func.count()).select_from(Highlight).where(Highlight.chat_id == 3)  # type: ignore[arg-type]
        ).scalar_one()
    assert stored == first.new


def test_new_highlights_land_in_their_own_chat_beside_another(sessions: SessionFactory) -> None:
    # The new rows are read back by id range: rows of another chat inside it are not ours.
    with unit_of_work(sessions) as session:
        other = import_file(session, chat_id=4, path=KINDLE / "en.txt", max_bytes=LIMIT)
    with unit_of_work(sessions) as session:
        mine = import_file(session, chat_id=5, path=KINDLE / "en.txt", max_bytes=LIMIT)
    assert mine.new == other.new > 0
    assert library(sessions, 5) == library(sessions, 4)


def test_too_large_and_unreadable_files_are_rejected(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    with unit_of_work(sessions) as session, pytest.raises(ImportRejected, match="import limit"):
        import_file(session, chat_id=6, path=SEED, max_bytes=1000)
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 50)
    with unit_of_work(sessions) as session, pytest.raises(ImportRejected, match="binary"):
        import_file(session, chat_id=6, path=binary, max_bytes=LIMIT)
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Highlight)).scalar_one() == 0
