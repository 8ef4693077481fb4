"""The Bot API methods that send, edit and delete messages, with Telegram's checks."""

from __future__ import annotations

from typing import Any

from .html_entities import EntityParseError, parse_html, utf16_len
from .limits import FloodControl
from .media import guess_mime_type, image_size, suffix_of
from .models import JSON, ApiError, Edit, Message, StoredFile, bad_request
from .params import Params, Upload
from .state import ChatState, World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class MessageMethods:
    """sendMessage, sendDocument, sendPhoto, editMessageText, editMessageReplyMarkup, ..."""

    def __init__(self, world: World, *, strict_html: bool, flood: FloodControl | None) -> None:
        self.world = world
        self.strict_html = strict_html
        self.flood = flood

    # -- shared checks -------------------------------------------------------------------

    def target(self, params: Params) -> tuple[int, ChatState]:
        """The chat a method acts on, refusing missing chats and users who blocked the bot."""
        chat_id = params.chat_id()
        if chat_id == 0:
            raise bad_request("chat not found")
        state = self.world.chat(chat_id)
        if state.missing:
            raise bad_request("chat not found")
        if state.blocked:
            raise ApiError(403, _blocked_description(state.kind))
        return chat_id, state

    def formatted(
        self, params: Params, *, caption: bool
    ) -> tuple[str | None, str | None, list[JSON]]:
        """(plain text, source text, entities) of ``text`` or ``caption`` after parse_mode."""
        name = "caption" if caption else "text"
        source = params.text(name)
        if source is None or source == "":
            if caption:
                return None, None, []
            raise bad_request("message text is empty")
        parse_mode = (params.text("parse_mode") or "").strip()
        entities_name = "caption_entities" if caption else "entities"
        if parse_mode.lower() == "html":
            try:
                parsed = parse_html(source, strict=self.strict_html)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
            plain, entities = parsed.text, parsed.entities
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            raise bad_request(
                f"the fake Telegram server does not implement parse_mode {parse_mode}"
            )
        elif parse_mode:
            raise bad_request("unsupported parse_mode")
        else:
            plain = source
            entities = params.json(entities_name) or []
            if not isinstance(entities, list):
                raise bad_request(f"can't parse {entities_name} JSON object")
        if not plain.strip():
            if caption:
                return None, source, []
            raise bad_request("message text is empty")
        if caption and utf16_len(plain) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
        if not caption and utf16_len(plain) > TEXT_LIMIT:
            raise bad_request("message is too long")
        return plain, source, entities

    def markup(self, params: Params) -> JSON | None:
        """The reply_markup, validated like Telegram validates inline keyboards."""
        markup = params.json("reply_markup", what="reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request(
                    'can\'t parse inline keyboard button: field "inline_keyboard" '
                    "must be an Array of Arrays"
                )
            for row in rows:
                for button in row:
                    _check_button(button)
        return markup

    def reply_target(self, params: Params, chat_id: int) -> Message | None:
        """The message being replied to, or None; refuses a missing one unless allowed."""
        reply = params.json("reply_parameters", what="reply parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
            in_chat = reply.get("chat_id", chat_id)
        else:
            message_id = params.integer("reply_to_message_id")
            allow_missing = params.flag("allow_sending_without_reply")
            in_chat = chat_id
        if message_id is None:
            return None
        found = None
        if isinstance(message_id, int) and isinstance(in_chat, int):
            found = self.world.find(in_chat, message_id)
        if found is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return found

    def deliver(self, chat_id: int, **fields: Any) -> JSON:
        """Store a message from the bot, after the flood check, and report it."""
        if self.flood is not None:
            self.flood.admit(chat_id)
        message = self.world.add_message(chat_id, self.world.bot_user, **fields)
        self.world.record_output(message)
        return message.to_api()

    def editable(self, params: Params) -> Message:
        """The bot message named by chat_id/message_id in an edit request."""
        if "inline_message_id" in params:
            raise bad_request("the fake Telegram server does not implement inline messages")
        chat_id, _ = self.target(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self.world.find(chat_id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    # -- methods ---------------------------------------------------------------------------

    def send_message(self, params: Params) -> JSON:
        """sendMessage."""
        return self._send(params, None)

    def send_document(self, params: Params) -> JSON:
        """sendDocument."""
        return self._send(params, "document")

    def send_photo(self, params: Params) -> JSON:
        """sendPhoto."""
        return self._send(params, "photo")

    def _send(self, params: Params, media: str | None) -> JSON:
        """A text message (``media`` None), or a document or photo with its caption."""
        chat_id, _ = self.target(params)
        fields: dict[str, Any] = {}
        if media is not None:
            fields[media] = self._input_file(params.file(media), media)
        body, source, entities = self.formatted(params, caption=media is not None)
        fields["text" if media is None else "caption"] = body
        return self.deliver(
            chat_id,
            sent_text=source,
            parse_mode=params.text("parse_mode"),
            entities=entities,
            reply_markup=self.markup(params),
            reply_to_message=self.reply_target(params, chat_id),
            **fields,
        )

    def _input_file(self, given: Upload | str | None, kind: str) -> StoredFile:
        if given is None or given == "":
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(given, str):
            known = self.world.files.get(given)
            if known is not None:
                return known
            if given.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not given.content:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            size = image_size(given.content)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            # A photo has no file name in the Bot API; the upload's is kept for whoever saves it.
            return self.world.store_file(
                given.content,
                folder="photos",
                suffix=".jpg",
                file_name=given.filename,
                width=size[0],
                height=size[1],
            )
        mime_type = given.content_type
        if mime_type in (None, "application/octet-stream"):
            mime_type = guess_mime_type(given.filename) or mime_type
        return self.world.store_file(
            given.content,
            folder="documents",
            suffix=suffix_of(given.filename),
            file_name=given.filename,
            mime_type=mime_type,
        )

    def edit_message_text(self, params: Params) -> JSON:
        """editMessageText."""
        message = self.editable(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, source, entities = self.formatted(params, caption=False)
        markup = self._inline_markup(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.text, message.sent_text, message.entities = text, source, entities
        message.parse_mode = params.text("parse_mode")
        message.reply_markup = markup
        return self._edited(message)

    def edit_message_reply_markup(self, params: Params) -> JSON:
        """editMessageReplyMarkup."""
        message = self.editable(params)
        markup = self._inline_markup(params)
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.reply_markup = markup
        return self._edited(message)

    def _inline_markup(self, params: Params) -> JSON | None:
        markup = self.markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        # An empty inline keyboard and no keyboard look the same to the reader.
        return markup if markup and markup["inline_keyboard"] else None

    def _edited(self, message: Message) -> JSON:
        message.edits.append(
            Edit(
                date=self.world.now(),
                text=message.text if message.text is not None else message.caption,
                sent_text=message.sent_text,
                parse_mode=message.parse_mode,
                entities=list(message.entities),
                reply_markup=message.reply_markup,
            )
        )
        self.world.record_output(message)
        return message.to_api()

    def delete_message(self, params: Params) -> bool:
        """deleteMessage."""
        chat_id, _ = self.target(params)
        message_id = params.integer("message_id")
        message = None if message_id is None else self.world.find(chat_id, message_id)
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.world.changed.notify()
        return True


def _blocked_description(chat_kind: str) -> str:
    if chat_kind == "private":
        return "Forbidden: bot was blocked by the user"
    return f"Forbidden: bot was kicked from the {chat_kind} chat"


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    elif "url" in button:
        if not isinstance(button["url"], str) or not button["url"].strip():
            raise bad_request("BUTTON_URL_INVALID")
    elif not any(
        key in button
        for key in (
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
    ):
        raise bad_request("text buttons are unallowed in the inline keyboard")
