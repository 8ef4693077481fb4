"""What a correct import of each real-world corpus file should give, counted independently.

This script deliberately shares no code with `bot/`: it is a second, simple reading of the same
files, so that `compare.py` can hold the importer against it. It counts, per file:

- highlights: distinct after collapsing exact repeats (same book, same place, same text), with a
  range: "no edit collapsed" (the upper bound) and "every edit collapsed" (the lower bound: a
  highlight whose text is contained in, or overlaps as suffix/prefix with, another highlight of
  the same book at an overlapping place counts once);
- notes: distinct after collapsing exact repeats (same book, place and text, on the same
  highlight; empty notes are not notes), and how many sit where a highlight ends (Kindle
  writes a note at the END location of its highlight; page-only records use the page);
- exact repeats, bookmarks, empty highlights and clipping-limit placeholders.

Usage: python tests/corpus/expected_counts.py [CORPUS_DIR]   (default /work/corpus)
The corpus is outside the repository (people's personal files); see docs/real-exports.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import expected_binary_formats
import expected_text_formats

DEFAULT_CORPUS = Path("/work/corpus")
TEXT_FORMATS = {
    "koreader-lua": expected_text_formats.read_koreader_lua,
    "koreader-json": expected_text_formats.read_koreader_json,
    "bookcision": expected_text_formats.read_bookcision,
    "readwise-md": expected_text_formats.read_readwise_markdown,
}

# A place is (unit, start, end): unit "loc" when the record has a location, else "page".
Place = tuple[str, int, int]


@dataclass(frozen=True)
class Record:
    book: str
    kind: str  # highlight, note, bookmark or unknown
    place: Place | None
    text: str
    # For a note: the text of the highlight it is on, the last one before it in the book that
    # ends at its place, else the first one after it. The same words on two highlights that
    # end at one place ("Teachers" on two passages that both end at location 1442) are two
    # notes.
    follows: str = ""


@dataclass
class Expected:
    records: int = 0
    highlights_max: int = 0  # no edit collapsed
    highlights_min: int = 0  # every edit collapsed
    notes: int = 0
    notes_at_highlight_end: int = 0
    repeats: int = 0
    bookmarks: int = 0
    empty: int = 0
    placeholders: int = 0
    unread: list[str] = field(default_factory=list)  # details lines this script could not read

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "unread": len(self.unread)}


# --- decoding ------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text with BOMs removed everywhere and LF line ends."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


# --- Kindle My Clippings.txt ---------------------------------------------------------------

# The kind, by the words each device language uses (docs/formats.md and the corpus itself).
KINDS = {
    "highlight": re.compile(
        r"Highlight|Underline|Markierung|subrayado|resaltado|surlignement|evidenziazione|"
        r"destaque|выделенный отрывок|标注|ハイライト|highlight",
    ),
    "note": re.compile(r"Note|Notiz|nota\b|note\b|notitie|заметка|笔记|メモ"),
    "bookmark": re.compile(
        r"Bookmark|Lesezeichen|marcador|signet|segnalibro|bladwijzer|закладка|书签|ブックマーク"
    ),
}
# The part of the details line that says when: everything from these words on is ignored.
DATE_WORDS = re.compile(
    r"Added on|Hinzugefügt am|Añadido el|Ajouté le|Aggiunto in data|Toegevoegd op|Adicionado:|"
    r"Добавлено:|添加于|作成日"
)
RANGE = r"([0-9]+|[ivxlcdm]+)(?:\s*(?:-|–|t/m)\s*([0-9]+|[ivxlcdm]+))?"
PAGE = re.compile(
    r"(?:\bpage|\bPage|Seite|página|pagina|странице|第)\s*"
    + RANGE
    + r"|"
    + r"([0-9]+)(?:-([0-9]+))?\s*(?:ページ|page)"
)
LOCATION = re.compile(
    r"(?:[Ll]ocation(?: No\.)?|Loc\.|Position|posición|posição|emplacement|posizione|locatie|"
    r"[Мм]есте|[Мм]есто|位置\s*(?:No\.)?\s*#?)\s*" + RANGE
)
ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def number(token: str) -> int:
    """A page or location number; roman page numbers count as negative, before page 1."""
    if token.isdigit():
        return int(token)
    total = 0
    for here, after in zip(token, token[1:] + " ", strict=True):
        value = ROMAN[here]
        total += -value if after != " " and ROMAN[after] > value else value
    return -total


def span(start: str, end: str | None) -> tuple[int, int]:
    """(start, end) of a range; old devices abbreviate the end (466-69 means 466-469)."""
    first = number(start)
    if end is None:
        return first, first
    last = number(end)
    if 0 <= last < first and len(end) < len(start):
        last = int(start[: len(start) - len(end)] + end)
    return first, last


def read_details(line: str) -> tuple[str, Place | None]:
    """The kind and the place of one details line ("unknown" when no kind word is found)."""
    head = DATE_WORDS.split(line, maxsplit=1)[0]
    kind = next((name for name, words in KINDS.items() if words.search(head)), "unknown")
    locations = [span(m[1], m[2]) for m in LOCATION.finditer(head)]
    pages = [span(m[1] or m[3], m[2] or m[4]) for m in PAGE.finditer(head)]
    if len(locations) == 2 and not pages:
        # "Your Highlight at location 174 | location 2665-2666": the first one is the page.
        pages, locations = locations[:1], locations[1:]
    if locations:
        return kind, ("loc", *locations[-1])
    if pages:
        return kind, ("page", *pages[-1])
    return kind, None


PLACEHOLDER = re.compile(r"^<[^<>\n]{10,}>$")


def read_clippings(text: str, expected: Expected) -> list[Record]:
    records = read_clipping_records(text, expected)
    # Each note's highlight: the latest before it ending at its place, else the first after.
    ending: dict[tuple[str, str, int], str] = {}

    def at(record: Record) -> tuple[str, str, int]:
        assert record.place is not None
        return record.book, record.place[0], record.place[2]

    for index, record in enumerate(records):
        end = at(record)
        if record.kind == "highlight":
            ending[end] = record.text
        elif record.kind == "note":
            follows = ending.get(end) or next(
                (r.text for r in records[index:] if r.kind == "highlight" and at(r) == end), ""
            )
            records[index] = Record(record.book, "note", record.place, record.text, follows)
    return records


def read_clipping_records(text: str, expected: Expected) -> list[Record]:
    records: list[Record] = []
    for chunk in re.split(r"^\s*==========\s*$", text, flags=re.MULTILINE):
        lines = chunk.strip("\n").split("\n")
        while lines and not lines[0].strip():
            lines.pop(0)
        if len(lines) < 2:
            continue
        title, details, body = lines[0].strip(), lines[1].strip(), "\n".join(lines[2:]).strip()
        kind, place = read_details(details)
        if kind == "unknown" and place is not None and body:
            # A details line without a kind word: "- 6page|location No. 85-87 |…"
            kind = "highlight"
        if kind == "unknown" or place is None:
            expected.unread.append(details)
            continue
        if kind == "note" and not body:
            expected.empty += 1  # an empty note is no note
            continue
        records.append(Record(title, kind, place, body))
    return records


# --- Readwise CSV ----------------------------------------------------------------------------

ACTION_TAG = re.compile(r"^\s*(\.[\w-]+\s*)+")
HEADING = re.compile(r"^\.h[1-6](?:\s|$)")


def read_readwise_csv(text: str) -> list[Record]:
    records: list[Record] = []
    for row in csv.DictReader(io.StringIO(text)):
        book = row.get("Book Title") or ""
        note = (row.get("Note") or "").strip()
        loc = row.get("Location") or ""
        place: Place = ("loc", int(loc), int(loc)) if loc.isdigit() else ("loc", 0, 0)
        if HEADING.match(note):
            # A heading, not a highlight; text after its action tags is a note on the chapter,
            # which sits at no highlight's end (so it has no place here).
            if heading_note := ACTION_TAG.sub("", note).strip():
                records.append(Record(book, "note", None, f"{place[1]}: {heading_note}"))
            continue
        records.append(Record(book, "highlight", place, (row.get("Highlight") or "").strip()))
        note_text = ACTION_TAG.sub("", note).strip()
        if note_text:
            records.append(Record(book, "note", place, note_text))
    return records


# --- Kindle notebook HTML --------------------------------------------------------------------

HTML_KINDS = {"highlight": ("Highlight", "标注", "ハイライト"), "note": ("Note", "笔记", "メモ")}
HTML_KINDS["bookmark"] = ("Bookmark", "书签", "ブックマーク")
HTML_PLACE = re.compile(r"(?:Location|位置|位置No\.)\s*([0-9]+)|(?:Page|第|ページ)\s*([0-9]+)")


class NotebookReader(HTMLParser):
    """Collects (class, text) for every bookTitle, noteHeading and noteText element."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[tuple[str, str]] = []
        self.current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = dict(attrs).get("class") or ""
        if css in ("bookTitle", "noteHeading", "noteText"):
            self.current = css
            self.parts.append((css, ""))

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            css, text = self.parts[-1]
            self.parts[-1] = (css, text + data)

    def handle_endtag(self, tag: str) -> None:
        # The desktop app writes mismatched tags; a noteHeading ends at its first closing tag
        # that is not a span.
        if tag != "span":
            self.current = None


def read_notebook(text: str) -> list[Record]:
    reader = NotebookReader()
    reader.feed(text)
    book, records = "", []
    kind, place = "unknown", None
    for css, raw in reader.parts:
        value = " ".join(raw.split())
        if css == "bookTitle":
            book = value
        elif css == "noteHeading":
            kind = next(
                (k for k, words in HTML_KINDS.items() if value.startswith(words)), "unknown"
            )
            # The last place: "Page 7 · Location 151" is at location 151.
            matches = list(HTML_PLACE.finditer(value))
            place = None
            if matches:
                last = matches[-1]
                unit = "loc" if last[1] else "page"
                at = int(last[1] or last[2])
                place = (unit, at, at)
            if kind == "bookmark" and place is not None:
                records.append(Record(book, kind, place, ""))
        elif css == "noteText" and place is not None and kind in ("highlight", "note"):
            records.append(Record(book, kind, place, value))
    return records


def notebook_notes_after_highlight(records: list[Record]) -> int:
    """In the notebook a note follows its highlight, at the same or the next location."""
    count = 0
    for before, note in zip(records, records[1:], strict=False):
        if note.kind == "note" and before.kind == "highlight":
            count += 1
    return count


# --- counting ------------------------------------------------------------------------------


def related(a: str, b: str) -> bool:
    """One text contains the other, or one ends with how the other starts (8+ characters)."""
    a, b = " ".join(a.split()), " ".join(b.split())
    if a in b or b in a:
        return True
    for first, second in ((a, b), (b, a)):
        for k in range(min(len(first), len(second)) - 1, 7, -1):
            if first.endswith(second[:k]):
                return True
    return False


def overlaps(p: Place, q: Place) -> bool:
    return p[0] == q[0] and p[1] <= q[2] and q[1] <= p[2]


def every_edit_collapsed(highlights: list[Record]) -> int:
    """How many highlights remain when every related pair at overlapping places is one."""
    parent = list(range(len(highlights)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_book: dict[str, list[int]] = {}
    for i, h in enumerate(highlights):
        by_book.setdefault(h.book, []).append(i)
    for members in by_book.values():
        # Identical words in one book are one highlight wherever they stand (docs/formats.md).
        first_with: dict[str, int] = {}
        for i in members:
            words = " ".join(highlights[i].text.split()).casefold()
            parent[root(i)] = root(first_with.setdefault(words, i))
        members.sort(key=lambda i: (highlights[i].place or ("", 0, 0))[1:])
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                p, q = highlights[i].place, highlights[j].place
                assert p is not None and q is not None
                if q[1] > p[2] + 50:  # sorted by start: nothing further on overlaps
                    break
                if overlaps(p, q) and related(highlights[i].text, highlights[j].text):
                    parent[root(i)] = root(j)
    return len({root(i) for i in range(len(highlights))})


def count(records: Iterable[Record], expected: Expected, *, notebook: bool = False) -> Expected:
    records = list(records)
    expected.records = len(records)
    seen: set[Record] = set()
    highlights: list[Record] = []
    notes: list[Record] = []
    for record in records:
        if record.kind == "bookmark":
            expected.bookmarks += 1
            continue
        if record.kind == "highlight" and not record.text:
            expected.empty += 1
            continue
        if record.kind == "highlight" and PLACEHOLDER.match(record.text):
            expected.placeholders += 1
            continue
        if record in seen:
            expected.repeats += 1
            continue
        seen.add(record)
        (highlights if record.kind == "highlight" else notes).append(record)
    expected.highlights_max = len(highlights)
    expected.highlights_min = every_edit_collapsed(highlights)
    expected.notes = len(notes)
    if notebook:
        expected.notes_at_highlight_end = notebook_notes_after_highlight(records)
    else:
        ends = {(h.book, h.place[0], h.place[2]) for h in highlights if h.place}
        expected.notes_at_highlight_end = sum(
            1 for n in notes if n.place and (n.book, n.place[0], n.place[2]) in ends
        )
    return expected


def expected_for(path: Path, fmt: str) -> Expected:
    """The expected counts for one corpus file of the manifest's format."""
    if fmt in expected_binary_formats.BINARY_FORMATS:
        rows = expected_binary_formats.BINARY_FORMATS[fmt](path.read_bytes())
        return count((Record(b, k, ("loc", p, p), t) for b, k, p, t in rows), Expected())
    text = decode(path.read_bytes())
    expected = Expected()
    if fmt == "kindle-clippings":
        return count(read_clippings(text, expected), expected)
    if fmt == "readwise-csv":
        return count(read_readwise_csv(text), expected)
    if fmt == "kindle-notebook-html":
        return count(read_notebook(text), expected, notebook=True)
    if fmt in TEXT_FORMATS:
        rows = TEXT_FORMATS[fmt](text)
        return count((Record(b, k, ("loc", p, p), t) for b, k, p, t in rows), expected)
    raise ValueError(f"unknown format {fmt}")


def load_manifest(corpus: Path) -> list[dict[str, str]]:
    """The manifest's entries, or exit with a clear message when the corpus is not here."""
    manifest = corpus / "manifest.json"
    if not manifest.is_file():
        sys.exit(
            f"No corpus at {corpus} (no manifest.json). The corpus of real exports lives outside "
            "the repository; see docs/real-exports.md for where each file comes from."
        )
    entries: list[dict[str, str]] = json.loads(manifest.read_text(encoding="utf-8"))
    return entries


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    columns = ("highlights", "notes", "at end", "repeats", "bookmarks", "empty", "limit", "unread")
    entries = load_manifest(corpus)
    print(f"{'file':<34} {'lang':<12} " + " ".join(f"{c:>10}" for c in columns))
    for entry in entries:
        path = corpus / entry["dir"] / entry["file"]
        e = expected_for(path, entry["format"])
        highlights = f"{e.highlights_min}-{e.highlights_max}"
        values: tuple[object, ...] = (
            highlights,
            e.notes,
            e.notes_at_highlight_end,
            e.repeats,
            e.bookmarks,
            e.empty,
        )
        values += (e.placeholders, len(e.unread))
        lang = entry["language"][:12]
        print(f"{entry['dir'][:34]:<34} {lang:<12} " + " ".join(f"{v:>10}" for v in values))
        for line in sorted(set(e.unread))[:3]:
            print(f"    unread: {line[:100]}")


if __name__ == "__main__":
    main()
