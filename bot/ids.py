"""Every callback, action and block id the app sends or listens for, in one place."""

from __future__ import annotations

import enum


class Command(enum.StrEnum):
    PROBLEM = "/problem"
    RITUAL = "/ritual"


class CallbackId(enum.StrEnum):
    PROBLEM_MODAL = "problem_modal"


class ActionId(enum.StrEnum):
    PROBLEM_ADD_DETAILS = "problem_add_details"
    PROBLEM_NEW = "problem_new"
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
