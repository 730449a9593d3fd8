"""The Slack adapter: Bolt app wiring (app.py), one module per surface, Block Kit in render.py."""
