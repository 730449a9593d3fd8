"""One worker process for the multi-worker tests: ``python -m tests.fakes.process_child``.

Processes the pending queue with a fake step that costs PODBRIEF_TEST_STEP_S seconds and logs
each episode id to PODBRIEF_TEST_LOG; waits for PODBRIEF_TEST_START_AT (epoch seconds) so
several workers start together after their imports; prints its counts and timings as JSON.
"""

from __future__ import annotations

import json
import os
import threading
import time

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from bot.jobs.pipeline import process_pending


def main() -> None:
    settings = Settings(_env_file=None)
    engine = db.create_db_engine(settings.database_url)
    services = Services(settings=settings, engine=engine)
    cost = float(os.environ.get("PODBRIEF_TEST_STEP_S", "0.01"))
    log_path = os.environ["PODBRIEF_TEST_LOG"]
    lock = threading.Lock()

    def fake_step(_services: Services, episode_id: int) -> None:
        time.sleep(cost)  # stands in for transcript + insights + index
        with lock, open(log_path, "a") as log:
            log.write(f"{episode_id}\n")

    start_at = float(os.environ.get("PODBRIEF_TEST_START_AT", "0"))
    time.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    counts = process_pending(services, step=fake_step)
    print(json.dumps({"counts": counts, "started": started, "finished": time.time()}))
    engine.dispose()


if __name__ == "__main__":
    main()
