"""The Anki deck and the Obsidian zip, read back the way Anki and Obsidian read them."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import yaml
from sqlmodel import Session

from bot.library.export_obsidian import file_name, yaml_string
from bot.library.exporting import export_file
from bot.library.importing import import_records
from bot.parsers import ParsedHighlight, ParseResult
from bot.parsers.records import Kind, LocationType

CHAT = 21
OTHER = 22
WISDOM = 'Wisdom cannot be imparted. <b>Not</b> "even" by\ta teacher.\nIt must be found.'
RIVER = "The river is everywhere at the same time."
BE_ONE = "Waste no more time arguing what a good man should be. Be one."
SECRET = "Another reader's highlight, never to be seen here."
TITLE = 'Siddhartha: "An Indian Tale" #1 / [draft]'


def _library() -> list[ParsedHighlight]:
    return [
        ParsedHighlight(
            book_title=TITLE,
            author="Hermann Hesse",
            text=WISDOM,
            location="1375",
            location_type=LocationType.LOCATION,
            location_start=1375,
            chapter="The Ferryman",
            tags=["knowledge management", "wisdom"],
            notes=["Compare <Plato>", "Second\nthought"],
            favorite=True,
        ),
        ParsedHighlight(book_title=TITLE, author="Hermann Hesse", text=RIVER, tags=["river"]),
        ParsedHighlight(book_title="Meditations", author="Marcus Aurelius", text=BE_ONE),
        ParsedHighlight(
            book_title="Meditations", author="Marcus Aurelius", kind=Kind.NOTE, text="Re-read"
        ),
    ]


def _import(session: Session, chat_id: int, records: list[ParsedHighlight]) -> None:
    import_records(session, chat_id=chat_id, result=ParseResult("test", records))


def _anki_rows(session: Session, chat_id: int = CHAT) -> tuple[list[str], list[list[str]]]:
    data = export_file(session, chat_id=chat_id, fmt="anki")
    assert data is not None
    lines = data.decode().splitlines(keepends=True)
    header = [line.rstrip("\n") for line in lines if line.startswith("#")]
    body = "".join(line for line in lines if not line.startswith("#"))
    return header, list(csv.reader(io.StringIO(body), delimiter="\t"))


def _vault(session: Session, chat_id: int = CHAT) -> dict[str, str]:
    data = export_file(session, chat_id=chat_id, fmt="obsidian")
    assert data is not None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _front_matter(note: str) -> dict[str, object]:
    match = re.match(r"---\n(.*?)\n---\n", note, re.DOTALL)
    assert match, note
    loaded = yaml.safe_load(match.group(1))
    assert isinstance(loaded, dict)
    return loaded


def test_the_anki_deck_has_anki_headers_escaped_fields_and_tags(session: Session) -> None:
    _import(session, CHAT, _library())
    _import(session, OTHER, [ParsedHighlight(book_title=TITLE, text=SECRET)])

    header, rows = _anki_rows(session)

    assert header == [
        "#separator:tab",
        "#html:true",
        "#deck:Commonplace",
        "#columns:GUID\tFront\tBack\tTags",
        "#guid column:1",
        "#tags column:4",
    ]
    assert all(len(row) == 4 for row in rows)
    wisdom = next(row for row in rows if "Wisdom" in row[1])
    assert wisdom[1] == (
        "Wisdom cannot be imparted. &lt;b&gt;Not&lt;/b&gt; &quot;even&quot; by a teacher."
        "<br>It must be found."
    )
    assert wisdom[2] == (
        "<i>Siddhartha: &quot;An Indian Tale&quot; #1 / [draft]</i> — Hermann Hesse<br>"
        "The Ferryman<br>Location 1375<br>📝 Compare &lt;Plato&gt;<br>📝 Second<br>thought"
    )
    assert wisdom[3].split(" ") == ["knowledge_management", "wisdom", "favorite"]
    note = next(row for row in rows if "Re-read" in row[1])
    assert note[1] == "<i>Note:</i> Re-read"
    assert note[2] == "<i>Meditations</i> — Marcus Aurelius"
    assert len({row[0] for row in rows}) == len(rows) == 4
    assert SECRET not in str(rows)


def test_anki_guids_stay_the_same_when_the_library_grows(session: Session) -> None:
    _import(session, CHAT, _library())
    _, first = _anki_rows(session)
    _, again = _anki_rows(session)
    assert again == first

    # A new highlight that comes first in the export: the old ones keep their GUIDs.
    first_place = ParsedHighlight(
        book_title=TITLE,
        author="Hermann Hesse",
        text="Om",
        location="1",
        location_type=LocationType.LOCATION,
        location_start=1,
    )
    _import(session, CHAT, [first_place])
    _, grown = _anki_rows(session)

    guids = {row[1]: row[0] for row in grown}
    assert {row[1]: row[0] for row in first}.items() <= guids.items()
    assert len(grown) == 5 and len(set(guids.values())) == 5


def test_the_obsidian_zip_has_one_note_per_book_with_front_matter(session: Session) -> None:
    _import(session, CHAT, _library())
    _import(session, OTHER, [ParsedHighlight(book_title=TITLE, text=SECRET)])

    vault = _vault(session)

    assert len(vault) == 2
    siddhartha = next(text for name, text in vault.items() if "Siddhartha" in name)
    name = next(name for name in vault if "Siddhartha" in name)
    assert re.fullmatch(r"Commonplace/Siddhartha An Indian Tale 1 draft \(\d+\)\.md", name)
    assert _front_matter(siddhartha) == {
        "title": TITLE,
        "author": "Hermann Hesse",
        "tags": ["knowledge-management", "river", "wisdom"],
        "source": "Commonplace",
    }
    blocks = re.findall(r"^\^cp-(\d+)$", siddhartha, re.MULTILINE)
    assert len(blocks) == 2
    assert (
        "## The Ferryman\n\n"
        '> Wisdom cannot be imparted. <b>Not</b> "even" by\ta teacher.\n'
        "> It must be found.\n\n"
        f"^cp-{blocks[0]}\n\n"
        "Location 1375 · #knowledge-management · #wisdom · ⭐ favorite\n\n"
        "- Compare <Plato>\n- Second\n  thought\n"
    ) in siddhartha
    meditations = next(text for name, text in vault.items() if "Meditations" in name)
    assert _front_matter(meditations)["tags"] == []
    assert "> **Note:** Re-read\n" in meditations
    assert SECRET not in "".join(vault.values())


def test_an_obsidian_export_over_the_vault_replaces_its_files(session: Session) -> None:
    _import(session, CHAT, _library())
    first = _vault(session)
    assert _vault(session) == first
    assert export_file(session, chat_id=CHAT, fmt="obsidian") == export_file(
        session, chat_id=CHAT, fmt="obsidian"
    )

    _import(session, CHAT, [ParsedHighlight(book_title=TITLE, author="Hermann Hesse", text="Om")])
    grown = _vault(session)

    assert set(grown) == set(first)
    name = next(name for name in first if "Siddhartha" in name)
    old_ids = re.findall(r"^\^cp-\d+$", first[name], re.MULTILINE)
    new_ids = re.findall(r"^\^cp-\d+$", grown[name], re.MULTILINE)
    assert set(old_ids) < set(new_ids) and len(new_ids) == 3


def test_file_names_are_safe_everywhere_and_unique_per_book() -> None:
    assert file_name("CON", 3) == "Book CON (3).md"
    assert file_name("nul.txt", 4) == "Book nul.txt (4).md"
    assert file_name('a/b\\c:d*e?f"g<h>i|j#k^l[m]n\x01', 5) == "a b c d e f g h i j k l m n (5).md"
    assert file_name("...", 6) == "Book (6).md"
    assert file_name("Ends with dots...", 7) == "Ends with dots (7).md"
    long = file_name("é" * 300, 8)
    assert len(long.encode()) < 200
    assert file_name("Same", 1) != file_name("Same", 2)


def test_yaml_strings_read_back_as_written() -> None:
    for text in ["plain", 'a: "b" #c', "yes", "null", "line\nbreak", "\u2028\x85\ufeff", "- x"]:
        assert yaml.safe_load(f"key: {yaml_string(text)}") == {"key": text}, text


def test_an_empty_library_exports_nothing(session: Session) -> None:
    _import(session, OTHER, [ParsedHighlight(book_title=TITLE, text=SECRET)])
    assert export_file(session, chat_id=CHAT, fmt="anki") is None
    assert export_file(session, chat_id=CHAT, fmt="obsidian") is None
