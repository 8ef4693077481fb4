"""A second, simple reading of the KOReader, Bookcision and Readwise Markdown corpus files.

Like expected_counts.py it shares no code with `bot/`. Each reader returns plain rows
(book, kind, place, text): kind is "highlight" or "note"; a note's place is its highlight's.
The KOReader sidecar is turned into JSON with a few substitutions (KOReader writes every
key in brackets and strings the way Lua's %q does), not read by a Lua parser.
"""

from __future__ import annotations

import json
import re

Row = tuple[str, str, int, str]

ACTION_TAGS = re.compile(r"^\s*(\.[\w-]+\s*)+")
AUTOMATIC = re.compile(r"@ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s*$")
LUA_STRING = re.compile(r'"((?:[^"\\\n]|\\.|\\\n)*)"', re.DOTALL)
LUA_ESCAPE = re.compile(r"\\(\d{1,3}|x[0-9a-fA-F]{2}|\n|.)", re.DOTALL)
NOTE_LINE = re.compile(r"^\s+- (?:\*\*)?Note:(?:\*\*)?\s*(.*)")
SIMPLE = {"n": b"\n", "t": b"\t", "r": b"\r", "a": b"\a", "b": b"\b", "f": b"\f", "v": b"\v"}


def note_text(note: str) -> str:
    """A note without its leading Readwise action tags (a note of tags only is no note)."""
    return ACTION_TAGS.sub("", note).strip()


def lua_string(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape.isdigit():
            raw = bytes([int(escape)])
        elif escape.startswith("x") and len(escape) == 3:
            raw = bytes([int(escape[1:], 16)])
        elif escape == "\n":
            raw = b"\n"
        else:
            raw = SIMPLE.get(escape, escape.encode())
        return raw.decode("latin-1")

    # Byte escapes spell UTF-8 one byte at a time: gather them as latin-1, then decode.
    latin = LUA_ESCAPE.sub(one, body.encode("utf-8").decode("latin-1"))
    return latin.encode("latin-1").decode("utf-8", errors="replace")


def lua_to_python(text: str) -> object:
    strings: list[str] = []

    def hold(match: re.Match[str]) -> str:
        strings.append(lua_string(match.group(1)))
        return f'"@{len(strings) - 1}@"'

    body = LUA_STRING.sub(hold, text)
    body = "\n".join(line for line in body.split("\n") if not line.lstrip().startswith("--"))
    body = body.strip().removeprefix("return").strip()
    body = re.sub(r"\[\s*(\"@\d+@\")\s*\]\s*=", r"\1:", body)
    body = re.sub(r"\[\s*(-?[\d.]+)\s*\]\s*=", r'"\1":', body)
    body = re.sub(r",(\s*[}\]])", r"\1", body)
    body = re.sub(r"\bnil\b", "null", body)
    return json.loads(
        body,
        object_hook=lambda o: {key_text(k, strings): restore(v, strings) for k, v in o.items()},
    )


def restore(value: object, strings: list[str]) -> object:
    if isinstance(value, str) and re.fullmatch(r"@\d+@", value):
        return strings[int(value[1:-1])]
    return value


def key_text(key: str, strings: list[str]) -> str:
    return strings[int(key[1:-1])] if re.fullmatch(r"@\d+@", key) else key


def read_koreader_lua(text: str) -> list[Row]:
    data = lua_to_python(text)
    assert isinstance(data, dict)
    props = data.get("doc_props") or data.get("stats") or {}
    book = str(props.get("title") or "")
    seen: dict[object, list[str]] = {}  # highlight -> [text, note]
    by_date: dict[tuple[str, str], object] = {}

    def add(item: dict[str, object], text: str, note: str) -> None:
        pos0, pos1 = item.get("pos0"), item.get("pos1")
        key = (pos0, pos1) if isinstance(pos0, str) and isinstance(pos1, str) else None
        date = str(item.get("datetime") or "")
        if key is None:
            key = (date, text)
        known = seen.get(key) or seen.get(by_date.get((date, text)))  # type: ignore[arg-type]
        if known is None:
            seen[key] = [text, note]
            by_date[(date, text)] = key
        elif note and not known[1]:
            known[1] = note

    for item in (data.get("annotations") or {}).values():
        if item.get("text") or item.get("note"):
            add(item, str(item.get("text") or ""), str(item.get("note") or ""))
    for page in (data.get("highlight") or {}).values():
        for item in page.values():
            if item.get("text"):
                add(item, str(item["text"]), "")
    for item in (data.get("bookmarks") or {}).values():
        if item.get("highlighted") is True and item.get("notes"):
            note = str(item.get("text") or "")
            add(item, str(item["notes"]), "" if AUTOMATIC.search(note) else note)
    rows: list[Row] = []
    for place, (text, note) in enumerate(seen.values(), start=1):
        rows.append((book, "highlight" if text else "note", place, text or note))
        if text and note_text(note):
            rows.append((book, "note", place, note_text(note)))
    return rows


def read_koreader_json(text: str) -> list[Row]:
    data = json.loads(text)
    books = data.get("documents", [data])
    rows: list[Row] = []
    for book in books:
        for place, entry in enumerate(book.get("entries", []), start=1):
            quote, note = (entry.get("text") or "").strip(), (entry.get("note") or "").strip()
            if quote:
                rows.append((book.get("title") or "", "highlight", place, quote))
                if note_text(note):
                    rows.append((book.get("title") or "", "note", place, note_text(note)))
            elif note:
                rows.append((book.get("title") or "", "note", -place, note))
    return rows


def read_bookcision(text: str) -> list[Row]:
    data = json.loads(text)
    rows: list[Row] = []
    for book in data if isinstance(data, list) else [data]:
        for place, item in enumerate(book["highlights"], start=1):
            quote, note = (item.get("text") or "").strip(), (item.get("note") or "").strip()
            if item.get("isNoteOnly"):
                rows.append((book["title"], "note", -place, note or quote))
            elif quote:
                rows.append((book["title"], "highlight", place, quote))
                if note_text(note):
                    rows.append((book["title"], "note", place, note_text(note)))
    return rows


def read_readwise_markdown(text: str) -> list[Row]:
    rows: list[Row] = []
    book, in_highlights, place = "", False, 0
    for line in text.split("\n"):
        if line.startswith("# "):
            book, in_highlights = line[2:].strip(), False
        elif re.match(r"^#{2,3} ", line):
            in_highlights = line.lstrip("#").strip().lower().startswith("highlights") or (
                in_highlights and not line.lstrip("#").strip().lower().startswith("metadata")
            )
        elif in_highlights and line.startswith("- "):
            place += 1
            rows.append((book, "highlight", place, line[2:].strip()))
        elif in_highlights and (note := NOTE_LINE.match(line)) and note_text(note.group(1)):
            rows.append((book, "note", place, note_text(note.group(1))))
    return rows
