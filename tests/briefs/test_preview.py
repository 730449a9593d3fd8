"""`subscribe` previews what a topic matches this week, so the subscriber can reword at once."""

from __future__ import annotations

from sqlmodel import Session

from bot.briefs.preview import preview_topic
from bot.core.config import Settings
from bot.core.services import Services
from tests.briefs.devset import DAY


def test_preview_counts_matching_episodes_and_gives_an_example(devset_world):
    engine, _ = devset_world
    services = Services(settings=Settings(_env_file=None), engine=engine)
    with Session(engine) as session:
        lines = preview_topic(services, session, "Golang", DAY)
        nothing = preview_topic(services, session, "knitting patterns", DAY)
        session.rollback()
    assert lines[0].endswith("recent episodes match “Golang”; for example:")
    assert int(lines[0].split()[0]) >= 2 and "(Go Time · " in lines[1]
    assert nothing[0].startswith("Nothing new on “knitting patterns”")
