"""The OAuth installation store, with every Slack token in it sealed at rest (storage.secrets)."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import Engine

from storage.secrets import SecretBox

Record = TypeVar("Record", Installation, Bot)
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy store, sealing tokens on save and opening them on find.

    Without a box (no RITUALBOT_SECRET_KEY) tokens are kept as they come, which
    `ritualbot doctor` warns about; sealed or not, a stored token reads back.
    """

    def __init__(self, *, client_id: str, engine: Engine, box: SecretBox | None) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.box = box

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def find_bot(self, **kwargs: Any) -> Bot | None:
        return self._opened(super().find_bot(**kwargs))

    def find_installation(self, **kwargs: Any) -> Installation | None:
        return self._opened(super().find_installation(**kwargs))

    def _sealed(self, record: Record) -> Record:
        if self.box is None:
            return record
        sealed = copy.copy(record)
        for field in TOKEN_FIELDS:
            if getattr(sealed, field, None):
                setattr(sealed, field, self.box.seal(getattr(sealed, field)))
        return sealed

    def _opened(self, record: Record | None) -> Record | None:
        if record is None or self.box is None:
            return record
        for field in TOKEN_FIELDS:
            if getattr(record, field, None):
                setattr(record, field, self.box.open(getattr(record, field)))
        return record
