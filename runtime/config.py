"""Configuration read from the environment, in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from storage.secrets import SecretBox, SecretKeyError, keys_from

SLACK_API_URL_DEFAULT = "https://slack.com/api/"
DATABASE_URL_DEFAULT = "sqlite:///ritualbot.db"


class ConfigError(Exception):
    """A missing or malformed environment variable; the message names it."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    slack_api_url: str = SLACK_API_URL_DEFAULT
    database_url: str = DATABASE_URL_DEFAULT
    port: int = 3000
    web_workers: int = 2
    # RITUALBOT_SECRET_KEY: Fernet keys, the first sealing (storage.secrets).
    secret_keys: tuple[str, ...] = ()
    # RITUALBOT_PUBLIC_URL: where MLflow reaches ritualbot's webhooks (no trailing slash).
    public_url: str | None = None

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def oauth(self) -> bool:
        return self.client_id is not None

    def secret_box(self) -> SecretBox | None:
        return SecretBox(list(self.secret_keys)) if self.secret_keys else None

    def require_slack(self) -> None:
        """Stop start-up unless the variables of one Slack mode are all set."""
        if self.oauth:
            needed = {
                "SLACK_CLIENT_SECRET": self.client_secret,
                "SLACK_SIGNING_SECRET": self.signing_secret,
            }
        elif self.socket_mode:
            needed = {"SLACK_BOT_TOKEN": self.bot_token}
        else:
            needed = {
                "SLACK_BOT_TOKEN": self.bot_token,
                "SLACK_SIGNING_SECRET": self.signing_secret,
            }
        missing = [name for name, value in needed.items() if not value]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
                "Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (one workspace), or "
                "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (OAuth). "
                "No Slack workspace at hand? Run `ritualbot sandbox`."
            )


def _optional(env: Mapping[str, str], name: str, *, prefix: str | None = None) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if prefix and not value.startswith(prefix):
        raise ConfigError(
            f"{name} should start with '{prefix}' (got '{value[:6]}…'); copy it again from your Slack app settings."
        )
    return value


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("PORT", "").strip() or "3000"
    if not raw.isdigit() or not 0 <= int(raw) <= 65535:
        raise ConfigError(f"PORT must be a number from 0 to 65535 (got '{raw}'), e.g. PORT=3000.")
    return int(raw)


def web_workers(env: Mapping[str, str], *, database_url: str) -> int:
    """WEB_CONCURRENCY; by default 2 on PostgreSQL (as the Procfile's `web`), and 1 on SQLite,
    which has one writer: a second process only makes its writers wait for each other in
    SQLite's busy handler, which sleeps up to 100 ms between tries, where one process's
    16 threads take turns on a lock (storage.db). bench/ack.py: p99 4.3x a bare app's with
    one worker, 18x with two (docs/benchmarks.md)."""
    default = "1" if database_url.startswith("sqlite") else "2"
    raw = env.get("WEB_CONCURRENCY", "").strip() or default
    if not raw.isdigit() or not 1 <= int(raw) <= 32:
        raise ConfigError(
            f"WEB_CONCURRENCY must be a number of web worker processes from 1 to 32 "
            f"(got '{raw}'), e.g. WEB_CONCURRENCY=2."
        )
    return int(raw)


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    if not value.startswith(schemes):
        raise ConfigError(
            f"{name} must start with {' or '.join(repr(s) for s in schemes)} (got '{value}')."
        )
    return value


def _secret_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    keys = keys_from(env)
    try:
        if keys:
            SecretBox(keys)
    except SecretKeyError as error:
        raise ConfigError(str(error)) from None
    return tuple(keys)


def _public_url(env: Mapping[str, str]) -> str | None:
    value = env.get("RITUALBOT_PUBLIC_URL", "").strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ConfigError(
            "RITUALBOT_PUBLIC_URL must be the address Slack reaches ritualbot at, starting "
            f"with https:// (got '{value[:40]}'), e.g. https://ritualbot.example.com."
        )
    return value or None


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Read and check every variable of DESIGN.md's table."""
    env = os.environ if env is None else env
    api_url = _url(env, "SLACK_API_URL", SLACK_API_URL_DEFAULT, ("http://", "https://"))
    database_url = _url(
        env, "DATABASE_URL", DATABASE_URL_DEFAULT, ("sqlite", "postgresql", "postgres://")
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    client_id = _optional(env, "SLACK_CLIENT_ID")
    client_secret = _optional(env, "SLACK_CLIENT_SECRET")
    if client_secret and not client_id:
        raise ConfigError(
            "SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is not; set both for OAuth."
        )
    return Settings(
        bot_token=_optional(env, "SLACK_BOT_TOKEN", prefix="xoxb-"),
        signing_secret=_optional(env, "SLACK_SIGNING_SECRET"),
        app_token=_optional(env, "SLACK_APP_TOKEN", prefix="xapp-"),
        client_id=client_id,
        client_secret=client_secret,
        slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
        database_url=database_url,
        port=_port(env),
        web_workers=web_workers(env, database_url=database_url),
        secret_keys=_secret_keys(env),
        public_url=_public_url(env),
    )
