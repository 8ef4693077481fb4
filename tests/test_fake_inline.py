"""Inline mode in the fake Telegram, driven over HTTP by a real python-telegram-bot ``Bot``."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image
from telegram import (
    Bot,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from bot.fake_telegram import FakeTelegram

TOKEN = "123:ABC"
USER = 42


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as client:
        yield client


async def received(bot: Bot) -> InlineQuery:
    [update] = await bot.get_updates(allowed_updates=["inline_query"])
    await bot.get_updates(offset=update.update_id + 1)
    assert update.inline_query is not None
    return update.inline_query


def article(result_id: str, text: str = "A <b>quote</b>") -> dict[str, Any]:
    return {
        "type": "article",
        "id": result_id,
        "title": "A quote",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
    }


async def test_an_inline_query_arrives_and_its_answer_is_kept(tg: FakeTelegram, bot: Bot) -> None:
    query_id = tg.user_inline_query(USER, "river", offset="5", chat_type="group")

    query = await received(bot)
    assert (query.id, query.query, query.offset, query.chat_type) == (
        query_id,
        "river",
        "5",
        "group",
    )
    assert query.from_user.id == USER
    await bot.answer_inline_query(
        query.id,
        [
            InlineQueryResultArticle(
                "h1", "The river", InputTextMessageContent("<i>The river</i>", parse_mode="HTML")
            )
        ],
        next_offset="10",
        is_personal=True,
        cache_time=5,
        button=InlineQueryResultsButton("Start the bot", start_parameter="inline"),
    )

    answer = await tg.inline_answer(query_id)
    assert [result["id"] for result in answer.results] == ["h1"]
    assert (answer.next_offset, answer.is_personal, answer.cache_time) == ("10", True, 5)
    assert answer.button == {"text": "Start the bot", "start_parameter": "inline"}


async def test_a_cached_photo_must_be_a_file_telegram_holds(tg: FakeTelegram, bot: Bot) -> None:
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(png, format="PNG")
    sent = await bot.send_photo(USER, png.getvalue())
    file_id = sent.photo[-1].file_id
    tg.user_inline_query(USER, "")
    query = await received(bot)

    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.answer_inline_query(query.id, [InlineQueryResultCachedPhoto("p1", "nope")])
    await bot.answer_inline_query(query.id, [InlineQueryResultCachedPhoto("p1", file_id)])

    assert tg.inline_answers[0].results[0]["photo_file_id"] == file_id


async def test_each_inline_query_is_answered_once(tg: FakeTelegram, bot: Bot) -> None:
    tg.user_inline_query(USER, "x")
    query = await received(bot)
    await bot.answer_inline_query(query.id, [])

    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query(query.id, [])
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query("12345", [])


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"results": [article(str(n)) for n in range(51)]}, "RESULTS_TOO_MUCH"),
        ({"results": [article("a"), article("a")]}, "RESULT_ID_DUPLICATE"),
        ({"results": [article("x" * 65)]}, "RESULT_ID_INVALID"),
        ({"results": [{**article("a"), "type": "poster"}]}, "RESULT_TYPE_INVALID"),
        ({"results": [{"type": "article", "id": "a", "title": "t"}]}, "input_message_content"),
        ({"results": [article("a", "<b>unclosed")]}, "can't parse entities"),
        ({"results": [article("a", "   ")]}, "MESSAGE_EMPTY"),
        ({"results": [article("a", "x" * 4097)]}, "MESSAGE_TOO_LONG"),
        ({"results": [], "next_offset": "9" * 65}, "NEXT_OFFSET_INVALID"),
        (
            {"results": [], "button": {"text": "Go", "start_parameter": "has space"}},
            "BUTTON_START_PARAM_INVALID",
        ),
    ],
)
# Raw JSON, as only do_api_request sends it (PTB's own types refuse much of it before sending).
@pytest.mark.filterwarnings("ignore:Please use 'Bot.answerInlineQuery'")
async def test_answers_are_checked_as_telegram_checks_them(
    tg: FakeTelegram, bot: Bot, fields: dict[str, Any], error: str
) -> None:
    tg.user_inline_query(USER, "x")
    query = await received(bot)

    with pytest.raises(BadRequest, match="(?i)" + re.escape(error)):
        await bot.do_api_request(
            "answerInlineQuery", api_kwargs={"inline_query_id": query.id, **fields}
        )

    assert tg.inline_answers == []
    await bot.answer_inline_query(query.id, [])  # a refused answer leaves the query open


def test_an_inline_query_is_at_most_256_characters() -> None:
    from bot.fake_telegram.inline import push_inline_query
    from bot.fake_telegram.state import World

    world = World({"id": 1, "is_bot": True, "first_name": "B", "username": "b"})
    with pytest.raises(ValueError, match="256"):
        push_inline_query(world, world.user(USER), "x" * 257)
