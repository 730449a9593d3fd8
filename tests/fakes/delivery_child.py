"""A delivery run in its own process, for the crash tests: ``python -m tests.fakes.delivery_child``.

Reads DATABASE_URL and the Slack/Discord URLs and tokens from the environment like
``podbrief run`` does, fixes the clock at PODBRIEF_TEST_NOW and runs one brief tick.
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from bot.delivery.posting import deliver_due
from handlers.cli.root import build_publishers
from tests.fakes.briefs import compose_top
from tests.fakes.clock import FixedClock


def main() -> None:
    settings = Settings(_env_file=None)
    engine = db.create_db_engine(settings.database_url)
    now = datetime.fromisoformat(os.environ["PODBRIEF_TEST_NOW"])
    services = Services(settings=settings, engine=engine, clock=FixedClock(now))
    publishers = build_publishers(settings)
    outcomes = deliver_due(services, publishers, compose=compose_top, sleep=lambda _s: None)
    print(json.dumps(dict(outcomes)))


if __name__ == "__main__":
    main()
