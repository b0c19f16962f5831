"""Typed settings read from the environment and an optional `.env` file."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.core.durations import parse_duration
from bot.core.schedules import Schedule, parse_schedules
from bot.core.service_levels import DEFAULT_SERVICE_LEVELS, ServiceLevel, parse_service_levels
from bot.meetings.model import parse_offsets
from bot.notices.model import QuietHours, parse_periods

SUPPORTED_LANGUAGES = ("en", "es", "ru")
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _duration(value: Any) -> Any:
    return parse_duration(value) if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class Settings(BaseSettings):
    """Every setting of the bot; see config/example.env for what each one means."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr | None = None
    bot_api_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    database_path: Path = Path("data/feedback.db")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "UTC"
    default_language: Literal["en", "es", "ru"] = "en"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    max_concurrent_updates: int = Field(default=64, ge=1, le=1024)
    api_rate_limit: float = Field(default=30.0, ge=0)
    reports_per_hour: int = Field(default=10, ge=1)
    recurring_window_days: int = Field(default=30, ge=1)
    digest_schedule: str = "weekly mon 08:00; monthly 1 08:00"
    delivery_grace: Duration = timedelta(hours=1)
    officers_chat_id: int | None = None
    invite_ttl: Duration = timedelta(hours=72)
    service_levels: str = DEFAULT_SERVICE_LEVELS
    overdue_summary: str = "daily 08:30"
    satisfaction_reask: Duration = timedelta(days=3)
    notice_rate: float = Field(default=25.0, gt=0, le=1000)
    quiet_hours: str = ""
    consultation_periods: str = "7d, 14d, 30d"
    consultation_reminder: Duration = timedelta(days=2)
    meeting_reminders: str = "7d, 1d, 1h"
    agenda_pack_before: Duration = timedelta(days=2)
    action_item_reminder: Duration = timedelta(days=1)

    @field_validator("digest_schedule")
    @classmethod
    def _valid_schedules(cls, value: str) -> str:
        parse_schedules(value)
        return value

    @field_validator("meeting_reminders")
    @classmethod
    def _valid_meeting_reminders(cls, value: str) -> str:
        parse_offsets(value)
        return value

    @field_validator("overdue_summary")
    @classmethod
    def _valid_summary_time(cls, value: str) -> str:
        if value.strip():
            Schedule.parse(value)
        return value

    @field_validator("service_levels")
    @classmethod
    def _valid_service_levels(cls, value: str) -> str:
        parse_service_levels(value)
        return value

    @field_validator(
        "delivery_grace",
        "invite_ttl",
        "satisfaction_reask",
        "agenda_pack_before",
        "action_item_reminder",
        "consultation_reminder",
    )
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero, e.g. 30s, 15m, 2h or 1d")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        QuietHours.parse(value)
        return value

    @field_validator("consultation_periods")
    @classmethod
    def _valid_consultation_periods(cls, value: str) -> str:
        parse_periods(value)
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("not a bot token; BotFather gives one like 123456:ABC-def")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            bad = [part for part in parts if not part.lstrip("-").isdigit()]
            if bad:
                raise ValueError(
                    f"expected comma-separated numeric Telegram user ids, got {bad[0]!r}"
                )
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Europe/Madrid"
            ) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bot_api_url", "bot_api_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_path")
    @classmethod
    def _writable_database(cls, value: Path) -> Path:
        folder = value.expanduser().resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create folder {folder}: {exc.strerror}") from None
        target = value if value.exists() else folder
        if not os.access(target, os.W_OK):
            raise ValueError(f"{target} is not writable")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _file_url_follows_api_url(cls, data: Any) -> Any:
        """Point file downloads at the same server when only BOT_API_URL was changed."""
        if isinstance(data, dict):
            api = data.get("bot_api_url") or data.get("BOT_API_URL")
            has_file = any(k in data for k in ("bot_api_file_url", "BOT_API_FILE_URL"))
            if isinstance(api, str) and api.endswith("/bot") and not has_file:
                data = {**data, "bot_api_file_url": api.removesuffix("/bot") + "/file/bot"}
        return data

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def digest_schedules(self) -> list[Schedule]:
        """Return the scheduled digests (none when DIGEST_SCHEDULE is empty)."""
        return parse_schedules(self.digest_schedule)

    @property
    def overdue_schedule(self) -> Schedule | None:
        """Return when the daily overdue summary goes out (None: never)."""
        return Schedule.parse(self.overdue_summary) if self.overdue_summary.strip() else None

    @property
    def levels(self) -> dict[str, ServiceLevel]:
        """Return the service level of each urgency."""
        return parse_service_levels(self.service_levels)

    @property
    def quiet(self) -> QuietHours | None:
        """Return the hours in which broadcasts wait (None: none)."""
        return QuietHours.parse(self.quiet_hours)

    @property
    def comment_periods(self) -> tuple[timedelta, ...]:
        """Return the comment periods offered as buttons when writing a consultation."""
        return parse_periods(self.consultation_periods)

    @property
    def reminder_offsets(self) -> tuple[timedelta, ...]:
        """Return how long before a meeting its reminders go out, longest first."""
        return parse_offsets(self.meeting_reminders)

    def is_admin(self, user_id: int) -> bool:
        """Tell whether this Telegram user is an admin by configuration."""
        return user_id in self.admin_ids


class SettingsError(Exception):
    """Settings that cannot be used, with one line per problem naming the key."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def describe_errors(error: ValidationError) -> list[str]:
    """Turn a validation error into one line per bad key, named as in the environment."""
    lines = []
    for item in error.errors():
        key = "_".join(str(part) for part in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        named = re.match(r"^([A-Z_]+): (.*)$", message)
        if not key and named:
            key, message = named.groups()
        lines.append(f"Invalid setting {key or 'value'}: {message}")
    return lines


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings from the environment (and env_file), raising SettingsError if invalid."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from None


class _ExplicitSettings(Settings):
    """Settings taken only from the values given, never from the environment or .env."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read the constructor's values only."""
        return (init_settings,)


def settings_from(values: dict[str, Any]) -> Settings:
    """Build settings from a mapping alone (tests, sandbox); raise SettingsError if invalid."""
    try:
        return _ExplicitSettings(**values)
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from None
