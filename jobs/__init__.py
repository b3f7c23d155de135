"""Work that talks to Slack on its own: the outbox sender, standup and digest runs."""
