"""A processed slice of the real devset, built once for the topic-matching tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import db
from tests.briefs.devset import load_devset


@pytest.fixture(scope="module")
def devset_world(corpus: Path, tmp_path_factory):
    """(engine, file stem → episode id) over eight real episodes; skips without the corpus."""
    devset = corpus / "devset"
    if not devset.is_dir():
        pytest.skip(f"devset not found at {devset}")
    path = tmp_path_factory.mktemp("devset") / "podbrief.db"
    engine = db.create_db_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    ids = load_devset(engine, devset)
    yield engine, ids
    engine.dispose()
