"""Quote cards: /card and 🖼 Card through the bot, their themes, fonts and layout."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops
from sqlalchemy import update
from sqlmodel import col

from bot.fake_telegram import Message
from bot.library import cards as library_cards
from bot.models import Highlight
from bot.telegram import card_fonts
from bot.telegram.cards import MARGIN, SIZE, TEXT_SIZES, THEMES, Card, fit_text, quote_card
from tests.telegram.harness import ALICE, BOB, BotHarness, data_of, quote, sqlite_only

WISDOM = "Wisdom cannot be imparted. Wisdom that a wise man tries to impart sounds foolish."


def image_of(message: Message) -> Image.Image:
    assert message.photo is not None, message.text
    assert message.photo.content.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(message.photo.content)).convert("RGB")


def background(image: Image.Image) -> str:
    red, green, blue = image.getpixel((5, 5))  # type: ignore[misc]
    return f"#{red:02x}{green:02x}{blue:02x}"


async def shown(bot: BotHarness, text: str = WISDOM) -> Message:
    bot.seed(ALICE, [quote(text, book="Siddhartha", author="Hermann Hesse")])
    shown = await bot.send(ALICE, "/random")
    await bot.settle()  # the message is known as the highlight's once it went out
    return shown


async def test_card_as_a_reply_sends_a_png_and_the_same_card_is_never_uploaded_twice(
    bot: BotHarness,
) -> None:
    highlight = await shown(bot)

    card = await bot.send(ALICE, "/card", reply_to=highlight.message_id)
    await bot.settle()  # the file_id is kept once the card went out
    again = await bot.send(ALICE, "/card", reply_to=highlight.message_id)

    assert image_of(card).size == (SIZE, SIZE)
    assert background(image_of(card)) == THEMES["light"].background
    sent = bot.tg.requests_for("sendPhoto")
    assert len(sent) == 2
    assert not isinstance(sent[0]["photo"], str)  # uploaded once...
    assert card.photo is not None and sent[1]["photo"] == card.photo.file_id  # ...then reused
    assert again.photo is not None and again.photo.file_id == card.photo.file_id


async def test_a_theme_picked_with_card_is_remembered_by_the_chat(bot: BotHarness) -> None:
    highlight = await shown(bot)

    dark = await bot.send(ALICE, "/card dark", reply_to=highlight.message_id)
    await bot.settle()
    await bot.press(ALICE, highlight.message_id, data_of(highlight, "🖼"))
    pressed = await bot.next(ALICE)
    sepia = await bot.send(ALICE, "/card Sepia", reply_to=highlight.message_id)

    assert background(image_of(dark)) == THEMES["dark"].background
    assert background(image_of(pressed)) == THEMES["dark"].background
    assert background(image_of(sepia)) == THEMES["sepia"].background


async def test_an_edited_highlight_gets_a_new_card(bot: BotHarness) -> None:
    highlight = await shown(bot)
    first = await bot.send(ALICE, "/card", reply_to=highlight.message_id)
    await bot.settle()
    highlight_id = bot.find(ALICE, WISDOM).id
    bot.db(
        lambda s: s.execute(
            update(Highlight).where(col(Highlight.id) == highlight_id).values(text="New words.")
        )
    )

    second = await bot.send(ALICE, "/card", reply_to=highlight.message_id)

    assert first.photo is not None and second.photo is not None
    assert second.photo.file_id != first.photo.file_id
    assert not any(isinstance(p["photo"], str) for p in bot.tg.requests_for("sendPhoto"))


@sqlite_only
async def test_card_usage_and_refusals(bot: BotHarness) -> None:
    highlight = await shown(bot)

    unknown = await bot.send(ALICE, "/card neon", reply_to=highlight.message_id)
    alone = await bot.send(ALICE, "/card")

    assert unknown.text is not None and unknown.text.startswith("ℹ️ Reply to a highlight")
    assert "/card sepia" in unknown.text
    assert alone.text == "↩️ Reply to one of my highlight messages with /card to use it."
    assert bot.tg.requests_for("sendPhoto") == []


async def test_another_chats_highlight_never_becomes_a_card(bot: BotHarness) -> None:
    [secret] = bot.seed(ALICE, [quote("Alice's secret passage.")])

    answer = await bot.user_presses_forged(BOB, f"card:{secret}")

    assert (answer.text, answer.show_alert) == (
        "🤷 I can't find that highlight in your library.",
        True,
    )
    await bot.settle()
    assert bot.tg.requests_for("sendPhoto") == []


# -- fonts and layout (no bot) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "sample"),
    [
        ("Latin", "Zoë"),
        ("Cyrillic", "Жизнь"),
        ("Greek", "Ωμέγα"),
        ("Hebrew", "שלום"),
        ("Arabic", "مرحبا"),
        ("CJK", "中文字"),
    ],
)
def test_every_character_is_drawn_with_a_font_that_has_it(script: str, sample: str) -> None:
    files = card_fonts.font_files()
    for char in sample:
        index = card_fonts.font_index(char)
        if index is None:
            # Only CJK may lack a font (none installed): then it is never drawn as a box.
            assert script == "CJK", f"{char!r} ({script}) has no font"
            assert card_fonts.runs(char) == [(0, card_fonts.MISSING)]
            continue
        assert ord(char) in files[index].characters


def test_a_character_no_font_has_is_replaced_and_an_invisible_one_dropped() -> None:
    adlam = "\U0001e900"  # no font here has Adlam
    assert card_fonts.font_index(adlam) is None
    assert card_fonts.runs(f"a{adlam}b") == [(0, f"a{card_fonts.MISSING}b")]
    tag = "\U000e0041"  # an invisible tag character
    if card_fonts.font_index(tag) is None:
        assert card_fonts.runs(f"a{tag}b") == [(0, "ab")]


def test_a_short_text_is_large_and_a_long_one_is_cut_with_an_ellipsis() -> None:
    size, lines = fit_text("Be one.", 800, 600)
    assert (size, lines) == (TEXT_SIZES[0], ["Be one."])

    words = " ".join(f"word{n}" for n in range(2_000))
    size, lines = fit_text(words, 800, 600)
    assert size == TEXT_SIZES[-1]
    assert lines[-1].endswith("…")
    assert len(lines) <= 600 // round(size * 1.35)
    assert " ".join(lines).startswith("word0 word1 word2")


def test_cjk_wraps_between_characters() -> None:
    if card_fonts.font_index("中") is None:
        pytest.skip("no CJK font installed")
    _, lines = fit_text("中文字符" * 40, 800, 600)
    assert len(lines) > 1
    assert "".join(lines) == "中文字符" * 40


def ink_box(card: Card) -> tuple[int, int, int, int]:
    """The bounding box of everything drawn above the footer."""
    image = Image.open(io.BytesIO(quote_card(card))).convert("RGB")
    text_area = image.crop((0, MARGIN + 60, SIZE, SIZE - MARGIN - 150))
    blank = Image.new("RGB", text_area.size, THEMES[card.theme].background)
    box = ImageChops.difference(text_area, blank).getbbox()
    assert box is not None
    return box


def test_right_to_left_lines_are_set_from_the_right_edge() -> None:
    hebrew = ink_box(Card(text="שלום", book="ספר", author="", theme="light"))
    latin = ink_box(Card(text="Hello", book="Book", author="", theme="light"))

    assert hebrew[2] >= SIZE - MARGIN - 10 and hebrew[0] > SIZE // 2
    assert latin[0] <= MARGIN + 10 and latin[2] < SIZE // 2


def test_the_drawing_themes_are_the_themes_a_chat_can_pick() -> None:
    assert set(THEMES) == set(library_cards.THEMES)


def test_line_breaks_and_tabs_are_spaces_in_the_run_before_them() -> None:
    assert card_fonts.runs("a\nb\tc") == [(0, "a b c")]
    if card_fonts.font_index("中") is not None:
        [(first, _), (cjk, chars)] = card_fonts.runs("a中\n文")
        assert (first, chars) == (0, "中 文") and cjk > 0


def test_paragraphs_mixing_scripts_are_laid_out() -> None:
    text = "TRANSFORM DISCOVERIES\n\nWhen new learnings 中文 are found.\n\tThen 中\n文 again."

    _, lines = fit_text(text, 800, 600)

    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace("\t", "").replace(
        " ", ""
    )
    assert quote_card(Card(text=text, book="B", author="", theme="sepia")).startswith(b"\x89PNG")


def test_every_highlight_of_the_sample_library_can_be_laid_out() -> None:
    from bot.config import SAMPLE_LIBRARY
    from bot.parsers import parse_file

    highlights = parse_file(SAMPLE_LIBRARY).highlights
    assert len(highlights) > 50
    for highlight in highlights:
        size, lines = fit_text(highlight.text, SIZE - 2 * MARGIN, 600)
        assert lines and size in TEXT_SIZES
