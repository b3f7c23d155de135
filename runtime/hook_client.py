"""`ritualbot log`: an experiment sent to the webhook from a shell or a CI job.

A dropped connection or a server error is retried with the same key, so a retry of a
request that was in fact stored logs nothing twice (a key is made when none is given).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import uuid
from typing import Any

import httpx

from bot.text import parse_number

PATH = "/hooks/experiments"
TRIES = 5
FIRST_WAIT_SECONDS = 0.5
TIMEOUT_SECONDS = 30.0
# Exit codes: 1 the server refused it (fix the request), 2 a usage or setup error,
# 3 it could not be delivered after every try (try again later, with the same --key).
REFUSED, USAGE, UNDELIVERED = 1, 2, 3


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("problem", help="the problem's id, e.g. P-12")
    command.add_argument(
        "values",
        nargs="+",
        help="the metric's value, one per seed (0.83 0.84), or `broken` with a --note",
    )
    command.add_argument("--n", type=int, help="how many examples it was evaluated on")
    command.add_argument("--run-url", help="a link to the run (MLflow, W&B, a commit)")
    command.add_argument("--note", help="what changed")
    command.add_argument(
        "--key", help="logs it once however often it is sent, e.g. the run id (default: random)"
    )
    command.add_argument(
        "--confirmed",
        action="store_true",
        help="log a value far from everything known of the metric without asking",
    )
    command.add_argument("--tries", type=int, default=TRIES, help=f"attempts (default {TRIES})")


def body_of(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON body; ValueError naming a value that is not a number."""
    broken = [v.lower() for v in args.values] == ["broken"]
    values = [] if broken else [_number(v) for v in args.values]
    body: dict[str, Any] = {"problem": args.problem, "values": values}
    optional = {"n": args.n, "run_url": args.run_url, "note": args.note}
    body |= {name: value for name, value in optional.items() if value is not None}
    body["key"] = args.key or f"cli-{uuid.uuid4().hex}"
    if args.confirmed:
        body["confirmed"] = True
    return body


def _number(text: str) -> float:
    try:
        return parse_number(text)
    except ValueError:
        raise ValueError(
            f"'{text[:30]}' is not a number: give the metric's value, one per seed "
            "(ritualbot log P-12 0.83 0.84), or `broken` with a --note."
        ) from None


def main(args: argparse.Namespace) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per try on stderr
    base = os.environ.get("RITUALBOT_URL", "").strip()
    token = os.environ.get("RITUALBOT_TOKEN", "").strip()
    if not base.startswith(("http://", "https://")) or not token:
        return _fail(
            "set RITUALBOT_URL (ritualbot's address, e.g. https://ritualbot.example.com) and "
            "RITUALBOT_TOKEN (from `/ritual connect webhook` in Slack).",
            USAGE,
        )
    try:
        body = body_of(args)
    except ValueError as error:
        return _fail(str(error), USAGE)
    url = base.rstrip("/").removesuffix("/slack/events") + PATH
    headers = {"Authorization": f"Bearer {token}"}
    why = "no attempt was made"
    wait = FIRST_WAIT_SECONDS
    with httpx.Client(timeout=TIMEOUT_SECONDS, headers=headers) as client:
        for attempt in range(1, max(args.tries, 1) + 1):
            if attempt > 1:
                time.sleep(wait)
                wait *= 2
            try:
                response = client.post(url, json=body)
            except httpx.TransportError as error:
                why = f"{url} could not be reached ({type(error).__name__}: {error})"
                continue
            answer = _json(response)
            if response.status_code >= 500:
                why = f"{response.status_code}: {answer.get('message') or response.reason_phrase}"
                continue
            if response.is_success:
                return _logged(answer)
            return _refused(response.status_code, answer)
    return _fail(f"gave up after {args.tries} tries (key {body['key']}): {why}", UNDELIVERED)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _logged(answer: dict[str, Any]) -> int:
    print(answer.get("id", "?"))
    print(answer.get("verdict", ""), file=sys.stderr)
    if not answer.get("created", True):
        print("(already logged with this key: nothing new was stored)", file=sys.stderr)
    if answer.get("posted") is False:
        print(f"not posted in Slack yet: {answer.get('delivery')}", file=sys.stderr)
    return 0


def _refused(status: int, answer: dict[str, Any]) -> int:
    message = answer.get("message") or answer.get("error") or "no explanation was given"
    if "example" in answer:
        message += "\nExample body: " + json.dumps(answer["example"])
    return _fail(f"{status}: {message}", REFUSED)


def _fail(message: str, code: int) -> int:
    print(f"ritualbot log: {message}", file=sys.stderr)
    return code
