"""Tags keep their spelling: shown as clickable hashtags, named in any spelling, exported as
they were written."""

from __future__ import annotations

import csv
import io

from bot.fake_telegram import Message
from tests.telegram.exports import exported
from tests.telegram.harness import ALICE, BotHarness, quote

WISDOM = "Wisdom cannot be imparted."
RIVER = "The river is everywhere at once."
HEADER = (
    "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,"
    "Location Type,Location,Highlighted at,Document tags\n"
)


async def test_an_imported_tag_keeps_its_spaces_and_shows_as_a_telegram_hashtag(
    bot: BotHarness,
) -> None:
    export = HEADER + f'"{WISDOM}",Siddhartha,Hermann Hesse,,,,"knowledge management, idea",,,,\n'
    bot.tg.user_sends_document(ALICE, "readwise.csv", export.encode())
    await bot.next(ALICE)  # ⏳ Importing…
    await bot.next(ALICE)  # ✅ the report

    shown = await bot.send(ALICE, "/random")
    assert shown.text.splitlines()[-1] == "#idea #knowledge_management"
    assert (await bot.send(ALICE, "/tags")).text.splitlines()[2:] == [
        "#idea · 1",
        "#knowledge_management · 1",
    ]

    csv_file = await exported(bot, ALICE, "📄 CSV")
    assert csv_file.document is not None
    rows = list(csv.reader(io.StringIO(csv_file.document.content.decode())))
    assert rows[1][6] == "idea, knowledge management"


async def opened(bot: BotHarness, words: str, highlight_id: int) -> Message:
    """The message that shows a highlight, opened from /search."""
    found = await bot.send(ALICE, f"/search {words}")
    await bot.press(ALICE, found.message_id, f"open:{highlight_id}")
    message = await bot.next(ALICE)
    assert await bot.shown_in(message) == highlight_id
    return message


async def test_every_spelling_names_the_same_tag(bot: BotHarness) -> None:
    [wisdom, river] = bot.seed(ALICE, [quote(WISDOM, tags=["knowledge management"]), quote(RIVER)])

    for spelling in ("#knowledge_management", "tag:knowledge-management"):
        found = await bot.send(ALICE, f"/search {spelling}")
        assert found.body.startswith(f"🔎 1 result for {spelling} (1–1)"), spelling
    found = await bot.send(ALICE, '/search tag:"Knowledge Management"')
    assert found.body.startswith('🔎 1 result for tag:"Knowledge Management" (1–1)')

    shown = await opened(bot, "river", river)
    added = await bot.send(ALICE, '/tag tag:"knowledge management" idea', reply_to=shown.message_id)
    assert added.text == "🏷 Tagged #knowledge_management #idea"
    again = await bot.send(ALICE, "/tag #knowledge-management", reply_to=shown.message_id)
    assert again.text == "Nothing to change."
    assert (await bot.view(ALICE, river)).tags == ["idea", "knowledge management"]
    removed = await bot.send(ALICE, "/untag #knowledge_management", reply_to=shown.message_id)
    assert removed.text == "✖ Removed #knowledge_management"
    assert (await bot.view(ALICE, river)).tags == ["idea"]
    assert (await bot.view(ALICE, wisdom)).tags == ["knowledge management"]

    weighted = await bot.send(ALICE, "/weight #knowledge_management 0")
    assert weighted.text == "🚫 Highlights tagged #knowledge_management won't be delivered."
    assert (await bot.send(ALICE, '/weight "knowledge-management" 3')).text == (
        "⚖️ #knowledge_management now weighs 3 in weighted mode."
    )
    assert (await bot.send(ALICE, "/weight knowledge management 2")).text == (
        "⚖️ #knowledge_management now weighs 2 in weighted mode."
    )
    settings = await bot.send(ALICE, "/settings")
    assert "Tag weights: #knowledge_management ×2 (/weight tag N)" in settings.text
    tags = await bot.send(ALICE, "/tags")
    assert tags.text.splitlines()[2:] == ["#idea · 1", "#knowledge_management · 1"]


async def test_a_hashtag_reply_with_underscores_makes_a_tag_with_spaces(bot: BotHarness) -> None:
    [wisdom] = bot.seed(ALICE, [quote(WISDOM)])
    shown = await bot.send(ALICE, "/random")
    assert await bot.shown_in(shown) == wisdom

    confirmation = await bot.send(
        ALICE, "#deep_work #self-help read twice", reply_to=shown.message_id
    )

    assert confirmation.text == "🏷 Tagged #deep_work #self_help · 📝 Note saved"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["deep work", "self-help"], ["read twice"])
    removed = await bot.send(ALICE, '-tag:"deep work" -#self_help', reply_to=shown.message_id)
    assert removed.text == "✖ Removed #deep_work #self_help"
    assert (await bot.view(ALICE, wisdom)).tags == []
