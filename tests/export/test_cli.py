"""`ritualbot export` and `ritualbot import`, against the real database."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from runtime.cli import main
from storage.db import Database
from storage.experiments import Experiment
from storage.problems import Problem
from storage.rituals import Ritual, RitualKind
from storage.watch import WatchCheck
from tests.conftest import ALICE, BOB, OTHER_TEAM, TEAM
from tests.support.notebook import NOW, forget_workspace, seed_notebook, seed_watch


@pytest.fixture
def env(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    return monkeypatch


@pytest.fixture
def seeded(db: Database, env) -> Database:
    with time_machine.travel(NOW, tick=False), db.transaction() as session:
        seed_notebook(session)
    return db


def export(out: Path, *args: str) -> int:
    with time_machine.travel(NOW, tick=False):
        return main(["export", "--out", str(out), *args])


def problems(db: Database, team: str = TEAM) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).where(Problem.team_id == team)) or 0


def test_a_notebook_shows_the_framing_experiments_analyses_and_decisions(seeded, tmp_path):
    assert export(tmp_path, "--team", TEAM, "--format", "md") == 0

    notebook = (tmp_path / TEAM / "notebooks" / "P-20.md").read_text()
    assert notebook.startswith("# P-20 · Fraud model misses \\| new merchants\n")
    for shown in (
        "**Will users find value in it?** Analysts asked for it in 9 of 12 interviews.",
        "**Is it possible to build?** Risky: 3 weeks of labels; merchant graph available.",
        "**recall**: higher is better (proportion).",
        "Evaluation set: 2,000 examples · baseline: 0.55 · target: 0.62",
        "Minimum detectable effect: with 2,000 examples at 0.55, changes under ±0.031",
        "### E-40 · graph embeddings: Worse",
        "- Result: 0.5 (mean of 2 seeds: 0.49, 0.51) on 2,000 examples",
        "- Run: https://wandb.ai/team/fraud/runs/abc123",
        "- Logged by Bob Jones (U0BOB)",
        "### E-41 · merchant age feature: Met target",
        "#### A-30 · error analysis of E-40",
        "| first-week merchants | 60 | 60% | recall at most 0.8 |",
        "| card testing | 25 | 25% | recall at most 0.625 |",
        "- [x] Backfill merchant age",
        "**pivot** by U0ALICE: Graph features cannot help in week one; try merchant age",
        "**ship** by U0ALICE: E-41 met the target with precision held",
    ):
        assert shown in notebook, shown
    assert notebook.index("**pivot**") < notebook.index("**ship**")
    assert notebook.index("E-40") < notebook.index("A-30") < notebook.index("E-41")
    # Only that workspace, only the notebooks, and no deleted experiment.
    assert not (tmp_path / OTHER_TEAM).exists() and not (tmp_path / TEAM / "csv").exists()
    assert "E-10 " not in (tmp_path / TEAM / "notebooks" / "P-1.md").read_text()


def test_csv_and_json_hold_each_record_kind_for_pandas(seeded, tmp_path):
    assert export(tmp_path, "--format", "csv", "--format", "json") == 0

    with (tmp_path / TEAM / "csv" / "experiments.csv").open() as stream:
        rows = {int(r["number"]): r for r in csv.DictReader(stream)}
    assert rows[40]["problem"] == "20" and rows[40]["outcome"] == "worse"
    assert json.loads(rows[40]["values"]) == [0.49, 0.51]
    assert rows[40]["run_url"] == "https://wandb.ai/team/fraud/runs/abc123"
    categories = (tmp_path / TEAM / "csv" / "error_categories.csv").read_text().splitlines()
    assert categories[1:] == ["30,0,first-week merchants,60", "30,1,card testing,25"]
    whole = json.loads((tmp_path / TEAM / "ritualbot.json").read_text())
    assert whole["team_id"] == TEAM and whole["exported_at"] == NOW.isoformat()
    assert [d["kind"] for d in whole["decisions"] if d["problem"] == 20] == ["pivot", "ship"]
    assert "Mallory secret plan" not in (tmp_path / TEAM / "ritualbot.json").read_text()
    other = json.loads((tmp_path / OTHER_TEAM / "ritualbot.json").read_text())
    assert [p["title"] for p in other["problems"]] == ["Mallory secret plan"]


def test_a_shipped_problem_s_notebook_shows_its_watch_plan_checks_and_retrains(seeded, tmp_path):
    with seeded.transaction() as session:
        seed_watch(session)
    assert export(tmp_path, "--team", TEAM, "--format", "md", "--format", "csv") == 0

    notebook = (tmp_path / TEAM / "notebooks" / "P-20.md").read_text()
    watched = notebook[notebook.index("## Watch after ship") :]
    for shown in (
        "Shipped 2026-11-25 09:00 UTC, watched by U0ALICE.",
        "- Metric: recall (production, 7-day)",
        "- Value at ship: 0.64",
        "- Alert: 5% worse than at ship (below 0.608)",
        "- Checked: weekly",
        "- Retraining: every 90 days, last 2026-11-29 09:00 UTC",
        "| 2026-11-26 09:00 UTC | 0.63 | no | – | within the plan | U0ALICE |",
        "| 2026-11-27 09:00 UTC | 0.55 | yes | PSI 0.31 > 0.2 \\| partner merchants "
        "| alert, a problem opened: P-21 | U0ALICE |",
        "| 2026-11-29 09:00 UTC | 0.6 | no | after the backfill | alert, kept watching "
        "| Bob Jones (U0BOB) |",
        "### Retrains\n\n- 2026-11-29 09:00 UTC by Bob Jones (U0BOB)",
    ):
        assert shown in watched, shown
    assert notebook.index("## Decisions") < notebook.index("## Watch after ship")
    never = (tmp_path / TEAM / "notebooks" / "P-21.md").read_text()
    assert never.endswith("## Watch after ship\n\nNot shipped: nothing is watched.\n")

    with (tmp_path / TEAM / "csv" / "watch_checks.csv").open() as stream:
        checks = list(csv.DictReader(stream))
    assert [(c["problem"], c["outcome"], c["opened_problem"]) for c in checks] == [
        ("20", "within", ""),
        ("20", "reopened", "21"),
        ("20", "kept", ""),
    ]
    [plan] = csv.DictReader((tmp_path / TEAM / "csv" / "watch_plans.csv").open())
    assert (plan["problem"], plan["alert_value"], plan["alert_relative"]) == ("20", "0.05", "True")
    [retrain] = csv.DictReader((tmp_path / TEAM / "csv" / "retrains.csv").open())
    assert (retrain["problem"], retrain["retrained_by"]) == ("20", BOB)


def test_export_import_export_is_the_same_apart_from_when_it_was_exported(seeded, tmp_path):
    with seeded.transaction() as session:
        seed_watch(session)
    assert export(tmp_path / "before", "--team", TEAM) == 0
    with seeded.transaction() as session:
        forget_workspace(session)

    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert main(["import", str(tmp_path / "before" / TEAM / "ritualbot.json")]) == 0
        assert main(["export", "--out", str(tmp_path / "after"), "--team", TEAM]) == 0

    before, after = tmp_path / "before" / TEAM, tmp_path / "after" / TEAM
    files = sorted(p.relative_to(before) for p in before.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(after) for p in after.rglob("*") if p.is_file())
    assert len(files) == 1 + 9 + 8  # the JSON, a CSV per kind, a notebook per problem
    for name in files:
        old, new = (before / name).read_bytes(), (after / name).read_bytes()
        if name.name == "ritualbot.json":
            old_first, _, old = old.partition(b"\n")
            new_first, _, new = new.partition(b"\n")
            assert old_first.replace(b"2026-11-30T09:00", b"2026-12-03T09:00") == new_first
        assert old == new, name
    # Numbering goes on after the restored records.
    with seeded.transaction() as session:
        from storage.queries import next_number

        assert next_number(session, team_id=TEAM, kind="E") == 42
        # The check that opened P-21 names it again, by its new id; the plan's owner is
        # asked for checks on this server too.
        opened = session.scalar(
            select(Problem.id).where(Problem.team_id == TEAM, Problem.number == 21)
        )
        assert (
            session.scalar(
                select(WatchCheck.opened_problem_id).where(
                    WatchCheck.opened_problem_id.is_not(None)
                )
            )
            == opened
        )
        [ritual] = session.scalars(
            select(Ritual).where(Ritual.team_id == TEAM, Ritual.kind == RitualKind.WATCH)
        )
        assert ritual.channel_id == ALICE and ritual.enabled


def test_a_second_import_adds_nothing_and_another_workspace_is_refused(seeded, tmp_path, capsys):
    assert export(tmp_path, "--format", "json") == 0
    with seeded.transaction() as session:
        forget_workspace(session)
    exported = tmp_path / TEAM / "ritualbot.json"
    assert main(["import", str(exported)]) == 0
    with seeded.reading() as session:
        experiments = session.scalar(select(func.count()).where(Experiment.team_id == TEAM))
    capsys.readouterr()

    assert main(["import", str(exported)]) == 0
    assert "nothing added" in capsys.readouterr().out

    assert main(["import", str(tmp_path / OTHER_TEAM / "ritualbot.json"), "--team", TEAM]) == 1
    refused = capsys.readouterr().err
    assert f"Workspace {TEAM} already has 8 problem(s)" in refused and "empty workspace" in refused
    assert problems(seeded) == 8
    with seeded.reading() as session:
        assert session.scalar(select(func.count()).where(Experiment.team_id == TEAM)) == experiments


def test_a_file_cut_short_imports_nothing_and_says_why(seeded, tmp_path, capsys):
    assert export(tmp_path, "--format", "json", "--team", TEAM) == 0
    with seeded.transaction() as session:
        forget_workspace(session)
    exported = tmp_path / TEAM / "ritualbot.json"
    lines = exported.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.json"
    cut.write_text("".join(lines[:12]) + lines[12][:40])

    assert main(["import", str(cut)]) == 1
    assert "is not a whole record" in capsys.readouterr().err
    assert problems(seeded) == 0

    (tmp_path / "notes.json").write_text('{"hello": 1}\n')
    assert main(["import", str(tmp_path / "notes.json")]) == 1
    assert "not a ritualbot export" in capsys.readouterr().err


def test_a_check_naming_a_problem_the_file_lacks_imports_nothing_and_says_why(
    seeded, tmp_path, capsys
):
    with seeded.transaction() as session:
        seed_watch(session)
    assert export(tmp_path, "--format", "json", "--team", TEAM) == 0
    with seeded.transaction() as session:
        forget_workspace(session)
    exported = tmp_path / TEAM / "ritualbot.json"
    edited = tmp_path / "edited.json"
    edited.write_text(exported.read_text().replace('"opened_problem": 21', '"opened_problem": 99'))

    assert main(["import", str(edited)]) == 1
    said = capsys.readouterr().err
    assert "A record of watch_checks names opened_problem 99" in said and "cut or edited" in said
    assert problems(seeded) == 0
    with seeded.reading() as session:
        assert session.scalar(select(func.count()).select_from(WatchCheck)) == 0
