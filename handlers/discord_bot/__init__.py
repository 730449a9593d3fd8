"""The Discord adapter: slash commands, brief embeds and buttons, threads, DMs (discord.py)."""
