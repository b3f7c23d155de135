"""The page draws what the app sent: each Block Kit element's text, values and input type,
and what a person picks reaches the app shaped as Slack shapes it."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, expect
from slack_sdk import WebClient

from bot.board.render import home
from bot.board.service import Board
from bot.experiments.choices import ProblemChoice
from bot.experiments.modals import experiment_modal
from bot.problems.modals import problem_modal
from sandbox import modals
from sandbox import page as sandbox_page
from sandbox.run import Sandbox
from sandbox.surface import AppSurface
from storage.problems import Track
from tests.browser.conftest import LAPTOP, artifacts

ADA, ALAN, CHANNEL = "U0ADA", "U0ALAN", "C0MLTEAM"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


CHART = "https://example.com/digest-chart.png"
MESSAGE_BLOCKS = [
    {"type": "header", "text": plain("Weekly digest")},
    {
        "type": "section",
        "block_id": "summary",
        "text": md("*3 experiments*, _1 failed_, ~0~ shipped · `E-2`"),
        "fields": [md("*Met target*\n1"), md("*Owed analyses*\n1")],
        "accessory": {
            "type": "button",
            "action_id": "open_problem",
            "text": plain("Open P-1"),
            "value": "1",
        },
    },
    {
        "type": "context",
        "elements": [
            md("Posted for <@U0ALAN>"),
            {"type": "image", "image_url": CHART, "alt_text": "icon"},
        ],
    },
    {"type": "divider"},
    {
        "type": "image",
        "image_url": CHART,
        "alt_text": "Outcomes by week",
        "title": plain("Outcomes"),
    },
    {
        "type": "actions",
        "block_id": "controls",
        "elements": [
            {
                "type": "button",
                "action_id": "analyse",
                "text": plain("Write analysis"),
                "value": "E-2",
                "style": "primary",
            },
            {
                "type": "button",
                "action_id": "drop",
                "text": plain("Drop"),
                "value": "E-3",
                "style": "danger",
            },
            {
                "type": "static_select",
                "action_id": "decide",
                "placeholder": plain("Decide…"),
                "options": [
                    option("Continue", "continue"),
                    option("Pivot", "pivot"),
                    option("Ship", "ship"),
                ],
            },
            {"type": "users_select", "action_id": "assign", "placeholder": plain("Assign to…")},
            {"type": "datepicker", "action_id": "review", "initial_date": "2026-12-11"},
            {"type": "timepicker", "action_id": "at", "initial_time": "09:30"},
        ],
    },
]

EVERY_INPUT = {
    "type": "modal",
    "callback_id": "every_input",
    "title": plain("Every input"),
    "submit": plain("Save"),
    "close": plain("Cancel"),
    "blocks": [
        {
            "type": "input",
            "block_id": "one_line",
            "label": plain("One line"),
            "element": {"type": "plain_text_input", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "many_lines",
            "label": plain("Many lines"),
            "element": {"type": "plain_text_input", "action_id": "v", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "count",
            "label": plain("Count"),
            "element": {"type": "number_input", "action_id": "v", "is_decimal_allowed": True},
        },
        {
            "type": "input",
            "block_id": "choice",
            "label": plain("Choice"),
            "element": {
                "type": "static_select",
                "action_id": "v",
                "options": [option("Red", "r"), option("Blue", "b")],
            },
        },
        {
            "type": "input",
            "block_id": "person",
            "label": plain("Person"),
            "element": {"type": "users_select", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "people",
            "label": plain("People"),
            "element": {"type": "multi_users_select", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "day",
            "label": plain("Day"),
            "element": {"type": "datepicker", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "time",
            "label": plain("Time"),
            "element": {"type": "timepicker", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "flags",
            "label": plain("Flags"),
            "optional": True,
            "element": {
                "type": "checkboxes",
                "action_id": "v",
                "options": [option("Remind me", "remind"), option("Post to channel", "post")],
            },
        },
    ],
}


class RecordingApp:
    """Stands in for the app: records every interaction payload and answers 200."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        recorded = self.payloads

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                recorded.append(json.loads(parse_qs(body)["payload"][0]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recording_app(sandbox: Sandbox) -> Iterator[RecordingApp]:
    app = RecordingApp()
    bot_url, sandbox.emulator.app_url = sandbox.emulator.app_url, app.url
    yield app
    sandbox.emulator.app_url = bot_url
    app.close()


def bot_client(sandbox: Sandbox) -> WebClient:
    token = sandbox.emulator.workspace(sandbox.team_id).bot_token
    return WebClient(token=token, base_url=sandbox.emulator.api_url)


def open_modal(sandbox: Sandbox, spec: dict[str, Any]) -> None:
    """Open a modal for Ada exactly as views.open does."""
    emulator = sandbox.emulator
    with emulator.world.lock:
        workspace = emulator.workspace(sandbox.team_id)
        modals.open_modal(world=emulator.world, workspace=workspace, user_id=ADA, spec=spec)


def test_every_message_element_is_drawn_with_the_apps_text_and_values(
    page: Page, sandbox: Sandbox, request: pytest.FixtureRequest
):
    bot_client(sandbox).chat_postMessage(
        channel=CHANNEL, text="Weekly digest", blocks=MESSAGE_BLOCKS
    )
    message = page.locator("#messages article.message").last

    expect(message.locator("[data-block-type='header']")).to_have_text("Weekly digest")
    summary = message.locator("[data-block-type='section']")
    expect(summary.locator(".bk-section-text b")).to_have_text("3 experiments")
    expect(summary.locator(".bk-section-text i")).to_have_text("1 failed")
    expect(summary.locator(".bk-section-text s")).to_have_text("0")
    expect(summary.locator(".bk-section-text code")).to_have_text("E-2")
    expect(summary.locator(".bk-field")).to_have_text(["Met target1", "Owed analyses1"])
    expect(summary.locator(".bk-accessory button")).to_have_attribute("data-value", "1")
    context = message.locator("[data-block-type='context']")
    expect(context).to_contain_text("Posted for @alan")
    expect(context.locator("img")).to_have_attribute("src", CHART)
    expect(message.locator("hr[data-block-type='divider']")).to_have_count(1)
    chart = message.locator("[data-block-type='image']")
    expect(chart.locator("figcaption")).to_have_text("Outcomes")
    expect(chart.locator("img")).to_have_attribute("alt", "Outcomes by week")
    controls = message.locator("[data-block-type='actions']")
    analyse = controls.locator("[data-action-id='analyse']")
    expect(analyse).to_have_text("Write analysis")
    expect(analyse).to_have_attribute("data-value", "E-2")
    expect(analyse).to_have_class(re.compile(r"\bprimary\b"))
    expect(controls.locator("[data-action-id='drop']")).to_have_class(re.compile(r"\bdanger\b"))
    expect(controls.locator("[data-action-id='decide'] option")).to_have_text(
        ["Decide…", "Continue", "Pivot", "Ship"]
    )
    expect(controls.locator("[data-action-id='assign'] option")).to_have_count(3)
    expect(controls.locator("[data-action-id='review']")).to_have_value("2026-12-11")
    expect(controls.locator("[data-action-id='at']")).to_have_attribute("type", "time")
    page.screenshot(path=artifacts(request) / "every-message-element.png", full_page=True)


def test_clicks_and_picks_in_a_message_reach_the_app_as_slack_sends_them(
    page: Page, sandbox: Sandbox, recording_app: RecordingApp
):
    posted = bot_client(sandbox).chat_postMessage(
        channel=CHANNEL, text="digest", blocks=MESSAGE_BLOCKS
    )
    controls = page.locator("#messages [data-block-type='actions']").last

    for action in (
        lambda: controls.locator("[data-action-id='analyse']").click(),
        lambda: controls.locator("[data-action-id='decide']").select_option("pivot"),
        lambda: controls.locator("[data-action-id='assign']").select_option(ALAN),
    ):
        before = len(recording_app.payloads)
        action()
        sandbox.emulator.wait_for(lambda before=before: len(recording_app.payloads) > before)

    actions = [p["actions"][0] for p in recording_app.payloads]
    assert {p["type"] for p in recording_app.payloads} == {"block_actions"}
    assert {p["message"]["ts"] for p in recording_app.payloads} == {posted["ts"]}
    assert [(a["action_id"], a["block_id"]) for a in actions] == [
        ("analyse", "controls"),
        ("decide", "controls"),
        ("assign", "controls"),
    ]
    assert actions[0]["value"] == "E-2"
    assert actions[1]["selected_option"] == option("Pivot", "pivot")
    assert actions[2]["selected_user"] == ALAN


def test_every_input_of_a_modal_is_drawn_and_submitted_as_slack_state(
    page: Page, sandbox: Sandbox, recording_app: RecordingApp, request: pytest.FixtureRequest
):
    open_modal(sandbox, EVERY_INPUT)
    modal = page.locator(".modal")
    expect(modal.locator("#modal-title")).to_have_text("Every input")

    def field(block_id: str, css: str):
        return modal.locator(f"[data-block-id='{block_id}'] {css}")

    field("one_line", "input[type='text']").fill("a line")
    field("many_lines", "textarea").fill("first\nsecond")
    field("count", "input[type='number']").fill("2.5")
    field("choice", "select").select_option("b")
    field("person", "select").select_option(ALAN)
    field("people", "select[multiple]").select_option([ADA, ALAN])
    field("day", "input[type='date']").fill("2026-12-01")
    field("time", "input[type='time']").fill("16:45")
    field("flags", "input[type='checkbox'][value='post']").check()
    page.screenshot(path=artifacts(request) / "every-input.png", full_page=True)
    modal.locator(".modal-submit").click()
    sandbox.emulator.wait_for(lambda: recording_app.payloads)

    [submission] = recording_app.payloads
    assert submission["type"] == "view_submission"
    assert submission["view"]["callback_id"] == "every_input"
    values = {block: state["v"] for block, state in submission["view"]["state"]["values"].items()}
    assert values == {
        "one_line": {"type": "plain_text_input", "value": "a line"},
        "many_lines": {"type": "plain_text_input", "value": "first\nsecond"},
        "count": {"type": "number_input", "value": "2.5"},
        "choice": {"type": "static_select", "selected_option": option("Blue", "b")},
        "person": {"type": "users_select", "selected_user": ALAN},
        "people": {"type": "multi_users_select", "selected_users": [ADA, ALAN]},
        "day": {"type": "datepicker", "selected_date": "2026-12-01"},
        "time": {"type": "timepicker", "selected_time": "16:45"},
        "flags": {"type": "checkboxes", "selected_options": [option("Post to channel", "post")]},
    }
    # The app answered 200 with no body: Slack closes the modal.
    expect(page.locator("#modal-backdrop")).to_be_hidden()


# How each element type the bot uses appears in the page.
ELEMENT_CSS = {
    "plain_text_input": "input[type='text']",
    "users_select": "select",
    "static_select": "select",
    "external_select": "select",
    "datepicker": "input[type='date']",
}
BOT_FORMS = {
    "problem": lambda: problem_modal(channel_id=CHANNEL, user_id=ADA),
    "experiment": lambda: experiment_modal(
        choice=ProblemChoice(any_open=True, chosen=None), channel_id=CHANNEL
    ),
}


@pytest.mark.parametrize("form", BOT_FORMS)
def test_the_bots_forms_are_drawn_field_by_field(page: Page, sandbox: Sandbox, form: str):
    spec = BOT_FORMS[form]()
    open_modal(sandbox, spec)
    modal = page.locator(".modal")
    expect(modal.locator("#modal-title")).to_have_text(spec["title"]["text"])
    expect(modal.locator(".modal-submit")).to_have_text(spec["submit"]["text"])

    for block in spec["blocks"]:
        shown = modal.locator(f".bk-input-block[data-block-id='{block['block_id']}']")
        element = block["element"]
        css = "textarea" if element.get("multiline") else ELEMENT_CSS[element["type"]]
        expect(shown.locator(".bk-label")).to_contain_text(block["label"]["text"])
        expect(shown.locator(css)).to_have_attribute("data-action-id", element["action_id"])
        if block.get("hint"):
            expect(shown.locator(".bk-hint")).to_have_text(block["hint"]["text"])
        if element.get("placeholder"):
            # A type-ahead shows its placeholder in the box where one types.
            typed = "input[type='search']" if element["type"] == "external_select" else css
            expect(shown.locator(typed)).to_have_attribute(
                "placeholder", element["placeholder"]["text"]
            )
        if element.get("initial_option"):
            expect(shown.locator(css)).to_have_value(element["initial_option"]["value"])
        if element.get("initial_user"):
            expect(shown.locator(css)).to_have_value(element["initial_user"])


def test_a_type_ahead_menu_lists_what_the_app_finds_as_you_type(
    page: Page, sandbox: Sandbox, request: pytest.FixtureRequest
):
    for title in ("Recall on rare classes", "Churn model misses new users", "Latency at p95"):
        sandbox.emulator.slash_command(
            team_id=sandbox.team_id, user_id=ADA, channel_id=CHANNEL, command="/problem", text=title
        )
    page.fill("#composer-text", "/experiment P-1")
    page.press("#composer-text", "Enter")
    form = page.locator(".modal")
    menu = form.locator("[data-block-id='problem'] select")
    search = form.locator("[data-block-id='problem'] input[type='search']")
    expect(menu).to_have_value("1")
    expect(search).to_have_attribute("placeholder", "Type P-12 or words of its title")

    search.click()
    expect(menu.locator("option")).to_have_text(
        [
            "Choose…",
            "P-3 Latency at p95",
            "P-2 Churn model misses new users",
            "P-1 Recall on rare classes",
        ]
    )
    search.fill("churn")
    # What was picked stays listed beside what the search found, as in Slack.
    expect(menu.locator("option")).to_have_text(
        ["Choose…", "P-1 Recall on rare classes", "P-2 Churn model misses new users"]
    )
    menu.select_option("2")
    search.fill("zzz")
    expect(menu.locator("option")).to_have_text(
        ["Choose…", "P-2 Churn model misses new users", "No results"]
    )
    expect(menu).to_have_value("2")
    form.locator("[data-block-id='value'] input").fill("0.7")
    page.screenshot(path=artifacts(request) / "type-ahead.png", full_page=True)
    form.locator(".modal-submit").click()

    expect(page.locator("#modal-backdrop")).to_be_hidden()
    expect(page.locator("#messages article.message:has-text('E-1 on P-2')")).to_be_visible()


def test_the_bots_home_board_is_drawn_with_its_button(page: Page, sandbox: Sandbox):
    view = home(Board(problems={Track.DISCOVERY: (), Track.DELIVERY: ()}))
    bot_client(sandbox).views_publish(user_id=ADA, view=view)
    page.click("button.channel-link:has-text('ritualbot')")

    board = page.locator("#home")
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    expect(board.locator("[data-block-type='header']")).to_have_text(headers)
    expect(board.locator("[data-action-id='problem_new']")).to_have_text("New problem")
    # As Slack shows mrkdwn: code spans without their backticks, entities decoded.
    contexts = [
        html.unescape(b["elements"][0]["text"].replace("`", ""))
        for b in view["blocks"]
        if b["type"] == "context"
    ]
    expect(board.locator("[data-block-type='context']")).to_have_text(contexts)


def test_message_text_cannot_inject_markup_or_script_links(page: Page, sandbox: Sandbox):
    sandbox.emulator.post_as_user(
        team_id=sandbox.team_id,
        user_id=ALAN,
        channel=CHANNEL,
        text=(
            "<img src=x onerror=alert(1)> &lt;b&gt;not bold&lt;/b&gt; *bold* "
            "<javascript:alert(1)|click me> <https://example.com/run?a=1&amp;b=2|the run> <@U0ADA>"
        ),
    )
    body = page.locator("#messages article.message .body").last

    expect(body).to_contain_text("<b>not bold</b>")
    expect(body.locator("b")).to_have_text("bold")
    expect(body.locator("img")).to_have_count(0)
    expect(body.locator("a")).to_have_count(1)
    expect(body.locator("a")).to_have_attribute("href", "https://example.com/run?a=1&b=2")
    expect(body).to_contain_text("click me")
    expect(body.locator(".mention")).to_have_text("@ada")


def test_known_emoji_codes_are_drawn_and_unknown_ones_and_code_stay_as_typed(
    page: Page, sandbox: Sandbox
):
    sandbox.emulator.post_as_user(
        team_id=sandbox.team_id,
        user_id=ALAN,
        channel=CHANNEL,
        text=":rocket: ship it, *:white_check_mark: done* :not_an_emoji: `:mag:` 10:30:45",
    )
    body = page.locator("#messages article.message .body").last

    expect(body).to_have_text("🚀 ship it, ✅ done :not_an_emoji: :mag: 10:30:45")
    expect(body.locator("code")).to_have_text(":mag:")


def test_the_newest_message_stays_in_view_after_a_thread_opens_and_a_reply_comes(
    page: Page, sandbox: Sandbox
):
    for n in range(30):
        sandbox.emulator.post_as_user(
            team_id=sandbox.team_id, user_id=ALAN, channel=CHANNEL, text=f"note {n}"
        )
    expect(page.locator("#messages article.message")).to_have_count(30)
    page.locator("#messages article.message").first.locator("button.reply").click(force=True)
    expect(page.locator("#thread")).to_be_visible()
    page.fill("#composer-text", "/problem help")
    page.press("#composer-text", "Enter")

    answer = page.locator("#messages article.message.ephemeral").last
    expect(answer).to_be_in_viewport()


def test_an_uploaded_chart_is_shown_as_an_image(page: Page, sandbox: Sandbox):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
        b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    bot_client(sandbox).files_upload_v2(
        channel=CHANNEL, content=png, filename="digest.png", title="Outcomes this week"
    )

    chart = page.locator("#messages figure.file")
    expect(chart.locator("figcaption")).to_have_text("Outcomes this week")
    expect(chart.locator("img")).to_have_attribute("src", re.compile(r"/files/F\w+$"))
    # A click opens it at full size, in a new tab.
    expect(chart.locator("a.file-open")).to_have_attribute("href", re.compile(r"/files/F\w+$"))
    expect(chart.locator("a.file-open")).to_have_attribute("target", "_blank")
    # The bytes the app uploaded load as a 1×1 image (the wait fails the test if they never do).
    page.wait_for_function(
        "() => document.querySelector('#messages figure.file img')?.naturalWidth === 1"
    )


def test_shortcuts_on_a_message_and_global_ones_reach_the_app(
    browser, sandbox: Sandbox, recording_app: RecordingApp
):
    sandbox.emulator.page = sandbox_page.Page(
        sandbox.emulator,
        surface=AppSurface(
            message_shortcuts=({"callback_id": "log_experiment", "name": "Log experiment"},),
            global_shortcuts=({"callback_id": "new_problem", "name": "New problem"},),
        ),
    )
    message = sandbox.emulator.post_as_user(
        team_id=sandbox.team_id, user_id=ALAN, channel=CHANNEL, text="recall 0.66 on holdout"
    )
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{sandbox.url}/?user={ADA}")

    page.locator("#messages article.message .message-shortcuts").select_option("log_experiment")
    sandbox.emulator.wait_for(lambda: recording_app.payloads)
    page.click("#global-shortcuts button:has-text('New problem')")
    sandbox.emulator.wait_for(lambda: len(recording_app.payloads) == 2)
    context.close()

    on_message, global_one = recording_app.payloads
    assert (on_message["type"], on_message["callback_id"]) == ("message_action", "log_experiment")
    assert on_message["message"]["ts"] == message.ts
    assert on_message["message"]["text"] == "recall 0.66 on holdout"
    assert (global_one["type"], global_one["callback_id"]) == ("shortcut", "new_problem")


def test_typed_values_survive_a_pushed_view_and_a_views_update(page: Page, sandbox: Sandbox):
    def form(hint: str) -> dict[str, Any]:
        return {
            "type": "modal",
            "callback_id": "log",
            "title": plain("Log experiment"),
            "submit": plain("Save"),
            "blocks": [
                {
                    "type": "input",
                    "block_id": "value",
                    "label": plain("Value"),
                    "hint": plain(hint),
                    "element": {"type": "plain_text_input", "action_id": "v"},
                }
            ],
        }

    open_modal(sandbox, form("Your metric's value"))
    typed = page.locator(".modal [data-block-id='value'] input")
    typed.fill("0.66")
    emulator = sandbox.emulator
    with emulator.world.lock:
        workspace = emulator.workspace(sandbox.team_id)
        below = emulator.open_view(ADA)
        assert below is not None
        modals.push_modal(
            world=emulator.world,
            workspace=workspace,
            user_id=ADA,
            spec={"type": "modal", "title": plain("Not saved"), "blocks": []},
        )
    expect(page.locator("#modal-title")).to_have_text("Not saved")
    page.click(".modal-close")
    expect(page.locator("#modal-title")).to_have_text("Log experiment")
    expect(typed).to_have_value("0.66")

    bot_client(sandbox).views_update(view_id=below.id, view=form("recall@10%, higher is better"))

    expect(page.locator(".modal .bk-hint")).to_have_text("recall@10%, higher is better")
    expect(typed).to_have_value("0.66")
