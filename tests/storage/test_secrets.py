"""Secrets at rest: sealing with key rotation, migration 0021 sealing the Slack tokens
already stored, and no token in a log line."""

from __future__ import annotations

import io
import logging

import pytest
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import text

from runtime import logs
from runtime.installations import SealedInstallationStore
from storage import migrate
from storage.db import Database
from storage.secrets import SecretBox, SecretKeyError, is_sealed, new_key

TOKEN = "xoxb-1111-2222-abcdefghijklmnop"


def test_a_rotated_key_list_opens_old_secrets_and_seals_with_the_new_key():
    old, new = new_key(), new_key()
    sealed_before = SecretBox([old]).seal(TOKEN)
    rotating = SecretBox([new, old])
    assert rotating.open(sealed_before) == TOKEN

    resealed = rotating.rotate(sealed_before)
    assert SecretBox([new]).open(resealed) == TOKEN
    with pytest.raises(SecretKeyError, match="not in RITUALBOT_SECRET_KEY"):
        SecretBox([new]).open(sealed_before)


def test_sealing_twice_or_opening_plain_text_changes_nothing():
    box = SecretBox([new_key()])
    sealed = box.seal(TOKEN)
    assert is_sealed(sealed) and TOKEN not in sealed
    assert box.seal(sealed) == sealed
    assert box.open(TOKEN) == TOKEN


def _stored_tokens(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(text("SELECT bot_token FROM slack_bots")).scalars())


def test_migrating_seals_the_tokens_already_stored_and_the_store_reads_them(
    unmigrated, monkeypatch
):
    migrate.upgrade(unmigrated.engine, "0019")
    plain = SQLAlchemyInstallationStore(client_id="1111.2222", engine=unmigrated.engine)
    plain.create_tables()
    plain.save_bot(
        Bot(
            app_id="A1",
            team_id="T1",
            bot_token=TOKEN,
            bot_id="B1",
            bot_user_id="U1",
            installed_at=1_700_000_000.0,
        )
    )
    key = new_key()
    monkeypatch.setenv("RITUALBOT_SECRET_KEY", key)

    migrate.upgrade(unmigrated.engine)

    [stored] = _stored_tokens(unmigrated)
    assert is_sealed(stored) and TOKEN not in stored
    sealed_store = SealedInstallationStore(
        client_id="1111.2222", engine=unmigrated.engine, box=SecretBox([key])
    )
    assert sealed_store.find_bot(enterprise_id=None, team_id="T1").bot_token == TOKEN

    migrate.downgrade(unmigrated.engine, "0019")
    assert _stored_tokens(unmigrated) == [TOKEN]


def test_log_lines_never_carry_a_token_or_key():
    stream = io.StringIO()
    logger = logging.getLogger("ritualbot.test.redaction")
    logger.addHandler(logs.handler(stream))
    key = new_key()
    dashed = "-2Gk7p1Occ-xur2ytBoGMpbl6oH6dtNCFWTtUTEAPeI="  # a key may start with "-"
    try:
        logger.error("install failed for %s with key %s", TOKEN, key)
        logger.error("key %s refused", dashed)
        logger.warning("webhook token rbk_Zm9vYmFyLWJhei1xdXV4 refused")
        try:
            raise RuntimeError(f"Authorization: Bearer dapi{'0' * 32} refused")
        except RuntimeError:
            logger.exception("tracker call failed")
    finally:
        logger.handlers.clear()
    written = stream.getvalue()
    assert TOKEN not in written and key not in written and "dapi" not in written
    assert "rbk_" not in written and dashed not in written
    assert written.count("[redacted]") >= 5 and "install failed for" in written
