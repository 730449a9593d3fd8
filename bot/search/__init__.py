"""The passage index: chunking, full-text backends (SQLite FTS5, PostgreSQL), vectors, retrieval."""
