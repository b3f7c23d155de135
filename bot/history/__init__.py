"""Every version of a record: edits, deletions, restores, and how they show."""
