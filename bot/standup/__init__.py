"""Standups: settings, time away, answers and each day's record."""
