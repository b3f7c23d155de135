"""The sandbox story, click by click in Chromium, with a screenshot of every step.

Each step is a function of the Story; the test runs them in order, each picking up where the
last one left the page (as Ada, in #ml-team). Screenshots land in
test-artifacts/test_the_sandbox_story/NN-<step>.png.

The story ends where the issue's does: Ada finds the failed experiment and its analysis again
with `/ritual search`, sets up a standup for #ml-team, fast-forwards the sandbox clock to it,
answers ritualbot's DM, and sees her answer in the standup's thread in #ml-team; then the
answer is given again by replying in the DM, one question at a time, and Ada answers her own
prompt by replying and finds her answer, in her own name, in the day's thread.
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

    def be(self, user_id: str) -> None:
        """Act as `user_id`, once the sidebar is theirs: a click on the one drawn for the
        person before would open that person's DM."""
        app = self.page.locator("#apps button.channel-link").first
        before = app.get_attribute("data-channel")
        self.page.select_option("#who", user_id)
        expect(app).not_to_have_attribute("data-channel", before or "")

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
    story.be("U0ALAN")
    expect(card.locator("button.replies")).to_have_text("1 reply")
    reply = page.locator("#thread-messages article.message").last
    expect(reply.locator(".author")).to_have_text("Ada Lovelace")
    expect(reply.locator(".mention")).to_have_text("@alan")
    story.shot("thread-seen-by-alan")
    story.be("U0ADA")


def log_an_experiment_that_fails(story: Story) -> None:
    page = story.page
    page.click("#thread-close")
    story.send("/experiment P-1")
    expect(page.locator("#modal-title")).to_have_text("Log an experiment")
    expect(story.field("problem").locator("select")).to_have_value("1")
    story.field("hypothesis").locator("textarea").fill(
        "A sequence model over raw events beats hand-made aggregates."
    )
    story.field("approach").locator("textarea").fill("GRU over the first 50 events")
    story.field("dataset").locator("input").fill("oct-holdout-v2")
    story.field("value").locator("input").fill("0.58")
    story.shot("experiment-form")
    page.click(".modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden()
    confirmation = page.locator("#messages article.message:has-text('E-1 on P-1')")
    expect(confirmation).to_contain_text("Worse")
    expect(confirmation).to_contain_text("worse than baseline 0.62 (-0.04, noise unknown)")
    expect(confirmation.locator("[data-action-id='analysis_start']")).to_have_text(
        "Start error analysis"
    )
    story.shot("failed-experiment-in-channel")


def analyse_it_from_its_button(story: Story) -> None:
    page = story.page
    confirmation = page.locator("#messages article.message:has-text('E-1 on P-1')")
    confirmation.locator("[data-action-id='analysis_start']").click()
    expect(page.locator("#modal-title")).to_have_text("Analyse E-1")
    story.field("sample_size").locator("input").fill("60")
    story.field("sample_method").locator("textarea").fill("60 missed churners, drawn at random")
    categories = story.field("categories").locator("textarea")
    categories.fill("fewer than 3 sessions: 41\nlabel noise: eleven")
    story.field("root_causes").locator("textarea").fill(
        "The GRU needs history: with under 3 sessions it has almost nothing to read."
    )
    story.field("follow_up_0").locator("input").fill("Back off to aggregates below 3 sessions")
    story.field("owner_0").locator("select").select_option("U0ALAN")
    page.click(".modal-submit")
    expect(story.field("categories").locator(".bk-error")).to_contain_text(
        "'eleven' is not a whole number"
    )
    expect(categories).to_be_focused()
    story.shot("analysis-form-error")
    categories.fill("fewer than 3 sessions: 41\nlabel noise (reactivated accounts): 11")
    page.click(".modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden()
    # The experiment no longer asks for an analysis; it points to the one in its thread.
    expect(confirmation.locator("[data-action-id='analysis_start']")).to_have_count(0)
    expect(confirmation).to_contain_text("Error analysis: A-1 (in the thread)")


def read_the_analysis_in_the_experiments_thread(story: Story) -> None:
    page = story.page
    confirmation = page.locator("#messages article.message:has-text('E-1 on P-1')")
    expect(confirmation.locator("button.replies")).to_have_text("1 reply")
    confirmation.locator("button.replies").click()
    analysis = page.locator("#thread-messages article.message").last
    expect(analysis).to_contain_text("A-1 · error analysis of E-1")
    expect(analysis).to_contain_text("fewer than 3 sessions: 41 (79%)")
    expect(analysis).to_contain_text("label noise (reactivated accounts): 11 (21%)")
    expect(analysis.locator(".mention")).to_have_text(["@alan", "@ada"])
    story.shot("analysis-in-thread")
    page.click("#thread-close")


def post_the_digest_and_see_its_chart(story: Story) -> None:
    page = story.page
    story.send("/digest now")
    digest = page.locator("#messages article.message:has-text('Weekly digest')").last
    expect(digest).to_contain_text("E-1")
    expect(digest.locator("button.replies")).to_have_text("1 reply")
    digest.locator("button.replies").click()
    chart = page.locator("#thread-messages figure.file img")
    expect(chart).to_have_attribute("alt", re.compile(r"^Metrics · "))
    chart.scroll_into_view_if_needed()
    # The PNG the bot uploaded, served by the emulator and decoded by the browser.
    page.wait_for_function(
        "() => document.querySelector('#thread-messages figure.file img')?.naturalWidth > 0"
    )
    assert chart.evaluate("image => image.naturalWidth") >= 600
    story.shot("digest-chart")


def find_what_failed_with_search(story: Story) -> None:
    page = story.page
    page.click("#thread-close")
    story.send("/ritual search GRU history")
    answer = page.locator("#messages article.message.ephemeral").last
    expect(answer).to_contain_text("Only visible to you")
    expect(answer).to_contain_text("E-1")
    expect(answer).to_contain_text("A-1")
    story.shot("search-results")


def set_up_a_standup(story: Story) -> None:
    page = story.page
    story.send("/standup")
    expect(page.locator("#modal-title")).to_contain_text("tandup")
    story.shot("standup-settings")
    page.click(".modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden()
    expect(page.locator("#messages article.message").last).to_contain_text("Standup saved")
    story.shot("standup-saved")


def fast_forward_to_the_standup(story: Story) -> None:
    page = story.page
    page.click("#advance")
    expect(page.locator("#notice")).to_contain_text("Fast-forwarded to")
    story.shot("fast-forwarded")
    # 09:30 in London comes first: the prompt is Alan's (Ada's comes at 09:30 in Toronto).
    story.be("U0ALAN")
    page.click("button.channel-link:has-text('ritualbot')")
    page.click("#tab-messages")
    prompt = page.locator("#messages article.message").last
    # The prompt itself, not the channel's last message from before the page switched.
    expect(prompt).to_contain_text("Standup time for #ml-team")
    expect(prompt.locator("button:has-text('Answer')")).to_be_visible()
    story.shot("standup-prompt-in-dm")


def answer_the_standup_in_its_modal(story: Story) -> None:
    page = story.page
    page.locator("#messages article.message").last.locator("button:has-text('Answer')").click()
    expect(page.locator("#modal-title")).to_contain_text("tandup")
    said = {
        "What moved since last time?": "Pulled the data sources for P-1 into the thread.",
        "What's next?": "Backing off to aggregates below 3 sessions.",
        "Any blockers?": "None",
        "Any experiment results or surprises?": "E-1 lost to the baseline on short histories.",
    }
    questions = page.locator(".modal .bk-input-block:has(textarea)")
    expect(questions).to_have_count(len(said))
    for question, answer in said.items():
        page.locator(f".modal .bk-input-block:has-text({question!r}) textarea").fill(answer)
    story.shot("standup-answer-form")
    page.click(".modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden()


def see_the_answer_in_the_standup_thread(story: Story) -> None:
    page = story.page
    page.click("button.channel-link:has-text('ml-team')")
    thread = page.locator("#messages article.message:has-text('Standup')").last
    thread.locator("button.replies").click()
    answer = page.locator("#thread-messages article.message").last
    expect(answer).to_contain_text("Backing off to aggregates below 3 sessions.")
    expect(answer.locator(".mention").first).to_have_text("@alan")
    story.shot("standup-answer-in-thread")


def reply_to_each_question(story: Story, *answers: str, shot: str | None = None) -> None:
    """Reply to the DM's first questions in turn, each time seeing the next one asked, and
    leave the last with `nothing to report`."""
    last = story.page.locator("#messages article.message").last
    asked = ("2/4 · What's next?", "3/4 · Any blockers?", "4/4")
    for answer, following in zip(answers, asked, strict=True):
        story.send(answer)
        expect(last).to_contain_text(following)
        if shot and following.startswith("2/4"):
            story.shot(shot)
    story.send("nothing to report")


def answer_again_by_replying_in_the_dm(story: Story) -> None:
    page = story.page
    page.click("button.channel-link:has-text('ritualbot')")
    page.click("#tab-messages")
    last = page.locator("#messages article.message").last
    story.send("edit")
    expect(last).to_contain_text("Answering again")
    expect(last).to_contain_text("1/4 · What moved since last time?")
    reply_to_each_question(
        story,
        "Shared the data sources for P-1.",
        "Training on aggregates for short histories.",
        "none",
        shot="standup-question-in-dm",
    )
    expect(page.locator("#messages article.message").last).to_contain_text("in #ml-team is updated")
    story.shot("standup-answered-by-reply")
    page.click("button.channel-link:has-text('ml-team')")
    thread = page.locator("#messages article.message:has-text('Standup')").last
    thread.locator("button.replies").click()
    answer = page.locator("#thread-messages article.message").last
    expect(answer).to_contain_text("Training on aggregates for short histories.")
    expect(answer).to_contain_text("edited")
    story.shot("standup-answer-edited-by-reply")


def answer_her_own_standup_by_replying_in_the_dm(story: Story) -> None:
    """Ada's first answer of the day, typed in the DM: her prompt comes at 09:30 in Toronto
    (14:30 UTC), after London's reminder hour (10:30 UTC)."""
    page = story.page
    story.be("U0ADA")
    page.click("button.channel-link:has-text('ritualbot')")
    page.click("#tab-messages")
    for due in ("10:30 UTC", "14:30 UTC"):
        page.click("#advance")
        expect(page.locator("#notice")).to_contain_text(due)
    prompt = page.locator("#messages article.message").last
    expect(prompt).to_contain_text("Standup time for #ml-team")
    expect(prompt).to_contain_text("1/4 · What moved since last time?")
    reply_to_each_question(
        story,
        "Read the churn cohorts for P-1.",
        "A model for the first 30 days.",
        "Waiting on the events export.",
    )
    confirmation = page.locator("#messages article.message").last
    expect(confirmation).to_contain_text("Posted in #ml-team: your standup answer of")
    story.shot("standup-answered-by-reply-first-time")
    link = confirmation.locator("a:has-text('your standup answer')")
    expect(link).to_have_attribute("href", re.compile(r"/archives/C\w+/p\d+$"))
    page.click("button.channel-link:has-text('ml-team')")
    page.locator("#messages article.message:has-text('Standup ·')").last.locator(
        "button.replies"
    ).click()
    answer = page.locator("#thread-messages article.message").last
    expect(answer.locator(".author")).to_have_text("ada")
    expect(answer).to_contain_text("Waiting on the events export.")
    expect(answer).to_contain_text("via ritualbot")
    expect(answer).not_to_contain_text("late")
    story.shot("standup-first-answer-by-reply-in-thread")


STORY: tuple[Callable[[Story], None], ...] = (
    open_the_problem_form,
    submit_with_a_mistake,
    fix_it_in_place,
    see_the_card_in_the_channel,
    see_it_on_the_board,
    capture_in_one_line_and_add_details,
    ask_a_teammate_in_the_cards_thread,
    log_an_experiment_that_fails,
    analyse_it_from_its_button,
    read_the_analysis_in_the_experiments_thread,
    post_the_digest_and_see_its_chart,
    find_what_failed_with_search,
    set_up_a_standup,
    fast_forward_to_the_standup,
    answer_the_standup_in_its_modal,
    see_the_answer_in_the_standup_thread,
    answer_again_by_replying_in_the_dm,
    answer_her_own_standup_by_replying_in_the_dm,
)


def test_the_sandbox_story(page: Page, sandbox: Sandbox, request: pytest.FixtureRequest):
    story = Story(page=page, sandbox=sandbox, shots=artifacts(request))
    for step in STORY:
        step(story)
