"""The line on a problem's card about its lab notebook canvas (jobs/canvas.py makes it)."""

from __future__ import annotations

from bot.problems.service import ProblemRecord

# Why Slack would not make a problem's canvas, in the team's words.
CANVAS_REFUSED = {
    "missing_scope": (
        "ritualbot lacks the `canvases:write` permission (a workspace admin can reinstall it)"
    ),
    "canvas_disabled_user_team": "canvases are turned off in this workspace",
    "not_allowed_token_type": "Slack does not let ritualbot make canvases here",
    "restricted_action": "this workspace does not let ritualbot make canvases",
    "canvas_not_found": "its canvas was deleted in Slack",
}


def canvas_line(problem: ProblemRecord) -> str | None:
    """A link to the problem's lab notebook canvas once it exists; or, once, why there is
    none and where the notebook is instead."""
    if problem.canvas_id:
        url = f"https://app.slack.com/docs/{problem.team_id}/{problem.canvas_id}"
        return f":notebook: <{url}|Lab notebook> (a canvas, kept up to date)"
    if problem.canvas_error:
        why = CANVAS_REFUSED.get(problem.canvas_error, f"Slack answered '{problem.canvas_error}'")
        return (
            f"No lab notebook canvas: {why}. "
            f"`/ritual export {problem.ref}` gives the notebook as a file."
        )
    return None
