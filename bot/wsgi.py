"""The WSGI entry point for gunicorn (`web` in the Procfile): `gunicorn bot.wsgi:application`."""

from __future__ import annotations

from bot import config, logs
from bot.runtime import build

logs.configure()
settings = config.load()
settings.require_slack()
application = build(settings, auto_migrate=False).web
