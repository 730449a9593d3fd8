"""The terminal adapter: console chat, rich rendering, briefs printed to the terminal."""
