"""A new user's first ten minutes, scripted: demo → ask → chat → follow bad, follow good → status.

Each step runs the real command line in-process (typer's runner) on one database, the way the
README tells a newcomer to go on after `make demo`, and checks that each reply reads as meant.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from handlers.cli.app import build_app
from tests.console.test_chat import local_show
from tests.fakes.feeds_server import FeedServer

pytestmark = pytest.mark.slow

QUESTION = "Why are startups moving to open-weight models?"


def test_a_new_users_first_session(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ASSEMBLYAI_API_KEY", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    async def no_such_host(*_args, **_kwargs):  # DNS for the made-up host, without asking DNS
        raise OSError(-2, "Name or service not known")

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", no_such_host)
    runner = CliRunner()

    # 1. the demo, kept in demo.db, ends with commands that work as printed
    demo = runner.invoke(build_app(), ["demo", "--db", "demo.db"], env={"DATABASE_URL": None})
    assert demo.exit_code == 0, demo.output
    assert "Your podcast brief" in demo.stdout and "9 episodes processed" in demo.stdout
    hint = re.search(r'DATABASE_URL=(\S+) (\S+) ask "(.+)"', demo.stdout)
    assert hint and hint.group(1) == "sqlite:///demo.db" and hint.group(3) == QUESTION
    assert not (tmp_path / "podbrief.db").exists()  # nothing created behind the user's back
    env = {"DATABASE_URL": hint.group(1), "ALLOW_PRIVATE_URLS": "true", "LOG_LEVEL": "WARNING"}

    # a rerun reuses the demo's feeds: still three, no warnings about old ports
    again = runner.invoke(build_app(), ["demo", "--db", "demo.db"], env={"DATABASE_URL": None})
    assert again.exit_code == 0 and "warning" not in again.stdout and "3/3" in again.stdout

    # 2. ask, exactly as the hint spelled it (the same database)
    asked = runner.invoke(build_app(), ["ask", QUESTION, "--json"], env=env)
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert answer["answered"] and answer["citations"]
    assert answer["citations"][0]["podcast"] in ("The Inference Hour", "Build Weekly")

    # 3. chat: subscribe, brief, follow a bad URL, follow a good local feed, status
    with FeedServer() as server:
        good = local_show(server)
        script = "\n".join(
            [
                "subscribe open-source AI",
                "brief",
                "follow https://feeds.example-podcasts.invalid/show.rss",
                f"follow {good}",
                "podcasts",
                "settings tz est",
                "status",
            ]
        )
        chat = runner.invoke(build_app(), ["chat", "--user", "ann"], input=script + "\n", env=env)
    assert chat.exit_code == 0, chat.output
    said = " ".join(chat.stdout.split())  # the console wraps at 80 columns
    assert "Subscribed to “open-source AI” in this channel's brief." in said
    assert "Your podcast brief" in said and "1. " in said and "▶" in said
    assert (
        "Can't follow that feed: can't find the host feeds.example-podcasts.invalid "
        "(check the address)." in said
    )
    assert "Nothing was followed." in said
    assert "Following Field Notes (podcast #4): 1 episode" in said
    assert "Processed its newest 1 episode (1 ready)" in said
    assert "#4 Field Notes — active" in said
    assert "Did you mean America/New_York?" in said
    # status: one healthy real feed, the demo's three marked as demo, nothing failing
    assert "Feeds: 4 followed (1 active, 3 demo)" in said
    assert "failing" not in said and "retrying" not in said and "could not fetch" not in said
    assert re.search(r"next brief \w{3} \d{1,2} \w{3} 08:00 UTC", said)
    assert "T08:00" not in said  # no raw ISO times

    # the same status from the shell agrees
    status = runner.invoke(build_app(), ["status", "--json"], env=env)
    data = json.loads(status.stdout)
    assert data["feed_states"] == {"active": 1, "demo": 3} and data["failing_feeds"] == []
