"""Every callback, action and block id the app sends or listens for, in one place."""

from __future__ import annotations

import enum


class Command(enum.StrEnum):
    PROBLEM = "/problem"
    DIGEST = "/digest"
    EXPERIMENT = "/experiment"
    ANALYSIS = "/analysis"
    RITUAL = "/ritual"
    STANDUP = "/standup"


class CallbackId(enum.StrEnum):
    PROBLEM_MODAL = "problem_modal"
    EXPERIMENT_MODAL = "experiment_modal"
    ANALYSIS_MODAL = "analysis_modal"
    DECISION_MODAL = "decision_modal"
    # Message shortcuts (declared in manifest.yml).
    CAPTURE_AS_PROBLEM = "capture_as_problem"
    LOG_AS_EXPERIMENT = "log_as_experiment"
    STANDUP_SETTINGS = "standup_settings"
    STANDUP_ANSWER = "standup_answer"
    WATCH_CHECK = "watch_check"
    TRACKER_CONNECT = "tracker_connect"


class ActionId(enum.StrEnum):
    PROBLEM_ADD_DETAILS = "problem_add_details"
    PROBLEM_NEW = "problem_new"
    # One per decision: action ids must be unique within the card's actions block.
    DECIDE_CONTINUE = "decide_continue"
    DECIDE_PIVOT = "decide_pivot"
    DECIDE_CUT = "decide_cut"
    DECIDE_SHIP = "decide_ship"
    PROBLEM_RESTORE = "problem_restore"
    EXPERIMENT_NEW = "experiment_new"
    EXPERIMENT_EDIT = "experiment_edit"
    EXPERIMENT_RESTORE = "experiment_restore"
    FOLLOW_UP_DONE = "follow_up_done"
    EXPERIMENT_AS_TYPED = "experiment_as_typed"  # log a value asked about, as typed
    EXPERIMENT_RETYPE = "experiment_retype"  # or open the form to change it
    ANALYSIS_START = "analysis_start"
    ANALYSIS_EDIT = "analysis_edit"
    ANALYSIS_RESTORE = "analysis_restore"
    STANDUP_OPEN = "standup_open"
    # A model in production: record a check (value = problem number), and an alert's answers
    # (value = check id).
    WATCH_CHECK_OPEN = "watch_check_open"
    WATCH_OPEN_PROBLEM = "watch_open_problem"
    WATCH_RETRAIN = "watch_retrain"
    WATCH_KEEP = "watch_keep"
    WATCH_RETRAINED = "watch_retrained"  # on a retrain reminder (value = problem number)
    # Ship from a model registry alias (`champion`) in the problem's thread; the value is
    # JSON: the problem's number, the model and its version, to prefill the Ship form.
    MODEL_SHIP = "model_ship"
    TRACKER_CONNECT_OPEN = "tracker_connect_open"  # App Home: connect a tracker in a modal
    # On a card whose run has several metrics: which is the problem's (value "E:index").
    RUN_METRIC_KEY = "run_metric_key"
    # The experiments branch provides the modal; the value is "standup-answer:<answer id>".
    LOG_EXPERIMENT_FROM_STANDUP = "log_experiment_from_standup"
    FIELD = "value"
    # Slack asks for a type-ahead menu's options by its action id alone, so it has its own.
    PROBLEM_CHOICE = "problem_choice"


class ProblemField(enum.StrEnum):
    """Block ids of the problem modal; each names the form field it holds."""

    TITLE = "title"
    STATEMENT = "statement"
    USER_VALUE = "user_value"
    FEASIBILITY = "feasibility"
    METRIC_NAME = "metric_name"
    METRIC_DEFINITION = "metric_definition"
    DIRECTION = "direction"
    METRIC_KIND = "metric_kind"
    METRIC_LOW = "metric_low"
    METRIC_HIGH = "metric_high"
    EVAL_SIZE = "eval_size"
    BASELINE = "baseline"
    TARGET = "target"
    GUARDRAILS = "guardrails"
    DATA_SOURCES = "data_sources"
    PRIOR_WORK = "prior_work"
    OWNER = "owner_id"
    TRACK = "track"
    REVIEW_ON = "review_on"
    KILL_CRITERIA = "kill_criteria"


class BlockId(enum.StrEnum):
    """Block ids of what a modal shows without asking for it."""

    PROBLEM_NOISE = "problem_noise"
    PROBLEM_TARGET_WARNING = "problem_target_warning"


class ExperimentField(enum.StrEnum):
    """Block ids of the experiment modal."""

    PROBLEM = "problem"
    HYPOTHESIS = "hypothesis"
    APPROACH = "approach"
    DATASET = "dataset"
    VALUE = "value"  # one value per seed
    EVAL_SIZE = "eval_size"
    METRICS = "metrics"
    RUN_URL = "run_url"
    NOTES = "notes"


class AnalysisField(enum.StrEnum):
    """Block ids of the error-analysis modal (follow-up rows are `follow_up_<n>` / `owner_<n>`)."""

    SAMPLE_SIZE = "sample_size"
    SAMPLE_METHOD = "sample_method"
    CATEGORIES = "categories"
    SLICES = "slices"
    ROOT_CAUSES = "root_causes"
    NEXT_STEPS = "next_steps"
    LESSONS = "lessons"


class DecisionField(enum.StrEnum):
    RATIONALE = "rationale"


class WatchField(enum.StrEnum):
    """The watch plan's fields: the Ship form's block ids and the command's `key=` words."""

    METRIC = "metric"
    VALUE = "value"
    ALERT = "alert"
    CHECK = "check"
    RETRAIN = "retrain"
    RUN = "run"  # an MLflow run to read the production value from, instead of asking
    KEY = "key"  # the metric's key in that run


class TrackerField(enum.StrEnum):
    """Block ids of the form that connects a tracker."""

    KIND = "tracker"
    ADDRESS = "address"
    TOKEN = "token"
    ENTITY = "entity"


class WatchCheckField(enum.StrEnum):
    """Block ids of the watch check's form."""

    VALUE = "value"
    SHIFTED = "shifted"
    NOTE = "note"


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
