"""Background work: claiming episodes, the episode pipeline, scheduled jobs, leadership."""
