"""gin pending list: bound the GIN index's list of unmerged entries on PostgreSQL

With ``fastupdate`` (the default), rows inserted into ``chunk`` wait in the GIN index's pending
list until it outgrows ``gin_pending_list_limit`` (4 MB by default) or a vacuum merges it, and
every search reads the whole list, whatever it asks for: at 150k chunks a full list cost each
ranking query ~230 page reads and 1–2 ms before a single candidate was fetched (where
autovacuum is off or behind, as on the benchmark server, it stays full). A 256 kB limit keeps
that read to ~30 pages while inserts still reach the index in batches; the list left by the
rows already stored is merged now. SQLite: nothing to do (FTS5 has no such list).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PG_UP = [
    "ALTER INDEX ix_chunk_tsv SET (gin_pending_list_limit = 256)",
    "SELECT gin_clean_pending_list('ix_chunk_tsv'::regclass)",
]
PG_DOWN = ["ALTER INDEX ix_chunk_tsv RESET (gin_pending_list_limit)"]


def _statements(up: bool) -> list[str]:
    if op.get_bind().dialect.name != "postgresql":
        return []
    return PG_UP if up else PG_DOWN


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
