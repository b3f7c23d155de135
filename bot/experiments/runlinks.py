"""Recognise where a run link points (MLflow, Weights & Biases, a commit) and label it. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MLFLOW = re.compile(r"/experiments/(?P<experiment>[\w-]+)/runs/(?P<run>[\w-]+)")
WANDB = re.compile(r"^/(?P<entity>[^/]+)/(?P<project>[^/]+)/runs/(?P<run>[\w-]+)")
GITHUB_COMMIT = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/commit/(?P<sha>[0-9a-fA-F]{7,40})\b")
GITLAB_COMMIT = re.compile(r"^/(?P<repo>.+?)/-/commit/(?P<sha>[0-9a-fA-F]{7,40})\b")
# Links whose run ritualbot reads its values from (bot.trackers).
READABLE = frozenset({"mlflow", "wandb"})
# Characters that would end or split a Slack `<url|label>` link.
UNSAFE = re.compile(r"[\s<>|]")


@dataclass(frozen=True)
class RunLink:
    kind: str  # mlflow, wandb, github, gitlab or link
    label: str
    url: str


def problem_with(url: str) -> str | None:
    """Why `url` cannot be stored as a run link, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{url[:60]}' is not a web link. Paste the run's URL, starting with https://."
    if UNSAFE.search(url):
        return "A link cannot contain spaces, <, > or |. Paste the run's URL alone."
    return None


def recognise(url: str) -> RunLink:
    """What the link is: an MLflow run, a W&B run, a GitHub/GitLab commit, or a plain link."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    # MLflow's UI keeps the route in the fragment (https://mlflow.example.com/#/experiments/3/
    # runs/ab12); Databricks puts it in the path (/ml/experiments/3/runs/ab12).
    mlflow = MLFLOW.search(parts.fragment) or MLFLOW.search(parts.path)
    if mlflow:
        return RunLink("mlflow", f"MLflow run {mlflow['run'][:12]}", url)
    wandb = WANDB.match(parts.path) if host in ("wandb.ai", "app.wandb.ai") else None
    if wandb:
        return RunLink("wandb", f"W&B run {wandb['project']}/{wandb['run']}", url)
    github = GITHUB_COMMIT.match(parts.path) if host == "github.com" else None
    if github:
        return RunLink("github", f"GitHub commit {github['repo']}@{github['sha'][:7]}", url)
    gitlab = GITLAB_COMMIT.match(parts.path)
    if gitlab:
        return RunLink("gitlab", f"GitLab commit {gitlab['repo']}@{gitlab['sha'][:7]}", url)
    return RunLink("link", host or "link", url)


def mlflow_run_id(url: str) -> str | None:
    """The run id of an MLflow run link (its UI's or Databricks'), else None."""
    parts = urlsplit(url)
    found = MLFLOW.search(parts.fragment) or MLFLOW.search(parts.path)
    return found["run"] if found else None


def wandb_run(url: str) -> tuple[str, str, str] | None:
    """The entity, project and run id of a W&B run link, else None."""
    parts = urlsplit(url)
    if parts.netloc.lower() not in ("wandb.ai", "app.wandb.ai"):
        return None
    found = WANDB.match(parts.path)
    return (found["entity"], found["project"], found["run"]) if found else None
