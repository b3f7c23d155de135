"""The clock control: fast-forward to the next scheduled ritual and watch it happen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from sandbox.clock import Clock
from sandbox.run import Sandbox

CHANNEL = "C0MLTEAM"


class PostingScheduler:
    """A scheduler whose one ritual posts a standup prompt, as the bot's scheduler would."""

    def __init__(self, sandbox: Sandbox, due: datetime) -> None:
        self.sandbox, self.due, self.fired = sandbox, due, []

    def next_due(self, after: datetime) -> datetime | None:
        return self.due if self.due > after else None

    def fire_due(self, now: datetime) -> None:
        self.fired.append(now)
        self.sandbox.emulator.post_as_user(
            team_id=self.sandbox.team_id,
            user_id=self.sandbox.emulator.workspace(self.sandbox.team_id).bot_user_id,
            channel=CHANNEL,
            text="*Standup* for Friday: what did you finish?",
        )


def test_fast_forward_runs_the_next_ritual_and_moves_the_clock(page: Page, sandbox: Sandbox):
    due = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    scheduler = PostingScheduler(sandbox, due)
    sandbox.emulator.page.clock = Clock(scheduler=scheduler)

    page.click("#advance")

    expect(page.locator("#notice")).to_contain_text(f"Fast-forwarded to {due:%a %d %b %H:%M} UTC")
    expect(page.locator("#clock")).to_contain_text(f"{due:%Y-%m-%d} 09:3")
    expect(page.locator("#messages article.message").last.locator("b")).to_have_text("Standup")
    assert scheduler.fired == [due]


def test_with_nothing_scheduled_the_page_says_how_to_set_a_ritual_up(page: Page):
    page.click("#advance")

    expect(page.locator("#notice")).to_contain_text("set up a standup or a digest first")
    expect(page.locator("#notice")).to_have_class("notice error")
