"""gunicorn settings for the Procfile's `web` (`--config python:bot.gunicorn_conf`): the
hooks that `ritualbot run` gives its own gunicorn (bot.server.gunicorn_options)."""

from bot.server import give_a_cpu as pre_fork
from bot.server import keep_to_its_cpu as post_fork

__all__ = ["post_fork", "pre_fork"]
