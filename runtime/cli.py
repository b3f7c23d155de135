"""The `ritualbot` command: run, clock, migrate, doctor, export, import, sandbox, and log
(an experiment sent to a running ritualbot)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from runtime import config, hook_client, logs
from runtime.config import ConfigError, Settings
from storage.secrets import new_key

log = logging.getLogger("ritualbot")


def _run(settings: Settings, _args: argparse.Namespace) -> int:
    settings.require_slack()
    from runtime.clock_process import start_scheduler
    from runtime.process import build

    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        runtime = build(settings)
        start_scheduler(settings, runtime.db)
        print("ritualbot: connecting to Slack over Socket Mode, with the ritual clock")
        SocketModeHandler(runtime.app, settings.app_token).start()
        return 0
    from runtime.process import prepare, start_clock_in_one_worker
    from runtime.server import Gunicorn, gunicorn_options

    def serve():  # type: ignore[no-untyped-def]
        runtime = build(settings, auto_migrate=False)  # prepare() has migrated
        start_clock_in_one_worker(settings, runtime.db)
        return runtime.web

    prepare(settings)
    print(
        f"ritualbot: serving Slack on http://0.0.0.0:{settings.port}/slack/events with "
        f"{settings.web_workers} worker(s), and the ritual clock in one of them"
    )
    Gunicorn(serve, gunicorn_options(port=settings.port, workers=settings.web_workers)).run()
    return 0


def _clock(settings: Settings, _args: argparse.Namespace) -> int:
    settings.require_slack()
    from runtime.clock_process import NotMigrated, open_database, start_scheduler
    from runtime.stopping import StopSignal

    try:
        db = open_database(settings, auto_migrate=False)
    except NotMigrated as error:
        print(f"ritualbot: {error}", file=sys.stderr)
        return 2
    stop = StopSignal()
    scheduler = start_scheduler(settings, db)
    print("ritualbot: ritual clock running (no HTTP)", flush=True)
    stop.wait()
    scheduler.shutdown()
    db.dispose()
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    print(f"ritualbot: database is at revision {migrate.current_revision(engine)}")
    return 0


def _doctor(settings: Settings, _args: argparse.Namespace) -> int:
    from runtime.doctor import Status, diagnose

    ok = True
    for status, line in diagnose(settings):
        ok = ok and status != Status.FAIL
        print(f"{status.upper():4} {line}" if status != Status.OK else f"ok   {line}")
    return 0 if ok else 1


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from runtime.export import export

    return export(settings, args)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from runtime.export import import_

    return import_(settings, args)


def _secret_key(_settings: Settings, _args: argparse.Namespace) -> int:
    print(new_key())
    return 0


def _sandbox(_settings: Settings, args: argparse.Namespace) -> int:
    from sandbox.run import run_sandbox

    return run_sandbox(
        port=args.port,
        demo=args.demo,
        open_browser=not args.no_browser,
        clock_start=args.clock_start,
    )


COMMANDS: dict[str, tuple[Callable[[Settings, argparse.Namespace], int], str]] = {
    "run": (_run, "serve Slack (HTTP on PORT, or Socket Mode when SLACK_APP_TOKEN is set)"),
    "clock": (_clock, "run the ritual scheduler alone (standups, digests); no HTTP"),
    "migrate": (_migrate, "bring the database schema up to date"),
    "doctor": (_doctor, "check configuration, Slack token and scopes, database"),
    "export": (_export, "write each problem's lab notebook (md) and its records (csv, json)"),
    "import": (_import, "restore a json export into an empty workspace (moving servers)"),
    "secret-key": (_secret_key, "print a new key for RITUALBOT_SECRET_KEY (tokens sealed at rest)"),
    "sandbox": (_sandbox, "use ritualbot in a browser against a local Slack emulator"),
}


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO 8601 instant such as 2026-11-30T07:00Z"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ritualbot", description="Rituals for ML teams, in Slack.")
    sub = top.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name in ("export", "import"):
            from runtime.export import add_arguments

            add_arguments(name, command)
        if name == "sandbox":
            command.add_argument(
                "--port", type=int, default=3000, help="web page port (next free one if taken)"
            )
            command.add_argument(
                "--demo", action="store_true", help="seed a workspace with a realistic history"
            )
            command.add_argument("--no-browser", action="store_true", help="do not open a browser")
            command.add_argument(
                "--clock-start",
                type=_instant,
                metavar="INSTANT",
                help="start sandbox time at INSTANT instead of now, e.g. 2026-11-30T07:00Z "
                "(UTC unless it has an offset); the demo's history is dated back from it",
            )
    log_help = "log an experiment from a script: POST it to RITUALBOT_URL with RITUALBOT_TOKEN"
    hook_client.add_arguments(sub.add_parser("log", help=log_help, description=log_help))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure()
    args = parser().parse_args(argv)
    if args.command == "log":  # a client of a running ritualbot: none of its settings
        return hook_client.main(args)
    handler, _ = COMMANDS[args.command]
    try:
        return handler(config.load(), args)
    except ConfigError as error:
        print(f"ritualbot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
