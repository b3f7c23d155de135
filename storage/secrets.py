"""Secrets at rest: tokens sealed with Fernet under the keys in `RITUALBOT_SECRET_KEY`.

The variable holds one key, or several separated by commas: the first seals, every one of
them opens (MultiFernet), so a key is rotated by putting the new one first, re-sealing
(`rotate`), then dropping the old one. A sealed value starts with `SEALED` so that opening
is idempotent and a row written before encryption (plain text) still reads: the migration
seals those, and `ritualbot doctor` warns while no key is set in OAuth mode.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_VARIABLE = "RITUALBOT_SECRET_KEY"
SEALED = "fernet:"


class SecretKeyError(Exception):
    """The key is missing, malformed, or does not open a sealed value; the message says which."""


class SecretBox:
    """Seals and opens secrets with the configured keys (first seals, all open)."""

    def __init__(self, keys: list[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError:
            raise SecretKeyError(
                f"{KEY_VARIABLE} must be Fernet keys (32 url-safe base64 bytes), separated by "
                "commas; `ritualbot secret-key` prints a new one."
            ) from None

    def seal(self, secret: str) -> str:
        if is_sealed(secret):
            return secret
        return SEALED + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED).encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"A secret in the database was sealed with a key that is not in "
                f"{KEY_VARIABLE}; put that key back in the list (after the new one)."
            ) from None

    def rotate(self, stored: str) -> str:
        """`stored` sealed again under the first key (plain text gets sealed)."""
        if not is_sealed(stored):
            return self.seal(stored)
        return SEALED + self._fernet.rotate(stored.removeprefix(SEALED).encode()).decode()


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED)


def keys_from(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    return [key.strip() for key in env.get(KEY_VARIABLE, "").split(",") if key.strip()]


def box_from(env: Mapping[str, str] | None = None) -> SecretBox | None:
    """The box for `RITUALBOT_SECRET_KEY`, or None when it is not set."""
    keys = keys_from(env)
    return SecretBox(keys) if keys else None


def new_key() -> str:
    return Fernet.generate_key().decode()
