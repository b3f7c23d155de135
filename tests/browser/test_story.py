"""The sandbox story, click by click in Chromium, with a screenshot of every step.

Each step is a function of the Story; the test runs them in order. The issue's story goes on
past what this build can do; its steps are appended to STORY as the other tracks land:
log an experiment that fails, run the error analysis from its button, search, fast-forward to
a standup and answer it, post the digest and see its chart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sandbox.run import Sandbox
from tests.browser.conftest import artifacts


@dataclass
class Story:
    page: Page
    sandbox: Sandbox
    shots: Path
    taken: int = 0

    def shot(self, name: str) -> None:
        self.taken += 1
        self.page.screenshot(path=self.shots / f"{self.taken:02d}-{name}.png", full_page=True)

    def field(self, block_id: str):
        return self.page.locator(f".modal .bk-input-block[data-block-id='{block_id}']")

    def send(self, text: str) -> None:
        self.page.fill("#composer-text", text)
        self.page.press("#composer-text", "Enter")


def open_the_problem_form(story: Story) -> None:
    page = story.page
    page.click("button.channel-link:has-text('ml-team')")
    page.fill("#composer-text", "/pro")
    expect(page.locator(".command-hint")).to_contain_text("/problem")
    story.send("/problem")
    expect(page.locator("#modal-title")).to_have_text("New problem")
    expect(story.field("title").locator("input")).to_have_attribute("type", "text")
    expect(story.field("statement").locator("textarea")).to_be_visible()
    expect(story.field("owner_id").locator("select")).to_have_value("U0ADA")
    expect(story.field("review_on").locator("input")).to_have_attribute("type", "date")
    story.shot("problem-form")


def submit_with_a_mistake(story: Story) -> None:
    story.field("title").locator("input").fill("Churn model misses new users")
    story.field("statement").locator("textarea").fill(
        "Accounts younger than 30 days churn unseen.\nRetention calls come too late."
    )
    story.field("metric_name").locator("input").fill("recall@10")
    story.field("baseline").locator("input").fill("0.62")
    story.field("target").locator("input").fill("eighty percent")
    story.field("track").locator("select").select_option("delivery")
    in_two_weeks = date.today() + timedelta(days=14)
    story.field("review_on").locator("input").fill(in_two_weeks.isoformat())
    story.page.click(".modal-submit")
    expect(story.field("target")).to_have_class(re.compile(r"\binvalid\b"))
    expect(story.field("target").locator(".bk-error")).to_contain_text("is not a number")
    expect(story.field("target").locator("input")).to_be_focused()
    # What was typed is still there, as in Slack.
    expect(story.field("title").locator("input")).to_have_value("Churn model misses new users")
    story.shot("validation-error")


def fix_it_in_place(story: Story) -> None:
    story.field("target").locator("input").fill("0.75")
    story.page.click(".modal-submit")
    expect(story.page.locator("#modal-backdrop")).to_be_hidden()
    story.shot("form-closed")


def see_the_card_in_the_channel(story: Story) -> None:
    card = story.page.locator("#messages article.message").last
    expect(card).to_contain_text("P-1 · Churn model misses new users")
    expect(card.locator(".bk-fields")).to_contain_text("recall@10 ↑ baseline 0.62 → target 0.75")
    expect(card.locator(".bk-fields .mention")).to_have_text("@ada")
    expect(card.locator(".app-badge")).to_have_text("APP")
    story.shot("card-in-channel")


def see_it_on_the_board(story: Story) -> None:
    page = story.page
    page.click("button.channel-link:has-text('ritualbot')")
    expect(page.locator("#home")).to_contain_text("Delivery (1)")
    expect(page.locator("#home")).to_contain_text("P-1 Churn model misses new users")
    story.shot("board")


def capture_in_one_line_and_add_details(story: Story) -> None:
    page = story.page
    page.click("button.channel-link:has-text('ml-team')")
    story.send("/problem Tag support tickets automatically")
    reply = page.locator("#messages article.message.ephemeral").last
    expect(reply).to_contain_text("Only visible to you")
    reply.locator("[data-action-id='problem_add_details']").click()
    expect(page.locator("#modal-title")).to_have_text("Edit P-2")
    expect(story.field("title").locator("input")).to_have_value("Tag support tickets automatically")
    story.shot("add-details-from-the-reply")
    page.click(".modal-close")
    expect(page.locator("#modal-backdrop")).to_be_hidden()


def ask_a_teammate_in_the_cards_thread(story: Story) -> None:
    page = story.page
    card = page.locator("#messages article.message:has-text('P-1 · Churn model')")
    card.locator("button.reply").click()
    page.fill("#thread-text", "@alan can you add the data sources?")
    page.press("#thread-text", "Enter")
    expect(page.locator("#thread-messages article.message")).to_have_count(2)
    page.select_option("#who", "U0ALAN")
    expect(card.locator("button.replies")).to_have_text("1 reply")
    reply = page.locator("#thread-messages article.message").last
    expect(reply.locator(".author")).to_have_text("Ada Lovelace")
    expect(reply.locator(".mention")).to_have_text("@alan")
    story.shot("thread-seen-by-alan")
    page.select_option("#who", "U0ADA")


STORY: tuple[Callable[[Story], None], ...] = (
    open_the_problem_form,
    submit_with_a_mistake,
    fix_it_in_place,
    see_the_card_in_the_channel,
    see_it_on_the_board,
    capture_in_one_line_and_add_details,
    ask_a_teammate_in_the_cards_thread,
)


def test_the_sandbox_story(page: Page, sandbox: Sandbox, request: pytest.FixtureRequest):
    story = Story(page=page, sandbox=sandbox, shots=artifacts(request))
    for step in STORY:
        step(story)
