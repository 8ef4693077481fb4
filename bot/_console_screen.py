"""The console's screen: the chat drawn with rich, as Telegram would show it in a terminal.

Messages are the fake Telegram's own (``bot.fake_telegram.Message``): their text and entities are
what Telegram made of the bot's HTML, drawn here as terminal styles, and inline buttons are
numbered for pressing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from bot._console_chat import ChatMessage, Edit
from bot.fake_telegram.models import JSON, Message

INDENT = "  "
EXPORTS = Path("exports")
USAGE = (
    ("/command or text", "a message to the bot: /start, /random, /search deploy…"),
    ("> N text", "reply to message N: #tags, -#tag, a note, /tag, /note, /fav…"),
    ("! B", "press button B of the latest buttons (! N B: of message N)"),
    ("+ N ❤", "react to message N (+ N alone takes your reaction back)"),
    ("edit N text", "edit your message N"),
    ("file PATH", "send a file, e.g. a Kindle My Clippings.txt"),
    ("help", "this list"),
    ("quit", "leave (Ctrl-D too)"),
)
_STYLES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "code": "cyan",
    "pre": "cyan",
    "spoiler": "reverse",
    "text_link": "underline",
}
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})


@dataclass(frozen=True, slots=True)
class _Span:
    """An entity over ``text[start:end]``: Python indexes where the Bot API counts UTF-16."""

    kind: str
    start: int
    end: int
    url: str | None


def _spans(text: str, entities: list[JSON]) -> list[_Span]:
    index = {}  # UTF-16 offset -> string index; Telegram's entities never split a character
    units = 0
    for position, char in enumerate(text):
        index[units] = position
        units += 2 if ord(char) > 0xFFFF else 1
    index[units] = len(text)
    return [
        _Span(e["type"], index[e["offset"]], index[e["offset"] + e["length"]], e.get("url"))
        for e in entities
    ]


def styled_lines(text: str, entities: list[JSON]) -> list[tuple[Text, bool]]:
    """Each line of a message (text and Bot API entities) styled, and whether it is quoted."""
    spans = _spans(text, entities)
    lines: list[tuple[Text, bool]] = []
    start = 0
    for raw in text.split("\n"):
        end = start + len(raw)
        quoted = any(e.kind in _QUOTES and e.start <= start < e.end for e in spans)
        lines.append((_styled(text, spans, start, end), quoted))
        start = end + 1
    return lines


def _styled(text: str, entities: list[_Span], start: int, end: int) -> Text:
    cuts = sorted(
        {start, end, *(min(max(p, start), end) for e in entities for p in (e.start, e.end))}
    )
    line = Text()
    for a, b in zip(cuts, cuts[1:], strict=False):
        styles = [
            _STYLES[e.kind] for e in entities if e.start <= a and b <= e.end and e.kind in _STYLES
        ]
        line.append(text[a:b], style=" ".join(styles) or None)
        for e in entities:
            # A link shows its address after its text, unless the text is the address.
            if e.kind == "text_link" and e.end == b and e.url and text[e.start : e.end] != e.url:
                line.append(f" ({e.url})", style="dim")
    return line


def _wrap(line: Text, console: Console, width: int) -> list[Text]:
    rows = list(line.wrap(console, max(width, 10)))
    for row in rows:
        row.rstrip()
    return rows


def _free_path(folder: Path, name: str) -> Path:
    """``folder/name``, numbered (``name-2.ext``…) so an earlier file is never overwritten."""
    base = Path(Path(name).name)  # a file name from the bot, never a path
    if base.name in ("", ".", ".."):
        base = Path("file")
    path, number = folder / base, 1
    while path.exists():
        number += 1
        path = folder / f"{base.stem}-{number}{base.suffix}"
    return path


class Screen:
    """Draws the chat with rich; files the bot sends are saved under ``exports``."""

    def __init__(self, console: Console, exports: Path = EXPORTS) -> None:
        self.console = console
        self.exports = exports
        self.drawn = 0
        """What the bot did, counted, so the console can say when it stayed silent."""

    # -- what the bot does (ChatView) -------------------------------------------------------

    def show(self, shown: ChatMessage, *, edit: Edit | None) -> None:
        """Draw a bot message, or its edit; save the file it carries."""
        self.drawn += 1
        message = shown.message
        header = Text(f"[{shown.number}{' edited' if edit else ''}]", style="bold cyan")
        if shown.replied is not None and edit is None:
            header.append(f" ↩ [{shown.replied}]", style="dim")
        lines: list[Text] = []
        if edit == "keyboard":
            if not message.keyboard:
                header.append(" buttons removed", style="dim")
        else:
            if edit is None:
                lines += self._save(message)
            if message.body:
                lines += self._body(message.body, message.entities)
        lines += self._keyboard(message.keyboard)
        self.console.print(header)
        for line in lines:
            self.console.print(Text(INDENT) + line if line else line)

    def notice(self, text: str, *, alert: bool) -> None:
        """A button's answer: a toast, or an alert the person has to dismiss in Telegram."""
        self.drawn += 1
        mark, style = ("⚠", "bold yellow") if alert else ("»", "yellow")
        self.console.print(Text(f"{INDENT}{mark} {text}", style=style))

    def deleted(self, shown: ChatMessage) -> None:
        """The bot deleted a message."""
        self.drawn += 1
        self.console.print(Text(f"[{shown.number} deleted]", style="dim"))

    def reacted(self, shown: ChatMessage, emojis: list[str]) -> None:
        """The bot reacted to a message."""
        self.drawn += 1
        what = " ".join(emojis) or "nothing (reaction removed)"
        self.console.print(Text(f"[{shown.number}] the bot reacted {what}", style="dim"))

    # -- what the person does ---------------------------------------------------------------

    def echo(self, shown: ChatMessage, *, edited: bool = False) -> None:
        """The person's own message, with the number ``edit`` and ``>`` use."""
        line = Text(f"[{shown.number}{' edited' if edited else ''}] you", style="dim")
        if shown.replied is not None:
            line.append(f" ↩ [{shown.replied}]", style="dim")
        document = shown.message.document
        if document is not None:
            line.append(f": 📎 {document.file_name} ({document.file_size:,} bytes)", style="dim")
        else:
            line.append(f": {shown.message.body}", style="dim")
        self.console.print(line)

    def pressed(self, shown: ChatMessage, number: int, label: str) -> None:
        """The person pressed a button."""
        self.console.print(Text(f"you pressed ({number}) {label} on [{shown.number}]", "dim"))

    def reaction(self, shown: ChatMessage, emoji: str | None) -> None:
        """The person reacted to a message."""
        what = emoji or "nothing (reaction removed)"
        self.console.print(Text(f"you reacted {what} to [{shown.number}]", style="dim"))

    def hint(self, text: str) -> None:
        """One line about console syntax."""
        self.console.print(Text(f"{INDENT}? {text} (type help for the console commands)", "yellow"))

    def silent(self) -> None:
        """The bot did not answer."""
        self.console.print(Text(f"{INDENT}(no answer)", style="dim"))

    def help(self) -> None:
        """The console commands."""
        width = max(len(syntax) for syntax, _ in USAGE) + 2
        for syntax, meaning in USAGE:
            line = Text(INDENT + syntax.ljust(width), style="bold")
            line.append(meaning, style="not bold")
            self.console.print(line)

    def banner(self, *, chat_id: int, database: str, refused: bool) -> None:
        """What the console is, whose library it shows, and how to talk."""
        self.console.print(
            Text("Commonplace console: the bot itself, its database, no Telegram.", "bold")
        )
        self.console.print(
            f"You are chat {chat_id}: the library you read and change is chat {chat_id}'s, "
            f"in {database}. Files the bot sends go to {self.exports}/."
        )
        if refused:
            self.console.print(
                Text(
                    f"Chat {chat_id} is not in ALLOWED_CHAT_IDS: the bot will refuse you, "
                    "as it would in Telegram.",
                    style="bold yellow",
                )
            )
        self.help()
        self.console.print("Send /start to begin.")

    # -- drawing ------------------------------------------------------------------------------

    def _width(self) -> int:
        return self.console.width - len(INDENT)

    def _body(self, text: str, entities: list[JSON]) -> list[Text]:
        rows: list[Text] = []
        for line, quoted in styled_lines(text, entities):
            if quoted:
                wrapped = _wrap(line, self.console, self._width() - 2)
                rows += [Text.assemble(("▌ ", "dim"), row) for row in wrapped]
            else:
                rows += _wrap(line, self.console, self._width())
        return rows

    def _keyboard(self, keyboard: list[list[JSON]]) -> list[Text]:
        rows: list[Text] = []
        number = 0
        for buttons in keyboard:
            line = Text()
            for button in buttons:
                number += 1
                if line:
                    line.append("  ")
                line.append(f"({number})", style="bold magenta")
                line.append(f" {button.get('text', '')}")
                if "url" in button:
                    line.append(f" ↗ {button['url']}", style="dim")
            rows += _wrap(line, self.console, self._width())
        return rows

    def _save(self, message: Message) -> list[Text]:
        """The line that says where the file the message carries was saved, if it carries one."""
        photo = message.photo is not None
        stored, icon = (message.photo, "🖼") if photo else (message.document, "📎")
        if stored is None:
            return []
        name = stored.file_name or ("photo" if photo else "document")
        try:
            self.exports.mkdir(parents=True, exist_ok=True)
            path = _free_path(self.exports, name)
            path.write_bytes(stored.content)
        except OSError as error:
            return [Text(f"{icon} {name}: could not save it ({error})", "bold red")]
        return [Text(f"{icon} {name} saved to {path}", style="green")]
