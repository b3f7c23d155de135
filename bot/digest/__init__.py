"""The weekly digest: what it says, when it is posted, how it looks."""
