"""``podbrief feeds …`` end to end through typer against a local feed server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from handlers.cli.app import build_app
from tests.fakes.feeds_server import FeedServer, Route
from tests.feeds.test_polling import SIX, rss


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(build_app(), list(args), env=env)


def env_for(tmp_path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ALLOW_PRIVATE_URLS": "true",  # the fake publisher lives on 127.0.0.1
        "LOG_LEVEL": "WARNING",
    }


def test_feeds_add_checks_the_feed_then_poll_list_remove(tmp_path):
    env = env_for(tmp_path)
    with FeedServer() as server:
        server.routes["/good"] = Route(rss(SIX))
        server.routes["/bad"] = Route(status=500)
        added = run(env, "feeds", "add", server.url("/good"), "--json")
        assert added.exit_code == 0, added.output
        data = json.loads(added.stdout)
        good_id = data["id"]
        assert (data["title"], data["episodes_in_feed"], data["queued"]) == ("Show", 6, 3)
        assert data["newest"] == "Episode 6" and data["health"]["state"] == "active"
        text = run(env, "feeds", "add", server.url("/good"))
        assert text.stdout.startswith(f"already following #{good_id} Show: 6 episodes, newest")

        refused = run(env, "feeds", "add", server.url("/bad"))
        assert refused.exit_code == 1 and refused.stdout == ""
        assert refused.stderr == (
            f"error: can't follow {server.url('/bad')}: the feed's server is having trouble "
            "(HTTP 500). Nothing was followed (--anyway follows it regardless).\n"
        )
        anyway = run(env, "feeds", "add", server.url("/bad"), "--anyway")
        assert anyway.exit_code == 0 and anyway.stdout.startswith("warning: the feed's server")

        polled = run(env, "feeds", "poll", "--json", "--all")
        report = json.loads(polled.stdout)
        assert (report["polled"], report["new"], report["failed"]) == (2, 0, 1)
        assert "WARNING" not in polled.stderr  # each failure is said once, in the report

    listed = json.loads(run(env, "feeds", "list", "--json").stdout)
    by_id = {row["id"]: row for row in listed}
    assert by_id[good_id]["episodes"] == 6
    [bad] = [row for row in listed if row["id"] != good_id]
    # one failure: retrying (not "active (1 failures)", not yet failing)
    assert (bad["failure_count"], bad["health"]["state"]) == (1, "retrying")
    assert bad["health"]["next_try_at"] and bad["last_error"].startswith("HTTP 500")
    table = run(env, "feeds", "list").stdout
    assert "retrying" in table and "HTTP 500" in table

    removed = run(env, "feeds", "remove", str(good_id), "--json")
    assert removed.exit_code == 0 and json.loads(removed.stdout)["status"] == "removed"
    assert [row["id"] for row in json.loads(run(env, "feeds", "list", "--json").stdout)] == [
        bad["id"]
    ]
    missing = run(env, "feeds", "remove", "999")
    assert missing.exit_code == 1 and missing.stderr == "error: no podcast with id 999\n"


def test_feeds_add_now_processes_what_it_queued(tmp_path):
    env = env_for(tmp_path)
    with FeedServer() as server:
        server.routes["/good"] = Route(rss(SIX))
        added = run(env, "feeds", "add", server.url("/good"), "--now", "--json")
    assert added.exit_code == 0, added.output
    processed = json.loads(added.stdout)["processed"]
    assert sum(processed.values()) == 3  # the three queued, each to an outcome


def test_feeds_add_refuses_unsafe_urls_in_one_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}
    for url in ("http://127.0.0.1/feed", "file:///etc/passwd", "http://0x7f.1/"):
        result = run(env, "feeds", "add", url)
        assert result.exit_code == 1
        assert result.output.count("\n") == 1 and result.output.startswith("error: ")
        assert "Nothing was followed" in result.output
    assert json.loads(run(env, "feeds", "list", "--json").stdout) == []
