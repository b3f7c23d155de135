"""Every callback, action and block id the app sends or listens for, in one place."""

from __future__ import annotations

import enum


class Command(enum.StrEnum):
    PROBLEM = "/problem"
    STANDUP = "/standup"


class CallbackId(enum.StrEnum):
    PROBLEM_MODAL = "problem_modal"
    STANDUP_SETTINGS = "standup_settings"
    STANDUP_ANSWER = "standup_answer"


class ActionId(enum.StrEnum):
    PROBLEM_ADD_DETAILS = "problem_add_details"
    PROBLEM_NEW = "problem_new"
    STANDUP_OPEN = "standup_open"
    # The experiments branch provides the modal; the value is "standup-answer:<answer id>".
    LOG_EXPERIMENT_FROM_STANDUP = "log_experiment_from_standup"
    FIELD = "value"


class ProblemField(enum.StrEnum):
    """Block ids of the problem modal; each names the form field it holds."""

    TITLE = "title"
    STATEMENT = "statement"
    USER_VALUE = "user_value"
    FEASIBILITY = "feasibility"
    METRIC_NAME = "metric_name"
    METRIC_DEFINITION = "metric_definition"
    DIRECTION = "direction"
    BASELINE = "baseline"
    TARGET = "target"
    GUARDRAILS = "guardrails"
    DATA_SOURCES = "data_sources"
    PRIOR_WORK = "prior_work"
    OWNER = "owner_id"
    TRACK = "track"
    REVIEW_ON = "review_on"
    KILL_CRITERIA = "kill_criteria"


class StandupField(enum.StrEnum):
    """Block ids of the standup settings modal."""

    WEEKDAYS = "weekdays"
    LOCAL_TIME = "local_time"
    TIMEZONE_RULE = "timezone_rule"
    TIMEZONE = "timezone"
    PARTICIPANTS_RULE = "participants_rule"
    PARTICIPANTS = "participants"
    QUESTIONS = "questions"
    REMINDER = "reminder_minutes"
    CUTOFF = "cutoff_time"
    HOLIDAYS = "holidays"
