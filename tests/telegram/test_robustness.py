"""Telegram's errors: a 429 is waited out, a 403 or a 500 does not stop the bot."""

from __future__ import annotations

from tests.telegram.harness import ALICE, BOB, BotHarness, quote, sqlite_only

HELP_START = "📖 Commonplace brings your book highlights back into your life."


@sqlite_only
async def test_a_429_is_retried_after_retry_after_and_the_message_arrives(bot: BotHarness) -> None:
    bot.tg.fail_next("sendMessage", retry_after=1, chat_id=ALICE)

    reply = await bot.send(ALICE, "/help")

    assert reply.body.startswith(HELP_START)
    assert [description for _, description in bot.tg.failed_requests] == [
        "Too Many Requests: retry after 1"
    ]
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == 1  # retried once, delivered once


@sqlite_only
async def test_a_403_does_not_stop_the_bot(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("Still here.")])
    bot.tg.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    mark = bot.mark()
    bot.tg.user_sends(ALICE, "/random")
    await bot.settle()
    assert bot.calls_since(mark) == ["sendMessage"]  # refused, not retried
    assert bot.tg.sent(ALICE) == []

    assert (await bot.send(ALICE, "/random")).body.startswith("Still here.\n")
    assert (await bot.send(BOB, "/help")).body.startswith(HELP_START)


@sqlite_only
async def test_a_server_error_does_not_stop_the_bot(bot: BotHarness) -> None:
    bot.tg.fail_next("sendMessage", status=500, chat_id=ALICE)
    bot.tg.user_sends(ALICE, "/help")
    await bot.settle()

    assert (await bot.send(ALICE, "/help")).body.startswith(HELP_START)


@sqlite_only
async def test_a_request_telegram_rejects_is_logged_and_the_reader_told(bot: BotHarness) -> None:
    # What Telegram answers when the bot sends broken HTML: a bug to report, not to swallow.
    bot.tg.fail_next(
        "sendMessage",
        status=400,
        description='Bad Request: can\'t parse entities: Unsupported start tag "x" at byte 0',
        chat_id=ALICE,
    )

    reply = await bot.send(ALICE, "/help")

    assert reply.text == "😵 Something went wrong on my side. Please try again in a moment."
    await bot.settle()
    assert [record.getMessage() for record in bot.logged_errors] == ["update 1 failed"]
    bot.logged_errors.clear()
    assert (await bot.send(ALICE, "/help")).body.startswith(HELP_START)
