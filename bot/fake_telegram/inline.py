"""Inline mode in the fake: a user's ``@bot words`` as an ``inline_query`` update, and
``answerInlineQuery`` checked as Telegram checks it.

What is checked: the query is open (each is answered once), at most 50 results with unique
ids of 1 to 64 bytes, each of a known type with the fields that type needs (an article's
title and message text, parsed like any message's; a cached photo's file_id that Telegram
holds), ``next_offset`` of at most 64 bytes, and a button's start parameter (1 to 64 of
``A-Z a-z 0-9 _ -``). The answer is kept as an ``InlineAnswer`` for the test to read.
"""

from __future__ import annotations

import re
from typing import Any

from .html_entities import EntityParseError, parse_html
from .models import JSON, InlineAnswer, bad_request
from .params import Params
from .state import World

MAX_RESULTS = 50
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TEXT_LIMIT = 4096
_CHAT_TYPES = frozenset({"sender", "private", "group", "supergroup", "channel"})
# The result types of the Bot API and the field each needs besides ``id``.
_REQUIRED = {
    "article": ("title", "input_message_content"),
    "photo": ("photo_url", "thumbnail_url"),
    "gif": ("gif_url", "thumbnail_url"),
    "mpeg4_gif": ("mpeg4_url", "thumbnail_url"),
    "video": ("video_url", "mime_type", "thumbnail_url", "title"),
    "audio": ("audio_url", "title"),
    "voice": ("voice_url", "title"),
    "document": ("title", "document_url", "mime_type"),
    "location": ("latitude", "longitude", "title"),
    "venue": ("latitude", "longitude", "title", "address"),
    "contact": ("phone_number", "first_name"),
    "game": ("game_short_name",),
    "sticker": ("sticker_file_id",),
}
_CACHED_FILE = {"photo": "photo_file_id", "document": "document_file_id"}


def push_inline_query(
    world: World, user: JSON, query: str, *, offset: str = "", chat_type: str = "sender"
) -> str:
    """The user types ``@bot query`` (in a chat of ``chat_type``); returns the query id."""
    if chat_type not in _CHAT_TYPES:
        raise ValueError(f"chat_type must be one of {sorted(_CHAT_TYPES)}")
    if len(query) > 256:
        raise ValueError("Telegram cuts an inline query at 256 characters")
    query_id = str(7_000_000 + world.next_id())
    world.open_inline_queries[query_id] = int(user["id"])
    world.push_update(
        "inline_query",
        {"id": query_id, "from": user, "query": query, "offset": offset, "chat_type": chat_type},
    )
    return query_id


def answer_inline_query(world: World, params: Params) -> bool:
    """answerInlineQuery."""
    query_id = params.text("inline_query_id") or ""
    if query_id not in world.open_inline_queries:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    results = params.json("results", what="results")
    if not isinstance(results, list):
        raise bad_request("can't parse results JSON object")
    if len(results) > MAX_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_result(world, result, seen)
    next_offset = params.text("next_offset") or ""
    if len(next_offset.encode()) > 64:
        raise bad_request("NEXT_OFFSET_INVALID")
    cache_time = params.integer("cache_time")
    if cache_time is not None and cache_time < 0:
        raise bad_request("CACHE_TIME_INVALID")
    button = params.json("button", what="button")
    if button is not None:
        _check_button(button)
    del world.open_inline_queries[query_id]
    world.inline_answers.append(
        InlineAnswer(
            inline_query_id=query_id,
            results=results,
            next_offset=next_offset,
            cache_time=300 if cache_time is None else cache_time,
            is_personal=params.flag("is_personal"),
            button=button,
        )
    )
    world.changed.notify()
    return True


def _check_result(world: World, result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict):
        raise bad_request("can't parse InlineQueryResult JSON object")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    kind = result.get("type")
    if kind not in _REQUIRED:
        raise bad_request("RESULT_TYPE_INVALID")
    cached = _CACHED_FILE.get(kind)
    if cached is not None and cached in result:
        if result[cached] not in world.files:
            raise bad_request("wrong file identifier/HTTP URL specified")
    else:
        for name in _REQUIRED[kind]:
            if result.get(name) in (None, ""):
                raise bad_request(f"can't parse InlineQueryResult: field {name} is missing")
    content = result.get("input_message_content")
    if content is not None:
        _check_content(content)
    markup = result.get("reply_markup")
    if markup is not None and not isinstance(markup.get("inline_keyboard"), list):
        raise bad_request("REPLY_MARKUP_INVALID")


def _check_content(content: Any) -> None:
    """An InputTextMessageContent: its text as a message's, after its parse_mode."""
    if not isinstance(content, dict):
        raise bad_request("can't parse InputMessageContent JSON object")
    if "message_text" not in content:
        return  # another kind of content (location, contact...): not checked here
    text = content["message_text"]
    if not isinstance(text, str) or not text.strip():
        raise bad_request("MESSAGE_EMPTY")
    if str(content.get("parse_mode", "")).lower() == "html":
        try:
            text = parse_html(text).text
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    if len(text.encode("utf-16-le")) // 2 > _TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse InlineQueryResultsButton JSON object")
    if "web_app" in button:
        return
    parameter = button.get("start_parameter")
    if not isinstance(parameter, str) or not _START_PARAMETER.fullmatch(parameter):
        raise bad_request("BUTTON_START_PARAM_INVALID")
