"""The one command table, its parser, router and platform-neutral replies."""
