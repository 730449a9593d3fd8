"""Processes that start together (web, worker, clock) migrate one at a time on PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import inspect, text

from bot.core import db
from tests.conftest import PG_ADMIN_URL, _drop_pg_schema


@pytest.mark.postgres
def test_concurrent_upgrades_on_a_fresh_database_all_succeed(pg_skip_reason):
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = db.create_db_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    errors: list[Exception] = []

    def start_process() -> None:
        engine = db.create_db_engine(
            PG_ADMIN_URL, connect_args={"options": f"-csearch_path={schema}"}
        )
        try:
            db.upgrade(engine)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start_process) for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        engine = db.create_db_engine(
            PG_ADMIN_URL, connect_args={"options": f"-csearch_path={schema}"}
        )
        assert "delivery" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        _drop_pg_schema(schema)
