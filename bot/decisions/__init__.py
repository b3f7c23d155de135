"""Decisions on a problem: continue, pivot, cut losses, or ship."""
