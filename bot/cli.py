"""The command line: ``commonplace import|export|stats|db`` (and ``python -m bot``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Engine

from bot import _cli_import, db
from bot.config import Settings
from bot.library import exporting
from bot.library.errors import LibraryError
from bot.library.importing import import_file
from bot.library.stats import library_stats
from bot.parsers import FORMAT_NAMES, formats_in_words
from bot.plural import counted

if TYPE_CHECKING:
    from bot.telegram.context import BotApplication

app = typer.Typer(
    help="Commonplace: your book highlights, one a day, in Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console()
# Errors are one line each however narrow the terminal, and whole when piped: a line that
# Rich wrapped at 80 columns would reach a log or a script as two.
err = Console(stderr=True, soft_wrap=True)

# A progress bar is worth its flicker only when a file takes more than a moment.
PROGRESS_FROM_BYTES = 512 * 1024

ChatOption = Annotated[
    int, typer.Option("--chat", help="Telegram chat id that owns the library.", show_default=False)
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    engine = db.create_db_engine(settings.database_url)
    try:
        if settings.auto_migrate:
            db.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@app.callback()
def _load_settings(ctx: typer.Context) -> None:
    """Read settings from the environment and .env before any command runs."""
    try:
        ctx.obj = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]).upper()
        raise fail(f"bad setting {where}: {first['msg']}") from None


@app.command(
    "import", help=f"Import a highlights export from {formats_in_words()} into a chat's library."
)
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The export file to import.", show_default=False)],
    chat: ChatOption,
    format: Annotated[
        str | None,
        typer.Option(help=f"Skip detection and read as one of: {', '.join(FORMAT_NAMES)}."),
    ] = None,
) -> None:
    """Import a highlights export into a chat's library."""
    settings = _settings(ctx)
    if format is not None and format not in FORMAT_NAMES:
        raise fail(f"unknown format {format!r}; choose one of {', '.join(FORMAT_NAMES)}")
    if not path.is_file():
        raise fail(f"{path}: no such file")
    size = path.stat().st_size
    if size > settings.import_max_bytes:
        raise fail(
            f"{path.name} is {size / 2**20:.1f} MB; the import limit is "
            f"{settings.import_max_mb:g} MB (IMPORT_MAX_MB)"
        )
    with (
        _database(settings) as engine,
        _cli_import.progress(err, enabled=size >= PROGRESS_FROM_BYTES) as update,
    ):
        try:
            with db.unit_of_work(db.session_factory(engine)) as session:
                report = import_file(
                    session,
                    chat_id=chat,
                    path=path,
                    max_bytes=settings.import_max_bytes,
                    filename=path.name,
                    format=format,
                    progress=update,
                )
        except LibraryError as error:
            raise fail(f"{path.name}: {error}") from None
    _cli_import.print_report(out, report)


@app.command("export")
def export_command(
    ctx: typer.Context,
    chat: ChatOption,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="json, csv (Readwise layout), md, anki (a deck to import in Anki) or obsidian "
            "(a zip of Markdown files for a vault; needs --output).",
        ),
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of to stdout.")
    ] = None,
) -> None:
    """Export a chat's library."""
    if format not in exporting.FORMATS:
        raise fail(
            f"unknown export format {format!r}; choose one of {', '.join(exporting.FORMATS)}"
        )
    if format in exporting.BINARY and output is None:
        raise fail(f"the {format} export is a zip file; name it with --output")
    with _database(_settings(ctx)) as engine, db.unit_of_work(db.session_factory(engine)) as s:
        document = exporting.export_file(s, chat_id=chat, fmt=format)
    if document is None:
        if format in exporting.BINARY:
            raise fail(f"Chat {chat} has an empty library: there is nothing to export.")
        document = exporting.render([], format).encode()
    if output is None:
        sys.stdout.write(document.decode())
        return
    output.write_bytes(document)
    err.print(f"Wrote {output}", highlight=False)


@app.command("stats")
def stats_command(ctx: typer.Context, chat: ChatOption) -> None:
    """Show how many books, highlights, notes and tags a chat's library holds."""
    with _database(_settings(ctx)) as engine, db.unit_of_work(db.session_factory(engine)) as s:
        stats = library_stats(s, chat_id=chat)
    if not stats.highlights:
        out.print(f"Chat {chat} has an empty library. Import one with `commonplace import`.")
        return
    out.print(
        f"{counted(stats.highlights, 'highlight')} in {counted(stats.books, 'book')}, "
        f"{counted(stats.notes, 'note')}, {counted(stats.tags, 'tag')}, "
        f"{counted(stats.favorites, 'favorite')}, {stats.discarded:,} discarded.",
        highlight=False,
    )
    if stats.top_books:
        out.print("Top books:")
        for title, author, count in stats.top_books:
            out.print(
                f"  {count:>6}  {title}" + (f" ({author})" if author else ""), highlight=False
            )
    if stats.top_tags:
        out.print("Top tags:")
        for name, count in stats.top_tags:
            out.print(f"  {count:>6}  #{name}", highlight=False)


WEBHOOK_PATH = "telegram"
NO_TOKEN = """\
Commonplace needs a Telegram bot token to run in Telegram.

  1. In Telegram, open @BotFather, send /newbot and follow the steps.
  2. Put the token it gives you in a file named .env here:
         TELEGRAM_BOT_TOKEN=123456:ABC-your-token
  3. Run `make run` again, then open your bot in Telegram and send /start.

No token yet? Try Commonplace in your terminal, same bot, no Telegram:
  .venv/bin/commonplace console --chat 1
"""


@app.command("run")
def run_command(
    ctx: typer.Context,
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="Serve Telegram's webhook (needs WEBHOOK_URL) instead of long polling.",
        ),
    ] = False,
) -> None:
    """Run the bot in Telegram: long polling by default, or a webhook server."""
    settings = _settings(ctx)
    if webhook and not settings.webhook_url:
        raise fail("--webhook needs WEBHOOK_URL, the public https:// address Telegram calls")
    if settings.telegram_bot_token is None:
        err.print(NO_TOKEN, highlight=False, markup=False)
        if not sys.stdin.isatty():
            raise typer.Exit(2)
        # A person at a terminal (`make run` on a fresh machine) gets the bot right away.
        err.print("Starting the console now (chat 1)…\n", highlight=False, markup=False)
        _console(settings, chat_id=1)
        return
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.logs import configure_logging

    configure_logging(
        settings.log_level,
        secrets=[settings.telegram_bot_token.get_secret_value()],
        fmt=settings.log_format,
    )
    with _database(settings) as engine:
        application = build_application(settings, db.session_factory(engine))
        try:
            _serve(application, settings)
        except InvalidToken:
            raise fail("Telegram rejected TELEGRAM_BOT_TOKEN; copy it again from @BotFather") from (
                None
            )
        except NetworkError as error:
            raise fail(
                f"could not reach the Bot API at {settings.telegram_api_url} ({error.message})", 1
            ) from None


def _serve(application: BotApplication, settings: Settings) -> None:
    """Run until stopped: webhook server when WEBHOOK_URL is set, else long polling."""
    from telegram import Update

    if not settings.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=WEBHOOK_PATH,
        webhook_url=f"{settings.webhook_url.rstrip('/')}/{WEBHOOK_PATH}",
        secret_token=settings.webhook_secret_token(),
        allowed_updates=Update.ALL_TYPES,
    )


@app.command("console")
def console_command(ctx: typer.Context, chat: ChatOption = 1) -> None:
    """Talk to the bot in this terminal: same handlers, same database, no Telegram."""
    if chat == 0:
        raise fail("chat 0 does not exist in Telegram; pick another --chat")
    _console(_settings(ctx), chat_id=chat)


def _console(settings: Settings, *, chat_id: int) -> None:
    from bot.console import run_console
    from bot.logs import configure_logging

    token = settings.telegram_bot_token
    # Quiet unless LOG_LEVEL is set: log lines (on stderr) would drown the conversation.
    level = settings.log_level if "log_level" in settings.model_fields_set else "WARNING"
    configure_logging(level, secrets=[token.get_secret_value()] if token else [])
    run_console(settings, chat_id=chat_id)


@app.command("backup")
def backup_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the backup (.jsonl.gz).")],
) -> None:
    """Back up the whole database: every chat, its settings, library and delivery history."""
    from bot.backup import backup

    with _database(_settings(ctx)) as engine:
        report = backup(engine, path)
    total = sum(report.rows.values())
    out.print(f"Backed up {total} rows at schema {report.schema} to {path}.", highlight=False)


@app.command("restore")
def restore_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup made by `commonplace backup`.")],
) -> None:
    """Restore a backup into an empty database (SQLite or PostgreSQL, either way)."""
    from bot.backup import RestoreRefused, restore

    if not path.is_file():
        raise fail(f"{path}: no such file")
    with _database(_settings(ctx)) as engine:
        try:
            report = restore(engine, path)
        except RestoreRefused as error:
            raise fail(str(error)) from None
    rows = ", ".join(f"{count} {name}" for name, count in report.rows.items() if count)
    out.print(f"Restored {rows or 'an empty database'}.", highlight=False)


@contextmanager
def _schema(ctx: typer.Context) -> Iterator[Engine]:
    """The database as it is, not migrated first: the db commands are the migrations."""
    engine = db.create_db_engine(_settings(ctx).database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply schema migrations (to the newest by default)."""
    with _schema(ctx) as engine:
        db.upgrade(engine, revision)
        out.print(f"Database at revision {db.current_revision(engine)}.")


@db_app.command("downgrade")
def db_downgrade(
    ctx: typer.Context, revision: Annotated[str, typer.Argument(help="Target revision.")]
) -> None:
    """Revert schema migrations down to REVISION (``base`` empties the database)."""
    with _schema(ctx) as engine:
        db.downgrade(engine, revision)
        out.print(f"Database at revision {db.current_revision(engine) or 'base'}.")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the newest one this version knows."""
    with _schema(ctx) as engine:
        out.print(f"current: {db.current_revision(engine) or 'empty'}; head: {db.head_revision()}")


def main() -> None:
    """Entry point of the ``commonplace`` script."""
    # python-telegram-bot reports durations such as retry_after as timedelta when asked.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    app()
