"""The Lua literal reader: every literal KOReader writes, and nothing else, never a crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsers._lua import MAX_DEPTH, LuaError, read_lua


def test_a_sidecar_shaped_table_is_read() -> None:
    text = (
        "-- comment\nreturn {\n"
        '    ["doc_props"] = { ["title"] = "Meditations", ["pages"] = 254 },\n'
        '    ["highlight"] = { [13] = { [1] = { ["text"] = "Oceania" } } },\n'
        "    flag = true, [\"none\"] = nil; 'single', -1.5e2, 0x1F,\n"
        "}\n"
    )

    assert read_lua(text) == {
        "doc_props": {"title": "Meditations", "pages": 254},
        "highlight": {13: {1: {"text": "Oceania"}}},
        "flag": True,
        1: "single",
        2: -150.0,
        3: 31,
    }


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"a\nb"', "a\nb"),
        ('"line one\\\nline two"', "line one\nline two"),
        (r'"tab\9end"', "tab\tend"),
        (r'"\226\128\148"', "—"),
        (r'"\xE2\x80\x94"', "—"),
        (r'"\u{2014}"', "—"),
        (r'"quote \" and \\ and \'"', "quote \" and \\ and '"),
        ('"skip \\z   \n   spaces"', "skip spaces"),
        ("'single \"quoted\"'", 'single "quoted"'),
        ("[[long\nstring]]", "long\nstring"),
        ("[[\nfirst newline dropped]]", "first newline dropped"),
        ("[==[has ]] inside]==]", "has ]] inside"),
        ("0.25", 0.25),
        ("1e9999", float("inf")),
        ("- 7", -7),
        ("false", False),
        ("nil", None),
        ("--[[ a long comment ]] 5", 5),
        ("--[==[ a ]] long comment ]==] 6", 6),
        ('"ünïcödé kept"', "ünïcödé kept"),
    ],
)
def test_literals(literal: str, value: object) -> None:
    assert read_lua(f"return {literal}") == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('return { ["a"] = os.execute("rm") }', "Unexpected 'os.execute("),
        ("return { 1, 2", "The file ends inside a table"),
        ("return { 1, ", "The file ends inside a table"),
        ("return " + "1" * 5000, "cannot be read"),
        ("return 0x1p99999", "cannot be read"),
        ('return { "a" "b" }', "Expected ',' or '}'"),
        ('return "open', "A string is not closed"),
        ('return "two\nlines"', "not closed before the end of its line"),
        ("return [[never closed", "long string or comment is not closed"),
        (r'return "\q"', r"Unknown escape \q"),
        (r'return "\300"', "above 255"),
        ("return { [nil] = 1 }", "A table key cannot be nil"),
        ("return { [{}] = 1 }", "A table key cannot be a table"),
        ("return { a == 1 }", "Expected '='"),
        ("return 1 2", "Unexpected text after the value"),
        ("return function() end", "Unexpected"),
        ("", "The file ends where a value should be"),
    ],
)
def test_anything_else_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(LuaError, match="line") as error:
        read_lua(text)
    assert message in str(error.value)


def test_the_error_names_the_line() -> None:
    with pytest.raises(LuaError) as error:
        read_lua('return {\n  ["a"] = 1,\n  ["b"] = print,\n}')
    assert error.value.line == 3


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(LuaError, match="nested too deeply"):
        read_lua("return " + "{" * (MAX_DEPTH + 5) + "}" * (MAX_DEPTH + 5))
    assert read_lua("return " + "{" * 50 + "}" * 50) == _nested(49)


def _nested(depth: int) -> object:
    value: dict[object, object] = {}
    for _ in range(depth):
        value = {1: value}
    return value


LUA_PIECES = st.sampled_from(
    [
        "return",
        "{",
        "}",
        "[",
        "]",
        "=",
        "==",
        ",",
        ";",
        '"',
        "'",
        "\\",
        "\\9",
        "\\x4",
        "\\u{",
        "[[",
        "]]",
        "[==[",
        "--",
        "--[[",
        "\n",
        " ",
        "-",
        "0x",
        "1e",
        ".5",
        "12",
        "true",
        "nil",
        "name",
        '["text"]',
        "\x00",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(LUA_PIECES, st.text(max_size=4)), max_size=40).map("".join))
def test_any_text_is_read_or_refused_never_a_crash(text: str) -> None:
    with contextlib.suppress(LuaError):
        read_lua(text)


def dump(value: object, indent: str = "") -> str:
    """A Lua literal the way KOReader's serializer writes it (`%q` strings, bracketed keys)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        out = []
        for char, after in zip(value, value[1:] + " ", strict=False):
            if char in '"\\':
                out.append("\\" + char)
            elif char == "\n":
                out.append("\\\n")
            elif char == "\r":
                out.append("\\r")
            elif ord(char) < 32 or ord(char) == 127:
                # Three digits when a digit follows, or the escape would swallow it.
                out.append(f"\\{ord(char):03d}" if after.isdigit() else f"\\{ord(char)}")
            else:
                out.append(char)
        return '"' + "".join(out) + '"'
    assert isinstance(value, dict)
    inner = indent + "    "
    fields = "".join(f"{inner}[{dump(k)}] = {dump(v, inner)},\n" for k, v in value.items())
    return "{\n" + fields + indent + "}"


SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
)
KEYS = st.integers(min_value=1, max_value=500) | st.text(max_size=12)
TABLES = st.recursive(
    SCALARS, lambda children: st.dictionaries(KEYS, children, max_size=5), max_leaves=25
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, TABLES, max_size=6))
def test_what_koreader_writes_is_read_back_as_it_was(table: dict[object, object]) -> None:
    assert read_lua("-- we can read Lua syntax here!\nreturn " + dump(table) + "\n") == table
