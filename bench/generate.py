"""Synthetic libraries and Kindle ``My Clippings.txt`` files, the same for the same seed.

Everything is drawn from one ``random.Random(seed)``: the vocabulary, the books, the
highlights and the order they were made in. Highlight lengths follow a log-normal with a
long tail (most are a sentence or two, a few run to several thousand characters); words
follow a Zipf law with English-like stop words, so a search term can be common or rare as
in a real library. ``library()`` yields parsed records with tags, notes and favourites, as
the importer receives them; ``write_clippings()`` writes the file a Kindle would, in ten
device languages, with notes, bookmarks, edits, repeats and clipping-limit placeholders.

``python -m bench.generate clippings OUT --records N --seed S`` writes a file;
``python -m bench.generate library --records N`` prints a sample.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.parsers import LocationType, ParsedHighlight

# -- words ---------------------------------------------------------------------------------

STOP_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "that",
    "it",
    "was",
    "for",
    "as",
    "with",
    "his",
    "he",
    "be",
    "on",
    "not",
    "by",
    "but",
    "at",
    "this",
    "had",
    "from",
    "we",
    "are",
    "they",
    "which",
    "or",
    "all",
    "one",
    "you",
    "an",
    "have",
    "her",
    "were",
    "their",
    "there",
    "so",
    "what",
    "when",
    "our",
    "if",
    "its",
    "no",
    "more",
    "into",
    "can",
    "who",
    "will",
    "only",
    "my",
    "out",
    "up",
    "them",
    "than",
    "then",
    "some",
    "these",
    "would",
    "about",
]
_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "br",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "pr",
    "sc",
    "sh",
    "st",
    "th",
    "tr",
    "wh",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "io", "ou", "ie"]
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "rk", "th"]
_CYRILLIC = [
    "б",
    "в",
    "г",
    "д",
    "ж",
    "з",
    "к",
    "л",
    "м",
    "н",
    "п",
    "р",
    "с",
    "т",
    "ф",
    "х",
    "ч",
    "ш",
]
_CYRILLIC_VOWELS = ["а", "е", "и", "о", "у", "ы", "я", "ю"]
_CJK_FIRST = 0x4E00  # CJK Unified Ideographs


class Vocabulary:
    """Latin, Cyrillic and CJK words with Zipf frequencies, drawn from one seed."""

    def __init__(self, rng: random.Random, size: int = 20_000) -> None:
        latin: set[str] = set()
        while len(latin) < size:
            syllables = rng.choice((1, 2, 2, 2, 3, 3, 4))
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(syllables)
            )
            if len(word) >= 3 and word not in STOP_WORDS:
                latin.add(word)
        self.words = sorted(latin)
        rng.shuffle(self.words)  # rank order: words[0] is the most frequent
        self.cyrillic = [
            "".join(
                rng.choice(_CYRILLIC) + rng.choice(_CYRILLIC_VOWELS)
                for _ in range(rng.randint(2, 4))
            )
            for _ in range(size // 4)
        ]
        self.cjk = [
            "".join(chr(_CJK_FIRST + rng.randrange(6000)) for _ in range(rng.randint(1, 3)))
            for _ in range(size // 4)
        ]
        self._latin_weights = _zipf_cumulative(len(self.words))
        self._small_weights = _zipf_cumulative(len(self.cyrillic))
        self._stop_weights = _zipf_cumulative(len(STOP_WORDS), exponent=0.8)

    def rank(self, word: str) -> int:
        """A Latin word's frequency rank (0 is the most frequent)."""
        return self.words.index(word)

    def sentence_words(self, rng: random.Random, count: int, script: str) -> list[str]:
        """``count`` words in a script: ``latin``, ``cyrillic`` or ``cjk``."""
        if script == "cjk":
            return rng.choices(self.cjk, cum_weights=self._small_weights, k=count)
        if script == "cyrillic":
            return rng.choices(self.cyrillic, cum_weights=self._small_weights, k=count)
        # About four words in ten are stop words, as in English prose.
        stops = rng.choices(STOP_WORDS, cum_weights=self._stop_weights, k=count)
        content = rng.choices(self.words, cum_weights=self._latin_weights, k=count)
        return [s if rng.random() < 0.4 else c for s, c in zip(stops, content, strict=True)]


def _zipf_cumulative(size: int, exponent: float = 1.05) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(1, size + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


def highlight_length(rng: random.Random) -> int:
    """Characters in one highlight: median about 160, a long tail to several thousand."""
    return max(12, min(7_000, int(rng.lognormvariate(math.log(160), 0.95))))


def passage(rng: random.Random, vocabulary: Vocabulary, length: int, script: str) -> str:
    """Prose of about ``length`` characters: sentences, commas, now and then a paragraph."""
    average = 2.0 if script == "cjk" else 6.0 if script == "cyrillic" else 5.2
    words = vocabulary.sentence_words(rng, max(2, int(length / average)), script)
    joiner = "" if script == "cjk" else " "
    stop = "。" if script == "cjk" else "."
    sentences: list[str] = []
    start = 0
    while start < len(words):
        size = rng.randint(6, 22)
        piece = words[start : start + size]
        start += size
        if script != "cjk" and len(piece) > 8 and rng.random() < 0.5:
            piece[len(piece) // 2] += ","
        text = joiner.join(piece)
        sentences.append(text[:1].upper() + text[1:] + stop)
    paragraphs = [sentences[0]]
    for sentence in sentences[1:]:
        # Long passages span paragraphs; the device writes those as separate lines.
        if length > 1500 and rng.random() < 0.08:
            paragraphs.append(sentence)
        else:
            paragraphs[-1] += joiner + sentence
    return "\n".join(paragraphs)


# -- books ---------------------------------------------------------------------------------

LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl", "ru", "ja", "zh")
_LANGUAGE_WEIGHTS = (55, 7, 6, 6, 5, 5, 4, 5, 4, 3)
_SCRIPT = {"ru": "cyrillic", "ja": "cjk", "zh": "cjk"}
_FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Frank",
    "Greta",
    "Hugo",
    "Ines",
    "Jon",
    "Kira",
    "Leo",
    "Mara",
    "Nils",
]


@dataclass(slots=True)
class BookSpec:
    """A synthetic book: its title line as a Kindle writes it, and its device language."""

    title: str
    author: str
    language: str
    next_location: int = 0

    @property
    def title_line(self) -> str:
        """``Title (Author)``, or the bare title for a document with no author."""
        return f"{self.title} ({self.author})" if self.author else self.title


def make_book(rng: random.Random, vocabulary: Vocabulary, number: int) -> BookSpec:
    """A book with a unique title; some have two authors, an edition note or no author."""
    language = rng.choices(LANGUAGES, weights=_LANGUAGE_WEIGHTS)[0]
    words = vocabulary.sentence_words(rng, rng.randint(2, 6), _SCRIPT.get(language, "latin"))
    title = " ".join(word.capitalize() for word in words) + f" {number}"
    if rng.random() < 0.05:
        title += " (Spanish Edition)"
    last = rng.choice(vocabulary.words[:3000]).capitalize()
    author = f"{last}, {rng.choice(_FIRST_NAMES)}"
    roll = rng.random()
    if roll < 0.08:
        author += f";{rng.choice(vocabulary.words[:3000]).capitalize()}, {rng.choice(_FIRST_NAMES)}"
    elif roll < 0.12:
        author = ""
    return BookSpec(title=title, author=author, language=language)


# -- libraries, as the importer receives them -------------------------------------------------


@dataclass(slots=True)
class LibrarySpec:
    """The shape of one chat's synthetic library."""

    size: int
    books: int = 0  # 0: about one book per 60 highlights
    tags: int = 30
    tagged: float = 0.3
    with_notes: float = 0.1
    favorites: float = 0.03


def library(
    seed: int, spec: LibrarySpec, vocabulary: Vocabulary | None = None
) -> Iterator[ParsedHighlight]:
    """One chat's highlights, unique within the library, with tags, notes and favourites."""
    rng = random.Random(seed)
    words = vocabulary or Vocabulary(random.Random(seed ^ 0x5EED))
    books = [make_book(rng, words, n) for n in range(spec.books or max(3, spec.size // 60))]
    tag_names = [f"{rng.choice(words.words[:2000])}-{n}" for n in range(spec.tags)]
    tag_weights = _zipf_cumulative(len(tag_names), exponent=1.2) if tag_names else []
    seen: set[int] = set()
    made = 0
    while made < spec.size:
        # Half the highlights come from a few favourite books, the rest from any.
        if rng.random() < 0.5:
            book = books[min(int(rng.paretovariate(1.2)) - 1, len(books) - 1)]
        else:
            book = books[rng.randrange(len(books))]
        text = passage(rng, words, highlight_length(rng), _SCRIPT.get(book.language, "latin"))
        key = hash((book.title, text))
        if key in seen:
            continue
        seen.add(key)
        start = book.next_location + rng.randint(1, 40)
        book.next_location = start + len(text) // 150 + 1
        tags = []
        if tag_names and rng.random() < spec.tagged:
            tags = sorted(set(rng.choices(tag_names, cum_weights=tag_weights, k=rng.randint(1, 3))))
        notes = []
        if rng.random() < spec.with_notes:
            notes = [passage(rng, words, rng.randint(15, 200), "latin")]
        made += 1
        yield ParsedHighlight(
            book_title=book.title,
            author=book.author,
            text=text,
            location=f"{start}-{book.next_location - 1}",
            location_type=LocationType.LOCATION,
            location_start=start,
            highlighted_at=datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=made * 7),
            tags=tags,
            notes=notes,
            favorite=rng.random() < spec.favorites,
        )


# -- My Clippings.txt ----------------------------------------------------------------------


@dataclass(slots=True)
class ClippingsStats:
    """What a generated file holds, and what the parser must make of it."""

    records: int = 0
    highlights: int = 0
    """Distinct highlights: an edit and its older version, or a repeat, count once."""
    attached_notes: int = 0
    tag_notes: int = 0
    """Notes of Readwise ``.tag`` words alone: they tag their highlight and leave no note."""
    lone_notes: int = 0
    bookmarks: int = 0
    placeholders: int = 0
    edits: int = 0
    repeats: int = 0
    books: int = 0
    languages: set[str] = field(default_factory=set)

    @property
    def entries(self) -> int:
        """Records the parser returns: the highlights and the notes that have no highlight."""
        return self.highlights + self.lone_notes

    @property
    def skipped(self) -> int:
        """Records the parser skips: bookmarks and clipping-limit placeholders."""
        return self.bookmarks + self.placeholders


_KIND_WORDS = {
    "en": ("Your Highlight", "Your Note", "Your Bookmark"),
    "de": ("Deine Markierung", "Deine Notiz", "Dein Lesezeichen"),
    "es": ("La subrayado", "La nota", "El marcador"),
    "fr": ("Votre surlignement", "Votre note", "Votre signet"),
    "it": ("La tua evidenziazione", "La tua nota", "Il tuo segnalibro"),
    "pt": ("Seu destaque", "Sua nota", "Seu marcador"),
    "nl": ("Je highlight", "Je notitie", "Je bladwijzer"),
    "ru": ("Ваш выделенный отрывок", "Ваша заметка", "Ваша закладка"),
    "ja": ("ハイライト", "メモ", "ブックマーク"),
    "zh": ("标注", "笔记", "书签"),
}
_WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "pt": "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    "ru": "понедельник вторник среда четверг пятница суббота воскресенье",
    "ja": "月曜日 火曜日 水曜日 木曜日 金曜日 土曜日 日曜日",
    "zh": "星期一 星期二 星期三 星期四 星期五 星期六 星期日",
}
_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}


def details_line(
    language: str, kind: int, page: int, start: int, end: int | None, when: datetime
) -> str:
    """The line under the title, exactly as a device in ``language`` writes it.

    ``kind`` is 0 (highlight), 1 (note) or 2 (bookmark); ``end`` is None for a single location.
    """
    word = _KIND_WORDS[language][kind]
    weekday = _WEEKDAYS[language].split()[when.weekday()]
    clock = when.strftime("%H:%M:%S")
    if language in ("ja", "zh"):
        day = f"{when.year}年{when.month}月{when.day}日{weekday}"
        where = f"{start}-{end}" if end is not None else f"{start}"
        if language == "ja":
            return f"- {page}ページ|位置No. {where}の{word} |作成日: {day} {clock}"
        half = "上午" if when.hour < 12 else "下午"
        twelve = f"{(when.hour - 1) % 12 + 1}:{when:%M:%S}"
        return f"- 您在第 {page} 页（位置 #{where}）的{word} | 添加于 {day} {half}{twelve}"
    if language == "en":
        month = _MONTHS["en"].split()[when.month - 1]
        twelve = f"{(when.hour - 1) % 12 + 1}:{when:%M:%S} {'AM' if when.hour < 12 else 'PM'}"
        where = f"{start}-{end}" if end is not None else f"{start}"
        added = f"{weekday}, {month} {when.day}, {when.year} {twelve}"
        return f"- {word} on page {page} | Location {where} | Added on {added}"
    month = _MONTHS[language].split()[when.month - 1]
    dash = "\u2013" if language == "ru" else "-"
    where = f"{start}{dash}{end}" if end is not None else f"{start}"
    if language == "de":
        return (
            f"- {word} auf Seite {page} | bei Position {where} | Hinzugefügt am {weekday}, "
            f"{when.day}. {month} {when.year} {clock}"
        )
    if language == "es":
        return (
            f"- {word} en la página {page} | posición {where} | Añadido el {weekday}, "
            f"{when.day} de {month} de {when.year} {clock}"
        )
    if language == "fr":
        return (
            f"- {word} sur la page {page} | emplacement {where} | Ajouté le {weekday} "
            f"{when.day} {month} {when.year} {clock}"
        )
    if language == "it":
        return (
            f"- {word} a pagina {page} | posizione {where} | Aggiunto in data {weekday} "
            f"{when.day} {month} {when.year} {clock}"
        )
    if language == "pt":
        return (
            f"- {word} na página {page} | posição {where} | Adicionado: {weekday}, "
            f"{when.day} de {month} de {when.year} {clock}"
        )
    if language == "nl":
        where = f"{start} t/m {end}" if end is not None else f"{start}"
        return (
            f"- {word} op pagina {page} | locatie {where} | Toegevoegd op {weekday} "
            f"{when.day} {month} {when.year} {clock}"
        )
    return (
        f"\u2013 {word} на странице {page} | Место {where} | Добавлено: {weekday}, "
        f"{when.day} {month} {when.year} г. в {clock}"
    )


PLACEHOLDER = "<You have reached the clipping limit for this item>"
SEPARATOR = "=========="


class _ClippingsWriter:
    """Writes records as a Kindle does (CRLF, a BOM on the file) and keeps the tally."""

    def __init__(self, out: TextIO, limit: int) -> None:
        self.out = out
        self.limit = limit
        self.stats = ClippingsStats()
        out.write("\ufeff")

    @property
    def full(self) -> bool:
        return self.stats.records >= self.limit

    def record(self, book: BookSpec, details: str, body: str) -> None:
        body = body.replace("\n", "\r\n")
        self.out.write(f"{book.title_line}\r\n{details}\r\n\r\n{body}\r\n{SEPARATOR}\r\n")
        self.stats.records += 1
        self.stats.languages.add(book.language)


def write_clippings(out: TextIO, *, records: int, seed: int) -> ClippingsStats:
    """Write a ``My Clippings.txt`` of exactly ``records`` records to ``out``; its tally.

    Reading sessions alternate between books, so device languages interleave as in a file
    shared by several Kindles. Per 1,000 records there are about 90 notes (some with
    Readwise-style ``.tag`` words), 20 bookmarks, 15 edits, 10 repeats and 2 placeholders.
    """
    rng = random.Random(seed)
    words = Vocabulary(random.Random(seed ^ 0x5EED))
    writer = _ClippingsWriter(out, records)
    stats = writer.stats
    books: list[BookSpec] = []
    seen: set[tuple[int, str]] = set()
    when = datetime(2016, 3, 1, 7, 30, tzinfo=UTC)
    while not writer.full:
        if not books or rng.random() < 0.05:
            books.append(make_book(rng, words, len(books)))
        book_number = rng.randrange(len(books))
        book = books[book_number]
        script = _SCRIPT.get(book.language, "latin")
        for _ in range(rng.randint(1, 30)):  # one reading session
            if writer.full:
                break
            when += timedelta(seconds=rng.randint(20, 3_000))
            start = book.next_location + rng.randint(1, 40)
            page = start // 15 + 1
            roll = rng.random()
            if roll < 0.02:
                writer.record(book, details_line(book.language, 2, page, start, None, when), "")
                stats.bookmarks += 1
                book.next_location = start
                continue
            if roll < 0.022:
                details = details_line(book.language, 0, page, start, start + 1, when)
                writer.record(book, details, PLACEHOLDER)
                stats.placeholders += 1
                book.next_location = start + 1
                continue
            if roll < 0.027:  # a note on a passage never highlighted
                writer.record(
                    book,
                    details_line(book.language, 1, page, start, None, when),
                    passage(rng, words, rng.randint(10, 150), "latin"),
                )
                stats.lone_notes += 1
                book.next_location = start
                continue
            text = passage(rng, words, highlight_length(rng), script)
            if (book_number, text) in seen:
                continue
            seen.add((book_number, text))
            end = start + len(text) // 150 + 1
            book.next_location = end
            if roll < 0.042 and " " in text and "\n" not in text:
                # An edit on the device: a shorter first version, then the whole passage.
                shorter = text[: text.rindex(" ", 0, max(text.index(" ") + 1, len(text) // 2))]
                old = details_line(book.language, 0, page, start, end - 1, when)
                writer.record(book, old, shorter)
                stats.edits += 1
                if writer.full:
                    stats.highlights += 1  # the older version is all the file holds
                    break
            highlight = details_line(book.language, 0, page, start, end, when)
            writer.record(book, highlight, text)
            stats.highlights += 1
            if rng.random() < 0.08 and not writer.full:
                note = passage(rng, words, rng.randint(10, 300), "latin")
                tagging = rng.random() < 0.3
                if tagging:
                    tags = rng.sample(words.words[:300], rng.randint(1, 3))
                    note = " ".join(f".{tag}" for tag in tags)
                note_line = details_line(book.language, 1, page, end, None, when)
                writer.record(book, note_line, note)
                if tagging:
                    stats.tag_notes += 1
                else:
                    stats.attached_notes += 1
            if rng.random() < 0.01 and not writer.full:
                writer.record(book, highlight, text)  # highlighted again on another day
                stats.repeats += 1
    stats.books = len(books)
    return stats


def clippings_file(path: Path, *, records: int, seed: int) -> ClippingsStats:
    """Write a ``My Clippings.txt`` to ``path`` (UTF-8, streamed); its tally."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_clippings(out, records=records, seed=seed)


def main() -> None:
    """Write a clippings file, or print a few library records."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("what", choices=("clippings", "library"))
    parser.add_argument("out", nargs="?", type=Path, default=Path("/tmp/My Clippings.txt"))
    parser.add_argument("--records", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.what == "clippings":
        stats = clippings_file(args.out, records=args.records, seed=args.seed)
        print(f"{args.out}: {stats}")
        return
    for record in library(args.seed, LibrarySpec(size=args.records)):
        print(record.book_title, "|", record.tags, "|", record.text[:100])


if __name__ == "__main__":
    main()
