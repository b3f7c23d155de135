"""`ritualbot doctor`: each check as (status, what was found)."""

from __future__ import annotations

import enum
from collections.abc import Iterator

from slack_sdk.errors import SlackApiError
from sqlalchemy import text

from runtime.app import BOT_SCOPES
from runtime.config import ConfigError, Settings
from runtime.slack_api import web_client
from storage import migrate
from storage.db import make_engine
from storage.secrets import KEY_VARIABLE


class Status(enum.StrEnum):
    OK = "ok"
    WARN = "warn"  # works, but will hurt later; does not fail the doctor
    FAIL = "fail"


def _status(passed: bool) -> Status:
    return Status.OK if passed else Status.FAIL


def diagnose(settings: Settings) -> Iterator[tuple[Status, str]]:
    for passed, line in _checks(settings):
        yield (passed if isinstance(passed, Status) else _status(passed)), line


def _checks(settings: Settings) -> Iterator[tuple[bool | Status, str]]:
    try:
        settings.require_slack()
        yield True, "configuration: Slack variables are set"
    except ConfigError as error:
        yield False, f"configuration: {error}"
    if settings.bot_token:
        yield from _token(settings)
    yield from _secret_key(settings)
    yield from _database(settings)


def _secret_key(settings: Settings) -> Iterator[tuple[bool | Status, str]]:
    if settings.secret_keys:
        yield True, f"secret key: set ({len(settings.secret_keys)} key(s)); tokens sealed at rest"
    elif settings.oauth:
        yield (
            Status.WARN,
            f"secret key: {KEY_VARIABLE} is not set, so each workspace's Slack token is stored "
            "in plain text; set it to the output of `ritualbot secret-key` and run "
            "`ritualbot migrate` to seal the tokens already stored",
        )


def _token(settings: Settings) -> Iterator[tuple[bool | Status, str]]:
    try:
        answer = web_client(settings, token=settings.bot_token).auth_test()
    except SlackApiError as error:
        yield (
            False,
            f"Slack token: auth.test answered '{error.response.get('error')}'; reinstall the app and copy the new Bot User OAuth Token",
        )
        return
    except OSError as error:
        yield (
            False,
            f"Slack token: could not reach {settings.slack_api_url} ({type(error).__name__})",
        )
        return
    yield True, f"Slack token: valid for workspace {answer.get('team')} as {answer.get('user')}"
    # Slack reports the token's scopes in a header on every answer.
    headers = {name.lower(): value for name, value in answer.headers.items()}
    granted = {s.strip() for s in str(headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
    if not granted:
        yield True, "Slack scopes: not reported by this API, not checked"
        return
    missing = sorted(set(BOT_SCOPES) - granted)
    if missing:
        yield (
            False,
            f"Slack scopes: missing {', '.join(missing)}; add them from manifest.yml and reinstall",
        )
    else:
        yield True, "Slack scopes: all granted"


def _database(settings: Settings) -> Iterator[tuple[bool | Status, str]]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            autovacuum = (
                connection.execute(text("SHOW autovacuum")).scalar()
                if engine.dialect.name == "postgresql"
                else None
            )
    except Exception as error:
        yield False, f"database: unreachable ({type(error).__name__}); check DATABASE_URL"
        return
    finally:
        engine.dispose()
    if migrate.is_current(engine):
        yield True, f"database: reachable, schema at {migrate.current_revision(engine)}"
    else:
        yield False, "database: reachable but not migrated; run `ritualbot migrate`"
    if autovacuum == "off":
        yield (
            Status.WARN,
            "database: PostgreSQL's autovacuum is off, so the planner's statistics go stale "
            "and lists and searches slow down as tables grow; turn it on "
            "(autovacuum = on in postgresql.conf) or run ANALYZE regularly",
        )
    engine.dispose()
