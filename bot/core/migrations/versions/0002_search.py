"""search: full-text index over chunk.text (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table kept in step with ``chunk`` by triggers, so every
# writer (pipeline, imports, tests) is indexed without having to remember to.
SQLITE_UP = [
    """CREATE VIRTUAL TABLE chunk_fts USING fts5(
        text, content='chunk', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER chunk_fts_ai AFTER INSERT ON chunk BEGIN
        INSERT INTO chunk_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER chunk_fts_ad AFTER DELETE ON chunk BEGIN
        INSERT INTO chunk_fts(chunk_fts, rowid, text) VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER chunk_fts_au AFTER UPDATE OF text ON chunk BEGIN
        INSERT INTO chunk_fts(chunk_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chunk_fts(rowid, text) VALUES (new.id, new.text); END""",
    # Document frequencies per stemmed term (for expansion and sentence weighting).
    "CREATE VIRTUAL TABLE chunk_vocab USING fts5vocab(chunk_fts, 'row')",
    "INSERT INTO chunk_fts(chunk_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TABLE IF EXISTS chunk_vocab",
    "DROP TRIGGER IF EXISTS chunk_fts_au",
    "DROP TRIGGER IF EXISTS chunk_fts_ad",
    "DROP TRIGGER IF EXISTS chunk_fts_ai",
    "DROP TABLE IF EXISTS chunk_fts",
]

# PostgreSQL: a generated tsvector with a GIN index, plus per-lexeme document frequencies
# (ts_rank has no IDF; bot/search_pg.py scores BM25 from these). Statement-level triggers with
# transition tables keep the frequencies exact at one upsert per statement, not per row.
PG_UP = [
    """ALTER TABLE chunk ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('english', text)) STORED""",
    "CREATE INDEX ix_chunk_tsv ON chunk USING gin (tsv)",
    "CREATE TABLE chunk_term (lexeme text PRIMARY KEY, ndoc bigint NOT NULL)",
    """CREATE FUNCTION chunk_term_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO chunk_term (lexeme, ndoc)
        SELECT u.lexeme, count(*) FROM new_rows n, unnest(n.tsv) u
        GROUP BY u.lexeme ORDER BY u.lexeme
        ON CONFLICT (lexeme) DO UPDATE SET ndoc = chunk_term.ndoc + excluded.ndoc;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION chunk_term_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE chunk_term t SET ndoc = t.ndoc - d.n
        FROM (SELECT u.lexeme, count(*) AS n FROM old_rows o, unnest(o.tsv) u
              GROUP BY u.lexeme ORDER BY u.lexeme) d
        WHERE t.lexeme = d.lexeme;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER chunk_term_ins AFTER INSERT ON chunk REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION chunk_term_add()""",
    """CREATE TRIGGER chunk_term_del AFTER DELETE ON chunk REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION chunk_term_remove()""",
    """INSERT INTO chunk_term (lexeme, ndoc)
        SELECT u.lexeme, count(*) FROM chunk c, unnest(c.tsv) u GROUP BY u.lexeme""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS chunk_term_del ON chunk",
    "DROP TRIGGER IF EXISTS chunk_term_ins ON chunk",
    "DROP FUNCTION IF EXISTS chunk_term_remove()",
    "DROP FUNCTION IF EXISTS chunk_term_add()",
    "DROP TABLE IF EXISTS chunk_term",
    "DROP INDEX IF EXISTS ix_chunk_tsv",
    "ALTER TABLE chunk DROP COLUMN IF EXISTS tsv",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return PG_UP if up else PG_DOWN
    return []


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
