"""The aiohttp transport: a real python-telegram-bot over real HTTP to the fake Telegram."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.fake_telegram import FakeTelegram
from bot.telegram.transport import AiohttpRequest

TOKEN = "123:transport"
CHAT = 42


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


def aiohttp_bot(fake: FakeTelegram, *, base_url: str | None = None) -> Bot:
    request = AiohttpRequest(connection_pool_size=8)
    return Bot(
        fake.token,
        base_url=base_url or fake.base_url,
        base_file_url=fake.base_file_url,
        request=request,
        get_updates_request=request,
    )


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with aiohttp_bot(tg) as client:
        yield client


async def test_a_message_with_html_and_buttons_arrives_as_sent(tg: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("★", callback_data="fav:1")]])
    html = "<b>Meditations</b> — Aurelius &amp; «notes» ✓"
    sent = await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    assert sent.text == "Meditations — Aurelius & «notes» ✓"
    stored = tg.last(CHAT)
    assert stored.message_id == sent.message_id
    assert stored.sent_text == html
    assert sent.reply_markup == keyboard


async def test_files_go_both_ways(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(CHAT, b"notes", filename="notes.txt", caption="Yours")
    assert sent.document is not None
    assert (sent.caption, sent.document.file_name) == ("Yours", "notes.txt")
    stored = tg.last(CHAT).document
    assert stored is not None and stored.content == b"notes"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"notes"


async def test_telegram_errors_keep_their_ptb_types(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as waited:
        await bot.send_message(CHAT, "too fast")
    assert waited.value.retry_after.total_seconds() == 3  # type: ignore[union-attr]
    tg.block_chat(7)
    with pytest.raises(Forbidden):
        await bot.send_message(7, "blocked")
    tg.chat_not_found(8)
    with pytest.raises(BadRequest, match="^Chat not found$"):
        await bot.send_message(8, "gone")
    assert tg.sent(CHAT) == [] and tg.sent(7) == [] and tg.sent(8) == []


@pytest.mark.parametrize("delivered", [True, False])
async def test_a_lost_answer_is_a_timeout(tg: FakeTelegram, bot: Bot, delivered: bool) -> None:
    tg.fail_next("sendMessage", timeout=True, delivered=delivered)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "lost reply", read_timeout=0.2)
    assert [m.text for m in tg.sent(CHAT)] == (["lost reply"] if delivered else [])
    await tg.wait_until(lambda: tg.failed_requests)


async def test_no_server_is_a_network_error(tg: FakeTelegram) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with aiohttp_bot(tg) as client:
        nowhere = Bot(tg.token, base_url=f"http://127.0.0.1:{port}/bot", request=client.request)
        with pytest.raises(NetworkError) as failed:
            await nowhere.send_message(CHAT, "hello?")
    assert not isinstance(failed.value, TimedOut)


async def test_it_opens_again_after_closing(tg: FakeTelegram) -> None:
    request = AiohttpRequest()
    bot = Bot(tg.token, base_url=tg.base_url, request=request)
    # PTB wraps whatever a transport raises that is not a TelegramError.
    with pytest.raises(NetworkError, match="not initialized"):
        await bot.send_message(CHAT, "too early")
    for text in ("first", "second"):
        await request.initialize()
        await bot.send_message(CHAT, text)
        await request.shutdown()
    assert [m.text for m in tg.sent(CHAT)] == ["first", "second"]


async def test_an_application_polls_and_answers_through_it(tg: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer /echo with its argument."""
        assert update.effective_message is not None
        await update.effective_message.reply_text(" ".join(context.args or []))

    app: Application[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest())
        .build()
    )
    app.add_handler(CommandHandler("echo", echo, filters=filters.UpdateType.MESSAGE))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            tg.user_sends(CHAT, "/echo over aiohttp")
            await tg.wait_until(lambda: len(tg.sent(CHAT)) == 1)
        finally:
            await app.updater.stop()
            await app.stop()
    assert tg.last(CHAT).text == "over aiohttp"


async def test_parameters_go_as_a_json_body_telegram_reads_like_a_form() -> None:
    # A server of its own, as the fake Telegram reads every encoding alike: what left the bot.
    seen: list[tuple[str, Any]] = []

    async def send_message(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.json()))
        message = {"message_id": 7, "date": 0, "chat": {"id": CHAT, "type": "private"}}
        return web.json_response({"ok": True, "result": {**message, "text": "x"}})

    server = web.Application()
    server.router.add_post(f"/bot{TOKEN}/sendMessage", send_message)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        request = AiohttpRequest(connection_pool_size=1)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("★", callback_data="fav:1")]])
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        await request.initialize()  # only the transport, as the delivery engine opens it
        try:
            sent = await bot.send_message(CHAT, "«x» & y", reply_markup=keyboard)
        finally:
            await request.shutdown()
    finally:
        await runner.cleanup()
    assert sent.message_id == 7
    [(content_type, body)] = seen
    assert content_type == "application/json"
    # Each field as its form field would be: objects JSON-encoded within, as Telegram takes.
    assert body["chat_id"] == str(CHAT) and body["text"] == "«x» & y"
    assert json.loads(body["reply_markup"]) == keyboard.to_dict()
