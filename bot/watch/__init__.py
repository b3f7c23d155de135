"""Watching a model after it ships: its plan, its checks, its retrains."""
