"""Experiments: each approach tried, judged against its problem's metric."""
