"""Web API clients for the configured Slack API: the web app's, and the jobs' (the clock's
outbox sender). Apart from the app factory so that a clock process, which only sends, does
not import the Bolt app and every listener to get one.
"""

from __future__ import annotations

from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from runtime.config import Settings

SLACK_TIMEOUT_SECONDS = 10


def web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A Web API client for `SLACK_API_URL` that waits out 429s and retries 5xx answers.

    Timeouts are not retried here: Slack may have acted on a request it did not answer.
    """
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT_SECONDS)
    client.retry_handlers = [
        _unsent_retry(),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


def job_client(settings: Settings, *, token: str | None) -> WebClient:
    """A client for scheduled jobs: 5xx are retried, a 429 is raised to the job.

    A fan-out waits out Retry-After itself, exactly and once for all its messages
    (jobs.delivery), instead of each call sleeping its own jittered wait.
    """
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT_SECONDS)
    client.retry_handlers = [_unsent_retry(), ServerErrorRetryHandler(max_retry_count=2)]
    return client


def _unsent_retry() -> ConnectionErrorRetryHandler:
    """Retry a call once if it never reached Slack (urllib's URLError: refused, unreachable,
    broken off while sending). slack_sdk's default also retries a connection reset while
    reading the answer, when Slack may already have posted: a message twice."""
    return ConnectionErrorRetryHandler(max_retry_count=1, error_types=[URLError])
