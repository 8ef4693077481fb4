"""When two highlights at overlapping places are one edited highlight (docs/formats.md)."""

from __future__ import annotations

from bot.parsers import kindle_clippings
from bot.parsers.versions import same_passage

LONG = "doch wenn wir jeden tag dieselben gedanken wiederholen. dann denken wir"


def test_a_version_holds_the_other_as_whole_words() -> None:
    assert same_passage(LONG, "dieselben gedanken wiederholen")  # trimmed at both ends
    assert same_passage("dieselben gedanken", LONG)  # extended at both ends
    assert not same_passage(LONG, "da")  # "da" only as letters of "dann"
    assert not same_passage(LONG, "gedanken wieder")  # cut inside a word


def test_cjk_text_has_no_spaces_between_words_and_still_trims() -> None:
    assert same_passage("编程能力是一种解决问题的能力。", "解决问题的能力")


def test_a_stray_two_letter_highlight_does_not_replace_the_passage_it_touches() -> None:
    # Read from a real German file: a passage, then "Da" highlighted at its last location
    # a few seconds later (the start of the next sentence), then the next sentence.
    def record(place: str, at: str, text: str) -> str:
        return (
            "Schöpfer (Dispenza, Joe)\n"
            f"- Ihre Markierung bei Position {place} | Hinzugefügt am Dienstag, "
            f"18. Mai 2021 12:{at}\n\n{text}\n==========\n"
        )

    passage = "Doch wenn wir jeden Tag dieselben Gedanken wiederholen. Dann denken wir"
    text = (
        record("3956-3970", "55:52", passage)
        + record("3970-3970", "56:11", "Da")
        + record("3970-3973", "56:27", "die meisten Menschen leben in derselben Umgebung")
    )
    texts = [h.text for h in kindle_clippings.parse(text).highlights]
    assert passage in texts
    assert "Da" in texts
    assert len(texts) == 3
