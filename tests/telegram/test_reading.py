"""/random and the buttons under a highlight: ⭐, 🔀, 🙈 / ↩️ and the 🏷 panel."""

from __future__ import annotations

from tests.telegram.harness import (
    ALICE,
    BotHarness,
    button_texts,
    data_of,
    entity_texts,
    quote,
    quoted_text,
    sqlite_only,
)

WISDOM = (
    "Wisdom cannot be imparted. Wisdom that a wise man attempts to impart always sounds like "
    "foolishness to someone else."
)
RIVER = "The river is everywhere at the same time."
STONE = "This stone is a stone, it is also animal, it is also god."


async def test_random_sends_the_highlight_in_html_with_its_book_and_buttons(
    bot: BotHarness,
) -> None:
    [wisdom] = bot.seed(ALICE, [quote(WISDOM, location=1375, chapter="The Ferryman")])

    shown = await bot.send(ALICE, "/random")

    assert shown.parse_mode == "HTML"
    assert shown.text == f"{WISDOM}\n— Siddhartha, Hermann Hesse\nThe Ferryman · Location 1375"
    assert quoted_text(shown) == WISDOM
    assert entity_texts(shown, "bold") == ["Siddhartha"]
    assert entity_texts(shown, "italic") == ["The Ferryman · Location 1375"]
    assert button_texts(shown) == ["☆ Favorite", "🔀 Another", "🙈 Discard", "🏷 Tags", "🖼 Card"]
    assert shown.callback_data == [
        f"fav:{wisdom}",
        "another",
        f"discard:{wisdom}",
        f"tags:{wisdom}",
        f"card:{wisdom}",
    ]
    assert await bot.shown_in(shown) == wisdom


@sqlite_only
async def test_random_in_an_empty_library_says_how_to_fill_it(bot: BotHarness) -> None:
    reply = await bot.send(ALICE, "/random")
    assert reply.body.startswith("📭 Your library is empty.")


async def test_another_sends_another_highlight(bot: BotHarness) -> None:
    ids = bot.seed(ALICE, [quote(WISDOM), quote(RIVER), quote(STONE)])
    first = await bot.send(ALICE, "/random")

    answer = await bot.press(ALICE, first.message_id, "another")

    assert answer.text is None and not answer.show_alert
    second = await bot.next(ALICE)
    assert not second.edited and second.message_id > first.message_id
    assert await bot.shown_in(second) in ids
    assert quoted_text(second) in {WISDOM, RIVER, STONE}
    assert "another" in second.callback_data


async def test_favorite_button_toggles_and_redraws_the_keyboard(bot: BotHarness) -> None:
    [wisdom] = bot.seed(ALICE, [quote(WISDOM)])
    shown = await bot.send(ALICE, "/random")

    answer = await bot.press(ALICE, shown.message_id, f"fav:{wisdom}")
    assert answer.text == "⭐ Favorite"
    redrawn = await bot.next(ALICE)
    assert (redrawn.message_id, redrawn.edited) == (shown.message_id, True)
    assert button_texts(redrawn)[0] == "⭐ Favorite"
    assert redrawn.text == shown.text
    assert (await bot.view(ALICE, wisdom)).favorite

    answer = await bot.press(ALICE, shown.message_id, f"fav:{wisdom}")
    assert answer.text == "☆ Unfavorited"
    redrawn = await bot.next(ALICE)
    assert button_texts(redrawn)[0] == "☆ Favorite"
    assert not (await bot.view(ALICE, wisdom)).favorite


async def test_discard_shows_undo_which_restores(bot: BotHarness) -> None:
    [wisdom, river] = bot.seed(ALICE, [quote(WISDOM), quote(RIVER)])
    shown = await bot.send(ALICE, "/random")
    target = await bot.shown_in(shown)
    assert target in (wisdom, river)

    answer = await bot.press(ALICE, shown.message_id, f"discard:{target}")
    assert answer.text == "🙈 Discarded: it won't come again."
    redrawn = await bot.next(ALICE)
    assert button_texts(redrawn) == [
        "☆ Favorite",
        "🔀 Another",
        "↩️ Undo discard",
        "🏷 Tags",
        "🖼 Card",
    ]
    assert (await bot.view(ALICE, target)).discarded
    rest = river if target == wisdom else wisdom
    # A discarded highlight is never picked again; with both discarded, none is.
    for _ in range(3):
        again = await bot.send(ALICE, "/random")
        assert await bot.shown_in(again) == rest
    await bot.press(ALICE, again.message_id, f"discard:{rest}")
    await bot.next(ALICE)
    nothing_left = await bot.send(ALICE, "/random")
    assert nothing_left.text == (
        "🙈 You discarded every highlight in your library. Find one with /search and tap "
        "↩️ Undo discard under it to bring it back, or send me a file to import more."
    )

    answer = await bot.press(ALICE, shown.message_id, f"undo:{target}")
    assert answer.text == "↩️ Back in the rotation."
    redrawn = await bot.next(ALICE)
    assert button_texts(redrawn) == ["☆ Favorite", "🔀 Another", "🙈 Discard", "🏷 Tags", "🖼 Card"]
    assert not (await bot.view(ALICE, target)).discarded


async def test_tags_panel_adds_and_removes_tags(bot: BotHarness) -> None:
    [wisdom, _, _] = bot.seed(
        ALICE,
        [
            quote("Wisdom cannot be imparted.", tags=["wisdom"]),
            quote(RIVER, tags=["river", "time"]),
            quote(STONE, tags=["river"]),
        ],
    )
    shown = await bot.send(ALICE, "/search imparted")
    await bot.press(ALICE, shown.message_id, f"open:{wisdom}")
    highlight = await bot.next(ALICE)

    answer = await bot.press(ALICE, highlight.message_id, f"tags:{wisdom}")
    assert answer.text is None
    panel = await bot.next(ALICE)
    assert panel.text == (
        "🏷 Tags of “Wisdom cannot be imparted.”: #wisdom\n\n"
        "Reply to the highlight with #word to add a tag or -#word to remove one, or tap below."
    )
    assert button_texts(panel) == ["✖ #wisdom", "＋ #river", "＋ #time"]

    answer = await bot.press(ALICE, panel.message_id, data_of(panel, "＋ #river"))
    assert answer.text == "Tagged #river"
    panel = await bot.next(ALICE)
    assert panel.edited
    assert panel.body.startswith("🏷 Tags of “Wisdom cannot be imparted.”: #river #wisdom\n")
    assert button_texts(panel) == ["✖ #river", "✖ #wisdom", "＋ #time"]
    assert (await bot.view(ALICE, wisdom)).tags == ["river", "wisdom"]

    answer = await bot.press(ALICE, panel.message_id, data_of(panel, "✖ #wisdom"))
    assert answer.text == "Removed #wisdom"
    panel = await bot.next(ALICE)
    assert panel.body.startswith("🏷 Tags of “Wisdom cannot be imparted.”: #river\n")
    assert button_texts(panel) == ["✖ #river", "＋ #time", "＋ #wisdom"]
    assert (await bot.view(ALICE, wisdom)).tags == ["river"]
