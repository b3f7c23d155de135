"""Fixtures for browser tests: Debian's Chromium driven by Playwright, against `ritualbot sandbox`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from sandbox.run import Sandbox
from tests.support.clock import a_weekday_morning

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A laptop screen: the page must be usable at this size.
LAPTOP = {"width": 1280, "height": 800}
# What the page shows after a click goes through the app and back (an event, a listener,
# a Web API call, the page's next poll): Playwright's 5 s was missed once on a machine
# also running two benchmarks. A correct page still passes at once.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives Chromium."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}: `apt-get install chromium`, "
            "or set CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    """`ritualbot sandbox` without --demo, on a free port, with the test run's database,
    its clock starting on a weekday morning."""
    start = a_weekday_morning(datetime.now(UTC))
    with Sandbox(port=0, database_url=database_url, clock_start=start) as running:
        yield running


@pytest.fixture
def page(browser: Browser, sandbox: Sandbox) -> Iterator[Page]:
    """The sandbox page, as Ada, with any script error failing the test."""
    context = browser.new_context(viewport=LAPTOP)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(f"{sandbox.url}/?user=U0ADA")
    opened.wait_for_selector("body[data-ready]")
    yield opened
    context.close()
    assert errors == [], f"the page raised script errors: {errors}"


def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where a test saves its screenshots: test-artifacts/<test name>/."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
