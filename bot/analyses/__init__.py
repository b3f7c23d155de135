"""Error analyses: why an experiment failed, so the team learns from it."""
