"""Channels: subscriptions, brief schedules, workspaces and guilds, autocomplete."""
