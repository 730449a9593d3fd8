"""``podbrief feeds …`` end to end through typer against a local feed server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from handlers.cli.app import build_app
from tests.fakes.feeds_server import FeedServer, Route
from tests.feeds.test_polling import SIX, rss


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(build_app(), list(args), env=env)


def test_feeds_add_poll_list_remove(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ALLOW_PRIVATE_URLS": "true",  # the fake publisher lives on 127.0.0.1
        "LOG_LEVEL": "WARNING",
    }
    with FeedServer() as server:
        server.routes["/good"] = Route(rss(SIX))
        server.routes["/bad"] = Route(status=500)
        added = run(env, "feeds", "add", server.url("/good"), "--json")
        assert added.exit_code == 0, added.output
        good_id = json.loads(added.stdout)["id"]
        assert run(env, "feeds", "add", server.url("/good"), "--json").stdout == added.stdout
        assert run(env, "feeds", "add", server.url("/bad")).exit_code == 0

        polled = run(env, "feeds", "poll", "--json")
        assert polled.exit_code == 0, polled.output
        report = json.loads(polled.stdout)
        assert (report["polled"], report["new"], report["queued"], report["failed"]) == (2, 6, 3, 1)

    listed = json.loads(run(env, "feeds", "list", "--json").stdout)
    by_id = {row["id"]: row for row in listed}
    assert by_id[good_id]["title"] == "Show" and by_id[good_id]["episodes"] == 6
    [bad] = [row for row in listed if row["id"] != good_id]
    assert (bad["failure_count"], bad["status"]) == (1, "active")
    assert bad["last_error"].startswith("HTTP 500")

    table = run(env, "feeds", "list")
    assert "Show" in table.stdout and "HTTP 500" in table.stdout

    removed = run(env, "feeds", "remove", str(good_id))
    assert removed.exit_code == 0 and "Show" in removed.stdout
    assert [row["id"] for row in json.loads(run(env, "feeds", "list", "--json").stdout)] == [
        bad["id"]
    ]
    missing = run(env, "feeds", "remove", "999")
    assert missing.exit_code == 1 and "no podcast with id 999" in missing.output


def test_feeds_add_refuses_unsafe_urls_in_one_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}
    for url in ("http://127.0.0.1/feed", "file:///etc/passwd", "http://0x7f.1/"):
        result = run(env, "feeds", "add", url)
        assert result.exit_code == 1
        assert result.output.count("\n") == 1 and result.output.startswith("error: ")
