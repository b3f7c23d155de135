"""Problems: the discovery track's record, its messages and its modal."""
