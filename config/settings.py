"""Typed settings read from the environment and an optional `.env` file."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
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
from bot.core.flood import FloodLimit
from bot.core.schedules import Schedule, parse_schedules
from bot.core.service_levels import DEFAULT_SERVICE_LEVELS, ServiceLevel, parse_service_levels
from bot.core.users import Language
from bot.meetings.model import parse_offsets
from bot.notices.model import QuietHours, parse_periods
from bot.reporting.model import DEFAULT_PREFIX, check_prefix
from config import CONFIG_DIR
from config.holidays import parse_holidays
from config.reference_data import load_taxonomy

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _parsed(parse: Callable[[str], Any]) -> BeforeValidator:
    """Validate by parsing text once at load; values already parsed pass through."""
    return BeforeValidator(lambda value: parse(value) if isinstance(value, str) else value)


def _zone(text: str) -> ZoneInfo:
    """Return the IANA time zone of this name."""
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {text!r}; use an IANA name like Europe/Madrid"
        ) from None


BYTE_SIZE = re.compile(r"^\s*(\d+)\s*(B|KB|MB)?\s*$", re.IGNORECASE)
BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024 * 1024}


def _byte_size(text: str) -> int:
    """Return a size in bytes written `65536`, `512KB` or `1MB` (1 KB = 1024 bytes)."""
    match = BYTE_SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r}; write e.g. 1MB, 512KB or 65536")
    return int(match[1]) * BYTE_UNITS[(match[2] or "B").upper()]


def _optional_schedule(text: str) -> Schedule | None:
    """Parse one schedule (empty text: none)."""
    return Schedule.parse(text) if text.strip() else None


Duration = Annotated[timedelta, _parsed(parse_duration)]
Zone = Annotated[ZoneInfo, NoDecode, _parsed(_zone)]
Schedules = Annotated[list[Schedule], NoDecode, _parsed(parse_schedules)]
OptionalSchedule = Annotated[Schedule | None, NoDecode, _parsed(_optional_schedule)]
ServiceLevels = Annotated[dict[str, ServiceLevel], NoDecode, _parsed(parse_service_levels)]
OptionalQuietHours = Annotated[QuietHours | None, NoDecode, _parsed(QuietHours.parse)]
CommentPeriods = Annotated[tuple[timedelta, ...], NoDecode, _parsed(parse_periods)]
ReminderOffsets = Annotated[tuple[timedelta, ...], NoDecode, _parsed(parse_offsets)]
Holidays = Annotated[frozenset[date], NoDecode, _parsed(parse_holidays)]
ReferencePrefix = Annotated[str, _parsed(check_prefix)]
ByteSize = Annotated[int, _parsed(_byte_size)]
OptionalFloodLimit = Annotated[FloodLimit | None, NoDecode, _parsed(FloodLimit.parse)]
DOMAIN_PATTERN = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)


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
    timezone: Zone = Field(default="UTC", validate_default=True)
    default_language: Language = Language.EN
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_max_body: ByteSize = Field(default=1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    health_host: str = "127.0.0.1"
    health_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    max_concurrent_updates: int = Field(default=64, ge=1, le=1024)
    api_rate_limit: float = Field(default=30.0, ge=0)
    flood_limit: OptionalFloodLimit = Field(default="20/10s", validate_default=True)
    reports_per_hour: int = Field(default=10, ge=1)
    recurring_window_days: int = Field(default=30, ge=1)
    sorting_encoder: bool = True
    digest_schedule: Schedules = Field(
        default="weekly mon 08:00; monthly 1 08:00", validate_default=True
    )
    delivery_grace: Duration = timedelta(hours=1)
    officers_chat_id: int | None = None
    invite_ttl: Duration = timedelta(hours=72)
    service_levels: ServiceLevels = Field(default=DEFAULT_SERVICE_LEVELS, validate_default=True)
    overdue_summary: OptionalSchedule = Field(default="daily 08:30", validate_default=True)
    satisfaction_reask: Duration = timedelta(days=3)
    notice_rate: float = Field(default=25.0, gt=0, le=1000)
    quiet_hours: OptionalQuietHours = None
    # A draft notice's comment period; the old names (CONSULTATION_*) are still read.
    comment_periods: CommentPeriods = Field(
        default="7d, 14d, 30d",
        validate_default=True,
        validation_alias=AliasChoices("comment_periods", "consultation_periods"),
    )
    comment_reminder: Duration = Field(
        default=timedelta(days=2),
        validation_alias=AliasChoices("comment_reminder", "consultation_reminder"),
    )
    meeting_reminders: ReminderOffsets = Field(default="7d, 1d, 1h", validate_default=True)
    agenda_pack_before: Duration = timedelta(days=2)
    action_item_reminder: Duration = timedelta(days=1)
    config_dir: Path = Field(default=CONFIG_DIR, validate_default=True)
    holidays: Holidays = frozenset()
    reference_prefix: ReferencePrefix = DEFAULT_PREFIX
    ics_domain: str | None = None
    backup_dir: Path | None = None
    backup_schedule: OptionalSchedule = Field(default="daily 02:00", validate_default=True)
    backup_keep: int = Field(default=14, ge=1, le=10000)
    bulletin_schedule: OptionalSchedule = Field(default="monthly 1 09:00", validate_default=True)
    public_channel_id: int | None = None

    @field_validator(
        "delivery_grace",
        "invite_ttl",
        "satisfaction_reask",
        "agenda_pack_before",
        "action_item_reminder",
        "comment_reminder",
    )
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero, e.g. 30s, 15m, 2h or 1d")
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

    @field_validator("config_dir")
    @classmethod
    def _reference_data(cls, value: Path) -> Path:
        """Check the folder's topics.toml and offices.toml now, so a bad file stops the start."""
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        load_taxonomy(value)
        return value

    @field_validator("ics_domain")
    @classmethod
    def _domain_shape(cls, value: str | None) -> str | None:
        if value is not None and not DOMAIN_PATTERN.match(value):
            raise ValueError("not a domain name, e.g. feedback.customs.example.org")
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
