"""Settings: defaults < `adtrace.toml` < `ADTRACE_*` environment variables < command-line options.

Every field is documented in docs/configuration.md (a test keeps the two in step).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DB = "sqlite:///adtrace.db"


def config_file() -> Path:
    """The settings file: `$ADTRACE_CONFIG`, else `adtrace.toml` in the working folder."""
    return Path(os.environ.get("ADTRACE_CONFIG", "adtrace.toml"))


class Settings(BaseSettings):
    """adtrace's settings: names in `adtrace.toml` are field names; variables `ADTRACE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="ADTRACE_", extra="forbid")

    db: str = Field(DEFAULT_DB, description="Store URL: sqlite:///FILE or postgresql+psycopg://...")
    tz: str | None = Field(
        None,
        description="Zone for times written without one; the ad's city's zone is used when unset.",
    )
    default_tz: str = Field(
        "UTC", description="Zone assumed when neither the value, --tz nor the city gives one."
    )
    region: str = Field("CA", description="Default phone region for numbers without a + prefix.")
    log_level: str = Field(
        "INFO", description="Log level at default verbosity (-v: DEBUG, -q: ERROR)."
    )
    max_field_chars: int = Field(
        1_000_000, description="A text field longer than this is rejected (kept in rejects)."
    )
    chunk_rows: int = Field(
        2_000, description="Rows per write batch during ingest (memory vs speed)."
    )
    sqlite_busy_timeout_ms: int = Field(
        30_000, description="How long SQLite waits for a lock held by another process."
    )
    mode: str = Field(
        "demo",
        pattern="^(demo|production)$",
        description="production: `adtrace serve` refuses to start without an active admin and "
        "never creates a default password (see docs/security.md).",
    )
    secret_key: str | None = Field(
        None,
        description="Key (32+ characters) of the audit log's search-term hashes; unset: a key "
        "file beside the SQLite store (store.db.key) or the settings file (adtrace.key).",
    )
    score_weights: str | None = Field(
        None,
        description="TOML file of score weights (and extra lexicons) over the defaults; "
        "see docs/indicators.md.",
    )
    retention_days: int | None = Field(
        None,
        ge=1,
        description="Purge ads last seen more than this many days ago (adtrace purge); "
        "unset: keep forever.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)


def load_settings(**overrides: object) -> Settings:
    """Settings from file and environment, non-None `overrides` (command-line options) on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
