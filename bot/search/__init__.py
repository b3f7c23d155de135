"""The team's searchable memory and how its results are shown."""
