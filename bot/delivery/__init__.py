"""Getting briefs to channels: the exactly-once ledger, posting, today's brief, follow-ups."""
