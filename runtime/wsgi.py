"""The WSGI entry point for gunicorn (`web` in the Procfile): `gunicorn runtime.wsgi:application`."""

from __future__ import annotations

from runtime import config, logs
from runtime.process import build

logs.configure()
settings = config.load()
settings.require_slack()
application = build(settings, auto_migrate=False).web
