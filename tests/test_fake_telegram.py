"""The fake Telegram server, driven over real HTTP by a real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import struct
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    filters,
)
from yarl import URL

from bot.fake_telegram import (
    BotApi,
    BotReaction,
    CallbackAnswer,
    EntityParseError,
    FakeTelegram,
    InProcessRequest,
    Message,
    ParsedText,
    SimulatedUsers,
    World,
    parse_html,
    utf16_len,
)
from bot.fake_telegram.limits import FloodControl
from bot.fake_telegram.models import ApiError
from bot.fake_telegram.params import Params

TOKEN = "123:ABC"
CHAT = 42
GROUP = -100500


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(tg) as client:
        yield client


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's future ``RetryAfter.retry_after`` type instead of its deprecation."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@asynccontextmanager
async def polling(
    fake: FakeTelegram, *handlers: Any
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run a real Application that long-polls the fake, with ``handlers`` registered."""
    app = (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handlers(handlers)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# -- the wire -------------------------------------------------------------------------------


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (123, True, "fake_bot", "Fake Bot")


async def test_wrong_token_is_refused_with_401(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with make_bot(tg, token="123:WRONG"):
            pass
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.url}/bot123:WRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{tg.url}/bot{TOKEN}/sendTelepathy") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{tg.url}/bot{TOKEN}/getme") as response:
            assert (await response.json())["result"]["username"] == "fake_bot"
    assert [call.method for call in tg.requests] == ["getMe"]


async def test_json_body_and_errors_have_telegrams_shape(tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", retry_after=7)
    async with aiohttp.ClientSession() as http:
        url = f"{tg.url}/bot{TOKEN}/sendMessage"
        async with http.post(url, json={"chat_id": CHAT, "text": "hi"}) as response:
            assert response.status == 429
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            }
        async with http.post(url, json={"chat_id": CHAT, "text": "hi"}) as response:
            body = await response.json()
    assert body["ok"] is True
    assert body["result"]["text"] == "hi"
    assert body["result"]["chat"] == {
        "id": CHAT,
        "type": "private",
        "first_name": "User42",
        "username": "user42",
    }
    assert body["result"]["from"]["id"] == 123
    assert tg.requests_for("sendMessage")[-1] == {"chat_id": CHAT, "text": "hi"}


# -- updates ----------------------------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the command's arguments."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(" ".join(context.args or []))


async def test_command_round_trip_through_get_updates(tg: FakeTelegram) -> None:
    async with polling(tg, CommandHandler("echo", echo)):
        sent = tg.user_sends(CHAT, "/echo hello world")
        reply = await tg.wait_for(CHAT)
        # The next poll confirms the update, so Telegram forgets it.
        await tg.wait_until(lambda: not tg.pending_updates)
    assert reply.text == "hello world"
    assert reply.from_bot
    assert reply.message_id == sent.message_id + 1
    assert tg.sent(CHAT) == [tg.last(CHAT)]


async def test_long_poll_returns_as_soon_as_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    tg.user_sends(CHAT, "hello")
    updates = await poll
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates if u.message] == ["hello"]
    # Unconfirmed updates come back; an offset past them confirms them.
    assert [u.update_id for u in await bot.get_updates()] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()
    assert tg.pending_updates == []


async def test_a_newer_get_updates_ends_the_older_one(tg: FakeTelegram, bot: Bot) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with make_bot(tg) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await older


async def test_user_updates_carry_replies_edits_stickers(tg: FakeTelegram, bot: Bot) -> None:
    ours = await bot.send_message(CHAT, "Which book?")
    answer = tg.user_sends(CHAT, "Dune", reply_to=ours.message_id)
    tg.user_edits(CHAT, answer.message_id, "Dune Messiah")
    tg.user_sends_sticker(CHAT, emoji="🐳")
    message, edited, sticker = await bot.get_updates()
    assert message.message is not None and message.message.reply_to_message is not None
    assert message.message.reply_to_message.text == "Which book?"
    assert edited.edited_message is not None
    assert (edited.edited_message.message_id, edited.edited_message.text) == (2, "Dune Messiah")
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "🐳"
    with pytest.raises(LookupError):
        tg.user_sends(CHAT, "hm", reply_to=99)


async def test_reactions_need_to_be_asked_for(tg: FakeTelegram, bot: Bot) -> None:
    ours = await bot.send_message(CHAT, "A highlight")
    tg.user_reacts(CHAT, ours.message_id, "👍")
    # Telegram's default allowed_updates leaves out message_reaction.
    assert await bot.get_updates() == ()
    tg.user_reacts(CHAT, ours.message_id, "🔥")
    (update,) = await bot.get_updates(allowed_updates=Update.ALL_TYPES)
    assert update.message_reaction is not None
    assert [r.emoji for r in update.message_reaction.old_reaction] == ["👍"]  # type: ignore[attr-defined]
    assert [r.emoji for r in update.message_reaction.new_reaction] == ["🔥"]  # type: ignore[attr-defined]


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer a choice."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Keep", callback_data="keep:7")]])
    await update.effective_message.reply_text("Keep this one?", reply_markup=keyboard)


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm the choice by editing the menu."""
    query = update.callback_query
    assert query is not None
    await query.answer("Kept")
    await query.edit_message_text(f"You chose {query.data}")


async def thank(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Thank the reader for a reaction."""
    reaction = update.message_reaction
    assert reaction is not None
    emoji = reaction.new_reaction[0].emoji  # type: ignore[attr-defined]
    await context.bot.send_message(reaction.chat.id, f"Thanks for {emoji}")


async def test_callback_and_reaction_updates_reach_handlers(tg: FakeTelegram) -> None:
    handlers = (
        CommandHandler("choose", choose),
        CallbackQueryHandler(chosen),
        MessageReactionHandler(thank),
    )
    async with polling(tg, *handlers):
        tg.user_sends(CHAT, "/choose")
        menu = await tg.wait_for(CHAT)
        assert menu.callback_data == ["keep:7"]
        query_id = tg.user_presses(CHAT, menu.message_id, "keep:7")
        edited = await tg.wait_for(lambda m: m.edited)
        tg.user_reacts(CHAT, menu.message_id, "❤")
        thanks = await tg.wait_for(CHAT)
    assert (edited.message_id, edited.text, edited.reply_markup) == (
        menu.message_id,
        "You chose keep:7",
        None,
    )
    assert tg.callback_answers == [CallbackAnswer(query_id, "Kept", False, None, 0)]
    assert thanks.text == "Thanks for ❤"
    with pytest.raises(LookupError):
        tg.user_presses(CHAT, menu.message_id, "keep:7")  # the edit removed the keyboard


# -- limits -----------------------------------------------------------------------------------


async def test_text_length_is_counted_in_utf16_after_parsing(bot: Bot) -> None:
    assert (await bot.send_message(CHAT, "a" * 4096)).text == "a" * 4096
    bold = await bot.send_message(CHAT, f"<b>{'a' * 4096}</b>", parse_mode=ParseMode.HTML)
    assert bold.text == "a" * 4096
    assert (await bot.send_message(CHAT, "😀" * 2048)).text == "😀" * 2048
    for too_long in ("a" * 4097, "😀" * 2049, "a" * 4095 + "😀"):
        with pytest.raises(BadRequest, match="^Message is too long$"):
            await bot.send_message(CHAT, too_long)


async def test_empty_text_and_long_caption_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="^Message text is empty$"):
        await bot.send_message(CHAT, "")
    with pytest.raises(BadRequest, match="^Message text is empty$"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="^Message caption is too long$"):
        await bot.send_document(CHAT, b"x", filename="a.txt", caption="c" * 1025)


async def test_callback_data_is_1_to_64_bytes(bot: Bot) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    ok = await bot.send_message(CHAT, "menu", reply_markup=keyboard("x" * 64))
    assert ok.reply_markup == keyboard("x" * 64)
    # 33 characters, but 66 bytes of UTF-8.
    for bad in ("x" * 65, "é" * 33):
        with pytest.raises(BadRequest, match="^Button_data_invalid$"):
            await bot.send_message(CHAT, "menu", reply_markup=keyboard(bad))


async def test_edits_need_an_existing_changed_message(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "<b>Draft</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="^Message is not modified: specified new message"):
        await bot.edit_message_text("<b>Draft</b>", CHAT, sent.message_id, parse_mode="HTML")
    # Same characters, other formatting: that is a change.
    await bot.edit_message_text("Draft", CHAT, sent.message_id)
    with pytest.raises(BadRequest, match="^Message to edit not found$"):
        await bot.edit_message_text("Final", CHAT, 99)
    with pytest.raises(BadRequest, match="^Message to edit not found$"):
        await bot.edit_message_text("Final", CHAT + 1, sent.message_id)
    message = tg.last(CHAT)
    assert (message.text, message.sent_text, message.entities) == ("Draft", "Draft", [])
    assert [edit.text for edit in message.edits] == ["Draft"]


async def test_replies_need_an_existing_message(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="^Message to be replied not found$"):
        await bot.send_message(CHAT, "re", reply_parameters=ReplyParameters(99))
    lenient = ReplyParameters(99, allow_sending_without_reply=True)
    sent = await bot.send_message(CHAT, "re", reply_parameters=lenient)
    assert sent.reply_to_message is None
    quoted = await bot.send_message(CHAT, "re 2", reply_to_message_id=sent.message_id)
    assert quoted.reply_to_message is not None
    assert quoted.reply_to_message.text == "re"
    assert tg.last(CHAT).reply_to == sent.message_id


async def test_get_file_refuses_files_over_20_mb(tg: FakeTelegram, bot: Bot) -> None:
    big = tg.user_sends_document(CHAT, "big.txt", b"x", file_size=25 * 1024 * 1024)
    assert big.document is not None
    with pytest.raises(BadRequest, match="^File is too big$"):
        await bot.get_file(big.document.file_id)
    with pytest.raises(BadRequest, match="^Wrong file_id or the file is temporarily unavailable"):
        await bot.get_file("nonsense")


async def test_flood_limits_answer_429(timedelta_retry_after: None) -> None:
    async with FakeTelegram(token=TOKEN, rate_limits=True) as fake, make_bot(fake) as client:
        await client.send_message(CHAT, "one")
        with pytest.raises(RetryAfter) as private:
            await client.send_message(CHAT, "two")
        for number in range(20):
            await client.send_message(GROUP, f"group {number}")
        with pytest.raises(RetryAfter) as group:
            await client.send_message(GROUP, "one too many")
    assert private.value.retry_after == dt.timedelta(seconds=1)
    # 60 s after the first group message, less however long the 20 sends took.
    assert group.value.retry_after in {dt.timedelta(seconds=s) for s in range(55, 61)}
    assert [m.text for m in fake.sent(CHAT)] == ["one"]


def test_flood_windows_slide() -> None:
    now = [100.0]
    flood = FloodControl(clock=lambda: now[0])
    for chat in range(1, 31):
        flood.admit(chat)
    with pytest.raises(ApiError) as overall:
        flood.admit(31)  # the 31st message within one second, to a fresh chat
    assert (overall.value.status, overall.value.retry_after) == (429, 1)
    now[0] = 100.99
    with pytest.raises(ApiError):
        flood.admit(31)
    now[0] = 101.0
    flood.admit(31)
    flood.admit(1)  # a private chat's second message, one second after its first
    for _ in range(20):
        flood.admit(GROUP)
    now[0] = 130.5
    with pytest.raises(ApiError) as group:
        flood.admit(GROUP)
    assert group.value.retry_after == 31  # 60 s after the first group message, rounded up
    now[0] = 161.0
    flood.admit(GROUP)


# -- faults -----------------------------------------------------------------------------------


async def test_injected_errors_map_to_ptb_exceptions(
    tg: FakeTelegram, bot: Bot, timedelta_retry_after: None
) -> None:
    tg.fail_next("sendMessage", retry_after=2, chat_id=CHAT)
    await bot.send_message(CHAT + 1, "other chats are not affected")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(CHAT, "hi")
    assert flood.value.retry_after == dt.timedelta(seconds=2)
    tg.fail_next("sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="^Internal Server Error$"):
            await bot.send_message(CHAT, "hi")
    await bot.send_message(CHAT, "hi")
    assert [m.text for m in tg.sent(CHAT)] == ["hi"]
    with pytest.raises(ValueError, match="does not implement"):
        tg.fail_next("sendTelepathy")


async def test_blocked_and_missing_chats(tg: FakeTelegram, bot: Bot) -> None:
    tg.block_chat(CHAT)
    with pytest.raises(Forbidden, match="^Forbidden: bot was blocked by the user$"):
        await bot.send_message(CHAT, "hi")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")
    tg.user_sends(CHAT, "/start")  # writing to the bot again unblocks it
    await bot.send_message(CHAT, "welcome back")
    tg.chat_not_found(7)
    with pytest.raises(BadRequest, match="^Chat not found$"):
        await bot.send_message(7, "hi")


@pytest.mark.parametrize("delivered", [True, False])
async def test_timeouts_may_or_may_not_deliver(tg: FakeTelegram, bot: Bot, delivered: bool) -> None:
    tg.fail_next("sendMessage", timeout=True, delivered=delivered)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "lost reply", read_timeout=0.2)
    assert [m.text for m in tg.sent(CHAT)] == (["lost reply"] if delivered else [])
    # The server notices the client gave up and lets the request go.
    await tg.wait_until(lambda: tg.failed_requests)
    assert tg.failed_requests[0][1] == "Gateway Timeout"


# -- HTML -------------------------------------------------------------------------------------


async def test_valid_nested_html_becomes_entities(tg: FakeTelegram, bot: Bot) -> None:
    html = (
        '<b>Dune <i>Herbert</i></b> &lt;1965&gt; <a href="https://x.org/?a=1&amp;b=2">link</a>\n'
        '<blockquote expandable>Fear is the <span class="tg-spoiler">mind</span>-killer'
        "</blockquote>"
    )
    sent = await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML)
    assert sent.text == "Dune Herbert <1965> link\nFear is the mind-killer"
    assert [(e.type, e.offset, e.length, e.url) for e in sent.entities] == [
        ("bold", 0, 12, None),
        ("italic", 5, 7, None),
        ("text_link", 20, 4, "https://x.org/?a=1&b=2"),
        ("expandable_blockquote", 25, 23, None),
        ("spoiler", 37, 4, None),
    ]
    assert tg.last(CHAT).sent_text == html
    assert tg.last(CHAT).parse_mode == "HTML"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<x>hi</x>", 'unsupported start tag "x" at byte offset 0'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("Tom & Jerry", "character '&' at byte offset 4 starts no entity"),
    ],
)
async def test_invalid_html_is_refused(bot: Bot, html: str, error: str) -> None:
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML)
    # PTB drops "Bad Request: " and capitalises the rest.
    assert refused.value.message.startswith(f"Can't parse entities: {error}")


async def test_bare_ampersand_passes_when_not_strict() -> None:
    async with FakeTelegram(token=TOKEN, strict_html=False) as fake, make_bot(fake) as client:
        sent = await client.send_message(CHAT, "Tom & Jerry &amp co", parse_mode="HTML")
    assert sent.text == "Tom & Jerry & co"


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("😀<b>é</b>", "😀é", [{"type": "bold", "offset": 2, "length": 1}]),
        ("<B>x</b>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
        ("&#128512;&#x41;&lt&quot;", '😀A<"', []),
        ("<b></b>x", "x", []),
        (
            '<b>Bold <i>both</i></b> &amp; <a href="https://x.org">link</a>\n'
            "<blockquote>quoted &lt;3</blockquote>",
            "Bold both & link\nquoted <3",
            [
                {"type": "bold", "offset": 0, "length": 9},
                {"type": "italic", "offset": 5, "length": 4},
                {"type": "text_link", "offset": 12, "length": 4, "url": "https://x.org"},
                {"type": "blockquote", "offset": 17, "length": 9},
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        (
            '<code class="language-python">x</code>',
            "x",
            [{"type": "code", "offset": 0, "length": 1}],
        ),
        ("<blockquote>q</blockquote>", "q", [{"type": "blockquote", "offset": 0, "length": 1}]),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [
                {  # U+1F44D lies outside the BMP: two UTF-16 code units
                    "type": "custom_emoji",
                    "offset": 0,
                    "length": 2,
                    "custom_emoji_id": "5368324170671202286",
                }
            ],
        ),
        (
            "<s>a</s><del>b</del><u>c</u>",
            "abc",
            [
                {"type": "strikethrough", "offset": 0, "length": 1},
                {"type": "strikethrough", "offset": 1, "length": 1},
                {"type": "underline", "offset": 2, "length": 1},
            ],
        ),
    ],
)
def test_parse_html_matches_telegram(html: str, text: str, entities: list[dict[str, Any]]) -> None:
    parsed = parse_html(html)
    assert (parsed.text, parsed.entities) == (text, entities)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("é<x>", 'Unsupported start tag "x" at byte offset 2'),
        ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<B>x</B>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</B>"'),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=x!>y</a>", "Unexpected end of name token at byte offset 9"),
        ("R&D", "Character '&' at byte offset 1 starts no entity"),
    ],
)
def test_parse_html_errors_match_telegram(html: str, error: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_html(html)
    assert str(refused.value).startswith(error)
    assert utf16_len("😀a") == 3


_HTML_FRAGMENTS = st.sampled_from(
    ["<b>", "</b>", "<i>", "</i>", "<", ">", "</", "&", "&lt;", "&#", "&#x1F600;", "&amp", "=", '"']
    + ['<a href="', "<a href=x>", "</a>", "<pre>", '<code class="language-py">', "</code>"]
    + ["</pre>", "<blockquote expandable>", "</blockquote>", " ", "\n", "x", "é", "😀", "\x00"]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_HTML_FRAGMENTS).map("".join)))
def test_parse_html_either_parses_or_says_why(html: str) -> None:
    for strict in (True, False):
        try:
            parsed = parse_html(html, strict=strict)
        except EntityParseError as error:
            assert str(error)
            continue
        size = utf16_len(parsed.text)
        for entity in parsed.entities:
            assert 0 <= entity["offset"] < entity["offset"] + entity["length"] <= size


@given(st.text().filter(lambda text: "<" not in text and "&" not in text))
def test_html_without_markup_is_the_text_itself(text: str) -> None:
    assert parse_html(text) == ParsedText(text, [])


# -- files, commands, reactions, webhook ------------------------------------------------------


async def read_back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the user's document and say what it holds."""
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    content = bytes(await file.download_as_bytearray())
    await message.reply_text(f"{message.document.file_name}: {content.decode()}")


async def test_files_go_both_ways(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(
        CHAT, b"notes", filename="notes.txt", caption="<b>Yours</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert (sent.caption, sent.document.file_name, sent.document.mime_type) == (
        "Yours",
        "notes.txt",
        "text/plain",
    )
    stored = tg.last(CHAT).document
    assert stored is not None and stored.content == b"notes"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"notes"

    photo = await bot.send_photo(CHAT, png(3, 2))
    assert [(size.width, size.height) for size in photo.photo] == [(3, 2)]
    last_photo = tg.last(CHAT).photo
    assert last_photo is not None and last_photo.content == png(3, 2)
    with pytest.raises(BadRequest, match="^Image_process_failed$"):
        await bot.send_photo(CHAT, b"not an image")

    async with polling(tg, MessageHandler(filters.Document.ALL, read_back)):
        tg.user_sends_document(CHAT, "My Clippings.txt", "Dune — Herbert".encode())
        reply = await tg.wait_for(CHAT)
    assert reply.text == "My Clippings.txt: Dune — Herbert"


async def test_commands_reactions_actions_and_deletes(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("random", "A random highlight")])
    assert tg.commands == {"start": "Begin", "random": "A random highlight"}
    assert [c.command for c in await bot.get_my_commands()] == ["start", "random"]
    with pytest.raises(BadRequest, match="^Bot_command_invalid$"):
        await bot.set_my_commands([("no spaces", "x")])

    note = tg.user_sends(CHAT, "a highlight")
    assert await bot.set_message_reaction(CHAT, note.message_id, "👍")
    assert tg.reactions == [BotReaction(CHAT, note.message_id, ("👍",), False)]
    with pytest.raises(BadRequest, match="^Reaction_invalid$"):
        await bot.set_message_reaction(CHAT, note.message_id, "🦆")

    assert await bot.send_chat_action(CHAT, "upload_document")
    assert [(a.chat_id, a.action) for a in tg.chat_actions] == [(CHAT, "upload_document")]

    sent = await bot.send_message(CHAT, "oops")
    assert await bot.delete_message(CHAT, sent.message_id)
    assert tg.last(CHAT).deleted
    with pytest.raises(BadRequest, match="^Message to delete not found$"):
        await bot.delete_message(CHAT, sent.message_id)


async def test_webhook_excludes_get_updates(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret")
    assert tg.webhook is not None
    assert (tg.webhook.url, tg.webhook.secret_token) == ("http://127.0.0.1:9/hook", "s3cret")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert tg.webhook is None
    assert await bot.get_updates() == ()


async def test_wait_for_reads_bot_output_as_a_stream(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "first")
    await bot.send_message(GROUP, "second")
    await bot.send_message(CHAT, "third")
    assert (await tg.wait_for(GROUP)).text == "second"
    assert (await tg.wait_for()).text == "third"
    with pytest.raises(TimeoutError, match="no bot message matched within 0.1s"):
        await tg.wait_for(lambda m: "never" in m.body, timeout=0.1)
    messages: list[Message] = tg.sent(CHAT)
    assert [m.text for m in messages] == ["first", "third"]


async def test_stopping_releases_a_pending_long_poll() -> None:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    async with make_bot(fake) as client:
        poll = asyncio.create_task(client.get_updates(timeout=30, read_timeout=35))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await fake.stop()
        assert await poll == ()
        assert time.monotonic() - started < 1


async def test_a_client_that_hangs_up_mid_request_is_no_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # python-telegram-bot cancels its long poll when it stops, sometimes while the request is
    # still going out: Telegram never sees that call, and the fake logs no error for it.
    async with FakeTelegram(token=TOKEN) as fake:
        url = URL(fake.url)
        reader, writer = await asyncio.open_connection(url.host, url.port)
        writer.write(
            f"POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: {url.host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            f"chat_id={CHAT}&text=hal".encode()
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.2)  # the server reads what came and finds the client gone
        assert fake.sent(CHAT) == []
        assert fake.requests == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# -- in-process -------------------------------------------------------------------------------


async def test_in_process_the_same_api_answers_without_http() -> None:
    world = World({"id": 123, "is_bot": True, "first_name": "Fake Bot", "username": "fake_bot"})
    answered: list[tuple[str, Any]] = []

    def record(method: str, params: Params, result: Any) -> None:
        answered.append((method, result))

    request = InProcessRequest(BotApi(world), answered=record)
    async with Bot(TOKEN, request=request, get_updates_request=request) as client:
        sent = await client.send_message(CHAT, "<b>Dune</b>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match='^Can\'t parse entities: unsupported start tag "x"'):
            await client.send_message(CHAT, "<x>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="^Message to edit not found$"):
            await client.edit_message_text("Final", CHAT, 99)
        document = await client.send_document(CHAT, b"notes", filename="notes.txt")
        assert document.document is not None
        file = await client.get_file(document.document.file_id)
        downloaded = bytes(await file.download_as_bytearray())
        SimulatedUsers(world).send_text(CHAT, "/start", user_id=None, reply_to=None, chat_type=None)
        (update,) = await client.get_updates(timeout=5)
        with pytest.raises(EndPointNotFound):
            await client.do_api_request("sendTelepathy")

    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4)]
    assert downloaded == b"notes"
    assert update.message is not None and update.message.text == "/start"
    assert [m.body for m in world.bot_messages(CHAT)] == ["Dune", ""]
    assert [method for method, _ in answered] == [
        "getMe",
        "sendMessage",
        "sendDocument",
        "getFile",
        "getUpdates",
    ]
    assert [call.method for call, _ in world.failures] == ["sendMessage", "editMessageText"]
