"""Rows for a list of chunk ids, in one statement whatever the list's length.

Retrieval reads columns of its candidates several times a question. An ORM ``IN`` of 50–150
ids cost ~2.5 ms on PostgreSQL, mostly building and sending one bound parameter per id; one
array parameter (``= ANY``) keeps the statement the same for every list, so psycopg prepares
it once. SQLite has no arrays: its ``IN`` list is expanded, without the ORM's overhead.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Row, TextClause, bindparam, text
from sqlmodel import Session

Place = tuple[int, str, int]  # a chunk's episode id, kind and idx


def rows_by_ids(session: Session, sql: str, ids: Sequence[int]) -> list[Row]:
    """The rows of ``sql``, where ``{ids}`` stands for "is one of ``ids``" (``c.id {ids}``)."""
    if not ids:
        return []
    statement = _statement(sql, session.get_bind().dialect.name == "postgresql")
    return list(session.execute(statement, {"ids": list(ids)}).all())


@lru_cache(maxsize=64)
def _statement(sql: str, postgres: bool) -> TextClause:
    if postgres:
        return text(sql.format(ids="= ANY(CAST(:ids AS int[]))"))
    return text(sql.format(ids="IN :ids")).bindparams(bindparam("ids", expanding=True))
