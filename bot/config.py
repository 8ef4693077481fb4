"""Typed settings, read from the environment or ``.env``. Built in ``main()``, never on import."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/commonplace.db"
SAMPLE_LIBRARY = Path(__file__).resolve().parents[1] / "seeds" / "the-devops-handbook.txt"


class Settings(BaseSettings):
    """Everything Commonplace can be configured with."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; SQLite by default, postgresql:// for scale-out.",
    )
    auto_migrate: bool = Field(
        default=True, description="Run pending Alembic migrations when a command opens the DB."
    )
    import_max_mb: float = Field(
        default=100.0, gt=0, description="Largest file the importer accepts, in megabytes."
    )
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    allowed_chat_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    run_your_own_url: str | None = Field(
        default=None,
        description="Where a chat outside ALLOWED_CHAT_IDS can learn to run its own bot.",
    )
    default_timezone: str = "UTC"
    delivery_tick_seconds: int = Field(
        default=30, ge=1, le=60, description="How often the scheduler looks for due chats."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    webhook_url: str | None = Field(
        default=None,
        description="Public HTTPS URL Telegram posts updates to; setting it selects webhook mode.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Telegram's secret_token; derived from the bot token when not set.",
    )
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    health_listen: str = Field(
        default="127.0.0.1", description="Address of the /healthz and /metrics server."
    )
    health_port: int = Field(
        default=9090, ge=0, le=65535, description="Port of /healthz and /metrics; 0 turns it off."
    )
    log_format: Literal["text", "json"] = "text"
    sample_library: Path = Field(
        default=SAMPLE_LIBRARY, description="The library /start offers to load."
    )

    @property
    def import_max_bytes(self) -> int:
        """The import size limit in bytes."""
        return int(self.import_max_mb * 1024 * 1024)

    @field_validator("allowed_chat_ids", mode="before")
    @classmethod
    def _split_chat_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(
                int(part) for part in value.replace(";", ",").split(",") if part.strip()
            )
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def webhook_secret_token(self) -> str:
        """The secret Telegram sends with every webhook call; the same on every instance."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        if self.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is required for webhook mode")
        token = self.telegram_bot_token.get_secret_value().encode()
        return hmac.new(token, b"commonplace-webhook", hashlib.sha256).hexdigest()
