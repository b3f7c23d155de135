"""Export: a workspace's record as a lab notebook (Markdown per problem) and as rows per record
kind (CSV, JSON) for pandas; and its restore from the JSON into an empty workspace.

Everything here streams: rows are read a batch at a time (`yield_per`, a server-side cursor on
PostgreSQL) and written as they come, so memory stays flat however large the workspace.
"""
