"""Podcast feeds: safe fetching, parsing (RSS, Atom, Podcasting 2.0), polling, the catalog."""
