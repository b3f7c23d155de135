"""Configuration from the environment: defaults, and a clear stop on bad values."""

from __future__ import annotations

import pytest

from runtime.config import ConfigError, load


def test_defaults_are_the_embedded_sqlite_and_slack():
    settings = load({})
    assert settings.database_url == "sqlite:///ritualbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    # SQLite has one writer: a second web process would only make writers queue in
    # SQLite's sleeping busy handler.
    assert settings.web_workers == 1


def test_on_postgresql_the_web_runs_two_workers_as_the_procfiles():
    assert load({"DATABASE_URL": "postgresql://u@h/db"}).web_workers == 2
    assert load({"DATABASE_URL": "sqlite:///x.db", "WEB_CONCURRENCY": "3"}).web_workers == 3


def test_postgres_urls_use_psycopg3():
    assert load({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"


def test_the_public_url_loses_its_trailing_slash_and_is_unset_by_default():
    assert load({}).public_url is None
    public = load({"RITUALBOT_PUBLIC_URL": " https://ritualbot.example.com/ "}).public_url
    assert public == "https://ritualbot.example.com"


def test_api_url_gets_its_trailing_slash():
    assert (
        load({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == "http://127.0.0.1:9/api/"
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({"SLACK_CLIENT_SECRET": "s"}, "SLACK_CLIENT_ID"),
        ({"RITUALBOT_PUBLIC_URL": "ritualbot.example.com"}, "RITUALBOT_PUBLIC_URL"),
    ],
)
def test_a_malformed_variable_is_named(env, named):
    with pytest.raises(ConfigError, match=named):
        load(env)


def test_running_without_credentials_says_what_to_set_and_points_to_the_sandbox():
    with pytest.raises(ConfigError) as error:
        load({}).require_slack()
    assert "SLACK_BOT_TOKEN" in str(error.value) and "ritualbot sandbox" in str(error.value)


def test_a_malformed_token_is_not_echoed_whole():
    with pytest.raises(ConfigError) as error:
        load({"SLACK_BOT_TOKEN": "xoxp-1234567890-secret-part"})
    assert "secret-part" not in str(error.value)
