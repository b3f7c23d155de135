"""Block Kit builders: pure functions, plain data in, dicts out."""
