"""The outcomes a noise-aware verdict will give (better than baseline, inconclusive,
unjudged): stored, every place that shows an experiment shows them by name."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from storage.experiments import Experiment, Outcome
from tests.conftest import ALICE, TEAM
from tests.support.delivery import command, frame, log
from tests.support.slack import rendered

SHOWN = {
    Outcome.BEAT_BASELINE: ("Better than baseline", "better than baseline"),
    Outcome.INCONCLUSIVE: ("Inconclusive (within noise)", "inconclusive"),
    Outcome.UNJUDGED: ("Unjudged (no metric to judge by)", "unjudged"),
}


@pytest.mark.parametrize("outcome", list(SHOWN))
def test_each_new_outcome_is_shown_by_name_wherever_the_experiment_is(bot, outcome):
    frame(bot)
    log(bot, "P-1 0.71 class-balanced sampling")
    with bot.runtime.db.transaction() as session:  # as the verdict will judge it
        session.execute(update(Experiment).values(outcome=outcome))
    label, plain = SHOWN[outcome]

    shown = rendered(command(bot, "/experiment", "show E-1").body)
    assert label in shown and "0.71" in shown
    assert label in rendered(command(bot, "/problem", "show P-1").body)
    assert plain in rendered(command(bot, "/ritual", "search class-balanced sampling").body)
    assert plain in rendered(command(bot, "/digest").body)
    bot.slack.open_home(team_id=TEAM, user_id=ALICE)
    bot.settle()
    assert "P-1" in rendered(bot.slack.home(team_id=TEAM, user_id=ALICE))
